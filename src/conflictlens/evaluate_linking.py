"""Score cross-report linking against a gold file of clusters: pairwise precision and recall.

The gold file (`kind: linking`) lists clusters of article files that report the same incident; a
cluster of one is an incident nobody else reported. The folder is ingested into a scratch database
in a fixed shuffled order, and two articles count as linked when one event holds mentions of both
(a near-duplicate copy counts as its original). Every pair of articles in the folder is then a true
or false positive or negative.
"""

from __future__ import annotations

import random
import tempfile
from dataclasses import dataclass, field
from itertools import combinations
from pathlib import Path

import yaml

from conflictlens.evaluate import GoldFormatError
from conflictlens.ingest import ReadFailure, read_sources
from conflictlens.pipeline import Ingestion
from conflictlens.store import Store, schema


@dataclass(frozen=True)
class LinkingGold:
    clusters: list[list[str]]

    @property
    def articles(self) -> list[str]:
        return [name for cluster in self.clusters for name in cluster]


@dataclass
class LinkingReport:
    true_positives: int
    false_positives: int
    false_negatives: int
    wrongly_linked: list[tuple[str, str]] = field(default_factory=list)
    missed: list[tuple[str, str]] = field(default_factory=list)

    @property
    def precision(self) -> float:
        found = self.true_positives + self.false_positives
        return self.true_positives / found if found else 1.0

    @property
    def recall(self) -> float:
        gold = self.true_positives + self.false_negatives
        return self.true_positives / gold if gold else 1.0

    def to_dict(self) -> dict[str, object]:
        return {
            "pairwise_precision": round(self.precision, 3),
            "pairwise_recall": round(self.recall, 3),
            "true_positives": self.true_positives,
            "false_positives": self.false_positives,
            "false_negatives": self.false_negatives,
            "wrongly_linked": [list(p) for p in self.wrongly_linked],
            "missed": [list(p) for p in self.missed],
        }


def is_linking_gold(path: Path) -> bool:
    """Whether a gold file is a linking gold (a mapping with `kind: linking`)."""
    try:
        data = yaml.safe_load(path.read_text(encoding="utf-8"))
    except (OSError, yaml.YAMLError):
        return False
    return isinstance(data, dict) and data.get("kind") == "linking"


def load_linking_gold(path: Path) -> LinkingGold:
    data = yaml.safe_load(path.read_text(encoding="utf-8"))
    raw_clusters = data.get("clusters") if isinstance(data, dict) else None
    if not isinstance(raw_clusters, list) or not raw_clusters:
        raise GoldFormatError(f"{path}: a linking gold needs a non-empty `clusters` list")
    clusters: list[list[str]] = []
    seen: set[str] = set()
    for number, raw in enumerate(raw_clusters, start=1):
        names = raw.get("articles") if isinstance(raw, dict) else None
        if not isinstance(names, list) or not names or not all(isinstance(n, str) for n in names):
            raise GoldFormatError(f"{path}: cluster #{number} needs a list of article file names")
        for name in names:
            if name in seen:
                raise GoldFormatError(f"{path}: article {name!r} is in two clusters")
            seen.add(name)
        clusters.append(list(names))
    return LinkingGold(clusters)


def evaluate_linking(gold: LinkingGold, folder: Path, *, seed: int = 0) -> LinkingReport:
    with tempfile.TemporaryDirectory() as scratch, Store(Path(scratch) / "linking.db") as store:
        article_of_name = ingest_folder(store, folder, gold.articles, seed=seed)
        return score_links(gold, article_of_name, linked_pairs(store))


def ingest_folder(store: Store, folder: Path, names: list[str], *, seed: int = 0) -> dict[str, str]:
    """Ingest these files of `folder` in a fixed shuffled order; returns each file's article id."""
    names = list(names)
    random.Random(seed).shuffle(names)
    ingestion = Ingestion(store)
    article_of_name: dict[str, str] = {}
    for name in names:
        (item,) = read_sources([str(folder / name)])
        if isinstance(item, ReadFailure):
            raise GoldFormatError(f"{folder / name}: {item.reason}")
        ingestion.add(item)
        article_of_name[name] = item.id
    ingestion.finish()
    return article_of_name


def score_links(
    gold: LinkingGold, article_of_name: dict[str, str], linked: set[tuple[str, str]]
) -> LinkingReport:
    """Every pair of files is a true or false positive or negative of `linked` (article id pairs)."""
    system = {
        pair
        for pair in combinations(sorted(article_of_name), 2)
        if _key(article_of_name[pair[0]], article_of_name[pair[1]]) in linked
    }
    truth = {pair for cluster in gold.clusters for pair in combinations(sorted(cluster), 2)}
    return LinkingReport(
        true_positives=len(system & truth),
        false_positives=len(system - truth),
        false_negatives=len(truth - system),
        wrongly_linked=sorted(system - truth),
        missed=sorted(truth - system),
    )


def _key(a: str, b: str) -> tuple[str, str]:
    return (a, b) if a <= b else (b, a)


def linked_pairs(store: Store) -> set[tuple[str, str]]:
    """Pairs of stored article ids that share an event; copies stand in for their original."""
    groups = list(event_articles(store).values())
    groups += [{original, *copies} for original, copies in copies_of(store).items()]
    pairs: set[tuple[str, str]] = set()
    for group in groups:
        pairs.update(_key(a, b) for a, b in combinations(sorted(group), 2))
    return pairs


def event_articles(store: Store) -> dict[str, set[str]]:
    """The articles behind each stored event, with the copies of each."""
    from sqlalchemy import select

    with store.engine.connect() as conn:
        mentions = conn.execute(
            select(schema.mentions.c.event_id, schema.mentions.c.article_id)
        ).all()
    copies = copies_of(store)
    groups: dict[str, set[str]] = {}
    for event_id, article_id in mentions:
        groups.setdefault(event_id, set()).update({article_id, *copies.get(article_id, ())})
    return groups


def copies_of(store: Store) -> dict[str, set[str]]:
    """The stored copies of each original article (near-duplicates are coded only once)."""
    from sqlalchemy import select

    with store.engine.connect() as conn:
        rows = conn.execute(
            select(schema.articles.c.id, schema.articles.c.duplicate_of).where(
                schema.articles.c.duplicate_of.is_not(None)
            )
        ).all()
    found: dict[str, set[str]] = {}
    for copy_id, original in rows:
        found.setdefault(original, set()).add(copy_id)
    return found
