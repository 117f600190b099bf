// Check your own work: the claimed ∂L/∂W_k per layer, /v1/gradients/verify's verdict and hint, and the entries
// that are wrong highlighted.
// Your entries are shown exactly as you typed them; the verdict belongs to the network it was given for.
import { clearProblems, post, problemSummary, showProblem } from "./api.js";
import { readRows } from "./editor.js";
import { VERDICTS } from "./exercise.js";
import { el, fmt } from "./format.js";
import { matrixFigure } from "./matrices.js";
import { own } from "./results.js";

export function renderClaims(state, changed, slip) {
  const boxes = state.layers.map((layer, index) => {
    const k = index + 1;
    const area = el("textarea", {
      id: `claim-${k}`, rows: Math.min(6, Math.max(2, layer.W.length)), cols: 28, spellcheck: "false",
      "data-pointer": `/claimed_gradients/${index}`,
      oninput: () => { state.claims[index] = area.value; changed(); },
    });
    area.value = state.claims[index] ?? "";
    return el("div", { class: "field claim", "data-pointer": `/claimed_gradients/${index}` },
      el("label", { for: `claim-${k}`, text: `Your ∂L/∂W_${k} (${layer.W.length} × ${layer.W[0]?.length ?? 0})` }),
      area, el("p", { class: "problem", role: "alert" }));
  });
  const demo = slip
    ? el("button", {
      type: "button", text: "Load the series' own answer (it has a slip)",
      onclick: () => {
        slip.split("\n").forEach((text, index) => { state.claims[index] = text; });
        renderClaims(state, changed, slip);
        changed();
      },
    })
    : null;
  document.getElementById("claims").replaceChildren(el("div", { class: "figures" }, boxes), demo ?? "");
}

/** Which entries of the claim are wrong: for "incorrect", the service's list of wrong entries; else from the verdict. */
function wrongEntries(layer, claim) {
  if (layer.verdict === "correct") return new Set();
  if (layer.verdict === "incorrect") {
    return new Set((layer.wrong_entries ?? []).map((entry) => String(entry.index ?? [entry.row, entry.column])));
  }
  // sign flipped, transposed, scaled, missing σ′: the whole matrix is off by a factor or a layout
  return new Set(claim.flatMap((row, i) => row.map((_, j) => String([i, j]))));
}

function verdictText(layer) {
  const names = (layer.mistakes ?? []).map((m) => VERDICTS[m] ?? m.replace(/_/g, " "));
  const name = names.length > 1 ? names.join(" and ") : VERDICTS[layer.verdict] ?? layer.verdict.replace(/_/g, " ");
  if (layer.verdict === "scaled" && layer.factor !== null) return `${name} by ${fmt(layer.factor)}`;
  if (layer.missing_at_layer) return `${name} (the f′ of layer ${layer.missing_at_layer})`;
  return name;
}

export async function verify(body, state, key) {
  const typed = state.claims.map((text, k) => readRows(text ?? "", state.layers[k]?.W[0]?.length ?? null));
  const claims = typed.map((rows) => rows.map((row) => row.map((cell) => cell.value)));
  const result = document.getElementById("verify-result");
  const scope = document.getElementById("verify");
  clearProblems(scope);
  result.replaceChildren(el("p", { text: "Checking…" }));
  own(result, key, "Your last check was for the network as it was before your change: verify again.");
  const { data, problem } = await post("/v1/gradients/verify", { ...body, claimed_gradients: claims });
  if (result.dataset.for !== key) return; // the network changed while the service checked the claims
  if (problem) {
    result.replaceChildren(el("p", { class: "bad", text: problemSummary(problem) }));
    showProblem(problem, scope);
    return;
  }
  result.replaceChildren(
    el("p", { class: data.all_correct ? "good" : "bad", text: data.all_correct ? "All your gradients are correct." : "Some of your gradients are wrong." }),
    ...data.layers.map((layer, index) => {
      const k = index + 1;
      const wrong = wrongEntries(layer, claims[index]);
      const numeric = claims[index].map((row) => row.map((x) => (typeof x === "number" ? x : 0)));
      const texts = typed[index].map((row) => row.map((cell) => cell.text));
      const figure = matrixFigure({ id: `claimed-${k}`, label: `your ∂L/∂W_${k}`, matrix: numeric, texts });
      figure.querySelectorAll("td").forEach((td) => {
        if (wrong.has(String([Number(td.dataset.i), Number(td.dataset.j)]))) {
          td.classList.add("wrong");
          td.setAttribute("aria-description", "wrong");
        }
      });
      return el("section", { class: `verdict ${layer.verdict}`, id: `verdict-${k}`, "aria-label": `Layer ${k} verdict` },
        el("h3", {}, `∂L/∂W_${k}: `, el("span", { class: "badge", text: verdictText(layer) })),
        el("p", { class: "hint", text: layer.hint }),
        (layer.rounded_to ?? data.rounded_to) ? el("p", { text: `Your numbers read as rounded to ${layer.rounded_to ?? data.rounded_to}.` }) : null,
        el("div", { class: "figures" }, figure, // no expected value in classroom mode without the instructor's key
          layer.expected ? matrixFigure({ id: `expected-${k}`, label: `∂L/∂W_${k} (the service's)`, matrix: layer.expected }) : null),
        layer.bias ? el("p", { text: `∂L/∂b_${k}: ${verdictText(layer.bias)}. ${layer.bias.hint}` }) : null);
    }));
}
