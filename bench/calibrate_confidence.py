"""Fit the confidence model (src/conflictlens/data/confidence.yaml) and report how well it is calibrated.

Data, read at run time: the development notes coded by people outside the project
(../shared/bench/acled_dev.jsonl and gtd_dev.jsonl; each note is one incident, coded with its date as
publication date, as in eval_dev.py) and the team corpus (corpus/sample with its gold.yaml).
`conflictlens.evaluate` matches each source's records to its gold; a matched record is right when the
evaluate.RELIABILITY_FIELDS its gold states are right, any other record is wrong.

Model: a logistic regression over extraction.confidence.features, fitted by Newton's method with a
Gaussian prior on each weight (the data decide the weights they inform; a flag nobody carries keeps
its prior penalty). Notes are far easier than news articles (one short incident each), so the notes
get their own intercept during the fit: they inform what the features are worth, the corpus informs
how often a record from a news article is right. The shipped intercept is the articles' one.

Held out: grouped k-fold (each corpus article and each note whole in one fold); every record's
out-of-fold confidence comes from a model fitted without its article. The table for the corpus is
the honest estimate; `conflictlens eval corpus/sample/gold.yaml` with the shipped model is in-sample.

    python bench/calibrate_confidence.py [--folds 5] [--dry-run]
"""

from __future__ import annotations

import argparse
import datetime as dt
import math
import random
from collections.abc import Callable, Iterable, Sequence
from dataclasses import dataclass
from functools import partial
from pathlib import Path

import numpy as np
import yaml
from rich.console import Console

from common import REPO, shared_dir
from conflictlens.evaluate import (
    ArticleResult,
    GoldArticle,
    GoldEvent,
    MatchedPair,
    Reliability,
    evaluate,
    gold_article_extractor,
    load_gold,
    record_is_right,
    reliability,
    render_reliability,
)
from conflictlens.extraction.confidence import (
    FEATURES,
    FLAG_FEATURE_PREFIX,
    ConfidenceModel,
    stored_confidence,
)
from conflictlens.extraction.confidence import features as record_features
from conflictlens.models import Event, EventKind
from eval_dev import acled_fatalities_judged, extract_note, gtd_fatalities_judged, read_rows

MODEL_PATH = REPO / "src" / "conflictlens" / "data" / "confidence.yaml"
CORPUS_GOLD = REPO / "corpus" / "sample" / "gold.yaml"
CORPUS = "corpus/sample"

# Prior means on the logit scale. A flag says the extractor could not establish something, so it
# starts as a penalty; published_from_dateline only says where the publication date came from.
UNCERTAINTY_FLAGS = (
    "date_unresolved",
    "no_publication_date",
    "date_from_publication",
    "place_not_found",
    "place_region_only",
    "place_from_article",
    "actor_suspected",
    "actor_unknown",
    "count_vague",
    "toll_shared",
    "country_from_actor",
)
PRIOR_MEAN = {f"{FLAG_FEATURE_PREFIX}{flag}": -0.5 for flag in UNCERTAINTY_FLAGS}
# A standard deviation of 1 on the logit scale: weak against a feature seen a hundred times.
PRIOR_PRECISION = 1.0
# A note's publication date is its gold date, so its date is right however it was found: these
# features are left out of the notes' records and learnt from the corpus alone.
NOT_LEARNABLE_FROM_NOTES = ("date_day", f"{FLAG_FEATURE_PREFIX}date_from_publication")


@dataclass
class Record:
    source: str  # acled_dev, gtd_dev or corpus/sample
    group: str  # the note or article it came from: records of one group share a fold
    kind: EventKind
    features: dict[str, float]
    right: bool
    shipped_confidence: float  # what the model in the repository gives it today

    @property
    def from_note(self) -> bool:
        return self.source != CORPUS


def _records(
    source: str, results: Iterable[ArticleResult], right: Callable[[str, MatchedPair], bool]
) -> list[Record]:
    """Matched records judged by `right(article, pair)`, unmatched ones wrong."""
    records: list[Record] = []
    for result in results:
        judged = [(pair.predicted, right(result.article, pair)) for pair in result.matched]
        judged += [(event, False) for event in result.spurious]
        for event, is_right in judged:
            values = record_features(event)
            if source != CORPUS:
                values = {k: v for k, v in values.items() if k not in NOT_LEARNABLE_FROM_NOTES}
            records.append(
                Record(source, result.article, event.kind, values, is_right, event.confidence)
            )
    return records


def corpus_records() -> list[Record]:
    gold = load_gold(CORPUS_GOLD)
    results = evaluate(gold, gold_article_extractor(CORPUS_GOLD.parent)).per_article
    return _records(CORPUS, results, lambda _article, pair: pair.right)


# ---------------------------------------------------------------------------------------------
# Records from the development notes


