"""The playground speaks the seed's notation: a problem's JSON pointer is shown as "W_2, row 0, column 0", pydantic's
generic texts are replaced by what to write, and a decimal comma is read where it cannot be ambiguous."""

from __future__ import annotations

import re

import pytest
from pages import Site, assert_close, example, shown_matrix, up_to_date
from playwright.sync_api import expect

GENERIC = ("Field required", "List should have at least 1 item", "Input should be a valid number", "Input should be")


def test_a_cell_that_is_not_a_number_is_named_in_the_seeds_notation(site: Site) -> None:
    page = site.open()
    page.locator('input[data-pointer="/network/layers/1/weights/0/0"]').fill("abc")
    expect(page.locator("#status")).to_have_attribute("data-state", "problem")
    body = example("seed_case_5")
    body["network"]["layers"][1]["weights"][0][0] = "abc"
    [error] = site.api("/v1/gradients", body)["errors"]
    assert error["pointer"] == "/network/layers/1/weights/0/0"  # what a program reads
    message = page.locator("#edit-W-2 > .problem span")
    # Named once, in the seed's notation, with what to write (the service's own message now says it).
    expect(message).to_have_text(re.compile(r"^W_2, row 0, column 0: not a number: .*write "))
    assert message.inner_text().count("W_2, row 0, column 0") == 1
    expect(message).to_have_attribute("data-pointer", error["pointer"])
    expect(page.locator("#status")).to_contain_text("W_2, row 0, column 0: not a number")
    for text in (message.inner_text(), page.locator("#status").inner_text()):
        assert not any(generic in text for generic in GENERIC), text
        assert "/network" not in text
    page.close()


def test_pointers_and_generic_messages_in_the_pages_words(site: Site) -> None:
    page = site.open()
    said = page.evaluate(
        """async () => {
            const { notation, humane } = await import("/playground/notation.js");
            const pointers = ["/network/layers/1/weights/0/0", "/network/layers/0/bias/1", "/inputs/2/0",
                "/targets/0", "/claimed_gradients/1/0/1", "/claimed/layers/1/delta/0/0", "/claimed/loss",
                "/claimed/output/0/0", "/claimed/layers/0/bias_gradient/1", "/network/layers/0/activation"];
            const messages = ["Field required", "List should have at least 1 item after validation",
                "Input should be a valid number, unable to parse string as a number", "Input should be greater than 0",
                "Input should be 'sigmoid', 'tanh' or 'relu'", "Extra inputs are not permitted"];
            return { names: pointers.map(notation), messages: messages.map(humane) };
        }"""
    )
    assert said["names"] == [
        "W_2, row 0, column 0",
        "b_1, entry 1",
        "X, row 2, column 0",
        "Y, row 0",
        "your ∂L/∂W_2, row 0, column 1",
        "your Δ_2, row 0, column 0",
        "your L",
        "your ŷ, row 0, column 0",
        "your ∂L/∂b_1, entry 1",
        "f_1, the activation of layer 1",
    ]
    missing, empty, nan, small, choice, extra = said["messages"]
    assert missing == "missing: write it in"
    assert empty == "empty: write at least one row of numbers"
    assert nan.startswith("not a number: write digits with a dot for decimals, such as -0.01302")
    assert small == "too small: write a number greater than 0"
    assert choice == "not one of the choices: choose 'sigmoid', 'tanh' or 'relu'"
    assert extra == "not taken here: remove it"
    page.close()


@pytest.mark.parametrize("typed", ["0,9", "−0,9"])
def test_a_decimal_comma_in_a_weight_is_read_as_a_decimal_point(site: Site, typed: str) -> None:
    page = site.open()
    page.locator('input[data-pointer="/network/layers/1/weights/0/0"]').fill(typed)
    up_to_date(page)
    body = example("seed_case_5")
    body["network"]["layers"][1]["weights"][0][0] = -0.9 if typed.startswith("−") else 0.9
    answer = site.api("/v1/gradients", body)
    for k in (1, 2):
        assert_close(shown_matrix(page, f"#dW-{k}"), answer["layers"][k - 1]["weights_gradient"])
    page.close()


def test_an_ambiguous_comma_and_an_empty_claim_say_what_to_write(site: Site) -> None:
    page = site.open()
    page.locator('input[data-pointer="/inputs/0/1"]').fill("0,5,1")  # two commas: not a number
    expect(page.locator("#edit-X > .problem")).to_have_text(re.compile(r"^X, row 0, column 1: not a number: .*write "))
    page.get_by_role("button", name="Load", exact=True).click()
    up_to_date(page)
    page.get_by_label("Your ∂L/∂W_1").fill("-0,01302 0,007045\n-0,006509 0,003522\n0,01953 -0,01057")
    page.get_by_role("button", name="Verify my gradients").click()  # W_2's box left empty
    problem = page.locator("#verify .claim .problem").nth(1)
    expect(problem).to_contain_text("your ∂L/∂W_2: ")
    expect(page.locator("#verify .claim .problem").nth(0)).to_be_empty()  # the decimal commas were read
    assert not any(generic in problem.inner_text() for generic in GENERIC)
    page.close()
