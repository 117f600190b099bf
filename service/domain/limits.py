"""The size and compute limits of a request, checked before anything is computed.

Three stages, cheapest first:

1. :func:`service.domain.fastpath.screen.screen_body` looks at the raw bytes before they are parsed.
2. :func:`check_sizes` counts exactly, on the parsed arrays: numbers, layers,
   widths n_k and the batch size m.
3. :func:`check_compute`, once the shapes chain, bounds what the passes
   allocate (m × Σ n_k numbers per z, l and Δ) and compute
   (m × Σ n_{k−1}·n_k multiply-adds): a 100 KB body with X m × 1 and
   W_1 1 × n would otherwise allocate m × n floats.

:func:`check_budget` with :func:`train_work` or :func:`check_work` bounds
endpoints that run many passes. Every refusal is a
:class:`~service.http.problems.ServiceError` of type ``/problems/limit-exceeded``
that names the limit, its environment variable and its value.
"""

from __future__ import annotations

from collections.abc import Sequence
from itertools import pairwise
from typing import NamedTuple

from gradcore import CHUNK_FLOATS, Array, Layer, parameter_count
from service.domain.errors import ServiceError
from service.domain.settings import Settings

LIMIT_EXCEEDED = "/problems/limit-exceeded"


def setting_of(name: str) -> str:
    """The environment variable of a setting, e.g. ``GRADSERVICE_MAX_LAYERS`` for ``max_layers``."""
    return f"GRADSERVICE_{name.upper()}"


def limit_exceeded(name: str, value: int, what: str, *, status: int = 422, pointer: str | None = None) -> ServiceError:
    """The problem for a request beyond the limit ``name`` (a :class:`Settings` field) of ``value``.

    ``what`` says what the request has, e.g. ``"the network has 120 layers"``.
    """
    message = f"{what}; the limit is {name} = {value} ({setting_of(name)})"
    return ServiceError(
        status,
        f"The request exceeds a limit: {message}.",
        type_=LIMIT_EXCEEDED,
        errors=None if pointer is None else [{"pointer": pointer, "message": message}],
        extensions={"limit": {"name": name, "setting": setting_of(name), "value": value}},
    )


def check_body_bytes(size: int, settings: Settings, *, so_far: bool = False) -> None:
    """Refuse a body of more than ``max_body_bytes`` bytes (413); ``so_far``: more may follow the ``size`` read."""
    if size > settings.max_body_bytes:
        what = f"the body has {'more than ' if so_far else ''}{size} bytes"
        raise limit_exceeded("max_body_bytes", settings.max_body_bytes, what, status=413)


def check_sizes(settings: Settings, layers: Sequence[Layer], X: Array, Y: Array | None = None) -> None:
    """Refuse more numbers, layers, width or examples than the settings allow; shapes need not chain yet.

    ``X`` and ``Y`` are matrices (m × n_0 and m × n_L); ``W_k`` are matrices.
    """
    total = parameter_count(layers) + X.size + (0 if Y is None else Y.size)
    if total > settings.max_numbers:
        raise limit_exceeded(
            "max_numbers", settings.max_numbers, f"the request holds {total} numbers", status=413, pointer=""
        )
    if len(layers) > settings.max_layers:
        raise limit_exceeded(
            "max_layers", settings.max_layers, f"the network has {len(layers)} layers", pointer="/network/layers"
        )
    if X.shape[0] > settings.max_batch:
        raise limit_exceeded(
            "max_batch", settings.max_batch, f"the batch has m = {X.shape[0]} examples (rows of X)", pointer="/inputs"
        )
    if X.shape[1] > settings.max_width:
        raise limit_exceeded(
            "max_width", settings.max_width, f"the inputs have n_0 = {X.shape[1]} columns", pointer="/inputs"
        )
    for k, layer in enumerate(layers, start=1):
        if layer.W.shape[-1] > settings.max_width:
            raise limit_exceeded(
                "max_width",
                settings.max_width,
                f"layer {k} has n_{k} = {layer.W.shape[-1]} nodes (columns of W_{k})",
                pointer=f"/network/layers/{k - 1}/weights",
            )


