"""Score an extractor against gold annotations (format: docs/gold-format.md).

Events are matched per article, one-to-one: a prediction matches a gold event of the same kind when
the dates agree (within `tol` days, or the same month for month-precision gold, or both unknown) and
the places agree (same admin1, or within 50 km, or both unknown). Event precision and recall are over
incidents; aggregates are scored apart. Field accuracies are over matched incident pairs.

Confidence is scored by a reliability table over the predicted incidents: a record is right when it
matches a gold incident and its core fields (RELIABILITY_FIELDS) are right; unmatched records are wrong.
"""

from __future__ import annotations

import datetime as dt
import math
import re
from collections.abc import Callable, Iterable
from dataclasses import dataclass, field
from pathlib import Path
from typing import TypeGuard

import yaml
from rich.console import Console
from rich.markup import escape
from rich.table import Table

from conflictlens.extraction.actors import canonical_actor
from conflictlens.geo import distance_km
from conflictlens.geo import same_admin1 as geo_same_admin1
from conflictlens.models import Event, EventKind

PLACE_MATCH_KM = 50.0
COORDINATES_CORRECT_KM = 25.0

ARTICLE_KEYS = ("article", "published", "events")
REQUIRED_EVENT_KEYS = (
    "kind",
    "date",
    "tol",
    "event_type",
    "sub_event_type",
    "actor1",
    "actor2",
    "admin1",
    "location",
    "lat",
    "lon",
    "fatalities",
)
OPTIONAL_EVENT_KEYS = ("wounded", "fatalities_by_side", "claimed_by", "source")

# Report order. The last five are scored only on pairs where they can be judged (see _field_outcomes).
FIELD_NAMES = (
    "date",
    "event_type",
    "sub_event_type",
    "actor1",
    "actor2",
    "admin1",
    "fatalities",
    "coordinates",
    "wounded",
    "fatalities_by_side",
    "claimed_by",
    "source",
)

# What makes one extracted record "right" for the confidence it claims: it matches a gold incident and
# has the fields an ACLED user filters and counts by right — the day (or month for month-precision
# gold), the event type, the admin1 and the fatalities as the gold codes them (null: no number was
# reported, so a guessed number is wrong too). Only the fields a gold row judges count; a record that
# matches no gold incident is wrong. Actors are left out: gold and extractor name them in different
# vocabularies often enough that they would measure the dictionary, not the record.
RELIABILITY_FIELDS = ("date", "event_type", "admin1", "fatalities")
RELIABILITY_BIN_COUNT = 5

# What a prediction's summary keeps in --json output: enough to debug a match, not the evidence.
PREDICTION_SUMMARY_KEYS = {
    "event_id",
    "kind",
    "event_date",
    "time_precision",
    "event_type",
    "sub_event_type",
    "actor1",
    "actor2",
    "admin1",
    "location",
    "latitude",
    "longitude",
    "fatalities",
    "wounded",
    "claimed_by",
    "sources",
}

NameComparator = Callable[[str, str], bool]
DistanceKm = Callable[[float, float, float, float], float]


class GoldFormatError(ValueError):
    """A gold file that does not follow the format; the message names the article and the key."""


@dataclass
class GoldEvent:
    index: int  # 1-based position among its article's events, to name it in errors and reports
    kind: EventKind
    date: dt.date | None  # for month precision, the first of the month
    month_precision: bool
    tol: int
    event_type: str | None
    sub_event_type: str | None
    actor1: str | None
    actor2: str | None
    admin1: str | None
    location: str | None
    lat: float | None
    lon: float | None
    fatalities: int | None
    wounded: int | None = None
    fatalities_by_side: dict[str, int] = field(default_factory=dict)
    claimed_by: str | None = None
    sources: tuple[str, ...] = ()  # `source` in the file: one name or a list of names

    @property
    def date_text(self) -> str | None:
        if self.date is None:
            return None
        return self.date.strftime("%Y-%m") if self.month_precision else self.date.isoformat()

    def to_dict(self) -> dict:
        """The event in the gold file's own format."""
        return {
            "index": self.index,
            "kind": self.kind,
            "date": self.date_text,
            "tol": self.tol,
            "event_type": self.event_type,
            "sub_event_type": self.sub_event_type,
            "actor1": self.actor1,
            "actor2": self.actor2,
            "admin1": self.admin1,
            "location": self.location,
            "lat": self.lat,
            "lon": self.lon,
            "fatalities": self.fatalities,
            "wounded": self.wounded,
            "fatalities_by_side": dict(self.fatalities_by_side),
            "claimed_by": self.claimed_by,
            "source": list(self.sources),
        }


