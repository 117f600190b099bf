"""``POST /v1/gradients/verify``: diagnose a claimed gradient."""

from typing import Any

from fastapi import APIRouter
from starlette.requests import Request
from starlette.responses import Response

from gradcore import Comparison, Diagnosis, diagnose, grade
from service.api.body import read_json
from service.api.openapi import documented_body
from service.api.render import respond
from service.api.routing import RequestRoute
from service.api.schemas.answers import graded_content
from service.api.schemas.verify import GradientsVerifyRequest, VerifyResponse
from service.domain import limits
from service.http.compute import compute
from service.http.instructor import is_instructor

router = APIRouter(prefix="/v1", tags=["teaching"], route_class=RequestRoute)


def verdict_content(diagnosis: Diagnosis) -> dict[str, Any]:
    """One verdict as JSON."""
    return {
        "verdict": diagnosis.verdict,
        "factor": diagnosis.factor,
        "max_abs_error": diagnosis.max_abs_error,
        "expected": diagnosis.expected,
        "hint": diagnosis.hint,
        "worst_index": list(diagnosis.worst_index) if diagnosis.worst_index is not None else None,
        "missing_at_layer": diagnosis.missing_at_layer,
        "rounded_to": diagnosis.rounded_to,
        "wrong_entries": [
            {"index": list(entry.index), "expected": entry.expected, "claimed": entry.claimed}
            for entry in diagnosis.wrong
        ],
        "wrong_count": diagnosis.wrong_count,
        "mistakes": list(diagnosis.mistakes),
    }


@router.post(
    "/gradients/verify",
    response_model=VerifyResponse,
    summary="Diagnose a claimed gradient: correct, sign flipped, transposed, scaled, missing f′ or incorrect",
    openapi_extra=documented_body(GradientsVerifyRequest),
)
async def verify(request: Request) -> Response:
    """Compare each claimed ∂L/∂Wₖ (and ∂L/∂bₖ) with backpropagation and name the mistake.

    C ≈ R when max |C − R| ≤ rtol · max |R| + 1e-12. The verdicts are tried in this order: `correct` (C ≈ T),
    `sign_flipped` (C ≈ −T), `transposed` (Cᵀ ≈ T), `missing_activation_derivative` (C ≈ the gradient with
    f′ⱼ ≡ 1 at one layer j, the output first), `scaled` (C ≈ α T, with the usual causes of α), `incorrect`.
    A claim written to d ≥ 2 significant digits matches its reference rounded to d digits (`rounded_to`: d);
    an incorrect claim lists its `wrong_entries`.
    """
    payload = await read_json(request, GradientsVerifyRequest)
    withheld = not is_instructor(request.scope)
    cost = limits.cost("verify", payload.layers, payload.inputs.shape[0])
    return await compute(answer, payload, withheld, cost=cost)


def answer(request: GradientsVerifyRequest, withheld: bool = False) -> Response:
    """The work of the endpoint, run by the compute seam (:mod:`service.http.compute`); ``withheld``: every
    ``expected`` value and ``max_abs_error`` left out (classroom mode, for a student), the verdicts and wrong
    positions kept."""
    layers, verdicts = [], []
    if request.claimed_gradients is not None:
        weights, biases = diagnose(
            request.layers,
            request.inputs,
            request.targets,
            request.claimed_gradients,
            request.claimed_bias_gradients,
            request.loss,
            request.rtol,
        )
        for weight, bias in zip(weights, biases, strict=True):
            layer = verdict_content(weight)
            if bias is not None:
                layer["bias"] = verdict_content(bias)
            layers.append(layer)
        verdicts = [d.verdict for d in [*weights, *(bias for bias in biases if bias is not None)]]
    content: dict[str, Any] = {"all_correct": True, "rtol": request.rtol, "layers": layers}
    if request.claimed is not None:
        graded = grade(
            request.layers, request.inputs, request.targets, request.answer, request.loss, Comparison(rtol=request.rtol)
        )
        content["graded"] = [graded_content(entry) for entry in graded]
        verdicts += [entry.verdict for entry in graded]
    content["all_correct"] = all(verdict == "correct" for verdict in verdicts)
    return respond(withheld_content(content) if withheld else content, request)


REVEALING = frozenset({"expected", "max_abs_error"})
"""The members that give the true value away: itself, or its distance to the claim (T = C ± the error for a
single number)."""


def withheld_content(value: Any) -> Any:
    """``value`` without the members named in :data:`REVEALING`, at every depth."""
    if isinstance(value, dict):
        return {key: withheld_content(item) for key, item in value.items() if key not in REVEALING}
    if isinstance(value, list):
        return [withheld_content(item) for item in value]
    return value
