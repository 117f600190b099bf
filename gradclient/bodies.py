"""Request bodies from numpy arrays or lists, and reading the answers.

A network is either the JSON form ``{"layers": [{"weights": W_1, "activation": "sigmoid", "bias": b_1}, ...]}``
or a sequence of layers, each such a mapping or just its weights W_k (n_{k−1} × n_k, sigmoid, no bias).
Arrays may be numpy arrays, lists of rows, lists or numbers anywhere. Numbers are sent as they are:
the service, not the client, validates them and names any NaN, infinity or wrong shape with its pointer.
"""

from __future__ import annotations

import json
from collections.abc import Mapping, Sequence
from typing import Any

import httpx
import numpy as np
from numpy.typing import ArrayLike

from gradclient.errors import ProblemError
from gradclient.results import TrainedNetwork

Network = TrainedNetwork | Mapping[str, Any] | Sequence[Mapping[str, Any] | ArrayLike]
"""``{"layers": [...]}``, a list of layers, each a mapping (weights, activation, bias) or its weights alone, or the
``network`` of a :class:`~gradclient.TrainResult`."""

HEADERS = {"Content-Type": "application/json", "Accept": "application/json, application/problem+json"}


def network_json(network: Network) -> Mapping[str, Any]:
    """The ``network`` field of a request."""
    if isinstance(network, TrainedNetwork):
        return network.to_json()
    if isinstance(network, Mapping):
        return network
    return {"layers": [layer if isinstance(layer, Mapping) else {"weights": layer} for layer in network]}


def request_body(network: Network, inputs: ArrayLike, **fields: Any) -> dict[str, Any]:
    """A request body: network, inputs X (m × n_0) and the given fields, leaving out those that are ``None``."""
    body = {"network": network_json(network), "inputs": inputs}
    body.update((name, value) for name, value in fields.items() if value is not None)
    return body


def _numpy(value: Any) -> Any:
    if isinstance(value, np.ndarray | np.generic):
        return value.tolist()
    raise TypeError(f"cannot send a {type(value).__name__} as JSON")


def encode(body: Mapping[str, Any] | bytes) -> bytes:
    """JSON bytes of a body (bytes are sent as they are). NaN and ±Infinity are left for the service to reject."""
    if isinstance(body, bytes):
        return body
    return json.dumps(body, default=_numpy, separators=(",", ":")).encode()


def decode(response: httpx.Response) -> dict[str, Any]:
    """The JSON object of a successful answer; raise :class:`ProblemError` for an error status."""
    if response.is_error:
        raise ProblemError.from_response(response)
    data = response.json()
    if not isinstance(data, dict):
        raise ProblemError(
            response.status_code, "Unexpected Answer", f"expected a JSON object, got {response.text[:200]!r}"
        )
    return data


def auth_headers(api_key: str | None) -> dict[str, str]:
    """The headers of every request: JSON, and the API key as a bearer token when there is one."""
    return HEADERS | ({"Authorization": f"Bearer {api_key}"} if api_key else {})


def decode_text(response: httpx.Response) -> str:
    """The text of a successful answer (e.g. Markdown); raise :class:`ProblemError` for an error status."""
    if response.is_error:
        raise ProblemError.from_response(response)
    return response.text