@dataclass
class GoldArticle:
    article: str
    published: dt.date | None
    events: list[GoldEvent]


# ---------------------------------------------------------------------------------------------
# Reading gold files


class _GoldLoader(yaml.SafeLoader):
    """Leaves dates as text, so a bad date is reported with its article instead of crashing YAML."""


_GoldLoader.yaml_implicit_resolvers = {
    first: [(tag, regexp) for tag, regexp in resolvers if tag != "tag:yaml.org,2002:timestamp"]
    for first, resolvers in yaml.SafeLoader.yaml_implicit_resolvers.items()
}

_DAY_RE = re.compile(r"\d{4}-\d{2}-\d{2}")
_MONTH_RE = re.compile(r"\d{4}-\d{2}")


def load_gold(path: Path) -> list[GoldArticle]:
    """Read and check a gold file; raises GoldFormatError naming the article, event and key."""
    try:
        data = yaml.load(path.read_text(encoding="utf-8"), Loader=_GoldLoader)
    except yaml.YAMLError as error:
        raise GoldFormatError(f"{path}: not valid YAML: {error}") from error
    if not isinstance(data, list):
        raise GoldFormatError(f"{path}: expected a list of articles, got {type(data).__name__}")
    articles: list[GoldArticle] = []
    seen: set[str] = set()
    for position, raw in enumerate(data, start=1):
        article = _parse_article(raw, path, position)
        if article.article in seen:
            raise GoldFormatError(f"{path}: article {article.article!r} appears twice")
        seen.add(article.article)
        articles.append(article)
    return articles


def _parse_article(raw: object, path: Path, position: int) -> GoldArticle:
    if not isinstance(raw, dict):
        raise GoldFormatError(
            f"{path}: article #{position}: expected a mapping with keys {', '.join(ARTICLE_KEYS)}"
        )
    name = raw.get("article")
    if not isinstance(name, str) or not name.strip():
        raise GoldFormatError(f"{path}: article #{position}: key 'article': expected a file name")
    name = name.strip()
    where = f"{path}: article {name!r}"
    _check_keys(raw, ARTICLE_KEYS, (), where)
    published, month_precision = _parse_date(raw["published"], where, "published")
    if month_precision:
        raise GoldFormatError(f"{where}: key 'published': expected YYYY-MM-DD or null")
    events = raw["events"]
    if events is None:
        events = []
    if not isinstance(events, list):
        raise GoldFormatError(f"{where}: key 'events': expected a list of events")
    return GoldArticle(
        article=name,
        published=published,
        events=[
            _parse_event(event, f"{where}, event #{index}", index)
            for index, event in enumerate(events, start=1)
        ],
    )


def _parse_event(raw: object, where: str, index: int) -> GoldEvent:
    if not isinstance(raw, dict):
        raise GoldFormatError(f"{where}: expected a mapping of event keys")
    _check_keys(raw, REQUIRED_EVENT_KEYS, OPTIONAL_EVENT_KEYS, where)
    kind = raw["kind"]
    if kind not in ("incident", "aggregate"):
        raise GoldFormatError(f"{where}: key 'kind': expected incident or aggregate, got {kind!r}")
    date, month_precision = _parse_date(raw["date"], where, "date")
    tol = raw["tol"]
    if tol is None:
        tol = 0
    if not _is_count(tol):
        raise GoldFormatError(f"{where}: key 'tol': expected a number of days (0 or more)")
    lat = _coordinate(raw["lat"], where, "lat", 90.0)
    lon = _coordinate(raw["lon"], where, "lon", 180.0)
    if (lat is None) != (lon is None):
        raise GoldFormatError(f"{where}: keys 'lat'/'lon': give both or neither")
    return GoldEvent(
        index=index,
        kind=kind,
        date=date,
        month_precision=month_precision,
        tol=tol,
        event_type=_text(raw["event_type"], where, "event_type"),
        sub_event_type=_text(raw["sub_event_type"], where, "sub_event_type"),
        actor1=_text(raw["actor1"], where, "actor1"),
        actor2=_text(raw["actor2"], where, "actor2"),
        admin1=_text(raw["admin1"], where, "admin1"),
        location=_text(raw["location"], where, "location"),
        lat=lat,
        lon=lon,
        fatalities=_count(raw["fatalities"], where, "fatalities"),
        wounded=_count(raw.get("wounded"), where, "wounded"),
        fatalities_by_side=_counts_by_side(raw.get("fatalities_by_side"), where),
        claimed_by=_text(raw.get("claimed_by"), where, "claimed_by"),
        sources=_source_names(raw.get("source"), where),
    )


