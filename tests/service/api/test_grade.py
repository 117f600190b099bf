"""POST /v1/grade: a simulated class with every mistake at every layer, graded as specified; the CSV read back.

Each student's problem is a random 3-layer sigmoid network (its own numbers), and each answer is built here
in numpy from the seed's formulas: the true values, a mistake injected, the values that follow from it.
"""

from __future__ import annotations

import csv
import io
import json
from typing import Any

import httpx
import numpy as np
import pytest

from service.api.schemas.grade import GradeResponse
from service.app import create_app
from service.domain.settings import Settings

pytestmark = pytest.mark.anyio
PROBLEM_JSON = "application/problem+json"


def sig(u: np.ndarray) -> np.ndarray:
    return 1.0 / (1.0 + np.exp(-u))


def written(x: Any, d: int = 4) -> Any:
    """x to d significant digits, as nested lists (or a number)."""
    rounded = np.vectorize(lambda v: float(f"{v:.{d - 1}e}"))(np.asarray(x, dtype=float))
    return rounded.tolist()


class Problem:
    """A student's problem, 3 → 4 → 3 → 2 sigmoid, m = 3, and its true values in numpy."""

    def __init__(self, seed: int) -> None:
        rng = np.random.default_rng(seed)
        self.Ws = [np.round(rng.normal(size=s), 2) for s in ((3, 4), (4, 3), (3, 2))]
        self.X, self.Y = np.round(rng.normal(size=(3, 3)), 2), np.round(rng.uniform(size=(3, 2)), 2)
        self.z, self.l = [], [self.X]
        for W in self.Ws:
            self.z.append(self.l[-1] @ W)
            self.l.append(sig(self.z[-1]))
        self.loss = 0.5 * float(np.sum((self.Y - self.l[3]) ** 2))
        self.delta = {3: (self.l[3] - self.Y) * self.l[3] * (1 - self.l[3])}
        for k in (2, 1):
            self.delta[k] = self.down(self.delta[k + 1], k)
        self.dW = {k: self.l[k - 1].T @ self.delta[k] for k in (1, 2, 3)}

    def down(self, delta: np.ndarray, k: int, derivative: bool = True) -> np.ndarray:
        product = delta @ self.Ws[k].T
        return product * self.l[k] * (1 - self.l[k]) if derivative else product

    def request(self) -> dict[str, Any]:
        return {
            "network": {"layers": [{"weights": W.tolist()} for W in self.Ws]},
            "inputs": self.X.tolist(),
            "targets": self.Y.tolist(),
        }

    def answer(self, d: int = 4, **changes: np.ndarray) -> dict[str, Any]:
        """Every quantity to d digits; ``changes`` (``delta_2=...``, ``dW_1=...``) replace the true ones."""
        values: dict[str, Any] = {}
        for k in (1, 2, 3):
            values |= {f"z_{k}": self.z[k - 1], f"l_{k}": self.l[k], f"delta_{k}": self.delta[k], f"dW_{k}": self.dW[k]}
        values |= changes
        fields = {"z": "pre_activation", "l": "activation", "delta": "delta", "dW": "weights_gradient"}
        layers: list[dict[str, Any]] = [{}, {}, {}]
        for key, value in values.items():
            name, k = key.rsplit("_", 1)
            layers[int(k) - 1][fields[name]] = written(value, d)
        return {"loss": written(self.loss, d), "output": written(self.l[3], d), "layers": layers}


def mistake(problem: Problem, kind: str, k: int) -> tuple[dict[str, Any], str, str, list[str]]:
    """A full answer with ``kind`` injected at layer k: the answer, the pointer, the verdict and the mistakes."""
    dW = problem.dW[k]
    if kind == "sign":
        return problem.answer(**{f"dW_{k}": -dW}), f"/layers/{k - 1}/weights_gradient", "sign_flipped", ["sign_flipped"]
    if kind == "transpose":
        return problem.answer(**{f"dW_{k}": dW.T}), f"/layers/{k - 1}/weights_gradient", "transposed", ["transposed"]
    if kind == "scale":
        return problem.answer(**{f"dW_{k}": dW / 3}), f"/layers/{k - 1}/weights_gradient", "scaled", ["scaled"]
    if kind == "entry":
        C = dW.copy()
        C[0, 0] += 1.0 + np.max(np.abs(dW))
        return problem.answer(**{f"dW_{k}": C}), f"/layers/{k - 1}/weights_gradient", "incorrect", ["one_wrong_entry"]
    # σ′ left out of Δ_k only (Δ_{k−1} and ∂L/∂W_k then follow from it)
    wrong = problem.l[3] - problem.Y if k == 3 else problem.down(problem.delta[k + 1], k, derivative=False)
    changes = {f"delta_{k}": wrong, f"dW_{k}": problem.l[k - 1].T @ wrong}
    if k > 1:
        changes[f"delta_{k - 1}"] = problem.down(wrong, k - 1)
        changes[f"dW_{k - 1}"] = problem.l[k - 2].T @ changes[f"delta_{k - 1}"]
    return (
        problem.answer(**changes),
        f"/layers/{k - 1}/delta",
        "missing_activation_derivative",
        ["missing_activation_derivative"],
    )


