"""gradcore: exact float64 forward and backward passes of fully connected networks.

Pure numpy, any depth. Notation of the seed notes: X is m × n_0 (one example
per row), W_k is n_{k−1} × n_k, Z_k = A_{k−1} · W_k (+ b_k), A_k = f_k(Z_k),
ŷ = A_L, and the default loss is L = Σ ½ (y − ŷ)².

The package has three parts, and this module exports what callers use of each:

- :mod:`gradcore.core`: types, errors, activations, losses, shape checks, the
  forward and backward passes, and gradient descent;
- :mod:`gradcore.gradcheck`: the gradient check by central differences;
- :mod:`gradcore.teaching`: the derivation step by step, its notation, and the
  diagnosis of hand-derived gradients, and assignments (a problem per student, from a seed).

>>> import numpy as np
>>> from gradcore import Layer, forward, backward
>>> layers = [Layer(W=np.array([[0.5], [-0.5]]))]
>>> cache = forward(layers, np.array([[1.0, 2.0]]))
>>> backward(layers, cache, np.array([[1.0]])).dW[0].shape
(2, 1)
"""

from gradcore.core.activations import ACTIVATIONS, Activation, sigmoid
from gradcore.core.errors import GradcoreError, NonFiniteError, ParameterError, Problem, ShapeError
from gradcore.core.losses import LOSSES, Loss
from gradcore.core.network import (
    backward,
    forward,
    input_gradient,
    loss,
    parameter_count,
    unchecked_backward,
    unchecked_forward,
    unchecked_loss,
)
from gradcore.core.secondorder import (
    HessianVector,
    Seed,
    hessian_vector,
    loss_seed,
    output_hessian_vector,
    output_seed,
    unchecked_hessian_vector,
)
from gradcore.core.shapes import all_finite, shape_problems
from gradcore.core.tangents import (
    Direction,
    Tangent,
    direction_problems,
    flatten,
    jvp,
    output_vjp,
    tangents,
    unflatten,
)
from gradcore.core.training import Training, gradient_descent
from gradcore.core.types import Array, Cache, Gradients, Layer
from gradcore.gradcheck.check import (
    ACCEPTABLE,
    ERROR_MODEL,
    FINE,
    MAX_FAILING,
    Entry,
    GradientCheck,
    LayerCheck,
    check_gradients,
)
from gradcore.gradcheck.differences import CHUNK_FLOATS
from gradcore.teaching.answers import (
    Answer,
    Graded,
    LayerAnswer,
    answer_problems,
    as_answer_matrix,
    order,
    pointer,
    symbol,
)
from gradcore.teaching.assignments import (
    AssignedProblem,
    AssignmentTemplate,
    assign,
    assigned_problem,
    template_problems,
)
from gradcore.teaching.claims import claim_problems
from gradcore.teaching.combined import MISTAKES
from gradcore.teaching.comparison import MODES, Comparison
from gradcore.teaching.derivation import Step, derive
from gradcore.teaching.diagnosis import MAX_WRONG, RTOL, Diagnosis, diagnose
from gradcore.teaching.grading import grade
from gradcore.teaching.notation import loss_text
from gradcore.teaching.rules import Violation, rule_violations
from gradcore.teaching.scoring import MISTAKE_CREDIT, credit, score

__all__ = [
    "ACCEPTABLE",
    "ACTIVATIONS",
    "CHUNK_FLOATS",
    "ERROR_MODEL",
    "FINE",
    "LOSSES",
    "MAX_FAILING",
    "MAX_WRONG",
    "MISTAKES",
    "MISTAKE_CREDIT",
    "MODES",
    "RTOL",
    "Activation",
    "Answer",
    "Array",
    "AssignedProblem",
    "AssignmentTemplate",
    "Cache",
    "Comparison",
    "Diagnosis",
    "Direction",
    "Entry",
    "GradcoreError",
    "Graded",
    "GradientCheck",
    "Gradients",
    "HessianVector",
    "Layer",
    "LayerAnswer",
    "LayerCheck",
    "Loss",
    "NonFiniteError",
    "ParameterError",
    "Problem",
    "Seed",
    "ShapeError",
    "Step",
    "Tangent",
    "Training",
    "Violation",
    "all_finite",
    "answer_problems",
    "as_answer_matrix",
    "assign",
    "assigned_problem",
    "backward",
    "check_gradients",
    "claim_problems",
    "credit",
    "derive",
    "diagnose",
    "direction_problems",
    "flatten",
    "forward",
    "grade",
    "gradient_descent",
    "hessian_vector",
    "input_gradient",
    "jvp",
    "loss",
    "loss_seed",
    "loss_text",
    "order",
    "output_hessian_vector",
    "output_seed",
    "output_vjp",
    "parameter_count",
    "pointer",
    "rule_violations",
    "score",
    "shape_problems",
    "sigmoid",
    "symbol",
    "tangents",
    "template_problems",
    "unchecked_backward",
    "unchecked_forward",
    "unchecked_hessian_vector",
    "unchecked_loss",
    "unflatten",
]
