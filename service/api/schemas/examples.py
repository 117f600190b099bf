"""Example request bodies shown on the interactive docs page."""

from typing import Any

SEED_TWO_LAYER: dict[str, Any] = {
    "network": {
        "layers": [
            {"weights": [[0.1, -0.2], [0.4, 0.3], [-0.5, 0.2]], "activation": "sigmoid"},
            {"weights": [[0.7], [-0.3]], "activation": "sigmoid"},
        ]
    },
    "inputs": [1.0, 0.5, -1.5],
    "targets": 1.0,
    "loss": "half_squared_error",
}
"""The seed's case 5: n_0 = 3 inputs → 2 hidden sigmoid nodes → 1 sigmoid output, one example."""

XOR_TRAINING: dict[str, Any] = {
    "network": {
        "layers": [
            {"weights": [[0.1, -0.2], [0.4, 0.3]], "bias": [-0.5, 0.2], "activation": "sigmoid"},
            {"weights": [[0.7], [-0.3]], "bias": [0.0], "activation": "sigmoid"},
        ]
    },
    "inputs": [[0.0, 0.0], [0.0, 1.0], [1.0, 0.0], [1.0, 1.0]],
    "targets": [0.0, 1.0, 1.0, 0.0],
    "loss": "half_squared_error",
    "learning_rate": 2.0,
    "steps": 500,
}
"""The seed's case-5 weights learning XOR: 2 inputs → 2 hidden sigmoid nodes → 1 sigmoid output.

W_1 is the first two rows of the seed's W_1, its third row (the weights of a constant input 1)
is the bias b_1; W_2 is the seed's, with a bias b_2 = 0 (XOR needs an output bias)."""

SEED_CHECK: dict[str, Any] = {**SEED_TWO_LAYER, "epsilon": 1e-6}
"""The seed's case 5 with the central-difference step ε of ``/v1/gradients/check``."""

SEED_WRONG_SIGN: dict[str, Any] = {
    **SEED_TWO_LAYER,
    "claimed_gradients": [
        [[0.01302, -0.007045], [0.006509, -0.003522], [-0.01953, 0.01057]],
        [[0.07174], [0.04003]],
    ],
}
"""The seed's case 5 with the gradients its part 4-2 derives, (y − ŷ) for (ŷ − y), rounded to 4 digits."""
