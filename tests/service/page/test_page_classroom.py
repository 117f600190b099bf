"""The playground and the class report where the service wants a key (``GRADSERVICE_API_KEY``) or is in classroom
mode (``GRADSERVICE_INSTRUCTOR_KEY``): the page's files stay open, the page asks for the key it needs, and a student
without the instructor's key works in exercise mode, checked by verify, with no answer anywhere in the page or in
anything the service sent it. Real servers, no stand-in."""

from __future__ import annotations

import json
import re
from collections.abc import Iterator
from dataclasses import dataclass
from pathlib import Path
from typing import Any

import httpx
import pytest
from browsers import CHROMIUM_ARGS, TIMEOUT_MS
from pages import Site, assert_close, example, shown_matrix, up_to_date
from playwright.sync_api import Page, Response, expect, sync_playwright
from servers import require_program, running
from test_page_exercise import answer_values, everything_shown, fixed

INSTRUCTOR, API_KEY = "instructor-key-of-the-test", "api-key-of-the-test"
EXAMPLES = Path(__file__).resolve().parents[3] / "examples"


@dataclass
class Sites:
    classroom: Site
    keyed: Site


@pytest.fixture(scope="module")
def sites() -> Iterator[Sites]:
    chromium = require_program("chromium")
    with (
        running({"GRADSERVICE_INSTRUCTOR_KEY": INSTRUCTOR}) as classroom,
        running({"GRADSERVICE_API_KEY": API_KEY}) as keyed,
        sync_playwright() as playwright,
    ):
        browser = playwright.chromium.launch(executable_path=chromium, headless=True, args=CHROMIUM_ARGS)
        try:
            both = Sites(Site(classroom.base_url, browser), Site(keyed.base_url, browser))
            yield both
        finally:
            browser.close()
        assert both.classroom.blocked == both.keyed.blocked == [], "the page tried to leave the machine"


def instructor_api(site: Site, path: str, body: dict[str, Any]) -> Any:
    response = httpx.post(site.base_url + path, json=body, headers={"X-API-Key": INSTRUCTOR}, timeout=10)
    assert response.status_code == 200, response.text
    return response.json()


def new_page(site: Site, path: str | None = "/playground") -> Page:
    """A new tab of ``site``'s browser, at ``path`` (or nowhere yet)."""
    page = site.browser.new_page(viewport={"width": 1280, "height": 900})
    page.set_default_timeout(TIMEOUT_MS)
    page.route("**/*", site.guard)
    if path is not None:
        page.goto(site.base_url + path)
    return page


def answers_received(page: Page) -> list[tuple[str, int, Any]]:
    """Record every answer the page gets to a POST: (path, status, JSON body)."""
    received: list[tuple[str, int, Any]] = []

    def note(response: Response) -> None:
        if response.request.method == "POST":
            received.append((response.url.split("/", 3)[-1], response.status, response.json()))

    page.on("response", note)
    return received


def test_a_students_page_asks_for_no_answer_and_shows_none(sites: Sites) -> None:
    site = sites.classroom
    page = new_page(site, path=None)
    received = answers_received(page)
    page.goto(site.base_url + "/playground")
    expect(page.locator("#status")).to_have_text(re.compile("^Ready: work out each quantity"))
    expect(page.locator("#access")).to_contain_text("Classroom mode")
    expect(page.get_by_label("Exercise mode")).to_be_checked()
    expect(page.get_by_label("Exercise mode")).to_be_disabled()
    expect(page.locator("#matrices figure.exercise")).to_have_count(2 * 4 + 1)  # z, l, Δ, ∂L/∂W per layer, and L
    expect(page.locator("#matrices td")).to_have_count(0)
    expect(page.get_by_role("button", name=re.compile("^Reveal"))).to_have_count(0)
    expect(page.locator("#reveal-help")).to_be_hidden()
    for hidden in ("#derivation", "#train", "#verify", "#heatmap-box", "#reveal-all", "#reveal-help"):
        expect(page.locator(hidden)).to_be_hidden()
    for node in ("1:0", "1:1", "2:0"):
        expect(page.locator(f'#diagram [data-node="{node}"] text.value')).to_have_text("?")
    values = answer_values(instructor_api(site, "/v1/gradients", example("seed_case_5")))
    shown = everything_shown(page)
    assert [text for value in values for digits in (3, 4) for text in fixed(value, digits) if text in shown] == []
    # What the service sent: the refusals that told the page the mode, then verify's checks of the network.
    assert received, "the page asked nothing"
    for path, status, content in received:
        if status == 403:
            assert content["type"] == "/problems/classroom"
        else:
            assert (path, status) == ("v1/gradients/verify", 200), (path, status)
            assert content["graded"] == []
    assert any(status == 200 for _, status, _ in received)
    page.close()