def check_submissions(settings: Settings, count: int) -> None:
    """Refuse (413) a grade request of more than ``max_submissions`` submissions."""
    if count > settings.max_submissions:
        raise limit_exceeded(
            "max_submissions",
            settings.max_submissions,
            f"the request has {count} submissions",
            status=413,
            pointer="/submissions",
        )


def check_class_numbers(settings: Settings, numbers: int) -> None:
    """Refuse (413) a grade request whose submissions hold more than ``max_numbers`` numbers in all."""
    if numbers > settings.max_numbers:
        raise limit_exceeded(
            "max_numbers",
            settings.max_numbers,
            f"the submissions hold {numbers} numbers in all",
            status=413,
            pointer="",
        )


def forward_work(layers: Sequence[Layer], m: int) -> int:
    """Multiply-adds of one forward pass of a batch of m examples: m × Σ n_{k−1}·n_k."""
    return m * sum(layer.W.size for layer in layers)


def train_work(layers: Sequence[Layer], m: int, steps: int) -> int:
    """The work of ``steps`` gradient-descent steps on m examples: steps × parameters × m."""
    return steps * parameter_count(layers) * m


def check_work(layers: Sequence[Layer], m: int) -> int:
    """The work of a central finite-difference check (:mod:`gradcore.gradcheck`): 4 losses per parameter (θ ± ε,
    θ ± 2ε), each a forward pass from the moved layer on, sharing the unmoved layers before it.

    4 × Σ_k P_k × m × (1 + n_L + Σ_{i>k} n_i + Σ_{i>k+1} n_{i−1}·n_i): for each of the P_k weights and biases of
    layer k, the moved column of z_k, the loss's n_L terms, every later z_i and the later products' multiply-adds.
    """
    widths = [int(layer.W.shape[-1]) for layer in layers]
    total = 0
    for k, layer in enumerate(layers):
        after = sum(widths[k + 1 :]) + sum(int(following.W.size) for following in layers[k + 2 :])
        total += _layer_parameters(layer) * (1 + widths[-1] + after)
    return 4 * m * total


def _layer_parameters(layer: Layer) -> int:
    return int(layer.W.size) + (0 if layer.b is None else int(layer.b.size))


def check_budget(settings: Settings, name: str, work: int, what: str) -> None:
    """Refuse (422) ``work`` over the limit ``name``, a field of ``settings``; ``what`` says how it is counted.

    Example: ``check_budget(settings, "max_train_work", train_work(layers, m, steps), "steps × parameters × m")``.
    """
    limit: int = getattr(settings, name)
    if work > limit:
        raise limit_exceeded(name, limit, f"the request needs {what} = {work}")


def check_compute(settings: Settings, layers: Sequence[Layer], X: Array) -> None:
    """Refuse a forward and backward pass that would allocate or compute more than the settings allow.

    The shapes must chain: W_k is n_{k−1} × n_k and X is m × n_0.
    """
    m = X.shape[0]
    activations = m * sum(layer.W.shape[1] for layer in layers)
    if activations > settings.max_activations:
        raise limit_exceeded(
            "max_activations",
            settings.max_activations,
            f"the passes would hold m × Σ n_k = {activations} numbers in every z_k, l_k and Δ_k",
            pointer="/inputs",
        )
    check_budget(settings, "max_work", forward_work(layers, m), "m × Σ n_{k−1}·n_k multiply-adds")


