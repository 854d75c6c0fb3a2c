"""Recall and speed of the relevance gate on every development set.

Recall: of the articles that yield a record when extracted without the gate, the share the gate
keeps (it must be 1.00: the gate may cost time, never an incident). Sets: corpus/sample and
corpus/linking (the repository's own), and, read at run time from the shared data, the ACLED, GTD
and UCDP dev notes and the seed articles (skipped with a reason when absent). Speed: articles the
gate decides per CPU second, over every text of the sets.

    python bench/check_relevance.py [--json]
"""

from __future__ import annotations

import argparse
import json
import sys
import time
from collections.abc import Iterator
from datetime import date
from pathlib import Path

from common import REPO, shared_dir
from conflictlens.extraction import UnsupportedLanguageError, extract_article
from conflictlens.ingest import read_sources
from conflictlens.models import Article
from conflictlens.relevance import is_relevant


def _folder(path: Path) -> Iterator[Article]:
    for item in read_sources([str(path)]):
        if isinstance(item, Article):
            yield item


def _dev_notes(path: Path, date_field: str) -> Iterator[Article]:
    with path.open(encoding="utf-8") as fp:
        for line in fp:
            row = json.loads(line)
            published = row.get(date_field)
            yield Article(
                id=str(row["id"]),
                text=row["text"],
                published=date.fromisoformat(published[:10]) if published else None,
            )


def dev_sets() -> dict[str, list[Article]]:
    """Every set there is to check, by name; the shared ones only where the shared data is."""
    sets = {
        "corpus/sample": list(_folder(REPO / "corpus" / "sample")),
        "corpus/linking": list(_folder(REPO / "corpus" / "linking")),
    }
    shared = shared_dir()
    if shared is None:
        print("shared data not found (set CONFLICTLENS_SHARED): dev sets skipped", file=sys.stderr)
        return sets
    for name, date_field in (("acled", "date"), ("gtd", "date"), ("ucdp", "source_date")):
        path = shared / "bench" / f"{name}_dev.jsonl"
        if path.is_file():
            sets[f"{name}_dev"] = list(_dev_notes(path, date_field))
    if (shared / "seeds").is_dir():
        sets["seeds"] = list(_folder(shared / "seeds"))
    return sets


def _yields_records(article: Article) -> tuple[bool, bool]:
    """(yields any record, yields an incident) when extracted without the gate."""
    try:
        events = extract_article(article)
    except UnsupportedLanguageError:
        return False, False
    return bool(events), any(e.kind == "incident" for e in events)


def check(articles: list[Article]) -> dict[str, object]:
    kept = [is_relevant(a.text) for a in articles]
    with_records = with_incidents = kept_records = kept_incidents = 0
    lost: list[str] = []
    for article, keep in zip(articles, kept, strict=True):
        any_record, incident = _yields_records(article)
        with_records += any_record
        with_incidents += incident
        kept_records += any_record and keep
        kept_incidents += incident and keep
        if any_record and not keep:
            lost.append(article.id)
    return {
        "articles": len(articles),
        "kept": sum(kept),
        "with_incidents": with_incidents,
        "recall_incidents": round(kept_incidents / with_incidents, 4) if with_incidents else None,
        "with_records": with_records,
        "recall_records": round(kept_records / with_records, 4) if with_records else None,
        "lost": lost,
    }


def gate_rate(texts: list[str], rounds: int = 5) -> float:
    """Articles the gate decides per CPU second."""
    started = time.process_time()
    for _ in range(rounds):
        for text in texts:
            is_relevant(text)
    return rounds * len(texts) / max(time.process_time() - started, 1e-9)


def main() -> int:
    parser = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    parser.add_argument("--json", action="store_true")
    args = parser.parse_args()
    sets = dev_sets()
    results = {name: check(articles) for name, articles in sets.items()}
    rate = gate_rate([a.text for articles in sets.values() for a in articles])
    if args.json:
        print(json.dumps({"sets": results, "articles_per_cpu_second": round(rate)}, indent=2))
    else:
        print(f"{'set':16} {'articles':>8} {'kept':>6} {'incid.':>6} {'recall':>7} {'rec.any':>7}")
        for name, r in results.items():
            print(
                f"{name:16} {r['articles']:>8} {r['kept']:>6} {r['with_incidents']:>6} "
                f"{r['recall_incidents']!s:>7} {r['recall_records']!s:>7}"
            )
            if r["lost"]:
                print(f"  lost: {', '.join(r['lost'])}")
        print(f"gate: {rate:,.0f} articles per CPU second")
    perfect = all(r["recall_records"] in (1.0, None) for r in results.values())
    return 0 if perfect else 1


if __name__ == "__main__":
    sys.exit(main())