def _check_keys(raw: dict, required: Iterable[str], optional: Iterable[str], where: str) -> None:
    missing = [key for key in required if key not in raw]
    if missing:
        raise GoldFormatError(f"{where}: missing key {', '.join(repr(k) for k in missing)}")
    allowed = set(required) | set(optional)
    # An unknown key is most often a misspelt optional one whose value would otherwise be ignored.
    unknown = [str(key) for key in raw if key not in allowed]
    if unknown:
        raise GoldFormatError(
            f"{where}: unknown key {', '.join(repr(k) for k in unknown)}"
            f" (allowed: {', '.join(sorted(allowed))})"
        )


def _parse_date(value: object, where: str, key: str) -> tuple[dt.date | None, bool]:
    """A gold date and whether it has month precision."""
    if value is None:
        return None, False
    text = value.strip() if isinstance(value, str) else ""
    try:
        if _DAY_RE.fullmatch(text):
            return dt.date.fromisoformat(text), False
        if _MONTH_RE.fullmatch(text):
            return dt.date.fromisoformat(f"{text}-01"), True
    except ValueError:
        pass
    raise GoldFormatError(
        f"{where}: key {key!r}: bad date {value!r} (expected YYYY-MM-DD, YYYY-MM or null)"
    )


def _is_count(value: object) -> TypeGuard[int]:
    return isinstance(value, int) and not isinstance(value, bool) and value >= 0


def _count(value: object, where: str, key: str) -> int | None:
    if value is None:
        return None
    if _is_count(value):
        return value
    raise GoldFormatError(
        f"{where}: key {key!r}: expected a whole number (0 or more) or null, got {value!r}"
    )


def _coordinate(value: object, where: str, key: str, limit: float) -> float | None:
    if value is None:
        return None
    if isinstance(value, int | float) and not isinstance(value, bool) and abs(value) <= limit:
        return float(value)
    raise GoldFormatError(
        f"{where}: key {key!r}: expected degrees within ±{limit:g} or null, got {value!r}"
    )


def _text(value: object, where: str, key: str) -> str | None:
    if value is None:
        return None
    if isinstance(value, str) and value.strip():
        return value.strip()
    raise GoldFormatError(f"{where}: key {key!r}: expected a name or null, got {value!r}")


def _counts_by_side(value: object, where: str) -> dict[str, int]:
    if value is None:
        return {}
    if isinstance(value, dict) and all(
        isinstance(k, str) and _is_count(v) for k, v in value.items()
    ):
        return dict(value)
    raise GoldFormatError(f"{where}: key 'fatalities_by_side': expected a mapping of side to count")


def _source_names(value: object, where: str) -> tuple[str, ...]:
    if value is None:
        return ()
    names = value if isinstance(value, list) else [value]
    if all(isinstance(name, str) and name.strip() for name in names):
        return tuple(name.strip() for name in names)
    raise GoldFormatError(f"{where}: key 'source': expected a source name, a list of them, or null")


# ---------------------------------------------------------------------------------------------
# Report


@dataclass
class FieldScore:
    correct: int
    total: int
    accuracy: float | None  # None when no matched pair could be judged on this field

    @classmethod
    def from_counts(cls, correct: int, total: int) -> FieldScore:
        return cls(correct, total, correct / total if total else None)


