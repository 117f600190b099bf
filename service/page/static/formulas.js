// The formula behind each entry, with the service's own numbers plugged in. Every factor and every result is read
// from the request or from the /v1/gradients answer. The page evaluates only the substitution it writes, to choose
// how many digits the factors need so that the shown factors give the shown result; the result is the service's.
// In exercise mode a factor the learner has not yet found is written "?" (exercise.js decides).
import { isHidden } from "./exercise.js";
import { digits, fmt, shownValue } from "./format.js";

const MAX_TERMS = 6;
const F = { sigmoid: "σ", tanh: "tanh", relu: "relu", linear: "linear" };
const APPLY = {
  sigmoid: (z) => 1 / (1 + Math.exp(-z)), tanh: Math.tanh, relu: (z) => Math.max(0, z), linear: (z) => z,
};

/** The shortest text of x with at most p significant digits that reads back as x, else x to p digits. */
function compact(x, p) {
  if (Number.isInteger(x) && Math.abs(x) < 1e6) return String(x).replace(/^-/, "\u2212");
  for (let q = 1; q < p; q += 1) if (Number(x.toPrecision(q)) === x) return fmt(x, q);
  return fmt(x, p);
}

/** Write `build`'s substitution with the fewest digits (from the page's setting up) whose value rounds to `value`. */
function substitute(build, value) {
  const target = fmt(value);
  let text = "";
  for (let p = digits(); p <= 17; p += 1) {
    let hidden = false;
    const n = (x, id = null) => {
      if (id && isHidden(id)) { hidden = true; return { t: "?", v: NaN }; }
      const t = compact(x, p);
      return { t: x < 0 ? `(${t})` : t, v: shownValue(x, p) };
    };
    const out = build(n);
    text = out.t;
    if (hidden || fmt(out.v) === target) break;
  }
  return text;
}

function terms(list) {
  const shown = list.slice(0, MAX_TERMS).join(" + ");
  return list.length > MAX_TERMS ? `${shown} + … (${list.length} terms)` : shown;
}

const sum = (parts) => ({ t: terms(parts.map((part) => part.t)), v: parts.reduce((s, part) => s + part.v, 0) });

/** l_k (l_0 = X), its name, and the exercise quantity it is (null for X). */
function act(ctx, k) {
  return k === 0 ? [ctx.req.inputs, "X", null] : [ctx.res.layers[k - 1].activation, `l_${k}`, `l-${k}`];
}

/** f′_k(z_k)[r,j] written with l_k's own entry, or null where it is not element-wise. */
function derivative(ctx, k, r, j) {
  const layer = ctx.res.layers[k - 1];
  const l = layer.activation[r][j];
  const name = `l_${k}[${r},${j}]`;
  switch (ctx.req.network.layers[k - 1].activation) {
    case "sigmoid": return [`${name} · (1 − ${name})`, (n) => { const a = n(l, `l-${k}`); return { t: `${a.t} · (1 − ${a.t})`, v: a.v * (1 - a.v) }; }];
    case "tanh": return [`(1 − ${name}²)`, (n) => { const a = n(l, `l-${k}`); return { t: `(1 − ${a.t}²)`, v: 1 - a.v * a.v }; }];
    case "relu": {
      const one = layer.pre_activation[r][j] > 0 ? 1 : 0;
      return [`1[z_${k}[${r},${j}] > 0]`, (n) => (isHidden(`z-${k}`) ? n(0, `z-${k}`) : { t: String(one), v: one })];
    }
    case "linear": return ["1", () => ({ t: "1", v: 1 })];
    default: return null;
  }
}

export function weightsGradient(ctx, k, i, j) {
  const [A, a, aId] = act(ctx, k - 1);
  const D = ctx.res.layers[k - 1].delta;
  const value = ctx.res.layers[k - 1].weights_gradient[i][j];
  const symbols = D.map((_, r) => `${a}[${r},${i}] · Δ_${k}[${r},${j}]`);
  const numbers = substitute((n) => sum(D.map((row, r) => {
    const x = n(A[r][i], aId), d = n(row[j], `delta-${k}`);
    return { t: `${x.t} · ${d.t}`, v: x.v * d.v };
  })), value);
  const total = D.length > 1 ? `Σ_r ${a}[r,${i}] · Δ_${k}[r,${j}] = ` : "";
  return `∂L/∂W_${k}[${i},${j}] = ${total}${terms(symbols)} = ${numbers} = ${fmt(value)}`;
}

export function biasGradient(ctx, k, j) {
  const D = ctx.res.layers[k - 1].delta;
  const value = ctx.res.layers[k - 1].bias_gradient[j];
  const total = D.length > 1 ? `Σ_r Δ_${k}[r,${j}] = ` : "";
  const numbers = substitute((n) => sum(D.map((row) => n(row[j], `delta-${k}`))), value);
  return `∂L/∂b_${k}[${j}] = ${total}${terms(D.map((_, r) => `Δ_${k}[${r},${j}]`))} = ${numbers} = ${fmt(value)}`;
}

export function preActivation(ctx, k, r, j) {
  const [A, a, aId] = act(ctx, k - 1);
  const W = ctx.req.network.layers[k - 1].weights;
  const b = ctx.req.network.layers[k - 1].bias;
  const value = ctx.res.layers[k - 1].pre_activation[r][j];
  const symbols = A[r].map((_, i) => `${a}[${r},${i}] · W_${k}[${i},${j}]`);
  if (b) symbols.push(`b_${k}[${j}]`);
  const numbers = substitute((n) => {
    const parts = A[r].map((x, i) => { const u = n(x, aId), w = n(W[i][j]); return { t: `${u.t} · ${w.t}`, v: u.v * w.v }; });
    if (b) parts.push(n(b[j]));
    return sum(parts);
  }, value);
  return `z_${k}[${r},${j}] = ${terms(symbols)} = ${numbers} = ${fmt(value)}`;
}

