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
