"""Typed results: every field of the service's JSON answers, matrices as float64 numpy arrays.

Notation of the seed notes: one example per row, z_k = l_{k−1} · W_k (+ b_k),
l_k = f_k(z_k), ŷ = l_L, Δ_k = ∂L/∂z_k. Every matrix is 2-D (m × n_k, or
n_{k−1} × n_k for a weights gradient); a bias gradient is a vector of n_k numbers.

Each result class declares the fields of one response model of the service, with the
answer's names; :meth:`Result.from_json` fills them from the JSON by their declared
types, so a class is its list of annotated fields and nothing else. Arrays may come
as nested lists or as compact tensors (``"encoding": "base64"``). A field that the
answer leaves out (``include``) is ``None``; a field this client does not know yet is
kept, with the whole answer, in ``raw``. ``tests/gradclient/test_every_field.py`` holds
every class's fields equal to those of the service's response models.
"""

from __future__ import annotations

import base64
import sys
import types
from collections.abc import Callable, Mapping
from dataclasses import dataclass, field, fields
from typing import Any, ClassVar, Literal, Self, Union, get_args, get_origin, get_type_hints

import numpy as np
from numpy.typing import NDArray

Array = NDArray[np.float64]
DTYPES = {"float64": "<f8", "float32": "<f4"}


def array(value: Any) -> Array:
    """A JSON number, list, list of rows or compact tensor ``{"shape", "dtype", "data"}`` as a float64 array."""
    if isinstance(value, Mapping):
        raw = np.frombuffer(base64.b64decode(value["data"]), DTYPES[value["dtype"]])
        return raw.astype(np.float64).reshape(value["shape"])
    return np.asarray(value, dtype=np.float64)


def _number_or_array(value: Any) -> float | Array:
    return float(value) if isinstance(value, int | float) else array(value)


@dataclass(frozen=True, eq=False, kw_only=True)
class Result:
    """A JSON object of an answer as typed attributes; ``raw`` is the object itself, unknown fields included."""

    raw: dict[str, Any] = field(default_factory=dict, repr=False)
    _converters: ClassVar[dict[type, dict[str, Callable[[Any], Any]]]] = {}

    @classmethod
    def field_names(cls) -> tuple[str, ...]:
        """The answer's fields this class declares, in order (``raw`` left out)."""
        return tuple(item.name for item in fields(cls) if item.name != "raw")

    @classmethod
    def from_json(cls, data: Mapping[str, Any]) -> Self:
        """Read one JSON object: each declared field converted by its type, ``None`` when absent or null."""
        converters = cls._converters.get(cls) or cls._converters.setdefault(cls, _converters_of(cls))
        values = {name: None if data.get(name) is None else convert(data[name]) for name, convert in converters.items()}
        return cls(**values, raw=dict(data))


def _converters_of(cls: type[Result]) -> dict[str, Callable[[Any], Any]]:
    # the names of this module (Result's own annotations) and of the class's module, which may be another one
    hints = get_type_hints(cls, {**vars(sys.modules[__name__]), **vars(sys.modules[cls.__module__])})
    return {name: _converter(hints[name]) for name in cls.field_names()}


def _converter(hint: Any) -> Callable[[Any], Any]:
    """How to read a JSON value into the declared type ``hint``."""
    if hint == Array:
        return array
    origin, args = get_origin(hint), get_args(hint)
    if origin in (Union, types.UnionType):
        options = [arg for arg in args if arg is not type(None)]
        if len(options) == 1:
            return _converter(options[0])
        return _number_or_array  # float | Array: a derivation step's value
    if origin is tuple:
        item = _converter(args[0])
        return lambda value: tuple(item(entry) for entry in value)
    if origin is dict:
        entry = _converter(args[1])
        return lambda value: {str(key): entry(item) for key, item in value.items()}
    if origin is Literal:
        return str
    if isinstance(hint, type) and issubclass(hint, Result):
        return hint.from_json
    if hint in (float, int, bool, str):
        return hint  # type: ignore[no-any-return]
    if hint is Any:
        return lambda value: value
    raise TypeError(f"no JSON reader for the declared type {hint!r}")


# ``POST /v1/forward`` and ``/v1/loss``


@dataclass(frozen=True, eq=False, kw_only=True)
class ForwardLayer(Result):
    """What layer k computed going forward: ``pre_activation`` z_k and ``activation`` l_k, both m × n_k."""

    pre_activation: Array
    activation: Array


@dataclass(frozen=True, eq=False, kw_only=True)
class ForwardResult(Result):
    """``POST /v1/forward``: the prediction ŷ = l_L (m × n_L) and every layer's z_k and l_k."""

    output: Array
    layers: tuple[ForwardLayer, ...]