# The cost model of the compute seam (service.http.compute), in work units of about 1 ns each on one core with one
# BLAS thread; bench/heaviest.py measures it (bench/README.md) and times the heaviest request it admits.
MACS_PER_UNIT = 10
"""Multiply-adds per unit."""
PER_LAYER = 10_000
"""Per layer and pass: the numpy calls' own overhead, whatever the sizes."""
PER_ELEMENT = 10
"""Per element of every z_k and l_k, per pass: the activation, its derivative and the element-wise products."""
PER_NUMBER = 80
"""Per number written in a JSON answer (orjson)."""
PER_MARKDOWN_NUMBER = 2_500
"""Per number written in a Markdown derivation (Python's formatting, one number at a time)."""
PER_COMPARISON = 20
"""Per parameter and layer of a verification: each claim against the gradient of each missing f′_j."""
PER_BODY_BYTE = 8
"""Per byte of a request body read (simdjson or orjson, then validation)."""
ANSWER_BYTES = 24
"""Bytes of a JSON answer per number: up to 17 significant digits, exponent, sign and separators."""
ANSWER_COPIES = 2
"""An answer is held about twice at the peak of its rendering (the arrays' text as it grows, then the bytes sent):
the largest /v1/gradients, 97 MiB estimated with one copy, peaks at +145 MiB alone (tests/server/test_memory.py)."""
ENDPOINT_PASSES = {"forward": 1, "loss": 1, "gradients": 3, "derivation": 3, "hessian_vector": 6}
"""Forward-pass equivalents of each endpoint (train, check and verify depend on the request)."""


CHECK_NUMBERS_PER_PARAMETER = 25
"""Numbers a check holds per parameter: its four moves and losses, both steps, the differences and the errors."""
CHECK_PER_NUMBER = 12
"""Per number a moved network of a check computes (its activation, the loss's terms, the copies): measured 7 to
11 a number on the reference machine loaded by other work (``bench/heaviest.py``), counted 12."""
CHECK_PER_LAYER = 300_000
"""Per layer of a check, whatever its size: its differences, errors and entries, some 60 numpy calls on small arrays
(a 3-2-1 network's check takes some 0.45 ms, a 10-10-10-3 one's 2 to 4 ms)."""
CHECK_CHUNK_ARRAYS = 8
"""Arrays of :data:`gradcore.CHUNK_FLOATS` numbers a check's chunk of moved networks holds at its peak."""


class Cost(NamedTuple):
    """What a piece of work costs: ``work`` in multiply-add equivalents, ``bytes`` the memory it holds at most."""

    work: int
    bytes: int


def pass_work(layers: Sequence[Layer], m: int) -> int:
    """One forward pass: L × PER_LAYER + m × Σ n_{k−1}·n_k / MACS_PER_UNIT + PER_ELEMENT × m × Σ n_k."""
    widths = sum(int(layer.W.shape[-1]) for layer in layers)
    return len(layers) * PER_LAYER + forward_work(layers, m) // MACS_PER_UNIT + PER_ELEMENT * m * widths


