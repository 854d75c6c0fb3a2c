"""The batch plan on one machine, without Spark: the reference the Spark engine must match.

Two passes over the input: the first replays ingest's storing rules (`ArticlePlan`) with the
same fingerprints `ingest` stores, the second codes the chosen articles (in `jobs` worker
processes) and links their mentions block by block. Memory holds the rows' keys and
fingerprints (bands, and shingles to confirm near-duplicates on), never the parsed articles.
"""

from __future__ import annotations

from collections import defaultdict
from collections.abc import Iterator, Sequence
from pathlib import Path

from conflictlens.batch.plan import ArticlePlan, RowKey, StoredMention, block_of, link_block
from conflictlens.ingest import ReadFailure, read_sources
from conflictlens.linking.near_duplicates import (
    fingerprint,
    shingles_from_bytes,
    shingles_near_duplicate,
)
from conflictlens.models import Article, Event
from conflictlens.parallel import code_ahead, code_article
from conflictlens.pipeline import RunReport


def read_inputs(inputs: Sequence[str]) -> Iterator[Article | ReadFailure]:
    """What `ingest` reads (files, folders, JSONL/CSV dumps, WARC), plus Parquet dumps with the
    dump columns (id, text, published, title, url, outlet)."""
    for source in inputs:
        if source.lower().endswith(".parquet"):
            yield from _read_parquet(Path(source))
        else:
            yield from read_sources([source])


def _read_parquet(path: Path) -> Iterator[Article | ReadFailure]:
    import pyarrow.parquet as pq

    from conflictlens.ingest.readers import _row_to_article

    number = 0
    for batch in pq.ParquetFile(path).iter_batches():
        for row in batch.to_pylist():
            number += 1
            yield _row_to_article(row, f"{path}:{number}")


class _Sketches:
    """Ingest's near-duplicate lookup without a database: band hashes -> stored ids, and each
    row's shingles to confirm candidates on (as `ingest` stores them)."""

    def __init__(self) -> None:
        self.ids_by_band: dict[tuple[int, int], set[str]] = defaultdict(set)
        self.bands_of: dict[str, tuple[tuple[int, int], ...]] = {}
        self.shingles: dict[int, bytes] = {}
        self.pending: dict[int, tuple[tuple[int, int], ...]] = {}

    def take(self, key: RowKey, text: str) -> None:
        sketch = fingerprint(text)
        self.shingles[key.row] = sketch.shingle_bytes
        self.pending[key.row] = sketch.bands

    def neighbours(self, key: RowKey) -> set[str]:
        bands = self.pending.get(key.row, ())
        return {i for band in bands for i in self.ids_by_band.get(band, ())}

    def store(self, article_id: str, key: RowKey) -> None:
        if key.row not in self.pending:
            return
        for band in self.bands_of.get(article_id, ()):
            self.ids_by_band[band].discard(article_id)
        self.bands_of[article_id] = self.pending.pop(key.row)
        for band in self.bands_of[article_id]:
            self.ids_by_band[band].add(article_id)

    def copies(self, row: int, other_row: int) -> bool:
        return shingles_near_duplicate(
            shingles_from_bytes(self.shingles[row]), shingles_from_bytes(self.shingles[other_row])
        )


def plan_rows(inputs: Sequence[str]) -> tuple[ArticlePlan, list[tuple[str, str]]]:
    """First pass: the plan, and the read failures (source, reason)."""
    sketches = _Sketches()
    plan = ArticlePlan(
        neighbours=sketches.neighbours,
        confirm=lambda key, other: sketches.copies(key.row, plan.stored[other].row),
    )
    failures = []
    for row, item in enumerate(read_inputs(inputs)):
        if isinstance(item, ReadFailure):
            failures.append((item.source, item.reason))
            continue
        key = RowKey.of(row, item)
        if key.skipped is None:  # ingest sketches only what it may code
            sketches.take(key, item.text)
        stored_id = plan.add(key)
        if stored_id is not None:
            sketches.store(stored_id, key)
        sketches.pending.pop(row, None)
    return plan, failures


def count_outcome(
    report: RunReport,
    *,
    source: str,
    off_topic: bool,
    language: str | None,
    error: str | None,
    mentions: int,
) -> None:
    """The run summary's counts for one coded article, as `ingest` keeps them."""
    from conflictlens.relevance import OFF_TOPIC

    if off_topic:
        report.skipped[OFF_TOPIC] += 1
    elif language is not None:
        report.skipped[f"not English ({language})"] += 1
    elif error is not None:
        report.failures.append((source, f"extraction failed: {error}"))
    else:
        report.events += mentions


def run_local(
    inputs: Sequence[str], jobs: int
) -> tuple[RunReport, list[Event], list[tuple[str, str, Event]]]:
    """The whole plan: (run summary, events, mentions as (article id, event id, record))."""
    plan, failures = plan_rows(inputs)
    report = plan.report
    report.failures.extend(failures)
    coded_ids = dict(plan.coded())
    chosen = (
        item.model_copy(update={"id": coded_ids[row]})
        for row, item in enumerate(read_inputs(inputs))
        if row in coded_ids
    )
    mentions: list[StoredMention] = []
    for article, coded in code_ahead(chosen, jobs):
        assert isinstance(article, Article)
        outcome = coded if coded is not None else code_article(article)
        count_outcome(
            report,
            source=article.source or article.id,
            off_topic=outcome.off_topic,
            language=outcome.language,
            error=outcome.error,
            mentions=len(outcome.events),
        )
        mentions.extend(StoredMention(article.id, article.published, e) for e in outcome.events)
    return report, *link_mentions(mentions)


def link_mentions(
    mentions: Sequence[StoredMention],
) -> tuple[list[Event], list[tuple[str, str, Event]]]:
    """Every block linked: (events, mentions with the event each is in)."""
    blocks: dict[str, list[StoredMention]] = defaultdict(list)
    for mention in mentions:
        blocks[block_of(mention)].append(mention)
    events: list[Event] = []
    linked_to: dict[str, str] = {}
    for block in blocks.values():
        for merged, keys in link_block(block):
            events.append(merged)
            linked_to.update(dict.fromkeys(keys, merged.event_id))
    return events, [(m.article_id, linked_to[m.event.event_id], m.event) for m in mentions]
