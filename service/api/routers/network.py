"""``POST /v1/gradients``, ``/v1/forward`` and ``/v1/loss``: backpropagation, the forward pass and the loss.

Each endpoint reads its body (:func:`~service.api.body.read_json`: validated once, at the boundary, shapes
included), prices its work (:func:`service.domain.limits.cost`) and hands its answer function to the compute
seam (:func:`service.http.compute.compute`), which runs the unchecked passes of gradcore and renders the answer.
"""

from typing import Any

from fastapi import APIRouter
from starlette.requests import Request
from starlette.responses import Response

from gradcore import Cache, Gradients, input_gradient, unchecked_backward, unchecked_forward, unchecked_loss
from service.api.body import read_json
from service.api.openapi import documented_body
from service.api.render import respond
from service.api.routing import RequestRoute
from service.api.schemas.requests import ForwardRequest, GradientsRequest, LossRequest
from service.api.schemas.responses import ForwardResponse, GradientsResponse, LossResponse
from service.domain import limits
from service.http.compute import compute

router = APIRouter(prefix="/v1", tags=["network"], route_class=RequestRoute)


@router.post(
    "/gradients",
    response_model=GradientsResponse,
    summary="Gradients ∂L/∂Wₖ by backpropagation",
    openapi_extra=documented_body(GradientsRequest),
)
async def gradients(request: Request) -> Response:
    """Run the forward pass, the loss and backpropagation.

    `Δ_L` = ∂L/∂`z_L` (for the default loss and sigmoid, (ŷ − y) * ŷ * (1 − ŷ)),
    Δₖ = (Δₖ₊₁ · Wₖ₊₁ᵀ) * f′ₖ(zₖ), and ∂L/∂Wₖ = lₖ₋₁ᵀ · Δₖ, the shape of Wₖ.
    With `"include": [..., "input_gradient"]`, also ∂L/∂X = Δ₁ · W₁ᵀ (m × n₀), sent only when named.
    """
    payload = await read_json(request, GradientsRequest)
    with_input = payload.include is not None and "input_gradient" in payload.include
    cost = limits.cost("gradients", payload.layers, payload.inputs.shape[0], input_gradient=with_input)
    return await compute(gradients_answer, payload, cost=cost)


def gradients_content(cache: Cache, grads: Gradients) -> dict[str, Any]:
    """The body of a gradients response: loss, output and every layer's forward and backward arrays."""
    layers: list[dict[str, Any]] = []
    for Z, A, delta, dW, db in zip(cache.Z, cache.A, grads.delta, grads.dW, grads.db, strict=True):
        layer = {"pre_activation": Z, "activation": A, "delta": delta, "weights_gradient": dW}
        if db is not None:
            layer["bias_gradient"] = db
        layers.append(layer)
    return {"loss": grads.loss, "output": cache.output, "layers": layers}


def gradients_answer(request: GradientsRequest) -> Response:
    """Every layer's forward and backward quantities, L and ŷ; ∂L/∂X only when ``include`` names it (it costs)."""
    cache = unchecked_forward(request.layers, request.inputs)
    grads = unchecked_backward(request.layers, cache, request.targets, request.loss)
    content = gradients_content(cache, grads)
    if request.include is not None and "input_gradient" in request.include:
        content["input_gradient"] = input_gradient(request.layers, grads)
    return respond(content, request)


@router.post(
    "/forward",
    response_model=ForwardResponse,
    summary="Forward pass: zₖ, lₖ and the prediction ŷ",
    openapi_extra=documented_body(ForwardRequest),
)
async def forward(request: Request) -> Response:
    """Compute zₖ = lₖ₋₁ · Wₖ (+ bₖ) and lₖ = fₖ(zₖ) for every layer, with l₀ = X and ŷ = `l_L`."""
    payload = await read_json(request, ForwardRequest)
    return await compute(forward_answer, payload, cost=limits.cost("forward", payload.layers, payload.inputs.shape[0]))


def forward_answer(request: ForwardRequest) -> Response:
    """zₖ and lₖ of every layer, and ŷ."""
    cache = unchecked_forward(request.layers, request.inputs)
    layers = [{"pre_activation": Z, "activation": A} for Z, A in zip(cache.Z, cache.A, strict=True)]
    return respond({"output": cache.output, "layers": layers}, request)


@router.post("/loss", response_model=LossResponse, summary="Loss L(ŷ, y)", openapi_extra=documented_body(LossRequest))
async def loss(request: Request) -> Response:
    """Run the forward pass and evaluate the loss, by default L = Σ ½ (y − ŷ)²."""
    payload = await read_json(request, LossRequest)
    return await compute(loss_answer, payload, cost=limits.cost("loss", payload.layers, payload.inputs.shape[0]))


def loss_answer(request: LossRequest) -> Response:
    """L and ŷ."""
    cache = unchecked_forward(request.layers, request.inputs)
    value = unchecked_loss(cache, request.targets, request.loss)
    return respond({"loss": value, "output": cache.output}, request)
