"""Exercise mode: what the learner is to compute stays hidden until they check their value or reveal it; each
checked quantity is marked from verify's `graded`. One test gives the page a fixed `graded` answer, to pin how each
kind of mark is drawn; the end-to-end test checks with the service's own verify."""

from __future__ import annotations

import json
from typing import Any

from pages import ARTIFACTS, Site, assert_close, example, shown_matrix, up_to_date
from playwright.sync_api import Page, Request, Route, expect

QUANTITIES = ("pre_activation", "activation", "delta", "weights_gradient")


def fixed(value: float, digits: int) -> set[str]:
    """``value`` written to ``digits`` significant digits, as the page might write it, with either minus sign."""
    text = f"{value:#.{digits}g}".rstrip(".")
    return {text, text.replace("-", "\u2212")}


def everything_shown(page: Page) -> str:
    """Every text and attribute of the page (what a learner can see, hover, or read with a screen reader)."""
    text: str = page.evaluate(
        """() => [document.body.innerText, document.body.textContent,
                  ...[...document.querySelectorAll('*')].flatMap(e => [...e.attributes].map(a => a.value)),
                  ...[...document.querySelectorAll('input, textarea')].map(e => e.value)].join('\\n')"""
    )
    return text


def answers_of(body: dict[str, Any], site: Site) -> list[float]:
    return answer_values(site.api("/v1/gradients", body))


def answer_values(answer: dict[str, Any]) -> list[float]:
    """Every number a learner is to compute, from a ``/v1/gradients`` answer: L, then z_k, l_k, Δ_k, ∂L/∂W_k."""
    values = [answer["loss"]]
    for layer in answer["layers"]:
        for name in QUANTITIES:
            values += [x for row in layer[name] for x in row]
    return values


def test_nothing_the_learner_is_to_compute_is_shown_before_they_ask(site: Site) -> None:
    page = site.open("/playground#exercise=1")
    expect(page.get_by_label("Exercise mode")).to_be_checked()
    expect(page.locator("#matrices figure.exercise")).to_have_count(2 * 4 + 1)  # z, l, Δ, ∂L/∂W per layer, and L
    expect(page.locator("#matrices td")).to_have_count(0)
    expect(page.locator("#steps figure")).to_have_count(0)
    expect(page.locator("#verify")).to_be_hidden()
    page.locator('#diagram [data-node="1:0"]').hover()
    expect(page.locator("#formula")).to_be_hidden()
    shown = everything_shown(page)
    leaked = [
        (value, text)
        for value in answers_of(example("seed_case_5"), site)
        for digits in (3, 4)
        for text in fixed(value, digits)
        if text in shown
    ]
    assert leaked == []
    for node in ("1:0", "1:1", "2:0"):  # l_1 and ŷ in the diagram
        expect(page.locator(f'#diagram [data-node="{node}"] text.value')).to_have_text("?")
    page.get_by_role("button", name="Copy link").click()
    assert page.locator("#share-url").input_value().endswith("&exercise=1")  # a teacher shares the exercise
    page.close()


