"""Example request bodies shown on the interactive docs page, and the answers shown with them."""

# ruff: noqa: E501 (the stored answers hold the service's long strings as they are)

from typing import Any

from service.api.schemas.assignment_examples import ASSIGNMENTS_ANSWER

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


XOR_FIRST_STEPS: dict[str, Any] = {**XOR_TRAINING, "steps": 5}
"""The XOR example's first 5 steps: the request example of ``/v1/train``, short enough to show its answer."""

# The answers to the request examples, shown as the 200 examples of /docs. They are the service's real
# answers, stored: tests/service/http/test_openapi.py posts every request example and compares.

FORWARD_ANSWER: dict[str, Any] = {
    "output": [[0.5973721748363605]],
    "layers": [
        {"pre_activation": [[1.05, -0.35000000000000003]], "activation": [[0.740774899182154, 0.41338242108267]]},
        {"pre_activation": [[0.39452770310270674]], "activation": [[0.5973721748363605]]},
    ],
}
"""The answer of ``/v1/forward`` to :data:`SEED_TWO_LAYER`."""

LOSS_ANSWER: dict[str, Any] = {"loss": 0.08105458279800112, "output": [[0.5973721748363605]]}
"""The answer of ``/v1/loss`` to :data:`SEED_TWO_LAYER`."""

GRADIENTS_ANSWER: dict[str, Any] = {
    "loss": 0.08105458279800112,
    "output": [[0.5973721748363605]],
    "layers": [
        {
            "pre_activation": [[1.05, -0.35000000000000003]],
            "activation": [[0.740774899182154, 0.41338242108267]],
            "delta": [[-0.013017090077211916, 0.007044998295725794]],
            "weights_gradient": [
                [-0.013017090077211916, 0.007044998295725794],
                [-0.006508545038605958, 0.003522499147862897],
                [0.019525635115817876, -0.01056749744358869],
            ],
        },
        {
            "pre_activation": [[0.39452770310270674]],
            "activation": [[0.5973721748363605]],
            "delta": [[-0.09683950481299154]],
            "weights_gradient": [[-0.07173627441469353], [-0.040031748956041315]],
        },
    ],
}
"""The answer of ``/v1/gradients`` to :data:`SEED_TWO_LAYER`."""

SEED_HESSIAN_VECTOR: dict[str, Any] = {
    **SEED_TWO_LAYER,
    "vector": [{"weights": [[1.0, 0.0], [0.0, 0.0], [0.0, 0.0]]}, {"weights": [[0.0], [0.0]]}],
}
"""The seed's case 5 and v = the unit vector of W_1[0, 0]: the answer is the first column of ∇²L."""

HESSIAN_VECTOR_ANSWER: dict[str, Any] = {
    "loss": 0.08105458279800112,
    "output": [[0.5973721748363605]],
    "slope": -0.013017090077211916,
    "curvature": 0.007654380622972185,
    "layers": [
        {
            "weights_gradient": GRADIENTS_ANSWER["layers"][0]["weights_gradient"],
            "hessian_vector": {
                "weights": [
                    [0.007654380622972185, -0.0007501209859808891],
                    [0.0038271903114860924, -0.00037506049299044456],
                    [-0.011481570934458278, 0.0011251814789713338],
                ]
            },
        },
        {
            "weights_gradient": GRADIENTS_ANSWER["layers"][1]["weights_gradient"],
            "hessian_vector": {"weights": [[-0.010957674349691257], [0.004262407702165599]]},
        },
    ],
}
"""The answer of ``/v1/gradients/hessian-vector`` to :data:`SEED_HESSIAN_VECTOR`."""

