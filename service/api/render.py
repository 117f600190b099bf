"""Turning computed arrays into a response, as the request's ``include`` and ``encoding`` ask."""

from __future__ import annotations

from collections.abc import Collection
from typing import Any

import numpy as np

from service.api.schemas.compact import encode
from service.api.schemas.options import ResponseOptions
from service.http.responses import ArrayJSONResponse

ITEMS = ("layers", "steps")
"""The lists of a response whose items' fields ``include`` names too."""


def select(content: dict[str, Any], names: Collection[str]) -> dict[str, Any]:
    """Keep the named top-level and per-item fields; keep ``layers`` (or ``steps``) if one of its items' fields is.

    A list named itself is kept whole.
    """
    selected = {key: value for key, value in content.items() if key in names}
    for key in ITEMS:
        if key in content and key not in names:
            items = [{name: value for name, value in item.items() if name in names} for item in content[key]]
            if any(items):
                selected[key] = items
    return selected


def compact(value: Any) -> Any:
    """Every array in ``value`` as a compact float64 tensor."""
    if isinstance(value, np.ndarray):
        return encode(value)
    if isinstance(value, dict):
        return {key: compact(item) for key, item in value.items()}
    if isinstance(value, list):
        return [compact(item) for item in value]
    return value


def respond(content: dict[str, Any], options: ResponseOptions) -> ArrayJSONResponse:
    """The JSON response holding ``content``, its fields selected and its arrays encoded as ``options`` say."""
    if options.include is not None:
        content = select(content, frozenset(options.include))
    if options.encoding == "base64":
        content = compact(content)
    return ArrayJSONResponse(content)