def blind(page: Page) -> None:
    """Wait until the page works as a student's: checked, with nothing to reveal."""
    expect(page.locator("#status")).to_have_text(re.compile("^Ready: work out each quantity"))


def test_a_student_checks_their_work_and_verify_marks_it_without_the_answers(sites: Sites) -> None:
    site = sites.classroom
    page = new_page(site)
    blind(page)
    true = instructor_api(site, "/v1/gradients", example("seed_case_5"))["layers"]
    delta_2 = -true[1]["delta"][0][0]  # the series' sign slip: (y − ŷ) where Δ_2 has (ŷ − y)
    delta_1 = [-x for x in true[0]["delta"][0]]  # right given that wrong Δ_2: carried forward
    dW_2 = "\n".join(" ".join(f"{x:.4g}" for x in row) for row in true[1]["weights_gradient"])  # right
    page.locator("#matrices").get_by_label("Your Δ_2 (").fill(f"{delta_2:.4g}")
    page.locator("#matrices").get_by_label("Your Δ_1 (").fill(" ".join(f"{x:.4g}" for x in delta_1))
    page.locator("#matrices").get_by_label("Your ∂L/∂W_2 (").fill(dW_2)
    page.get_by_role("button", name="Check my answers").click()
    expect(page.locator("#delta-2 .mark .badge")).to_have_text("sign flipped")
    expect(page.locator("#delta-2 .mark td.wrong")).to_have_count(1)  # the learner's own entry, outlined
    expect(page.locator("#delta-1 .mark.carried .badge")).to_have_text("right given your earlier values")
    expect(page.locator("#dW-2 .mark.correct .badge")).to_have_text("correct")
    expect(page.locator("#exercise-result")).to_have_text("1 of 3 checked quantities are correct.")
    # A right value stays the learner's own: there is no true value to show in its place.
    expect(page.locator("#dW-2 textarea")).to_have_value(dW_2)
    expect(page.locator("#matrices td:not(.mark td)")).to_have_count(0)
    page.close()


def test_a_wrong_network_is_refused_beside_its_field_in_classroom_mode(sites: Sites) -> None:
    page = new_page(sites.classroom)
    blind(page)
    page.locator('input[data-pointer="/network/layers/1/weights/0/0"]').fill("abc")
    expect(page.locator("#status")).to_have_attribute("data-state", "problem")
    expect(page.locator("#edit-W-2 > .problem span")).to_have_text(re.compile(r"^W_2, row 0, column 0: not a number"))
    page.locator('input[data-pointer="/network/layers/1/weights/0/0"]').fill("0.5")
    blind(page)
    page.close()


def test_the_instructors_key_shows_everything_and_forgetting_it_hides_it_again(sites: Sites) -> None:
    site = sites.classroom
    page = new_page(site)
    blind(page)
    page.get_by_label("Key").fill("not the key")
    page.get_by_role("button", name="Use this key").click()
    expect(page.locator("#access")).to_contain_text("that key is not the instructor's")
    blind(page)
    page.get_by_label("Key").fill(INSTRUCTOR)
    page.get_by_role("button", name="Use this key").click()
    expect(page.locator("#status")).to_have_text(re.compile("^Up to date: L = "))
    expect(page.locator("#access")).to_contain_text("You are using a key")
    expect(page.get_by_label("Exercise mode")).to_be_enabled()
    expect(page.locator("#derivation")).to_be_visible()
    expect(page.locator("#steps li")).not_to_have_count(0)
    answer = instructor_api(site, "/v1/gradients", example("seed_case_5"))
    assert_close(shown_matrix(page, "#dW-1"), answer["layers"][0]["weights_gradient"])
    page.reload()  # the key is kept for this tab; the link says exercise mode, and what is hidden can be revealed
    expect(page.locator("#status")).to_have_text(re.compile("^Up to date"))
    page.get_by_role("button", name="Reveal ∂L/∂W_1").click()
    assert_close(shown_matrix(page, "#dW-1"), answer["layers"][0]["weights_gradient"])
    page.get_by_role("button", name="Forget the key").click()
    blind(page)
    expect(page.locator("#matrices td")).to_have_count(0)
    page.close()


