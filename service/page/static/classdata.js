// The class report's data: a /v1/grade request (`submissions`) and its answer (`students`, `summary`), the
// quantities named in the seed's notation, the verdicts in words, and a student's submission as a playground link.
import { encodeState } from "./state.js";

const SUB = "₀₁₂₃₄₅₆₇₈₉";
const subscript = (k) => String(k).replace(/\d/g, (d) => SUB[Number(d)]);
const KINDS = {
  pre_activation: (k) => `z${subscript(k)}`,
  activation: (k) => `l${subscript(k)}`,
  delta: (k) => `Δ${subscript(k)}`,
  weights_gradient: (k) => `∂L/∂W${subscript(k)}`,
  bias_gradient: (k) => `∂L/∂b${subscript(k)}`,
};

/** A quantity's name in the seed's notation: "/layers/1/delta" → "Δ₂", "/output" → "ŷ", "/loss" → "L". */
export function symbolOf(pointer) {
  if (pointer === "/loss") return "L";
  if (pointer === "/output") return "ŷ";
  const match = /^\/layers\/(\d+)\/(\w+)$/.exec(pointer ?? "");
  return match && KINDS[match[2]] ? KINDS[match[2]](Number(match[1]) + 1) : String(pointer);
}

export const WORDS = {
  correct: "correct",
  sign_flipped: "sign flipped",
  transposed: "transposed",
  missing_activation_derivative: "missing σ′",
  scaled: "scaled",
  one_wrong_entry: "one wrong entry",
  rounded_to_1_digit: "rounded to 1 significant digit",
  incorrect: "incorrect",
  unanswered: "unanswered",
};
const word = (name) => WORDS[name] ?? String(name).replace(/_/g, " ");

/** A graded entry's or a group's mistake in words: its `mistakes` ("sign flipped and missing σ′"), else its verdict. */
export function mistakeWords({ verdict, mistakes }) {
  return mistakes?.length ? mistakes.map(word).join(" and ") : word(verdict);
}

/** What a loaded JSON document is: a grade answer, a grade request, or neither (then the reason). */
export function kindOf(data) {
  if (data && Array.isArray(data.students) && typeof data.summary === "object") return "answer";
  if (data && Array.isArray(data.submissions)) return "request";
  return null;
}

/** The scores' 10 bins [0, 0.1), …, [0.9, 1]: the summary's histogram, else counted from the students' scores. */
export function histogram(answer) {
  const given = answer.summary?.scores?.histogram;
  if (Array.isArray(given) && given.length) return given.map((bin) => ({ from: bin.from, to: bin.to, count: bin.count }));
  const bins = Array.from({ length: 10 }, (_, i) => ({ from: i / 10, to: (i + 1) / 10, count: 0 }));
  for (const s of answer.students) if (typeof s.score === "number") bins[Math.min(9, Math.floor(s.score * 10))].count += 1;
  return bins;
}

/** The answer groups (same mistake on the same quantity), the largest first. */
export function groups(answer) {
  return [...(answer.summary?.groups ?? [])].sort((a, b) => (b.count ?? b.students.length) - (a.count ?? a.students.length));
}

/** A student's mistakes, one phrase per quantity ("Δ₂: sign flipped"), and how many quantities carried an error. */
export function studentMistakes(student) {
  const wrong = (student.graded ?? []).filter((g) => g.verdict !== "correct" && g.verdict !== "unanswered");
  const carried = (student.graded ?? []).filter((g) => g.verdict === "correct" && g.carried_forward).length;
  return { phrases: wrong.map((g) => `${symbolOf(g.pointer)}: ${mistakeWords(g)}`), carried };
}

/** Whether a grade answer is of this request: the same students, in the same order. */
export function sameClass(request, answer) {
  const ids = (list) => list.map((entry) => entry?.student ?? null).join("\u0000");
  return request.submissions.length === answer.students.length && ids(request.submissions) === ids(answer.students);
}

/** The submission graded as answer.students[index]: the same place in the request, if it is the same student. */
export function submissionOf(request, answer, index) {
  const submissions = request?.submissions ?? [];
  const student = answer.students[index]?.student;
  if (submissions[index]?.student === student) return submissions[index];
  return submissions.find((s) => s.student === student) ?? null;
}

// A problem's arrays as the playground's state holds them (X m × n_0, Y m × n_L, W_k matrices, b_k lists).
function matrix(value, what) {
  if (typeof value === "number") return [[value]];
  if (!Array.isArray(value)) throw new Error(`${what} is not a list of numbers (a compact tensor?)`);
  return Array.isArray(value[0]) ? value : [value];
}

function targets(Y, m, nL) {
  if (typeof Y === "number") return [[Y]];
  if (Array.isArray(Y) && !Array.isArray(Y[0]) && nL === 1 && m > 1) return Y.map((y) => [y]);
  return matrix(Y, "targets");
}

/** The playground's state for a /v1/gradients request; an Error when the page cannot hold it. */
export function stateOf(problem) {
  const layers = problem.network.layers.map((layer, k) => ({
    W: matrix(layer.weights, `W_${k + 1}`),
    b: layer.bias === undefined || layer.bias === null ? null : (Array.isArray(layer.bias) ? layer.bias : [layer.bias]),
    activation: layer.activation ?? "sigmoid",
  }));
  const X = matrix(problem.inputs, "inputs");
  const nL = layers[layers.length - 1].W[0].length;
  return {
    preset: "report", layers, X, Y: targets(problem.targets, X.length, nL), loss: problem.loss ?? "half_squared_error",
    eta: 0.5, steps: 100, seed: 1, claims: layers.map(() => ""), row: 0, answers: {}, digits: 4,
  };
}

const rowsText = (value) => matrix(value, "an answer").map((row) => (Array.isArray(row) ? row : [row]).join(" ")).join("\n");
const FIELDS = { pre_activation: "z", activation: "l", delta: "delta", weights_gradient: "dW", bias_gradient: "db" };

/** A partial /v1/gradients answer as the playground's exercise boxes hold it: quantity id → rows of text. */
export function answerTexts(answer, L) {
  const texts = {};
  (answer.layers ?? []).forEach((layer, index) => {
    for (const [field, id] of Object.entries(FIELDS)) {
      const value = layer?.[field];
      if (value === undefined || value === null) continue;
      texts[`${id}-${index + 1}`] = field === "bias_gradient" ? [value].flat().join(" ") : rowsText(value);
    }
  });
  if (answer.output !== undefined && answer.output !== null) texts[`l-${L}`] = rowsText(answer.output);
  if (typeof answer.loss === "number") texts.L = String(answer.loss);
  return texts;
}

/** The playground link that opens this submission in exercise mode with the student's values, and checks them. */
export async function playgroundLink(submission) {
  const state = stateOf(submission.problem);
  state.answers = answerTexts(submission.answer ?? {}, state.layers.length);
  return `/playground#s=${await encodeState(state)}&exercise=1&check=1`;
}
