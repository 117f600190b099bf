"""The synchronous and the asynchronous client offer the same calls, with the same signatures and docs.

Each request is described once (``gradclient/calls.py``, ``grading.py``, ``assignments.py``) and both classes
(``gradclient/client.py``, ``gradclient/asyncclient.py``) list it as a method; this test keeps them in step: a
method added, renamed or given another parameter in one and not the other fails here.
"""

from __future__ import annotations

import inspect
import math
import socket
import typing
from collections.abc import Callable
from typing import Any

import pytest

from gradclient import AsyncGradientClient, GradientClient, ServiceUnreachableError, assignments, calls, grading

PAIRED = {"close": "aclose", "__enter__": "__aenter__", "__exit__": "__aexit__"}
"""Methods whose names differ by design, sync name to async name."""


def public_methods(cls: type) -> dict[str, Callable[..., Any]]:
    return {
        name: member
        for name, member in vars(cls).items()
        if callable(member) and (not name.startswith("_") or name in PAIRED or name in PAIRED.values())
    }


def test_both_clients_have_the_same_methods() -> None:
    sync_names = {PAIRED.get(name, name) for name in public_methods(GradientClient)}
    assert sync_names == set(public_methods(AsyncGradientClient))


@pytest.mark.parametrize("name", sorted(set(public_methods(GradientClient)) - set(PAIRED) - {"__init__"}))
def test_each_call_has_the_same_parameters_defaults_and_documentation(name: str) -> None:
    sync_method, async_method = getattr(GradientClient, name), getattr(AsyncGradientClient, name)
    assert inspect.iscoroutinefunction(async_method)
    assert not inspect.iscoroutinefunction(sync_method)
    sync_signature, async_signature = inspect.signature(sync_method), inspect.signature(async_method)
    assert sync_signature.parameters == async_signature.parameters
    assert sync_signature.return_annotation == async_signature.return_annotation
    assert inspect.getdoc(sync_method) == inspect.getdoc(async_method)


@pytest.mark.parametrize("client", [GradientClient, AsyncGradientClient])
@pytest.mark.parametrize("name", sorted(set(public_methods(GradientClient)) - set(PAIRED) - {"__init__", "call"}))
def test_each_call_is_its_request_with_self_first(client: type, name: str) -> None:
    """A method shows the parameters and documentation of its request, and returns what the request reads."""
    [operation] = [vars(module)[name] for module in (calls, grading, assignments) if name in vars(module)]
    method, request = inspect.signature(getattr(client, name)), inspect.signature(operation)
    assert list(method.parameters) == ["self", *request.parameters]
    assert list(method.parameters.values())[1:] == list(request.parameters.values())
    assert typing.get_type_hints(operation)["return"] == calls.Call[method.return_annotation]
    assert inspect.getdoc(getattr(client, name)) == inspect.getdoc(operation)
    assert getattr(client, name).__qualname__ == f"{client.__name__}.{name}"


def test_both_constructors_take_the_same_parameters() -> None:
    sync_parameters = inspect.signature(GradientClient.__init__).parameters
    async_parameters = inspect.signature(AsyncGradientClient.__init__).parameters
    assert list(sync_parameters) == list(async_parameters)
    for name in sync_parameters:
        assert sync_parameters[name].default == async_parameters[name].default, name


def test_in_process_builds_a_client_of_the_app() -> None:
    from service.app import create_app

    body = {"network": {"layers": [{"weights": [[0.5], [-0.5]]}]}, "inputs": [[1.0, 2.0]], "targets": [[1.0]]}
    y_hat = 1 / (1 + math.exp(-(0.5 * 1.0 - 0.5 * 2.0)))  # σ(x · W), the default sigmoid
    with GradientClient.in_process(create_app()) as client:
        assert client.post("/v1/loss", body)["loss"] == pytest.approx(0.5 * (1.0 - y_hat) ** 2, rel=1e-12)


def closed_port_url() -> str:
    """A loopback URL that nothing listens on."""
    with socket.socket() as probe:
        probe.bind(("127.0.0.1", 0))
        return f"http://127.0.0.1:{probe.getsockname()[1]}"


def test_an_unreachable_service_says_how_to_start_one() -> None:
    url = closed_port_url()
    with (
        GradientClient(url, timeout=5) as client,
        pytest.raises(ServiceUnreachableError, match="python -m service") as caught,
    ):
        client.post("/v1/loss", {})
    assert caught.value.base_url == url


async def test_an_unreachable_service_says_how_to_start_one_to_the_async_client(anyio_backend: str) -> None:
    url = closed_port_url()
    async with AsyncGradientClient(url, timeout=5) as client:
        with pytest.raises(ServiceUnreachableError, match="in_process") as caught:
            await client.post("/v1/loss", {})
    assert caught.value.base_url == url
