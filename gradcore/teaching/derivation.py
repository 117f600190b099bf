"""Backpropagation written out step by step, in the notation of the seed notes.

:func:`derive` lists every equation of a forward and backward pass, in order:

    z_k = l_{k−1} · W_k (+ b_k),  l_k = f_k(z_k)          for k = 1 … L  (l_0 = X, ŷ = l_L)
    L(ŷ, y)
    Δ_L = ∂L/∂z_L                                          (from the loss)
    ∂L/∂W_k = l_{k−1}ᵀ · Δ_k,  ∂L/∂b_k = Σ_rows Δ_k,
    Δ_{k−1} = (Δ_k · W_kᵀ) * f′_{k−1}(z_{k−1})              for k = L … 1

Each step carries the equation as plain text and LaTeX, the shapes of its
operands and result with the dimension check the seed insists on, e.g.
``(3 × 1) · (1 × 2) = 3 × 2``, and its value, taken from :func:`forward`
and :func:`backward`, so a derivation's numbers are those of the gradients.
How each activation and loss is written comes from :mod:`gradcore.teaching.notation`.
"""

from __future__ import annotations

from collections.abc import Sequence
from dataclasses import dataclass
from string import Template

from gradcore.core.network import backward, forward
from gradcore.core.types import Array, Cache, Gradients, Layer
from gradcore.teaching.notation import activation_text, loss_text

Shape = tuple[int, ...]


@dataclass(frozen=True)
class Operand:
    """A named quantity an equation reads, with its shape (n_rows, n_cols), (n,) or () for a scalar."""

    name: str
    shape: Shape


@dataclass(frozen=True)
class Step:
    """One equation of the derivation.

    Attributes
    ----------
    kind : str
        ``pre_activation``, ``activation``, ``loss``, ``delta``,
        ``weights_gradient`` or ``bias_gradient`` (the field names of the
        gradients response).
    layer : int or None
        k, counted from 1; ``None`` for the loss.
    symbol : str
        What the step computes: ``z_1``, ``l_1``, ``ŷ``, ``L``, ``Δ_2``, ``∂L/∂W_2``, ``∂L/∂b_2``.
    description : str
        One sentence saying what the step is.
    equation, latex : str
        The equation as plain text (``·`` matrix product, ``*`` element-wise
        product, ``ᵀ`` transpose) and as LaTeX.
    operands : tuple of Operand
        The quantities the equation combines, in order.
    shape : tuple of int
        The shape of the result: (m, n_k), (n_{k−1}, n_k), (n_k,) or () for L.
    check : str
        The dimension check, e.g. ``(1 × 3) · (3 × 2) = 1 × 2``.
    value : ndarray or float
        The result, of shape ``shape``.
    """

    kind: str
    layer: int | None
    symbol: str
    description: str
    equation: str
    latex: str
    operands: tuple[Operand, ...]
    shape: Shape
    check: str
    value: Array | float


def _fill(template: str, **names: str) -> str:
    return Template(template).substitute(names)


class _Names:
    """The symbols of a network with L layers, plain and LaTeX: l_0 is X, l_L is ŷ."""

    def __init__(self, L: int) -> None:
        self.L = L

    def l(self, k: int) -> str:  # noqa: E743 (the seed's name)
        return "X" if k == 0 else f"l_{k}"

    def l_tex(self, k: int) -> str:
        return "X" if k == 0 else f"l_{{{k}}}"

    def out(self, k: int) -> str:
        return "ŷ" if k == self.L else self.l(k)

    def out_tex(self, k: int) -> str:
        return r"\hat{y}" if k == self.L else self.l_tex(k)


