// The steps of /v1/derivation: each equation's LaTeX rendered as MathML by the vendored Temml, its shape check,
// and its value (in exercise mode, not the value of a quantity the learner has yet to find).
import { isHidden } from "./exercise.js";
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

const IDS = { pre_activation: "z", activation: "l", delta: "delta", weights_gradient: "dW", bias_gradient: "db" };

/** The exercise quantity of a step ("dW-2" for ∂L/∂W_2, "L" for the loss), or null. */
function quantityOf(step) {
  if (step.kind === "loss") return "L";
  return IDS[step.kind] && step.layer ? `${IDS[step.kind]}-${step.layer}` : null;
}

export function renderDerivation(steps) {
  document.getElementById("steps").replaceChildren(...steps.map((step, index) => {
    const id = quantityOf(step);
    const value = id && isHidden(id)
      ? el("p", { class: "scalar hidden-value", text: `${step.symbol} = ? (hidden until you check your own value or reveal it)` })
      : Array.isArray(step.value)
      ? matrixFigure({ id: `step-${index}`, label: step.symbol, matrix: step.value })
      : el("p", { class: "scalar", text: `${step.symbol} = ${fmt(step.value)}` });
    return el("li", { class: `step ${step.kind}`, "data-kind": step.kind },
      mathml(step.latex),
      el("p", { class: "description", text: step.description }),
      el("p", { class: "shapes" }, "Shapes: ", el("code", { text: step.shapes.check })),
      value);
  }));
}
