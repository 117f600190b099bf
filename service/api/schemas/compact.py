"""Compact tensors: ``{"shape": [r, c], "dtype": "float64" | "float32", "data": "<base64>"}``.

``data`` is the base64 of the values as little-endian IEEE 754 numbers of
``dtype``, row-major: r · c · 8 bytes for float64, r · c · 4 for float32.
A shape of one entry, ``[n]``, is a flat list of n numbers. The values are
validated like those of a JSON matrix: the byte count must fit the shape and
every value must be finite. float32 values are widened to float64 exactly.
pybase64 (SIMD) decodes and encodes some 50 times faster than the standard library.
"""

from __future__ import annotations

import binascii
import math
from typing import Annotated, Any, Literal

import numpy as np
import pybase64
from numpy.typing import NDArray
from pydantic import BaseModel, ConfigDict, Field, ValidationError
from pydantic_core import InitErrorDetails, PydanticCustomError

from gradcore import all_finite

Array = NDArray[np.float64]
DTYPES: dict[str, np.dtype[Any]] = {"float64": np.dtype("<f8"), "float32": np.dtype("<f4")}
KEYS = frozenset(("shape", "dtype", "data"))


class CompactTensor(BaseModel):
    """A matrix r × c (or a list of n numbers) as base64 of little-endian values, row-major."""

    model_config = ConfigDict(
        extra="forbid",
        strict=True,
        json_schema_extra={"examples": [{"shape": [1, 2], "dtype": "float64", "data": "mpmZmZmZuT+amZmZmZnJvw=="}]},
    )

    shape: list[Annotated[int, Field(ge=1)]] = Field(
        min_length=1, max_length=2, description="[r, c] for an r × c matrix, [n] for a list of n numbers."
    )
    dtype: Literal["float64", "float32"] = Field(description="The type of every value, little-endian.")
    data: str = Field(description="Base64 (RFC 4648, with padding) of the values, row-major.")


def _invalid(kind: str, message: str, context: dict[str, Any], value: Any) -> ValidationError:
    error = PydanticCustomError(kind, message, context)
    return ValidationError.from_exception_data(
        "CompactTensor", [InitErrorDetails(type=error, loc=("data",), input=value)]
    )


def decode(value: dict[str, Any]) -> Array:
    """Validate a compact tensor and return its values as a float64 array of its shape."""
    spec = CompactTensor.model_validate(value)
    try:
        raw = pybase64.b64decode(spec.data, validate=True)
    except (binascii.Error, ValueError) as error:
        raise _invalid("base64", "is not valid base64: {error}", {"error": str(error)}, spec.data[:100]) from None
    dtype = DTYPES[spec.dtype]
    count = math.prod(spec.shape)
    if len(raw) != count * dtype.itemsize:
        shape = " × ".join(map(str, spec.shape))
        raise _invalid(
            "length",
            "holds {length} bytes but a {shape} tensor of {dtype} needs {count} × {size} = {expected} bytes",
            {
                "length": len(raw),
                "shape": shape,
                "dtype": spec.dtype,
                "count": count,
                "size": dtype.itemsize,
                "expected": count * dtype.itemsize,
            },
            None,
        )
    # float64 stays a (read-only) view of the decoded bytes; float32 is widened once.
    array: Array = np.frombuffer(raw, dtype).astype(np.float64, copy=False).reshape(spec.shape)
    # gradcore's screen (one sum, no mask); only when it fails, the mask that finds the first culprit.
    with np.errstate(over="ignore", invalid="ignore"):
        screened = all_finite([array])
    if not screened and not (finite := np.isfinite(array)).all():
        index = int(np.flatnonzero(~finite)[0])
        raise _invalid(
            "finite_number",
            "value {index} (row-major) is {value}: every number must be finite (no NaN or ±Infinity)",
            {"index": index, "value": str(array.flat[index])},
            None,
        )
    return array


def encode(a: NDArray[Any], dtype: Literal["float64", "float32"] = "float64") -> dict[str, Any]:
    """The compact form of an array of 1 or 2 dimensions (float32 rounds every value)."""
    values = np.ascontiguousarray(a, dtype=DTYPES[dtype])
    data = pybase64.b64encode_as_string(values.tobytes())
    return {"shape": list(values.shape), "dtype": dtype, "data": data}
