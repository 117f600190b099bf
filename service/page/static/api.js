// Calls to the service's /v1 endpoints. A failure comes back as the service's RFC 9457 problem, shown in the
// seed's notation (notation.js) beside the field it names; the JSON pointer stays in the span's data-pointer. Every
// call carries the key entered in this tab, and every answer tells access.js what the service lets the page show.
import { keyHeaders, learn } from "./access.js";
import { humane, problemText } from "./notation.js";

/** POST `body` (an object, or JSON text as it is) to `path`: `{ data }` or `{ problem }`, never a throw. */
export async function post(path, body) {
  let response;
  try {
    response = await fetch(path, {
      method: "POST",
      headers: { "Content-Type": "application/json", Accept: "application/json", ...keyHeaders() },
      body: typeof body === "string" ? body : JSON.stringify(body),
    });
  } catch (error) {
    return { problem: { title: "The service did not answer", detail: String(error), errors: [] } };
  }
  const data = await response.json().catch(() => null);
  learn(response.status, data);
  if (response.ok) return { data };
  return { problem: data ?? { title: response.statusText, detail: `HTTP ${response.status}`, errors: [] } };
}

/** Show a problem beside the fields its JSON pointers name; the rest beside the closest enclosing field. */
export function showProblem(problem, scope = document) {
  clearProblems(scope);
  const fields = [...scope.querySelectorAll("[data-pointer]")];
  const errors = problem.errors?.length ? problem.errors : [{ pointer: "", message: problem.detail || problem.title }];
  for (const { pointer = "", message } of errors) {
    const best = fields
      .filter((f) => pointer === f.dataset.pointer || pointer.startsWith(f.dataset.pointer + "/") || f.dataset.pointer === "")
      .sort((a, b) => b.dataset.pointer.length - a.dataset.pointer.length)[0];
    if (!best) continue;
    best.setAttribute("aria-invalid", "true");
    const field = best.closest(".field") ?? document.getElementById("problems");
    const slot = field.querySelector(":scope > .problem");
    const span = Object.assign(document.createElement("span"), { textContent: problemText({ pointer, message }), title: pointer || "/" });
    span.dataset.pointer = pointer;
    slot.append(span);
  }
}

export function clearProblems(scope = document) {
  scope.querySelectorAll(".problem").forEach((p) => p.replaceChildren());
  scope.querySelectorAll("[aria-invalid]").forEach((f) => f.removeAttribute("aria-invalid"));
}

/** One line for a status or a result: the first problem in the page's words, and how many more there are. */
export function problemSummary(problem) {
  const errors = problem.errors ?? [];
  if (errors.length === 0) return humane(problem.detail ?? problem.title ?? "the service refused the request");
  const more = errors.length > 1 ? ` (and ${errors.length - 1} more problem${errors.length > 2 ? "s" : ""}, shown beside their fields)` : "";
  return problemText(errors[0]) + more;
}
