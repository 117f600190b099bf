"""UM-Bridge 1.0 under ``/umbridge``: ``umbridge.HTTPModel("http://host:port/umbridge", "loss")`` works unchanged.

``GET /Info``; ``POST /ModelInfo``, ``/InputSizes``, ``/OutputSizes``, ``/Evaluate``, ``/Gradient``,
``/ApplyJacobian``, ``/ApplyHessian``: plain Starlette routes of the router, without FastAPI's dependency
machinery (their one parameter is the request), which costs a Gradient of the ``medium`` network some 10 %
(``bench/umbridge.py``); not in the OpenAPI document. Answers hold exactly the protocol's fields; errors are
the protocol's (:class:`~service.api.schemas.umbridge.UMBridgeError`), not problems. The models are in
:mod:`service.api.umbridge`, their configs and the requests in :mod:`service.api.schemas.umbridge`. The bodies
are read within the service's limits (:func:`service.api.body.read_body`) and by its fast path (simdjson's
arrays), and the work goes through the compute seam, with the cost of a gradient (Gradient, ApplyJacobian) or
of two (ApplyHessian).
"""

from __future__ import annotations

from collections.abc import Callable
from dataclasses import dataclass
from typing import Any

import orjson
from fastapi import APIRouter
from starlette.requests import Request
from starlette.responses import Response

from gradcore import Array, GradcoreError
from service.api.body import app_settings, read_body
from service.api.schemas.umbridge import (
    MODELS,
    PROTOCOL_VERSION,
    ApplyHessianRequest,
    ApplyJacobianRequest,
    EvaluateRequest,
    GradientRequest,
    NamedRequest,
    UMBridgeError,
    build,
    from_gradcore,
    from_problem,
    index,
    model_name,
    parse,
    sized,
    the_input,
)
from service.api.umbridge import cost
from service.domain.errors import ServiceError
from service.domain.fastpath import fastjson
from service.domain.fastpath.context import ReadContext
from service.domain.fastpath.screen import could_flood, screen_body
from service.domain.limits import Cost, body_cost
from service.domain.settings import Settings
from service.http.compute import compute
from service.http.responses import ArrayJSONResponse

PREFIX = "/umbridge"
router = APIRouter()


@dataclass(frozen=True)
class Job:
    """The numeric work of a request, for the compute seam: ``run(*args)`` is output 0 (of Evaluate, ``nested``
    in the list of outputs) or the derivative asked for."""

    run: Callable[..., Array]
    args: tuple[Any, ...]
    cost: Cost
    nested: bool = False


Prepare = Callable[[dict[str, Any], ReadContext], "Job | dict[str, Any]"]
"""``prepare(body, context)``: a validated request's :class:`Job`, or its answer when no numeric work is needed."""


def read_json(raw: bytes, settings: Settings) -> tuple[Any, ReadContext]:
    """The JSON value of a body and the validation context of the fast path (:mod:`service.domain.fastpath`): simdjson's
    float64 arrays for a large body (its numbers vouched finite), orjson's objects otherwise; a body that could hold
    more numbers than ``max_numbers`` is screened first (:func:`service.domain.fastpath.screen.screen_body`)."""
    if could_flood(raw, settings):
        screen_body(raw, settings)
    if len(raw) >= fastjson.MIN_BYTES:
        data = fastjson.loads(raw)
        if data is not None:
            return data, ReadContext(settings, finite=True)
    try:
        return orjson.loads(raw), ReadContext.of_text(raw, settings)
    except orjson.JSONDecodeError as error:
        raise UMBridgeError("InvalidInput", f"/: the body is not valid JSON: {error}") from None


def read_and_prepare(raw: bytes, settings: Settings, prepare: Prepare) -> Job | dict[str, Any]:
    """Read the body, check the model's name first (``ModelNotFound``), then validate the rest (``prepare``)."""
    body, context = read_json(raw, settings)
    model_name(body)
    return prepare(body, context)


async def answered(request: Request, prepare: Prepare) -> Response:
    """Read and validate the body (through the compute seam, as a body), run its job (through the seam, at its
    cost) and answer; every error as the protocol's."""
    settings = app_settings(request)
    try:
        raw = await read_body(request, settings)
        job = await compute(read_and_prepare, raw, settings, prepare, cost=body_cost(len(raw)), reading=True)
        if isinstance(job, dict):
            return ArrayJSONResponse(job)
        output = await compute(job.run, *job.args, cost=job.cost)
        return ArrayJSONResponse({"output": [output] if job.nested else output})
    except UMBridgeError as error:
        return error_response(error)
    except ServiceError as problem:
        return error_response(from_problem(problem))
    except GradcoreError as error:
        return error_response(from_gradcore(error))


