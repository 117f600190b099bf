// The page's state (the network, the data, the training settings, the claims), its request bodies and its URL.
import { PRESETS } from "./presets.js";

export const ACTIVATIONS = ["sigmoid", "tanh", "relu", "linear", "softmax"];
const copy = (value) => JSON.parse(JSON.stringify(value));

export function fromPreset(name) {
  const p = PRESETS[name];
  return {
    preset: name, layers: copy(p.layers), X: copy(p.X), Y: copy(p.Y), loss: p.loss,
    eta: p.eta, steps: p.steps, seed: 1, claims: p.layers.map(() => ""), row: 0, answers: {}, digits: 4,
  };
}

/** A cell's text as a number when it is one; otherwise the text, so that the service names the problem. */
export function cellValue(text) {
  let t = String(text).trim().replace(/\u2212/g, "-");
  if (/^[+-]?\d*,\d+$/.test(t)) t = t.replace(",", "."); // one decimal comma, no dot: -0,01302
  return t !== "" && Number.isFinite(Number(t)) ? Number(t) : String(text);
}

/** The body every endpoint takes: network, inputs, targets and loss. */
export function requestBody(state) {
  return {
    network: {
      layers: state.layers.map((layer) => ({
        weights: layer.W, activation: layer.activation, ...(layer.b ? { bias: layer.b } : {}),
      })),
    },
    inputs: state.X, targets: state.Y, loss: state.loss,
  };
}

/** n_0 … n_L read off the tables (the inputs' columns, then each W_k's columns). */
export function sizes(state) {
  return [state.X[0]?.length ?? 0, ...state.layers.map((layer) => layer.W[0]?.length ?? 0)];
}

/** Mulberry32: a small seeded PRNG, so that "random weights, seed 7" is the same network everywhere. */
export function prng(seed) {
  let a = seed >>> 0;
  return () => {
    a = (a + 0x6d2b79f5) >>> 0;
    let t = Math.imul(a ^ (a >>> 15), 1 | a);
    t = (t + Math.imul(t ^ (t >>> 7), 61 | t)) ^ t;
    return ((t ^ (t >>> 14)) >>> 0) / 4294967296;
  };
}

/** Glorot-uniform weights from the seed, rounded to 3 decimals so that they read well and share short. */
function randomMatrix(random, rows, cols) {
  const limit = Math.sqrt(6 / (rows + cols));
  return Array.from({ length: rows }, () =>
    Array.from({ length: cols }, () => Math.round((2 * random() - 1) * limit * 1000) / 1000));
}

export function randomize(state) {
  const random = prng(Number(state.seed) || 0);
  const n = sizes(state);
  state.layers.forEach((layer, k) => {
    layer.W = randomMatrix(random, n[k], n[k + 1]);
    if (layer.b) layer.b = layer.b.map(() => 0);
  });
}

const resized = (M, rows, cols, fill) =>
  Array.from({ length: rows }, (_, i) => Array.from({ length: cols }, (_, j) => M[i]?.[j] ?? fill(i, j)));

/** Give the network the sizes n_0 … n_L: keep the entries that still fit, draw new weights from the seed. */
export function reshape(state, n) {
  const random = prng(Number(state.seed) || 0);
  const m = state.X.length;
  state.X = resized(state.X, m, n[0], () => 0);
  const layers = [];
  for (let k = 1; k < n.length; k += 1) {
    const old = state.layers[k - 1] ?? { activation: "sigmoid", b: null, W: [] };
    const limit = Math.sqrt(6 / (n[k - 1] + n[k]));
    const W = resized(old.W, n[k - 1], n[k], () => Math.round((2 * random() - 1) * limit * 1000) / 1000);
    const b = old.b ? Array.from({ length: n[k] }, (_, j) => old.b[j] ?? 0) : null;
    layers.push({ W, b, activation: old.activation === "softmax" && k < n.length - 1 ? "sigmoid" : old.activation });
  }
  state.layers = layers;
  state.Y = resized(state.Y, m, n[n.length - 1], () => 0);
  state.claims = layers.map((_, k) => state.claims[k] ?? "");
}

/** Change the number of examples m: rows of X and Y are kept or added as zeros. */
export function setExamples(state, m) {
  state.X = resized(state.X, m, state.X[0]?.length ?? 1, () => 0);
  state.Y = resized(state.Y, m, state.Y[0]?.length ?? 1, () => 0);
  state.row = Math.min(state.row, m - 1);
}

/** The URL's hash: "#s=<state>&exercise=1" → { s: "<state>", exercise: "1" } (either part may be missing). */
export function hashParams(hash) {
  return Object.fromEntries(hash.replace(/^#/, "").split("&").filter(Boolean).map((part) => {
    const at = part.indexOf("=");
    return at < 0 ? [part, ""] : [part.slice(0, at), part.slice(at + 1)];
  }));
}

// The URL: "#s=" and the state as JSON, deflated and base64url-encoded (uncompressed where the browser can't).
const toBase64 = (bytes) => btoa(String.fromCharCode(...bytes)).replace(/\+/g, "-").replace(/\//g, "_").replace(/=+$/, "");
const fromBase64 = (text) => Uint8Array.from(atob(text.replace(/-/g, "+").replace(/_/g, "/")), (c) => c.charCodeAt(0));

async function pipe(bytes, stream) {
  const out = new Response(new Blob([bytes]).stream().pipeThrough(stream));
  return new Uint8Array(await out.arrayBuffer());
}

export async function encodeState(state) {
  const { preset, layers, X, Y, loss, eta, steps, seed, claims, row, answers, digits } = state;
  const bytes = new TextEncoder().encode(JSON.stringify({ v: 1, preset, layers, X, Y, loss, eta, steps, seed, claims, row, answers, digits }));
  if (typeof CompressionStream === "function") return "z." + toBase64(await pipe(bytes, new CompressionStream("deflate-raw")));
  return "j." + toBase64(bytes);
}

export async function decodeState(text) {
  const [kind, data] = [text.slice(0, 2), text.slice(2)];
  let bytes = fromBase64(data);
  if (kind === "z.") bytes = await pipe(bytes, new DecompressionStream("deflate-raw"));
  const state = JSON.parse(new TextDecoder().decode(bytes));
  if (!Array.isArray(state.layers) || !Array.isArray(state.X)) throw new Error("not a playground state");
  return { claims: [], row: 0, seed: 1, answers: {}, digits: 4, ...state };
}
