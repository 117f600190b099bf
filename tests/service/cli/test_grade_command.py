"""``gradserve grade``: a class from a JSON or a CSV file → the gradebook CSV on stdout, a summary on stderr."""

from __future__ import annotations

import csv
import io
import json
from pathlib import Path

import pytest

from service import cli
from service.cli import EXIT_OK, EXIT_USAGE

ROOT = Path(__file__).resolve().parents[3]
CLASS = ROOT / "examples" / "grade_class.json"


def run(argv: list[str], capsys: pytest.CaptureFixture[str]) -> tuple[int, str, str]:
    status = cli.main(argv)
    captured = capsys.readouterr()
    return status, captured.out, captured.err


def test_a_json_class_gives_the_csv_and_a_summary(capsys: pytest.CaptureFixture[str]) -> None:
    status, out, err = run(["grade", str(CLASS)], capsys)
    assert status == EXIT_OK
    rows = list(csv.DictReader(io.StringIO(out)))
    assert [row["student"] for row in rows] == ["ana", "ben", "cy", "dan"]
    assert float(rows[0]["score"]) == 1.0
    assert rows[1]["Δ_2"] == "0"
    assert rows[1]["Δ_1"] == "1"
    assert rows[3]["score"] == ""
    assert "3 of 4 students graded" in err
    assert "1 × Δ_2: sign_flipped (ben)" in err


def test_a_csv_class_with_problem_and_answer_files(tmp_path: Path, capsys: pytest.CaptureFixture[str]) -> None:
    submissions = json.loads(CLASS.read_text(encoding="utf-8"))["submissions"][:2]
    (tmp_path / "problem.json").write_text(json.dumps(submissions[0]["problem"]), encoding="utf-8")
    table = io.StringIO()
    writer = csv.writer(table)
    writer.writerow(["student", "problem", "answer"])
    for item in submissions:
        (tmp_path / f"{item['student']}.json").write_text(json.dumps(item["answer"]), encoding="utf-8")
        writer.writerow([item["student"], "problem.json", f"{item['student']}.json"])
    writer.writerow(["eve", json.dumps(submissions[0]["problem"]), "{}"])
    (tmp_path / "class.csv").write_text(table.getvalue(), encoding="utf-8")
    status, out, err = run(["grade", str(tmp_path / "class.csv")], capsys)
    assert status == EXIT_OK, err
    rows = list(csv.DictReader(io.StringIO(out)))
    # ben: of the 9 quantities (z_1, l_1, z_2, ŷ = l_2, L, Δ_2, Δ_1, ∂L/∂W_1, ∂L/∂W_2), L right, Δ_2's sign slipped
    # (no credit), and Δ_1, ∂L/∂W_1, ∂L/∂W_2 right given it (carried forward): 4 / 9.
    scores = [(row["student"], float(row["score"])) for row in rows]
    assert scores == [("ana", 1.0), ("ben", pytest.approx(4 / 9, abs=5e-5)), ("eve", 0.0)]


def test_a_csv_without_the_columns_is_a_usage_error(tmp_path: Path, capsys: pytest.CaptureFixture[str]) -> None:
    (tmp_path / "class.csv").write_text("name,score\nana,1\n", encoding="utf-8")
    status, _, err = run(["grade", str(tmp_path / "class.csv")], capsys)
    assert status == EXIT_USAGE
    assert "student, problem and answer" in err