def test_a_service_with_an_api_key_opens_the_page_and_asks_for_the_key(sites: Sites) -> None:
    site = sites.keyed
    page = new_page(site)
    expect(page.locator("#access")).to_contain_text("This service needs a key")
    expect(page.locator("#status")).to_have_text("Enter the service's key above to compute.")
    page.get_by_label("Key").fill("a wrong key")
    page.get_by_role("button", name="Use this key").click()
    expect(page.locator("#access")).to_contain_text("The service refused that key")
    page.get_by_label("Key").fill(API_KEY)
    page.get_by_role("button", name="Use this key").click()
    up_to_date(page)
    expect(page.locator("#access")).to_contain_text("You are using a key")
    answer = httpx.post(site.base_url + "/v1/gradients", json=example("seed_case_5"), headers={"X-API-Key": API_KEY})
    assert_close(shown_matrix(page, "#dW-2"), answer.json()["layers"][1]["weights_gradient"])
    # The share link never holds the key.
    page.get_by_role("button", name="Copy link").click()
    assert API_KEY not in page.locator("#share-url").input_value()
    page.close()


def test_the_class_report_asks_for_the_instructors_key_and_opens_each_student_with_it(sites: Sites) -> None:
    site = sites.classroom
    assignment = json.loads((EXAMPLES / "assignment_template.json").read_text(encoding="utf-8"))
    keyed = instructor_api(site, "/v1/assignments", {**assignment, "include": ["key"]})["problems"]
    submissions = [{"student": entry["student"], "answer": entry["key"]} for entry in keyed]
    wrong = submissions[-1]["answer"]["layers"][1]
    wrong["delta"] = [[-value for value in row] for row in wrong["delta"]]
    page = new_page(site, "/playground/report.html")
    page.locator("#pasted").fill(json.dumps({"assignment": assignment, "submissions": submissions}))
    page.get_by_role("button", name="Load", exact=True).click()
    expect(page.locator("#report-status")).to_have_attribute("data-state", "problem")
    expect(page.locator("#report-status")).to_contain_text("classroom mode")
    page.get_by_label("Key").fill(INSTRUCTOR)
    page.get_by_role("button", name="Use this key").click()
    expect(page.locator("#report-status")).to_contain_text(f"{len(keyed)} students: {len(keyed)} graded")
    with page.expect_popup() as popup:
        page.get_by_role("link", name=keyed[-1]["student"]).first.click()
    opened = popup.value
    opened.set_default_timeout(TIMEOUT_MS)
    expect(opened.locator("#status")).to_have_text(re.compile("^Up to date"))  # the tab has the key: every number
    expect(opened.locator("#delta-2 .mark .badge")).to_have_text("sign flipped")
    assert_close(shown_matrix(opened, "#z-1"), keyed[-1]["key"]["layers"][0]["pre_activation"])
    opened.close()
    page.close()


@pytest.mark.parametrize("seed", [2026, 2**63 - 1])  # beyond 2⁵³ too: the page passes the seed on as written
def test_a_sheets_link_opens_the_students_own_problem_without_a_key(sites: Sites, seed: int) -> None:
    site = sites.classroom
    assignment = json.loads((EXAMPLES / "assignment_template.json").read_text(encoding="utf-8"))
    template = {**assignment, "seed": seed, "students": ["ada", "bo b/ø"], "bias": True}
    problems = httpx.post(site.base_url + "/v1/assignments", json=template, timeout=10).json()["problems"]
    keyed = instructor_api(site, "/v1/assignments", {**template, "include": ["key"]})["problems"]
    for entry, with_key in zip(problems, keyed, strict=True):
        assert entry["playground"].startswith("/playground#assignment=")
        page = new_page(site, entry["playground"])
        blind(page)
        expect(page.locator("#link-problem")).to_be_empty()
        expect(page.get_by_label("Preset")).to_have_value("")  # not case 5: the student's own problem
        given = entry["problem"]
        for k, layer in enumerate(given["network"]["layers"]):
            for i, row in enumerate(layer["weights"]):
                for j, value in enumerate(row):
                    cell = page.locator(f'input[data-pointer="/network/layers/{k}/weights/{i}/{j}"]')
                    assert float(cell.input_value().replace("\u2212", "-")) == value
        first = with_key["key"]["layers"][0]["pre_activation"]
        page.locator("#matrices").get_by_label("Your z_1 (").fill("\n".join(" ".join(map(str, r)) for r in first))
        page.get_by_role("button", name="Check my answers").click()
        expect(page.locator("#z-1 .mark.correct .badge")).to_have_text("correct")
        page.close()


def test_a_link_the_service_refuses_says_so_and_shows_case_5(sites: Sites) -> None:
    page = new_page(sites.classroom, "/playground#assignment=1&student=ada&sizes=3&activations=sigmoid")
    blind(page)
    expect(page.locator("#link-problem")).to_contain_text("This link does not give a problem (the service refused it:")
    page.close()
