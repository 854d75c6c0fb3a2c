// The table: one page of events from /api/events, sortable by date and fatalities, with a pager.

import { clear, el, formatNumber, getJson, place, typeColour } from "./dom.js";

const PAGE = 50;

export function createTable(container, pager) {
  let filters = {};
  let order = "-date";
  let offset = 0;

  async function load() {
    const page = await getJson("/api/events", { ...filters, order, limit: PAGE, offset });
    const body = container.querySelector("tbody");
    clear(body);
    for (const event of page.items) {
      const href = `/event/${encodeURIComponent(event.event_id)}`;
      body.append(
        el(
          "tr",
          { dataset: { eventId: event.event_id } },
          el("td", {}, el("a", { href }, event.event_date || "undated")),
          el(
            "td",
            {},
            el("span", { class: "dot", dataset: { colour: typeColour(event.event_type) } }),
            event.sub_event_type || event.event_type || "–",
          ),
          el("td", {}, place(event)),
          el("td", {}, event.actor1 || "–"),
          el("td", {}, event.actor2 || "–"),
          el("td", { class: "num" }, formatNumber(event.fatalities)),
          el("td", {}, event.kind === "aggregate" ? "aggregate" : ""),
        ),
      );
    }
    // Colours are set through the style object (CSSOM), which the page's CSP allows.
    for (const dot of body.querySelectorAll(".dot")) dot.style.background = dot.dataset.colour;
    container.dataset.total = String(page.total);
    const last = Math.min(offset + page.items.length, page.total);
    clear(pager).append(
      el("button", { type: "button", disabled: offset === 0, onclick: () => move(-PAGE) }, "‹ previous"),
      el("span", { class: "count" }, page.total ? `${offset + 1}–${last} of ${page.total}` : "no events"),
      el("button", { type: "button", disabled: last >= page.total, onclick: () => move(PAGE) }, "next ›"),
    );
  }

  function move(step) {
    offset = Math.max(0, offset + step);
    load();
  }

  for (const header of container.querySelectorAll("th[data-order]")) {
    header.addEventListener("click", () => {
      const key = header.dataset.order;
      order = order === `-${key}` ? key : `-${key}`;
      offset = 0;
      load();
    });
  }

  return {
    show(newFilters) {
      filters = newFilters;
      offset = 0;
      return load();
    },
  };
}