def _acled_gold(row: dict) -> GoldEvent:
    return _gold_event(
        row,
        event_type=row.get("event_type"),
        sub_event_type=row.get("sub_event_type"),
        actor2=row.get("actor2"),
        location=row.get("location"),
        fatalities=row.get("fatalities"),
    )


def _gtd_gold(row: dict) -> GoldEvent:
    return _gold_event(row, location=row.get("city"), fatalities=row.get("nkill"))


def _gold_event(row: dict, **fields: object) -> GoldEvent:
    values: dict = {
        "event_type": None,
        "sub_event_type": None,
        "actor2": None,
        "location": None,
        "fatalities": None,
    } | fields
    return GoldEvent(
        index=1,
        kind="incident",
        date=dt.date.fromisoformat(row["date"]),
        month_precision=False,
        tol=0,
        actor1=row.get("actor1") or row.get("gname"),
        admin1=row.get("admin1"),
        lat=row.get("latitude"),
        lon=row.get("longitude"),
        **values,
    )


@dataclass(frozen=True)
class DevSet:
    name: str
    file: str
    gold: Callable[[dict], GoldEvent]
    fatalities_judged: Callable[[dict], bool]


DEV_SETS = (
    DevSet("acled_dev", "acled_dev.jsonl", _acled_gold, acled_fatalities_judged),
    DevSet("gtd_dev", "gtd_dev.jsonl", _gtd_gold, gtd_fatalities_judged),
)


def _judged_right(fatalities_judged: dict[str, bool], note: str, pair: MatchedPair) -> bool:
    """A matched record is right on the reliability fields its note's gold states."""
    outcomes = {"date": pair.outcomes["date"]}
    if pair.gold.event_type is not None:
        outcomes["event_type"] = pair.outcomes["event_type"]
    if pair.gold.admin1 is not None:
        outcomes["admin1"] = pair.outcomes["admin1"]
    if fatalities_judged[note]:
        # A note that says nobody was killed is matched by a record with no toll (as eval_dev.py).
        outcomes["fatalities"] = (pair.predicted.fatalities or 0) == pair.gold.fatalities
    return record_is_right(outcomes)


def _note_extractor(rows: dict[str, dict]) -> Callable[[GoldArticle], list[Event]]:
    """Codes a note's text as eval_dev.py does: its date is the publication date."""

    def predict(article: GoldArticle) -> list[Event]:
        row = rows[article.article]
        return extract_note(
            row["id"], row.get("text_no_date_prefix") or row["text"], article.published
        )

    return predict


def dev_records(folder: Path) -> list[Record]:
    records: list[Record] = []
    for dev in DEV_SETS:
        rows = {row["id"]: row for row in read_rows(folder / dev.file, None)}
        gold = [
            GoldArticle(row_id, dt.date.fromisoformat(row["date"]), [dev.gold(row)])
            for row_id, row in rows.items()
        ]
        results = evaluate(gold, _note_extractor(rows)).per_article
        fatalities_judged = {row_id: dev.fatalities_judged(row) for row_id, row in rows.items()}
        records += _records(dev.name, results, partial(_judged_right, fatalities_judged))
    return records


# ---------------------------------------------------------------------------------------------
# Fitting


def feature_names(records: Sequence[Record]) -> list[str]:
    """The named features, then every flag the records carry or a prior names."""
    flags = {name for r in records for name in r.features if name.startswith(FLAG_FEATURE_PREFIX)}
    flags |= {name for name in PRIOR_MEAN if name.startswith(FLAG_FEATURE_PREFIX)}
    return [*FEATURES, *sorted(flags)]


@dataclass(frozen=True)
class Fit:
    model: ConfidenceModel  # with the news articles' intercept
    note_offset: float  # what the notes add to the intercept; not used at extraction time


def fit(records: Sequence[Record], names: Sequence[str]) -> Fit:
    """MAP logistic regression by Newton's method: the intercept and the notes' offset free, each
    weight drawn to its prior mean (the mean alone when no record carries the feature).

    A doubt never raises confidence: a flag whose fitted weight comes out positive (it travels
    with other features that already lower the odds) is held at 0 and the rest refitted."""
    x = np.array(
        [[1.0, float(r.from_note)] + [r.features.get(n, 0.0) for n in names] for r in records]
    )
    y = np.array([float(r.right) for r in records])
    prior = np.array([0.0, 0.0] + [PRIOR_MEAN.get(n, 0.0) for n in names])
    precision = np.array([0.0, 0.0] + [PRIOR_PRECISION] * len(names))
    doubts = [2 + i for i, n in enumerate(names) if n in PRIOR_MEAN]
    while True:
        weights = _newton(x, y, prior, precision)
        raising = [i for i in doubts if weights[i] > 0]
        if not raising:
            break
        x[:, raising], prior[raising] = 0.0, 0.0
    model = ConfidenceModel(
        float(weights[0]), {n: float(w) for n, w in zip(names, weights[2:], strict=True)}
    )
    return Fit(model, float(weights[1]))