def cost(
    endpoint: str,
    layers: Sequence[Layer],
    m: int,
    *,
    steps: int = 1,
    markdown: bool = False,
    input_gradient: bool = False,
) -> Cost:
    """The estimated cost of ``endpoint`` (``"gradients"``, ``"train"``, …) on ``layers`` and a batch of m.

    work = passes × :func:`pass_work` + per-number costs of the answer; bytes = 8 per number held (inputs,
    z_k, l_k, Δ_k, gradients) + :data:`ANSWER_BYTES` per number answered. ``input_gradient``: a gradients
    answer with ∂L/∂X (m × n_0) too.
    """
    L, P = len(layers), parameter_count(layers)
    activations = m * sum(int(layer.W.shape[-1]) for layer in layers)
    inputs = P + m * (layers[0].W.shape[0] + layers[-1].W.shape[-1])
    one = pass_work(layers, m)
    held, answered, passes, extra = (
        inputs + 3 * activations + P,
        3 * activations + P,
        ENDPOINT_PASSES.get(endpoint, 3),
        0,
    )
    if endpoint in ("forward", "loss"):
        held, answered = inputs + 2 * activations, 2 * activations
    elif endpoint == "train":
        passes, held, answered = 3 * steps, inputs + 3 * activations + 3 * P, 2 * P + steps + m
    elif endpoint == "hessian_vector":
        # two gradients (gradcore.core.secondorder): the forward pass and its tangent R{z_k}, R{l_k}, then Δ_k and
        # R{Δ_k}; held: those six, v, the gradient and ∇²L·v; answered: the gradient, ∇²L·v and ŷ
        held, answered = inputs + 6 * activations + 3 * P, 2 * P + m * int(layers[-1].W.shape[-1]) + 2
    elif endpoint == "check":
        # forward and backward (3), the round-off bound δL (2: |l_{k−1}|·|W_k| and |Δ_k|·|W_kᵀ|), then
        # L(θ ± ε) and L(θ ± 2ε) for every parameter (gradcore.gradcheck): check_work's numbers, in chunks
        passes, held, answered = 5, inputs + 3 * activations + CHECK_NUMBERS_PER_PARAMETER * P, 2 * P
        held += CHECK_CHUNK_ARRAYS * CHUNK_FLOATS
        extra = _check_extra(layers, m)
    elif endpoint == "verify":
        # the true gradient, then one with f′_j ≡ 1 at each layer j, all kept (diagnosis): L + 1 sets of
        # every Δ_k and ∂L/∂W_k; the claims (P); compared in several variants
        # the answer: each verdict's expected gradient (P) and up to 20 wrong entries a layer
        passes, held, answered = 6 + 2 * L, inputs + (L + 3) * (activations + P), P + 100 * L
        extra = PER_COMPARISON * L * P
    if endpoint == "gradients" and input_gradient:
        n0 = int(layers[0].W.shape[0])
        held, answered, extra = held + m * n0, answered + m * n0, m * n0 * int(layers[0].W.shape[1]) // MACS_PER_UNIT
    per_number = PER_MARKDOWN_NUMBER if markdown else PER_NUMBER
    work = passes * one + per_number * answered + extra
    return Cost(work, 8 * held + ANSWER_COPIES * (2 if markdown else 1) * ANSWER_BYTES * answered)


def check_assignment(settings: Settings, students: int, sizes: Sequence[int], m: int, bias: bool) -> None:
    """Refuse more students than ``max_students`` (413), or problems of more layers or numbers than allowed (422).

    A problem gives X (m × n_0), every W_k (n_{k−1} × n_k) and b_k (n_k) and Y (m × n_L).
    """
    if students > settings.max_students:
        what = f"the assignment lists {students} students"
        raise limit_exceeded("max_students", settings.max_students, what, status=413, pointer="/students")
    if len(sizes) - 1 > settings.max_layers:
        what = f"the network has {len(sizes) - 1} layers"
        raise limit_exceeded("max_layers", settings.max_layers, what, pointer="/sizes")
    numbers = assignment_numbers(sizes, m, bias)
    if numbers > settings.max_assignment_numbers:
        what = f"each problem would give {numbers} numbers (X, W_k{', b_k' if bias else ''} and Y)"
        raise limit_exceeded("max_assignment_numbers", settings.max_assignment_numbers, what, pointer="/sizes")


def assignment_numbers(sizes: Sequence[int], m: int, bias: bool) -> int:
    """The numbers one problem gives: m·n_0 + Σ n_{k−1}·n_k (+ Σ n_k with a bias) + m·n_L."""
    weights = sum(a * b for a, b in pairwise(sizes))
    return m * sizes[0] + weights + (sum(sizes[1:]) if bias else 0) + m * sizes[-1]


PER_ATTEMPT = 200_000
"""Per attempt at a student's problem: the draws, a forward pass and, for the draws that pass it, the rules of
gradcore.teaching.rules (L + 2 small passes and their comparisons): 0.2 ms, plus :data:`PER_ATTEMPT_LAYER` per layer
(0.3 ms for two layers; 80 one-node layers take some 3 ms an attempt)."""
PER_ATTEMPT_LAYER = 50_000


def attempt_work(layers: int) -> int:
    """The work of one attempt at a problem of ``layers`` layers: PER_ATTEMPT + PER_ATTEMPT_LAYER × L."""
    return PER_ATTEMPT + PER_ATTEMPT_LAYER * layers


