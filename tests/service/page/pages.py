"""What the playground's browser tests share: the server and browser (``Site``), and reading numbers off the page.

The page writes every entry to 4 significant digits (unless told otherwise), so a shown number is within half a
unit of its 4th significant digit of the service's value: a relative error of at most 5e-4.
"""

from __future__ import annotations

import ast
import json
import math
import operator
import re
from collections.abc import Callable
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any

import httpx
import pytest
from browsers import TIMEOUT_MS, is_local
from playwright.sync_api import Browser, Page, Route, expect

ROOT = Path(__file__).resolve().parents[3]
ARTIFACTS = ROOT / "test-artifacts"
EXAMPLES = ROOT / "examples"
SHOWN = 5e-4
"""Relative error of a number written to 4 significant digits: half a unit of the 4th digit."""
NUMBER = re.compile(r"[−-]?\d+(?:\.\d+)?(?:e[−-]?\d+)?")


def example(name: str) -> dict[str, Any]:
    body: dict[str, Any] = json.loads((EXAMPLES / f"{name}.json").read_text(encoding="utf-8"))
    return body


def number(text: str) -> float:
    """A number as the page writes it: a real minus sign, maybe an exponent."""
    return float(text.strip().replace("\u2212", "-"))


@dataclass
class Site:
    """The server, the browser and every URL its pages asked for."""

    base_url: str
    browser: Browser
    requested: list[str] = field(default_factory=list)
    blocked: list[str] = field(default_factory=list)

    def guard(self, route: Route) -> None:
        url = route.request.url
        self.requested.append(url)
        if is_local(url):
            route.continue_()
        else:
            self.blocked.append(url)
            route.abort()

    def open(self, url: str = "/playground", width: int = 1280, height: int = 800) -> Page:
        """A new page at ``url``, once its numbers are up to date."""
        page = self.browser.new_page(viewport={"width": width, "height": height})
        page.set_default_timeout(TIMEOUT_MS)
        page.route("**/*", self.guard)
        page.goto(url if url.startswith("http") else self.base_url + url)
        up_to_date(page)
        return page

    def api(self, path: str, body: dict[str, Any]) -> Any:
        response = httpx.post(self.base_url + path, json=body, timeout=10)
        return response.json()


def up_to_date(page: Page) -> None:
    expect(page.locator("#status")).to_have_attribute("data-state", "ok")


def page_width_at(page: Page, width: int, height: int = 844) -> int:
    """The page's width once resized to ``width`` × ``height`` and redrawn: the browser fires ``resize`` (which
    redraws the loss chart at its new size) before the next animation frame, so two frames later it is done."""
    page.set_viewport_size({"width": width, "height": height})
    page.evaluate("new Promise((done) => requestAnimationFrame(() => requestAnimationFrame(done)))")
    scroll_width: int = page.evaluate("document.documentElement.scrollWidth")
    return scroll_width


def load_preset(page: Page, name: str) -> None:
    page.get_by_label("Preset").select_option(name)
    page.get_by_role("button", name="Load", exact=True).click()
    up_to_date(page)


def shown_matrix(page: Page, selector: str) -> list[list[float]]:
    """A matrix as the page shows it: the text of each entry, read as a number."""
    cells = page.locator(f"{selector} td").evaluate_all(
        "cells => cells.map(td => [Number(td.dataset.i), Number(td.dataset.j), td.textContent])"
    )
    rows = 1 + max(i for i, _, _ in cells)
    cols = 1 + max(j for _, j, _ in cells)
    matrix = [[float("nan")] * cols for _ in range(rows)]
    for i, j, text in cells:
        matrix[i][j] = number(text)
    return matrix


def assert_close(shown: list[list[float]], expected: list[list[float]], rel: float = SHOWN) -> None:
    assert [len(row) for row in shown] == [len(row) for row in expected], (shown, expected)
    for row, want in zip(shown, expected, strict=True):
        assert row == pytest.approx(want, rel=rel, abs=1e-12), (shown, expected)


def set_weight(page: Page, layer: int, i: int, j: int, value: str) -> None:
    cell = page.locator(f'input[data-pointer="/network/layers/{layer - 1}/weights/{i}/{j}"]')
    cell.fill(value)
    up_to_date(page)


def significant_digits(text: str) -> int:
    """How many significant digits a number is written with: "0.003522" → 4, "1.050" → 4, "1.234e−5" → 4."""
    mantissa = text.strip().lstrip("−-").split("e")[0].replace(".", "").lstrip("0")
    return len(mantissa)


_OPERATORS: dict[type, Callable[..., float]] = {
    ast.Add: operator.add,
    ast.Sub: operator.sub,
    ast.Mult: operator.mul,
    ast.Div: operator.truediv,
    ast.Pow: operator.pow,
    ast.USub: operator.neg,
}
_FUNCTIONS: dict[str, Callable[[float], float]] = {
    "sig": lambda z: 1 / (1 + math.exp(-z)),
    "tanh": math.tanh,
    "relu": lambda z: max(0.0, z),
    "linear": lambda z: z,
}


def evaluate(substitution: str) -> float:
    """The value of a formula's substitution as the page writes it, e.g. "(−1.5) · 0.007045 + ½ · (0.6 − 1)²"."""
    text = substitution.replace("\u2212", "-").replace("·", "*").replace("²", "**2")
    text = text.replace("½", "0.5").replace("σ", "sig")

    def value(node: ast.AST) -> float:
        if isinstance(node, ast.Expression):
            return value(node.body)
        if isinstance(node, ast.Constant) and isinstance(node.value, int | float):
            return float(node.value)
        if isinstance(node, ast.BinOp) and type(node.op) in _OPERATORS:
            return _OPERATORS[type(node.op)](value(node.left), value(node.right))
        if isinstance(node, ast.UnaryOp) and type(node.op) in _OPERATORS:
            return _OPERATORS[type(node.op)](value(node.operand))
        if isinstance(node, ast.Call) and isinstance(node.func, ast.Name) and node.func.id in _FUNCTIONS:
            [argument] = node.args
            return _FUNCTIONS[node.func.id](value(argument))
        raise ValueError(f"not a substitution the page writes: {substitution!r}")

    return value(ast.parse(text, mode="eval"))
