"""Reading a JSON request body with simdjson: numeric arrays go straight into numpy, never through Python floats.

Why: ``orjson.loads`` makes a Python float of every number of a large
request and ``np.array`` then reads them back; simdjson parses the text
several times faster (``bench/`` measures it), and pysimdjson's
``Array.as_buffer(of_type="d")`` copies an array's numbers into a C buffer of
doubles that ``np.frombuffer`` wraps without a copy.

:func:`loads` returns what ``orjson.loads`` returns, except that a numeric
array becomes a float64 ndarray: a list of at least
:data:`~service.domain.fastpath.context.FAST_MIN_LENGTH` numbers a 1-D array, a list
of equally long, non-empty rows of numbers (that many numbers in all) a 2-D
array. JSON itself never yields an ndarray, so :func:`~service.api.schemas.tensor.to_array`
knows where one comes from. When anything is uncertain, :func:`loads` returns
``None`` and the caller reads the body with orjson instead.

What ``as_buffer(of_type="d")`` does, found by experiment with pysimdjson 7.0.2
(see ``tests/service/test_fastjson.py``), and how each case is handled:

* floats are simdjson's correctly rounded doubles (bit-identical to ``float()``,
  -0.0 included); integers (int64 and uint64) are cast to double, rounded to
  nearest like ``float(int)``.
* a boolean, null, string or object anywhere inside raises ``TypeError``: so a
  boolean never becomes 1.0 or 0.0 and the body needs no scan for ``true``/``false``.
* nested arrays are flattened, whatever their depth, lengths or mix with
  numbers: ``[[1, 2], [3]]``, ``[[[1]], [[2]]]``, ``[1, [2, 3]]`` and
  ``[[1, 2], 3]`` all give 3 or 2 flat numbers, and empty arrays give none.
  The shape must come from elsewhere: the proxies and the count below.
* 1e999, integers beyond 64 bits, NaN and Infinity never get there: the parse
  itself fails, and orjson's path takes over. (A parser's documents die with
  its next parse; buffers are copies that outlive it.)

Nothing is guessed about the shape. Every JSON array starts with a ``[`` byte
outside strings, so the ``[`` bytes in the body are at least as many as its
arrays. The walk here *counts* each array it accounts for: one for a list,
one plus one per row for a matrix, whose rows ``len()`` has checked to be
arrays (only arrays and numbers can be in a list that ``as_buffer`` took), a
list left to ``as_list`` as one. No count is ever higher than
the arrays that are really there, so when the total equals the ``[`` bytes,
every count is exact: no list holds an uncounted array, no row a nested one,
and no string a ``[`` (one that does just means the orjson path). A 3-D array
is thus never read as a matrix, nor a ragged or mixed one as anything.

Other differences with orjson, each sent to orjson's path: a UTF-8 byte order
mark (simdjson skips it, orjson refuses it), duplicate keys and keys holding
NUL (values are looked up key by key, since ``Object.items()`` converts them
all, arrays included, to Python; a look-up stops at a NUL and finds the
first of equal keys, where orjson keeps the last), and absurd
numbers of keys, elements or nesting (the walk here is Python, not C).
Without a wheel of pysimdjson for the platform (none yet for CPython 3.14 or
musl), :data:`AVAILABLE` is false and :func:`loads` always returns ``None``.

Each thread keeps one parser and its buffers, since a fresh parser per body
costs more than the reuse keeps (some megabytes, about the size of the
largest body read). Bodies under
:data:`MIN_BYTES` are left to orjson, which is faster on them.
"""

from __future__ import annotations

import contextlib
import threading
from collections.abc import Callable
from typing import Any

import numpy as np

from service.domain.fastpath.context import FAST_MIN_LENGTH
from service.domain.fastpath.counting import count_bytes

try:
    import simdjson
except ImportError:  # pragma: no cover - no wheel for this platform: orjson alone
    simdjson = None  # type: ignore[assignment]

AVAILABLE = simdjson is not None
"""Whether pysimdjson is installed; without it, :func:`loads` always returns ``None``."""
MIN_BYTES = 8192
""":func:`~service.domain.fastpath.read_request` leaves smaller bodies to orjson: walking them costs more."""
MAX_DEPTH = 16
"""Deeper nesting is not a request (which nests 6 levels at most): orjson's path."""
MAX_KEYS = 64
"""More keys in one object is not a request, and key look-ups cost one pass over the keys each."""
MAX_WALK = 4096
"""More elements than this in a list that is not numeric is not a request: orjson's path."""
MAX_OBJECTS = 65_536
"""Most Python values one body may become here, ndarrays aside: what :func:`service.domain.limits.screen_body` guards
the orjson path against (a flood of tiny values) is bounded here too, so a body that reads without doubt needs
no screen. More: orjson's path, screened first."""
BOM = b"\xef\xbb\xbf"


class _DoubtError(Exception):
    """The document is not one that :func:`loads` converts with certainty."""


_DOUBTS = (_DoubtError, ValueError, TypeError, RuntimeError, KeyError, IndexError)
"""Not JSON, numbers beyond double or 64-bit ints, invalid UTF-8, too deep, or a case of the module's docstring."""


