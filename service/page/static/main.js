// Wiring: the state, the controls, and one round trip to the service after every change. Every result belongs to
// the network it was computed for (results.js); exercise mode hides what the learner is to compute (exercise.js). In
// classroom mode without the instructor's key (access.js) the page asks for no answer at all: the network is checked
// by verify with nothing claimed, and the learner's values are checked by verify.
import * as access from "./access.js";
import { clearProblems, post, problemSummary, showProblem } from "./api.js";
import { assignedState } from "./assigned.js";
import { renderDerivation } from "./derivation.js";
import { renderDiagram } from "./diagram.js";
import { renderEditors } from "./editor.js";
import * as exercise from "./exercise.js";
import { el, fmt, setDigits } from "./format.js";
import { renderHeatmap } from "./heatmap.js";
import { renderMatrices } from "./matrices.js";
import { PRESETS } from "./presets.js";
import * as results from "./results.js";
import * as S from "./state.js";
import { check, currentChart, train } from "./train.js";
import { renderClaims, verify } from "./verify.js";

const $ = (id) => document.getElementById(id);
let state = S.fromPreset("seed5");
let ctx = null;
let sequence = 0;
let timer = null;
let ownHash = "";
let networkKey = "";
let checkWhenReady = false; // a link with the learner's values (the class report): check them once computed

function setStatus(kind, text) {
  $("status").dataset.state = kind;
  $("status").textContent = text;
  for (const id of ["picture", "numbers", "derivation"]) $(id).classList.toggle("stale", kind !== "ok");
}

const body = () => JSON.parse(JSON.stringify(S.requestBody(state)));

/** The network may have changed: results of another network go, and so do the exercise's marks. */
function networkChanged() {
  const key = results.networkKey(body());
  if (key === networkKey) return;
  networkKey = key;
  results.refresh(key);
  clearProblems($("verify"));
  clearProblems($("train"));
  clearProblems($("numbers"));
  $("exercise-result").textContent = "";
  exercise.reset();
}

function renderAll() {
  renderEditors(state, changed);
  renderClaims(state, saveSoon, state.preset === "seed5" ? PRESETS.seed5.slip : null);
  $("sizes").value = S.sizes(state).join("-");
  $("examples").value = state.X.length;
  $("loss").value = state.loss;
  $("seed").value = state.seed;
  $("train-eta").value = state.eta;
  $("train-steps").value = state.steps;
  $("digits").value = state.digits;
  $("exercise").checked = exercise.isOn();
  $("preset").value = PRESETS[state.preset] ? state.preset : ""; // a student's problem, a class member's work
}

function changed(structure) {
  if (structure) renderAll();
  else $("sizes").value = S.sizes(state).join("-");
  schedule();
}

function schedule() {
  clearTimeout(timer);
  networkChanged();
  setStatus("loading", "Computing…");
  timer = setTimeout(compute, 150);
}

async function saveUrl() {
  const hash = "#s=" + (await S.encodeState(state)) + (exercise.isOn() ? "&exercise=1" : "");
  ownHash = hash;
  history.replaceState(null, "", hash);
  $("share-url").value = location.href;
}

function saveSoon() { clearTimeout(saveSoon.timer); saveSoon.timer = setTimeout(saveUrl, 200); }

const hooks = {
  get answers() { return state.answers; },
  onInput(id, text) { state.answers[id] = text; saveSoon(); },
  check() {
    const asked = ctx;
    if (asked) exercise.checkAnswers(asked.req, asked, state.answers, renderResults, () => ctx === asked && $("status").dataset.state === "ok");
  },
  reveal(id) { exercise.reveal(id); renderResults(); },
};

/** Draw everything computed for the current network from `ctx` (no request): after a change of digits or mode too. */
function renderResults() {
  const on = exercise.isOn();
  const blind = exercise.isBlind();
  $("verify").hidden = on;
  $("exercise-help").hidden = !on;
  $("exercise").checked = on;
  $("exercise").disabled = blind;
  for (const id of ["derivation", "train", "reveal-all", "reveal-help"]) $(id).hidden = blind; // they show answers
  if (blind) $("heatmap-box").hidden = true;
  if (!ctx) return;
  renderDiagram(ctx, state.row);
  renderMatrices(ctx, hooks);
  if (ctx.steps) renderDerivation(ctx.steps);
  const L = exercise.isHidden("L") ? "?" : fmt(ctx.res.loss);
  $("loss-value").textContent = `L = ${L}`;
  if ($("status").dataset.state === "ok") setStatus("ok", upToDate());
}

const upToDate = () => (exercise.isBlind()
  ? `Ready: work out each quantity by hand and check it (${state.loss.replace(/_/g, " ")})`
  : `Up to date${exercise.isHidden("L") ? "" : `: L = ${fmt(ctx.res.loss)}`} (${state.loss.replace(/_/g, " ")})`);

/** Classroom mode, without the instructor's key: verify with nothing claimed checks the network, and all the page
 * learns of the answer is its shapes. */
