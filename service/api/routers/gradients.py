"""``POST /v1/gradients``: backpropagation."""

from typing import Annotated, Any

from fastapi import APIRouter
from starlette.responses import Response

from gradcore import Cache, Gradients, input_gradient, unchecked_backward, unchecked_forward
from service.api.render import respond
from service.api.schemas.requests import GradientsRequest
from service.api.schemas.responses import GradientsResponse
from service.domain import limits
from service.http.body import json_body
from service.http.compute import compute
from service.http.direct import DirectRoute
from service.http.openapi import documented_body

router = APIRouter(prefix="/v1", tags=["network"], route_class=DirectRoute)


def gradients_content(cache: Cache, grads: Gradients) -> dict[str, Any]:
    """The body of a gradients response: loss, output and every layer's forward and backward arrays."""
    layers: list[dict[str, Any]] = []
    for Z, A, delta, dW, db in zip(cache.Z, cache.A, grads.delta, grads.dW, grads.db, strict=True):
        layer = {"pre_activation": Z, "activation": A, "delta": delta, "weights_gradient": dW}
        if db is not None:
            layer["bias_gradient"] = db
        layers.append(layer)
    return {"loss": grads.loss, "output": cache.output, "layers": layers}


@router.post(
    "/gradients",
    response_model=GradientsResponse,
    summary="Gradients ∂L/∂Wₖ by backpropagation",
    openapi_extra=documented_body(GradientsRequest),
)
async def gradients(request: Annotated[GradientsRequest, json_body(GradientsRequest)]) -> Response:
    """Run the forward pass, the loss and backpropagation.

    `Δ_L` = ∂L/∂`z_L` (for the default loss and sigmoid, (ŷ − y) * ŷ * (1 − ŷ)),
    Δₖ = (Δₖ₊₁ · Wₖ₊₁ᵀ) * f′ₖ(zₖ), and ∂L/∂Wₖ = lₖ₋₁ᵀ · Δₖ, the shape of Wₖ.
    With `"include": [..., "input_gradient"]`, also ∂L/∂X = Δ₁ · W₁ᵀ (m × n₀), sent only when named.
    """
    with_input = request.include is not None and "input_gradient" in request.include
    cost = limits.cost("gradients", request.layers, request.inputs.shape[0], input_gradient=with_input)
    return await compute(answer, request, cost=cost)


def answer(request: GradientsRequest) -> Response:
    """The work of the endpoint, run by the compute seam (:mod:`service.http.compute`)."""
    # The request model checked the shapes with gradcore.shape_problems: validated once, at the boundary.
    cache = unchecked_forward(request.layers, request.inputs)
    grads = unchecked_backward(request.layers, cache, request.targets, request.loss)
    content = gradients_content(cache, grads)
    if request.include is not None and "input_gradient" in request.include:  # only when asked for: it costs
        content["input_gradient"] = input_gradient(request.layers, grads)
    return respond(content, request)