DERIVATION_ANSWER: dict[str, Any] = {
    "steps": [
        {
            "kind": "pre_activation",
            "layer": 1,
            "symbol": "z_1",
            "description": "Layer 1, forward: the pre-activation, one row per example.",
            "equation": "z_1 = X · W_1",
            "latex": "z_{1} = X \\cdot W_{1}",
            "shapes": {
                "operands": [{"name": "X", "shape": [1, 3]}, {"name": "W_1", "shape": [3, 2]}],
                "result": [1, 2],
                "check": "(1 × 3) · (3 × 2) = 1 × 2",
            },
            "value": [[1.05, -0.35000000000000003]],
        },
        {
            "kind": "activation",
            "layer": 1,
            "symbol": "l_1",
            "description": "Layer 1, forward: the activation sigmoid.",
            "equation": "l_1 = σ(z_1)",
            "latex": "l_{1} = \\sigma(z_{1})",
            "shapes": {"operands": [{"name": "z_1", "shape": [1, 2]}], "result": [1, 2], "check": "σ(1 × 2) = 1 × 2"},
            "value": [[0.740774899182154, 0.41338242108267]],
        },
        {
            "kind": "pre_activation",
            "layer": 2,
            "symbol": "z_2",
            "description": "Layer 2, forward: the pre-activation, one row per example.",
            "equation": "z_2 = l_1 · W_2",
            "latex": "z_{2} = l_{1} \\cdot W_{2}",
            "shapes": {
                "operands": [{"name": "l_1", "shape": [1, 2]}, {"name": "W_2", "shape": [2, 1]}],
                "result": [1, 1],
                "check": "(1 × 2) · (2 × 1) = 1 × 1",
            },
            "value": [[0.39452770310270674]],
        },
        {
            "kind": "activation",
            "layer": 2,
            "symbol": "ŷ",
            "description": "Layer 2, forward: the activation sigmoid (the prediction ŷ).",
            "equation": "ŷ = l_2 = σ(z_2)",
            "latex": "\\hat{y} = l_{2} = \\sigma(z_{2})",
            "shapes": {"operands": [{"name": "z_2", "shape": [1, 1]}], "result": [1, 1], "check": "σ(1 × 1) = 1 × 1"},
            "value": [[0.5973721748363605]],
        },
        {
            "kind": "loss",
            "layer": None,
            "symbol": "L",
            "description": "The loss half_squared_error: one number for the whole batch.",
            "equation": "L = Σ ½ (y − ŷ)²",
            "latex": "L = \\sum \\tfrac{1}{2} (y - \\hat{y})^{2}",
            "shapes": {
                "operands": [{"name": "y", "shape": [1, 1]}, {"name": "ŷ", "shape": [1, 1]}],
                "result": [],
                "check": "y and ŷ are both 1 × 1; L is a scalar",
            },
            "value": 0.08105458279800112,
        },
        {
            "kind": "delta",
            "layer": 2,
            "symbol": "Δ_2",
            "description": "Layer 2, backward: Δ_2 = ∂L/∂z_2 from the loss, the start of backpropagation.",
            "equation": "Δ_2 = ∂L/∂z_2 = (ŷ − y) * ŷ * (1 − ŷ)",
            "latex": "\\Delta_{2} = \\frac{\\partial L}{\\partial z_{2}} = (\\hat{y} - y) \\odot \\hat{y} \\odot (1 - \\hat{y})",
            "shapes": {
                "operands": [{"name": "∂L/∂ŷ", "shape": [1, 1]}, {"name": "σ′(z_2)", "shape": [1, 1]}],
                "result": [1, 1],
                "check": "(1 × 1) * (1 × 1) = 1 × 1",
            },
            "value": [[-0.09683950481299154]],
        },
        {
            "kind": "weights_gradient",
            "layer": 2,
            "symbol": "∂L/∂W_2",
            "description": "Layer 2: the weights gradient, the shape of W_2.",
            "equation": "∂L/∂W_2 = l_1ᵀ · Δ_2",
            "latex": "\\frac{\\partial L}{\\partial W_{2}} = l_{1}^{\\top} \\cdot \\Delta_{2}",
            "shapes": {
                "operands": [{"name": "l_1ᵀ", "shape": [2, 1]}, {"name": "Δ_2", "shape": [1, 1]}],
                "result": [2, 1],
                "check": "(2 × 1) · (1 × 1) = 2 × 1",
            },
            "value": [[-0.07173627441469353], [-0.040031748956041315]],
        },
        {
            "kind": "delta",
            "layer": 1,
            "symbol": "Δ_1",
            "description": "Layer 1, backward: Δ_2 carried back through W_2, times σ′(z_1).",
            "equation": "Δ_1 = ∂L/∂z_1 = (Δ_2 · W_2ᵀ) * l_1 * (1 − l_1)",
            "latex": "\\Delta_{1} = \\frac{\\partial L}{\\partial z_{1}} = (\\Delta_{2} \\cdot W_{2}^{\\top}) \\odot l_{1} \\odot (1 - l_{1})",
            "shapes": {
                "operands": [
                    {"name": "Δ_2", "shape": [1, 1]},
                    {"name": "W_2ᵀ", "shape": [1, 2]},
                    {"name": "σ′(z_1)", "shape": [1, 2]},
                ],
                "result": [1, 2],
                "check": "((1 × 1) · (1 × 2)) * (1 × 2) = 1 × 2",
            },
            "value": [[-0.013017090077211916, 0.007044998295725794]],
        },
        {
            "kind": "weights_gradient",
            "layer": 1,
            "symbol": "∂L/∂W_1",
            "description": "Layer 1: the weights gradient, the shape of W_1.",
            "equation": "∂L/∂W_1 = Xᵀ · Δ_1",
            "latex": "\\frac{\\partial L}{\\partial W_{1}} = X^{\\top} \\cdot \\Delta_{1}",
            "shapes": {
                "operands": [{"name": "Xᵀ", "shape": [3, 1]}, {"name": "Δ_1", "shape": [1, 2]}],
                "result": [3, 2],
                "check": "(3 × 1) · (1 × 2) = 3 × 2",
            },
            "value": [
                [-0.013017090077211916, 0.007044998295725794],
                [-0.006508545038605958, 0.003522499147862897],
                [0.019525635115817876, -0.01056749744358869],
            ],
        },
    ]
}
"""The answer of ``/v1/derivation`` (JSON) to :data:`SEED_TWO_LAYER`."""

