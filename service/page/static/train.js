// Watch it learn: /v1/train's loss history drawn by the vendored uPlot; /v1/gradients/check's ratings.
import { clearProblems, post, showProblem } from "./api.js";
import { el, fmt } from "./format.js";

let chart = null;

function chartSize(box) {
  return { width: Math.max(260, box.clientWidth), height: 240 };
}

export function drawLoss(history) {
  const box = document.getElementById("loss-chart");
  const data = [history.map((_, step) => step), history];
  if (chart) chart.destroy();
  chart = new window.uPlot({
    ...chartSize(box),
    title: "Loss L after each step",
    scales: { x: { time: false } },
    series: [{ label: "step" }, { label: "L", stroke: "#0877bd", width: 2, value: (_, v) => (v === null ? "" : fmt(v)) }],
    axes: [{ label: "step" }, { label: "L", size: 70, values: (_, ticks) => ticks.map(fmt) }],
  }, data, box);
  box.setAttribute("aria-label", `Loss curve over ${history.length - 1} steps: from ${fmt(history[0])} to ${fmt(history.at(-1))}`);
  box.dataset.last = String(history.at(-1));
  return chart;
}

export function currentChart() { return chart; }

window.addEventListener("resize", () => {
  if (chart) chart.setSize(chartSize(document.getElementById("loss-chart")));
});

/** Train, then hand the trained network back (or null after a problem). */
export async function train(body, eta, steps) {
  const scope = document.getElementById("train");
  clearProblems(scope);
  const out = document.getElementById("train-result");
  out.textContent = `Training ${steps} steps…`;
  const { data, problem } = await post("/v1/train", { ...body, learning_rate: eta, steps });
  if (problem) {
    out.textContent = problem.detail ?? problem.title;
    showProblem(problem);
    return null;
  }
  const history = data.loss_history;
  drawLoss(history);
  out.textContent = `After ${history.length - 1} steps of η = ${eta}: L went from ${fmt(history[0])} to ${fmt(history.at(-1))}. `
    + "The diagram and the matrices now show the trained network.";
  return data;
}

/** The check's worst entry of a layer: which parameter, and both of its numbers. */
function worstEntry(layer) {
  const worst = layer.worst;
  if (!worst) return "";
  const where = worst.row === null ? `b[${worst.column}]` : `W[${worst.row},${worst.column}]`;
  return `${where}: analytic ${fmt(worst.analytic)}, numerical ${fmt(worst.numerical)}`;
}

export async function check(body) {
  const out = document.getElementById("check-result");
  out.replaceChildren(el("p", { text: "Checking against central differences…" }));
  const { data, problem } = await post("/v1/gradients/check", body);
  if (problem) {
    out.replaceChildren(el("p", { class: "bad", text: problem.detail ?? problem.title }));
    showProblem(problem);
    return;
  }
  const rows = data.layers.map((layer, index) => el("tr", { class: layer.rating },
    el("th", { scope: "row", text: `∂L/∂W_${index + 1}` }),
    el("td", {}, el("span", { class: `badge ${layer.rating}`, text: layer.rating })),
    el("td", { text: layer.max_relative_error.toExponential(2) }),
    el("td", { text: layer.max_abs_error.toExponential(2) }),
    el("td", { text: worstEntry(layer) })));
  out.replaceChildren(
    el("p", { class: data.passed ? "good" : "bad", text: `Gradient check ${data.passed ? "passed" : "failed"}: backpropagation against central differences with ε = ${data.epsilon}.` }),
    el("table", { class: "check" },
      el("thead", {}, el("tr", {}, ["layer", "rating", "max relative error", "max absolute error", "worst entry"].map((h) => el("th", { scope: "col", text: h })))),
      el("tbody", {}, rows)),
    el("p", { text: data.note ?? "" }));
}
