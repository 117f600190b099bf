"""Counting bytes in a body: the one primitive the byte screen and simdjson's reader share."""

from __future__ import annotations

import numpy as np

SMALL_COUNT = 1 << 17
"""Up to this many bytes × characters to count, ``bytes.count`` counts, one pass a character; longer, numpy
(``bench/README.md``: the ``[`` count of a ``medium`` body)."""
PIECE = 1 << 18
"""Larger bodies are counted in pieces of this many bytes, whose comparisons stay in the CPU's cache."""


def count_bytes(body: bytes, chars: bytes) -> list[int]:
    """How many times each of ``chars`` occurs in ``body``: vectorised on long bodies, where numpy is several times
    faster than ``bytes.count``."""
    if len(body) * len(chars) <= SMALL_COUNT:
        return [body.count(char) for char in chars]
    text = np.frombuffer(body, dtype=np.uint8)
    counts = [0] * len(chars)
    for start in range(0, len(text), PIECE):
        piece = text[start : start + PIECE]
        for index, char in enumerate(chars):
            counts[index] += int(np.count_nonzero(piece == char))
    return counts
