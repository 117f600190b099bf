"""Numbers that add up on the playground: significant digits, hover formulas whose shown factors give the shown
result, and a learner's own entries shown exactly as typed."""

from __future__ import annotations

import math

import pytest
from pages import Site, evaluate, example, load_preset, number, shown_matrix, significant_digits, up_to_date
from playwright.sync_api import Page, expect

QUANTITIES = ("z", "l", "delta", "dW", "db")


def formulas(page: Page) -> list[str]:
    """Every entry's formula on the page (each entry carries its formula as its accessible description)."""
    texts: list[str] = page.locator("#matrices td[aria-description]").evaluate_all(
        "cells => cells.map(td => td.getAttribute('aria-description'))"
    )
    return texts


def rounds_to(value: float, shown: str) -> bool:
    """Whether ``value``, written to as many significant digits as ``shown`` has, is ``shown``'s number."""
    digits = significant_digits(shown)
    target = number(shown)
    if value == 0 or target == 0:
        return value == target
    exponent = math.floor(math.log10(abs(target))) - digits + 1
    return abs(value - target) <= 0.5 * 10.0**exponent * (1 + 1e-9)


def test_entries_are_written_to_4_significant_digits_by_default_and_to_the_digits_chosen(site: Site) -> None:
    page = site.open()
    answer = site.api("/v1/gradients", example("seed_case_5"))
    cell = page.locator('#dW-1 td[data-i="1"][data-j="1"]')  # 0.0035224991…: 4 decimals would write 0.0035
    true = answer["layers"][0]["weights_gradient"][1][1]
    text = cell.inner_text()
    assert significant_digits(text) == 4, text
    assert number(text) == pytest.approx(true, rel=5e-4)
    for selector in ("#dW-1", "#dW-2", "#delta-1", "#z-1", "#l-1"):
        texts = page.locator(f"{selector} td").all_inner_texts()
        assert all(significant_digits(t) == 4 for t in texts), texts

    page.get_by_label("Significant digits").fill("7")
    page.get_by_label("Significant digits").press("Enter")
    expect(cell).not_to_have_text(text)
    text = cell.inner_text()
    assert significant_digits(text) == 7, text
    assert number(text) == pytest.approx(true, rel=5e-7)
    shown = shown_matrix(page, "#dW-1")
    for row, want in zip(shown, answer["layers"][0]["weights_gradient"], strict=True):
        assert row == pytest.approx(want, rel=5e-7)
    page.close()


@pytest.mark.parametrize("preset", ["seed5", "seed3", "seed6", "xor", "relu-tanh"])
def test_every_hover_formula_shows_factors_whose_product_is_the_shown_result(site: Site, preset: str) -> None:
    page = site.open()
    if preset == "relu-tanh":  # a batch through relu, then tanh, with the mean squared error
        load_preset(page, "seed6")
        for k, activation in ((1, "relu"), (2, "tanh")):
            page.locator("#layers-editor fieldset").nth(k - 1).locator("select").select_option(activation)
            up_to_date(page)
        page.locator("#loss").select_option("mean_squared_error")
        up_to_date(page)
    elif preset != "seed5":
        load_preset(page, preset)
    checked = 0
    for digits in ("4", "3"):
        page.get_by_label("Significant digits").fill(digits)
        page.get_by_label("Significant digits").press("Enter")
        up_to_date(page)
        for formula in formulas(page):
            parts = formula.split(" = ")
            substitution, result = parts[-2], parts[-1]
            if len(parts) < 3 or "…" in substitution or "softmax" in formula or "J_" in formula:
                continue  # a sum shown in part; softmax's Jacobian and losses but ½ Σ (y − ŷ)² are not written out
            assert result == "0" or significant_digits(result) == int(digits), formula
            assert rounds_to(evaluate(substitution), result), formula
            checked += 1
    assert checked >= 8, checked
    page.close()


def test_your_entries_are_shown_exactly_as_you_typed_them(site: Site) -> None:
    page = site.open()
    typed = ["-0,01302  0.007045", "-0.006509\t0.0035225", "0.01953 -0.01057"]  # a decimal comma, a tab, 5 digits
    page.get_by_label("Your ∂L/∂W_1").fill("\n".join(typed))
    page.get_by_label("Your ∂L/∂W_2").fill("-0.07174\n-0.04003")
    page.get_by_role("button", name="Verify my gradients").click()
    cells = page.locator("#claimed-1 td")
    expect(cells).to_have_count(6)
    assert cells.all_inner_texts() == ["-0,01302", "0.007045", "-0.006509", "0.0035225", "0.01953", "-0.01057"]
    expect(page.locator("#verdict-1 .badge")).to_have_text("correct")  # the decimal comma was read as one
    page.close()
