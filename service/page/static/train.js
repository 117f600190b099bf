// Watch it learn: /v1/train's loss history drawn by the vendored uPlot, in up to CHUNKS calls so that the picture
// follows the training; /v1/gradients/check's ratings of the service's own backpropagation.
import { clearProblems, post, problemSummary, showProblem } from "./api.js";
import { isHidden } from "./exercise.js";
import { el, fmt } from "./format.js";
import { own } from "./results.js";

const CHUNKS = 10;

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

/** Train in up to CHUNKS calls of /v1/train (gradient descent continued from where the last call stopped gives the
 * same steps as one call), drawing the loss and calling `progress(body)` after each; the trained network, or null. */
export async function train(body, eta, steps, progress = () => {}) {
  const scope = document.getElementById("train");
  clearProblems(scope);
  const out = document.getElementById("train-result");
  out.textContent = `Training ${steps} steps…`;
  if (!Number.isInteger(steps) || steps < 1) return trainProblem(await post("/v1/train", { ...body, learning_rate: eta, steps }), out);
  const size = Math.ceil(steps / Math.min(CHUNKS, steps));
  let current = body;
  let history = [];
  for (let done = 0; done < steps;) {
    const n = Math.min(size, steps - done);
    const { data, problem } = await post("/v1/train", { ...current, learning_rate: eta, steps: n });
    if (problem) return trainProblem({ problem }, out);
    history = history.length ? history.concat(data.loss_history.slice(1)) : data.loss_history;
    current = { ...current, network: data.network };
    done += n;
    drawLoss(history);
    out.textContent = `Training: ${done} of ${steps} steps…`;
    await progress(current);
  }
  out.textContent = `After ${history.length - 1} steps of η = ${eta}: L went from ${fmt(history[0])} to ${fmt(history.at(-1))}. `
    + "The diagram and the matrices now show the trained network.";
  return { network: current.network, loss_history: history };
}

function trainProblem({ problem }, out) {
  out.textContent = problem ? problemSummary(problem) : "";
  if (problem) showProblem(problem, document.getElementById("train"));
  return null;
}

/** The check's worst entry of layer k: which parameter (W_k[i,j] or b_k[j]), and its two numbers unless hidden. */
function worstEntry(layer, k) {
  const worst = layer.worst;
  if (!worst) return "";
  const bias = worst.parameter === "b" || worst.row === null;
  const where = bias ? `b_${k}[${worst.column}]` : `W_${k}[${worst.row},${worst.column}]`;
  if (isHidden(bias ? `db-${k}` : `dW-${k}`)) return where;
  return `${where}: backpropagation ${fmt(worst.analytic)}, central differences ${fmt(worst.numerical)}`;
}

export async function check(body, key) {
  const out = document.getElementById("check-result");
  own(out, key, "The last gradient check was for the network as it was before your change: check again.");
  out.replaceChildren(el("p", { text: "Checking against central differences…" }));
  const { data, problem } = await post("/v1/gradients/check", body);
  if (out.dataset.for !== key) return; // the network changed while the service checked it
  if (problem) {
    out.replaceChildren(el("p", { class: "bad", text: problemSummary(problem) }));
    showProblem(problem, document.getElementById("train"));
    return;
  }
  const rows = data.layers.map((layer, index) => el("tr", { class: layer.rating },
    el("th", { scope: "row", text: `layer ${index + 1}: W_${index + 1}${body.network.layers[index].bias ? `, b_${index + 1}` : ""}` }),
    el("td", {}, el("span", { class: `badge ${layer.rating}`, text: layer.rating })),
    el("td", { text: layer.max_relative_error.toExponential(2) }),
    el("td", { text: layer.max_abs_error.toExponential(2) }),
    el("td", { class: "worst", text: worstEntry(layer, index + 1) })));
  out.replaceChildren(
    el("p", { class: data.passed ? "good" : "bad", text: `Gradient check ${data.passed ? "passed" : "failed"}: the service's backpropagation against central differences with ε = ${data.epsilon}.` }),
    el("table", { class: "check" },
      el("thead", {}, el("tr", {}, ["parameters", "rating", "max relative error", "max absolute error", "worst entry"].map((h) => el("th", { scope: "col", text: h })))),
      el("tbody", {}, rows)),
    data.note ? el("p", { text: data.note }) : null);
}
