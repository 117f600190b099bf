"""gradclient: a Python client of gradservice, on httpx and numpy only.

Send numpy arrays or lists; get float64 numpy arrays back in typed results that carry every field of
the answer, with its name (a field left out by ``include`` is ``None``; the whole answer is in ``.raw``).
Notation of the seed notes: X is m × n_0 (one example per row), W_k is
n_{k−1} × n_k, z_k = l_{k−1} · W_k (+ b_k), l_k = f_k(z_k), ŷ = l_L.
An error answer raises :class:`ProblemError` with the problem's status, title,
detail, type and the JSON pointer and message of each offending field.
"""

from gradclient.bodies import Network
from gradclient.client import AsyncGradientClient, GradientClient
from gradclient.errors import FieldError, ProblemError, ServiceUnreachableError
from gradclient.grading import GradedCredit, GradeResult, GradeSummary, Group, QuantitySummary, StudentGrade
from gradclient.hessian import HessianVectorLayer, HessianVectorPart, HessianVectorResult
from gradclient.results import (
    AssignedProblem,
    AssignmentsResult,
    CheckEntry,
    CheckLayer,
    CheckResult,
    DerivationResult,
    DerivationStep,
    ForwardLayer,
    ForwardResult,
    GradedQuantity,
    GradientsLayer,
    GradientsResult,
    LossResult,
    Operand,
    Result,
    StepShapes,
    TrainedLayer,
    TrainedNetwork,
    TrainResult,
    Verdict,
    VerifyLayer,
    VerifyResult,
    WrongEntry,
    WrongValue,
)

__all__ = [
    "AssignedProblem",
    "AssignmentsResult",
    "AsyncGradientClient",
    "CheckEntry",
    "CheckLayer",
    "CheckResult",
    "DerivationResult",
    "DerivationStep",
    "FieldError",
    "ForwardLayer",
    "ForwardResult",
    "GradeResult",
    "GradeSummary",
    "GradedCredit",
    "GradedQuantity",
    "GradientClient",
    "GradientsLayer",
    "GradientsResult",
    "Group",
    "HessianVectorLayer",
    "HessianVectorPart",
    "HessianVectorResult",
    "LossResult",
    "Network",
    "Operand",
    "ProblemError",
    "QuantitySummary",
    "Result",
    "ServiceUnreachableError",
    "StepShapes",
    "StudentGrade",
    "TrainResult",
    "TrainedLayer",
    "TrainedNetwork",
    "Verdict",
    "VerifyLayer",
    "VerifyResult",
    "WrongEntry",
    "WrongValue",
]
