"""The ``Tensor`` field type: a JSON number, list, list of rows or compact tensor, validated into a numpy array.

A number becomes a 0-d array, a list a 1-D array, a list of rows a 2-D array.
Every entry must be a finite JSON number (no strings, booleans, null, NaN or
±Infinity), and rows must all have the same length. The models that use the
type decide which of the three forms a field accepts and how it is read
(for example, a 1-D ``inputs`` list is one example, a 1 × n_0 matrix).
An object ``{"shape", "dtype", "data"}`` is a compact tensor (:mod:`service.api.schemas.compact`).

Speed: a list is first converted by ``np.array`` as a whole, which refuses
strings, null, objects and ragged rows by itself (the result is not a 2-D
numeric array); only booleans slip through, as 1.0 and 0.0. So when the
caller vouches, through the validation context (:class:`~service.domain.fastpath.context.ReadContext`),
that the JSON text holds no ``true``/``false`` literal, that result is kept
if it is finite and non-empty. Anything else goes through the strict
per-element validator, which names the offending element.

A float64 ndarray is accepted as it is (if finite, non-empty, of 1 or 2
dimensions): JSON cannot produce one, only :mod:`service.domain.fastpath.fastjson`, which
makes one only of a list of numbers or of equally long rows of numbers, all of them
finite, as the context's ``finite`` vouches (then
the numbers are not looked at again).
"""

from __future__ import annotations

from typing import Annotated, Any

import numpy as np
from numpy.typing import NDArray
from pydantic import PlainValidator, ValidationInfo
from pydantic_core import PydanticCustomError, SchemaValidator
from pydantic_core import core_schema as cs

from service.api.schemas import compact
from service.domain.fastpath.context import FAST_MIN_LENGTH, ReadContext

_number = cs.float_schema(strict=True, allow_inf_nan=False)
_NUMBER = SchemaValidator(_number)
_VECTOR = SchemaValidator(cs.list_schema(_number, fail_fast=True))
_ROWS = SchemaValidator(cs.list_schema(cs.list_schema(_number, fail_fast=True), fail_fast=True))
# fail_fast: a matrix of a million strings gets one error, not a million.

Array = NDArray[np.float64]


def _fast_array(value: list[Any]) -> Array | None:
    """``np.array`` of the whole list, if it is a finite, non-empty numeric array of 1 or 2 dimensions."""
    try:
        a = np.array(value)
    except (ValueError, TypeError, OverflowError):
        return None
    return _checked(a)


def _checked(a: NDArray[Any], finite: bool = False) -> Array | None:
    """``a`` as float64 if it is a finite, non-empty numeric array of 1 or 2 dimensions, else ``None``.

    ``finite``: the caller vouches for the numbers (simdjson's), and they are not looked at again.
    """
    if a.dtype.kind not in "fiu" or not 1 <= a.ndim <= 2 or a.size == 0:
        return None
    array: Array = a.astype(np.float64, copy=False)
    return array if finite or np.isfinite(array).all() else None


def to_array(value: Any, info: ValidationInfo) -> Array:
    """Validate one JSON value as a number, a vector, a matrix of finite numbers or a compact tensor."""
    if isinstance(value, dict):
        if not compact.KEYS & value.keys():
            raise PydanticCustomError(
                "tensor_type",
                "must be a number, a list of numbers, a list of rows or a compact tensor "
                '{"shape": [r, c], "dtype": "float64", "data": "<base64>"}',
            )
        return compact.decode(value)
    if isinstance(value, np.ndarray):  # from fastpath.fastjson: a list of numbers or rows, already read
        checked = _checked(value, finite=isinstance(info.context, ReadContext) and info.context.finite)
        if checked is not None:
            return checked
        value = value.tolist()  # then the strict validator says what is wrong, as for the list
    if (
        isinstance(value, list)
        and len(value) >= FAST_MIN_LENGTH
        and isinstance(info.context, ReadContext)
        and info.context.fast
    ):
        fast = _fast_array(value)
        if fast is not None:
            return fast
    return strict_array(value)


def strict_array(value: Any) -> Array:
    """The reference path: validate every element strictly, then convert."""
    if not isinstance(value, list):
        return np.array(_NUMBER.validate_python(value), dtype=np.float64)
    if not value:
        raise PydanticCustomError("empty", "must not be empty: a matrix needs at least one row and one column")
    if not isinstance(value[0], list):
        return np.array(_VECTOR.validate_python(value), dtype=np.float64)
    rows = _ROWS.validate_python(value)
    width = len(rows[0])
    if width == 0:
        raise PydanticCustomError("empty", "must not be empty: row 0 has no numbers")
    for index, row in enumerate(rows):
        if len(row) != width:
            raise PydanticCustomError(
                "ragged",
                "must be rectangular: row {index} has {length} numbers but row 0 has {width}",
                {"index": index, "length": len(row), "width": width},
            )
    return np.array(rows, dtype=np.float64)


Tensor = Annotated[
    Array,
    PlainValidator(to_array, json_schema_input_type=float | list[float] | list[list[float]] | compact.CompactTensor),
]
"""A number, a list of numbers, a list of equally long rows of numbers or a compact tensor."""


def as_matrix(a: Array) -> Array:
    """Read a number as 1 × 1 and a vector as one row (1 × n); leave a matrix as it is."""
    return a.reshape(1, -1) if a.ndim < 2 else a
