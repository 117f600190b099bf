"""UM-Bridge 1.0 under ``/umbridge``: ``umbridge.HTTPModel("http://host:port/umbridge", "loss")`` works unchanged.

``GET /Info``; ``POST /ModelInfo``, ``/InputSizes``, ``/OutputSizes``, ``/Evaluate``, ``/Gradient``,
``/ApplyJacobian``, ``/ApplyHessian``: plain Starlette routes of the router, without FastAPI's dependency
machinery (their one parameter is the request); not in the OpenAPI document. Answers hold exactly the protocol's
fields; errors are the protocol's (:func:`~service.api.schemas.umbridge_errors.protocol_error`), not problems.
A body takes the road of every other endpoint's, :func:`service.api.body.read_json`, to its request model
(:mod:`service.api.schemas.umbridge`), which builds the model (:mod:`service.api.umbridge`); then the work goes
through the compute seam, with the cost of a gradient (Gradient, ApplyJacobian) or of two (ApplyHessian).
"""

from __future__ import annotations

from collections.abc import Callable
from dataclasses import dataclass
from typing import Any, TypeVar

from fastapi import APIRouter
from pydantic import ValidationError
from starlette.requests import Request
from starlette.responses import Response

from gradcore import Array, GradcoreError
from service.api.body import read_json
from service.api.schemas.umbridge import (
    MODELS,
    PROTOCOL_VERSION,
    ApplyHessianRequest,
    ApplyJacobianRequest,
    EvaluateRequest,
    GradientRequest,
    ModelRequest,
    NamedRequest,
)
from service.api.schemas.umbridge_errors import protocol_error
from service.api.umbridge import cost
from service.domain.errors import ServiceError
from service.domain.limits import Cost
from service.http.compute import compute
from service.http.responses import ArrayJSONResponse

PREFIX = "/umbridge"
METHODS = ("Evaluate", "Gradient", "ApplyJacobian", "ApplyHessian")
"""The protocol's methods, which both models support."""
router = APIRouter()
R = TypeVar("R", bound=NamedRequest)


@dataclass(frozen=True)
class Job:
    """The numeric work of a request, for the compute seam: ``run(*args)`` is output 0 (of Evaluate, ``nested``
    in the list of outputs) or the derivative asked for."""

    run: Callable[..., Array]
    args: tuple[Any, ...]
    cost: Cost
    nested: bool = False


Answer = Callable[[R], "Job | dict[str, Any]"]
"""``answer(request)``: a validated request's :class:`Job`, or its answer when no numeric work is needed."""


async def answered(request: Request, model: type[R], answer: Answer[R]) -> Response:
    """Read the body as ``model`` (:func:`~service.api.body.read_json`: the headers, the body within its limits, then
    validated through the compute seam), run its job (through the seam, at its cost) and answer; every error as
    the protocol's."""
    try:
        job = answer(await read_json(request, model))
        if isinstance(job, dict):
            return ArrayJSONResponse(job)
        output = await compute(job.run, *job.args, cost=job.cost)
        return ArrayJSONResponse({"output": [output] if job.nested else output})
    except (ValidationError, ServiceError, GradcoreError) as refused:
        error = protocol_error(refused)
        return ArrayJSONResponse(error.body, status_code=error.status, headers=error.headers)


def post(path: str, model: type[R]) -> Callable[[Answer[R]], Answer[R]]:
    """Serve ``POST PREFIX + path`` with the decorated answer to a body of ``model``."""

    def route(answer: Answer[R]) -> Answer[R]:
        async def endpoint(request: Request) -> Response:
            return await answered(request, model, answer)

        endpoint.__doc__ = answer.__doc__
        router.add_route(PREFIX + path, endpoint, methods=["POST"], name=answer.__name__, include_in_schema=False)
        return answer

    return route


async def info(request: Request) -> Response:
    """The protocol version and the models."""
    return ArrayJSONResponse({"protocolVersion": PROTOCOL_VERSION, "models": list(MODELS)})


router.add_route(PREFIX + "/Info", info, methods=["GET"], include_in_schema=False)


@post("/ModelInfo", NamedRequest)
def model_info(request: NamedRequest) -> dict[str, Any]:
    """What each model supports: everything."""
    return {"support": dict.fromkeys(METHODS, True)}


@post("/InputSizes", ModelRequest)
def input_sizes(request: ModelRequest) -> dict[str, Any]:
    """The size of the one input: θ's P numbers (loss), or n_0 (network)."""
    return {"inputSizes": [request.model.input_size]}


@post("/OutputSizes", ModelRequest)
def output_sizes(request: ModelRequest) -> dict[str, Any]:
    """The size of the one output: 1 (loss), or n_L (network)."""
    return {"outputSizes": [request.model.output_size]}


@post("/Evaluate", EvaluateRequest)
def evaluate(request: EvaluateRequest) -> Job:
    """Output 0: [L(θ)] (loss) or ŷ(x) (network)."""
    return Job(request.model.evaluate, (request.u,), cost("Evaluate", request.model), nested=True)


@post("/Gradient", GradientRequest)
def gradient(request: GradientRequest) -> Job:
    """sensᵀ J, the size of input ``inWrt``: backpropagation."""
    return Job(request.model.gradient, (request.u, request.sens), cost("Gradient", request.model))


@post("/ApplyJacobian", ApplyJacobianRequest)
def apply_jacobian(request: ApplyJacobianRequest) -> Job:
    """J · vec, the size of output ``outWrt``: forward mode."""
    return Job(request.model.apply_jacobian, (request.u, request.vec), cost("ApplyJacobian", request.model))


@post("/ApplyHessian", ApplyHessianRequest)
def apply_hessian(request: ApplyHessianRequest) -> Job:
    """∇²(sensᵀ output ``outWrt``) with respect to inputs ``inWrt1`` and ``inWrt2``, times vec: forward-over-reverse."""
    u, sens, vec = request.u, request.sens, request.vec
    return Job(request.model.apply_hessian, (u, sens, vec), cost("ApplyHessian", request.model))
