"""The class report page (``/playground/report.html``): a grade answer and its request, loaded from files or pasted,
drawn as a score histogram, answer groups, the share correct per quantity, a sortable table and the refused
submissions; each group opens a student's work in the playground's exercise mode, checked there.

The class is six students on the network of case 5, each with their own inputs (``report_grade_request.json``): ana
right everywhere, ben and dee with the sign of Δ_2 flipped and carried on (dee also one wrong entry of ∂L/∂W_2, no
L), cy without σ′ in Δ_2, eve with the forward pass only and L with its ½ dropped, fay refused (Δ_1 of the wrong
shape). It is graded by the service's own ``/v1/grade``, and each student's work checked by its own verify.
"""

from __future__ import annotations

import json
import math
from pathlib import Path
from typing import Any

import numpy as np
import pytest
from browsers import TIMEOUT_MS
from pages import ARTIFACTS, Site, assert_close, page_width_at, shown_matrix, up_to_date
from playwright.sync_api import Page, Request, expect

HERE = Path(__file__).resolve().parent
REQUEST_FILE = HERE / "report_grade_request.json"
REQUEST: dict[str, Any] = json.loads(REQUEST_FILE.read_text(encoding="utf-8"))


@pytest.fixture(scope="module")
def graded(site: Site, tmp_path_factory: pytest.TempPathFactory) -> tuple[dict[str, Any], Path]:
    """The service's grade answer to the class, and the file that holds it (as an instructor saves it)."""
    answer: dict[str, Any] = site.api("/v1/grade", REQUEST)
    path = tmp_path_factory.mktemp("report") / "grade_answer.json"
    path.write_text(json.dumps(answer), encoding="utf-8")
    return answer, path


SYMBOLS = ["z₁", "l₁", "z₂", "ŷ", "L", "Δ₂", "Δ₁", "∂L/∂W₁", "∂L/∂W₂"]


def open_report(site: Site) -> Page:
    page = site.browser.new_page(viewport={"width": 1100, "height": 1400})
    page.set_default_timeout(TIMEOUT_MS)
    page.route("**/*", site.guard)
    page.goto(site.base_url + "/playground/report.html")
    expect(page.locator("#report-status")).to_have_attribute("data-state", "empty")
    return page


def load_both(page: Page, answer_file: Path) -> None:
    page.locator("#files").set_input_files([str(REQUEST_FILE), str(answer_file)])
    expect(page.locator("#report-status")).to_have_attribute("data-state", "ok")


def scores(answer: dict[str, Any]) -> dict[str, float | None]:
    return {s["student"]: s["score"] for s in answer["students"]}


