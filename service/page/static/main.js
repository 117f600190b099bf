// Wiring: the state, the controls, and one round trip to the service after every change.
import { clearProblems, post, showProblem } from "./api.js";
import { renderDerivation } from "./derivation.js";
import { renderDiagram } from "./diagram.js";
import { renderEditors } from "./editor.js";
import { el, fmt } from "./format.js";
import { renderMatrices } from "./matrices.js";
import { PRESETS } from "./presets.js";
import * as S from "./state.js";
import { check, currentChart, train } from "./train.js";
import { renderClaims, verify } from "./verify.js";

const $ = (id) => document.getElementById(id);
let state = S.fromPreset("seed5");
let ctx = null;
let sequence = 0;
let timer = null;
let ownHash = "";

function setStatus(kind, text) {
  $("status").dataset.state = kind;
  $("status").textContent = text;
  for (const id of ["picture", "numbers", "derivation"]) $(id).classList.toggle("stale", kind !== "ok");
}

const body = () => JSON.parse(JSON.stringify(S.requestBody(state)));

function renderAll() {
  renderEditors(state, changed);
  renderClaims(state, saveSoon, state.preset === "seed5" ? PRESETS.seed5.slip : null);
  $("sizes").value = S.sizes(state).join("-");
  $("examples").value = state.X.length;
  $("loss").value = state.loss;
  $("seed").value = state.seed;
  $("train-eta").value = state.eta;
  $("train-steps").value = state.steps;
  $("preset").value = PRESETS[state.preset] ? state.preset : "seed5";
}

function changed(structure) {
  if (structure) renderAll();
  else $("sizes").value = S.sizes(state).join("-");
  schedule();
}

function schedule() {
  clearTimeout(timer);
  setStatus("loading", "Computing…");
  timer = setTimeout(compute, 150);
}

async function saveUrl() {
  const hash = "#s=" + (await S.encodeState(state));
  ownHash = hash;
  history.replaceState(null, "", hash);
  $("share-url").value = location.href;
}

function saveSoon() { clearTimeout(saveSoon.timer); saveSoon.timer = setTimeout(saveUrl, 200); }

async function compute() {
  const id = ++sequence;
  const req = body();
  saveUrl();
  const [gradients, derivation] = await Promise.all([post("/v1/gradients", req), post("/v1/derivation", req)]);
  if (id !== sequence) return; // a newer change is on its way
  clearProblems($("build"));
  if (gradients.problem) {
    showProblem(gradients.problem);
    setStatus("problem", `The service refused this network: ${gradients.problem.detail ?? gradients.problem.title}`);
    return;
  }
  ctx = { req, res: gradients.data };
  const m = req.inputs.length;
  state.row = Math.min(state.row, m - 1);
  $("row").replaceChildren(...req.inputs.map((_, r) => el("option", { value: r, text: `row ${r}`, selected: r === state.row })));
  renderDiagram(ctx, state.row);
  renderMatrices(ctx);
  if (derivation.data) renderDerivation(derivation.data.steps);
  $("loss-value").textContent = `L = ${fmt(ctx.res.loss)}`;
  setStatus("ok", `Up to date: L = ${fmt(ctx.res.loss)} (${state.loss.replace(/_/g, " ")})`);
}

function bind() {
  $("preset").replaceChildren(...Object.entries(PRESETS).map(([name, p]) => el("option", { value: name, text: p.title })));
  $("load-preset").addEventListener("click", () => { state = S.fromPreset($("preset").value); renderAll(); schedule(); });
  $("sizes").addEventListener("change", () => {
    const n = ($("sizes").value.match(/\d+/g) ?? []).map(Number);
    if (n.length < 2 || n.some((x) => x < 1 || x > 64)) {
      $("sizes").setCustomValidity("write at least two sizes between 1 and 64, e.g. 3-2-1");
      $("sizes").reportValidity();
      return;
    }
    $("sizes").setCustomValidity("");
    S.reshape(state, n);
    changed(true);
  });
  $("examples").addEventListener("change", () => {
    const m = Math.max(1, Math.min(64, Math.round(Number($("examples").value) || 1)));
    S.setExamples(state, m);
    changed(true);
  });
  $("loss").addEventListener("change", () => { state.loss = $("loss").value; schedule(); });
  $("seed").addEventListener("change", () => { state.seed = Math.round(Number($("seed").value) || 0); saveSoon(); });
  $("randomize").addEventListener("click", () => { state.seed = Math.round(Number($("seed").value) || 0); S.randomize(state); changed(true); });
  $("train-eta").addEventListener("change", () => { state.eta = S.cellValue($("train-eta").value); saveSoon(); });
  $("train-steps").addEventListener("change", () => { state.steps = S.cellValue($("train-steps").value); saveSoon(); });
  $("row").addEventListener("change", () => { state.row = Number($("row").value); if (ctx) renderDiagram(ctx, state.row); saveSoon(); });
  $("verify-button").addEventListener("click", () => verify(body(), state));
  $("check-button").addEventListener("click", () => check(body()));
  $("train-button").addEventListener("click", async () => {
    const trained = await train(body(), state.eta, state.steps);
    if (!trained) return;
    trained.network.layers.forEach((layer, k) => {
      state.layers[k].W = layer.weights;
      if (state.layers[k].b) state.layers[k].b = layer.bias;
    });
    changed(true);
  });
  $("share-button").addEventListener("click", async () => {
    await saveUrl();
    $("share-url").select();
    try { await navigator.clipboard.writeText(location.href); $("share-button").textContent = "Link copied"; } catch { /* the link is selected */ }
  });
  window.addEventListener("hashchange", () => { if (location.hash !== ownHash) load(); });
}

async function load() {
  const match = location.hash.match(/^#s=(.+)$/);
  if (match) {
    try {
      state = await S.decodeState(match[1]);
    } catch (error) {
      setStatus("problem", `This link does not hold a network (${error.message}); showing seed case 5.`);
      state = S.fromPreset("seed5");
    }
  }
  renderAll();
  await compute();
}

window.playground = { get state() { return state; }, get ctx() { return ctx; }, get chart() { return currentChart(); } };
bind();
load();