def _newton(x: np.ndarray, y: np.ndarray, prior: np.ndarray, precision: np.ndarray) -> np.ndarray:
    weights = prior.copy()
    for _ in range(100):
        p = 1.0 / (1.0 + np.exp(-(x @ weights)))
        gradient = x.T @ (p - y) + precision * (weights - prior)
        hessian = (x * (p * (1 - p))[:, None]).T @ x + np.diag(precision)
        step = np.linalg.solve(hessian, gradient)
        weights -= step
        if np.max(np.abs(step)) < 1e-9:
            return weights
    raise SystemExit("calibration: Newton's method did not converge in 100 steps")


def out_of_fold(records: Sequence[Record], names: Sequence[str], folds: int) -> list[float]:
    """Each record's confidence from a model fitted on the folds without its note or article."""
    groups = sorted({(r.source, r.group) for r in records})
    random.Random(0).shuffle(groups)
    fold_of = {group: index % folds for index, group in enumerate(groups)}
    confidences = [0.0] * len(records)
    for fold in range(folds):
        training = [r for r in records if fold_of[(r.source, r.group)] != fold]
        result = fit(training, names)
        for index, record in enumerate(records):
            if fold_of[(record.source, record.group)] == fold:
                offset = result.note_offset if record.from_note else 0.0
                logit = result.model.logit(record.features) + offset
                confidences[index] = stored_confidence(1 / (1 + math.exp(-logit)))
    return confidences


def _incidents(records: Sequence[Record], confidences: Sequence[float], notes: bool) -> Reliability:
    return reliability(
        (confidence, r.right)
        for r, confidence in zip(records, confidences, strict=True)
        if r.kind == "incident" and r.from_note == notes
    )


# ---------------------------------------------------------------------------------------------
# Output


def model_yaml(result: Fit, records: Sequence[Record], corpus_held_out: Reliability) -> str:
    counts = {
        source: sum(r.source == source for r in records)
        for source in (*(dev.name for dev in DEV_SETS), CORPUS)
    }
    header = [
        "# Calibrated confidence: logit(P(record is right)) = intercept + sum(weight * feature).",
        "# Generated by bench/calibrate_confidence.py (which says how); re-run it, do not edit.",
        f"# Fitted on {dt.date.today().isoformat()} on the extractor's records for the notes of",
        f"# ../shared/bench/acled_dev.jsonl ({counts['acled_dev']} records) and gtd_dev.jsonl"
        f" ({counts['gtd_dev']}),",
        f"# and for the articles of {CORPUS} ({counts[CORPUS]} records, aggregates included).",
        "# Right: matches a gold event with date, event_type, admin1 and fatalities right.",
        f"# The notes' own intercept offset, {result.note_offset:+.3f}, is not used at extraction.",
        f"# Held out ({CORPUS} incidents, grouped k-fold): ECE {corpus_held_out.ece:.3f},"
        f" Brier {corpus_held_out.brier:.3f}.",
    ]
    body = {
        "intercept": round(result.model.intercept, 4),
        "weights": {name: round(w, 4) for name, w in result.model.weights.items()},
    }
    return "\n".join(header) + "\n" + yaml.safe_dump(body, sort_keys=False)


def main() -> None:
    cli = argparse.ArgumentParser(description=__doc__)
    cli.add_argument("--folds", type=int, default=5)
    cli.add_argument("--dry-run", action="store_true", help="Report only; leave the model file.")
    args = cli.parse_args()
    shared = shared_dir()
    if shared is None:
        raise SystemExit("../shared/bench is not here: nothing to fit on")
    records = dev_records(shared / "bench") + corpus_records()
    names = feature_names(records)
    console = Console()
    shipped = [r.shipped_confidence for r in records]
    held_out = out_of_fold(records, names, args.folds)
    for label, notes in ((CORPUS, False), ("development notes", True)):
        render_reliability(
            _incidents(records, shipped, notes), console, title=f"{label}: model shipped now"
        )
        render_reliability(
            _incidents(records, held_out, notes),
            console,
            title=f"{label}: new fit, {args.folds}-fold out of fold",
        )
    result = fit(records, names)
    for name, weight in sorted(result.model.weights.items(), key=lambda item: item[1]):
        console.print(f"  {name:32s} {weight:+.3f}")
    console.print(f"  {'(intercept, news articles)':32s} {result.model.intercept:+.3f}")
    console.print(f"  {'(offset, development notes)':32s} {result.note_offset:+.3f}")
    if args.dry_run:
        return
    corpus_held_out = _incidents(records, held_out, notes=False)
    MODEL_PATH.write_text(model_yaml(result, records, corpus_held_out), encoding="utf-8")
    console.print(f"wrote {MODEL_PATH.relative_to(REPO)}")


if __name__ == "__main__":
    main()
