"""Extraction speed: articles per second on one core, as a ratio against running spaCy's full
pipeline over the same articles in the same run (the naive design this one avoids).

Throughput is counted per second of this process's CPU time (spaCy's matrix products run on one
thread), so other work on a shared machine does not make the number wander.

    python bench/bench_extract.py [--repeat 3]
"""

from __future__ import annotations

import argparse
import time
from pathlib import Path

from common import REPO, shared_dir
from conflictlens.extraction import extract_article
from conflictlens.ingest import read_sources
from conflictlens.models import Article
from conflictlens.nlp import MODEL_PACKAGE


def _articles() -> list[Article]:
    sources: list[Path] = [REPO / "corpus" / "sample"]
    shared = shared_dir()
    if shared is not None:
        sources.append(shared / "seeds")
    return [a for a in read_sources(sources) if isinstance(a, Article)]


def main() -> None:
    cli = argparse.ArgumentParser(description=__doc__)
    cli.add_argument("--repeat", type=int, default=3)
    repeat = cli.parse_args()
    articles = _articles()
    extract_article(articles[0])  # load models and compile the gazetteer outside the timing
    nlp = __import__(MODEL_PACKAGE).load()  # every component, NER included
    nlp(articles[0].text)

    wall, start = time.perf_counter(), time.process_time()
    for _ in range(repeat.repeat):
        for article in articles:
            extract_article(article)
    ours, ours_wall = time.process_time() - start, time.perf_counter() - wall

    start = time.process_time()
    for _ in range(repeat.repeat):
        for doc in nlp.pipe(a.text for a in articles):
            len(doc)
    baseline = time.process_time() - start

    n = len(articles) * repeat.repeat
    print(f"articles: {len(articles)} x {repeat.repeat}")
    print(
        f"extractor: {n / ours:.1f} articles per CPU second ({n / ours_wall:.1f} per wall second)"
    )
    print(f"baseline (full spaCy pipeline only): {n / baseline:.1f} articles per CPU second")
    print(f"ratio extractor/baseline throughput: {baseline / ours:.2f}")


if __name__ == "__main__":
    main()
