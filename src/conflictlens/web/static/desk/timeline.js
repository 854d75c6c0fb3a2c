// The timeline: incidents per week (per month over long spans) as bars, fatalities as a line,
// drawn as SVG from /api/stats with the same filters as the map and the table. Tallies are left
// out and counted in the legend: a total since 2011 would stretch the axis over years of nothing.

import { clear, el, getJson, svg } from "./dom.js";

const HEIGHT = 170;
const MARGIN = { top: 12, right: 44, bottom: 26, left: 36 };
// More weekly bars than this and the chart switches to months.
const MAX_WEEKS = 80;

function ticks(max) {
  if (max <= 0) return [0];
  const step = Math.max(1, Math.ceil(max / 4));
  const values = [];
  for (let v = 0; v <= max; v += step) values.push(v);
  return values;
}

export async function loadTimeline(container, filters) {
  const incidents = { ...filters, kind: "incident" };
  let stats = await getJson("/api/stats", { ...incidents, by: "week" });
  let dated = stats.rows.filter((row) => row.start);
  if (dated.length > MAX_WEEKS) {
    stats = await getJson("/api/stats", { ...incidents, by: "month" });
    dated = stats.rows.filter((row) => row.start);
  }
  const undated = stats.rows.find((row) => !row.start);
  const tallies = await countTallies(filters);
  draw(container, stats.by, dated, undated, tallies);
}

/** How many tallies match the filters (none when the filters ask for incidents only). */
async function countTallies(filters) {
  if (filters.kind === "incident") return 0;
  const stats = await getJson("/api/stats", { ...filters, kind: "aggregate", by: "country" });
  return stats.rows.reduce((sum, row) => sum + row.events, 0);
}

function draw(container, by, rows, undated, tallies) {
  clear(container);
  const width = Math.max(container.clientWidth, 320);
  const inner = { w: width - MARGIN.left - MARGIN.right, h: HEIGHT - MARGIN.top - MARGIN.bottom };
  const chart = svg("svg", {
    width,
    height: HEIGHT,
    role: "img",
    "aria-label": `events and fatalities by ${by}`,
  });
  container.dataset.bars = String(rows.length);
  container.dataset.tallies = String(tallies);
  container.dataset.events = String(rows.reduce((sum, row) => sum + row.events, 0));
  if (!rows.length) {
    container.append(el("p", { class: "empty" }, "No dated events match."));
    return;
  }
  const maxEvents = Math.max(...rows.map((row) => row.events));
  const maxFatalities = Math.max(1, ...rows.map((row) => row.fatalities));
  const band = inner.w / rows.length;
  const y = (value) => MARGIN.top + inner.h - (value / maxEvents) * inner.h;
  const yF = (value) => MARGIN.top + inner.h - (value / maxFatalities) * inner.h;

  for (const value of ticks(maxEvents)) {
    chart.append(
      svg("line", { class: "grid", x1: MARGIN.left, x2: width - MARGIN.right, y1: y(value), y2: y(value) }),
      svg("text", { class: "axis", x: MARGIN.left - 6, y: y(value) + 4, "text-anchor": "end" }, value),
    );
  }
  rows.forEach((row, i) => {
    const x = MARGIN.left + i * band;
    chart.append(
      svg(
        "rect",
        {
          class: "bar",
          x: x + band * 0.1,
          y: y(row.events),
          width: Math.max(1, band * 0.8),
          height: MARGIN.top + inner.h - y(row.events),
          "data-key": row.key,
        },
        svg("title", {}, `${row.key}: ${row.events} events, ${row.fatalities} killed`),
      ),
    );
  });
  const points = rows.map((row, i) => `${MARGIN.left + (i + 0.5) * band},${yF(row.fatalities)}`);
  chart.append(svg("polyline", { class: "fatalities", points: points.join(" ") }));
  chart.append(
    svg("text", { class: "axis", x: width - MARGIN.right + 6, y: yF(maxFatalities) + 4 }, maxFatalities),
  );
  // First, middle and last period labels are enough to read the span.
  const labelled = [...new Set([0, Math.floor(rows.length / 2), rows.length - 1])];
  for (const i of labelled) {
    chart.append(
      svg(
        "text",
        { class: "axis", x: MARGIN.left + (i + 0.5) * band, y: HEIGHT - 8, "text-anchor": "middle" },
        rows[i].key,
      ),
    );
  }
  container.append(chart);
  container.append(
    el(
      "p",
      { class: "legend" },
      el("span", { class: "swatch bar" }),
      ` events per ${by}  `,
      el("span", { class: "swatch line" }),
      " fatalities (right scale)",
      undated ? ` · ${undated.events} undated not shown` : "",
      tallies ? ` · ${tallies} tallies over many incidents not shown` : "",
    ),
  );
}
