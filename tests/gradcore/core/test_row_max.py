"""gradcore.core.activations.row_max: the rows' maxima, the numbers of numpy's own maximum over the last axis."""

from __future__ import annotations

import numpy as np
import pytest

from gradcore.core.activations import SHORT_ROW, row_max


@pytest.mark.parametrize("shape", [(1, 1), (5, 1), (1347, 10), (3, SHORT_ROW), (40, SHORT_ROW + 1), (7, 3, 4)])
def test_row_max_is_numpys_maximum(shape: tuple[int, ...]) -> None:
    rng = np.random.default_rng(list(shape))
    Z = rng.normal(size=shape) * 10.0 ** rng.integers(-300, 300, size=shape)
    expected = Z.max(axis=-1, keepdims=True)
    assert row_max(Z).shape == expected.shape
    np.testing.assert_array_equal(row_max(Z), expected)


def test_row_max_keeps_infinities_and_nan() -> None:
    Z = np.array([[1.0, np.inf, 2.0], [-np.inf, -np.inf, -np.inf], [np.nan, 1.0, 2.0], [3.0, 3.0, -1.0]])
    np.testing.assert_array_equal(row_max(Z), [[np.inf], [-np.inf], [np.nan], [3.0]])


def test_a_view_of_columns_is_read_as_it_is() -> None:
    Z = np.arange(24.0).reshape(4, 6)[:, ::2]
    np.testing.assert_array_equal(row_max(Z), [[4.0], [10.0], [16.0], [22.0]])
