"""bench/startup.py keeps working (it measures; no test asserts a time)."""

from __future__ import annotations

import sys

from bench import startup


def test_the_commands_run_and_the_table_has_a_row_each() -> None:
    timings = []
    for name, arguments in startup.commands(url=None)[:2]:  # the quick ones: import service.cli, --help
        wall, cpu = startup.run_once(sys.executable, arguments, startup.ROOT)
        timings.append(startup.Timing(name, arguments[-1], [wall], [cpu]))
    lines = startup.table([("this checkout", timings)])
    assert lines[2] == "| what | command | wall min ms | wall median ms | CPU min ms |"
    assert [line.split(" | ")[0] for line in lines[4:6]] == ["| import service.cli", "| gradserve --help"]
    names = [name for name, _ in startup.commands(url="http://127.0.0.1:1")]
    assert names == [
        "import service.cli",
        "gradserve --help",
        "gradserve gradients (local)",
        "gradserve gradients --url",
        "import service.app",
    ]
