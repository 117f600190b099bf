// The network builder: activations, biases, and the tables of W_k, b_k, X and Y, which take pasted rows.
import { ACTIVATIONS, cellValue } from "./state.js";
import { el, shapeText } from "./format.js";

/** A line's cells: tabs, then semicolons, then commas or spaces. A comma is read as a decimal comma (-0,01302) when
 * splitting on spaces gives entries with at most one comma and no dot beside it, every one a number, and the expected
 * number of columns (one entry when none is expected), while reading commas as separators does not; otherwise
 * commas separate entries, as in CSV. */
function cellsOf(line, cols) {
  if (line.includes("\t")) return line.split("\t");
  if (line.includes(";")) return line.split(";");
  const spaced = line.trim().split(/\s+/);
  if (!line.includes(",")) return spaced;
  const csv = line.split(",");
  const numbers = (cells) => cells.every((cell) => typeof cellValue(cell) === "number");
  const fits = (cells) => numbers(cells) && (cols === null ? cells === spaced && cells.length === 1 : cells.length === cols);
  const decimal = spaced.every((cell) => (cell.match(/,/g) ?? []).length <= 1 && !(cell.includes(",") && cell.includes(".")));
  return decimal && fits(spaced) && !fits(csv) ? spaced : csv;
}

/** Rows pasted from a spreadsheet (tabs), a CSV file (commas or semicolons), plain text (spaces) or JSON, each cell
 * with the text as typed and its value (a number, or the text so that the service names the problem). */
export function readRows(text, cols = null) {
  const t = text.trim();
  if (t.startsWith("[")) {
    try {
      const value = JSON.parse(t);
      if (Array.isArray(value)) {
        return value.map((row) => (Array.isArray(row) ? row : [row]).map((v) => ({ text: String(v), value: v })));
      }
    } catch { /* not JSON: read it as rows of text */ }
  }
  return t.split(/\r?\n/).filter((line) => line.trim() !== "").map((line) =>
    cellsOf(line.replace(/[[\]]/g, " ").trim().replace(/,$/, ""), cols).map((cell) => ({ text: cell.trim(), value: cellValue(cell) })));
}

export const parseRows = (text, cols = null) => readRows(text, cols).map((row) => row.map((cell) => cell.value));

/** An editable table of a matrix (or of a vector, one row); `changed(true)` when its shape changed. */
function matrixEditor({ id, label, pointer, matrix, vector = false, changed }) {
  const rows = vector ? [matrix] : matrix;
  const set = (i, j, value) => {
    if (vector) matrix[j] = value;
    else {
      while (matrix.length <= i) matrix.push(new Array(matrix[0]?.length ?? 1).fill(0));
      matrix[i][j] = value;
    }
  };
  const table = el("table", { class: "edit" });
  rows.forEach((row, i) => {
    const tr = el("tr");
    row.forEach((value, j) => {
      const at = vector ? `${pointer}/${j}` : `${pointer}/${i}/${j}`;
      const input = el("input", {
        value: String(value), size: 6, inputmode: "decimal", "data-pointer": at,
        "aria-label": vector ? `${label} entry ${j}` : `${label} row ${i} column ${j}`,
        oninput: () => { set(i, j, cellValue(input.value)); changed(false); },
        onpaste: (event) => {
          const block = parseRows(event.clipboardData.getData("text/plain"));
          if (block.length === 1 && block[0].length === 1) return;
          event.preventDefault();
          const width = Math.max(...block.map((r) => r.length));
          if (!vector) matrix.forEach((r) => { while (r.length < j + width) r.push(0); });
          block.forEach((r, di) => r.forEach((v, dj) => set(vector ? 0 : i + di, j + dj, v)));
          changed(true);
        },
      });
      tr.append(el("td", {}, input));
    });
    table.append(tr);
  });
  const shape = vector ? `${matrix.length}` : shapeText(matrix);
  return el("div", { class: "field", id, "data-pointer": pointer },
    el("div", { class: "caption" }, el("strong", { text: label }), ` ${shape}`),
    el("div", { class: "scroll" }, table),
    el("p", { class: "problem", role: "alert" }));
}

export function renderEditors(state, changed) {
  const layers = document.getElementById("layers-editor");
  layers.replaceChildren(...state.layers.map((layer, index) => {
    const k = index + 1;
    const base = `/network/layers/${index}`;
    const select = el("select", {
      onchange: () => { layer.activation = select.value; changed(false); },
    }, ACTIVATIONS.map((name) => el("option", { value: name, text: name, selected: name === layer.activation })));
    const bias = el("input", {
      type: "checkbox", checked: Boolean(layer.b),
      onchange: () => { layer.b = bias.checked ? new Array(layer.W[0]?.length ?? 1).fill(0) : null; changed(true); },
    });
    return el("fieldset", { class: "field layer-edit", "data-pointer": base },
      el("legend", { text: `Layer ${k}` }),
      el("div", { class: "row" },
        el("div", { class: "field", "data-pointer": `${base}/activation` },
          el("label", {}, `Activation f_${k} `, select), el("p", { class: "problem", role: "alert" })),
        el("label", {}, bias, ` bias b_${k}`)),
      matrixEditor({ id: `edit-W-${k}`, label: `W_${k}`, pointer: `${base}/weights`, matrix: layer.W, changed }),
      layer.b ? matrixEditor({ id: `edit-b-${k}`, label: `b_${k}`, pointer: `${base}/bias`, matrix: layer.b, vector: true, changed }) : null,
      el("p", { class: "problem", role: "alert" }));
  }));
  document.getElementById("data-editor").replaceChildren(
    el("fieldset", { class: "data-edit" }, el("legend", { text: "Data: one example per row" }),
      matrixEditor({ id: "edit-X", label: "X (inputs)", pointer: "/inputs", matrix: state.X, changed }),
      matrixEditor({ id: "edit-Y", label: "Y (targets)", pointer: "/targets", matrix: state.Y, changed })));
}
