// The audit view: every review, newest first, and the rejected events (kept out of listings and
// exports, but never deleted).

import { clear, el, getJson, place } from "./dom.js";

function link(eventId, text) {
  return el("a", { href: `/event/${encodeURIComponent(eventId)}` }, text);
}

async function load() {
  const audit = await getJson("/api/audit");
  clear(document.getElementById("reviews")).append(
    audit.reviews.length
      ? el(
          "table",
          { class: "audit" },
          el("thead", {}, el("tr", {}, ["when", "event", "who", "action", "before", "after", "note"].map((h) => el("th", {}, h)))),
          el(
            "tbody",
            {},
            audit.reviews.map((r) =>
              el(
                "tr",
                { class: "audit-entry" },
                el("td", {}, new Date(r.at).toLocaleString("en-GB")),
                el("td", {}, link(r.event_id, r.event_id)),
                el("td", {}, r.reviewer),
                el("td", {}, r.action),
                el("td", {}, JSON.stringify(r.before)),
                el("td", {}, JSON.stringify(r.after)),
                el("td", {}, r.note || ""),
              ),
            ),
          ),
        )
      : el("p", { class: "empty" }, "No review yet."),
  );
  clear(document.getElementById("rejected")).append(
    audit.rejected.length
      ? el(
          "ul",
          {},
          audit.rejected.map((e) =>
            el("li", {}, link(e.event_id, `${e.event_date || "undated"} · ${e.sub_event_type || e.event_type || "event"} · ${place(e)}`)),
          ),
        )
      : el("p", { class: "empty" }, "No rejected event."),
  );
}

load().catch((error) => {
  document.getElementById("reviews").textContent = `could not load the audit trail: ${error.message}`;
});
