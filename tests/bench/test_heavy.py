"""bench.heavy --quick: the heavy-endpoint table keeps working (tiny networks; nothing timed is asserted)."""

from __future__ import annotations

import numpy as np
import pytest

from bench import heavy
from gradcore import gradient_descent


def test_the_quick_table_has_a_row_per_workload_and_every_request_is_answered(
    capsys: pytest.CaptureFixture[str],
) -> None:
    lines = heavy.main(["--quick"])
    rows = [line for line in lines if line.startswith("| ") and not line.startswith("| workload")]
    assert [row.split(" | ")[0].removeprefix("| ") for row in rows] == list(heavy.GOALS)
    assert "refused" not in "\n".join(lines)
    assert capsys.readouterr().out.strip().endswith(lines[-1])


def test_the_trained_weights_agree_with_pytorch_when_it_is_installed() -> None:
    """gradcore's descent and the same loop in PyTorch float64 (autograd): the same weights after 3 steps, to 1e-12."""
    pytest.importorskip("torch")
    every, _ = heavy.workloads(quick=True)
    for layers, X, Y, _m, lr in every.values():
        theirs = heavy.torch_rows((layers, X, Y, _m, lr), steps=3, check=False)["weights"]
        trained = gradient_descent(layers, X, Y, heavy.LOSS, lr, 3).layers
        mine = [p for layer in trained for p in (layer.W, layer.b)]
        assert len(mine) == len(theirs)
        for a, b in zip(mine, theirs, strict=True):
            np.testing.assert_allclose(a, b, rtol=0.0, atol=1e-12)
        assert not np.allclose(trained[-1].W, layers[-1].W, rtol=0.0, atol=1e-6)  # descent moved the weights