ATTEMPT_GROWTH = 1.2
"""Each unit (an entry of some z_k) passes the rules of its pre-activation with a probability of about 0.83: a
problem takes about 1.2^(m × Σ n_k) attempts (1.7 for 3 → 2 → 1 with one example, 19 for 4 → 3 → 3 → 2 with two)."""
RELU_ATTEMPTS = 2
"""And twice as many per relu layer (its units must be away from the kink, and some of them off)."""
MAX_ATTEMPTS = 2000
"""gradcore.teaching.assignments.MAX_ATTEMPTS: a student's problem never takes more."""


def assignment_attempts(sizes: Sequence[int], m: int, relu_layers: int) -> float:
    """The attempts one problem takes on average: min(2000, 1.2^(m × Σ n_k) × 2^(relu layers))."""
    exponent = min(m * sum(sizes[1:]), 100)
    return min(float(MAX_ATTEMPTS), ATTEMPT_GROWTH**exponent * float(RELU_ATTEMPTS) ** relu_layers)


def assignment_cost(
    students: int, sizes: Sequence[int], m: int, bias: bool, key: bool, markdown: bool, relu_layers: int = 0
) -> Cost:
    """``POST /v1/assignments``: students × (:func:`assignment_attempts` × :func:`attempt_work` + the numbers answered).

    The key holds every z_k, l_k and Δ_k (m × Σ n_k each), ∂L/∂W_k and ∂L/∂b_k, and ŷ.
    """
    given = assignment_numbers(sizes, m, bias)
    answered = given + (3 * m * sum(sizes[1:]) + given + m * sizes[-1] if key else 0)
    per_number = PER_MARKDOWN_NUMBER if markdown else PER_NUMBER
    attempts = assignment_attempts(sizes, m, relu_layers)
    work = students * (int(attempts * attempt_work(len(sizes) - 1)) + per_number * answered)
    return Cost(work, students * ANSWER_COPIES * ANSWER_BYTES * answered)


PER_GRADED_QUANTITY = 60_000
"""Per quantity of a graded answer (``/v1/grade``): its diagnosis against the truth and the student's own values."""


def grade_cost(problems: Sequence[tuple[Sequence[Layer], int]], submissions: int) -> Cost:
    """Grading a class: per valid problem (its layers and m), twice a verification's cost and
    :data:`PER_GRADED_QUANTITY` per quantity (5 per layer, ŷ and L); the largest one's memory, and some 2 KB of
    answer per submission (``bench/grade.py``: 300 students of 3 layers in 0.7 s)."""
    work, held = 0, 0
    for layers, m in problems:
        one = cost("verify", layers, m)
        work += 2 * one.work + PER_GRADED_QUANTITY * (5 * len(layers) + 2)
        held = max(held, one.bytes)
    return Cost(work, held + 2_000 * submissions)


def _check_extra(layers: Sequence[Layer], m: int) -> int:
    """The moved networks of a check: per moved network, its numbers (:data:`CHECK_PER_NUMBER`) and multiply-adds
    (:data:`MACS_PER_UNIT`) after its layer, :data:`PER_LAYER` per chunk and layer it goes through, and
    :data:`CHECK_PER_LAYER` per layer."""
    widths = [int(layer.W.shape[-1]) for layer in layers]
    work = CHECK_PER_LAYER * len(layers)
    for k, layer in enumerate(layers):
        moved = 4 * _layer_parameters(layer)
        numbers = m * (1 + widths[-1] + sum(widths[k + 1 :]))
        macs = m * sum(int(following.W.size) for following in layers[k + 2 :])
        chunks = -(-moved * m * max(widths[k + 1 :] or widths[k:]) // CHUNK_FLOATS)
        work += moved * (CHECK_PER_NUMBER * numbers + macs // MACS_PER_UNIT) + chunks * (len(layers) - k) * PER_LAYER
    return work


def body_cost(size: int) -> Cost:
    """Reading a body of ``size`` bytes: the body, the parser's structures and the arrays, some 3 bytes a byte."""
    return Cost(PER_BODY_BYTE * size, 3 * size)
