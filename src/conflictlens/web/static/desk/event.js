// The event page: merged values beside each report's values, every report's text with the
// evidence for each field highlighted, the review buttons and the audit trail.

import { ApiError, clear, credentials, el, getJson, place, postJson } from "./dom.js";

// The values shown side by side, in reading order.
const SHOWN_FIELDS = [
  "event_date", "time_precision", "event_type", "sub_event_type", "actor1", "assoc_actor_1",
  "actor2", "assoc_actor_2", "civilian_targeting", "location", "admin2", "admin1", "country",
  "latitude", "longitude", "geo_precision", "fatalities", "fatalities_low", "fatalities_high",
  "wounded", "arrested", "abducted", "claimed_by", "sources", "outlets", "confidence", "flags",
  "notes",
];

const eventId = decodeURIComponent(location.pathname.split("/").pop());
const message = document.getElementById("message");
let fieldTypes = {};

function show(value) {
  if (value === null || value === undefined || value === "") return "–";
  if (Array.isArray(value)) return value.length ? value.join(", ") : "–";
  if (typeof value === "object") return Object.keys(value).length ? JSON.stringify(value) : "–";
  return String(value);
}

function say(text, isError = false) {
  message.textContent = text;
  message.classList.toggle("error", isError);
}

function valuesTable(detail) {
  const { event, corrections, mentions } = detail;
  const head = el(
    "tr",
    {},
    el("th", {}, "field"),
    el("th", {}, "merged"),
    mentions.map((m, i) => el("th", { title: m.article.id }, `report ${i + 1}: ${m.article.title || m.article.id}`)),
  );
  const rows = SHOWN_FIELDS.map((field) => {
    const merged = show(event[field]);
    return el(
      "tr",
      { dataset: { field }, class: field in corrections ? "corrected" : null },
      el("th", {}, field),
      el("td", { class: "merged" }, merged, field in corrections ? el("span", { class: "tag" }, "corrected") : null),
      mentions.map((m) => {
        const value = show(m.reported[field]);
        return el("td", { class: value !== merged ? "differs" : null }, value);
      }),
    );
  });
  const table = el("table", { class: "values" }, el("thead", {}, head), el("tbody", {}, rows));
  // Pointing at a field lights up its evidence in the texts below.
  table.addEventListener("mouseover", (e) => {
    const row = e.target.closest("tr[data-field]");
    for (const mark of document.querySelectorAll("mark.evidence")) {
      mark.classList.toggle("active", Boolean(row) && mark.dataset.field === row.dataset.field);
    }
  });
  return table;
}

/** "3–12 (reports say 3, 5, 12)": the range of tolls and each report's own. */
function tollText(differences) {
  const { toll_low: low, toll_high: high, tolls } = differences;
  if (low === null && high === null) return "–";
  const range = low === high || high === null ? String(low ?? high) : `${low ?? "?"}–${high}`;
  return tolls.length > 1 ? `${range} (reports say ${tolls.join(", ")})` : range;
}

/** What the merged values hide: the tolls, places, attackers and dates the reports disagree on. */
function differencesList(detail) {
  const { differences, mentions } = detail;
  if (mentions.length < 2) return el("p", { class: "empty" }, "One report: nothing to compare.");
  const rows = [
    ["toll", tollText(differences), differences.tolls.length > 1 || differences.toll_low !== differences.toll_high],
    ["places", show(differences.places), differences.places.length > 1],
    ["attackers", show(differences.attackers), differences.attackers.length > 1],
    ["dates", show(differences.dates), differences.dates.length > 1],
  ];
  return el(
    "dl",
    { class: "differences" },
    rows.flatMap(([name, text, differ]) => [
      el("dt", {}, name),
      el("dd", { class: differ ? "differs" : null, dataset: { difference: name } }, text),
    ]),
  );
}

/** The article text as text nodes, with <mark> elements around each evidence span. */
export function highlighted(text, evidence) {
  const container = el("div", { class: "article-text" });
  const spans = evidence
    .filter((e) => e.start >= 0 && e.end <= text.length && e.end > e.start)
    .sort((a, b) => a.start - b.start || b.end - a.end);
  let cursor = 0;
  for (const span of spans) {
    const start = Math.max(span.start, cursor);
    if (start >= span.end) continue; // inside a span already marked
    container.append(document.createTextNode(text.slice(cursor, start)));
    container.append(
      el(
        "mark",
        { class: "evidence", dataset: { field: span.field }, title: span.field },
        text.slice(start, span.end),
      ),
    );
    cursor = span.end;
  }
  container.append(document.createTextNode(text.slice(cursor)));
  return container;
}

async function articlesSection(detail) {
  const section = clear(document.getElementById("articles"));
  for (const mention of detail.mentions) {
    const article = await getJson(`/api/articles/${encodeURIComponent(mention.article.id)}`);
    const fromMerged = detail.event.evidence.filter((e) => e.article_id === article.id);
    const evidence = fromMerged.length ? fromMerged : mention.reported.evidence;
    const fields = [...new Set(evidence.map((e) => e.field))];
    section.append(
      el(
        "article",
        { class: "report", dataset: { articleId: article.id } },
        el("h3", {}, article.title || article.id),
        el(
          "p",
          { class: "meta" },
          [article.outlet, article.published, article.url].filter(Boolean).join(" · "),
        ),
        el("p", { class: "fields" }, "evidence for: ", fields.join(", ") || "none"),
        highlighted(article.text, evidence),
      ),
    );
  }
}