@dataclass(frozen=True, eq=False, kw_only=True)
class LossResult(Result):
    """``POST /v1/loss``: the loss L and the prediction ŷ (m × n_L)."""

    loss: float
    output: Array


# ``POST /v1/gradients``


@dataclass(frozen=True, eq=False, kw_only=True)
class GradientsLayer(ForwardLayer):
    """Layer k forward and backward: z_k, l_k, Δ_k (m × n_k), ∂L/∂W_k (n_{k−1} × n_k) and ∂L/∂b_k (n_k) if biased."""

    delta: Array
    weights_gradient: Array
    bias_gradient: Array | None = None


@dataclass(frozen=True, eq=False, kw_only=True)
class GradientsResult(Result):
    """``POST /v1/gradients``: the loss L, ŷ, every layer's forward and backward arrays, and ∂L/∂X if asked for.

    ``input_gradient`` = Δ_1 · W_1ᵀ (m × n_0, the shape of X) is sent only when asked for
    (``input_gradient=True``, or ``include`` naming it); otherwise it is ``None``.
    """

    loss: float
    output: Array
    layers: tuple[GradientsLayer, ...]
    input_gradient: Array | None = None

    @property
    def weights_gradients(self) -> tuple[Array, ...]:
        """∂L/∂W_1 … ∂L/∂W_L, each the shape of its W_k."""
        return tuple(layer.weights_gradient for layer in self.layers)


# ``POST /v1/gradients/check``


@dataclass(frozen=True, eq=False, kw_only=True)
class CheckEntry(Result):
    """One checked entry θ of W_k (``parameter`` "W", ``row`` and ``column``) or of b_k ("b", ``row`` None)."""

    parameter: str
    row: int | None = None
    column: int
    analytic: float
    """a = ∂L/∂θ by backpropagation."""
    numerical: float
    """n, the central difference."""
    relative_error: float
    expected_error: float
    """E, the |a − n| that the error model expects of a correct a."""
    unexplained_error: float
    """max(0, |a − n| − E) / max(|a|, |n|, E): what the rating reads."""


@dataclass(frozen=True, eq=False, kw_only=True)
class CheckLayer(Result):
    """Layer k of a gradient check: ∂L/∂W_k (and ∂L/∂b_k) by central differences and by backpropagation."""

    numerical_gradient: Array
    analytic_gradient: Array
    numerical_bias_gradient: Array | None = None
    analytic_bias_gradient: Array | None = None
    max_abs_error: float
    max_relative_error: float
    rating: str
    """``fine``, ``acceptable`` (passes) or ``problem`` (fails)."""
    max_unexplained_error: float
    """The largest unexplained error of the layer: what its rating reads."""
    max_expected_error: float
    passed: bool
    kinks: int
    """Entries left out because their central difference straddles a relu kink."""
    worst: CheckEntry | None = None
    """The entry with the largest unexplained error."""
    failing: tuple[CheckEntry, ...]
    """The entries that fail (at most 20); ``failing_count`` counts them all."""
    failing_count: int


@dataclass(frozen=True, eq=False, kw_only=True)
class CheckResult(Result):
    """``POST /v1/gradients/check``: whether every layer passed, the loss, ε, thresholds and each layer's check."""

    passed: bool
    loss: float
    epsilon: float
    roundoff: float
    """δL, the bound on the rounding error of one evaluation of the loss."""
    error_model: str
    thresholds: dict[str, float]
    kinks: int
    note: str | None = None
    layers: tuple[CheckLayer, ...]


# ``POST /v1/gradients/verify``


@dataclass(frozen=True, eq=False, kw_only=True)
class WrongEntry(Result):
    """A wrong entry of a claimed gradient: its ``index`` in the claim, the ``expected`` and the ``claimed`` value."""

    index: tuple[int, ...]
    expected: float | None = None
    """None in classroom mode (the service withholds the true values from students)."""
    claimed: float


@dataclass(frozen=True, eq=False, kw_only=True)
class Verdict(Result):
    """The diagnosis of one claimed gradient: the verdict, α with claimed ≈ α × true, the true value and a hint."""

    verdict: str
    factor: float | None = None
    max_abs_error: float | None = None
    """None in classroom mode, as ``expected``."""
    expected: Array | None = None
    """None in classroom mode (the service withholds the true values from students)."""
    hint: str
    worst_index: tuple[int, ...] | None = None
    missing_at_layer: int | None = None
    rounded_to: int | None = None
    """The significant digits to which the claim equals its verdict's reference; None when only ``rtol`` matched."""
    wrong_entries: tuple[WrongEntry, ...]
    """incorrect: the wrong entries (at most 20); ``wrong_count`` counts them all."""
    wrong_count: int
    mistakes: tuple[str, ...] = ()
    """The usual mistakes found, at most two (e.g. ``sign_flipped``, ``missing_activation_derivative``)."""


