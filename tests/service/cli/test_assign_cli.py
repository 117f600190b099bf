"""``gradserve assign``: a folder of problems and sheets plus the key, in-process or through --url."""

from __future__ import annotations

import asyncio
import json
from pathlib import Path
from typing import Any

import httpx
import numpy as np
import pytest

from service import cli
from service.app import create_app
from service.cli.assign import file_names, pretty

ROOT = Path(__file__).resolve().parents[3]
TEMPLATE = ROOT / "examples" / "assignment_template.json"


def run(argv: list[str], capsys: pytest.CaptureFixture[str]) -> tuple[int, str, str]:
    status = cli.main(argv)
    captured = capsys.readouterr()
    return status, captured.out, captured.err


def gradients(problem: dict[str, Any]) -> dict[str, Any]:
    """The /v1/gradients answer to a problem, from the app in-process."""

    async def post() -> dict[str, Any]:
        async with httpx.AsyncClient(transport=httpx.ASGITransport(app=create_app()), base_url="http://test") as client:
            response = await client.post("/v1/gradients", json=problem)
        assert response.status_code == 200, response.text
        answer: dict[str, Any] = response.json()
        return answer

    return asyncio.run(post())


def test_assign_writes_a_problem_and_a_sheet_per_student_and_the_key(
    tmp_path: Path, capsys: pytest.CaptureFixture[str]
) -> None:
    out = tmp_path / "week-3"
    status, printed, _ = run(["assign", str(TEMPLATE), "--out", str(out)], capsys)
    assert status == cli.EXIT_OK
    template = json.loads(TEMPLATE.read_text(encoding="utf-8"))
    names = sorted(path.name for path in out.iterdir())
    expected = sorted([*(f"{s}.json" for s in template["students"]), *(f"{s}.md" for s in template["students"])])
    assert names == sorted([*expected, "key.json", "sheets.md"])
    key = json.loads((out / "key.json").read_text(encoding="utf-8"))
    assert key["assignment"] == template
    for entry in key["problems"]:
        problem = json.loads((out / entry["files"]["problem"]).read_text(encoding="utf-8"))
        assert problem == entry["problem"]
        answer = gradients(problem)  # the problem is a valid /v1/gradients request, and the key is its answer
        np.testing.assert_allclose(entry["key"]["loss"], answer["loss"], rtol=1e-12)
        for got, want in zip(entry["key"]["layers"], answer["layers"], strict=True):
            np.testing.assert_allclose(got["weights_gradient"], want["weights_gradient"], rtol=1e-12)
        sheet = (out / entry["files"]["sheet"]).read_text(encoding="utf-8")
        assert sheet.startswith(f"# Backpropagation by hand: {entry['student']}\n")
        assert "page-break" not in sheet
        assert entry["student"] in printed
    assert (out / "sheets.md").read_text(encoding="utf-8").count("page-break-after") == 2


def test_students_from_a_file_and_ids_that_are_no_file_names(
    tmp_path: Path, capsys: pytest.CaptureFixture[str]
) -> None:
    roster = tmp_path / "roster.txt"
    roster.write_text("Zoé M.\n\n../etc\nkey\nada\n", encoding="utf-8")
    status, _, _ = run(["assign", str(TEMPLATE), "--out", str(tmp_path / "out"), "--students", str(roster)], capsys)
    assert status == cli.EXIT_OK
    key = json.loads((tmp_path / "out" / "key.json").read_text(encoding="utf-8"))
    assert [entry["student"] for entry in key["problems"]] == ["Zoé M.", "../etc", "key", "ada"]
    assert [entry["files"]["problem"] for entry in key["problems"]] == [
        "Zo__M.json",
        "_etc.json",
        "key-2.json",
        "ada.json",
    ]
    assert all(path.parent == tmp_path / "out" for path in (tmp_path / "out").rglob("*"))


def test_file_names_are_distinct_whatever_the_ids() -> None:
    assert file_names(["a/b", "a_b", "A_B", ".", "sheets"]) == ["a_b", "a_b-2", "A_B-3", "student", "sheets-2"]


def test_a_bad_template_exits_1_naming_the_field(tmp_path: Path, capsys: pytest.CaptureFixture[str]) -> None:
    bad = tmp_path / "bad.json"
    bad.write_text(json.dumps({**json.loads(TEMPLATE.read_text()), "students": ["ada", "ada"]}), encoding="utf-8")
    status, _, err = run(["assign", str(bad), "--out", str(tmp_path / "out")], capsys)
    assert status == cli.EXIT_PROBLEM
    assert "/students/1" in err
    assert not (tmp_path / "out").exists()


def test_an_unreadable_template_exits_2(tmp_path: Path, capsys: pytest.CaptureFixture[str]) -> None:
    status, _, err = run(["assign", str(tmp_path / "missing.json"), "--out", str(tmp_path / "out")], capsys)
    assert status == cli.EXIT_USAGE
    assert "cannot read" in err


def test_through_a_server_the_folder_is_the_same(
    gradserve_url: str, tmp_path: Path, capsys: pytest.CaptureFixture[str]
) -> None:
    assert run(["assign", str(TEMPLATE), "--out", str(tmp_path / "here")], capsys)[0] == cli.EXIT_OK
    status, _, _ = run(["assign", str(TEMPLATE), "--out", str(tmp_path / "there"), "--url", gradserve_url], capsys)
    assert status == cli.EXIT_OK
    for path in (tmp_path / "here").iterdir():
        there = tmp_path / "there" / path.name
        if path.name != "key.json":  # the problems and the sheets: exact decimals, text alike, each sheet's
            # playground link on the service that made it (computed here: where `python -m service` listens)
            here_text = path.read_text(encoding="utf-8").replace("http://127.0.0.1:8000/", gradserve_url + "/")
            assert there.read_text(encoding="utf-8") == here_text
    here_key = json.loads((tmp_path / "here" / "key.json").read_text(encoding="utf-8"))
    there_key = json.loads((tmp_path / "there" / "key.json").read_text(encoding="utf-8"))
    assert [e["problem"] for e in here_key["problems"]] == [e["problem"] for e in there_key["problems"]]
    for a, b in zip(here_key["problems"], there_key["problems"], strict=True):
        np.testing.assert_allclose(a["key"]["loss"], b["key"]["loss"], rtol=1e-12)


def test_the_files_are_json_with_each_matrix_on_one_line() -> None:
    value = {"a": [[0.1, -2.0], [3, 4e-5]], "b": [], "c": {}, "d": ["Zoé", {"e": True, "f": None}], "g": [1.5]}
    text = pretty(value)
    assert json.loads(text) == value
    assert '"a": [[0.1, -2.0], [3, 4e-05]]' in text
