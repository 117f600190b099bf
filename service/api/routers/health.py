"""Liveness and readiness."""

import numpy as np
from fastapi import APIRouter

import gradcore
from service.domain.errors import ServiceError

router = APIRouter(tags=["operations"])


@router.get("/healthz", summary="Liveness: the process answers")
async def healthz() -> dict[str, str]:
    """Return `{"status": "ok"}` while the process can answer requests."""
    return {"status": "ok"}


def self_test() -> str | None:
    """Backpropagate through the smallest network whose answer is known by hand; describe any failure.

    One linear layer, W = [[2]], X = [[3]], Y = [[1]]: ŷ = 3 · 2 = 6, L = ½ (1 − 6)² = 12.5 and
    ∂L/∂W = xᵀ · (ŷ − y) = 3 · 5 = 15.
    """
    layers = [gradcore.Layer(W=np.array([[2.0]]), activation="linear")]
    try:
        cache = gradcore.forward(layers, np.array([[3.0]]))
        grads = gradcore.backward(layers, cache, np.array([[1.0]]))
    except Exception as error:  # a readiness probe reports every failure
        return f"the numerical core failed: {error!r}"
    answer = (grads.loss, grads.dW[0].tolist())
    if answer != (12.5, [[15.0]]):
        return f"the numerical core computed (L, ∂L/∂W) = {answer!r}, not (12.5, [[15.0]])"
    return None


@router.get(
    "/readyz",
    summary="Readiness: the service computes gradients correctly",
    responses={503: {"description": "Not ready: the self-test of the numerical core failed."}},
)
async def readyz() -> dict[str, str]:
    """Return `{"status": "ready"}` once a one-layer backpropagation gives its known answer; 503 otherwise."""
    failure = self_test()
    if failure is not None:
        raise ServiceError(503, f"Not ready: {failure}.", type_="/problems/not-ready")
    return {"status": "ready"}
