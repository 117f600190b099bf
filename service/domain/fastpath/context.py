"""What the fast path tells the ``Tensor`` validator through pydantic's validation context."""

from __future__ import annotations

FAST = "tensor_fast_path"
"""The validation-context key that allows the ``np.array`` fast path: the JSON text has no boolean literal."""
FINITE = "tensor_arrays_finite"
"""The validation-context key by which the caller vouches that every ndarray in the data holds finite numbers only,
as simdjson's do (:mod:`service.domain.fastpath.fastjson`: NaN, Infinity and numbers beyond a double fail its parse)."""
FAST_MIN_LENGTH = 16
"""Shorter lists (of numbers or rows) are checked faster one element at a time."""


def fast_context(body: bytes) -> dict[str, bool]:
    """The validation context for a JSON body: the fast path is allowed unless a ``true``/``false`` may be in it.

    A JSON boolean is the only value that ``np.array`` converts silently, and it
    can only be there where the text holds ``true`` or ``false`` (a string that
    holds one just means the strict path). The two substring searches are cheap
    on the small bodies that orjson's path reads; larger ones go to simdjson's,
    which never needs them.
    """
    return {FAST: b"true" not in body and b"false" not in body}
