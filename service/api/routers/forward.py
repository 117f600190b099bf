"""``POST /v1/forward``: the forward pass."""

from typing import Annotated

from fastapi import APIRouter
from starlette.responses import Response

from gradcore import unchecked_forward
from service.api.render import respond
from service.api.schemas.requests import ForwardRequest
from service.api.schemas.responses import ForwardResponse
from service.domain import limits
from service.http.body import json_body
from service.http.compute import compute
from service.http.direct import DirectRoute
from service.http.openapi import documented_body

router = APIRouter(prefix="/v1", tags=["network"], route_class=DirectRoute)


@router.post(
    "/forward",
    response_model=ForwardResponse,
    summary="Forward pass: zₖ, lₖ and the prediction ŷ",
    openapi_extra=documented_body(ForwardRequest),
)
async def forward(request: Annotated[ForwardRequest, json_body(ForwardRequest)]) -> Response:
    """Compute zₖ = lₖ₋₁ · Wₖ (+ bₖ) and lₖ = fₖ(zₖ) for every layer, with l₀ = X and ŷ = `l_L`."""
    return await compute(answer, request, cost=limits.cost("forward", request.layers, request.inputs.shape[0]))


def answer(request: ForwardRequest) -> Response:
    """The work of the endpoint, run by the compute seam (:mod:`service.http.compute`)."""
    # The request model checked the shapes with gradcore.shape_problems: validated once, at the boundary.
    cache = unchecked_forward(request.layers, request.inputs)
    layers = [{"pre_activation": Z, "activation": A} for Z, A in zip(cache.Z, cache.A, strict=True)]
    return respond({"output": cache.output, "layers": layers}, request)
