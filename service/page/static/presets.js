// The presets: the six cases of the series “Gradients for Neural Nets” (examples/seed_case_*.json), XOR and a few rows of Iris.
const sig = (W, extra = {}) => ({ W, activation: "sigmoid", b: null, ...extra });
const seed = (layers, X, Y) => ({ layers, X, Y, loss: "half_squared_error", eta: 0.5, steps: 100 });

// Fisher's Iris data (R. A. Fisher, 1936; UCI Machine Learning Repository, "Iris"): rows 1, 2 (setosa),
// 51, 52 (versicolor), 101 and 102 (virginica). Sepal length, sepal width, petal length, petal width in cm.
const IRIS_X = [
  [5.1, 3.5, 1.4, 0.2], [4.9, 3.0, 1.4, 0.2],
  [7.0, 3.2, 4.7, 1.4], [6.4, 3.2, 4.5, 1.5],
  [6.3, 3.3, 6.0, 2.5], [5.8, 2.7, 5.1, 1.9],
];
const IRIS_Y = [[1, 0, 0], [1, 0, 0], [0, 1, 0], [0, 1, 0], [0, 0, 1], [0, 0, 1]];

export const PRESETS = {
  seed1: { title: "Case 1 of the series: one weight, one example", ...seed([sig([[0.5]])], [[1.5]], [[1.0]]) },
  seed2: { title: "Case 2 of the series: n inputs → 1, one example", ...seed([sig([[0.2], [-0.4], [0.1]])], [[1.0, 0.5, -1.5]], [[1.0]]) },
  seed3: {
    title: "Case 3 of the series: n inputs → 1, a batch",
    ...seed([sig([[0.2], [-0.4], [0.1]])], [[1.0, 0.5, -1.5], [0.0, 1.0, 2.0], [-1.0, 0.5, 0.5], [2.0, -1.0, 0.0]],
      [[1.0], [0.0], [1.0], [0.0]]),
  },
  seed4: {
    title: "Case 4 of the series: n → 1 hidden node → 1",
    ...seed([sig([[0.3], [-0.2], [0.5]]), sig([[0.8]])], [[1.0, 0.5, -1.5]], [[1.0]]),
  },
  seed5: {
    title: "Case 5 of the series: n → 2 hidden nodes → 1",
    ...seed([sig([[0.1, -0.2], [0.4, 0.3], [-0.5, 0.2]]), sig([[0.7], [-0.3]])], [[1.0, 0.5, -1.5]], [[1.0]]),
    // The series' own answer for this network, with its stray minus sign (examples/verify_wrong_sign.json).
    slip: "[[0.01302, -0.007045], [0.006509, -0.003522], [-0.01953, 0.01057]]\n[[0.07174], [0.04003]]",
  },
  seed6: {
    title: "Case 6 of the series: n → h → k, a batch",
    ...seed([
      sig([[0.1, -0.2, 0.3, 0.4], [0.4, 0.3, -0.1, 0.2], [-0.5, 0.2, 0.1, -0.3]]),
      sig([[0.7, -0.1], [-0.3, 0.5], [0.2, 0.2], [0.6, -0.4]]),
    ], [[1.0, 0.5, -1.5], [0.0, 1.0, 2.0], [-1.0, 0.5, 0.5], [2.0, -1.0, 0.0]],
    [[1.0, 0.0], [0.0, 1.0], [1.0, 1.0], [0.0, 0.0]]),
  },
  xor: {
    title: "XOR (with biases)",
    layers: [sig([[0.1, -0.2], [0.4, 0.3]], { b: [-0.5, 0.2] }), sig([[0.7], [-0.3]], { b: [0.0] })],
    X: [[0, 0], [0, 1], [1, 0], [1, 1]], Y: [[0], [1], [1], [0]],
    loss: "half_squared_error", eta: 2.0, steps: 500,
  },
  iris: {
    title: "Iris, 6 flowers: 4 → 3 → 3 softmax",
    layers: [
      sig([[0.2, -0.3, 0.1], [0.4, 0.1, -0.5], [-0.3, 0.2, 0.4], [-0.1, 0.3, 0.2]], { b: [0, 0, 0] }),
      { W: [[0.5, -0.4, 0.1], [-0.2, 0.6, -0.3], [-0.4, -0.1, 0.6]], activation: "softmax", b: [0, 0, 0] },
    ],
    X: IRIS_X, Y: IRIS_Y, loss: "cross_entropy", eta: 0.5, steps: 300,
  },
};
