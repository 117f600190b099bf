"""How each activation and each loss is written in a derivation, as plain text and as LaTeX.

Plain text uses the seed's notation (``·`` the matrix product, ``*`` the
element-wise product, ``ᵀ`` the transpose); LaTeX uses ``\\cdot``, ``\\odot``
and ``^{\\top}``. Templates use :class:`string.Template` placeholders:
``${z}`` and ``${l}`` for a layer's pre-activation z_k and activation l_k, and
``${g}`` for the gradient ∂L/∂l_k arriving at the layer, so that an
activation's text is its backward rule, like :attr:`gradcore.Activation.backward`.
``rowsum(a)`` is the sum of each row of a, kept as a column (m × 1) and
broadcast across the row (softmax's backward rule).

Adding an activation or a loss to :mod:`gradcore` means adding one entry
here; without one, :func:`activation_text` and :func:`loss_text` fall back
to the generic f_k, f′_k and ∂L/∂ŷ, which are true for element-wise functions.
"""

from __future__ import annotations

from dataclasses import dataclass


@dataclass(frozen=True)
class ActivationText:
    """How f_k and its backward rule are written.

    Attributes
    ----------
    apply, apply_latex : str
        f_k(z_k), e.g. ``σ(${z})``.
    prime : str
        The name of f′, e.g. ``σ′``.
    backward, backward_latex : str or None
        ∂L/∂z_k given ${g} = ∂L/∂l_k, written with z_k and l_k, e.g.
        ``${g} * ${l} * (1 − ${l})``; ``None`` when f′ ≡ 1 (∂L/∂z_k = ∂L/∂l_k).
    """

    apply: str
    apply_latex: str
    prime: str
    backward: str | None
    backward_latex: str | None


@dataclass(frozen=True)
class LossText:
    """How a loss L and its Δ_L = ∂L/∂z_L are written.

    Attributes
    ----------
    value, value_latex : str
        L in terms of y and ŷ.
    gradient, gradient_latex : str
        ∂L/∂ŷ, e.g. ``(ŷ − y)``; Δ_L is the last activation's backward rule applied to it.
    delta, delta_latex : str or None
        Δ_L in closed form, for a loss whose last activation is fixed and whose f′ cancels
        (binary cross-entropy with a sigmoid: (ŷ − y) / (m·n_L)); ``None`` otherwise.
    """

    value: str
    value_latex: str
    gradient: str
    gradient_latex: str
    delta: str | None = None
    delta_latex: str | None = None


ACTIVATION_TEXT: dict[str, ActivationText] = {
    "sigmoid": ActivationText(
        "σ(${z})", r"\sigma(${z})", "σ′", "${g} * ${l} * (1 − ${l})", r"${g} \odot ${l} \odot (1 - ${l})"
    ),
    "tanh": ActivationText("tanh(${z})", r"\tanh(${z})", "tanh′", "${g} * (1 − ${l}²)", r"${g} \odot (1 - ${l}^{2})"),
    "relu": ActivationText("max(${z}, 0)", r"\max(${z}, 0)", "relu′", "${g} * [${z} > 0]", r"${g} \odot [${z} > 0]"),
    "linear": ActivationText("${z}", "${z}", "linear′", None, None),
    "softmax": ActivationText(
        "softmax(${z})",
        r"\operatorname{softmax}(${z})",
        "softmax′",
        "${l} * (${g} − rowsum(${g} * ${l}))",
        r"${l} \odot \left(${g} - \operatorname{rowsum}(${g} \odot ${l})\right)",
    ),
}
"""The activations of :data:`gradcore.ACTIVATIONS`, as a derivation writes them."""

LOSS_TEXT: dict[str, LossText] = {
    "half_squared_error": LossText(
        "L = Σ ½ (y − ŷ)²",
        r"L = \sum \tfrac{1}{2} (y - \hat{y})^{2}",
        "(ŷ − y)",
        r"(\hat{y} - y)",
    ),
    "mean_squared_error": LossText(
        "L = (1 / (m·n_L)) Σ (y − ŷ)²",
        r"L = \frac{1}{m n_L} \sum (y - \hat{y})^{2}",
        "(2 / (m·n_L)) (ŷ − y)",
        r"\frac{2}{m n_L} (\hat{y} - y)",
    ),
    "binary_cross_entropy": LossText(
        "L = −(1 / (m·n_L)) Σ [y log ŷ + (1 − y) log(1 − ŷ)]",
        r"L = -\frac{1}{m n_L} \sum \left[ y \log \hat{y} + (1 - y) \log (1 - \hat{y}) \right]",
        "(1 / (m·n_L)) (ŷ − y) / (ŷ * (1 − ŷ))",
        r"\frac{1}{m n_L} \frac{\hat{y} - y}{\hat{y} \odot (1 - \hat{y})}",
        "(ŷ − y) / (m·n_L)",
        r"\frac{\hat{y} - y}{m n_L}",
    ),
    "cross_entropy": LossText(
        "L = −(1 / m) Σ y log ŷ",
        r"L = -\frac{1}{m} \sum y \log \hat{y}",
        "−(1 / m) (y / ŷ)",
        r"-\frac{1}{m} \frac{y}{\hat{y}}",
        "(ŷ − y) / m",
        r"\frac{\hat{y} - y}{m}",
    ),
}
"""The losses of :data:`gradcore.LOSSES`, as a derivation writes them."""


def activation_text(name: str, k: int) -> ActivationText:
    """The text of activation ``name`` at layer k, or the generic f_k and f′_k(z_k)."""
    return ACTIVATION_TEXT.get(
        name,
        ActivationText(
            f"f_{k}(${{z}})",
            f"f_{{{k}}}(${{z}})",
            f"f′_{k}",
            f"${{g}} * f′_{k}(${{z}})",
            rf"${{g}} \odot f_{{{k}}}'(${{z}})",
        ),
    )


def loss_text(name: str) -> LossText:
    """The text of loss ``name``, or the generic L(ŷ, y) and ∂L/∂ŷ."""
    escaped = name.replace("_", r"\_")
    return LOSS_TEXT.get(
        name,
        LossText(
            f"L = {name}(ŷ, y)",
            rf"L = \mathrm{{{escaped}}}(\hat{{y}}, y)",
            "∂L/∂ŷ",
            r"\frac{\partial L}{\partial \hat{y}}",
        ),
    )