@dataclass
class DetectionScore:
    tp: int
    fp: int
    fn: int
    precision: float
    recall: float
    f1: float

    @classmethod
    def from_counts(cls, tp: int, fp: int, fn: int) -> DetectionScore:
        # Nothing to find and nothing found is a perfect score; any other empty ratio scores 0.
        vacuous = 1.0 if tp == fp == fn == 0 else 0.0
        precision = tp / (tp + fp) if tp + fp else vacuous
        recall = tp / (tp + fn) if tp + fn else vacuous
        f1 = 2 * precision * recall / (precision + recall) if precision + recall else 0.0
        return cls(tp, fp, fn, precision, recall, f1)

    def to_dict(self) -> dict:
        return {
            "precision": self.precision,
            "recall": self.recall,
            "f1": self.f1,
            "tp": self.tp,
            "fp": self.fp,
            "fn": self.fn,
        }


@dataclass
class MatchedPair:
    gold: GoldEvent
    predicted: Event
    outcomes: dict[str, bool]  # the fields this pair could be judged on: right or wrong

    @property
    def disagreements(self) -> list[str]:
        return [name for name, correct in self.outcomes.items() if not correct]

    @property
    def right(self) -> bool:
        return record_is_right(self.outcomes)


@dataclass
class ArticleResult:
    article: str
    matched: list[MatchedPair]  # incidents and aggregates
    missed: list[GoldEvent]  # false negatives
    spurious: list[Event]  # false positives

    def to_dict(self) -> dict:
        return {
            "article": self.article,
            "matched": [
                {
                    "gold": pair.gold.to_dict(),
                    "predicted": _prediction_summary(pair.predicted),
                    "disagreements": pair.disagreements,
                }
                for pair in self.matched
            ],
            "missed": [event.to_dict() for event in self.missed],
            "spurious": [_prediction_summary(event) for event in self.spurious],
        }


@dataclass
class EvalReport:
    precision: float
    recall: float
    f1: float
    tp: int
    fp: int
    fn: int
    fields: dict[str, FieldScore]
    aggregates: DetectionScore
    per_article: list[ArticleResult]
    coordinates_missing: int  # matched incident predictions that have no coordinates

    @property
    def incidents(self) -> DetectionScore:
        return DetectionScore(self.tp, self.fp, self.fn, self.precision, self.recall, self.f1)

    @property
    def reliability(self) -> Reliability:
        """How well the predicted incidents' confidence says how often they are right."""
        return reliability(judged_records(self.per_article))

    def to_dict(self) -> dict:
        return {
            **self.incidents.to_dict(),
            "reliability": self.reliability.to_dict(),
            "fields": {
                name: {"correct": s.correct, "total": s.total, "accuracy": s.accuracy}
                for name, s in self.fields.items()
            },
            "coordinates_missing": self.coordinates_missing,
            "aggregates": self.aggregates.to_dict(),
            "per_article": [result.to_dict() for result in self.per_article],
        }


def _prediction_summary(event: Event) -> dict:
    return event.model_dump(mode="json", include=PREDICTION_SUMMARY_KEYS)


# ---------------------------------------------------------------------------------------------
# Reliability of confidence


def record_is_right(outcomes: dict[str, bool]) -> bool:
    """Whether a matched record is right: every RELIABILITY_FIELDS field the pair was judged on is."""
    return all(outcomes.get(name, True) for name in RELIABILITY_FIELDS)


def judged_records(
    per_article: list[ArticleResult], kind: EventKind = "incident"
) -> list[tuple[float, bool]]:
    """(confidence, right) for every predicted record of one kind: matched ones by their fields,
    unmatched ones (false positives) as wrong. Missed gold events have no confidence to judge."""
    records = [
        (pair.predicted.confidence, pair.right)
        for result in per_article
        for pair in result.matched
        if pair.predicted.kind == kind
    ]
    records += [
        (event.confidence, False)
        for result in per_article
        for event in result.spurious
        if event.kind == kind
    ]
    return records


@dataclass
class ReliabilityBin:
    low: float
    high: float
    count: int
    mean_confidence: float | None  # None for an empty bin
    fraction_right: float | None

    def to_dict(self) -> dict:
        return {
            "low": self.low,
            "high": self.high,
            "count": self.count,
            "mean_confidence": self.mean_confidence,
            "fraction_right": self.fraction_right,
        }


