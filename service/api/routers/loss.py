"""``POST /v1/loss``: the loss of a prediction."""

from typing import Annotated

from fastapi import APIRouter
from starlette.responses import Response

from gradcore import unchecked_forward, unchecked_loss
from service.api.render import respond
from service.api.schemas.requests import LossRequest
from service.api.schemas.responses import LossResponse
from service.domain import limits
from service.http.body import json_body
from service.http.compute import compute
from service.http.direct import DirectRoute
from service.http.openapi import documented_body

router = APIRouter(prefix="/v1", tags=["network"], route_class=DirectRoute)


@router.post(
    "/loss",
    response_model=LossResponse,
    summary="Loss L(ŷ, y)",
    openapi_extra=documented_body(LossRequest),
)
async def loss(request: Annotated[LossRequest, json_body(LossRequest)]) -> Response:
    """Run the forward pass and evaluate the loss, by default L = Σ ½ (y − ŷ)²."""
    return await compute(answer, request, cost=limits.cost("loss", request.layers, request.inputs.shape[0]))


def answer(request: LossRequest) -> Response:
    """The work of the endpoint, run by the compute seam (:mod:`service.http.compute`)."""
    # The request model checked the shapes with gradcore.shape_problems: validated once, at the boundary.
    cache = unchecked_forward(request.layers, request.inputs)
    value = unchecked_loss(cache, request.targets, request.loss)
    return respond({"loss": value, "output": cache.output}, request)
