"""``POST /v1/derivation``: backpropagation written out step by step, as JSON or Markdown."""

from typing import Any

from fastapi import APIRouter
from starlette.requests import Request
from starlette.responses import Response

from gradcore import Step, derive
from service.api.body import read_json
from service.api.markdown import derivation_markdown
from service.api.openapi import documented_body
from service.api.render import respond
from service.api.routing import RequestRoute
from service.api.schemas.derivation import DerivationRequest, DerivationResponse
from service.domain import limits
from service.domain.errors import ServiceError
from service.http.compute import compute
from service.http.negotiation import negotiate

router = APIRouter(prefix="/v1", tags=["teaching"], route_class=RequestRoute)

JSON, MARKDOWN = "application/json", "text/markdown"


def step_content(step: Step) -> dict[str, Any]:
    """One step of the JSON answer."""
    return {
        "kind": step.kind,
        "layer": step.layer,
        "symbol": step.symbol,
        "description": step.description,
        "equation": step.equation,
        "latex": step.latex,
        "shapes": {
            "operands": [{"name": operand.name, "shape": list(operand.shape)} for operand in step.operands],
            "result": list(step.shape),
            "check": step.check,
        },
        "value": step.value,
    }


@router.post(
    "/derivation",
    response_model=DerivationResponse,
    summary="The derivation of ∂L/∂Wₖ, step by step (JSON, or Markdown with Accept: text/markdown)",
    openapi_extra=documented_body(DerivationRequest),
    responses={
        200: {"content": {MARKDOWN: {"schema": {"type": "string"}}}},
        406: {"description": "The Accept header accepts neither application/json nor text/markdown."},
    },
)
async def derivation(request: Request) -> Response:
    """Write out every equation of the forward pass, the loss and backpropagation, with shapes and values.

    zₖ = lₖ₋₁ · Wₖ, lₖ = fₖ(zₖ), L, `Δ_L` = ∂L/∂`z_L`, Δₖ = (Δₖ₊₁ · Wₖ₊₁ᵀ) * f′ₖ(zₖ) and
    ∂L/∂Wₖ = lₖ₋₁ᵀ · Δₖ, each with the dimension check (nₖ₋₁ × m) · (m × nₖ) = nₖ₋₁ × nₖ.
    The values are those of `POST /v1/gradients`. JSON by default; `Accept: text/markdown` gives a document.
    """
    payload = await read_json(request, DerivationRequest)
    accept = request.headers.get("accept")
    media_type = negotiate(accept, (JSON, MARKDOWN))
    m, markdown = payload.inputs.shape[0], media_type == MARKDOWN
    return await compute(
        answer, payload, markdown, cost=limits.cost("derivation", payload.layers, m, markdown=markdown)
    )


def answer(request: DerivationRequest, markdown: bool) -> Response:
    """The work of the endpoint, run by the compute seam (:mod:`service.http.compute`)."""
    if markdown and (request.include is not None or request.encoding != "json"):
        raise ServiceError(
            422,
            "include and encoding select and encode the fields of the JSON derivation; the Markdown document "
            "(Accept: text/markdown) has neither: leave them out, or ask for application/json.",
            type_="/problems/invalid-request",
            errors=[
                {
                    "pointer": "/include" if request.include is not None else "/encoding",
                    "message": "not available with Accept: text/markdown",
                }
            ],
        )
    steps = derive(request.layers, request.inputs, request.targets, request.loss)
    if markdown:
        text = derivation_markdown(request.layers, request.inputs, request.targets, request.loss, steps)
        return Response(text, media_type=MARKDOWN)
    return respond({"steps": [step_content(step) for step in steps]}, request)
