"""The classic picture of a 2-input network: ŷ over the input plane from one /v1/forward call on a 41 × 41 lattice,
the examples as dots and the decision boundary ŷ = 0.5; redrawn while the network trains."""

from __future__ import annotations

import json
from typing import Any

from pages import ARTIFACTS, Site, load_preset, page_width_at, up_to_date
from playwright.sync_api import Page, Request, expect

GRID = 41
CELL = 7


def forward_calls(page: Page) -> list[dict[str, Any]]:
    calls: list[dict[str, Any]] = []

    def record(request: Request) -> None:
        if request.url.endswith("/v1/forward"):
            calls.append(json.loads(request.post_data or "{}"))

    page.on("request", record)
    return calls


def pixel(page: Page, i: int, j: int) -> list[int]:
    """The colour at the centre of lattice point (row i from the top, column j)."""
    rgb: list[int] = page.evaluate(
        f"() => [...document.getElementById('heatmap').getContext('2d')"
        f".getImageData({(j + 0.5) * CELL}, {(i + 0.5) * CELL}, 1, 1).data].slice(0, 3)"
    )
    return rgb


def test_xor_is_drawn_over_its_input_plane_and_redrawn_while_it_trains(site: Site) -> None:
    page = site.open()
    expect(page.locator("#heatmap-box")).to_be_hidden()  # case 5 has 3 inputs: no plane to draw
    calls = forward_calls(page)
    load_preset(page, "xor")
    canvas = page.locator("#heatmap")
    expect(canvas).to_be_visible()
    page.wait_for_function("document.getElementById('heatmap').dataset.drawn !== undefined")
    assert len(calls) == 1
    [call] = calls
    assert len(call["inputs"]) == GRID * GRID
    x0, x1, y0, y1 = (float(canvas.get_attribute(f"data-{name}") or "nan") for name in ("x0", "x1", "y0", "y1"))
    assert call["inputs"][0] == [x0, y1]
    assert call["inputs"][-1] == [x1, y0]
    assert x0 < 0 < 1 < x1
    assert y0 < 0 < 1 < y1

    page.get_by_label("Steps N").fill("500")
    page.get_by_label("Learning rate η").fill("2")
    before = len(calls)
    page.get_by_role("button", name="Train").click()
    expect(page.locator("#train-result")).to_contain_text("After 500 steps")
    up_to_date(page)
    # Wait for the draws themselves (one per /v1/forward call), not for a guess of how many have come.
    page.wait_for_function(f"Number(document.getElementById('heatmap').dataset.drawn) >= {before + 10}")
    assert len(calls) - before >= 10  # redrawn after every part of the training, and for the trained network
    assert int(canvas.get_attribute("data-segments") or "0") > 0  # the trained XOR has a decision boundary

    # The picture against the service: where ŷ > 0.5 the lattice point is blue, where ŷ < 0.5 orange.
    network = page.evaluate("window.playground.ctx.req.network")
    lattice = [
        [x0 + (x1 - x0) * j / (GRID - 1), y1 - (y1 - y0) * i / (GRID - 1)] for i in range(GRID) for j in range(GRID)
    ]
    output = [row[0] for row in site.api("/v1/forward", {"network": network, "inputs": lattice})["output"]]
    side = [[output[i * GRID + j] > 0.5 for j in range(GRID)] for i in range(GRID)]
    examples = {
        (round((y1 - y) / (y1 - y0) * (GRID - 1)), round((x - x0) / (x1 - x0) * (GRID - 1)))
        for x, y in [[0, 0], [0, 1], [1, 0], [1, 1]]
    }
    sampled = 0
    for i in range(1, GRID - 1, 3):
        for j in range(1, GRID - 1, 3):
            near_line = any(side[i + di][j + dj] != side[i][j] for di in (-1, 0, 1) for dj in (-1, 0, 1))
            near_dot = any(abs(i - a) <= 1 and abs(j - b) <= 1 for a, b in examples)
            if near_line or near_dot or abs(output[i * GRID + j] - 0.5) < 0.05:
                continue
            red, _, blue = pixel(page, i, j)
            assert (blue > red) == side[i][j], (i, j, output[i * GRID + j], red, blue)
            sampled += 1
    assert sampled > 50

    page.get_by_label("Exercise mode").check()
    page.get_by_role("button", name="Copy link").click()
    ARTIFACTS.mkdir(exist_ok=True)
    page.set_viewport_size({"width": 1280, "height": 1100})
    page.evaluate("document.getElementById('picture').scrollIntoView()")
    page.screenshot(path=ARTIFACTS / "playground-exercise.png")  # docs/page-exercise.png is a copy of this one
    width = page_width_at(page, 390)
    assert width <= 390, f"the page is {width} px wide at phone width in exercise mode"
    page.close()
