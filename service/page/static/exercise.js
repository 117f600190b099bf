// Exercise mode: every quantity a learner computes by hand (z_k, l_k, ŷ, L, Δ_k, ∂L/∂W_k, ∂L/∂b_k) stays hidden until
// they check their own value or reveal it. Checking sends what they entered, and only that, as `claimed` to
// /v1/gradients/verify; each quantity is marked from the answer's `graded` (correct, carried forward, or the
// mistakes with the hint, the wrong entries outlined). The true values come from /v1/gradients, never from `graded`.
// In classroom mode without the instructor's key (blind) there are no true values: every quantity stays a card,
// there is nothing to reveal, and the page knows only the quantities' shapes (blankAnswer).
import { clearProblems, post, problemSummary, showProblem } from "./api.js";
import { readRows } from "./editor.js";
import { el, fmt } from "./format.js";
import { matrixFigure } from "./matrices.js";
import { cellValue } from "./state.js";

let on = false;
let blind = false;
const revealed = new Set();
let marks = {};

export const isOn = () => on || blind;
/** Whether the page has no true values at all (classroom mode, without the instructor's key). */
export const isBlind = () => blind;
/** Whether the page must not show quantity `id` ("z-1", "l-2", "L", "delta-2", "dW-1", "db-1"). */
export const isHidden = (id) => blind || (on && !revealed.has(id));
export const markOf = (id) => marks[id] ?? null;

export function setOn(flag) { on = Boolean(flag); }
export function setBlind(flag) { blind = Boolean(flag); }
export function reveal(id) { if (!blind) revealed.add(id); }
/** The learner changed their value of `id`: its mark no longer describes it. */
export function forget(id) { delete marks[id]; }
/** A new network is a new exercise: forget the marks and hide everything again. */
export function reset() { marks = {}; revealed.clear(); }

export const VERDICTS = {
  correct: "correct",
  sign_flipped: "sign flipped",
  transposed: "transposed",
  missing_activation_derivative: "missing σ′",
  scaled: "scaled",
  one_wrong_entry: "one wrong entry",
  rounded_to_1_digit: "rounded to 1 significant digit",
  incorrect: "incorrect",
};
const WHOLE = new Set(["sign_flipped", "transposed", "missing_activation_derivative", "scaled"]);
const FIELDS = { z: "pre_activation", l: "activation", delta: "delta", dW: "weights_gradient", db: "bias_gradient" };
const IDS = Object.fromEntries(Object.entries(FIELDS).map(([id, field]) => [field, id]));

/** The pointer of quantity `id` in a /v1/gradients answer ("/layers/1/delta" for Δ_2; "/output" for ŷ). */
export function answerPointer(id, L) {
  if (id === "L") return "/loss";
  const [, name, k] = id.match(/^(\w+)-(\d+)$/);
  if (name === "l" && Number(k) === L) return "/output";
  return `/layers/${k - 1}/${FIELDS[name]}`;
}

/** The quantity a graded pointer names: "/layers/1/delta" → "delta-2", "/output" → "l-L", "/loss" → "L". */
export function quantityOf(pointer, L) {
  if (pointer === "/loss") return "L";
  if (pointer === "/output") return `l-${L}`;
  const match = pointer.match(/^\/layers\/(\d+)\/(\w+)$/);
  return match && IDS[match[2]] ? `${IDS[match[2]]}-${Number(match[1]) + 1}` : null;
}

/** The learner's entry for `id` as the request wants it: a number (L), a vector (∂L/∂b_k) or a matrix. */
function entryValue(id, text, cols) {
  if (id === "L") return cellValue(text.replace(/^\[+|\]+$/g, ""));
  const rows = readRows(text, cols).map((row) => row.map((cell) => cell.value));
  return id.startsWith("db-") ? rows.flat() : rows;
}

/** `claimed`: only the quantities with an entry, at their place in a /v1/gradients answer. */
export function claimedOf(answers, ctx) {
  const L = ctx.res.layers.length;
  const claimed = {};
  const layers = ctx.res.layers.map(() => null);
  for (const [id, text] of Object.entries(answers)) {
    if (!text || !text.trim() || !shapeOf(id, ctx)) continue;
    const value = entryValue(id, text, shapeOf(id, ctx)[1]);
    const pointer = answerPointer(id, L).split("/").slice(1);
    if (pointer.length === 1) claimed[pointer[0]] = value;
    else layers[pointer[1]] = { ...(layers[pointer[1]] ?? {}), [pointer[2]]: value };
  }
  if (layers.some((layer) => layer !== null)) claimed.layers = layers;
  return claimed;
}

/** What the page may know of a /v1/gradients answer without its numbers: every quantity's shape, filled with 0. */
export function blankAnswer(body) {
  const m = body.inputs.length;
  const zeros = (rows, cols) => Array.from({ length: rows }, () => new Array(cols).fill(0));
  const layers = body.network.layers.map(({ weights, bias }) => {
    const [before, after] = [weights.length, weights[0]?.length ?? 0];
    const Z = zeros(m, after);
    return {
      pre_activation: Z, activation: Z, delta: Z, weights_gradient: zeros(before, after),
      ...(bias ? { bias_gradient: new Array(after).fill(0) } : {}),
    };
  });
  return { loss: 0, output: layers.at(-1)?.activation ?? [], layers };
}

/** [rows, columns] of quantity `id` in this network, or null when it has none (a bias gradient without a bias). */
export function shapeOf(id, ctx) {
  if (id === "L") return [1, 1];
  const [, name, k] = id.match(/^(\w+)-(\d+)$/) ?? [];
  const layer = ctx.res.layers[Number(k) - 1];
  if (!layer || !FIELDS[name] || (name === "db" && !layer.bias_gradient)) return null;
  const value = layer[FIELDS[name]];
  return Array.isArray(value[0]) ? [value.length, value[0].length] : [1, value.length];
}

