"""Clauses: the units incidents are built from, with everything found in each.

An article is cut into lines (page furniture dropped), sentences, and clauses where one sentence
reports two incidents ("Earlier in January, nine soldiers were killed ..., while in November last year
another attack left five dead"). Cheap regex finders run on every clause; the actor, place and source
finders only on clauses that can report an event.
"""

from __future__ import annotations

import re
from dataclasses import dataclass, field, fields
from datetime import date
from functools import lru_cache
from importlib import resources
from itertools import pairwise

import yaml

from conflictlens.clean import Line, content_lines, find_dateline
from conflictlens.extraction.actors import ActorMention
from conflictlens.extraction.counts import CountMention, find_counts
from conflictlens.extraction.dates import DateMention, find_dates
from conflictlens.extraction.event_types import Trigger, find_triggers
from conflictlens.extraction.sources import SourceMention
from conflictlens.geo import GeoHit
from conflictlens.nlp import split_sentences

# Where one sentence turns to a second incident. Split only when both sides carry a count or a date.
_CLAUSE_BREAK = re.compile(
    r";\s+|,\s+(?=while\b|whereas\b|after\b|before\b|and in\b|and on\b|and (?:earlier|later)\b)"
    r"|\s+(?=after\s+(?:\w+\s+){0,3}(?:\d|one|two|three|four|five|six|seven|eight|nine|ten)\b)",
    re.I,
)

# "..., two days after a twin suicide attack killed 32 people in Baghdad": the sentence compares its
# incident with another one; the comparison is its own clause as soon as it carries a count or date.
_COMPARISON_BREAK = re.compile(
    r",\s+(?=(?:\w+\s+){0,2}(?:days?|hours?|weeks?|months?)\s+(?:after|before)\s+(?:a|an)\s)", re.I
)

_DATELINE_DASH = re.compile(r"(?:,\s*[A-Za-z .]+)?\s*(?:\(\w+\)\s*)?[-–—:]\s")
# "Beirut, March 3 (Reuters) -": the agency's mark makes a dateline of a mixed-case place too.
_AGENCY_DATELINE = re.compile(r"(?:,\s*[\w .]+?)?\s*\([A-Z][\w .]*\)\s*[-–—:]\s")

_LIST_ITEM = re.compile(r"\s*(?:[-–•*·▪●◦]|\(?\d{1,2}[.)])\s")


@dataclass(frozen=True)
class _TemporalCues:
    aggregate: tuple[re.Pattern[str], ...]
    plural_acts: tuple[re.Pattern[str], ...]
    habitual: tuple[re.Pattern[str], ...]
    new_incident: tuple[re.Pattern[str], ...]
    back_reference: tuple[re.Pattern[str], ...]
    follow_up: tuple[re.Pattern[str], ...]
    claimed_toll: tuple[re.Pattern[str], ...]
    tally_continuation: tuple[re.Pattern[str], ...]
    other_account: tuple[re.Pattern[str], ...]


@lru_cache(maxsize=1)
def temporal_cues() -> _TemporalCues:
    raw = yaml.safe_load(
        resources.files("conflictlens.data").joinpath("temporal.yaml").read_text("utf-8")
    )

    def compiled(key: str) -> tuple[re.Pattern[str], ...]:
        return tuple(re.compile(p, re.I) for p in raw[key])

    return _TemporalCues(*(compiled(f.name) for f in fields(_TemporalCues)))


@dataclass
class Clause:
    start: int  # offsets into the article text
    end: int
    text: str
    index: int
    headline: bool
    dates: list[DateMention] = field(default_factory=list)
    counts: list[CountMention] = field(default_factory=list)
    triggers: list[Trigger] = field(default_factory=list)
    actors: list[ActorMention] = field(default_factory=list)
    actor_roles: list[str | None] = field(default_factory=list)  # parallel to `actors`
    places: list[GeoHit] = field(default_factory=list)
    sources: list[SourceMention] = field(default_factory=list)
    aggregate_cue: str | None = None
    habitual: bool = False
    new_incident_cue: bool = False
    follow_up_cue: bool = False
    back_reference: bool = False
    claimed_toll: bool = False  # its counts are a group's claim, not the report's own figure
    tally_continuation: bool = False  # goes on about a tally just before it ("These attacks ...")
    other_account: bool = False  # another source's toll for the incident just told ("however, ...")

    @property
    def is_candidate(self) -> bool:
        """Can this clause report (or continue) an event? Only these get the costly finders."""
        return bool(self.counts or self.triggers)

    @property
    def quoted(self) -> bool:
        """A quotation ("We fled the bombs ...," said a resident) is comment, never a new incident."""
        return self.text.lstrip()[:1] in ('"', "“")

    @property
    def list_item(self) -> bool:
        """A bulleted or numbered line ("- 152 civilians", "• 3 soldiers"): a breakdown of what the
        line before it introduced, never a report of its own."""
        return bool(_LIST_ITEM.match(self.text))

    def span(self, start: int, end: int) -> tuple[int, int]:
        """Clause-relative offsets to article offsets."""
        return self.start + start, self.start + end