@dataclass
class Reliability:
    bins: list[ReliabilityBin]
    count: int
    fraction_right: float | None
    ece: float | None  # expected calibration error: bin-weighted |mean confidence - fraction right|
    brier: float | None  # mean squared difference between confidence and rightness (0 or 1)

    def to_dict(self) -> dict:
        return {
            "count": self.count,
            "fraction_right": self.fraction_right,
            "ece": self.ece,
            "brier": self.brier,
            "bins": [b.to_dict() for b in self.bins],
        }


def reliability(
    records: Iterable[tuple[float, bool]], bin_count: int = RELIABILITY_BIN_COUNT
) -> Reliability:
    """Equal-width confidence bins over [0, 1] (the last one closed), each with its count, mean
    confidence and fraction right; ECE and Brier score over all records (None when there are none)."""
    records = list(records)
    members: list[list[tuple[float, bool]]] = [[] for _ in range(bin_count)]
    for confidence, right in records:
        members[min(int(confidence * bin_count), bin_count - 1)].append((confidence, right))
    bins = [
        ReliabilityBin(
            low=index / bin_count,
            high=(index + 1) / bin_count,
            count=len(in_bin),
            mean_confidence=sum(c for c, _ in in_bin) / len(in_bin) if in_bin else None,
            fraction_right=sum(r for _, r in in_bin) / len(in_bin) if in_bin else None,
        )
        for index, in_bin in enumerate(members)
    ]
    if not records:
        return Reliability(bins, 0, None, None, None)
    total = len(records)
    ece = sum(
        b.count / total * abs(b.mean_confidence - b.fraction_right)
        for b in bins
        if b.mean_confidence is not None and b.fraction_right is not None
    )
    brier = sum((c - r) ** 2 for c, r in records) / total
    return Reliability(bins, total, sum(r for _, r in records) / total, ece, brier)


# ---------------------------------------------------------------------------------------------
# Comparators


@dataclass
class _Comparators:
    same_actor: NameComparator
    same_admin1: NameComparator
    distance_km: DistanceKm


def _same_actor(a: str, b: str) -> bool:
    """Names compare through the actor dictionary; an unlisted name stays itself."""
    return (canonical_actor(a) or a).casefold() == (canonical_actor(b) or b).casefold()


# ---------------------------------------------------------------------------------------------
# Matching


def _dates_agree(gold: GoldEvent, predicted: dt.date | None) -> bool:
    if gold.date is None or predicted is None:
        return gold.date is None and predicted is None
    if gold.month_precision:
        return (predicted.year, predicted.month) == (gold.date.year, gold.date.month)
    return abs((predicted - gold.date).days) <= gold.tol


def _date_correct(gold: GoldEvent, predicted: dt.date | None) -> bool:
    """Exact day, or the right month for month-precision gold (tol does not apply here)."""
    if gold.date is not None and not gold.month_precision:
        return predicted == gold.date
    return _dates_agree(gold, predicted)


def _gold_distance(gold: GoldEvent, event: Event, comparators: _Comparators) -> float | None:
    if gold.lat is None or gold.lon is None or event.latitude is None or event.longitude is None:
        return None
    return comparators.distance_km(gold.lat, gold.lon, event.latitude, event.longitude)


def _places_agree(gold: GoldEvent, event: Event, comparators: _Comparators) -> bool:
    if gold.admin1 and event.admin1 and comparators.same_admin1(gold.admin1, event.admin1):
        return True
    distance = _gold_distance(gold, event, comparators)
    if distance is not None:
        return distance <= PLACE_MATCH_KM
    gold_has_place = gold.admin1 is not None or gold.lat is not None
    predicted_has_place = event.admin1 is not None or event.latitude is not None
    return not gold_has_place and not predicted_has_place


def _same_or_both_missing(gold: str | None, predicted: str | None, same: NameComparator) -> bool:
    if gold is None or predicted is None:
        return gold is None and predicted is None
    return same(gold, predicted)


def _same_label(a: str, b: str) -> bool:
    return a.strip().casefold() == b.strip().casefold()


