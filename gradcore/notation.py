"""How each activation and each loss is written in a derivation, as plain text and as LaTeX.

Plain text uses the seed's notation (``·`` the matrix product, ``*`` the
element-wise product, ``ᵀ`` the transpose); LaTeX uses ``\\cdot``, ``\\odot``
and ``^{\\top}``. Templates use :class:`string.Template` placeholders:
``${z}`` and ``${l}`` for a layer's pre-activation z_k and activation l_k,
``${fprime}`` for the factor f′_L(z_L) in a loss's Δ_L.

Adding an activation or a loss to :mod:`gradcore` means adding one entry
here; without one, :func:`activation_text` and :func:`loss_text` fall back
to the generic f_k, f′_k and ∂L/∂z_L, which are always true.
"""

from __future__ import annotations

from dataclasses import dataclass


@dataclass(frozen=True)
class ActivationText:
    """How f_k and its derivative f′_k are written.

    Attributes
    ----------
    apply, apply_latex : str
        f_k(z_k), e.g. ``σ(${z})``.
    prime : str
        The name of f′, e.g. ``σ′``.
    derivative, derivative_latex : str or None
        f′_k(z_k) written with z_k and l_k = f_k(z_k), e.g.
        ``${l} * (1 − ${l})``; ``None`` when f′ ≡ 1 (no factor at all).
    """

    apply: str
    apply_latex: str
    prime: str
    derivative: str | None
    derivative_latex: str | None


@dataclass(frozen=True)
class LossText:
    """How a loss L and its Δ_L = ∂L/∂z_L are written.

    Attributes
    ----------
    value, value_latex : str
        L in terms of y and ŷ.
    delta, delta_latex : str
        Δ_L in terms of ŷ and y. ``${fprime}`` stands for `` * f′_L(z_L)``
        (empty when f′_L ≡ 1); a loss whose Δ_L has no f′ factor (the σ′
        cancels, as for binary cross-entropy) simply does not use it.
    """

    value: str
    value_latex: str
    delta: str
    delta_latex: str

    @property
    def uses_derivative(self) -> bool:
        """Whether Δ_L contains the factor f′_L(z_L)."""
        return "${fprime}" in self.delta


ACTIVATION_TEXT: dict[str, ActivationText] = {
    "sigmoid": ActivationText("σ(${z})", r"\sigma(${z})", "σ′", "${l} * (1 − ${l})", r"${l} \odot (1 - ${l})"),
    "tanh": ActivationText("tanh(${z})", r"\tanh(${z})", "tanh′", "(1 − ${l}²)", r"(1 - ${l}^{2})"),
    "relu": ActivationText("max(${z}, 0)", r"\max(${z}, 0)", "relu′", "[${z} > 0]", r"[${z} > 0]"),
    "linear": ActivationText("${z}", "${z}", "linear′", None, None),
}
"""The activations of :data:`gradcore.ACTIVATIONS`, as a derivation writes them."""

LOSS_TEXT: dict[str, LossText] = {
    "half_squared_error": LossText(
        "L = Σ ½ (y − ŷ)²",
        r"L = \sum \tfrac{1}{2} (y - \hat{y})^{2}",
        "(ŷ − y)${fprime}",
        r"(\hat{y} - y)${fprime}",
    ),
    "mean_squared_error": LossText(
        "L = (1 / (m·n_L)) Σ (y − ŷ)²",
        r"L = \frac{1}{m n_L} \sum (y - \hat{y})^{2}",
        "(2 / (m·n_L)) (ŷ − y)${fprime}",
        r"\frac{2}{m n_L} (\hat{y} - y)${fprime}",
    ),
    "binary_cross_entropy": LossText(
        "L = −(1 / (m·n_L)) Σ [y log ŷ + (1 − y) log(1 − ŷ)]",
        r"L = -\frac{1}{m n_L} \sum \left[ y \log \hat{y} + (1 - y) \log (1 - \hat{y}) \right]",
        "(ŷ − y) / (m·n_L)",
        r"\frac{\hat{y} - y}{m n_L}",
    ),
}
"""The losses of :data:`gradcore.LOSSES`, as a derivation writes them."""


def activation_text(name: str, k: int) -> ActivationText:
    """The text of activation ``name`` at layer k, or the generic f_k and f′_k(z_k)."""
    return ACTIVATION_TEXT.get(
        name,
        ActivationText(f"f_{k}(${{z}})", f"f_{{{k}}}(${{z}})", f"f′_{k}", f"f′_{k}(${{z}})", f"f_{{{k}}}'(${{z}})"),
    )


def loss_text(name: str) -> LossText:
    """The text of loss ``name``, or the generic L(ŷ, y) and Δ_L = ∂L/∂z_L."""
    escaped = name.replace("_", r"\_")
    return LOSS_TEXT.get(
        name,
        LossText(
            f"L = {name}(ŷ, y)",
            rf"L = \mathrm{{{escaped}}}(\hat{{y}}, y)",
            "∂L/∂ŷ${fprime}",
            r"\frac{\partial L}{\partial \hat{y}}${fprime}",
        ),
    )
