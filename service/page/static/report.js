// The class report: a /v1/grade answer (and its request, for the students' work) read from files or pasted, or a
// request graded here by posting it to /v1/grade; drawn as a histogram, the answer groups, the share correct per
// quantity, a sortable table of students and the refused submissions. Each group's students open in the playground.
import * as access from "./access.js";
import { post, problemSummary } from "./api.js";
import * as data from "./classdata.js";
import { groupsChart, histogramChart } from "./classcharts.js";
import { el, fmt } from "./format.js";
import { humane, problemText } from "./notation.js";

const $ = (id) => document.getElementById(id);
/** A student's work opens in a tab of its own that keeps this tab's key: a browser copies a tab's sessionStorage
 * only into a tab that has an opener (both pages are this service's own). */
const NEW_TAB = { target: "_blank", rel: "opener" };
const loaded = { request: null, answer: null };
let links = [];
let sort = { key: null, down: false };

function setStatus(kind, text) {
  $("report-status").dataset.state = kind;
  $("report-status").textContent = text;
}

const percent = (x) => (typeof x === "number" ? `${(x * 100).toFixed(0)}%` : "—");

/** Read one JSON document: a grade answer or a grade request; grade a request alone, then draw. */
async function take(texts) {
  $("load-problem").textContent = "";
  let last = null;
  for (const [name, text] of texts) {
    let json;
    try { json = JSON.parse(text); } catch (error) {
      $("load-problem").textContent = `${name} is not JSON: ${error.message}`;
      return;
    }
    const kind = data.kindOf(json);
    if (!kind) {
      $("load-problem").textContent = `${name} is neither a grade answer (students and summary) nor a grade request (submissions).`;
      return;
    }
    loaded[kind] = json;
    last = kind;
  }
  if (loaded.request && loaded.answer && !data.sameClass(loaded.request, loaded.answer)) {
    loaded[last === "request" ? "answer" : "request"] = null; // the older one is of another class
  }
  if (loaded.request && !loaded.answer) {
    setStatus("loading", "Grading the class…");
    const { data: answer, problem } = await post("/v1/grade", loaded.request);
    if (problem) {
      setStatus("problem", `The service refused the grade request: ${problemSummary(problem)}`);
      return;
    }
    loaded.answer = answer;
  }
  if (loaded.answer) await render();
}

async function linkOf(index) {
  const submission = data.submissionOf(loaded.request, loaded.answer, index);
  if (!submission?.problem) return null;
  try { return await data.playgroundLink(submission); } catch { return null; }
}

// A grade request that gives the assignment once (`assignment`, each submission only `student` and `answer`): the
// students' problems are made again by /v1/assignments, as /v1/grade made them, so that their work can open.
async function withProblems(request) {
  const missing = (request?.submissions ?? []).filter((s) => s && !s.problem && typeof s.student === "string");
  if (!request?.assignment || missing.length === 0) return;
  const students = [...new Set(missing.map((s) => s.student))];
  const { data: made } = await post("/v1/assignments", { ...request.assignment, students, include: undefined });
  const byStudent = new Map((made?.problems ?? []).map((entry) => [entry.student, entry.problem]));
  for (const submission of missing) submission.problem = byStudent.get(submission.student) ?? null;
}

async function render() {
  const answer = loaded.answer;
  await withProblems(loaded.request);
  links = await Promise.all(answer.students.map((_, index) => linkOf(index)));
  const graded = answer.students.filter((s) => typeof s.score === "number");
  const refused = answer.students.filter((s) => s.error);
  setStatus("ok", `${answer.students.length} students: ${graded.length} graded, ${refused.length} not graded.`);
  renderScores(answer, graded);
  renderGroups(answer);
  renderQuantities(answer);
  renderStudents();
  renderErrors(refused);
}

function renderScores(answer, graded) {
  const scores = answer.summary?.scores ?? {};
  const bins = data.histogram(answer);
  $("scores-text").textContent = graded.length
    ? `Mean ${percent(scores.mean)}, median ${percent(scores.median)}, lowest ${percent(scores.min)}, highest ${percent(scores.max)}, over ${graded.length} graded students.`
    : "No submission could be graded.";
  $("histogram").replaceChildren(histogramChart(bins, `Scores of ${graded.length} students in 10 bins: `
    + bins.map((b) => `${percent(b.from)} to ${percent(b.to)}: ${b.count}`).join(", ")),
  el("figcaption", { text: "Students per score, in bins of 10 points (the last bin includes 100%)." }));
  $("scores").hidden = false;
}

/** The index of `student` in the answer, for its playground link. */
const indexOf = (student) => loaded.answer.students.findIndex((s) => s.student === student);

function studentLink(student, text) {
  const href = links[indexOf(student)];
  return href
    ? el("a", { href, ...NEW_TAB, class: "open", "data-student": student, text })
    : el("span", { class: "no-link", text: student, title: "load the grade request to open this student's work" });
}

