// The filter bar: its state lives in the page address, so a filtered view can be reloaded or shared.

import { el, getJson } from "./dom.js";

export const FILTER_KEYS = [
  "country",
  "event_type",
  "since",
  "until",
  "actor",
  "text",
  "min_fatalities",
  "kind",
];

/** A field's value for the address: a checkbox ("incidents only") gives its value when ticked. */
function fieldValue(field) {
  if (field.type === "checkbox") return field.checked ? field.value : "";
  return field.value.trim();
}

export function currentFilters() {
  const params = new URLSearchParams(location.search);
  const filters = {};
  for (const key of FILTER_KEYS) {
    const value = params.get(key);
    if (value) filters[key] = value;
  }
  return filters;
}

function fillOptions(select, values) {
  select.append(...values.map((value) => el("option", { value }, value)));
}

/** Wire the form to the address; `onChange(filters)` runs after every change (debounced). */
export async function setUpFilterBar(form, onChange) {
  const meta = await getJson("/api/meta");
  fillOptions(form.elements.country, meta.countries);
  fillOptions(form.elements.event_type, meta.event_types);
  const actors = document.getElementById("actor-list");
  actors.append(...meta.actors.map((value) => el("option", { value })));
  const filters = currentFilters();
  for (const key of FILTER_KEYS) {
    const field = form.elements[key];
    if (field.type === "checkbox") field.checked = filters[key] === field.value;
    else field.value = filters[key] || "";
  }

  let timer = null;
  const changed = () => {
    clearTimeout(timer);
    timer = setTimeout(() => {
      const params = new URLSearchParams();
      for (const key of FILTER_KEYS) {
        const value = fieldValue(form.elements[key]);
        if (value) params.set(key, value);
      }
      const query = params.toString();
      history.replaceState(null, "", query ? `?${query}` : location.pathname);
      onChange(currentFilters());
    }, 250);
  };
  form.addEventListener("input", changed);
  form.addEventListener("change", changed);
  form.addEventListener("reset", () => setTimeout(changed));
  form.addEventListener("submit", (event) => {
    event.preventDefault();
    changed();
  });
  return meta;
}
