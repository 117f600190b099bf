"""The playground (``/playground``) in a real browser, offline: Debian's Chromium driven by Playwright.

One server and one browser for all the page's tests (``conftest.py``). Every request a page makes is recorded; any
that would leave 127.0.0.1 is aborted and fails the test. Numbers are read off the page as a student sees them and
compared with the service's own answers numerically (the page shows 4 significant digits). Screenshots go to
``test-artifacts/``.
"""

from __future__ import annotations

import re
from urllib.parse import urlsplit

import pytest
from pages import ARTIFACTS, NUMBER, SHOWN, Site, assert_close, example, number, set_weight, shown_matrix, up_to_date
from playwright.sync_api import expect


def test_seed_case_5_shows_the_api_gradients_and_explains_them(site: Site) -> None:
    page = site.open()
    answer = site.api("/v1/gradients", example("seed_case_5"))
    for k in (1, 2):
        assert_close(shown_matrix(page, f"#dW-{k}"), answer["layers"][k - 1]["weights_gradient"])
        assert_close(shown_matrix(page, f"#delta-{k}"), answer["layers"][k - 1]["delta"])

    page.evaluate("document.getElementById('numbers').scrollIntoView(); window.scrollBy(0, -110)")
    page.locator('#dW-2 td[data-i="1"][data-j="0"]').hover()
    formula = page.locator("#formula")
    expect(formula).to_be_visible()
    ARTIFACTS.mkdir(exist_ok=True)
    page.screenshot(path=ARTIFACTS / "playground-desktop.png")  # docs/page.png is a copy of this one
    text = formula.inner_text()
    assert "∂L/∂W_2[1,0] = l_1[0,1] · Δ_2[0,0] = " in text
    l_1, delta_2, gradient = (number(n) for n in NUMBER.findall(text.split(" = ", 2)[2]))
    assert l_1 == pytest.approx(answer["layers"][0]["activation"][0][1], rel=SHOWN)
    assert delta_2 == pytest.approx(answer["layers"][1]["delta"][0][0], rel=SHOWN)
    assert gradient == pytest.approx(answer["layers"][1]["weights_gradient"][1][0], rel=SHOWN)

    # Keyboard: focus the first entry of ∂L/∂W_1, move right with the arrow key; its formula shows.
    page.locator('#dW-1 td[data-i="0"][data-j="0"]').focus()
    page.keyboard.press("ArrowRight")
    expect(formula).to_contain_text("∂L/∂W_1[0,1] = X[0,0] · Δ_1[0,1]")

    # The derivation is rendered as MathML, one step per equation, with its shapes check.
    steps = page.locator("#steps > li")
    expect(steps).to_have_count(9)
    assert page.locator("#steps math").count() == 9
    expect(steps.nth(8)).to_contain_text("(3 × 1) · (1 × 2) = 3 × 2")

    # The diagram: an edge per weight, coloured by the weight's sign.
    assert page.locator("#diagram line.edge").count() == 3 * 2 + 2 * 1
    assert page.locator('#diagram line.edge.neg[data-edge="2:1:0"]').count() == 1  # W_2[1,0] = −0.3

    paths = {urlsplit(url).path for url in site.requested}
    assert {"/playground", "/v1/gradients", "/v1/derivation"} <= paths
    assert any(path.endswith("uPlot.iife.min.js") for path in paths)
    assert any(path.endswith("temml.min.js") for path in paths)

    page.set_viewport_size({"width": 390, "height": 844})
    page.evaluate("window.scrollTo(0, 0)")
    page.screenshot(path=ARTIFACTS / "playground-phone.png")
    width = page.evaluate("document.documentElement.scrollWidth")
    assert width <= 390, f"the page is {width} px wide at phone width"
    page.close()
    assert (ARTIFACTS / "playground-desktop.png").stat().st_size > 0


