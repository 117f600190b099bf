"""The lean yardstick: raw body → ``orjson.loads`` → numpy → gradcore → ``orjson.dumps``, with no validation at all.

It assumes 2-D lists everywhere (as the benchmark sends) and answers a bad
request with a 500 or a wrong number: fast, not safe. It computes with
gradcore's unchecked passes (the same numerics as the service, without the
shape checks that are part of validation).
"""

from typing import Any

import numpy as np
import orjson
from starlette.applications import Starlette
from starlette.requests import Request
from starlette.responses import Response
from starlette.routing import Route

import gradcore
from gradcore import unchecked_backward, unchecked_forward


async def gradients(request: Request) -> Response:
    body = orjson.loads(await request.body())
    layers = [
        gradcore.Layer(np.array(layer["weights"]), layer.get("activation", "sigmoid"))
        for layer in body["network"]["layers"]
    ]
    cache = unchecked_forward(layers, np.array(body["inputs"]))
    grads = unchecked_backward(layers, cache, np.array(body["targets"]), body.get("loss", "half_squared_error"))
    out: list[dict[str, Any]] = [
        {"pre_activation": Z, "activation": A, "delta": delta, "weights_gradient": dW}
        for Z, A, delta, dW in zip(cache.Z, cache.A, grads.delta, grads.dW, strict=True)
    ]
    content = {"loss": grads.loss, "output": cache.output, "layers": out}
    return Response(orjson.dumps(content, option=orjson.OPT_SERIALIZE_NUMPY), media_type="application/json")


app = Starlette(routes=[Route("/v1/gradients", gradients, methods=["POST"])])
