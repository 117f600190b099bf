"""What the reader tells the request models' validators: :class:`ReadContext`, pydantic's validation context."""

from __future__ import annotations

from dataclasses import dataclass
from typing import Any

from service.domain.settings import Settings

FAST_MIN_LENGTH = 16
"""Shorter lists (of numbers or rows) are checked faster one element at a time."""


@dataclass(frozen=True, slots=True)
class ReadContext:
    """The validation context of a request body (``model_validate(data, context=ReadContext(...))``).

    ``settings``: the limits the request models check (:mod:`service.domain.limits`); ``None``, none.
    ``fast``: the ``Tensor`` validator may convert a long list with ``np.array`` as a whole: the JSON text
    holds no ``true``/``false`` literal, the only value ``np.array`` would convert silently.
    ``finite``: the caller vouches that every ndarray in the data holds finite numbers only, as simdjson's do
    (:mod:`service.domain.fastpath.fastjson`: NaN, Infinity and numbers beyond a double fail its parse).
    """

    settings: Settings | None = None
    fast: bool = False
    finite: bool = False

    @classmethod
    def of_text(cls, body: bytes, settings: Settings | None) -> ReadContext:
        """The context of a JSON text: the fast conversion is allowed unless a ``true``/``false`` may be in it.

        A string that holds one just means the strict path.
        """
        return cls(settings, fast=b"true" not in body and b"false" not in body)


def read_context(context: Any) -> ReadContext:
    """A validator's context as a :class:`ReadContext`; the empty one when the caller gave none."""
    return context if isinstance(context, ReadContext) else NO_CONTEXT


NO_CONTEXT = ReadContext()
"""No limits, no fast conversion, nothing vouched for: the strict validators everywhere."""
