"""Control characters in logged fields are escaped in every log format: a path cannot forge a line or reach a
terminal (issue 26)."""

from __future__ import annotations

import json
import logging
import sys

import pytest

from service.http.logs import TEXT_FORMAT, JsonFormatter, TextFormatter, access_fields, escaped, record
from service.http.observe import Answered

FORGED = "/x\n2026-12-05 06:31:09,000 INFO service.access: POST /v1/gradients 200\x1b[2K\r\x00\x7f\x85\u2028\\"


def answered(path: str) -> Answered:
    return Answered("/x", "GET", path, 404, 0.001, "forger", 1.0, None)


def controls(text: str) -> list[str]:
    return [c for c in text if ord(c) < 0x20 or 0x7F <= ord(c) <= 0x9F or c in "\u2028\u2029"]


@pytest.mark.parametrize("formatter", [TextFormatter(TEXT_FORMAT), JsonFormatter()], ids=["text", "json"])
def test_an_access_line_is_one_line_without_control_characters(formatter: logging.Formatter) -> None:
    line = formatter.format(record(access_fields(answered(FORGED))))
    assert controls(line) == []
    assert "/x\\x0a2026-12-05 06:31:09,000 INFO" in (json.loads(line)["path"] if line.startswith("{") else line)


def test_the_text_format_escapes_any_message_but_keeps_a_tracebacks_lines() -> None:
    try:
        raise ValueError("boom")
    except ValueError:
        entry = logging.LogRecord("service", logging.ERROR, __file__, 1, "bad %s", ("a\nb\x1b",), sys.exc_info())
    text = TextFormatter(TEXT_FORMAT).format(entry)
    first, *rest = text.split("\n")
    assert first.endswith("bad a\\x0ab\\x1b")
    assert rest[0] == "Traceback (most recent call last):"


def test_escaped_is_unambiguous_and_leaves_printable_text_alone() -> None:
    assert escaped("/v1/gradients?é") == "/v1/gradients?é"
    assert escaped("a\\x0a") == "a\\x5cx0a"  # a literal backslash is escaped too
    assert escaped("a\n") == "a\\x0a"
    assert escaped("\u2028") == "\\u2028"