KINDS = ["sign", "transpose", "scale", "entry", "missing"]
CASES = [(kind, k) for kind in KINDS for k in (1, 2, 3)]


async def grade(client: httpx.AsyncClient, body: dict[str, Any], accept: str = "application/json") -> httpx.Response:
    return await client.post("/v1/grade", json=body, headers={"Accept": accept})


@pytest.fixture
def simulated_class() -> tuple[dict[str, Any], dict[str, Any]]:
    """Every mistake at every layer, rounding to 2–4 digits, errors carried forward; and what each should get."""
    submissions, expected = [], {}
    for index, (kind, k) in enumerate(CASES):
        problem = Problem(index)
        answer, where, verdict, mistakes = mistake(problem, kind, k)
        student = f"{kind}-{k}"
        submissions.append({"student": student, "problem": problem.request(), "answer": answer})
        expected[student] = (where, verdict, mistakes)
    for d in (2, 3, 4):
        problem = Problem(100 + d)
        submissions.append({"student": f"rounded-{d}", "problem": problem.request(), "answer": problem.answer(d)})
    return {"submissions": submissions}, expected


async def test_a_simulated_class_is_graded_as_specified(
    client: httpx.AsyncClient, simulated_class: tuple[dict[str, Any], dict[str, Any]]
) -> None:
    body, expected = simulated_class
    response = await grade(client, body)
    assert response.status_code == 200, response.text
    data = response.json()
    GradeResponse.model_validate(data)
    assert [s["student"] for s in data["students"]] == [s["student"] for s in body["submissions"]]
    credit = {
        "sign_flipped": 0.0,
        "transposed": 0.5,
        "scaled": 0.5,
        "incorrect": 0.5,
        "missing_activation_derivative": 0.5,
    }
    for student in data["students"]:
        graded = {g["pointer"]: g for g in student["graded"]}
        assert len(graded) == 13  # z, Δ, ∂L/∂W for 3 layers, l_1, l_2, ŷ = l_3, L
        if student["student"].startswith("rounded"):
            assert {g["verdict"] for g in graded.values()} == {"correct"}
            assert student["score"] == 1.0
            continue
        where, verdict, mistakes = expected[student["student"]]
        assert (graded[where]["verdict"], graded[where]["mistakes"]) == (verdict, mistakes), student["student"]
        assert graded[where]["credit"] == credit[verdict]
        others = [g for p, g in graded.items() if p != where]
        assert all(g["verdict"] == "correct" for g in others), student["student"]
        carried = {g["pointer"] for g in others if g["carried_forward"]}
        kind, k = student["student"].split("-")
        if kind == "missing":  # ∂L/∂W_k, Δ_{k−1} and ∂L/∂W_{k−1} follow from the wrong Δ_k
            k_ = int(k)
            assert carried == {f"/layers/{k_ - 1}/weights_gradient"} | (
                {f"/layers/{k_ - 2}/delta", f"/layers/{k_ - 2}/weights_gradient"} if k_ > 1 else set()
            )
        else:
            assert carried == set()
        assert student["score"] == pytest.approx((12 + credit[verdict]) / 13)
        if verdict in ("incorrect", "sign_flipped"):
            assert graded[where]["wrong_entries"]


async def test_the_summary_and_the_answer_groups(
    client: httpx.AsyncClient, simulated_class: tuple[dict[str, Any], dict[str, Any]]
) -> None:
    body, _ = simulated_class
    body["submissions"] += [
        {**s, "student": s["student"] + "-again"} for s in body["submissions"] if s["student"].startswith("sign")
    ]
    data = (await grade(client, body)).json()
    summary = data["summary"]
    assert summary["students"] == summary["graded"] == len(body["submissions"])
    assert sum(b["count"] for b in summary["scores"]["histogram"]) == summary["graded"]
    groups = summary["groups"]
    assert [g["count"] for g in groups] == sorted((g["count"] for g in groups), reverse=True)
    assert groups[0]["count"] == 2
    assert groups[0]["mistakes"] == ["sign_flipped"]
    assert set(groups[0]["students"]) == {"sign-1", "sign-1-again"} or groups[0]["students"][0].startswith("sign")
    by_pointer = {q["pointer"]: q for q in summary["quantities"]}
    assert by_pointer["/loss"]["share_correct"] == 1.0
    assert 0 < by_pointer["/layers/0/weights_gradient"]["share_correct"] < 1


