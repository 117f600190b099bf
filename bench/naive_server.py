"""The naive reference, written as most people would: pydantic models of nested float lists,
per-element Python loops for the checks, ``tolist()`` and FastAPI's default JSON response (no response
model: ``jsonable_encoder``, then ``json.dumps``).

The math is gradcore's, so that every server computes the same numbers.
"""

import math

import numpy as np
from fastapi import FastAPI, HTTPException
from pydantic import BaseModel

import gradcore

app = FastAPI()


class Layer(BaseModel):
    weights: list[list[float]]
    activation: str = "sigmoid"
    bias: list[float] | None = None


class Network(BaseModel):
    layers: list[Layer]


class GradientsRequest(BaseModel):
    network: Network
    inputs: list[list[float]]
    targets: list[list[float]]
    loss: str = "half_squared_error"


def check_matrix(name: str, rows: list[list[float]]) -> None:
    for i, row in enumerate(rows):
        if len(row) != len(rows[0]):
            raise HTTPException(422, f"{name}: row {i} has {len(row)} numbers but row 0 has {len(rows[0])}")
        for j, value in enumerate(row):
            if not math.isfinite(value):
                raise HTTPException(422, f"{name}[{i}][{j}] is not finite")


@app.post("/v1/gradients")
def gradients(request: GradientsRequest):  # type: ignore[no-untyped-def]  # no return type, as in the tutorials
    check_matrix("inputs", request.inputs)
    check_matrix("targets", request.targets)
    layers = []
    for k, layer in enumerate(request.network.layers):
        check_matrix(f"layers[{k}].weights", layer.weights)
        layers.append(gradcore.Layer(np.array(layer.weights), layer.activation))
    cache = gradcore.forward(layers, np.array(request.inputs))
    grads = gradcore.backward(layers, cache, np.array(request.targets), request.loss)
    return {
        "loss": grads.loss,
        "output": cache.output.tolist(),
        "layers": [
            {
                "pre_activation": Z.tolist(),
                "activation": A.tolist(),
                "delta": delta.tolist(),
                "weights_gradient": dW.tolist(),
            }
            for Z, A, delta, dW in zip(cache.Z, cache.A, grads.delta, grads.dW, strict=True)
        ],
    }