CHECK_ANSWER: dict[str, Any] = {
    "passed": True,
    "loss": 0.08105458279800112,
    "epsilon": 1e-06,
    "roundoff": 1.6074559319569895e-16,
    "error_model": "expected error E = 2 · (|D(2ε) − D(ε)| / 3 + δL / ε): Richardson's estimate of the truncation error plus the round-off of the two losses (δL, a first-order bound from the forward and backward pass); relative error e = |a − n| / max(|a|, |n|, E); a layer is rated on its unexplained error max(0, |a − n| − E) / max(|a|, |n|, E)",
    "thresholds": {"fine": 1e-07, "acceptable": 0.0001},
    "kinks": 0,
    "note": None,
    "layers": [
        {
            "numerical_gradient": [
                [-0.01301709006555715, 0.00704499829306388],
                [-0.006508545043367565, 0.003522499146629709],
                [0.019525635101805175, -0.010567497446534714],
            ],
            "analytic_gradient": [
                [-0.013017090077211916, 0.007044998295725794],
                [-0.006508545038605958, 0.003522499147862897],
                [0.019525635115817876, -0.01056749744358869],
            ],
            "max_abs_error": 1.4012700721988125e-11,
            "max_relative_error": 8.953434004889832e-10,
            "max_unexplained_error": 0.0,
            "max_expected_error": 3.3092369209383523e-10,
            "rating": "fine",
            "passed": True,
            "kinks": 0,
            "worst": {
                "parameter": "W",
                "row": 0,
                "column": 0,
                "analytic": -0.013017090077211916,
                "numerical": -0.01301709006555715,
                "relative_error": 8.953434004889832e-10,
                "expected_error": 3.261171156606694e-10,
                "unexplained_error": 0.0,
            },
            "failing": [],
            "failing_count": 0,
        },
        {
            "numerical_gradient": [[-0.07173627442557337], [-0.040031748951524206]],
            "analytic_gradient": [[-0.07173627441469353], [-0.040031748956041315]],
            "max_abs_error": 1.0879838696631339e-11,
            "max_relative_error": 1.516643955063377e-10,
            "max_unexplained_error": 0.0,
            "max_expected_error": 3.257753057469629e-10,
            "rating": "fine",
            "passed": True,
            "kinks": 0,
            "worst": {
                "parameter": "W",
                "row": 0,
                "column": 0,
                "analytic": -0.07173627441469353,
                "numerical": -0.07173627442557337,
                "relative_error": 1.516643955063377e-10,
                "expected_error": 3.257753057469629e-10,
                "unexplained_error": 0.0,
            },
            "failing": [],
            "failing_count": 0,
        },
    ],
}
"""The answer of ``/v1/gradients/check`` to :data:`SEED_CHECK`."""

