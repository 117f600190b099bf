// The steps of /v1/derivation: each equation's LaTeX rendered as MathML by the vendored Temml, its shape check,
// and its value.
import { el, fmt } from "./format.js";
import { matrixFigure } from "./matrices.js";

function mathml(latex) {
  const holder = el("div", { class: "math" });
  try {
    window.temml.render(latex, holder, { displayMode: true });
  } catch (error) {
    holder.textContent = latex; // never hide a step: show its LaTeX if it cannot be rendered
    holder.title = String(error);
  }
  return holder;
}

export function renderDerivation(steps) {
  document.getElementById("steps").replaceChildren(...steps.map((step, index) => {
    const value = Array.isArray(step.value)
      ? matrixFigure({ id: `step-${index}`, label: step.symbol, matrix: step.value })
      : el("p", { class: "scalar", text: `${step.symbol} = ${fmt(step.value)}` });
    return el("li", { class: `step ${step.kind}`, "data-kind": step.kind },
      mathml(step.latex),
      el("p", { class: "description", text: step.description }),
      el("p", { class: "shapes" }, "Shapes: ", el("code", { text: step.shapes.check })),
      value);
  }));
}