class _Parsers(threading.local):
    """One parser per thread: a parser is reused (it keeps its buffers) but is not thread-safe."""

    parser: Any = None


_parsers = _Parsers()


def loads(body: bytes, screen: Callable[[Any], None] | None = None) -> dict[str, Any] | None:
    """The JSON object of ``body`` with its numeric arrays as float64 ndarrays; ``None`` if in doubt.

    ``None`` also when the body is not a JSON object, not JSON or not for
    simdjson: the caller then reads it the reference way. ``screen`` is shown what was read, and may raise:
    the dict returned, or, when the document is in doubt, simdjson's proxies (whose lengths cost nothing), so
    that a body with a list too long to convert here is refused before anything reads it again.
    """
    if simdjson is None or body.startswith(BOM):
        return None
    if _parsers.parser is None:
        _parsers.parser = simdjson.Parser()
    reader = _Reader()
    data: dict[str, Any] | None = None
    refusal: Exception | None = None
    try:
        document = _parsers.parser.parse(body)
        if not isinstance(document, simdjson.Object):
            return None
        with contextlib.suppress(*_DOUBTS):
            data = reader.object(document, 0)
        if data is None and screen is not None:  # in doubt: the lengths, on the proxies
            try:
                screen(document)
            except Exception as error:  # raised below, without the frames that hold the document's proxies
                refusal = error.with_traceback(None)
    except _DOUBTS:
        return None
    finally:
        document = None  # no proxy may outlive this call: the next parse would refuse to run
    if refusal is not None:
        raise refusal
    if data is None or reader.arrays != count_bytes(body, b"[")[0]:
        return None
    if screen is not None:
        screen(data)
    return data


def _is_number(value: Any) -> bool:
    return isinstance(value, int | float) and not isinstance(value, bool)


class _Reader:
    """Converts simdjson proxies into Python values, counting the JSON arrays it accounts for."""

    def __init__(self) -> None:
        self.arrays = 0
        """Never more than the arrays really in the part converted so far (see the module's docstring)."""
        self.budget = MAX_OBJECTS
        """Python values that may still be made (:data:`MAX_OBJECTS`)."""

    def spend(self, count: int) -> None:
        """Account for ``count`` Python values about to be made; doubt when over :data:`MAX_OBJECTS`."""
        self.budget -= count
        if self.budget < 0:
            raise _DoubtError

    def value(self, node: Any, depth: int) -> Any:
        if isinstance(node, simdjson.Object):
            return self.object(node, depth)
        if isinstance(node, simdjson.Array):
            return self.array(node, depth)
        return node  # str, int, float, bool or None, as orjson gives them

    def object(self, node: Any, depth: int) -> dict[str, Any]:
        if depth > MAX_DEPTH or len(node) > MAX_KEYS:
            raise _DoubtError
        self.spend(1 + len(node))
        result: dict[str, Any] = {}
        for key in node:
            if "\0" in key:
                raise _DoubtError
            result[key] = self.value(node[key], depth + 1)
        if len(result) != len(node):  # a duplicate key: the look-up found its first value, orjson keeps the last
            raise _DoubtError
        return result

    def array(self, node: Any, depth: int) -> Any:
        if depth > MAX_DEPTH:
            raise _DoubtError
        self.arrays += 1
        first = node[0] if len(node) else None
        if _is_number(first):
            return self.vector(node)
        if isinstance(first, simdjson.Array) and len(first) and _is_number(first[0]):
            return self.matrix(node, depth)
        return self.walk(node, depth)

    def walk(self, node: Any, depth: int) -> list[Any]:
        """Element by element (a list of objects, of matrices, or of anything that is not numbers)."""
        if len(node) > MAX_WALK:
            raise _DoubtError
        self.spend(1 + len(node))
        return [self.value(item, depth + 1) for item in node]

    def vector(self, node: Any) -> Any:
        """A list whose first element is a number: an ndarray if it holds enough numbers and nothing else."""
        if len(node) >= FAST_MIN_LENGTH:
            try:
                values = np.frombuffer(node.as_buffer(of_type="d"), dtype=np.float64)
            except TypeError:  # a boolean, null, string or object in it
                pass
            else:
                if len(values) == len(node):  # and the count proves that none was an array
                    return values
        self.spend(1 + len(node))
        return node.as_list()  # any array in it is not counted: the count refuses the document

    def matrix(self, node: Any, depth: int) -> Any:
        """A list whose first element is a list that starts with a number: an ndarray if it is a matrix."""
        try:
            values = np.frombuffer(node.as_buffer(of_type="d"), dtype=np.float64)
            widths = set(map(len, node))  # TypeError if an element is a number: then they are not all rows
        except TypeError:
            return self.walk(node, depth)
        rows = len(node)
        self.arrays += rows  # each element is an array: as_buffer saw only arrays and numbers, len() no number
        if len(widths) == 1 and len(values) == rows * widths.pop() >= FAST_MIN_LENGTH:
            return values.reshape(rows, -1)
        self.spend(1 + rows + len(values))  # as many lists and numbers, if the count later holds
        return node.as_list()  # small, ragged, with empty rows or deeper: the validators (or the count) decide