def test_the_report_draws_the_scores_the_groups_and_the_refused(
    site: Site, graded: tuple[dict[str, Any], Path]
) -> None:
    answer, answer_file = graded
    page = open_report(site)
    load_both(page, answer_file)
    expect(page.locator("#report-status")).to_have_text("6 students: 5 graded, 1 not graded.")
    bins = [0] * 10  # counted here from the students' scores, not read from the summary
    for value in scores(answer).values():
        if value is not None:
            bins[min(9, math.floor(value * 10))] += 1
    assert bins == [0, 0, 0, 0, 0, 1, 0, 1, 1, 2]  # eve 4.5 of 9, dee 6.5, ben 8, cy 8.5, ana 9
    histogram = page.locator("#histogram svg")
    expect(histogram.locator("g.bin rect")).to_have_count(10)
    assert histogram.locator("g.bin").evaluate_all("gs => gs.map(g => Number(g.dataset.count))") == bins
    assert histogram.locator("g.bin text.count").all_text_contents() == [str(n) for n in bins]

    groups: dict[tuple[str, str], list[str]] = {}  # the same mistake on the same quantity, from each graded entry
    for student in answer["students"]:
        for g in student["graded"] or []:
            if g["verdict"] not in ("correct", "unanswered"):
                groups.setdefault((g["pointer"], g["verdict"]), []).append(student["student"])
    chart = page.locator("#groups-chart svg")
    expect(chart.locator("g.group-bar")).to_have_count(len(groups))
    counts = chart.locator("g.group-bar").evaluate_all("gs => gs.map(g => Number(g.dataset.count))")
    assert counts == sorted(counts, reverse=True) == sorted((len(s) for s in groups.values()), reverse=True)
    assert chart.locator("text.name").all_text_contents()[0] == "Δ₂ · sign flipped"
    first = page.locator("#groups-list li").first
    expect(first).to_contain_text("Δ₂ · sign flipped — 2 students: ben, dee")
    expect(page.locator("#groups-list")).to_contain_text("Δ₂ · missing σ′ — 1 student: cy")
    expect(page.locator("#groups-list")).to_contain_text("∂L/∂W₂ · one wrong entry — 1 student: dee")
    expect(page.locator("#groups-list")).to_contain_text("L · scaled — 1 student: eve")

    rows = page.locator("#quantities-table tbody tr")
    assert rows.locator("th").all_text_contents() == SYMBOLS
    shares = {"L": "60%", "Δ₂": "20%", "Δ₁": "80%", "∂L/∂W₂": "60%"}  # ana, ben, cy right; ana; carried forward counts
    for symbol, share in shares.items():
        expect(rows.nth(SYMBOLS.index(symbol)).locator("td.share")).to_have_text(share)

    expect(page.locator('#students-table tr[data-student="ben"] td.mistakes')).to_have_text(
        "Δ₂: sign flipped (3 carried forward)"
    )
    expect(page.locator('#students-table tr[data-student="eve"] td.score')).to_have_text("50.0%")
    refused = page.locator("#errors-list > li")
    expect(refused).to_have_count(1)
    expect(refused).to_contain_text("fay")
    expect(refused.locator("li")).to_have_text(
        "Δ₁ (answer/layers/0/delta): Δ_1 is 1 × 1 but must be 1 × 2 (m × n_1: one row per example)"
    )
    ARTIFACTS.mkdir(exist_ok=True)
    page.screenshot(path=str(ARTIFACTS / "report.png"), full_page=True)  # docs/page-report.png is a copy of it
    width = page_width_at(page, 390)
    assert width <= 390, f"the report is {width} px wide at phone width"
    page.close()


def test_the_table_of_students_sorts_by_score_name_and_mistakes(
    site: Site, graded: tuple[dict[str, Any], Path]
) -> None:
    answer, answer_file = graded
    page = open_report(site)
    load_both(page, answer_file)
    names = page.locator("#students-table tbody th")
    score = page.locator("#students-table thead th").nth(1)
    marks = {k: v for k, v in scores(answer).items() if v is not None}
    by_score = sorted(marks, key=lambda s: marks[s])
    page.get_by_role("button", name="Score").click()
    expect(names).to_have_text([*reversed(by_score), "fay"])  # highest first; the refused last
    expect(score).to_have_attribute("aria-sort", "descending")
    page.get_by_role("button", name="Score").click()
    expect(names).to_have_text([*by_score, "fay"])
    expect(score).to_have_attribute("aria-sort", "ascending")
    page.get_by_role("button", name="Student").click()
    expect(names).to_have_text(sorted(scores(answer)))
    page.get_by_role("button", name="Mistakes").click()
    mistakes = page.locator("#students-table tbody tr").evaluate_all(
        "rows => rows.map(r => r.querySelector('td.mistakes').textContent)"
    )
    assert mistakes[0].startswith("Δ₂: sign flipped; ∂L/∂W₂: one wrong entry")  # dee: two, the most
    assert mistakes[-1] == "not graded (below)"
    page.close()


