"""``POST /v1/gradients/check``: backpropagation against central differences."""

from typing import Any

from fastapi import APIRouter
from starlette.requests import Request
from starlette.responses import Response

from gradcore import ACCEPTABLE, ERROR_MODEL, FINE, Entry, GradientCheck, check_gradients
from service.api.body import read_json
from service.api.openapi import documented_body
from service.api.render import respond
from service.api.routing import RequestRoute
from service.api.schemas.check import CheckResponse, GradientsCheckRequest
from service.domain import limits
from service.http.compute import compute

router = APIRouter(prefix="/v1", tags=["teaching"], route_class=RequestRoute)


def entry_content(entry: Entry) -> dict[str, Any]:
    """One checked entry as JSON: W_k's (row, column) or b_k's column."""
    row, column = entry.index if entry.parameter == "W" else (None, entry.index[0])
    return {
        "parameter": entry.parameter,
        "row": row,
        "column": column,
        "analytic": entry.analytic,
        "numerical": entry.numerical,
        "relative_error": entry.relative_error,
        "expected_error": entry.expected_error,
        "unexplained_error": entry.unexplained_error,
    }


def check_content(check: GradientCheck) -> dict[str, Any]:
    """The body of a check response."""
    layers: list[dict[str, Any]] = []
    for layer in check.layers:
        content: dict[str, Any] = {
            "numerical_gradient": layer.numerical_dW,
            "analytic_gradient": layer.analytic_dW,
        }
        if layer.numerical_db is not None:
            content["numerical_bias_gradient"] = layer.numerical_db
            content["analytic_bias_gradient"] = layer.analytic_db
        content |= {
            "max_abs_error": layer.max_abs_error,
            "max_relative_error": layer.max_relative_error,
            "max_unexplained_error": layer.max_unexplained_error,
            "max_expected_error": layer.max_expected_error,
            "rating": layer.rating,
            "passed": layer.passed,
            "kinks": layer.kinks,
            "worst": entry_content(layer.worst) if layer.worst is not None else None,
            "failing": [entry_content(entry) for entry in layer.failing],
            "failing_count": layer.failing_count,
        }
        layers.append(content)
    note = None
    if check.kinks:
        note = (
            f"{check.kinks} entries left out of the errors: their central difference straddles a relu kink "
            "(z = 0, where relu has no derivative) and measures neither one-sided derivative"
        )
    return {
        "passed": check.passed,
        "loss": check.loss,
        "epsilon": check.epsilon,
        "roundoff": check.roundoff,
        "error_model": ERROR_MODEL,
        "thresholds": {"fine": FINE, "acceptable": ACCEPTABLE},
        "kinks": check.kinks,
        "note": note,
        "layers": layers,
    }


@router.post(
    "/gradients/check",
    response_model=CheckResponse,
    summary="Gradient check: backpropagation against central differences",
    openapi_extra=documented_body(GradientsCheckRequest),
)
async def check(request: Request) -> Response:
    """Move every weight and bias θ by ±ε and compare n = (L(θ + ε) − L(θ − ε)) / 2ε with a = ∂L/∂θ.

    Each entry has an expected error E = 2 · (|D(2ε) − D(ε)| / 3 + δL / ε): the truncation error
    (Richardson, from a second difference at 2ε) plus the rounding error δL of the losses. A layer passes
    when its unexplained error max(0, |a − n| − E) / max(|a|, |n|, E) is at most 1e-4, at every ε from
    1e-10 to 1e-2; it is fine when that is at most 1e-7 and the relative error at most 1e-4, acceptable
    when it passes otherwise, a problem when it fails. Each layer names its worst entry (row, column,
    a, n, errors) and, when it fails, its failing entries. Entries whose difference straddles a relu
    kink are counted in `kinks` and left out. Costs four forward passes per parameter, each from the moved
    layer on (the layers before it are shared, the moved networks of a layer go forward together), at most
    `GRADSERVICE_MAX_CHECK_PARAMETERS` of them.
    """
    payload = await read_json(request, GradientsCheckRequest)
    return await compute(answer, payload, cost=limits.cost("check", payload.layers, payload.inputs.shape[0]))


def answer(request: GradientsCheckRequest) -> Response:
    """The work of the endpoint, run by the compute seam (:mod:`service.http.compute`)."""
    result = check_gradients(request.layers, request.inputs, request.targets, request.loss, request.epsilon)
    return respond(check_content(result), request)
