// Per layer: z_k, l_k, Δ_k, ∂L/∂W_k and ∂L/∂b_k as tables with their shape and a colour scale. Hovering or
// focusing an entry shows its formula (formulas.js); the arrow keys move between entries. In exercise mode a hidden
// quantity is a box for the learner's own value instead (exercise.js): its numbers are not in the page at all.
import * as exercise from "./exercise.js";
import * as formulas from "./formulas.js";
import { el, fmt, shapeText } from "./format.js";

/** Playground's colours: orange below zero, blue above, stronger with |value| / max |value|. */
export function colour(value, max) {
  const t = max > 0 ? Math.min(1, Math.abs(value) / max) : 0;
  return value < 0 ? `rgba(245, 147, 34, ${0.08 + 0.62 * t})` : `rgba(8, 119, 189, ${0.08 + 0.55 * t})`;
}

const tip = () => document.getElementById("formula");

export function showFormula(anchor, text) {
  const box = tip();
  box.textContent = text;
  box.hidden = false;
  const rect = anchor.getBoundingClientRect();
  if (window.innerWidth > 600) {
    box.style.left = `${Math.max(8, Math.min(rect.left + window.scrollX, window.scrollX + window.innerWidth - box.offsetWidth - 8))}px`;
    box.style.top = `${rect.bottom + window.scrollY + 6}px`;
  }
}

export function hideFormula() { tip().hidden = true; }

function moveFocus(event) {
  const cell = event.target.closest("td");
  if (!cell) return;
  const step = { ArrowLeft: [0, -1], ArrowRight: [0, 1], ArrowUp: [-1, 0], ArrowDown: [1, 0] }[event.key];
  if (event.key === "Escape") { hideFormula(); return; }
  if (!step) return;
  const table = cell.closest("table");
  const next = table.querySelector(`td[data-i="${Number(cell.dataset.i) + step[0]}"][data-j="${Number(cell.dataset.j) + step[1]}"]`);
  if (next) {
    event.preventDefault();
    cell.tabIndex = -1;
    next.tabIndex = 0;
    next.focus();
  }
}

/** One matrix as a figure: caption with shape, colour legend, and a scrolling grid of entries (`texts`: the entries
 * as someone typed them, shown instead of the numbers). */
export function matrixFigure({ id, label, matrix, formula, texts = null }) {
  const rows = Array.isArray(matrix[0]) ? matrix : [matrix];
  const max = Math.max(0, ...rows.flat().map(Math.abs));
  const table = el("table", { class: "grid", role: "grid", "aria-label": `${label}, ${shapeText(matrix)}`, onkeydown: moveFocus });
  rows.forEach((row, i) => {
    table.append(el("tr", { role: "row" }, row.map((value, j) => {
      const text = formula ? formula(i, j) : null;
      const td = el("td", {
        role: "gridcell", tabindex: i === 0 && j === 0 ? 0 : -1, "data-i": i, "data-j": j, "data-value": value,
        style: `background:${colour(value, max)}`, text: texts ? (texts[i]?.[j] ?? "") : fmt(value),
      });
      if (text) {
        td.setAttribute("aria-description", text);
        const show = () => showFormula(td, text);
        td.addEventListener("mouseenter", show);
        td.addEventListener("focus", show);
        td.addEventListener("mouseleave", hideFormula);
        td.addEventListener("blur", hideFormula);
      }
      return td;
    })));
  });
  const legend = texts ? null : el("span", { class: "scale", "aria-hidden": "true" },
    el("span", { text: fmt(-max) }), el("span", { class: "bar" }), el("span", { text: fmt(max) }));
  return el("figure", { class: "matrix", id },
    el("figcaption", {}, el("strong", { text: label }), el("span", { class: "shape", text: shapeText(matrix) }), legend),
    el("div", { class: "scroll", tabindex: -1 }, table));
}

/** A quantity of the answer: its figure, or in exercise mode its card while hidden, with the learner's mark. */
function quantity(ctx, hooks, { id, label, matrix, formula }) {
  const L = ctx.res.layers.length;
  const text = hooks.answers[id] ?? "";
  if (exercise.isHidden(id)) {
    const [rows, cols] = exercise.shapeOf(id, ctx);
    return exercise.exerciseCard({
      id, label, pointer: exercise.answerPointer(id, L), rows, cols, text,
      onInput: (value) => hooks.onInput(id, value), onCheck: hooks.check, onReveal: () => hooks.reveal(id),
    });
  }
  const figure = matrixFigure({ id, label, matrix, formula });
  const mark = exercise.markNode(id, label, text);
  if (mark) figure.append(mark);
  return figure;
}

export function renderMatrices(ctx, hooks = { answers: {} }) {
  const L = ctx.res.layers.length;
  const sections = ctx.res.layers.map((layer, index) => {
    const k = index + 1;
    const f = ctx.req.network.layers[index].activation;
    const q = (spec) => quantity(ctx, hooks, spec);
    const figures = [
      q({ id: `z-${k}`, label: `z_${k}`, matrix: layer.pre_activation, formula: (r, j) => formulas.preActivation(ctx, k, r, j) }),
      q({ id: `l-${k}`, label: k === L ? `ŷ = l_${k}` : `l_${k}`, matrix: layer.activation, formula: (r, j) => formulas.activation(ctx, k, r, j) }),
    ];
    if (k === L) figures.push(q({ id: "L", label: "L", matrix: [[ctx.res.loss]], formula: () => formulas.loss(ctx) }));
    figures.push(
      q({ id: `delta-${k}`, label: `Δ_${k}`, matrix: layer.delta, formula: (r, j) => formulas.delta(ctx, k, r, j) }),
      q({ id: `dW-${k}`, label: `∂L/∂W_${k}`, matrix: layer.weights_gradient, formula: (i, j) => formulas.weightsGradient(ctx, k, i, j) }),
    );
    if (layer.bias_gradient) {
      figures.push(q({ id: `db-${k}`, label: `∂L/∂b_${k}`, matrix: layer.bias_gradient, formula: (_, j) => formulas.biasGradient(ctx, k, j) }));
    }
    return el("section", { class: "layer", "aria-label": `Layer ${k}` },
      el("h3", { text: `Layer ${k}: ${ctx.req.network.layers[index].weights.length} → ${layer.activation[0].length}, ${f}` }),
      el("div", { class: "figures" }, figures));
  });
  document.getElementById("matrices").replaceChildren(...sections);
}