def error_response(error: UMBridgeError) -> Response:
    """The protocol's error answer: its status and ``{"error": {"type", "message"}}``."""
    return ArrayJSONResponse(error.body, status_code=error.status)


async def info(request: Request) -> Response:
    """The protocol version and the models."""
    return ArrayJSONResponse({"protocolVersion": PROTOCOL_VERSION, "models": list(MODELS)})


def _model_info(body: dict[str, Any], context: ReadContext) -> dict[str, Any]:
    return {"support": dict.fromkeys(("Evaluate", "Gradient", "ApplyJacobian", "ApplyHessian"), True)}


def _input_sizes(body: dict[str, Any], context: ReadContext) -> dict[str, Any]:
    return {"inputSizes": [build(body["name"], parse(NamedRequest, body, context).config, context).input_size]}


def _output_sizes(body: dict[str, Any], context: ReadContext) -> dict[str, Any]:
    return {"outputSizes": [build(body["name"], parse(NamedRequest, body, context).config, context).output_size]}


def _evaluate(body: dict[str, Any], context: ReadContext) -> Job:
    parsed = parse(EvaluateRequest, body, context)
    model = build(parsed.name, parsed.config, context)
    return Job(model.evaluate, (the_input(parsed, model),), cost("Evaluate", model), nested=True)


def _gradient(body: dict[str, Any], context: ReadContext) -> Job:
    parsed = parse(GradientRequest, body, context)
    model = build(parsed.name, parsed.config, context)
    u = the_input(parsed, model)
    index(parsed.outWrt, "outWrt", 1, "output")
    index(parsed.inWrt, "inWrt", 1, "input")
    sens = sized(parsed.sens, "sens", model.output_size, "output 0")
    return Job(model.gradient, (u, sens), cost("Gradient", model))


def _apply_jacobian(body: dict[str, Any], context: ReadContext) -> Job:
    parsed = parse(ApplyJacobianRequest, body, context)
    model = build(parsed.name, parsed.config, context)
    u = the_input(parsed, model)
    index(parsed.outWrt, "outWrt", 1, "output")
    index(parsed.inWrt, "inWrt", 1, "input")
    vec = sized(parsed.vec, "vec", model.input_size, f"input 0, {model.describe_input()},")
    return Job(model.apply_jacobian, (u, vec), cost("ApplyJacobian", model))


def _apply_hessian(body: dict[str, Any], context: ReadContext) -> Job:
    parsed = parse(ApplyHessianRequest, body, context)
    model = build(parsed.name, parsed.config, context)
    u = the_input(parsed, model)
    index(parsed.outWrt, "outWrt", 1, "output")
    index(parsed.inWrt1, "inWrt1", 1, "input")
    index(parsed.inWrt2, "inWrt2", 1, "input")
    sens = sized(parsed.sens, "sens", model.output_size, "output 0")
    vec = sized(parsed.vec, "vec", model.input_size, f"input 0, {model.describe_input()},")
    return Job(model.apply_hessian, (u, sens, vec), cost("ApplyHessian", model))


async def model_info(request: Request) -> Response:
    """What each model supports: everything."""
    return await answered(request, _model_info)


async def input_sizes(request: Request) -> Response:
    """The size of the one input: θ's P numbers (loss), or n_0 (network)."""
    return await answered(request, _input_sizes)


async def output_sizes(request: Request) -> Response:
    """The size of the one output: 1 (loss), or n_L (network)."""
    return await answered(request, _output_sizes)


async def evaluate(request: Request) -> Response:
    """Output 0: [L(θ)] (loss) or ŷ(x) (network)."""
    return await answered(request, _evaluate)


async def gradient(request: Request) -> Response:
    """sensᵀ J, the size of input ``inWrt``: backpropagation."""
    return await answered(request, _gradient)


async def apply_jacobian(request: Request) -> Response:
    """J · vec, the size of output ``outWrt``: forward mode."""
    return await answered(request, _apply_jacobian)


async def apply_hessian(request: Request) -> Response:
    """∇²(sensᵀ output ``outWrt``) with respect to inputs ``inWrt1`` and ``inWrt2``, times vec: forward-over-reverse."""
    return await answered(request, _apply_hessian)


ROUTES = (
    ("/Info", info, "GET"),
    ("/ModelInfo", model_info, "POST"),
    ("/InputSizes", input_sizes, "POST"),
    ("/OutputSizes", output_sizes, "POST"),
    ("/Evaluate", evaluate, "POST"),
    ("/Gradient", gradient, "POST"),
    ("/ApplyJacobian", apply_jacobian, "POST"),
    ("/ApplyHessian", apply_hessian, "POST"),
)
"""Each route: its path under :data:`PREFIX`, its endpoint and its method."""
for path, endpoint, method in ROUTES:
    router.add_route(PREFIX + path, endpoint, methods=[method], include_in_schema=False)
