// The network as TensorFlow Playground draws it: nodes show their activation for one example, edges are blue
// for a positive weight and orange for a negative one, and as wide as |∂L/∂W|. In exercise mode what the learner
// has yet to find (l_k, ∂L/∂W_k) is drawn as "?" and edges of one width.
import { isHidden } from "./exercise.js";
import * as formulas from "./formulas.js";
import { fmt } from "./format.js";
import { colour, hideFormula, showFormula } from "./matrices.js";

const NS = "http://www.w3.org/2000/svg";
const svg = (tag, attrs = {}) => {
  const node = document.createElementNS(NS, tag);
  for (const [key, value] of Object.entries(attrs)) node.setAttribute(key, value);
  return node;
};
const MAX_NODES = 16;

export function renderDiagram(ctx, row) {
  const layers = [ctx.req.inputs, ...ctx.res.layers.map((layer) => layer.activation)];
  const counts = layers.map((A) => Math.min(A[0].length, MAX_NODES));
  const width = 640, gap = 54, top = 40;
  const height = top + gap * Math.max(...counts) + 10;
  const x = (k) => 50 + (k * (width - 100)) / (layers.length - 1);
  const y = (k, i) => top + gap * (i + 0.5) + (gap * (Math.max(...counts) - counts[k])) / 2;
  const grads = ctx.res.layers.map((layer) => layer.weights_gradient);
  const maxGrad = Math.max(1e-300, ...grads.flat(2).map(Math.abs));
  const root = svg("svg", { viewBox: `0 0 ${width} ${height}`, role: "img", class: "diagram" });
  const title = svg("title");
  const loss = isHidden("L") ? "" : `, loss ${fmt(ctx.res.loss)}`;
  title.textContent = `Network ${layers.map((A) => A[0].length).join("-")}, example ${row}${loss}`;
  root.append(title);

  ctx.res.layers.forEach((layer, index) => {
    const k = index + 1;
    const W = ctx.req.network.layers[index].weights;
    const hidden = isHidden(`dW-${k}`);
    for (let i = 0; i < counts[k - 1]; i += 1) {
      for (let j = 0; j < counts[k]; j += 1) {
        const g = layer.weights_gradient[i][j];
        const line = svg("line", {
          x1: x(k - 1) + 18, y1: y(k - 1, i), x2: x(k) - 18, y2: y(k, j), class: W[i][j] < 0 ? "edge neg" : "edge pos",
          "stroke-width": hidden ? "2" : (0.75 + (7 * Math.abs(g)) / maxGrad).toFixed(2), "data-edge": `${k}:${i}:${j}`,
        });
        const label = svg("title");
        label.textContent = `W_${k}[${i},${j}] = ${fmt(W[i][j])}` + (hidden ? "" : `, ∂L/∂W_${k}[${i},${j}] = ${fmt(g)}`);
        line.append(label);
        if (!hidden) {
          line.addEventListener("mouseenter", () => showFormula(line, formulas.weightsGradient(ctx, k, i, j)));
          line.addEventListener("mouseleave", hideFormula);
        }
        root.append(line);
      }
    }
  });
  layers.forEach((A, k) => {
    const values = A[Math.min(row, A.length - 1)];
    const name = k === 0 ? "X" : k === layers.length - 1 ? "ŷ" : `l_${k}`;
    const heading = svg("text", { x: x(k), y: 18, class: "column" });
    heading.textContent = name + (values.length > MAX_NODES ? ` (${MAX_NODES} of ${values.length})` : "");
    root.append(heading);
    const hidden = k > 0 && isHidden(`l-${k}`);
    for (let i = 0; i < counts[k]; i += 1) {
      const circle = svg("circle", { cx: x(k), cy: y(k, i), r: 18, fill: hidden ? "#eee" : colour(values[i], 1), class: "node" });
      const value = svg("text", { x: x(k), y: y(k, i) + 4, class: "value" });
      value.textContent = hidden ? "?" : fmt(values[i], 2);
      const group = svg("g", { "data-node": `${k}:${i}` });
      const label = svg("title");
      label.textContent = `${name}[${row},${i}] = ${hidden ? "?" : fmt(values[i])}`;
      group.append(label, circle, value);
      if (k > 0 && !hidden) {
        group.addEventListener("mouseenter", () => showFormula(circle, formulas.activation(ctx, k, row, i)));
        group.addEventListener("mouseleave", hideFormula);
      }
      root.append(group);
    }
  });
  document.getElementById("diagram").replaceChildren(root);
}
