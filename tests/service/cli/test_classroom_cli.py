"""The README's "Teaching a class" against a service in classroom mode: ``gradserve assign`` and ``gradserve grade``
with the instructor's key as ``--api-key``; without it, the key of the assignment is refused, and said so."""

from __future__ import annotations

import csv
import io
import json
from pathlib import Path

import pytest
from servers import Serve

from service import cli

ROOT = Path(__file__).resolve().parents[3]
KEY = "the-instructor-s-secret"


def run(argv: list[str], capsys: pytest.CaptureFixture[str]) -> tuple[int, str, str]:
    status = cli.main(argv)
    captured = capsys.readouterr()
    return status, captured.out, captured.err


def test_an_instructor_assigns_and_grades_with_the_key(
    serve: Serve, tmp_path: Path, capsys: pytest.CaptureFixture[str]
) -> None:
    template, grade_class = ROOT / "examples" / "assignment_template.json", ROOT / "examples" / "grade_class.json"
    with serve(GRADSERVICE_INSTRUCTOR_KEY=KEY) as server:
        url = ["--url", server.base_url]
        status, _, err = run(["assign", str(template), "--out", str(tmp_path / "no-key"), *url], capsys)
        assert status != cli.EXIT_OK
        assert "classroom mode" in err
        assert "/include" in err
        status, out, err = run(["assign", str(template), "--out", str(tmp_path / "w3"), *url, "--api-key", KEY], capsys)
        assert status == cli.EXIT_OK, err
        key = json.loads((tmp_path / "w3" / "key.json").read_text(encoding="utf-8"))
        students = json.loads(template.read_text(encoding="utf-8"))["students"]
        assert [entry["student"] for entry in key["problems"]] == students
        sheet = (tmp_path / "w3" / f"{students[0]}.md").read_text(encoding="utf-8")
        assert f"<{server.base_url}/playground#assignment=" in sheet  # the student's link, on this service
        status, out, err = run(["grade", str(grade_class), *url, "--api-key", KEY], capsys)
        assert status == cli.EXIT_OK, err
    rows = list(csv.DictReader(io.StringIO(out)))
    submissions = json.loads(grade_class.read_text(encoding="utf-8"))["submissions"]
    assert [row["student"] for row in rows] == [s["student"] for s in submissions]
    assert "answer groups" in err