def is_dateline(text: str, start: int, end: int) -> bool:
    """ "BAGHDAD - ...", "BANGKOK: ...", "Beirut, March 3 (Reuters) -": the place that opens a line
    of `text` names where the reporter filed from, not where the incident happened."""
    if start != 0 and text[start - 1] != "\n":
        return False
    if text[start:end].isupper():
        return bool(_DATELINE_DASH.match(text, end))
    return bool(_AGENCY_DATELINE.match(text, end))


def _is_headline(text: str) -> bool:
    """A line with no closing punctuation and few words reads as a headline or a standfirst. A
    quotation mark closes a sentence only after its stop (a headline may end on 'regime
    “collaborator”'), and a kicker before a bar ("Security vacuum in X | Gunmen kill ...") is no
    part of the headline's length."""
    if re.search(r"[.!?][\"”’]?\s*$", text):
        return False
    return len(text.rsplit(" | ", 1)[-1].split()) <= 20


def split_clauses(
    text: str, published: date | None, *, published_precision: int = 1
) -> list[Clause]:
    """The article's clauses, annotated; `published_precision` 3 when only the month of
    publication is known (find_dates)."""
    dateline = find_dateline(text)
    clauses: list[Clause] = []
    seen_body = False
    last_day: date | None = None  # the day told last: what "a day earlier" counts from
    for line in _paragraphs(text):
        if dateline and line.start <= dateline[1] < line.end and len(line.text) < 60:
            continue  # "Sat 09 January 2021:" dates the page, not an incident
        headline = not seen_body and _is_headline(line.text)
        seen_body = seen_body or not headline
        for sentence in split_sentences(line.text, line.start):
            for start, end in _clause_spans(sentence.text):
                body = sentence.text[start:end]
                clause = _annotate(
                    Clause(
                        sentence.start + start, sentence.start + end, body, len(clauses), headline
                    ),
                    published,
                    last_day,
                    published_precision,
                )
                clauses.append(clause)
                days = [d.value for d in clause.dates if d.precision == 1 and d.value is not None]
                last_day = days[-1] if days else last_day
    return clauses


def _paragraphs(text: str) -> list[Line]:
    """Content lines, with hard-wrapped lines joined again: a line with no closing punctuation whose
    next line goes on in lower case is one paragraph ("... on the\nvillage of Kopa in Mopti")."""
    joined: list[Line] = []
    for line in content_lines(text):
        previous = joined[-1] if joined else None
        if (
            previous is not None
            and not re.search(r"[.!?:\"”’)]$", previous.text)
            and line.text[:1].islower()
            and not text[previous.end : line.start].count("\n") > 1
        ):
            joined[-1] = Line(previous.start, line.end, text[previous.start : line.end])
        else:
            joined.append(line)
    return joined


def _clause_spans(sentence: str) -> list[tuple[int, int]]:
    cuts = [0]
    for match in _CLAUSE_BREAK.finditer(sentence):
        left, right = sentence[cuts[-1] : match.start()], sentence[match.end() :]
        if _reports_something(left) and _reports_something(right):
            cuts.append(match.end())
    for match in _COMPARISON_BREAK.finditer(sentence):
        if match.end() > cuts[-1] and _reports_something(sentence[match.end() :]):
            cuts.append(match.end())
    cuts.sort()
    bounds = [*cuts, len(sentence)]
    return [(a, b) for a, b in pairwise(bounds) if sentence[a:b].strip()]


def _reports_something(text: str) -> bool:
    return bool(find_counts(text)) or bool(find_dates(text, None))


def _annotate(
    clause: Clause, published: date | None, anchor: date | None, published_precision: int
) -> Clause:
    text = clause.text
    clause.dates = find_dates(text, published, anchor, published_precision=published_precision)
    clause.counts = find_counts(text)
    clause.triggers = find_triggers(text)
    cues = temporal_cues()
    aggregate = next((m.group() for p in cues.aggregate if (m := p.search(text))), None)
    if aggregate is None and not any(d.precision == 1 for d in clause.dates):
        aggregate = next((m.group() for p in cues.plural_acts if (m := p.search(text))), None)
    clause.aggregate_cue = aggregate
    clause.habitual = any(p.search(text) for p in cues.habitual)
    clause.new_incident_cue = any(p.search(text) for p in cues.new_incident)
    clause.follow_up_cue = any(p.search(text) for p in cues.follow_up)
    clause.back_reference = any(p.search(text) for p in cues.back_reference)
    clause.claimed_toll = bool(clause.counts) and any(p.search(text) for p in cues.claimed_toll)
    clause.tally_continuation = any(p.search(text) for p in cues.tally_continuation)
    clause.other_account = bool(clause.counts) and any(p.search(text) for p in cues.other_account)
    return clause
