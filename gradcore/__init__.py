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
from gradcore.derivation import Step, derive
from gradcore.diagnose import Diagnosis, diagnose
from gradcore.errors import GradcoreError, NonFiniteError, ParameterError, Problem, ShapeError
from gradcore.losses import LOSSES, Loss
from gradcore.network import backward, forward, loss, parameter_count
from gradcore.numerical import GradientCheck, LayerCheck, check_gradients
from gradcore.train import Training, gradient_descent
from gradcore.types import Array, Cache, Gradients, Layer

__all__ = [
    "ACTIVATIONS",
    "LOSSES",
    "Activation",
    "Array",
    "Cache",
    "Diagnosis",
    "GradcoreError",
    "GradientCheck",
    "Gradients",
    "Layer",
    "LayerCheck",
    "Loss",
    "NonFiniteError",
    "ParameterError",
    "Problem",
    "ShapeError",
    "Step",
    "Training",
    "backward",
    "check_gradients",
    "derive",
    "diagnose",
    "forward",
    "gradient_descent",
    "loss",
    "parameter_count",
    "shape_problems",
    "sigmoid",
]