def test_a_group_opens_a_students_work_in_the_playground_checked(
    site: Site, graded: tuple[dict[str, Any], Path]
) -> None:
    report = open_report(site)
    load_both(report, graded[1])
    link = report.locator("#groups-list li").first.get_by_role("link", name="open ben's work in the playground")
    href = link.get_attribute("href")
    assert href is not None
    assert href.startswith("/playground#s=")
    assert href.endswith("&exercise=1&check=1")
    report.close()
    [work] = [s for s in REQUEST["submissions"] if s["student"] == "ben"]
    sent: list[dict[str, Any]] = []

    def note(request: Request) -> None:
        if request.url.endswith("/v1/gradients/verify") and "claimed" in (request.post_data or ""):
            sent.append(json.loads(request.post_data or "{}"))

    page = site.browser.new_page(viewport={"width": 1280, "height": 1600})
    page.set_default_timeout(TIMEOUT_MS)
    page.route("**/*", site.guard)
    page.on("request", note)
    page.goto(site.base_url + href)
    up_to_date(page)
    expect(page.get_by_label("Exercise mode")).to_be_checked()
    expect(page.locator("#exercise-result")).to_contain_text("checked quantities are correct")
    [request] = sent
    assert request["network"] == work["problem"]["network"]
    assert request["inputs"] == [work["problem"]["inputs"]]
    answer = work["answer"]
    assert request["claimed"]["loss"] == answer["loss"]
    assert request["claimed"]["output"] == answer["output"]
    for mine, theirs in zip(request["claimed"]["layers"], answer["layers"], strict=True):
        for name in ("pre_activation", "delta", "weights_gradient"):
            assert mine[name] == theirs[name]
    # Δ_2 is wrong: still hidden, ben's value in its box, the entry outlined.
    delta_2 = page.locator("#delta-2")
    expect(delta_2.locator("textarea")).to_have_value(str(answer["layers"][1]["delta"][0][0]))
    expect(delta_2.locator(".mark.wrong .badge")).to_have_text("sign flipped")
    expect(delta_2.locator("td.wrong")).to_have_count(1)
    # Δ_1, ∂L/∂W_1, ∂L/∂W_2 follow from his Δ_2: marked carried forward, his values kept in the boxes.
    for quantity in ("delta-1", "dW-1", "dW-2"):
        expect(page.locator(f"#{quantity} .mark.carried .badge")).to_have_text("right given your earlier values")
    dW_1 = "\n".join(" ".join(str(x) for x in row) for row in answer["layers"][0]["weights_gradient"])
    expect(page.locator("#answer-dW-1")).to_have_value(dW_1)
    # z_1 is right: revealed, and it is X · W_1.
    X = np.array([work["problem"]["inputs"]])
    W_1 = np.array(work["problem"]["network"]["layers"][0]["weights"])
    assert_close(shown_matrix(page, "#z-1"), (X @ W_1).tolist())
    ARTIFACTS.mkdir(exist_ok=True)
    page.screenshot(path=str(ARTIFACTS / "report-opened.png"), full_page=True)
    page.close()


def test_an_answer_alone_a_request_after_it_and_a_request_alone_graded_by_the_service(
    site: Site, graded: tuple[dict[str, Any], Path]
) -> None:
    answer = graded[0]
    page = open_report(site)
    posted: list[dict[str, Any]] = []

    def note(request: Request) -> None:
        if request.url.endswith("/v1/grade"):
            posted.append(json.loads(request.post_data or "{}"))

    page.on("request", note)
    page.locator("#pasted").fill(json.dumps(answer))
    page.get_by_role("button", name="Load", exact=True).click()
    expect(page.locator("#report-status")).to_have_attribute("data-state", "ok")
    expect(page.locator("#groups-list a")).to_have_count(0)  # no request: no student's work to open
    expect(page.locator("#groups-list")).to_contain_text("load the grade request too")
    page.locator("#pasted").fill(json.dumps(REQUEST))
    page.get_by_role("button", name="Load", exact=True).click()
    expect(page.locator("#students-table a")).to_have_count(6)  # fay's too: the playground shows her problem
    assert posted == []  # the request belongs to the answer loaded: nothing to grade
    page.close()

    page = open_report(site)
    page.on("request", note)
    page.locator("#files").set_input_files([str(REQUEST_FILE)])
    expect(page.locator("#report-status")).to_have_text("6 students: 5 graded, 1 not graded.")
    assert posted == [REQUEST]
    page.locator("#pasted").fill("{not json")
    page.get_by_role("button", name="Load", exact=True).click()
    expect(page.locator("#load-problem")).to_contain_text("not JSON")
    page.close()