def derive(layers: Sequence[Layer], X: Array, Y: Array, name: str = "half_squared_error") -> list[Step]:
    """Derive the gradients of a network step by step.

    Parameters
    ----------
    layers : sequence of Layer
        The network, W_1 (n_0 × n_1) first.
    X : ndarray, shape (m, n_0)
        The inputs, one example per row.
    Y : ndarray, shape (m, n_L)
        The targets.
    name : str
        A key of :data:`gradcore.LOSSES`.

    Returns
    -------
    list of Step
        2L forward steps (z_k, l_k), the loss, then for k = L … 1: Δ_k,
        ∂L/∂W_k and, for a layer with a bias, ∂L/∂b_k.

    Raises
    ------
    ShapeError, NonFiniteError
        As :func:`forward` and :func:`backward`.
    """
    cache = forward(layers, X)
    grads = backward(layers, cache, Y, name)
    names = _Names(len(layers))
    steps: list[Step] = []
    for k in range(1, len(layers) + 1):
        steps += _forward_steps(layers, cache, names, k)
    steps.append(_loss_step(cache, grads, Y, name))
    for k in range(len(layers), 0, -1):
        steps.append(_delta_step(layers, cache, grads, names, name, k))
        steps += _gradient_steps(layers, cache, grads, names, k)
    return steps


def _forward_steps(layers: Sequence[Layer], cache: Cache, names: _Names, k: int) -> list[Step]:
    layer = layers[k - 1]
    m, n_prev = cache.X.shape[0], layer.W.shape[0]
    n = layer.W.shape[1]
    equation = f"z_{k} = {names.l(k - 1)} · W_{k}"
    latex = rf"z_{{{k}}} = {names.l_tex(k - 1)} \cdot W_{{{k}}}"
    operands = [Operand(names.l(k - 1), (m, n_prev)), Operand(f"W_{k}", (n_prev, n))]
    check = f"({m} × {n_prev}) · ({n_prev} × {n})"
    if layer.b is not None:
        equation += f" + b_{k}"
        latex += rf" + b_{{{k}}}"
        operands.append(Operand(f"b_{k}", (n,)))
        check += f" + ({n}) on every row"
    pre = Step(
        "pre_activation",
        k,
        f"z_{k}",
        f"Layer {k}, forward: the pre-activation, one row per example.",
        equation,
        latex,
        tuple(operands),
        (m, n),
        f"{check} = {m} × {n}",
        cache.Z[k - 1],
    )
    text = activation_text(layer.activation, k)
    head, head_tex = (f"ŷ = l_{k}", rf"\hat{{y}} = l_{{{k}}}") if k == names.L else (f"l_{k}", f"l_{{{k}}}")
    last = " (the prediction ŷ)" if k == names.L else ""
    post = Step(
        "activation",
        k,
        names.out(k),
        f"Layer {k}, forward: the activation {layer.activation}{last}.",
        f"{head} = {_fill(text.apply, z=f'z_{k}')}",
        f"{head_tex} = {_fill(text.apply_latex, z=f'z_{{{k}}}')}",
        (Operand(f"z_{k}", (m, n)),),
        (m, n),
        f"{_fill(text.apply, z=f'{m} × {n}')} = {m} × {n}",
        cache.A[k - 1],
    )
    return [pre, post]


def _loss_step(cache: Cache, grads: Gradients, Y: Array, name: str) -> Step:
    text = loss_text(name)
    m, n = Y.shape
    return Step(
        "loss",
        None,
        "L",
        f"The loss {name}: one number for the whole batch.",
        text.value,
        text.value_latex,
        (Operand("y", (m, n)), Operand("ŷ", (m, n))),
        (),
        f"y and ŷ are both {m} × {n}; L is a scalar",
        grads.loss,
    )


