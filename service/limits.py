"""The size and compute limits of a request, checked before anything is computed.

Three stages, cheapest first:

1. :func:`service.fastpath.screen.screen_body` looks at the raw bytes before they are parsed.
2. :func:`check_sizes` counts exactly, on the parsed arrays: numbers, layers,
   widths n_k and the batch size m.
3. :func:`check_compute`, once the shapes chain, bounds what the passes
   allocate (m × Σ n_k numbers per z, l and Δ) and compute
   (m × Σ n_{k−1}·n_k multiply-adds): a 100 KB body with X m × 1 and
   W_1 1 × n would otherwise allocate m × n floats.

:func:`check_budget` with :func:`train_work` or :func:`check_work` bounds
endpoints that run many passes. Every refusal is a
:class:`~service.http.problems.ProblemError` of type ``/problems/limit-exceeded``
that names the limit, its environment variable and its value.
"""

from __future__ import annotations

from collections.abc import Sequence

from gradcore import Array, Layer, parameter_count
from service.http.problems import ProblemError
from service.settings import Settings

LIMIT_EXCEEDED = "/problems/limit-exceeded"


def setting_of(name: str) -> str:
    """The environment variable of a setting, e.g. ``GRADSERVICE_MAX_LAYERS`` for ``max_layers``."""
    return f"GRADSERVICE_{name.upper()}"


def limit_exceeded(name: str, value: int, what: str, *, status: int = 422, pointer: str | None = None) -> ProblemError:
    """The problem for a request beyond the limit ``name`` (a :class:`Settings` field) of ``value``.

    ``what`` says what the request has, e.g. ``"the network has 120 layers"``.
    """
    message = f"{what}; the limit is {name} = {value} ({setting_of(name)})"
    return ProblemError(
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


def forward_work(layers: Sequence[Layer], m: int) -> int:
    """Multiply-adds of one forward pass of a batch of m examples: m × Σ n_{k−1}·n_k."""
    return m * sum(layer.W.size for layer in layers)


def train_work(layers: Sequence[Layer], m: int, steps: int) -> int:
    """The work of ``steps`` gradient-descent steps on m examples: steps × parameters × m."""
    return steps * parameter_count(layers) * m


def check_work(layers: Sequence[Layer], m: int) -> int:
    """The work of a central finite-difference check: 2 passes per parameter, 2 × parameters × forward work."""
    return 2 * parameter_count(layers) * forward_work(layers, m)


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