async def test_the_csv_report_reads_back_with_the_csv_module(
    client: httpx.AsyncClient, simulated_class: tuple[dict[str, Any], dict[str, Any]]
) -> None:
    body, expected = simulated_class
    data = (await grade(client, body)).json()
    response = await grade(client, body, accept="text/csv")
    assert response.status_code == 200
    assert response.headers["content-type"].startswith("text/csv")
    rows = list(csv.DictReader(io.StringIO(response.text)))
    assert [row["student"] for row in rows] == [s["student"] for s in data["students"]]
    header = list(rows[0])
    assert header[:2] == ["student", "score"]
    assert header[-1] == "comment"
    assert len(header) == 2 + 13 + 1
    for row, student in zip(rows, data["students"], strict=True):
        assert float(row["score"]) == pytest.approx(student["score"], abs=1e-4)
        credits = [float(row[symbol]) for symbol in header[2:-1]]
        assert credits == pytest.approx([g["credit"] for g in student["graded"]], abs=1e-3)
        if student["student"] in expected:
            assert expected[student["student"]][2][0] in row["comment"]


async def test_bad_submissions_get_their_own_error_and_the_rest_is_graded(client: httpx.AsyncClient) -> None:
    problem = Problem(7)
    good = {"student": "good", "problem": problem.request(), "answer": problem.answer()}
    shapes = {"student": "shapes", "problem": problem.request(), "answer": {"layers": [{"delta": [[1.0, 2.0]]}]}}
    text = {"student": "text", "problem": problem.request(), "answer": {"loss": "0.5"}}
    unknown = {"student": "unknown", "problem": problem.request(), "answer": {}, "grade": 1}
    twice = {"student": "twice", "problem": problem.request(), "answer": {}}
    body = {"submissions": [good, shapes, text, unknown, twice, twice, 3, {"student": "none", "answer": {}}]}
    response = await grade(client, body)
    assert response.status_code == 200, response.text
    students = response.json()["students"]
    assert students[0]["score"] == 1.0
    assert students[0]["error"] is None
    for student in students[1:]:
        assert student["score"] is None
        assert student["graded"] is None
        assert student["error"]["status"] == 422
    errors = {s["student"]: s["error"] for s in students[1:]}
    assert errors["shapes"]["errors"][0]["pointer"] == "/submissions/1/answer/layers/0/delta"
    assert "Δ_1 is 1 × 2 but must be 3 × 4" in errors["shapes"]["errors"][0]["message"]
    assert errors["text"]["errors"][0]["pointer"] == "/submissions/2/answer/loss"
    assert errors["unknown"]["errors"][0]["pointer"] == "/submissions/3/grade"
    assert errors["twice"]["type"] == "/problems/duplicate-student"
    assert students[6]["student"] is None
    assert errors["none"]["errors"][0]["pointer"] == "/submissions/7/problem"


async def test_a_student_listed_twice_is_not_graded_even_when_the_other_submission_is_invalid(
    client: httpx.AsyncClient,
) -> None:
    """Two submissions of ``twice``, one with a wrong shape: neither is graded (which one would count?)."""
    problem = Problem(8)
    right = {"student": "twice", "problem": problem.request(), "answer": problem.answer()}
    shapes = {**right, "answer": {"layers": [{"delta": [[1.0]]}]}}
    other = {**right, "student": "other"}
    students = (await grade(client, {"submissions": [right, shapes, other]})).json()["students"]
    assert [s["score"] for s in students] == [None, None, 1.0]
    assert students[0]["error"]["type"] == "/problems/duplicate-student"
    assert students[1]["error"]["errors"][0]["pointer"] == "/submissions/1/answer/layers/0/delta"


@pytest.mark.parametrize("number", ["NaN", "Infinity", "-Infinity", "1e400"])
async def test_a_number_beyond_float64_is_its_submission_s_own_error(client: httpx.AsyncClient, number: str) -> None:
    """Python's ``json`` writes NaN and ±Infinity (and reads 1e400 as inf): the one submission holding such a
    number gets its own 422, the others are graded, and the answer is strict JSON."""
    problem = Problem(9)
    good = {"student": "good", "problem": problem.request(), "answer": problem.answer()}
    bad = {"student": "bad", "problem": problem.request(), "answer": {"loss": 0.123456789}}
    text = json.dumps({"submissions": [bad, good]}).replace("0.123456789", number)
    response = await client.post("/v1/grade", content=text, headers={"Content-Type": "application/json"})
    assert response.status_code == 200, response.text
    students = json.loads(response.text, parse_constant=lambda name: pytest.fail(f"{name} in the answer"))["students"]
    assert students[0]["error"]["errors"][0]["pointer"] == "/submissions/0/answer/loss"
    assert students[1]["score"] == 1.0