def _delta_step(layers: Sequence[Layer], cache: Cache, grads: Gradients, names: _Names, name: str, k: int) -> Step:
    """Δ_k: f_k's backward rule applied to ∂L/∂ŷ (k = L) or to Δ_{k+1} · W_{k+1}ᵀ, or the loss's closed form."""
    m, n = cache.Z[k - 1].shape
    text = activation_text(layers[k - 1].activation, k)
    loss = loss_text(name)
    operands: tuple[Operand, ...]
    if k == names.L:
        description = f"Layer {k}, backward: Δ_{k} = ∂L/∂z_{k} from the loss, the start of backpropagation."
        bare, bare_tex = loss.gradient, loss.gradient_latex
        incoming, incoming_tex = bare, bare_tex
        operands, check = (Operand("∂L/∂ŷ", (m, n)),), f"({m} × {n})"
    else:
        n_next = layers[k].W.shape[1]
        times = f", times {text.prime}(z_{k})" if text.backward is not None else f" (f′_{k} ≡ 1)"
        description = f"Layer {k}, backward: Δ_{k + 1} carried back through W_{k + 1}{times}."
        bare, bare_tex = f"Δ_{k + 1} · W_{k + 1}ᵀ", rf"\Delta_{{{k + 1}}} \cdot W_{{{k + 1}}}^{{\top}}"
        incoming, incoming_tex = f"({bare})", f"({bare_tex})"
        operands = (Operand(f"Δ_{k + 1}", (m, n_next)), Operand(f"W_{k + 1}ᵀ", (n_next, n)))
        check = f"(({m} × {n_next}) · ({n_next} × {n}))"
    if k == names.L and loss.delta is not None and loss.delta_latex is not None:
        description = f"Layer {k}, backward: Δ_{k} = ∂L/∂z_{k} from the loss, in which f′_{k} cancels."
        body, body_tex = loss.delta, loss.delta_latex
        operands, check = (Operand("ŷ", (m, n)), Operand("y", (m, n))), f"({m} × {n}) − ({m} × {n})"
    elif text.backward is None or text.backward_latex is None:
        body, body_tex = bare, bare_tex
        check = check.removeprefix("(").removesuffix(")") if k < names.L else check
    else:
        body = _fill(text.backward, g=incoming, l=names.out(k), z=f"z_{k}")
        body_tex = _fill(text.backward_latex, g=incoming_tex, l=names.out_tex(k), z=f"z_{{{k}}}")
        operands += (Operand(f"{text.prime}(z_{k})", (m, n)),)
        check += f" * ({m} × {n})"
    return Step(
        "delta",
        k,
        f"Δ_{k}",
        description,
        f"Δ_{k} = ∂L/∂z_{k} = {body}",
        rf"\Delta_{{{k}}} = \frac{{\partial L}}{{\partial z_{{{k}}}}} = {body_tex}",
        operands,
        (m, n),
        f"{check} = {m} × {n}",
        grads.delta[k - 1],
    )


def _gradient_steps(layers: Sequence[Layer], cache: Cache, grads: Gradients, names: _Names, k: int) -> list[Step]:
    n_prev, n = layers[k - 1].W.shape
    m = cache.X.shape[0]
    summed = f" The product sums the {m} per-example gradients." if m > 1 else ""
    steps = [
        Step(
            "weights_gradient",
            k,
            f"∂L/∂W_{k}",
            f"Layer {k}: the weights gradient, the shape of W_{k}.{summed}",
            f"∂L/∂W_{k} = {names.l(k - 1)}ᵀ · Δ_{k}",
            rf"\frac{{\partial L}}{{\partial W_{{{k}}}}} = {names.l_tex(k - 1)}^{{\top}} \cdot \Delta_{{{k}}}",
            (Operand(f"{names.l(k - 1)}ᵀ", (n_prev, m)), Operand(f"Δ_{k}", (m, n))),
            (n_prev, n),
            f"({n_prev} × {m}) · ({m} × {n}) = {n_prev} × {n}",
            grads.dW[k - 1],
        )
    ]
    db = grads.db[k - 1]
    if db is not None:
        steps.append(
            Step(
                "bias_gradient",
                k,
                f"∂L/∂b_{k}",
                f"Layer {k}: the bias gradient, one number per node.",
                f"∂L/∂b_{k} = Σ_rows Δ_{k}",
                rf"\frac{{\partial L}}{{\partial b_{{{k}}}}} = \sum_{{i=1}}^{{m}} (\Delta_{{{k}}})_{{i}}",
                (Operand(f"Δ_{k}", (m, n)),),
                (n,),
                f"the sum of the {m} rows of ({m} × {n}) = {n}",
                db,
            )
        )
    return steps
