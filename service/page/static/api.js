// Calls to the service's /v1 endpoints. A failure comes back as the service's RFC 9457 problem.
export async function post(path, body) {
  let response;
  try {
    response = await fetch(path, {
      method: "POST",
      headers: { "Content-Type": "application/json", Accept: "application/json" },
      body: JSON.stringify(body),
    });
  } catch (error) {
    return { problem: { title: "The service did not answer", detail: String(error), errors: [] } };
  }
  const data = await response.json().catch(() => null);
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
    slot.append(Object.assign(document.createElement("span"), { textContent: `${pointer || "/"}: ${message}` }));
  }
}

export function clearProblems(scope = document) {
  scope.querySelectorAll(".problem").forEach((p) => p.replaceChildren());
  scope.querySelectorAll("[aria-invalid]").forEach((f) => f.removeAttribute("aria-invalid"));
}