def test_every_quantity_and_mistake_is_named_in_the_seeds_notation(site: Site) -> None:
    page = open_report(site)
    names = page.evaluate(
        """async () => {
            const data = await import('/playground/classdata.js');
            const pointers = ['/loss', '/output', '/layers/0/pre_activation', '/layers/1/activation', '/layers/1/delta',
                '/layers/0/weights_gradient', '/layers/2/bias_gradient', '/layers/11/delta'];
            const verdicts = ['sign_flipped', 'transposed', 'missing_activation_derivative', 'scaled', 'incorrect',
                'unanswered', 'correct'];
            return {
                symbols: pointers.map(data.symbolOf),
                words: verdicts.map((verdict) => data.mistakeWords({ verdict, mistakes: [] })),
                combined: data.mistakeWords({ verdict: 'sign_flipped',
                    mistakes: ['sign_flipped', 'missing_activation_derivative'] }),
            };
        }"""
    )
    assert names["symbols"] == ["L", "ŷ", "z₁", "l₂", "Δ₂", "∂L/∂W₁", "∂L/∂b₃", "Δ₁₂"]
    assert names["words"] == [
        "sign flipped",
        "transposed",
        "missing σ′",
        "scaled",
        "incorrect",
        "unanswered",
        "correct",
    ]
    assert names["combined"] == "sign flipped and missing σ′"
    page.close()


def test_a_link_holds_the_problem_as_the_service_reads_it_biases_and_batches_too(site: Site) -> None:
    """Flat inputs are one example; flat targets of a one-output network are one per example (docs/requests.md)."""
    problem = {
        "network": {
            "layers": [
                {"weights": [[0.1, -0.2], [0.4, 0.3]], "bias": [0.1, -0.1], "activation": "tanh"},
                {"weights": [[0.7], [-0.3]], "bias": [0.2]},
            ]
        },
        "inputs": [[1.0, 0.5], [-1.0, 2.0]],
        "targets": [1.0, 0.0],
        "loss": "mean_squared_error",
    }
    answer = {"loss": 0.25, "layers": [{"bias_gradient": [0.01, -0.02]}, {"delta": [[0.1], [-0.2]]}]}
    page = open_report(site)
    state = page.evaluate(
        """async ([problem, answer]) => {
            const data = await import('/playground/classdata.js');
            const state = await import('/playground/state.js');
            const link = await data.playgroundLink({ student: 'x', problem, answer });
            return state.decodeState(state.hashParams(link.slice(link.indexOf('#'))).s);
        }""",
        [problem, answer],
    )
    assert state["X"] == problem["inputs"]
    assert state["Y"] == [[1.0], [0.0]]
    assert [layer["W"] for layer in state["layers"]] == [layer["weights"] for layer in problem["network"]["layers"]]
    assert [layer["b"] for layer in state["layers"]] == [[0.1, -0.1], [0.2]]
    assert [layer["activation"] for layer in state["layers"]] == ["tanh", "sigmoid"]  # sigmoid: the default
    assert state["loss"] == "mean_squared_error"
    assert state["answers"] == {"L": "0.25", "db-1": "0.01 -0.02", "delta-2": "0.1\n-0.2"}
    page.close()


def test_a_class_given_by_its_assignment_is_graded_and_opened_by_the_service_itself(site: Site) -> None:
    """No stand-in: the page posts the grade request to /v1/grade and the assignment to /v1/assignments, and a
    student's link opens the problem the assignment gave them, with their values."""
    examples = HERE.parents[2] / "examples"
    assignment = json.loads((examples / "assignment_template.json").read_text(encoding="utf-8"))
    keyed = site.api("/v1/assignments", {**assignment, "include": ["key"]})["problems"]
    submissions = [{"student": entry["student"], "answer": entry["key"]} for entry in keyed]
    wrong = submissions[-1]["answer"]["layers"][1]
    wrong["delta"] = [[-value for value in row] for row in wrong["delta"]]
    page = open_report(site)
    page.locator("#pasted").fill(json.dumps({"assignment": assignment, "submissions": submissions}))
    page.get_by_role("button", name="Load", exact=True).click()
    expect(page.locator("#report-status")).to_have_attribute("data-state", "ok")
    expect(page.locator("#report-status")).to_contain_text(f"{len(keyed)} students: {len(keyed)} graded")
    last = keyed[-1]["student"]
    link = page.get_by_role("link", name=last).first
    href = link.get_attribute("href") or ""
    assert href.startswith("/playground#s=")
    opened = site.browser.new_page()
    opened.route("**/*", site.guard)
    opened.goto(site.base_url + href)
    up_to_date(opened)
    expect(opened.locator("#delta-2 .mark .badge")).to_have_text("sign flipped")
    assert_close(shown_matrix(opened, "#z-1"), keyed[-1]["key"]["layers"][0]["pre_activation"])
    opened.close()
    page.close()
