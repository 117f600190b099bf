"""``POST /v1/gradients/check``: backpropagation against central differences."""

from typing import Annotated, Any

from fastapi import APIRouter
from starlette.responses import Response

from gradcore.numerical import ACCEPTABLE, FINE, GradientCheck, check_gradients
from service import limits
from service.api.render import respond
from service.api.schemas.check import CheckResponse, GradientsCheckRequest
from service.http.body import json_body
from service.http.compute import compute
from service.http.openapi import documented_body

router = APIRouter(tags=["teaching"])


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
            "rating": layer.rating,
            "passed": layer.passed,
            "kinks": layer.kinks,
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
        "tiny": check.tiny,
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
async def check(
    request: Annotated[GradientsCheckRequest, json_body(GradientsCheckRequest)],
) -> Response:
    """Move every weight and bias θ by ±ε and compare n = (L(θ + ε) − L(θ − ε)) / 2ε with ∂L/∂θ.

    Relative error e = |a − n| / max(|a|, |n|, tiny) with tiny = 10⁸ · u · max(1, |L|) / ε (u = 2⁻⁵²);
    a layer is fine for e ≤ 1e-7, acceptable (passes) for e ≤ 1e-4, a problem above. Entries whose
    difference straddles a relu kink are counted in `kinks` and left out. Runs in a worker thread:
    it costs two forward passes per parameter, at most `GRADSERVICE_MAX_CHECK_PARAMETERS` of them.
    """
    return await compute(answer, request, cost=limits.cost("check", request.layers, request.inputs.shape[0]))


def answer(request: GradientsCheckRequest) -> Response:
    """The work of the endpoint, run by the compute seam (:mod:`service.http.compute`)."""
    result = check_gradients(request.layers, request.inputs, request.targets, request.loss, request.epsilon)
    return respond(check_content(result), request)
