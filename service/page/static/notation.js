// A problem's JSON pointer in the seed's notation ("/network/layers/1/weights/0/0" → "W_2, row 0, column 0"), and
// pydantic's generic messages replaced by ones that say what to write. Rows and columns count from 0, as in the
// matrices and formulas of the page (W_2[0,1] is row 0, column 1 of W_2); layers count from 1.
const QUANTITY = {
  pre_activation: (k) => `z_${k}`, activation: (k) => `l_${k}`, delta: (k) => `Δ_${k}`,
  weights_gradient: (k) => `∂L/∂W_${k}`, bias_gradient: (k) => `∂L/∂b_${k}`,
};

/** ", row i, column j" for a matrix's [i, j], ", entry j" for a vector's [j]. */
function entry(rest, vector = false) {
  const [i, j] = rest.map(Number);
  if (rest.length === 0) return "";
  if (vector) return `, entry ${i}`;
  return rest.length === 1 ? `, row ${i}` : `, row ${i}, column ${j}`;
}

/** The pointer in the page's words; the pointer itself when it names nothing the page shows. */
export function notation(pointer) {
  const p = pointer.split("/").slice(1);
  const k = Number(p[2]) + 1;
  if (pointer === "" || pointer === "/") return "The request";
  if (p[0] === "network" && p[1] === "layers") {
    if (p.length === 2) return "the layers";
    if (p[3] === "weights") return `W_${k}${entry(p.slice(4))}`;
    if (p[3] === "bias") return `b_${k}${entry(p.slice(4), true)}`;
    if (p[3] === "activation") return `f_${k}, the activation of layer ${k}`;
    return `layer ${k}`;
  }
  if (p[0] === "inputs") return `X${entry(p.slice(1))}`;
  if (p[0] === "targets") return `Y${entry(p.slice(1))}`;
  if (p[0] === "claimed_gradients") {
    return p.length === 1 ? "your ∂L/∂W_k" : `your ∂L/∂W_${Number(p[1]) + 1}${entry(p.slice(2))}`;
  }
  if (p[0] === "claimed_bias_gradients") return `your ∂L/∂b_${Number(p[1]) + 1}${entry(p.slice(2), true)}`;
  if (p[0] === "claimed") {
    if (p[1] === "loss") return "your L";
    if (p[1] === "output") return `your ŷ${entry(p.slice(2))}`;
    if (p[1] === "layers" && p.length >= 4 && QUANTITY[p[3]]) {
      const name = QUANTITY[p[3]](Number(p[2]) + 1);
      return `your ${name}${entry(p.slice(4), p[3] === "bias_gradient")}`;
    }
    return "your answers";
  }
  const names = { loss: "the loss", learning_rate: "the learning rate η", steps: "the steps N" };
  return names[p[0]] ?? pointer;
}

const GENERIC = [
  [/^Field required$/, "missing: write it in"],
  [/^List should have at least 1 item after validation$/, "empty: write at least one row of numbers"],
  [/^Input should be a valid number.*$/,
    "not a number: write digits with a dot for decimals, such as -0.01302 (a single decimal comma, -0,01302, works too)"],
  [/^Input should be a finite number$/, "not a finite number: write an ordinary number, not inf or NaN"],
  [/^Input should be a valid integer.*$/, "not a whole number: write one such as 100"],
  [/^Input should be a valid list$/, "not rows of numbers: write one row per line, numbers separated by spaces"],
  [/^Input should be a valid array$/, "not rows of numbers: write one row per line, numbers separated by spaces"],
  [/^Input should be greater than or equal to (.+)$/, "too small: write a number of at least $1"],
  [/^Input should be greater than (.+)$/, "too small: write a number greater than $1"],
  [/^Input should be less than or equal to (.+)$/, "too large: write a number of at most $1"],
  [/^Input should be less than (.+)$/, "too large: write a number less than $1"],
  [/^Input should be (('[^']+'(, | or )?)+)$/, "not one of the choices: choose $1"],
  [/^Extra inputs are not permitted$/, "not taken here: remove it"],
  [/^Value error, (.+)$/, "$1"],
];

/** A service message as a person should read it: pydantic's generic texts replaced by what to write. */
export function humane(message) {
  for (const [pattern, text] of GENERIC) if (pattern.test(message)) return message.replace(pattern, text);
  return message;
}

/** "W_2, row 0, column 0: not a number: …" */
export function problemText({ pointer = "", message = "" }) {
  const name = notation(pointer);
  // The service names the quantity itself now ("X, row 0, column 1: …"): say it once.
  return message.startsWith(`${name}:`) ? humane(message) : `${name}: ${humane(message)}`;
}