export function activation(ctx, k, r, j) {
  const f = ctx.req.network.layers[k - 1].activation;
  const z = ctx.res.layers[k - 1].pre_activation[r][j];
  const value = ctx.res.layers[k - 1].activation[r][j];
  const name = k === ctx.res.layers.length ? `ŷ[${r},${j}] = l_${k}[${r},${j}]` : `l_${k}[${r},${j}]`;
  if (f === "softmax") {
    const shown = isHidden(`z-${k}`) ? "?" : fmt(z);
    return `${name} = softmax(z_${k}[${r},:])_${j} = exp(${shown}) / Σ_c exp(z_${k}[${r},c]) = ${fmt(value)}`;
  }
  const numbers = substitute((n) => { const u = n(z, `z-${k}`); return { t: `${F[f]}(${u.t})`, v: APPLY[f](u.v) }; }, value);
  return `${name} = ${F[f]}(z_${k}[${r},${j}]) = ${numbers} = ${fmt(value)}`;
}

export function delta(ctx, k, r, j) {
  const L = ctx.res.layers.length;
  const value = ctx.res.layers[k - 1].delta[r][j];
  const d = derivative(ctx, k, r, j);
  if (k < L) {
    const next = ctx.res.layers[k].delta[r];
    const W = ctx.req.network.layers[k].weights;
    const symbols = next.map((_, c) => `Δ_${k + 1}[${r},${c}] · W_${k + 1}[${j},${c}]`);
    if (!d) return `Δ_${k}[${r},${j}] = (J_f(z_${k}[${r},:])ᵀ · (Δ_${k + 1} · W_${k + 1}ᵀ)[${r},:])_${j} = ${fmt(value)}`;
    const numbers = substitute((n) => {
      const back = sum(next.map((x, c) => { const u = n(x, `delta-${k + 1}`), w = n(W[j][c]); return { t: `${u.t} · ${w.t}`, v: u.v * w.v }; }));
      const g = d[1](n);
      return { t: `(${back.t}) · ${g.t}`, v: back.v * g.v };
    }, value);
    return `Δ_${k}[${r},${j}] = (${terms(symbols)}) · ${d[0]} = ${numbers} = ${fmt(value)}`;
  }
  const yhat = ctx.res.layers[k - 1].activation[r][j];
  const y = ctx.req.targets[r][j];
  const m = ctx.req.targets.length;
  const n0 = ctx.req.targets[0].length;
  const diffOf = (n) => { const a = n(yhat, `l-${k}`), b = n(y); return { t: `(${a.t} − ${b.t})`, v: a.v - b.v }; };
  const diff = `(ŷ[${r},${j}] − y[${r},${j}])`;
  const head = `Δ_${k}[${r},${j}] = ∂L/∂z_${k}[${r},${j}]`;
  switch (ctx.req.loss) {
    case "binary_cross_entropy":
      return `${head} = ${diff} / (m·n_L) = ${substitute((n) => { const e = diffOf(n); return { t: `${e.t} / ${m * n0}`, v: e.v / (m * n0) }; }, value)} = ${fmt(value)}`;
    case "cross_entropy":
      return `${head} = ${diff} / m = ${substitute((n) => { const e = diffOf(n); return { t: `${e.t} / ${m}`, v: e.v / m }; }, value)} = ${fmt(value)}`;
    default: {
      if (!d) return `${head} = (∂L/∂ŷ[${r},:] · J_softmax(z_${k}[${r},:]))_${j} = ${fmt(value)}`;
      const mean = ctx.req.loss === "mean_squared_error";
      const numbers = substitute((n) => {
        const e = diffOf(n), g = d[1](n);
        return { t: `${mean ? `2/${m * n0} · ` : ""}${e.t} · ${g.t}`, v: (mean ? 2 / (m * n0) : 1) * e.v * g.v };
      }, value);
      return `${head} = ${mean ? "2/(m·n_L) · " : ""}${diff} · ${d[0]} = ${numbers} = ${fmt(value)}`;
    }
  }
}

/** L for the seed's loss, ½ Σ (ŷ − y)² over every example and output; other losses: just its name. */
export function loss(ctx) {
  const value = ctx.res.loss;
  if (ctx.req.loss !== "half_squared_error") return `L (${ctx.req.loss.replace(/_/g, " ")}) = ${fmt(value)}`;
  const L = ctx.res.layers.length;
  const Yhat = ctx.res.layers[L - 1].activation;
  const cells = Yhat.flatMap((row, r) => row.map((_, j) => [r, j]));
  const symbols = cells.map(([r, j]) => `½ · (ŷ[${r},${j}] − y[${r},${j}])²`);
  const numbers = substitute((n) => sum(cells.map(([r, j]) => {
    const a = n(Yhat[r][j], `l-${L}`), b = n(ctx.req.targets[r][j]);
    return { t: `½ · (${a.t} − ${b.t})²`, v: 0.5 * (a.v - b.v) ** 2 };
  })), value);
  return `L = ${terms(symbols)} = ${numbers} = ${fmt(value)}`;
}
