"""UM-Bridge 1.0 under ``/umbridge``: ``umbridge.HTTPModel("http://host:port/umbridge", "loss")`` works unchanged.

``GET /Info``; ``POST /ModelInfo``, ``/InputSizes``, ``/OutputSizes``, ``/Evaluate``, ``/Gradient``,
``/ApplyJacobian``, ``/ApplyHessian``: plain Starlette routes of the router, without FastAPI's dependency
machinery (their one parameter is the request), which costs a Gradient of the ``medium`` network some 10 %
(``bench/umbridge.py``); not in the OpenAPI document. Answers hold exactly the protocol's fields; errors are
the protocol's (:class:`~service.api.schemas.umbridge.UMBridgeError`), not problems. The models are in
:mod:`service.api.umbridge`, their configs and the requests in :mod:`service.api.schemas.umbridge`. The bodies
are read within the service's limits (:func:`service.http.body.read_body`) and by its fast path (simdjson's
arrays), and the work goes through the compute seam, with the cost of a gradient (Gradient, ApplyJacobian) or
of two (ApplyHessian).
"""

from __future__ import annotations

from collections.abc import Awaitable, Callable
from typing import Any

import orjson
from fastapi import APIRouter, Request
from starlette.responses import Response

from gradcore import GradcoreError
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
from service.fastpath import fastjson
from service.fastpath.context import FAST, FINITE, fast_context
from service.http.body import app_settings, read_body
from service.http.compute import compute
from service.http.problems import ProblemError
from service.http.responses import ArrayJSONResponse
from service.limits import body_cost
from service.settings import Settings

PREFIX = "/umbridge"
router = APIRouter()


def error_response(error: UMBridgeError) -> Response:
    return ArrayJSONResponse(error.body, status_code=error.status)


Work = Callable[[dict[str, Any], dict[str, Any]], Awaitable[dict[str, Any]]]
"""``work(body, context)``: the answer's content, from the JSON body and its validation context."""


def read_json(raw: bytes, settings: Settings) -> tuple[Any, dict[str, Any]]:
    """The JSON value of a body and the validation context of the fast path (:mod:`service.fastpath`): simdjson's
    float64 arrays for a large body (its numbers vouched finite), orjson's objects otherwise."""
    if len(raw) >= fastjson.MIN_BYTES:
        data = fastjson.loads(raw)
        if data is not None:
            return data, {FAST: False, FINITE: True, "settings": settings}
    try:
        return orjson.loads(raw), {**fast_context(raw), "settings": settings}
    except orjson.JSONDecodeError as error:
        raise UMBridgeError("InvalidInput", f"/: the body is not valid JSON: {error}") from None


async def answered(request: Request, work: Work) -> Response:
    """Read the body as JSON, check the model's name, run ``work(body, context)``; every error as the protocol's."""
    settings = app_settings(request)
    try:
        raw = await read_body(request, settings)
        body, context = await compute(read_json, raw, settings, cost=body_cost(len(raw)), reading=True)
        model_name(body)
        return ArrayJSONResponse(await work(body, context))
    except UMBridgeError as error:
        return error_response(error)
    except ProblemError as problem:
        return error_response(from_problem(problem))
    except GradcoreError as error:
        return error_response(from_gradcore(error))


async def info(request: Request) -> Response:
    """The protocol version and the models."""
    return ArrayJSONResponse({"protocolVersion": PROTOCOL_VERSION, "models": list(MODELS)})


async def model_info(request: Request) -> Response:
    """What each model supports: everything."""

    async def work(body: dict[str, Any], context: dict[str, Any]) -> dict[str, Any]:
        support = dict.fromkeys(("Evaluate", "Gradient", "ApplyJacobian", "ApplyHessian"), True)
        return {"support": support}

    return await answered(request, work)


async def input_sizes(request: Request) -> Response:
    """The size of the one input: θ's P numbers (loss), or n_0 (network)."""

    async def work(body: dict[str, Any], context: dict[str, Any]) -> dict[str, Any]:
        return {"inputSizes": [build(body["name"], parse(NamedRequest, body, context).config, context).input_size]}

    return await answered(request, work)


async def output_sizes(request: Request) -> Response:
    """The size of the one output: 1 (loss), or n_L (network)."""

    async def work(body: dict[str, Any], context: dict[str, Any]) -> dict[str, Any]:
        return {"outputSizes": [build(body["name"], parse(NamedRequest, body, context).config, context).output_size]}

    return await answered(request, work)


async def evaluate(request: Request) -> Response:
    """Output 0: [L(θ)] (loss) or ŷ(x) (network)."""

    async def work(body: dict[str, Any], context: dict[str, Any]) -> dict[str, Any]:
        parsed = parse(EvaluateRequest, body, context)
        model = build(parsed.name, parsed.config, context)
        u = the_input(parsed, model)
        return {"output": [await compute(model.evaluate, u, cost=cost("Evaluate", model))]}

    return await answered(request, work)


async def gradient(request: Request) -> Response:
    """sensᵀ J, the size of input ``inWrt``: backpropagation."""

    async def work(body: dict[str, Any], context: dict[str, Any]) -> dict[str, Any]:
        parsed = parse(GradientRequest, body, context)
        model = build(parsed.name, parsed.config, context)
        u = the_input(parsed, model)
        index(parsed.outWrt, "outWrt", 1, "output")
        index(parsed.inWrt, "inWrt", 1, "input")
        sens = sized(parsed.sens, "sens", model.output_size, "output 0")
        return {"output": await compute(model.gradient, u, sens, cost=cost("Gradient", model))}

    return await answered(request, work)


async def apply_jacobian(request: Request) -> Response:
    """J · vec, the size of output ``outWrt``: forward mode."""

    async def work(body: dict[str, Any], context: dict[str, Any]) -> dict[str, Any]:
        parsed = parse(ApplyJacobianRequest, body, context)
        model = build(parsed.name, parsed.config, context)
        u = the_input(parsed, model)
        index(parsed.outWrt, "outWrt", 1, "output")
        index(parsed.inWrt, "inWrt", 1, "input")
        vec = sized(parsed.vec, "vec", model.input_size, f"input 0, {model.describe_input()},")
        return {"output": await compute(model.apply_jacobian, u, vec, cost=cost("ApplyJacobian", model))}

    return await answered(request, work)


async def apply_hessian(request: Request) -> Response:
    """∇²(sensᵀ output ``outWrt``) with respect to inputs ``inWrt1`` and ``inWrt2``, times vec: forward-over-reverse."""

    async def work(body: dict[str, Any], context: dict[str, Any]) -> dict[str, Any]:
        parsed = parse(ApplyHessianRequest, body, context)
        model = build(parsed.name, parsed.config, context)
        u = the_input(parsed, model)
        index(parsed.outWrt, "outWrt", 1, "output")
        index(parsed.inWrt1, "inWrt1", 1, "input")
        index(parsed.inWrt2, "inWrt2", 1, "input")
        sens = sized(parsed.sens, "sens", model.output_size, "output 0")
        vec = sized(parsed.vec, "vec", model.input_size, f"input 0, {model.describe_input()},")
        return {"output": await compute(model.apply_hessian, u, sens, vec, cost=cost("ApplyHessian", model))}

    return await answered(request, work)


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