def _nonzero_sides(counts: dict[str, int]) -> dict[str, int]:
    # A side left out and a side given as 0 both say "nobody of that side was reported killed".
    return {side: count for side, count in counts.items() if count}


def _field_outcomes(gold: GoldEvent, event: Event, comparators: _Comparators) -> dict[str, bool]:
    """Whether each field judgeable on this pair is right; optional gold fields only when given."""
    outcomes = {
        "date": _date_correct(gold, event.event_date),
        "event_type": _same_or_both_missing(gold.event_type, event.event_type, _same_label),
        "sub_event_type": _same_or_both_missing(
            gold.sub_event_type, event.sub_event_type, _same_label
        ),
        "actor1": _same_or_both_missing(gold.actor1, event.actor1, comparators.same_actor),
        "actor2": _same_or_both_missing(gold.actor2, event.actor2, comparators.same_actor),
        "admin1": _same_or_both_missing(gold.admin1, event.admin1, comparators.same_admin1),
        "fatalities": gold.fatalities == event.fatalities,
    }
    distance = _gold_distance(gold, event, comparators)
    if distance is not None:
        outcomes["coordinates"] = distance <= COORDINATES_CORRECT_KM
    if gold.wounded is not None:
        outcomes["wounded"] = gold.wounded == event.wounded
    if gold.fatalities_by_side:
        outcomes["fatalities_by_side"] = _nonzero_sides(gold.fatalities_by_side) == _nonzero_sides(
            event.fatalities_by_side
        )
    if gold.claimed_by is not None:
        outcomes["claimed_by"] = _same_or_both_missing(
            gold.claimed_by, event.claimed_by, comparators.same_actor
        )
    if gold.sources:
        outcomes["source"] = all(
            any(_same_label(name, cited) for cited in event.sources) for name in gold.sources
        )
    return outcomes


def best_assignment(scores: list[list[int | None]]) -> list[tuple[int, int]]:
    """One-to-one (row, column) pairs: as many as possible, then the highest total score.

    `scores[r][c]` is None where row r and column c may not be paired, else a score >= 0.
    An exact optimum rather than a greedy one: greedy by score can pair a gold event with its best
    candidate and leave another gold event, whose only candidate that was, unmatched. Solved as a
    Hungarian assignment (O(n²m), trivial at article scale) whose weights put one more pair above
    any gain in score: each allowed pair is worth `bonus + score`, bonus exceeding any score total.
    """
    if not scores or not scores[0]:
        return []
    transposed = len(scores) > len(scores[0])
    if transposed:
        scores = [list(column) for column in zip(*scores, strict=True)]
    bonus = 1 + len(scores) * max((s for row in scores for s in row if s is not None), default=0)
    costs = [[0 if s is None else -(bonus + s) for s in row] for row in scores]
    pairs = [
        (row, column)
        for row, column in enumerate(_min_cost_assignment(costs))
        if scores[row][column] is not None
    ]
    return [(c, r) for r, c in pairs] if transposed else pairs


def _min_cost_assignment(costs: list[list[int]]) -> list[int]:
    """Column for each row (rows <= columns) minimising the total: Hungarian with potentials."""
    n, m = len(costs), len(costs[0])
    row_potential = [0] * (n + 1)
    column_potential = [0] * (m + 1)
    row_of_column = [0] * (m + 1)  # 1-based row assigned to each column; 0 is the virtual start
    previous_column = [0] * (m + 1)
    for row in range(1, n + 1):
        row_of_column[0] = row
        column = 0
        slack = [math.inf] * (m + 1)
        visited = [False] * (m + 1)
        while row_of_column[column]:
            visited[column] = True
            current_row = row_of_column[column]
            delta, next_column = math.inf, 0
            for j in range(1, m + 1):
                if visited[j]:
                    continue
                reduced = (
                    costs[current_row - 1][j - 1] - row_potential[current_row] - column_potential[j]
                )
                if reduced < slack[j]:
                    slack[j], previous_column[j] = reduced, column
                if slack[j] < delta:
                    delta, next_column = slack[j], j
            for j in range(m + 1):
                if visited[j]:
                    row_potential[row_of_column[j]] += delta
                    column_potential[j] -= delta
                else:
                    slack[j] -= delta
            column = next_column
        while column:
            column_before = previous_column[column]
            row_of_column[column] = row_of_column[column_before]
            column = column_before
    assignment = [0] * n
    for j in range(1, m + 1):
        if row_of_column[j]:
            assignment[row_of_column[j] - 1] = j - 1
    return assignment


