// How numbers are written on the page: a fixed number of significant digits (4 unless the reader chooses another),
// a real minus sign, exponents for the very small and the very large.
let DIGITS = 4;

export const digits = () => DIGITS;
export function setDigits(d) { DIGITS = Math.max(1, Math.min(15, Math.round(Number(d)) || 4)); }

/** x to p significant digits, as text: 0.0035225 → "0.003523" at p = 4. */
export function fmt(x, p = DIGITS) {
  if (typeof x !== "number") return String(x);
  if (!Number.isFinite(x)) return String(x);
  const a = Math.abs(x);
  const text = a !== 0 && (a < 1e-4 || a >= 1e6) ? x.toExponential(p - 1) : x === 0 ? "0" : x.toPrecision(p);
  return text.replace(/^-/, "\u2212").replace(/e\+?(-?)/, (_, sign) => (sign ? "e\u2212" : "e"));
}

/** The number that fmt(x, p) reads as. */
export const shownValue = (x, p) => Number(fmt(x, p).replace("\u2212", "-").replace("e\u2212", "e-"));

/** A factor in a product: negative numbers in parentheses. */
export const factor = (x, p = DIGITS) => (typeof x === "number" && x < 0 ? `(${fmt(x, p)})` : fmt(x, p));

/** "2 × 3" */
export const shapeText = (M) => (Array.isArray(M[0]) ? `${M.length} × ${M[0].length}` : `${M.length}`);

export function el(tag, attrs = {}, ...children) {
  const node = document.createElement(tag);
  for (const [key, value] of Object.entries(attrs)) {
    if (value === null || value === undefined || value === false) continue;
    if (key === "class") node.className = value;
    else if (key === "text") node.textContent = value;
    else if (key.startsWith("on")) node.addEventListener(key.slice(2), value);
    else node.setAttribute(key, value === true ? "" : value);
  }
  node.append(...children.flat().filter((child) => child !== null && child !== undefined));
  return node;
}
