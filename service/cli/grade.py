"""``gradserve grade FILE``: a class's submissions (JSON or CSV) → the gradebook CSV on stdout, a summary on stderr.

FILE is a ``/v1/grade`` request (``{"submissions": [...], ...options}``), a JSON list of submissions, or a CSV
with the columns ``student``, ``problem`` and ``answer``: each of the last two a JSON object, or the path of a
JSON file (relative to the CSV's folder). ``gradserve grade class.csv > grades.csv`` leaves the summary table
in the terminal.
"""

from __future__ import annotations

import argparse
import asyncio
import csv
import io
import json
import sys
from pathlib import Path
from typing import Any

import httpx

from gradclient import AsyncGradientClient, ProblemError
from service.cli import EXIT_OK, EXIT_PROBLEM, EXIT_UNREACHABLE, EXIT_USAGE
from service.cli.commands import LOCAL_URL, report


class FileError(Exception):
    """The file cannot be read as submissions."""


def _json_cell(text: str, folder: Path, where: str) -> Any:
    text = text.strip()
    if text.startswith("{"):
        try:
            return json.loads(text)
        except ValueError as error:
            raise FileError(f"{where}: not a JSON object ({error})") from None
    try:
        return json.loads((folder / text).read_text(encoding="utf-8"))
    except (OSError, ValueError) as error:
        raise FileError(f"{where}: cannot read {text!r} as JSON ({error})") from None


def request_of(text: str, name: str, folder: Path) -> dict[str, Any]:
    """The ``/v1/grade`` request a file holds (see the module docstring)."""
    if name.lower().endswith(".csv"):
        rows = list(csv.DictReader(io.StringIO(text)))
        if rows and not {"student", "problem", "answer"} <= set(rows[0]):
            raise FileError("the CSV needs the columns student, problem and answer")
        submissions = [
            {
                "student": row["student"],
                "problem": _json_cell(row["problem"], folder, f"row {i + 2}, problem"),
                "answer": _json_cell(row["answer"], folder, f"row {i + 2}, answer"),
            }
            for i, row in enumerate(rows)
        ]
        return {"submissions": submissions}
    try:
        data = json.loads(text)
    except ValueError as error:
        raise FileError(f"not JSON: {error}") from None
    return {"submissions": data} if isinstance(data, list) else data


def summary_table(data: dict[str, Any]) -> str:
    """The class at a glance: counts, scores, the share right per quantity and the largest answer groups."""
    summary = data["summary"]
    scores = summary["scores"]
    lines = [f"{summary['graded']} of {summary['students']} students graded, {summary['errors']} not graded"]
    if scores["mean"] is not None:
        lines.append(
            f"score: mean {scores['mean']:.3f}, median {scores['median']:.3f}, min {scores['min']:.3f}, "
            f"max {scores['max']:.3f}"
        )
        bars = " ".join(f"{b['from']:.1f}–{b['to']:.1f}: {b['count']}" for b in scores["histogram"] if b["count"])
        lines.append(f"histogram: {bars}")
    width = max((len(q["symbol"]) for q in summary["quantities"]), default=8)
    lines.append("")
    lines.append(f"{'quantity':<{width}}  answered  right  share right")
    for q in summary["quantities"]:
        lines.append(f"{q['symbol']:<{width}}  {q['answered']:>8}  {q['correct']:>5}  {q['share_correct']:>11.0%}")
    if summary["groups"]:
        lines.append("")
        lines.append("answer groups, the largest first:")
        for group in summary["groups"][:10]:
            mistakes = " + ".join(group["mistakes"]) or group["verdict"]
            names = ", ".join(group["students"][:8]) + (" …" if group["count"] > 8 else "")
            lines.append(f"  {group['count']:>3} × {group['symbol']}: {mistakes} ({names})")
    for student in data["students"]:
        if student["error"] is not None:
            lines.append(f"not graded: {student['student']}: {student['error']['detail']}")
    return "\n".join(lines)


async def post(body: dict[str, Any], args: argparse.Namespace) -> tuple[dict[str, Any], str]:
    transport = None
    if args.url is None:
        from service.app import create_app

        transport = httpx.ASGITransport(app=create_app())
    async with AsyncGradientClient(args.url or LOCAL_URL, args.api_key, args.timeout, transport=transport) as client:
        data = await client.post("/v1/grade", body)
        text = await client.post_text("/v1/grade", body, accept="text/csv")
    return data, text


def run(args: argparse.Namespace) -> int:
    """Grade the file's class; the exit status of :mod:`service.cli`."""
    try:
        path = Path(args.file)
        text = sys.stdin.read() if args.file == "-" else path.read_text(encoding="utf-8")
        body = request_of(text, args.file, path.parent)
    except OSError as error:
        print(f"gradserve: cannot read {args.file}: {error.strerror}", file=sys.stderr)
        return EXIT_USAGE
    except FileError as error:
        print(f"gradserve: {args.file}: {error}", file=sys.stderr)
        return EXIT_USAGE
    try:
        data, report_csv = asyncio.run(post(body, args))
    except ProblemError as problem:
        report(problem, args.json)
        return EXIT_PROBLEM
    except httpx.TransportError as error:
        print(f"gradserve: cannot reach {args.url}: {error}", file=sys.stderr)
        return EXIT_UNREACHABLE
    output = json.dumps(data) if args.json else report_csv
    print(output, end="" if output.endswith("\n") else "\n")
    print(summary_table(data), file=sys.stderr)
    return EXIT_OK
