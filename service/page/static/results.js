// Every result on the page belongs to the network it was computed for. A result box is tagged with its network's
// key (the request body as JSON); when the network changes, a box tagged with another key is emptied and says so.
import { el } from "./format.js";

export const networkKey = (body) => JSON.stringify(body);

/** Box `box` now holds a result for the network `key`; `note` is what it says once that network is gone. */
export function own(box, key, note) {
  box.dataset.for = key;
  box.dataset.note = note;
}

/** The network is now `key`: every result computed for another one disappears, leaving its note. */
export function refresh(key) {
  document.querySelectorAll("[data-for]").forEach((box) => {
    if (box.dataset.for === key) return;
    box.replaceChildren(el("p", { class: "outdated", text: box.dataset.note }));
    delete box.dataset.for;
  });
}

/** A new network altogether (a preset, a link): every result and every note goes. */
export function clearAll() {
  document.querySelectorAll("[data-for], .outdated").forEach((box) => {
    if (box.classList.contains("outdated")) box.remove();
    else { box.replaceChildren(); delete box.dataset.for; }
  });
}