def test_each_checked_quantity_is_marked_with_its_mistake_or_carried_forward(site: Site) -> None:
    page = site.open("/playground#exercise=1")
    true = site.api("/v1/gradients", example("seed_case_5"))["layers"]
    sent: list[dict[str, Any]] = []
    answer = {
        "all_correct": False,
        "rtol": 0.001,
        "layers": [],
        "graded": [
            {
                "pointer": "/layers/1/delta",
                "verdict": "sign_flipped",
                "mistakes": ["sign_flipped"],
                "hint": "your Δ_2 is −Δ_2: (y − ŷ) where Δ_2 has (ŷ − y)",
                "wrong_entries": [],
                "carried_forward": False,
            },
            {
                "pointer": "/layers/0/delta",
                "verdict": "correct",
                "mistakes": [],
                "hint": "Δ_1 follows from your Δ_2",
                "wrong_entries": [],
                "carried_forward": True,
            },
            {
                "pointer": "/layers/1/weights_gradient",
                "verdict": "correct",
                "mistakes": [],
                "hint": "",
                "wrong_entries": [],
                "carried_forward": False,
            },
            {
                "pointer": "/layers/0/weights_gradient",
                "verdict": "incorrect",
                "mistakes": ["one_wrong_entry"],
                "hint": "one entry of ∂L/∂W_1 is wrong",
                "carried_forward": False,
                "wrong_entries": [{"index": [2, 1], "claimed": 0.5, "expected": true[0]["weights_gradient"][2][1]}],
            },
        ],
    }

    def verify(route: Route) -> None:
        sent.append(json.loads(route.request.post_data or "{}"))
        route.fulfill(status=200, content_type="application/json", body=json.dumps(answer))

    page.route("**/v1/gradients/verify", verify)
    dW1 = [[f"{x:.4g}" for x in row] for row in true[0]["weights_gradient"]]
    dW1[2][1] = "0.5"
    typed = {
        "Δ_2": "0.09684",
        "Δ_1": "0.01302 -0.007045",
        "∂L/∂W_2": "-0.07174\n-0.04003",
        "∂L/∂W_1": "\n".join(" ".join(row) for row in dW1),
    }
    for label, text in typed.items():
        page.locator("#matrices").get_by_label(f"Your {label} (").fill(text)
    page.get_by_role("button", name="Check my Δ_1").click()
    expect(page.locator("#exercise-result")).to_contain_text("1 of 4 checked quantities are correct")

    [request] = sent
    assert request["network"] == example("seed_case_5")["network"]
    assert request["claimed"] == {  # only what was entered, where a /v1/gradients answer has it
        "layers": [
            {"delta": [[0.01302, -0.007045]], "weights_gradient": [[float(x) for x in row] for row in dW1]},
            {"delta": [[0.09684]], "weights_gradient": [[-0.07174], [-0.04003]]},
        ]
    }
    delta_2 = page.locator("#delta-2")
    expect(delta_2.locator(".mark .badge")).to_have_text("sign flipped")
    expect(delta_2.locator(".mark")).to_contain_text("(y − ŷ) where Δ_2 has (ŷ − y)")
    expect(delta_2.locator("td.wrong")).to_have_count(1)
    expect(delta_2.locator("textarea")).to_have_value("0.09684")  # still hidden: the learner may try again
    delta_1 = page.locator("#delta-1")
    expect(delta_1.locator(".mark.carried .badge")).to_have_text("right given your earlier values")
    expect(delta_1.locator("textarea")).to_have_count(1)  # right given their Δ_2, not the true Δ_1: still hidden
    dW_1 = page.locator("#dW-1")
    expect(dW_1.locator(".mark .badge")).to_have_text("one wrong entry")
    expect(dW_1.locator("td.wrong")).to_have_count(1)
    expect(dW_1.locator('td.wrong[data-i="2"][data-j="1"]')).to_have_text("0.5")  # as typed
    assert f"{true[0]['weights_gradient'][2][1]:.4g}".replace("-", "\u2212") not in dW_1.inner_text()
    # ∂L/∂W_2 is correct: the page now shows the service's value, with its formula.
    expect(page.locator("#dW-2 .mark.correct .badge")).to_have_text("correct")
    assert_close(shown_matrix(page, "#dW-2 .scroll"), true[1]["weights_gradient"])
    formula = page.locator('#dW-2 .scroll td[data-i="0"][data-j="0"]').get_attribute("aria-description") or ""
    assert "= ? · ?" in formula  # l_1 and Δ_2 are not found yet
    ARTIFACTS.mkdir(exist_ok=True)
    page.locator("#numbers").screenshot(path=ARTIFACTS / "playground-exercise-marks.png")
    # The learner corrects Δ_2: its old mark no longer describes it and goes.
    delta_2.locator("textarea").fill("-0.09684")
    expect(delta_2.locator(".mark")).to_have_count(0)
    expect(delta_1.locator(".mark")).to_have_count(1)
    # Reveal: the learner gives up on z_1.
    page.get_by_role("button", name="Reveal z_1").click()
    assert_close(shown_matrix(page, "#z-1"), true[0]["pre_activation"])
    expect(page.locator("#l-1 textarea")).to_have_count(1)
    # A new network is a new exercise: the marks go, the values are hidden again.
    page.locator('input[data-pointer="/network/layers/1/weights/0/0"]').fill("0.9")
    up_to_date(page)
    expect(page.locator("#matrices .mark")).to_have_count(0)
    expect(page.locator("#dW-2 textarea")).to_have_count(1)
    page.close()


def test_the_real_verify_marks_a_learner_s_work_end_to_end(site: Site) -> None:
    """No stand-in: the page posts `claimed` to the service's own verify, and marks what its `graded` says."""
    page = site.open("/playground#exercise=1")
    true = site.api("/v1/gradients", example("seed_case_5"))["layers"]
    sent: list[dict[str, Any]] = []

    def note(request: Request) -> None:
        if request.url.endswith("/v1/gradients/verify"):
            sent.append(json.loads(request.post_data or "{}"))

    page.on("request", note)
    delta_2 = -true[1]["delta"][0][0]  # the series' sign slip: (y − ŷ) where Δ_2 has (ŷ − y)
    delta_1 = [-x for x in true[0]["delta"][0]]  # right given that wrong Δ_2: carried forward
    dW_2 = [[f"{x:.4g}" for x in row] for row in true[1]["weights_gradient"]]  # right
    page.locator("#matrices").get_by_label("Your Δ_2 (").fill(f"{delta_2:.4g}")
    page.locator("#matrices").get_by_label("Your Δ_1 (").fill(" ".join(f"{x:.4g}" for x in delta_1))
    page.locator("#matrices").get_by_label("Your ∂L/∂W_2 (").fill("\n".join(" ".join(row) for row in dW_2))
    page.get_by_role("button", name="Check my Δ_2").click()
    expect(page.locator("#delta-2 .mark .badge")).to_have_text("sign flipped")
    expect(page.locator("#delta-1 .mark.carried .badge")).to_have_text("right given your earlier values")
    expect(page.locator("#dW-2 .mark.correct .badge")).to_have_text("correct")
    assert_close(shown_matrix(page, "#dW-2 .scroll"), true[1]["weights_gradient"])
    assert sent
    assert set(sent[-1]["claimed"]) == {"layers"}  # only what was entered
    page.close()
