// How numbers are written on the page: 4 decimals, a real minus sign, exponents for the very small and large.
export function fmt(x) {
  if (typeof x !== "number") return String(x);
  if (!Number.isFinite(x)) return String(x);
  const a = Math.abs(x);
  const text = a !== 0 && (a < 1e-3 || a >= 1e5) ? x.toExponential(3).replace("e", "e") : x.toFixed(4);
  return text.replace(/^-/, "\u2212").replace(/e\+?(-?)/, (_, sign) => (sign ? "e\u2212" : "e"));
}

/** A factor in a product: negative numbers in parentheses. */
export const factor = (x) => (x < 0 ? `(${fmt(x)})` : fmt(x));

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