function renderGroups(answer) {
  const rows = data.groups(answer).map((g) => ({
    ...g, count: g.count ?? g.students.length, name: `${data.symbolOf(g.pointer)} · ${data.mistakeWords(g)}`,
  }));
  $("groups-chart").replaceChildren(rows.length
    ? groupsChart(rows, "Answer groups: " + rows.map((r) => `${r.name}, ${r.count}`).join("; "))
    : el("p", { text: "No mistakes: every answered quantity is correct." }));
  $("groups-list").replaceChildren(...rows.map((row) => el("li", { class: "group", "data-pointer": row.pointer, "data-count": row.count },
    el("strong", { text: row.name }), ` — ${row.count} student${row.count === 1 ? "" : "s"}: `,
    ...row.students.flatMap((student, i) => [i ? ", " : "", studentLink(student, student)]),
    links[indexOf(row.students[0])]
      ? el("span", {}, " ", studentLink(row.students[0], `open ${row.students[0]}'s work in the playground`))
      : el("span", { class: "help", text: loaded.request
        ? " (the grade request does not hold their problem: their work cannot open in the playground)"
        : " (load the grade request too to open their work in the playground)" }))));
  $("groups").hidden = false;
}

function renderQuantities(answer) {
  const rows = answer.summary?.quantities ?? [];
  $("quantities-table").tBodies[0].replaceChildren(...rows.map((q) => el("tr", { "data-pointer": q.pointer },
    el("th", { scope: "row", text: data.symbolOf(q.pointer) }), el("td", { text: String(q.answered) }),
    el("td", { text: String(q.correct) }),
    el("td", { class: "share", "data-share": q.share_correct },
      el("span", { class: "meter", style: `width:${Math.round((q.share_correct ?? 0) * 100)}%` }),
      el("span", { text: percent(q.share_correct) })))));
  $("quantities").hidden = rows.length === 0;
}

function sortedStudents() {
  const rows = loaded.answer.students.map((student, index) => ({ student, index, ...data.studentMistakes(student) }));
  if (!sort.key) return rows;
  const value = {
    student: (r) => r.student.student ?? "",
    score: (r) => r.student.score,
    mistakes: (r) => (typeof r.student.score === "number" ? r.phrases.length : null),
  }[sort.key];
  const sign = sort.down ? -1 : 1;
  return [...rows].sort((a, b) => {
    const [x, y] = [value(a), value(b)];
    if (x === null || x === undefined) return y === null || y === undefined ? 0 : 1; // not graded: always last
    if (y === null || y === undefined) return -1;
    return sign * (typeof x === "string" ? x.localeCompare(y) : x - y);
  });
}

function renderStudents() {
  $("students-table").tBodies[0].replaceChildren(...sortedStudents().map(({ student, index, phrases, carried }) => {
    const graded = typeof student.score === "number";
    const mistakes = !graded ? "not graded (below)" : phrases.length ? phrases.join("; ") : "none";
    return el("tr", { "data-student": student.student ?? "" },
      el("th", { scope: "row", text: student.student ?? `submission ${index}` }),
      el("td", { class: "score", "data-score": graded ? student.score : "", text: graded ? fmt(student.score * 100, 3) + "%" : "—" }),
      el("td", { class: "mistakes" }, mistakes, carried ? el("span", { class: "help", text: ` (${carried} carried forward)` }) : null),
      el("td", {}, links[index] ? el("a", { href: links[index], ...NEW_TAB, text: "open" }) : ""));
  }));
  document.querySelectorAll("#students-table th[aria-sort]").forEach((th) => {
    const key = th.querySelector("button").dataset.sort;
    th.setAttribute("aria-sort", key === sort.key ? (sort.down ? "descending" : "ascending") : "none");
  });
  $("students").hidden = false;
}

/** One problem of a refused submission, in the seed's notation: "Δ₁ (answer/layers/0/delta): Δ_1 is 1 × 1 but …". */
function errorText({ pointer = "", message = "" }) {
  const inside = pointer.replace(/^\/submissions\/\d+/, "");
  const answer = /^\/answer(\/.*)$/.exec(inside);
  if (answer) return `${data.symbolOf(answer[1])} (${inside.slice(1)}): ${humane(message)}`;
  return inside ? `${inside.slice(1)}: ${humane(message)}` : problemText({ pointer, message });
}

function renderErrors(refused) {
  $("errors-list").replaceChildren(...refused.map((s) => {
    const errors = s.error.errors ?? [];
    const what = errors.length ? "the submission is not valid" : s.error.detail ?? s.error.title ?? "refused";
    return el("li", { "data-student": s.student ?? "" }, el("strong", { text: s.student ?? "(no student id)" }), `: ${humane(what)}`,
      errors.length ? el("ul", {}, errors.map((e) => el("li", { "data-pointer": e.pointer ?? "", text: errorText(e) }))) : null);
  }));
  $("errors").hidden = refused.length === 0;
}

function bind() {
  $("files").addEventListener("change", async () => {
    const files = [...$("files").files];
    await take(await Promise.all(files.map(async (file) => [file.name, await file.text()])));
  });
  $("load-pasted").addEventListener("click", () => take([["the pasted text", $("pasted").value]]));
  $("students-table").tHead.addEventListener("click", (event) => {
    const key = event.target.closest("button[data-sort]")?.dataset.sort;
    if (!key || !loaded.answer) return;
    sort = { key, down: sort.key === key ? !sort.down : key !== "student" };
    renderStudents();
  });
}

window.classReport = { loaded, take };
bind();
access.bindAccess();
access.onChange((reason) => { if (reason === "key" && loaded.request && !loaded.answer) take([]); }); // grade again