VERIFY_ANSWER: dict[str, Any] = {
    "all_correct": False,
    "rtol": 0.001,
    "layers": [
        {
            "verdict": "sign_flipped",
            "factor": -1.0,
            "max_abs_error": 0.039055635115817874,
            "expected": [
                [-0.013017090077211916, 0.007044998295725794],
                [-0.006508545038605958, 0.003522499147862897],
                [0.019525635115817876, -0.01056749744358869],
            ],
            "hint": "the claim is −∂L/∂W_1 rounded to 4 significant digits: (y − ŷ) where the gradient has (ŷ − y); it is the descent direction, not the gradient",
            "worst_index": None,
            "missing_at_layer": None,
            "rounded_to": 4,
            "wrong_entries": [],
            "wrong_count": 0,
            "mistakes": ["sign_flipped"],
        },
        {
            "verdict": "sign_flipped",
            "factor": -1.0,
            "max_abs_error": 0.14347627441469352,
            "expected": [[-0.07173627441469353], [-0.040031748956041315]],
            "hint": "the claim is −∂L/∂W_2 rounded to 4 significant digits: (y − ŷ) where the gradient has (ŷ − y); it is the descent direction, not the gradient",
            "worst_index": None,
            "missing_at_layer": None,
            "rounded_to": 4,
            "wrong_entries": [],
            "wrong_count": 0,
            "mistakes": ["sign_flipped"],
        },
    ],
}
"""The answer of ``/v1/gradients/verify`` to :data:`SEED_WRONG_SIGN`: both layers ``sign_flipped``."""

TRAIN_ANSWER: dict[str, Any] = {
    "loss_history": [
        0.5025095188524408,
        0.5002112089889023,
        0.5000882808032836,
        0.500077668565373,
        0.5000726466670254,
        0.5000679148418753,
    ],
    "network": {
        "layers": [
            {
                "weights": [[0.08069774765863945, -0.19774699863807357], [0.3879049058540158, 0.3091736825329488]],
                "activation": "sigmoid",
                "bias": [-0.511413864192865, 0.20939814519401498],
            },
            {
                "weights": [[0.6581731992059732], [-0.35172870059309014]],
                "activation": "sigmoid",
                "bias": [-0.08625861234201396],
            },
        ]
    },
    "output": [[0.4915646514104072], [0.5005157058829018], [0.4990358478011211], [0.5079865956002363]],
}
"""The answer of ``/v1/train`` to :data:`XOR_FIRST_STEPS`."""


ANSWERS: dict[str, dict[str, Any]] = {
    "ForwardRequest": FORWARD_ANSWER,
    "LossRequest": LOSS_ANSWER,
    "GradientsRequest": GRADIENTS_ANSWER,
    "DerivationRequest": DERIVATION_ANSWER,
    "GradientsCheckRequest": CHECK_ANSWER,
    "GradientsVerifyRequest": VERIFY_ANSWER,
    "TrainRequest": TRAIN_ANSWER,
    "AssignmentsRequest": ASSIGNMENTS_ANSWER,
    "HessianVectorRequest": HESSIAN_VECTOR_ANSWER,
}
"""The 200 example of each operation, by the name of its request model (:func:`service.api.openapi.documented_body`)."""