async function checkNetwork(req) {
  const { problem } = await post("/v1/gradients/verify", { ...req, claimed: {} });
  return problem ? { problem } : { data: exercise.blankAnswer(req) };
}

async function compute() {
  const id = ++sequence;
  const req = body();
  const blind = access.isClassroom();
  saveUrl();
  const [gradients, derivation] = blind
    ? [await checkNetwork(req), null]
    : await Promise.all([post("/v1/gradients", req), post("/v1/derivation", req)]);
  if (id !== sequence || blind !== access.isClassroom()) return; // a newer change, or the service's mode, came
  clearProblems($("build"));
  if (gradients.problem) {
    showProblem(gradients.problem);
    const locked = gradients.problem.status === 401; // the service's key, not the network
    setStatus("problem", locked ? "Enter the service's key above to compute." : `The service refused this network: ${problemSummary(gradients.problem)}`);
    $("heatmap-box").hidden = true;
    return;
  }
  exercise.setBlind(blind);
  ctx = { req, res: gradients.data, steps: derivation?.data?.steps ?? null };
  const m = req.inputs.length;
  state.row = Math.min(state.row, m - 1);
  $("row").replaceChildren(...req.inputs.map((_, r) => el("option", { value: r, text: `row ${r}`, selected: r === state.row })));
  setStatus("ok", upToDate());
  renderResults();
  if (!blind) renderHeatmap(req);
  if (checkWhenReady && exercise.isOn()) { checkWhenReady = false; hooks.check(); }
}

function loadPreset(name) {
  if (!PRESETS[name]) return;
  state = S.fromPreset(name);
  $("link-problem").replaceChildren();
  results.clearAll();
  clearProblems(document);
  renderAll();
  schedule();
}

function bind() {
  $("preset").replaceChildren(el("option", { value: "", text: "this network (choose a preset to load)", disabled: true }),
    ...Object.entries(PRESETS).map(([name, p]) => el("option", { value: name, text: p.title })));
  $("load-preset").addEventListener("click", () => loadPreset($("preset").value));
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
  $("digits").addEventListener("change", () => {
    setDigits($("digits").value);
    state.digits = Number($("digits").value) || 4;
    renderResults();
    saveSoon();
  });
  $("exercise").addEventListener("change", () => { exercise.setOn($("exercise").checked); renderResults(); saveUrl(); });
  $("check-all").addEventListener("click", () => hooks.check());
  $("reveal-all").addEventListener("click", () => {
    document.querySelectorAll("#matrices [data-quantity]").forEach((card) => exercise.reveal(card.dataset.quantity));
    renderResults();
  });
  $("verify-button").addEventListener("click", () => verify(body(), state, networkKey));
  $("check-button").addEventListener("click", () => check(body(), networkKey));
  $("train-button").addEventListener("click", async () => {
    const progress = (trainedBody) => renderHeatmap(trainedBody);
    const trained = await train(body(), state.eta, state.steps, progress);
    if (!trained) return;
    trained.network.layers.forEach((layer, k) => {
      state.layers[k].W = layer.weights;
      if (state.layers[k].b) state.layers[k].b = layer.bias;
    });
    delete $("train-result").dataset.for;
    changed(true);
    results.own($("train-result"), networkKey, "The loss curve is of a training run that ended before your last change.");
  });
  $("share-button").addEventListener("click", async () => {
    await saveUrl();
    $("share-url").select();
    try { await navigator.clipboard.writeText(location.href); $("share-button").textContent = "Link copied"; } catch { /* the link is selected */ }
  });
  window.addEventListener("hashchange", () => { if (location.hash !== ownHash) load(); });
  access.bindAccess();
  access.onChange(() => { exercise.reset(); schedule(); }); // a key, or classroom mode: ask again
}

async function load() {
  const params = S.hashParams(location.hash);
  exercise.setOn(params.exercise === "1" || params.assignment !== undefined);
  if (params.assignment !== undefined) {
    try {
      state = await assignedState(params);
      $("link-problem").replaceChildren();
    } catch (error) {
      state = S.fromPreset("seed5");
      $("link-problem").replaceChildren(el("p", {
        text: `This link does not give a problem (${error.message}), so the page shows case 5 of the series instead. `
          + "Copy the link from your sheet again, whole.",
      }));
    }
  } else if (params.s !== undefined) {
    try {
      state = await S.decodeState(params.s);
      $("link-problem").replaceChildren();
    } catch (error) {
      state = S.fromPreset("seed5");
      $("link-problem").replaceChildren(el("p", {
        text: `This link does not hold a network (${error.message}), so the page shows case 5 of the series instead. `
          + "Ask for the link again, or copy it whole: everything after #s= is the network.",
      }));
    }
  }
  setDigits(state.digits ?? 4);
  results.clearAll();
  exercise.reset();
  networkKey = "";
  renderAll();
  networkChanged();
  checkWhenReady = params.check === "1";
  await compute();
}

window.playground = { get state() { return state; }, get ctx() { return ctx; }, get chart() { return currentChart(); } };
bind();
load();