async def test_weights_as_large_as_float64_allows_give_the_same_scores(client: httpx.AsyncClient) -> None:
    """Σ w · credit / Σ w does not change when every weight is multiplied by one factor, even one that makes
    Σ w overflow; the class with the missing σ′ in Δ_2 scores alike with weights 1 and 1e308."""
    problem = Problem(3)
    answer, _, _, _ = mistake(problem, "missing", 2)
    body = {"submissions": [{"student": "s", "problem": problem.request(), "answer": answer}]}
    kinds = ("pre_activation", "activation", "output", "loss", "delta", "weights_gradient")
    ones = (await grade(client, body)).json()["students"][0]["score"]
    huge = await grade(client, {**body, "weights": dict.fromkeys(kinds, 1e308)})
    assert huge.status_code == 200, huge.text
    assert huge.json()["students"][0]["score"] == pytest.approx(ones, rel=1e-12)
    assert 0 < ones < 1


async def test_request_wide_problems_refuse_the_request() -> None:
    app = create_app(Settings(max_submissions=2))
    problem = Problem(1)
    one = {"student": "a", "problem": problem.request(), "answer": {}}
    async with httpx.AsyncClient(transport=httpx.ASGITransport(app=app), base_url="http://testserver") as client:
        response = await grade(client, {"submissions": [one, {**one, "student": "b"}, {**one, "student": "c"}]})
        assert response.status_code == 413
        assert response.headers["content-type"] == PROBLEM_JSON
        assert response.json()["limit"] == {
            "name": "max_submissions",
            "setting": "GRADSERVICE_MAX_SUBMISSIONS",
            "value": 2,
        }
        response = await grade(client, {"submissions": [one], "comparison": {"mode": "sigfig", "digits": 0}})
        assert response.status_code == 422
        assert response.json()["errors"][0]["pointer"] == "/comparison/digits"
        response = await grade(client, {"submissions": [one], "weights": {"/layers/0/gradient": 1}})
        assert response.status_code == 422
        response = await grade(client, {"submissions": [one]}, accept="text/html")
        assert response.status_code == 406
    few = create_app(Settings(max_numbers=100))
    full = {"student": "a", "problem": problem.request(), "answer": problem.answer()}
    async with httpx.AsyncClient(transport=httpx.ASGITransport(app=few), base_url="http://testserver") as client:
        response = await grade(client, {"submissions": [full, {**full, "student": "b"}]})
        assert response.status_code == 413
        assert response.json()["limit"]["setting"] == "GRADSERVICE_MAX_NUMBERS"
        assert "the submissions hold" in response.json()["detail"]


async def test_options_credit_weights_comparison_and_carry_forward(client: httpx.AsyncClient) -> None:
    problem = Problem(3)
    answer, _, _, _ = mistake(problem, "missing", 2)
    base = {"submissions": [{"student": "s", "problem": problem.request(), "answer": answer}]}

    async def graded(**options: Any) -> dict[str, Any]:
        data = (await grade(client, {**base, **options})).json()
        return {g["pointer"]: g for g in data["students"][0]["graded"]} | {"score": data["students"][0]["score"]}

    default = await graded()
    assert default["/layers/0/delta"]["carried_forward"]
    off = await graded(carry_forward=False)
    assert off["/layers/0/delta"]["verdict"] != "correct"
    assert off["score"] < default["score"]
    half = await graded(carried_forward_credit=0.5, mistake_credit={"missing_activation_derivative": 0.0})
    assert half["/layers/0/delta"]["credit"] == 0.5
    assert half["/layers/1/delta"]["credit"] == 0.0
    only = await graded(
        weights={
            "pre_activation": 0,
            "activation": 0,
            "output": 0,
            "loss": 0,
            "delta": 0,
            "weights_gradient": 0,
            "/layers/1/delta": 1,
        }
    )
    assert only["score"] == 0.5
    strict = await graded(comparison={"mode": "sigfig", "digits": 6})
    assert strict["/layers/0/pre_activation"]["verdict"] != "correct"  # written to 4 digits only


async def test_a_class_of_300_with_full_answers_for_a_3_layer_network_fits_the_defaults(
    client: httpx.AsyncClient,
) -> None:
    problems = [Problem(seed) for seed in range(20)]
    submissions = [
        {"student": f"s{i:03d}", "problem": problems[i % 20].request(), "answer": problems[i % 20].answer()}
        for i in range(300)
    ]
    response = await grade(client, {"submissions": submissions})
    assert response.status_code == 200
    assert response.json()["summary"]["graded"] == 300
