"""The JSON response class of the API: float64 numpy arrays serialised by orjson without ``tolist``."""

from __future__ import annotations

from typing import Any

import numpy as np
import orjson
from starlette.responses import Response


def _contiguous(value: Any) -> Any:
    if isinstance(value, np.ndarray):
        return np.ascontiguousarray(value, dtype=np.float64)
    raise TypeError(f"cannot serialise {type(value).__name__}")


class ArrayJSONResponse(Response):
    """A JSON response whose content may hold float64 numpy arrays, serialised by orjson without ``tolist``."""

    media_type = "application/json"

    def render(self, content: Any) -> bytes:
        return orjson.dumps(content, default=_contiguous, option=orjson.OPT_SERIALIZE_NUMPY)
