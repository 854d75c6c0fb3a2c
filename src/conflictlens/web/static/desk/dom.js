// Small helpers shared by the desk's pages. Untrusted text (articles, event values) only ever goes
// into the page as text nodes: nothing here builds HTML from strings.

/** An element with attributes and children; strings become text nodes, null children are skipped. */
export function el(tag, attrs = {}, ...children) {
  const node = document.createElement(tag);
  for (const [key, value] of Object.entries(attrs)) {
    if (value === null || value === undefined || value === false) continue;
    if (key === "class") node.className = value;
    else if (key === "dataset") Object.assign(node.dataset, value);
    else if (key.startsWith("on")) node.addEventListener(key.slice(2), value);
    else node.setAttribute(key, value === true ? "" : String(value));
  }
  append(node, children);
  return node;
}

export function append(node, children) {
  for (const child of children.flat()) {
    if (child === null || child === undefined || child === false) continue;
    node.append(child instanceof Node ? child : document.createTextNode(String(child)));
  }
  return node;
}

export function clear(node) {
  node.replaceChildren();
  return node;
}

const SVG_NS = "http://www.w3.org/2000/svg";

export function svg(tag, attrs = {}, ...children) {
  const node = document.createElementNS(SVG_NS, tag);
  for (const [key, value] of Object.entries(attrs)) {
    if (value !== null && value !== undefined) node.setAttribute(key, String(value));
  }
  append(node, children);
  return node;
}

// Colours by ACLED event type; anything else is grey.
const TYPE_COLOURS = {
  Battles: "#c0392b",
  "Explosions/Remote violence": "#e67e22",
  "Violence against civilians": "#8e44ad",
  Protests: "#2980b9",
  Riots: "#16a085",
  "Strategic developments": "#7f8c8d",
};

export function typeColour(eventType) {
  return TYPE_COLOURS[eventType] || "#95a5a6";
}

export class ApiError extends Error {}

async function parse(response) {
  const body = await response.json().catch(() => ({}));
  if (!response.ok) {
    const detail = Array.isArray(body.detail)
      ? body.detail.map((d) => `${d.loc.slice(1).join(".")}: ${d.msg}`).join("; ")
      : body.detail;
    throw new ApiError(`${response.status}: ${detail || response.statusText}`);
  }
  return body;
}

/** GET an API path with query parameters (empty values left out). */
export async function getJson(path, params = {}) {
  const query = new URLSearchParams();
  for (const [key, value] of Object.entries(params)) {
    if (value !== "" && value !== null && value !== undefined) query.set(key, value);
  }
  const suffix = query.toString() ? `?${query}` : "";
  return parse(await fetch(`${path}${suffix}`, { headers: { Accept: "application/json" } }));
}

// The writer's token and name are kept in this browser only, to sign the desk's writes.
export const credentials = {
  get token() {
    return localStorage.getItem("conflictlens.token") || "";
  },
  set token(value) {
    localStorage.setItem("conflictlens.token", value);
  },
  get reviewer() {
    return localStorage.getItem("conflictlens.reviewer") || "";
  },
  set reviewer(value) {
    localStorage.setItem("conflictlens.reviewer", value);
  },
};

export async function postJson(path, body) {
  const headers = { "Content-Type": "application/json", Accept: "application/json" };
  if (credentials.token) headers.Authorization = `Bearer ${credentials.token}`;
  return parse(await fetch(path, { method: "POST", headers, body: JSON.stringify(body) }));
}

export function formatNumber(value) {
  return value === null || value === undefined ? "–" : value.toLocaleString("en");
}

export function place(event) {
  const parts = [event.location, event.admin1, event.country].filter(Boolean);
  return [...new Set(parts)].join(", ") || "–";
}
