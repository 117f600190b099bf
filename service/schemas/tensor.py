"""The ``Tensor`` field type: a JSON number, list or list of rows, validated into a numpy array.

A number becomes a 0-d array, a list a 1-D array, a list of rows a 2-D array.
Every entry must be a finite JSON number (no strings, booleans, null, NaN or
±Infinity), and rows must all have the same length. The models that use the
type decide which of the three forms a field accepts and how it is read
(for example, a 1-D ``inputs`` list is one example, a 1 × n_0 matrix).
"""

from __future__ import annotations

from typing import Annotated, Any

import numpy as np
from numpy.typing import NDArray
from pydantic import PlainValidator
from pydantic_core import PydanticCustomError, SchemaValidator
from pydantic_core import core_schema as cs

_number = cs.float_schema(strict=True, allow_inf_nan=False)
_NUMBER = SchemaValidator(_number)
_VECTOR = SchemaValidator(cs.list_schema(_number, fail_fast=True))
_ROWS = SchemaValidator(cs.list_schema(cs.list_schema(_number, fail_fast=True), fail_fast=True))
# fail_fast: a matrix of a million strings gets one error, not a million.

Array = NDArray[np.float64]


def to_array(value: Any) -> Array:
    """Validate one JSON value as a number, a vector or a matrix of finite numbers."""
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
    PlainValidator(to_array, json_schema_input_type=float | list[float] | list[list[float]]),
]
"""A number, a list of numbers or a list of equally long rows of numbers."""


def as_matrix(a: Array) -> Array:
    """Read a number as 1 × 1 and a vector as one row (1 × n); leave a matrix as it is."""
    return a.reshape(1, -1) if a.ndim < 2 else a
