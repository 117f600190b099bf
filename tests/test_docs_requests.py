"""What docs/requests.md says of each example file is the file: its layer sizes n_0 → … → n_L and its batch size m.

The table of the six cases states them in words ("3 → 2 hidden nodes → 1", "a batch of m = 4"); the file's
shapes are read from its JSON, independently of the service.
"""

from __future__ import annotations

import json
import re
from pathlib import Path

import numpy as np
import pytest

ROOT = Path(__file__).resolve().parent.parent
PAGE = (ROOT / "docs" / "requests.md").read_text(encoding="utf-8")
ROW = re.compile(r"^\| `(seed_case_\d\.json)` \| ([^|]*) \|", flags=re.MULTILINE)
ROWS = ROW.findall(PAGE)


def stated_sizes(words: str) -> tuple[list[int], int]:
    """(n_0, …, n_L) and m from the table's words; one example unless "m = …" says otherwise."""
    layers = words.split(",")[0].split("→")
    sizes = [int(re.search(r"\d+", layer).group()) for layer in layers]  # type: ignore[union-attr]
    batch = re.search(r"m = (\d+)", words)
    return sizes, int(batch[1]) if batch else 1


def file_sizes(name: str) -> tuple[list[int], int]:
    body = json.loads((ROOT / "examples" / name).read_text(encoding="utf-8"))
    X = np.atleast_2d(np.asarray(body["inputs"], dtype=float))
    W = [np.atleast_2d(np.asarray(layer["weights"], dtype=float)) for layer in body["network"]["layers"]]
    return [X.shape[1], *(w.shape[1] for w in W)], X.shape[0]


def test_the_table_has_the_six_cases() -> None:
    assert [name for name, _ in ROWS] == [f"seed_case_{k}.json" for k in range(1, 7)]


@pytest.mark.parametrize(("name", "words"), ROWS, ids=[name for name, _ in ROWS])
def test_the_stated_sizes_are_the_file(name: str, words: str) -> None:
    assert stated_sizes(words) == file_sizes(name)