def test_editing_a_weight_updates_the_gradients_and_the_link_reproduces_them(site: Site) -> None:
    page = site.open()
    set_weight(page, 2, 0, 0, "0.9")
    body = example("seed_case_5")
    body["network"]["layers"][1]["weights"][0][0] = 0.9
    answer = site.api("/v1/gradients", body)
    for k in (1, 2):
        assert_close(shown_matrix(page, f"#dW-{k}"), answer["layers"][k - 1]["weights_gradient"])

    page.get_by_role("button", name="Copy link").click()
    link = page.locator("#share-url").input_value()
    assert "#s=" in link
    shown = [shown_matrix(page, f"#dW-{k}") for k in (1, 2)]
    page.close()

    again = site.open(link)
    assert again.locator('input[data-pointer="/network/layers/1/weights/0/0"]').input_value() == "0.9"
    assert [shown_matrix(again, f"#dW-{k}") for k in (1, 2)] == shown  # the same numbers, the same text
    again.close()


def test_broken_shapes_show_the_service_problem_beside_the_weights(site: Site) -> None:
    page = site.open()
    # Paste a column of 3 numbers into W_2 (2 × 1): it becomes 3 × 1, but layer 1 has 2 outputs.
    page.locator('input[data-pointer="/network/layers/1/weights/0/0"]').evaluate(
        """cell => {
            const data = new DataTransfer();
            data.setData("text/plain", "0.7\\n-0.3\\n0.5\\n");
            cell.dispatchEvent(new ClipboardEvent("paste", {clipboardData: data, bubbles: true, cancelable: true}));
        }"""
    )
    expect(page.locator("#status")).to_have_attribute("data-state", "problem")
    body = example("seed_case_5")
    body["network"]["layers"][1]["weights"] = [[0.7], [-0.3], [0.5]]
    problem = site.api("/v1/gradients", body)
    [error] = problem["errors"]
    assert error["pointer"] == "/network/layers/1/weights"
    message = page.locator("#edit-W-2 > .problem")
    expect(message).to_have_text(f"W_2: {error['message']}")  # the pointer in the seed's notation
    expect(message.locator("span")).to_have_attribute("data-pointer", "/network/layers/1/weights")
    expect(page.locator("#edit-W-1 > .problem")).to_be_empty()

    # A cell that is not a number: the service's message, at that cell.
    page.get_by_role("button", name="Load", exact=True).click()
    up_to_date(page)
    cell = page.get_by_label("X (inputs) row 0 column 1")
    cell.fill("half")
    expect(page.locator("#status")).to_have_attribute("data-state", "problem")
    body = example("seed_case_5")
    body["inputs"] = [[1.0, "half", -1.5]]  # the page sends X as a matrix
    [error] = site.api("/v1/gradients", body)["errors"]
    assert error["pointer"] == "/inputs/0/1"
    assert error["message"].startswith("X, row 0, column 1: not a number")  # the service names the quantity
    expect(page.locator("#edit-X > .problem")).to_have_text(re.compile(r"^X, row 0, column 1: not a number: .*write "))
    assert page.locator("#edit-X > .problem").inner_text().count("X, row 0, column 1") == 1
    expect(cell).to_have_attribute("aria-invalid", "true")
    page.close()


def test_a_wide_layer_scrolls_in_its_own_box_at_phone_width(site: Site) -> None:
    page = site.open(width=390, height=844)
    sizes = page.get_by_label("Layer sizes")
    sizes.fill("3-30-1")
    sizes.press("Enter")
    up_to_date(page)
    expect(page.locator("#dW-1 td")).to_have_count(3 * 30)
    box = page.locator("#dW-1 .scroll")
    assert box.evaluate("box => box.scrollWidth > box.clientWidth")
    assert page.evaluate("document.documentElement.scrollWidth") <= 390
    body = example("seed_case_5")
    body["network"]["layers"] = [
        {"weights": page.evaluate("window.playground.state.layers[0].W"), "activation": "sigmoid"},
        {"weights": page.evaluate("window.playground.state.layers[1].W"), "activation": "sigmoid"},
    ]
    answer = site.api("/v1/gradients", body)
    assert_close(shown_matrix(page, "#dW-1"), answer["layers"][0]["weights_gradient"])
    page.close()


