"""Response options every request may carry: ``include`` (field selection) and ``encoding``.

``include`` lists the response fields to send, top-level (``loss``, ``output``)
and per-layer (``pre_activation``, ``activation``, ``delta``,
``weights_gradient``, ``bias_gradient``) names alike; ``layers`` is sent when
one of its fields is selected. ``encoding: "base64"`` sends every array as a
compact tensor (:mod:`service.api.schemas.compact`) instead of nested lists.
"""

from __future__ import annotations

from typing import Literal

from pydantic import BaseModel, Field

Encoding = Literal["json", "base64"]
ForwardField = Literal["output", "pre_activation", "activation"]
LossField = Literal["loss", "output"]
GradientsField = Literal["loss", "output", "pre_activation", "activation", "delta", "weights_gradient", "bias_gradient"]

INCLUDE = (
    "The response fields to send; all when absent. Top-level and per-layer names alike, "
    'e.g. ["loss", "weights_gradient"]; "layers" is sent when one of its fields is selected.'
)
ENCODING = (
    'How arrays are sent: "json", nested lists of numbers, or "base64", '
    '{"shape": [r, c], "dtype": "float64", "data": "<base64 of little-endian float64, row-major>"}.'
)


class ResponseOptions(BaseModel):
    """What the response holds and how its arrays are written."""

    include: list[ForwardField] | None = Field(None, min_length=1, description=INCLUDE)
    encoding: Encoding = Field("json", description=ENCODING)