def _match_kind(
    gold_events: list[GoldEvent], predicted: list[Event], comparators: _Comparators
) -> tuple[list[MatchedPair], list[GoldEvent], list[Event]]:
    outcomes: list[list[dict[str, bool] | None]] = [
        [
            _field_outcomes(gold, event, comparators)
            if _dates_agree(gold, event.event_date) and _places_agree(gold, event, comparators)
            else None
            for event in predicted
        ]
        for gold in gold_events
    ]
    scores = [[None if o is None else sum(o.values()) for o in row] for row in outcomes]
    pairs = best_assignment(scores)
    matched = [
        MatchedPair(gold_events[g], predicted[p], outcomes[g][p] or {}) for g, p in sorted(pairs)
    ]
    matched_gold = {g for g, _ in pairs}
    matched_predicted = {p for _, p in pairs}
    missed = [gold for g, gold in enumerate(gold_events) if g not in matched_gold]
    spurious = [event for p, event in enumerate(predicted) if p not in matched_predicted]
    return matched, missed, spurious


def gold_article_extractor(folder: Path) -> Callable[[GoldArticle], list[Event]]:
    """A `predict` for `evaluate`: reads each gold article's file from `folder` and extracts its
    events with the gold publication date."""
    from conflictlens.extraction import extract_article
    from conflictlens.ingest import ReadFailure, read_sources

    def predict(item: GoldArticle) -> list[Event]:
        article = next(iter(read_sources([folder / item.article])))
        if isinstance(article, ReadFailure):
            raise ValueError(str(article))
        article.published = item.published
        return extract_article(article)

    return predict


def evaluate(
    gold: list[GoldArticle],
    predict: Callable[[GoldArticle], list[Event]],
    *,
    same_actor: NameComparator | None = None,
    same_admin1: NameComparator | None = None,
) -> EvalReport:
    """Run `predict` on every gold article and score its events against the gold ones."""
    comparators = _Comparators(
        same_actor=same_actor or _same_actor,
        same_admin1=same_admin1 or geo_same_admin1,
        distance_km=distance_km,
    )
    per_article: list[ArticleResult] = []
    for article in gold:
        try:
            predicted = predict(article)
        except Exception as error:
            error.add_note(f"while predicting the events of gold article {article.article!r}")
            raise
        matched: list[MatchedPair] = []
        missed: list[GoldEvent] = []
        spurious: list[Event] = []
        # An aggregate predicted as an incident cannot match: it is an incident false positive.
        for kind in ("incident", "aggregate"):
            kind_matched, kind_missed, kind_spurious = _match_kind(
                [event for event in article.events if event.kind == kind],
                [event for event in predicted if event.kind == kind],
                comparators,
            )
            matched += kind_matched
            missed += kind_missed
            spurious += kind_spurious
        per_article.append(ArticleResult(article.article, matched, missed, spurious))
    return _report(per_article)


def _report(per_article: list[ArticleResult]) -> EvalReport:
    def count(kind: str) -> DetectionScore:
        return DetectionScore.from_counts(
            tp=sum(p.gold.kind == kind for r in per_article for p in r.matched),
            fp=sum(e.kind == kind for r in per_article for e in r.spurious),
            fn=sum(g.kind == kind for r in per_article for g in r.missed),
        )

    incident_pairs = [p for r in per_article for p in r.matched if p.gold.kind == "incident"]
    fields = {
        name: FieldScore.from_counts(
            correct=sum(p.outcomes.get(name, False) for p in incident_pairs),
            total=sum(name in p.outcomes for p in incident_pairs),
        )
        for name in FIELD_NAMES
    }
    incidents = count("incident")
    return EvalReport(
        precision=incidents.precision,
        recall=incidents.recall,
        f1=incidents.f1,
        tp=incidents.tp,
        fp=incidents.fp,
        fn=incidents.fn,
        fields=fields,
        aggregates=count("aggregate"),
        per_article=per_article,
        coordinates_missing=sum(
            p.predicted.latitude is None or p.predicted.longitude is None for p in incident_pairs
        ),
    )