def test_the_series_sign_slip_is_diagnosed_and_highlighted(site: Site) -> None:
    page = site.open()
    claims = example("verify_wrong_sign")["claimed_gradients"]
    for k, claim in enumerate(claims, start=1):
        rows = "\n".join("\t".join(str(x) for x in row) for row in claim)  # as copied from a spreadsheet
        page.get_by_label(f"Your ∂L/∂W_{k}").fill(rows)
    page.get_by_role("button", name="Verify my gradients").click()
    for k, claim in enumerate(claims, start=1):
        verdict = page.locator(f"#verdict-{k}")
        expect(verdict.locator(".badge")).to_have_text("sign flipped")
        expect(verdict.locator(".hint")).to_contain_text("−∂L/∂W")
        entries = sum(len(row) for row in claim)
        expect(verdict.locator(f"#claimed-{k} td.wrong")).to_have_count(entries)
    page.close()


def test_xor_trains_draws_its_loss_curve_and_shows_the_trained_network(site: Site) -> None:
    page = site.open()
    page.get_by_label("Preset").select_option("xor")
    page.get_by_role("button", name="Load", exact=True).click()
    up_to_date(page)
    page.get_by_label("Steps N").fill("500")
    page.get_by_label("Learning rate η").fill("2")
    page.get_by_role("button", name="Train").click()
    expect(page.locator("#train-result")).to_contain_text("After 500 steps")
    up_to_date(page)

    answer = site.api("/v1/train", example("xor_training"))
    expect(page.locator("#loss-chart canvas")).to_have_count(1)
    drawn = page.evaluate("window.playground.chart.data")
    assert len(drawn[1]) == len(answer["loss_history"]) == 501
    assert drawn[1][-1] == pytest.approx(answer["loss_history"][-1], rel=1e-12)
    assert drawn[1] == pytest.approx(answer["loss_history"], rel=1e-12)

    trained = answer["network"]["layers"]
    shown_W1 = page.locator("#edit-W-1 input").evaluate_all("cells => cells.map(c => Number(c.value))")
    assert shown_W1 == pytest.approx([w for row in trained[0]["weights"] for w in row], rel=1e-12)
    body = {key: value for key, value in example("xor_training").items() if key not in {"learning_rate", "steps"}}
    body["network"] = answer["network"]
    gradients = site.api("/v1/gradients", body)
    assert_close(shown_matrix(page, "#dW-2"), gradients["layers"][1]["weights_gradient"])
    assert_close(shown_matrix(page, "#l-2"), answer["output"])

    page.get_by_role("button", name="Gradient check").click()
    ratings = page.locator("#check-result tbody .badge")
    expect(ratings).to_have_count(2)
    checked = site.api("/v1/gradients/check", body)
    expect(ratings).to_have_text([layer["rating"] for layer in checked["layers"]])
    # Each row names its parameters, and its worst entry by the parameter it is in: b_1[0], not ∂L/∂W_1.
    worst = page.locator("#check-result tbody td.worst")
    for k, layer in enumerate(checked["layers"], start=1):
        entry = layer["worst"]
        where = f"b_{k}[{entry['column']}]" if entry["parameter"] == "b" else f"W_{k}[{entry['row']},{entry['column']}]"
        expect(worst.nth(k - 1)).to_contain_text(f"{where}: backpropagation ")
    expect(page.locator("#check-result tbody th")).to_have_text(["layer 1: W_1, b_1", "layer 2: W_2, b_2"])
    expect(page.locator("#check-result")).to_contain_text("the service's backpropagation against central differences")
    ARTIFACTS.mkdir(exist_ok=True)
    page.locator("#train").screenshot(path=ARTIFACTS / "playground-training.png")
    page.close()


def test_words_one_name_for_the_series_and_none_of_them_seed(site: Site) -> None:
    page = site.open()
    text = page.locator("body").inner_text()
    assert text.count("Gradients for Neural Nets") == 1  # attributed once, beside the presets that need it
    assert "2016" in page.locator("#series").inner_text()
    assert re.search(r"\bseed\b", text, flags=re.IGNORECASE) is None, "“seed” means three things: the page uses none"
    expect(page.get_by_label("Random weights: number")).to_have_value("1")
    page.close()
