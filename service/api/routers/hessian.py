"""``POST /v1/gradients/hessian-vector``: the exact product of the loss's Hessian with a direction v."""

from typing import Any

from fastapi import APIRouter
from starlette.requests import Request
from starlette.responses import Response

from gradcore import Array, HessianVector, flatten, loss_seed, unchecked_hessian_vector
from service.api.body import read_json
from service.api.openapi import documented_body
from service.api.render import respond
from service.api.routing import RequestRoute
from service.api.schemas.hessian import HessianVectorRequest, HessianVectorResponse
from service.domain import limits
from service.http.compute import compute

router = APIRouter(prefix="/v1", tags=["network"], route_class=RequestRoute)


def hessian_vector_content(result: HessianVector, v: Array) -> dict[str, Any]:
    """The body of a Hessian–vector response: loss, output, slope ∇Lᵀv, curvature vᵀ∇²Lv and every layer's blocks."""
    grads = result.gradients
    layers: list[dict[str, Any]] = []
    for dW, db, HW, Hb in zip(grads.dW, grads.db, result.dW, result.db, strict=True):
        layer: dict[str, Any] = {"weights_gradient": dW}
        if db is not None:
            layer["bias_gradient"] = db
        layer["hessian_vector"] = {"weights": HW} if Hb is None else {"weights": HW, "bias": Hb}
        layers.append(layer)
    slope = float(flatten(grads.dW, grads.db) @ v)
    curvature = float(flatten(result.dW, result.db) @ v)
    return {"loss": grads.loss, "output": result.output, "slope": slope, "curvature": curvature, "layers": layers}


@router.post(
    "/gradients/hessian-vector",
    response_model=HessianVectorResponse,
    summary="Hessian–vector product ∇²L · v, exact",
    openapi_extra=documented_body(HessianVectorRequest),
)
async def hessian_vector(request: Request) -> Response:
    """The exact product of the Hessian of L (in every weight and bias) with a direction v, and the gradient.

    Forward-over-reverse (Pearlmutter's R-operator): the forward pass and its derivative along v, then
    backpropagation and its derivative along v: about the cost of two gradients, exact to rounding, not a
    finite difference. `slope` = ∇Lᵀv and `curvature` = vᵀ∇²Lv give the Newton step along v,
    t = −slope / curvature.
    """
    payload = await read_json(request, HessianVectorRequest)
    cost = limits.cost("hessian_vector", payload.layers, payload.inputs.shape[0])
    return await compute(answer, payload, cost=cost)


def answer(request: HessianVectorRequest) -> Response:
    """The work of the endpoint, run by the compute seam (:mod:`service.http.compute`)."""
    # The request model checked the shapes, the network's and v's: validated once, at the boundary.
    V = request.direction
    result = unchecked_hessian_vector(request.layers, request.inputs, loss_seed(request.targets, request.loss), V)
    content = hessian_vector_content(result, flatten(V.W, V.b))
    return respond(content, request)
