"""Score the extractor on whole news articles coded by UCDP GED (../shared/bench/ucdp_dev.jsonl,
read at run time, never copied). Used by eval_dev.py.

UCDP codes one event per article; the other incidents an article reports are neither right nor
wrong. The coded event is the incident record on its date (within the gold date range, a day either
side for reports filed overnight) in its province; failing that, the one in its province, then the
one on its date, then the article's first incident. GED lists only events with a death, so where
several records fit, the first that reports a death stands for it. Every score is taken on that record; an article
with no incident record misses every score.

Deaths are scored as the UCDP export writes them (`conflictlens export --format ucdp-csv`, see
conflictlens.export_ucdp): GED's best, low and high estimates and deaths by side, under GED's rule
that civilians killed by ordnance left from earlier fighting count in the high estimate only.

A missed toll is put down to one cause, the first that applies (MISS_CAUSES), so the misses show
where the extractor goes wrong, not only how often.
"""

from __future__ import annotations

import re
from collections import Counter
from datetime import date, timedelta

from common import same_admin2
from conflictlens.export_ucdp import ucdp_deaths
from conflictlens.extraction import UnsupportedLanguageError, extract_article
from conflictlens.geo import same_admin1
from conflictlens.models import Article, Event

DATE_SLACK = timedelta(days=1)
# Words of a running total: a count in a sentence with one of these and no date of its own is a tally.
_TALLY_WORDS = re.compile(
    r"\b(?:since|so far|in total|total(?:ling)? (?:number|death)|in the past|during the past|"
    r"over the past|this year|to date|in the same period)\b",
    re.I,
)
MISS_CAUSES = (
    "no incident on the event's date in its province",
    "place outside the article's countries",
    "tally taken as incident",
    "split incident (the toll is spread over records)",
    "toll from another incident",
    "count of wounded mixed in",
    "toll missed (none found)",
    "over-counted",
    "under-counted",
)


def _day(text: str) -> date:
    return date.fromisoformat(text[:10])


def _on_date(event: Event, row: dict) -> bool:
    if event.event_date is None:
        return False
    start, end = _day(row["date_start"]), _day(row["date_end"])
    return start - DATE_SLACK <= event.event_date <= end + DATE_SLACK


def _in_range(event: Event, row: dict) -> bool:
    if event.event_date is None:
        return False
    return _day(row["date_start"]) <= event.event_date <= _day(row["date_end"])


def _in_province(event: Event, row: dict) -> bool:
    return bool(event.admin1 and row.get("admin1")) and same_admin1(event.admin1, row["admin1"])


def coded_record(events: list[Event], row: dict) -> tuple[Event | None, str]:
    """The record that stands for UCDP's event, and how it was chosen."""
    incidents = [e for e in events if e.kind == "incident"]
    for how, test in (
        ("date and province", lambda e: _on_date(e, row) and _in_province(e, row)),
        ("province only", lambda e: _in_province(e, row)),
        ("date only", lambda e: _on_date(e, row)),
        ("first incident", lambda e: True),
    ):
        chosen = [e for e in incidents if test(e)]
        # GED lists only events with a death: of the records that fit, one that reports one.
        deadly = [e for e in chosen if (e.fatalities or 0) > 0 or (e.fatalities_high or 0) > 0]
        if chosen:
            return (deadly or chosen)[0], how
    return None, "none"


def _evidence_text(event: Event, field_name: str) -> str:
    return " ".join(e.text for e in event.evidence if e.field == field_name)


def _sentence_around(text: str, start: int, end: int) -> str:
    left = max(text.rfind(". ", 0, start), text.rfind("\n", 0, start)) + 1
    right_candidates = [i for i in (text.find(". ", end), text.find("\n", end)) if i != -1]
    return text[left : min(right_candidates, default=len(text))]


def miss_cause(event: Event | None, how: str, events: list[Event], row: dict, text: str) -> str:
    """Why the record's toll is not UCDP's best estimate: the first cause in MISS_CAUSES that fits."""
    gold = row["fatalities_best"]
    if event is None or how not in ("date and province", "province only"):
        if event is not None and event.country and event.country != row["country"]:
            return MISS_CAUSES[1]
        return MISS_CAUSES[0]
    ours = _best(event)
    spans = [e for e in event.evidence if e.field == "fatalities"]
    if any(_TALLY_WORDS.search(_sentence_around(text, e.start, e.end)) for e in spans):
        return MISS_CAUSES[2]
    same_day = [e for e in events if e.kind == "incident" and _on_date(e, row)]
    if len(same_day) > 1 and sum(e.fatalities or 0 for e in same_day) == gold:
        return MISS_CAUSES[3]
    if any(e is not event and (e.fatalities or 0) == gold for e in events if gold):
        return MISS_CAUSES[4]
    if event.wounded and ours > gold and "injur" in _evidence_text(event, "fatalities").lower():
        return MISS_CAUSES[5]
    if ours == 0:
        return MISS_CAUSES[6]
    return MISS_CAUSES[7] if ours > gold else MISS_CAUSES[8]


def _best(event: Event) -> int:
    """The record's best estimate as the UCDP export writes it; 0 where the report gives none."""
    deaths = ucdp_deaths(event)
    return 0 if deaths is None else deaths.best


def _sides_match(event: Event, row: dict) -> bool:
    """Deaths by side, without naming sides: the civilian and unknown dead and the multiset of
    the two sides' dead."""
    deaths = ucdp_deaths(event)
    if deaths is None:
        return False
    gold_sides = sorted(n for n in (row["deaths_side_a"], row["deaths_side_b"]) if n)
    our_sides = sorted(n for n in (deaths.side_a, deaths.side_b) if n)
    return (
        deaths.civilians == row["deaths_civilian"]
        and our_sides == gold_sides
        and deaths.unknown == row["deaths_unknown"]
    )


def score_ucdp(rows: list[dict], score, misses: Counter[str]) -> None:
    """Add the UCDP scores of `rows` to `score` (an eval_dev.Score) and their toll misses to `misses`."""
    for row in rows:
        published = _day(row["source_date"]) if row.get("source_date") else None
        try:
            events = extract_article(Article(id=row["id"], text=row["text"], published=published))
        except UnsupportedLanguageError:
            events = []
        event, how = coded_record(events, row)
        score.add("coded event found on its date in its province", how == "date and province")
        score.add("records per article <= 3", len(events) <= 3)
        ours = _best(event) if event is not None else None
        exact = ours == row["fatalities_best"]
        score.add("deaths exact (best)", exact)
        score.add(
            "deaths within [low, high]",
            ours is not None and row["fatalities_low"] <= ours <= row["fatalities_high"],
        )
        if sum(1 for k in ("deaths_side_a", "deaths_side_b", "deaths_civilian") if row[k]) > 1:
            score.add(
                "deaths by side (where UCDP splits)", event is not None and _sides_match(event, row)
            )
        score.add("date within the gold range", event is not None and _in_range(event, row))
        score.add("date within a day of the range", event is not None and _on_date(event, row))
        score.add("admin1", event is not None and _in_province(event, row))
        if row.get("admin2"):
            score.add(
                "admin2",
                event is not None
                and bool(event.admin2)
                and same_admin2(event.admin2, row["admin2"]),
            )
        score.add("country", event is not None and event.country == row["country"])
        if not exact:
            misses[miss_cause(event, how, events, row, row["text"])] += 1
