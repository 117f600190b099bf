"""Comparing documented answers with real ones: numbers with a stated tolerance, everything else exactly.

BLAS kernels differ in the last bit of a matrix product, so a computed float is never compared as text.
"""

from __future__ import annotations

import re
from typing import Any

import numpy as np

RTOL = 1e-12
"""Relative tolerance of full-precision numbers: a few ulps, which is all a different BLAS kernel changes."""

NUMBER = re.compile(r"(?<![\w.])[−-]?(?:\d+\.\d*|\.\d+|\d+)(?:[eE][+−-]?\d+)?(?![\w.])")
"""A decimal number in text, with an ASCII or a Unicode minus sign."""


def _value(token: str) -> float:
    return float(token.replace("−", "-"))


def last_digit_unit(token: str) -> float:
    """The value of one unit in the last digit written: 0.001 for ``-0.0968``, 10 for ``1.2e2``."""
    mantissa, _, exponent = token.lower().partition("e")
    decimals = len(mantissa.partition(".")[2])
    return 10.0 ** (int(exponent.replace("−", "-") or 0) - decimals)


def same_text(actual: str, expected: str, rtol: float = RTOL) -> None:
    """Assert that two texts are equal but for their numbers, which must agree to ``rtol``.

    A number written rounded may also differ by one unit in its last written digit: a value on a
    rounding boundary rounds either way when its last bit differs.
    """
    assert NUMBER.split(actual) == NUMBER.split(expected), (actual, expected)
    got, want = NUMBER.findall(actual), NUMBER.findall(expected)
    assert len(got) == len(want)
    for a, e in zip(got, want, strict=True):
        if a == e:
            continue
        value, reference = _value(a), _value(e)
        tolerance = max(rtol * abs(reference), last_digit_unit(e))
        assert abs(value - reference) <= tolerance * (1 + 1e-9), (a, e)


CHECK_NOISE = frozenset(
    {
        "numerical_gradient",
        "numerical_bias_gradient",
        "numerical",
        "max_abs_error",
        "max_relative_error",
        "max_unexplained_error",
        "max_expected_error",
        "relative_error",
        "expected_error",
        "unexplained_error",
    }
)
"""Fields of a gradient check's answer that hold central differences or their errors: rounding noise, equal to
the last bits only on one machine. :func:`same_json` compares them to 1e-6 relative or 1e-9 absolute."""


def same_json(
    actual: Any, expected: Any, rtol: float = RTOL, path: str = "", noise: frozenset[str] = frozenset()
) -> None:
    """Assert equal structures, strings and booleans; numbers equal to ``rtol``, or, below a key in ``noise``
    (e.g. :data:`CHECK_NOISE`), to 1e-6 relative or 1e-9 absolute."""
    if isinstance(expected, dict):
        assert isinstance(actual, dict), path
        assert actual.keys() == expected.keys(), path
        for key in expected:
            if key in noise:
                same_json(actual[key], expected[key], 1e-6, f"{path}/{key}", noise=frozenset({"*"}))
            else:
                same_json(actual[key], expected[key], rtol, f"{path}/{key}", noise)
    elif isinstance(expected, list):
        assert isinstance(actual, list), path
        assert len(actual) == len(expected), path
        for index, (a, e) in enumerate(zip(actual, expected, strict=True)):
            same_json(a, e, rtol, f"{path}/{index}", noise)
    elif isinstance(expected, float | int) and not isinstance(expected, bool):
        assert isinstance(actual, float | int), path
        assert not isinstance(actual, bool), path
        atol = 1e-9 if "*" in noise else 0.0
        np.testing.assert_allclose(actual, expected, rtol=rtol, atol=atol, err_msg=path)
    else:
        assert actual == expected, path
