"""gradcore: exact float64 forward and backward passes of fully connected networks.

Pure numpy, any depth. Notation of the seed notes: X is m × n_0 (one example
per row), W_k is n_{k−1} × n_k, Z_k = A_{k−1} · W_k (+ b_k), A_k = f_k(Z_k),
ŷ = A_L, and the default loss is L = Σ ½ (y − ŷ)².

>>> import numpy as np
>>> from gradcore import Layer, forward, backward
>>> layers = [Layer(W=np.array([[0.5], [-0.5]]))]
>>> cache = forward(layers, np.array([[1.0, 2.0]]))
>>> backward(layers, cache, np.array([[1.0]])).dW[0].shape
(2, 1)
"""

from gradcore.activations import ACTIVATIONS, Activation, sigmoid
from gradcore.checks import shape_problems
from gradcore.errors import GradcoreError, NonFiniteError, Problem, ShapeError
from gradcore.losses import LOSSES, Loss
from gradcore.network import (
    Cache,
    Gradients,
    Layer,
    backward,
    forward,
    loss,
    parameter_count,
    unchecked_backward,
    unchecked_forward,
    unchecked_loss,
)

__all__ = [
    "ACTIVATIONS",
    "LOSSES",
    "Activation",
    "Cache",
    "GradcoreError",
    "Gradients",
    "Layer",
    "Loss",
    "NonFiniteError",
    "Problem",
    "ShapeError",
    "backward",
    "forward",
    "loss",
    "parameter_count",
    "shape_problems",
    "sigmoid",
    "unchecked_backward",
    "unchecked_forward",
    "unchecked_loss",
]