# ---------------------------------------------------------------------------------------------
# Rendering


def render_report(report: EvalReport, console: Console, *, verbose: bool = False) -> None:
    """P/R/F1 lines, a table of field accuracies; verbose adds what went wrong per article."""
    console.print(_detection_line("Incidents", report.incidents))
    console.print(_detection_line("Aggregates", report.aggregates))
    table = Table(title="Field accuracy over matched incidents")
    table.add_column("Field")
    table.add_column("Accuracy", justify="right")
    table.add_column("Correct / total", justify="right")
    for name, score in report.fields.items():
        accuracy = "–" if score.accuracy is None else f"{score.accuracy:.3f}"
        table.add_row(name, accuracy, f"{score.correct} / {score.total}")
    console.print(table)
    if report.coordinates_missing:
        console.print(
            f"{report.coordinates_missing} matched incident prediction(s) have no coordinates"
        )
    render_reliability(report.reliability, console)
    if verbose:
        for result in report.per_article:
            _render_article(result, console)


def render_reliability(
    table_data: Reliability, console: Console, *, title: str = "Confidence of predicted incidents"
) -> None:
    """The reliability table, then ECE and Brier; a record is right as RELIABILITY_FIELDS says."""
    table = Table(title=title)
    for column in ("Confidence", "Records", "Mean confidence", "Fraction right"):
        table.add_column(column, justify="right")
    for b in table_data.bins:
        table.add_row(
            f"{b.low:.1f}–{b.high:.1f}",
            str(b.count),
            "–" if b.mean_confidence is None else f"{b.mean_confidence:.3f}",
            "–" if b.fraction_right is None else f"{b.fraction_right:.3f}",
        )
    console.print(table)
    if table_data.ece is None or table_data.brier is None or table_data.fraction_right is None:
        console.print("No predicted incidents: nothing to calibrate")
        return
    console.print(
        f"[bold]Calibration[/bold]  ECE {table_data.ece:.3f}  Brier {table_data.brier:.3f}"
        f"  ({table_data.count} records, {table_data.fraction_right:.3f} right:"
        f" matched with {', '.join(RELIABILITY_FIELDS)} right)"
    )


def _detection_line(label: str, score: DetectionScore) -> str:
    return (
        f"[bold]{label}[/bold]  P {score.precision:.3f}  R {score.recall:.3f}  F1 {score.f1:.3f}"
        f"  (tp {score.tp}, fp {score.fp}, fn {score.fn})"
    )


def _render_article(result: ArticleResult, console: Console) -> None:
    wrong_pairs = [pair for pair in result.matched if pair.disagreements]
    if not (result.missed or result.spurious or wrong_pairs):
        return
    console.print(f"\n[bold]{escape(result.article)}[/bold]")
    for gold in result.missed:
        console.print(f"  [red]missed[/red]   {escape(_describe_gold(gold))}")
    for event in result.spurious:
        console.print(f"  [yellow]spurious[/yellow] {escape(_describe_prediction(event))}")
    for pair in wrong_pairs:
        console.print(
            f"  [cyan]matched[/cyan]  {escape(_describe_gold(pair.gold))}"
            f"\n           got {escape(_describe_prediction(pair.predicted))}"
            f"\n           wrong: {', '.join(pair.disagreements)}"
        )


def _describe(record: GoldEvent | Event, date_text: str | None) -> str:
    fatalities = "?" if record.fatalities is None else record.fatalities
    return (
        f"{record.kind} {date_text or 'no date'}"
        f" {record.event_type or '?'} > {record.sub_event_type or '?'}:"
        f" {record.actor1 or '?'} vs {record.actor2 or '?'}"
        f" at {record.location or '?'} ({record.admin1 or '?'}), fatalities {fatalities}"
    )


def _describe_gold(gold: GoldEvent) -> str:
    return f"#{gold.index} {_describe(gold, gold.date_text)}"


def _describe_prediction(event: Event) -> str:
    return _describe(event, event.event_date.isoformat() if event.event_date else None)
