// The formula behind each entry, with the service's own numbers plugged in. Nothing is computed here: every
// factor and every result is read from the request or from the /v1/gradients answer it got.
import { factor, fmt } from "./format.js";

const MAX_TERMS = 6;
const F = { sigmoid: "σ", tanh: "tanh", relu: "relu", linear: "linear" };

function terms(list) {
  const shown = list.slice(0, MAX_TERMS).join(" + ");
  return list.length > MAX_TERMS ? `${shown} + … (${list.length} terms)` : shown;
}

/** l_k (l_0 = X) and its name. */
function act(ctx, k) {
  return k === 0 ? [ctx.req.inputs, "X"] : [ctx.res.layers[k - 1].activation, `l_${k}`];
}

/** f′_k(z_k)[r,j] written with l_k's own entry, or null where it is not element-wise. */
function derivative(ctx, k, r, j) {
  const layer = ctx.res.layers[k - 1];
  const l = layer.activation[r][j];
  const name = `l_${k}[${r},${j}]`;
  switch (ctx.req.network.layers[k - 1].activation) {
    case "sigmoid": return [`${name} · (1 − ${name})`, `${fmt(l)} · (1 − ${fmt(l)})`];
    case "tanh": return [`(1 − ${name}²)`, `(1 − ${fmt(l)}²)`];
    case "relu": return [`1[z_${k}[${r},${j}] > 0]`, layer.pre_activation[r][j] > 0 ? "1" : "0"];
    case "linear": return ["1", "1"];
    default: return null;
  }
}

export function weightsGradient(ctx, k, i, j) {
  const [A, a] = act(ctx, k - 1);
  const D = ctx.res.layers[k - 1].delta;
  const value = ctx.res.layers[k - 1].weights_gradient[i][j];
  const symbols = D.map((_, r) => `${a}[${r},${i}] · Δ_${k}[${r},${j}]`);
  const numbers = D.map((row, r) => `${factor(A[r][i])} · ${factor(row[j])}`);
  const sum = D.length > 1 ? `Σ_r ${a}[r,${i}] · Δ_${k}[r,${j}] = ` : "";
  return `∂L/∂W_${k}[${i},${j}] = ${sum}${terms(symbols)} = ${terms(numbers)} = ${fmt(value)}`;
}

export function biasGradient(ctx, k, j) {
  const D = ctx.res.layers[k - 1].delta;
  const value = ctx.res.layers[k - 1].bias_gradient[j];
  const sum = D.length > 1 ? `Σ_r Δ_${k}[r,${j}] = ` : "";
  return `∂L/∂b_${k}[${j}] = ${sum}${terms(D.map((_, r) => `Δ_${k}[${r},${j}]`))} = ${terms(D.map((row) => factor(row[j])))} = ${fmt(value)}`;
}

export function preActivation(ctx, k, r, j) {
  const [A, a] = act(ctx, k - 1);
  const W = ctx.req.network.layers[k - 1].weights;
  const b = ctx.req.network.layers[k - 1].bias;
  const value = ctx.res.layers[k - 1].pre_activation[r][j];
  const symbols = A[r].map((_, i) => `${a}[${r},${i}] · W_${k}[${i},${j}]`);
  const numbers = A[r].map((x, i) => `${factor(x)} · ${factor(W[i][j])}`);
  if (b) { symbols.push(`b_${k}[${j}]`); numbers.push(factor(b[j])); }
  return `z_${k}[${r},${j}] = ${terms(symbols)} = ${terms(numbers)} = ${fmt(value)}`;
}

export function activation(ctx, k, r, j) {
  const f = ctx.req.network.layers[k - 1].activation;
  const z = ctx.res.layers[k - 1].pre_activation[r][j];
  const value = ctx.res.layers[k - 1].activation[r][j];
  const name = k === ctx.res.layers.length ? `ŷ[${r},${j}] = l_${k}[${r},${j}]` : `l_${k}[${r},${j}]`;
  if (f === "softmax") {
    return `${name} = softmax(z_${k}[${r},:])_${j} = exp(${fmt(z)}) / Σ_c exp(z_${k}[${r},c]) = ${fmt(value)}`;
  }
  return `${name} = ${F[f]}(z_${k}[${r},${j}]) = ${F[f]}(${fmt(z)}) = ${fmt(value)}`;
}

export function delta(ctx, k, r, j) {
  const L = ctx.res.layers.length;
  const value = ctx.res.layers[k - 1].delta[r][j];
  const d = derivative(ctx, k, r, j);
  if (k < L) {
    const next = ctx.res.layers[k].delta[r];
    const W = ctx.req.network.layers[k].weights;
    const symbols = next.map((_, c) => `Δ_${k + 1}[${r},${c}] · W_${k + 1}[${j},${c}]`);
    const numbers = next.map((x, c) => `${factor(x)} · ${factor(W[j][c])}`);
    return `Δ_${k}[${r},${j}] = (${terms(symbols)}) · ${d[0]} = (${terms(numbers)}) · ${d[1]} = ${fmt(value)}`;
  }
  const yhat = ctx.res.layers[k - 1].activation[r][j];
  const y = ctx.req.targets[r][j];
  const m = ctx.req.targets.length;
  const n = ctx.req.targets[0].length;
  const diff = [`(ŷ[${r},${j}] − y[${r},${j}])`, `(${fmt(yhat)} − ${fmt(y)})`];
  const head = `Δ_${k}[${r},${j}] = ∂L/∂z_${k}[${r},${j}]`;
  switch (ctx.req.loss) {
    case "binary_cross_entropy":
      return `${head} = ${diff[0]} / (m·n_L) = ${diff[1]} / ${m * n} = ${fmt(value)}`;
    case "cross_entropy":
      return `${head} = ${diff[0]} / m = ${diff[1]} / ${m} = ${fmt(value)}`;
    default: {
      if (!d) return `${head} = (∂L/∂ŷ[${r},:] · J_softmax(z_${k}[${r},:]))_${j} = ${fmt(value)}`;
      const scale = ctx.req.loss === "mean_squared_error" ? [`2/(m·n_L) · `, `2/${m * n} · `] : ["", ""];
      return `${head} = ${scale[0]}${diff[0]} · ${d[0]} = ${scale[1]}${diff[1]} · ${d[1]} = ${fmt(value)}`;
    }
  }
}
