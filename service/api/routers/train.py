"""``POST /v1/train``: gradient descent."""

from typing import Any

import numpy as np
from fastapi import APIRouter
from starlette.requests import Request
from starlette.responses import Response

from gradcore import Layer, gradient_descent
from service.api.body import read_json
from service.api.openapi import documented_body
from service.api.render import respond
from service.api.routing import RequestRoute
from service.api.schemas.train import TrainRequest, TrainResponse
from service.domain import limits
from service.http.compute import compute

router = APIRouter(prefix="/v1", tags=["teaching"], route_class=RequestRoute)


def network_content(layers: tuple[Layer, ...]) -> dict[str, Any]:
    """A network in the request's format, so that it can be posted again."""
    specs: list[dict[str, Any]] = []
    for layer in layers:
        spec: dict[str, Any] = {"weights": layer.W, "activation": layer.activation}
        if layer.b is not None:
            spec["bias"] = layer.b
        specs.append(spec)
    return {"layers": specs}


@router.post(
    "/train",
    response_model=TrainResponse,
    summary="Gradient descent: Wₖ ← Wₖ − η ∂L/∂Wₖ, repeated",
    openapi_extra=documented_body(TrainRequest),
)
async def train(request: Request) -> Response:
    """Take `steps` full-batch gradient-descent steps with learning rate η = `learning_rate`.

    Every step runs the forward pass, the loss and backpropagation on all m examples, then sets
    Wₖ ← Wₖ − η ∂L/∂Wₖ and bₖ ← bₖ − η ∂L/∂bₖ. The answer holds the steps + 1 losses
    (`loss_history[t]` after t steps), the trained network in the request's format and its prediction ŷ.
    """
    payload = await read_json(request, TrainRequest)
    return await compute(
        answer, payload, cost=limits.cost("train", payload.layers, payload.inputs.shape[0], steps=payload.steps)
    )


def answer(request: TrainRequest) -> Response:
    """The work of the endpoint, run by the compute seam (:mod:`service.http.compute`)."""
    result = gradient_descent(
        request.layers,
        request.inputs,
        request.targets,
        request.loss,
        request.learning_rate,
        request.steps,
    )
    return respond(
        {
            "loss_history": np.array(result.loss_history),
            "network": network_content(result.layers),
            "output": result.output,
        },
        request,
    )