/** Check every entered quantity; `done()` redraws the page with the marks, unless `current()` says that the network
 * changed while the service checked them. */
export async function checkAnswers(body, ctx, answers, done, current = () => true) {
  const scope = document.getElementById("numbers");
  const out = document.getElementById("exercise-result");
  clearProblems(scope);
  const claimed = claimedOf(answers, ctx);
  if (Object.keys(claimed).length === 0) {
    out.textContent = "Enter at least one value first: one row per line, numbers separated by spaces.";
    return;
  }
  out.textContent = "Checking…";
  const { data, problem } = await post("/v1/gradients/verify", { ...body, claimed });
  if (!current()) { out.textContent = ""; return; }
  if (problem) {
    out.textContent = problemSummary(problem);
    showProblem(problem, scope);
    return;
  }
  const L = ctx.res.layers.length;
  for (const graded of data.graded ?? []) {
    const id = quantityOf(graded.pointer, L);
    if (!id || graded.verdict === "unanswered") continue;
    marks[id] = graded;
    if (graded.verdict === "correct" && !graded.carried_forward) reveal(id);
  }
  const count = (data.graded ?? []).filter((g) => g.verdict === "correct" && !g.carried_forward).length;
  out.textContent = `${count} of ${(data.graded ?? []).length} checked quantities are correct.`;
  done();
}

/** Which of the learner's entries to outline: the answer's wrong entries, or all of them for a whole-matrix mistake. */
function wrongSet(graded, rows) {
  if (graded.verdict === "correct" || graded.carried_forward) return new Set();
  const listed = (graded.wrong_entries ?? []).map((w) => {
    const index = w.index ?? (w.row === null || w.row === undefined ? [0, w.column ?? 0] : [w.row, w.column]);
    return String(index.length === 1 ? [0, index[0]] : index.length === 0 ? [0, 0] : index);
  });
  if (listed.length || !(WHOLE.has(graded.verdict) || graded.mistakes?.some((m) => WHOLE.has(m)))) return new Set(listed);
  return new Set(rows.flatMap((row, i) => row.map((_, j) => String([i, j]))));
}

export function verdictName(graded) {
  const names = (graded.mistakes ?? []).map((m) => VERDICTS[m] ?? m.replace(/_/g, " "));
  if (graded.verdict === "correct" && graded.carried_forward) return "right given your earlier values";
  if (names.length) return names.join(" and ");
  return VERDICTS[graded.verdict] ?? graded.verdict.replace(/_/g, " ");
}

/** The mark of quantity `id`: verdict, hint, and the learner's entries as typed with the wrong ones outlined. */
export function markNode(id, label, text) {
  const graded = markOf(id);
  if (!graded) return null;
  const good = graded.verdict === "correct";
  const carried = Boolean(graded.carried_forward);
  const cls = good && !carried ? "correct" : carried ? "carried" : "wrong";
  const rows = readRows(text ?? "");
  const mine = rows.length ? matrixFigure({
    id: `mine-${id}`, label: `your ${label}`, matrix: rows.map((row) => row.map((c) => (typeof c.value === "number" ? c.value : 0))),
    texts: rows.map((row) => row.map((c) => c.text)),
  }) : null;
  const wrong = wrongSet(graded, rows);
  mine?.querySelectorAll("td").forEach((td) => {
    if (wrong.has(String([Number(td.dataset.i), Number(td.dataset.j)]))) { td.classList.add("wrong"); td.setAttribute("aria-description", "wrong"); }
  });
  const factor = graded.factor !== undefined && graded.factor !== null && graded.verdict === "scaled" ? ` by ${fmt(graded.factor)}` : "";
  return el("div", { class: `mark ${cls}`, "data-verdict": graded.verdict, "data-carried": String(carried) },
    el("p", {}, el("span", { class: "badge", text: verdictName(graded) + factor })),
    carried ? el("p", { class: "hint", text: "Your value follows correctly from your own earlier values, which are wrong: fix those and this follows." }) : null,
    graded.hint ? el("p", { class: "hint", text: graded.hint }) : null,
    wrong.size ? mine : null);
}

/** A hidden quantity: its name and shape, a box for the learner's value, Check and Reveal. */
export function exerciseCard({ id, label, pointer, rows, cols, text, onInput, onCheck, onReveal }) {
  const area = el("textarea", {
    id: `answer-${id}`, rows: Math.min(6, Math.max(1, rows)), cols: 24, spellcheck: "false", "data-pointer": `/claimed${pointer}`,
    placeholder: rows * cols === 1 ? "a number" : "one row per line", "aria-label": `Your ${label} (${rows} × ${cols})`,
    oninput: () => {
      onInput(area.value);
      forget(id);
      area.closest("figure")?.querySelector(".mark")?.remove();
    },
  });
  area.value = text ?? "";
  return el("figure", { class: "matrix exercise field", id, "data-quantity": id, "data-pointer": `/claimed${pointer}` },
    el("figcaption", {}, el("strong", { text: label }), el("span", { class: "shape", text: `${rows} × ${cols}` }),
      el("span", { class: "hidden-note", text: "hidden" })),
    area,
    el("div", { class: "row" },
      el("button", { type: "button", class: "check", text: "Check", onclick: onCheck, "aria-label": `Check my ${label}` }),
      blind ? null : el("button", { type: "button", class: "reveal", text: "Reveal", onclick: onReveal, "aria-label": `Reveal ${label}` })),
    markNode(id, label, text),
    el("p", { class: "problem", role: "alert" }));
}
