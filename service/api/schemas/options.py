"""Response options every request may carry: ``include`` (field selection) and ``encoding``.

``include`` lists the response fields to send, top-level (``loss``, ``output``)
and per-item names alike (the items of ``layers``, or of the derivation's ``steps``:
``pre_activation``, ``activation``, ``delta``, ``weights_gradient``, …); the
list is sent when one of its items' fields is selected. Every endpoint that
reads a network takes both options, each with its own field names.
``encoding: "base64"`` sends every array as a
compact tensor (:mod:`service.api.schemas.compact`) instead of nested lists.
"""

from __future__ import annotations

from typing import Literal

from pydantic import BaseModel, Field

Encoding = Literal["json", "base64"]
ForwardField = Literal["output", "layers", "pre_activation", "activation"]
LossField = Literal["loss", "output"]
GradientsField = Literal[
    "loss",
    "output",
    "layers",
    "pre_activation",
    "activation",
    "delta",
    "weights_gradient",
    "bias_gradient",
    "input_gradient",
]
TrainField = Literal["loss_history", "network", "output"]
CheckField = Literal[
    "passed",
    "loss",
    "epsilon",
    "roundoff",
    "error_model",
    "thresholds",
    "kinks",
    "note",
    "layers",
    "numerical_gradient",
    "analytic_gradient",
    "numerical_bias_gradient",
    "analytic_bias_gradient",
    "max_abs_error",
    "max_relative_error",
    "max_unexplained_error",
    "max_expected_error",
    "rating",
    "worst",
    "failing",
    "failing_count",
]
VerifyField = Literal[
    "all_correct",
    "rtol",
    "layers",
    "verdict",
    "factor",
    "max_abs_error",
    "expected",
    "hint",
    "worst_index",
    "missing_at_layer",
    "rounded_to",
    "wrong_entries",
    "wrong_count",
    "mistakes",
    "bias",
    "graded",
]
HessianVectorField = Literal[
    "loss", "output", "slope", "curvature", "layers", "weights_gradient", "bias_gradient", "hessian_vector"
]
DerivationField = Literal["steps", "kind", "layer", "symbol", "description", "equation", "latex", "shapes", "value"]
"""Each endpoint's response fields, top-level and per item of its list (``layers`` or ``steps``); a test checks
that each names exactly the fields of its response model. ``input_gradient`` (∂L/∂X) is the one field sent only
when ``include`` names it."""

INCLUDE = (
    "The response fields to send; all when absent. Top-level and per-layer names alike, "
    'e.g. `["loss", "weights_gradient"]`; `layers` (or `steps`) is sent when one of its items\' fields is selected.'
)
ENCODING = (
    'How arrays are sent: `"json"`, nested lists of numbers, or `"base64"`, '
    '`{"shape": [r, c], "dtype": "float64", "data": "<base64 of little-endian float64, row-major>"}`.'
)


class ResponseOptions(BaseModel):
    """What the response holds and how its arrays are written."""

    include: list[ForwardField] | None = Field(None, min_length=1, description=INCLUDE)
    encoding: Encoding = Field("json", description=ENCODING)