@dataclass(frozen=True, eq=False, kw_only=True)
class VerifyLayer(Verdict):
    """Layer k: the verdict on the claimed ∂L/∂W_k, and ``bias``, the one on ∂L/∂b_k when it was claimed."""

    bias: Verdict | None = None


@dataclass(frozen=True, eq=False, kw_only=True)
class WrongValue(Result):
    """A wrong entry of a graded quantity: its ``row`` and ``column`` (None for a number or a bias's row)."""

    row: int | None = None
    column: int | None = None
    claimed: float
    expected: float | None = None
    """None in classroom mode (the service withholds the true values from students)."""


@dataclass(frozen=True, eq=False, kw_only=True)
class GradedQuantity(Result):
    """One quantity of a partial answer: its pointer (``/layers/1/delta`` is Δ_2), verdict, mistakes and hint."""

    pointer: str
    symbol: str
    verdict: str
    mistakes: tuple[str, ...]
    carried_forward: bool
    """Right given the learner's own earlier wrong answers (error carried forward)."""
    hint: str
    wrong_entries: tuple[WrongValue, ...]
    wrong_count: int
    rounded_to: int | None = None
    expected: float | Array | None = None


@dataclass(frozen=True, eq=False, kw_only=True)
class VerifyResult(Result):
    """``POST /v1/gradients/verify``: a verdict per layer, whether all are correct, and the tolerance used."""

    all_correct: bool
    rtol: float
    layers: tuple[VerifyLayer, ...]
    graded: tuple[GradedQuantity, ...] | None = None
    """With ``claimed``: each claimed quantity graded, in the order of the computation."""


# ``POST /v1/train``


@dataclass(frozen=True, eq=False, kw_only=True)
class TrainedLayer(Result):
    """Layer k after training: W_k (n_{k−1} × n_k), its activation and b_k (n_k) if it has one."""

    weights: Array
    activation: str
    bias: Array | None = None


@dataclass(frozen=True, eq=False, kw_only=True)
class TrainedNetwork(Result):
    """The trained network: pass it as the ``network`` of any method to post it again."""

    layers: tuple[TrainedLayer, ...]

    def to_json(self) -> dict[str, Any]:
        """The request's ``network`` field (arrays as the answer sent them: lists or compact tensors)."""
        return dict(self.raw)


@dataclass(frozen=True, eq=False, kw_only=True)
class TrainResult(Result):
    """``POST /v1/train``: the steps + 1 losses, the trained network (ready to post again) and its ŷ."""

    loss_history: Array
    network: TrainedNetwork
    output: Array


# ``POST /v1/derivation``


@dataclass(frozen=True, eq=False, kw_only=True)
class Operand(Result):
    """A quantity an equation combines: its symbol and shape."""

    name: str
    shape: tuple[int, ...]


@dataclass(frozen=True, eq=False, kw_only=True)
class StepShapes(Result):
    """The dimension check of one equation, e.g. ``(3 × 1) · (1 × 2) = 3 × 2``."""

    operands: tuple[Operand, ...]
    result: tuple[int, ...]
    check: str


@dataclass(frozen=True, eq=False, kw_only=True)
class DerivationStep(Result):
    """One equation: what it computes (``symbol``), how (``equation``, ``latex``), its shapes and its value."""

    kind: str
    layer: int | None = None
    symbol: str
    description: str
    equation: str
    latex: str
    shapes: StepShapes
    value: float | Array
    """A float for the loss, else an array of shape ``shapes.result``."""


@dataclass(frozen=True, eq=False, kw_only=True)
class DerivationResult(Result):
    """``POST /v1/derivation``: every equation of the forward pass, the loss and backpropagation, in order."""

    steps: tuple[DerivationStep, ...]


# ``POST /v1/assignments``


@dataclass(frozen=True, eq=False, kw_only=True)
class AssignedProblem(Result):
    """One student's problem: ``problem`` is a ``/v1/gradients`` request body, ``key`` its answer when asked for.

    ``attempt`` is the attempt of the service's algorithm whose draws were kept (docs/grading.md).
    """

    student: str
    attempt: int
    problem: dict[str, Any]
    playground: str | None = None
    """The problem in the playground's exercise mode: a path of the service, ``/playground#assignment=…``."""
    key: GradientsResult | None = None


@dataclass(frozen=True, eq=False, kw_only=True)
class AssignmentsResult(Result):
    """``POST /v1/assignments``: one problem per student, in the order asked for."""

    problems: tuple[AssignedProblem, ...]

    def by_student(self) -> dict[str, AssignedProblem]:
        """The problems by student id."""
        return {entry.student: entry for entry in self.problems}