function auditSection(reviews) {
  const body = el(
    "tbody",
    {},
    reviews.map((r) =>
      el(
        "tr",
        { class: "audit-entry" },
        el("td", {}, new Date(r.at).toLocaleString("en-GB")),
        el("td", {}, r.reviewer),
        el("td", {}, r.action),
        el("td", {}, JSON.stringify(r.before)),
        el("td", {}, JSON.stringify(r.after)),
        el("td", {}, r.note || ""),
      ),
    ),
  );
  const table = el(
    "table",
    { class: "audit" },
    el("thead", {}, el("tr", {}, ["when", "who", "action", "before", "after", "note"].map((h) => el("th", {}, h)))),
    body,
  );
  clear(document.getElementById("audit")).append(
    reviews.length ? table : el("p", { class: "empty" }, "No review yet."),
  );
}

function formValue(field, value) {
  const type = fieldTypes[field];
  if (type === "list") return (value || []).join(", ");
  if (type === "object") return JSON.stringify(value || {});
  return value === null || value === undefined ? "" : String(value);
}

function parseValue(field, raw) {
  const type = fieldTypes[field];
  const text = raw.trim();
  if (type === "list") return text ? text.split(",").map((s) => s.trim()).filter(Boolean) : [];
  if (type === "object") return text ? JSON.parse(text) : {};
  if (type === "boolean") return text === "true";
  if (text === "") return null;
  if (type === "integer") return Number.parseInt(text, 10);
  if (type === "number") return Number.parseFloat(text);
  return text;
}

function correctionForm(event) {
  const form = clear(document.getElementById("correct-form"));
  for (const field of Object.keys(fieldTypes)) {
    const type = fieldTypes[field];
    const input =
      type === "boolean"
        ? el("select", { name: field }, el("option", { value: "false" }, "false"), el("option", { value: "true" }, "true"))
        : el("input", { name: field, type: type === "date" ? "date" : "text" });
    input.value = formValue(field, event[field]);
    input.dataset.original = input.value;
    form.append(el("label", {}, el("span", {}, field), input));
  }
  form.append(
    el("div", { class: "form-actions" },
      el("button", { type: "submit" }, "Save correction"),
      el("button", { type: "button", onclick: () => form.classList.add("hidden") }, "Cancel"),
    ),
  );
  form.onsubmit = async (e) => {
    e.preventDefault();
    const fields = {};
    try {
      for (const input of form.querySelectorAll("[name]")) {
        if (input.value !== input.dataset.original) fields[input.name] = parseValue(input.name, input.value);
      }
    } catch (error) {
      say(`cannot read the form: ${error.message}`, true);
      return;
    }
    if (!Object.keys(fields).length) {
      say("nothing changed", true);
      return;
    }
    await review("correct", fields);
  };
}

async function review(action, fields = null) {
  const reviewer = document.getElementById("reviewer").value.trim();
  credentials.reviewer = reviewer;
  credentials.token = document.getElementById("token").value;
  if (!reviewer) {
    say("enter your name first: every review records who made it", true);
    return;
  }
  const note = document.getElementById("note").value.trim() || null;
  try {
    await postJson(`/api/events/${encodeURIComponent(eventId)}/review`, { action, reviewer, fields, note });
    say(`${action}: saved`);
    document.getElementById("note").value = "";
    await load();
  } catch (error) {
    say(error instanceof ApiError ? error.message : String(error), true);
  }
}

async function load() {
  const detail = await getJson(`/api/events/${encodeURIComponent(eventId)}`);
  const { event } = detail;
  document.title = `${event.sub_event_type || event.event_type || "event"} · conflictlens`;
  document.getElementById("title").textContent =
    `${event.sub_event_type || event.event_type || "Event"} — ${place(event)}, ${event.event_date || "undated"}`;
  const status = document.getElementById("review-status");
  status.textContent = detail.review_status;
  status.dataset.status = detail.review_status;
  clear(document.getElementById("differences")).append(differencesList(detail));
  clear(document.getElementById("values")).append(valuesTable(detail));
  correctionForm(event);
  auditSection(detail.reviews);
  await articlesSection(detail);
  document.body.dataset.ready = "true";
}

async function start() {
  const meta = await getJson("/api/meta");
  fieldTypes = Object.fromEntries(meta.correctable_fields.map((f) => [f.name, f.type]));
  document.getElementById("reviewer").value = credentials.reviewer;
  document.getElementById("token").value = credentials.token;
  if (!meta.writable) say("This server is read-only: reviews are disabled (start it with --token).");
  for (const button of document.querySelectorAll("[data-action]")) {
    button.disabled = !meta.writable;
    button.addEventListener("click", () => {
      if (button.dataset.action === "correct") {
        document.getElementById("correct-form").classList.toggle("hidden");
      } else {
        review(button.dataset.action);
      }
    });
  }
  await load();
}

start().catch((error) => say(`could not load the event: ${error.message}`, true));
