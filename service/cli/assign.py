"""``gradserve assign TEMPLATE.json --out DIR``: a folder of problems and printable sheets, plus the answer key.

The template is a ``POST /v1/assignments`` request (seed, students, sizes, activations, loss, examples,
bias, decimals); ``--students FILE`` reads the ids from a file instead, one per line. The folder gets,
for each student, ``ID.json`` (the problem, a ``/v1/gradients`` request) and ``ID.md`` (the sheet); then
``sheets.md`` (every sheet, page breaks between them, to print at once) and ``key.json`` (the template and
every problem with its answer). A file name is the id with every character other than letters, digits,
``.``, ``_`` and ``-`` written as ``_`` (and a number added if two ids would share it); ``key.json`` lists
each student's files.
"""

from __future__ import annotations

import argparse
import asyncio
import json
import re
import sys
from pathlib import Path
from typing import Any

import httpx

from gradclient import ProblemError
from service.api.sheets import PAGE_BREAK
from service.cli import EXIT_OK, EXIT_PROBLEM, EXIT_UNREACHABLE, EXIT_USAGE
from service.cli.commands import post, report

PATH = "/v1/assignments"
UNSAFE = re.compile(r"[^A-Za-z0-9._-]")


def file_names(students: list[str]) -> list[str]:
    """A distinct, safe file stem per student id (``Zoé M.`` → ``Zo__M.``; ``ada`` twice-mapped → ``ada-2``)."""
    stems: list[str] = []
    taken: set[str] = set()
    for student in students:
        stem = UNSAFE.sub("_", student).strip(".") or "student"
        candidate, n = stem, 1
        while candidate.lower() in taken or candidate.lower() == "key" or candidate.lower() == "sheets":
            n += 1
            candidate = f"{stem}-{n}"
        taken.add(candidate.lower())
        stems.append(candidate)
    return stems


def read_template(args: argparse.Namespace) -> dict[str, Any] | None:
    """The template file as a JSON object, with ``--students`` read in; None (after a message) when it cannot be."""
    try:
        template = json.loads(Path(args.file).read_text(encoding="utf-8"))
        if args.students:
            lines = Path(args.students).read_text(encoding="utf-8").splitlines()
            template["students"] = [line.strip() for line in lines if line.strip()]
    except OSError as error:
        print(f"gradserve: cannot read {error.filename}: {error.strerror}", file=sys.stderr)
        return None
    except (ValueError, TypeError) as error:
        print(f"gradserve: {args.file} is not a JSON object: {error}", file=sys.stderr)
        return None
    if not isinstance(template, dict):
        print(f"gradserve: {args.file} is not a JSON object", file=sys.stderr)
        return None
    template.pop("include", None)
    return template


async def fetch(template: dict[str, Any], args: argparse.Namespace) -> tuple[dict[str, Any], str]:
    """The problems with their keys (JSON), then the sheets (Markdown)."""
    answer = await post(PATH, json.dumps({**template, "include": ["key"]}).encode(), args)
    sheets = await post(PATH, json.dumps(template).encode(), args, markdown=True)
    return answer, sheets


def pretty(value: Any, indent: str = "") -> str:
    """JSON with one key per line, but every matrix and vector on one line: ``"weights": [[0.1, -0.2], [0.4, 0.3]]``."""
    if isinstance(value, dict) and value:
        inner = indent + "  "
        items = [f"{inner}{json.dumps(key, ensure_ascii=False)}: {pretty(item, inner)}" for key, item in value.items()]
        return "{\n" + ",\n".join(items) + f"\n{indent}}}"
    if isinstance(value, list) and value and not _numeric(value):
        inner = indent + "  "
        return "[\n" + ",\n".join(inner + pretty(item, inner) for item in value) + f"\n{indent}]"
    return json.dumps(value, ensure_ascii=False, separators=(", ", ": "))


def _numeric(value: Any) -> bool:
    """A number, or a list of numbers or of such lists."""
    if isinstance(value, list):
        return all(_numeric(item) for item in value)
    return isinstance(value, int | float) and not isinstance(value, bool)


def write(out: Path, template: dict[str, Any], answer: dict[str, Any], sheets: str) -> list[tuple[str, str]]:
    """Write the folder; returns (student, file stem) pairs."""
    problems = answer["problems"]
    pages = sheets.split(f"\n{PAGE_BREAK}\n\n")
    stems = file_names([entry["student"] for entry in problems])
    out.mkdir(parents=True, exist_ok=True)
    keys = []
    for entry, stem, page in zip(problems, stems, pages, strict=True):
        (out / f"{stem}.json").write_text(pretty(entry["problem"]) + "\n", encoding="utf-8")
        (out / f"{stem}.md").write_text(page, encoding="utf-8")
        keys.append({**entry, "files": {"problem": f"{stem}.json", "sheet": f"{stem}.md"}})
    (out / "sheets.md").write_text(sheets, encoding="utf-8")
    key = {"assignment": template, "problems": keys}
    (out / "key.json").write_text(pretty(key) + "\n", encoding="utf-8")
    return [(entry["student"], stem) for entry, stem in zip(problems, stems, strict=True)]


def run_assign(args: argparse.Namespace) -> int:
    """Run ``gradserve assign``; the exit status of :mod:`service.cli`."""
    template = read_template(args)
    if template is None:
        return EXIT_USAGE
    try:
        answer, sheets = asyncio.run(fetch(template, args))
    except ProblemError as problem:
        report(problem, False)
        return EXIT_PROBLEM
    except httpx.TransportError as error:
        print(f"gradserve: cannot reach {args.url}: {error}", file=sys.stderr)
        return EXIT_UNREACHABLE
    out = Path(args.out)
    try:
        written = write(out, template, answer, sheets)
    except OSError as error:
        print(f"gradserve: cannot write {error.filename}: {error.strerror}", file=sys.stderr)
        return EXIT_USAGE
    width = max(len(student) for student, _ in written)
    for student, stem in written:
        print(f"{student:<{width}}  {out / stem}.json  {out / stem}.md")
    print(f"{len(written)} problems in {out}; every sheet in {out / 'sheets.md'}; the key in {out / 'key.json'}")
    return EXIT_OK
