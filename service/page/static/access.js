// Who may see what. A service may want a key for every call (GRADSERVICE_API_KEY: a 401), or be in classroom mode
// (GRADSERVICE_INSTRUCTOR_KEY: whatever reveals an answer is a 403 /problems/classroom without the instructor's key).
// The page learns which from the service's own answers, never from a setting of its own. A key someone enters is
// kept for this tab only (sessionStorage, never in a link) and sent as X-API-Key with every call.
import { el } from "./format.js";

const STORE = "gradservice.key";
const listeners = [];
let classroom = false;
let refused = null; // "key" (a key is needed), "wrong" (the key given is refused), or null

/** The key entered in this tab, or "". */
export function key() {
  try { return sessionStorage.getItem(STORE) ?? ""; } catch { return ""; }
}

/** Whether the service refused this tab's answers: classroom mode, without the instructor's key. */
export const isClassroom = () => classroom;

/** The headers that carry the key, if any. */
export const keyHeaders = () => (key() ? { "X-API-Key": key() } : {});

/** Call `listener(reason)` whenever what the page may show changes: a key entered or forgotten ("key"), or a
 * refusal that says the service's mode ("learned"). */
export function onChange(listener) { listeners.push(listener); }

function changed(reason) { render(); listeners.forEach((listener) => listener(reason)); }

/** Learn from an answer of the service: its status and, for a refusal, its problem. */
export function learn(status, problem) {
  const before = [classroom, refused].join();
  if (status === 401) refused = key() ? "wrong" : "key";
  else if (status === 403 && String(problem?.type ?? "").endsWith("/problems/classroom")) classroom = true;
  else if (status < 400 && refused) refused = null;
  if ([classroom, refused].join() !== before) changed("learned");
}

function setKey(value) {
  try {
    if (value) sessionStorage.setItem(STORE, value);
    else sessionStorage.removeItem(STORE);
  } catch { /* storage off: the key lasts until the page is left */ }
  classroom = false; // ask again, with the new key
  refused = null;
  changed("key");
}

const TEXTS = {
  key: "This service needs a key. Enter the key you were given: it is kept for this tab only.",
  wrong: "The service refused that key. Check it and enter it again.",
  classroom: "Classroom mode: work out each quantity by hand and check it here. The answers are the instructor's: "
    + "the page shows none of them without the instructor's key.",
  notInstructor: "Classroom mode: that key is not the instructor's, so the page shows no answers. Check your own "
    + "work here, or enter the instructor's key.",
  keyed: "You are using a key: the page shows everything the service gives that key.",
};

/** Draw the access box (#access) for the current state. */
function render() {
  const box = document.getElementById("access");
  if (!box?.firstChild) return; // not filled yet: bindAccess draws it
  const state = refused ?? (classroom ? (key() ? "notInstructor" : "classroom") : key() ? "keyed" : null);
  box.hidden = state === null;
  box.dataset.state = state ?? "open";
  document.getElementById("access-text").textContent = state ? TEXTS[state] : "";
  document.getElementById("access-forget").hidden = !key();
}

/** Fill and wire the access box (an empty `<form id="access">` of the page): a key entered is kept and every listener
 * asked to compute again. */
export function bindAccess() {
  const form = document.getElementById("access");
  form.replaceChildren(
    el("p", { id: "access-text", role: "status" }),
    el("div", { class: "row" },
      el("label", {}, "Key ", el("input", { id: "access-key", type: "password", autocomplete: "off", spellcheck: "false" })),
      el("button", { type: "submit", text: "Use this key" }),
      el("button", { type: "button", id: "access-forget", hidden: true, text: "Forget the key" })));
  form.addEventListener("submit", (event) => {
    event.preventDefault();
    const input = document.getElementById("access-key");
    setKey(input.value.trim());
    input.value = "";
  });
  document.getElementById("access-forget").addEventListener("click", () => setKey(""));
  render();
}
