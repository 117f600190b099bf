// The classic picture of a 2-input network (TensorFlow Playground's main view): ŷ over the input plane as a heatmap,
// the examples as dots coloured by their target, and the decision boundary ŷ = 0.5 of a sigmoid output. The values
// come from ONE /v1/forward call on a GRID × GRID lattice; nothing is computed here but where to draw them.
import { post, problemSummary } from "./api.js";
import { fmt } from "./format.js";

export const GRID = 41;
const CELL = 7; // canvas pixels per lattice point
const ORANGE = [245, 147, 34], WHITE = [255, 255, 255], BLUE = [8, 119, 189];
let sequence = 0;

/** Orange for t = 0, white for 0.5, blue for 1 (t clamped to [0, 1]). */
export function shade(t) {
  const u = Math.max(0, Math.min(1, t));
  const [a, b, s] = u < 0.5 ? [ORANGE, WHITE, u * 2] : [WHITE, BLUE, (u - 0.5) * 2];
  return `rgb(${a.map((c, i) => Math.round(c + (b[i] - c) * s)).join(",")})`;
}

const short = (x) => String(Number(x.toPrecision(3))).replace(/^-/, "\u2212");
const numeric = (rows) => rows.every((row) => row.every((x) => typeof x === "number" && Number.isFinite(x)));

/** The plane shown: the inputs' range, padded by a quarter of it (at least 0.5) on every side. */
function bounds(X) {
  const range = (j) => {
    const values = X.map((row) => row[j]);
    const [lo, hi] = [Math.min(...values), Math.max(...values)];
    const pad = Math.max(0.5, (hi - lo) / 4);
    return [lo - pad, hi + pad];
  };
  return [range(0), range(1)];
}

/** Line segments where the lattice's values cross `level` (marching squares, linear interpolation). */
export function contour(values, level) {
  const segments = [];
  const at = (i, j) => values[i * GRID + j] - level; // row i (top to bottom), column j
  for (let i = 0; i + 1 < GRID; i += 1) {
    for (let j = 0; j + 1 < GRID; j += 1) {
      const corners = [[i, j], [i, j + 1], [i + 1, j + 1], [i + 1, j]];
      const points = [];
      for (let c = 0; c < 4; c += 1) {
        const [p, q] = [corners[c], corners[(c + 1) % 4]];
        const [a, b] = [at(...p), at(...q)];
        if ((a < 0) !== (b < 0)) {
          const s = a / (a - b);
          points.push([p[0] + s * (q[0] - p[0]), p[1] + s * (q[1] - p[1])]);
        }
      }
      if (points.length >= 2) segments.push([points[0], points[1]]);
      if (points.length === 4) segments.push([points[2], points[3]]);
    }
  }
  return segments;
}

/** Draw ŷ over the plane for the network of `body`, or hide the picture when the network has not 2 inputs. */
export async function renderHeatmap(body) {
  const box = document.getElementById("heatmap-box");
  const X = body.inputs;
  const lastLayer = body.network.layers.at(-1);
  if (X[0]?.length !== 2 || !numeric(X) || !numeric(body.targets)) { box.hidden = true; return; }
  box.hidden = false;
  const [[x0, x1], [y0, y1]] = bounds(X);
  const step = (lo, hi, i) => lo + ((hi - lo) * i) / (GRID - 1);
  const grid = [];
  for (let i = 0; i < GRID; i += 1) for (let j = 0; j < GRID; j += 1) grid.push([step(x0, x1, j), step(y1, y0, i)]);
  const id = ++sequence;
  const { data, problem } = await post("/v1/forward", { network: body.network, inputs: grid });
  if (id !== sequence) return;
  const caption = document.getElementById("heatmap-caption");
  if (problem) { caption.textContent = `No picture: ${problemSummary(problem)}`; return; }
  const sigmoid = lastLayer.activation === "sigmoid" || lastLayer.activation === "softmax";
  const values = data.output.map((row) => row[0]);
  const scale = sigmoid ? 1 : Math.max(1e-300, ...values.map(Math.abs));
  const t = (v) => (sigmoid ? v : 0.5 + v / (2 * scale));
  const canvas = document.getElementById("heatmap");
  const g = canvas.getContext("2d");
  values.forEach((v, n) => { g.fillStyle = shade(t(v)); g.fillRect((n % GRID) * CELL, Math.floor(n / GRID) * CELL, CELL, CELL); });
  const px = (j) => (j + 0.5) * CELL; // lattice column (or row) → canvas pixel
  const segments = lastLayer.activation === "sigmoid" ? contour(values, 0.5) : [];
  g.strokeStyle = "#1f2328"; g.lineWidth = 2; g.beginPath();
  for (const [[ai, aj], [bi, bj]] of segments) { g.moveTo(px(aj), px(ai)); g.lineTo(px(bj), px(bi)); }
  g.stroke();
  X.forEach((row, r) => {
    const j = ((row[0] - x0) / (x1 - x0)) * (GRID - 1), i = ((y1 - row[1]) / (y1 - y0)) * (GRID - 1);
    g.beginPath(); g.arc(px(j), px(i), 6, 0, 2 * Math.PI);
    g.fillStyle = shade(sigmoid ? body.targets[r][0] : 0.5 + body.targets[r][0] / (2 * scale)); g.fill();
    g.lineWidth = 2; g.strokeStyle = "#1f2328"; g.stroke();
  });
  Object.assign(canvas.dataset, { x0, x1, y0, y1, segments: segments.length, drawn: String(id) });
  const line = segments.length ? "; the black line is ŷ = 0.5, the decision boundary" : "";
  caption.textContent = `ŷ[:,0] over the plane: X[:,0] from ${short(x0)} to ${short(x1)} across, X[:,1] from ${short(y0)} `
    + `to ${short(y1)} up; orange ${sigmoid ? "0" : "negative"}, blue ${sigmoid ? "1" : "positive"}${line}. `
    + `Dots are the examples, coloured by their target y (${GRID} × ${GRID} points, one /v1/forward call).`;
  canvas.setAttribute("aria-label", caption.textContent);
}
