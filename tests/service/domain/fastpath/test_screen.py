"""The byte screen's count of ``include`` entries: a flood is refused before any parser sees it, a valid list never."""

from __future__ import annotations

import json

import pytest

from service.domain.errors import ServiceError
from service.domain.fastpath import screen
from service.domain.settings import Settings

NETWORK = {"network": {"layers": [{"weights": [[1.0]]}]}, "inputs": [[1.0]], "targets": [[1.0]]}


def body(include: object, **extra: object) -> bytes:
    return json.dumps({**NETWORK, "include": include, **extra}).encode()


def test_an_include_flood_is_refused_at_the_include_pointer() -> None:
    with pytest.raises(ServiceError) as refused:
        screen.screen_include(body(["loss"] * 100_000))
    assert refused.value.status == 422
    assert refused.value.errors == [{"pointer": "/include", "message": f"at most {screen.MAX_INCLUDE} entries"}]
    assert "100000 entries" in refused.value.detail


@pytest.mark.parametrize(
    "text",
    [
        body(["loss", "weights_gradient"] * (screen.MAX_INCLUDE // 2)),  # the most a request may name
        body(None),
        body(["loss"], inputs=[["include"] * 1000]),  # strings elsewhere are the validators' business
        json.dumps({**NETWORK, "include": "loss"}).encode() + b'{"include": 1}',
        body(['lo\\"ss'] * 1000),  # escaped quotes: left to the count on the parsed document
    ],
)
def test_what_is_not_an_include_flood_passes(text: bytes) -> None:
    screen.screen_include(text)


def test_the_whole_screen_refuses_the_flood_before_counting_anything_else() -> None:
    with pytest.raises(ServiceError) as refused:
        screen.screen_body(body(["a"] * 2_000_000), Settings())
    assert refused.value.errors is not None
    assert refused.value.errors[0]["pointer"] == "/include"
