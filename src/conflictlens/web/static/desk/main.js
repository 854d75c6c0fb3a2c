// The desk's front page: filter bar, map, timeline and table, kept in step.

import { getJson } from "./dom.js";
import { currentFilters, setUpFilterBar } from "./filters.js";
import { createMap } from "./map.js";
import { createTable } from "./table.js";
import { loadTimeline } from "./timeline.js";

const status = document.getElementById("status");
const map = createMap(document.getElementById("map"));
const timeline = document.getElementById("timeline");
const table = createTable(document.getElementById("events"), document.getElementById("pager"));
let generation = 0;

async function refresh(filters) {
  const mine = ++generation;
  status.textContent = "loading…";
  document.body.dataset.ready = "false";
  try {
    const geojson = await getJson("/api/events.geojson", { ...filters, brief: true, limit: 5000 });
    if (mine !== generation) return; // a newer filter change won
    map.show(geojson);
    await Promise.all([loadTimeline(timeline, filters), table.show(filters)]);
    if (mine !== generation) return;
    const total = document.getElementById("events").dataset.total;
    status.textContent = `${total} events match · ${geojson.features.length} on the map`;
    document.body.dataset.ready = "true";
  } catch (error) {
    status.textContent = `could not load events: ${error.message}`;
  }
}

const form = document.getElementById("filters");
setUpFilterBar(form, refresh)
  .then((meta) => {
    document.getElementById("mode").textContent = meta.writable ? "writes enabled" : "read-only";
    return refresh(currentFilters());
  })
  .catch((error) => {
    status.textContent = `could not reach the API: ${error.message}`;
  });
