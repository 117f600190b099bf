// The class report's charts, drawn as SVG here (no library, nothing fetched): the score histogram and the answer
// groups as horizontal bars. Every bar carries its count as text and in data-count, so that a screen reader and a
// test read the same numbers the eye does.
const NS = "http://www.w3.org/2000/svg";

function svg(tag, attrs = {}, text = null) {
  const node = document.createElementNS(NS, tag);
  for (const [key, value] of Object.entries(attrs)) node.setAttribute(key, String(value));
  if (text !== null) node.textContent = text;
  return node;
}

const percent = (x) => `${Math.round(x * 100)}%`;

/** The scores' histogram: one column per bin, its count above it, the bin's range below. */
export function histogramChart(bins, label) {
  const width = 520, height = 220, left = 30, bottom = 36, top = 18;
  const step = (width - left - 10) / bins.length;
  const max = Math.max(1, ...bins.map((bin) => bin.count));
  const scale = (height - bottom - top) / max;
  const chart = svg("svg", { viewBox: `0 0 ${width} ${height}`, class: "chart histogram", role: "img", "aria-label": label });
  chart.append(svg("line", { x1: left, x2: width - 10, y1: height - bottom, y2: height - bottom, class: "axis" }));
  bins.forEach((bin, i) => {
    const x = left + i * step + 3;
    const h = bin.count * scale;
    const range = `${percent(bin.from)}–${percent(bin.to)}`;
    const group = svg("g", { class: "bin", "data-from": bin.from, "data-to": bin.to, "data-count": bin.count });
    const bar = svg("rect", { x, y: height - bottom - h, width: step - 6, height: h, class: "bar" });
    bar.append(svg("title", {}, `${range}: ${bin.count} student${bin.count === 1 ? "" : "s"}`));
    group.append(bar, svg("text", { x: x + (step - 6) / 2, y: height - bottom - h - 4, class: "count" }, String(bin.count)),
      svg("text", { x: x + (step - 6) / 2, y: height - bottom + 14, class: "range" }, percent(bin.from)));
    chart.append(group);
  });
  chart.append(svg("text", { x: width - 10, y: height - 4, class: "range end" }, "score 100%"));
  return chart;
}

/** The answer groups as bars, the largest first: "Δ₂ · sign flipped" and the number of students. */
export function groupsChart(rows, label) {
  const width = 520, line = 26, left = 210, height = Math.max(1, rows.length) * line + 8;
  const max = Math.max(1, ...rows.map((row) => row.count));
  const scale = (width - left - 40) / max;
  const chart = svg("svg", { viewBox: `0 0 ${width} ${height}`, class: "chart groups", role: "img", "aria-label": label });
  rows.forEach((row, i) => {
    const y = 4 + i * line;
    const group = svg("g", { class: "group-bar", "data-count": row.count, "data-pointer": row.pointer });
    const bar = svg("rect", { x: left, y, width: Math.max(2, row.count * scale), height: line - 8, class: "bar" });
    bar.append(svg("title", {}, `${row.name}: ${row.count} student${row.count === 1 ? "" : "s"}`));
    group.append(svg("text", { x: left - 8, y: y + line / 2, class: "name" }, row.name), bar,
      svg("text", { x: left + row.count * scale + 6, y: y + line / 2, class: "count" }, String(row.count)));
    chart.append(group);
  });
  return chart;
}
