"""One ingest run: store each article once, extract its incidents, link them into events.

The command line (`ingest`, `watch`) and anything else that feeds a dataset go through `Ingestion`,
so every way in stores, extracts, skips and links the same way. Messages go to a `notify` callback
(level, source, message) so the caller decides how to show them.
"""

from __future__ import annotations

import re
from collections import Counter
from collections.abc import Callable, Iterable
from dataclasses import dataclass, field
from datetime import UTC, datetime

from conflictlens.ingest import ReadFailure
from conflictlens.models import Article, Event
from conflictlens.store import Run, Store

# An article is stored with this status reason before extraction, so an article whose extraction
# crashed the process is retried by the next run.
EXTRACTION_PENDING = "extraction pending"

Notify = Callable[[str, str, str], None]


def _silent(_level: str, _source: str, _message: str) -> None:
    return None


@dataclass
class RunReport:
    """What a batch did, for the closing summary; failures are (source, reason)."""

    articles: int = 0
    new: int = 0
    duplicates: int = 0
    events: int = 0
    skipped: Counter[str] = field(default_factory=Counter)
    failures: list[tuple[str, str]] = field(default_factory=list)

    def to_dict(self) -> dict[str, object]:
        return {
            "articles": self.articles,
            "new": self.new,
            "duplicates": self.duplicates,
            "events": self.events,
            "skipped": dict(self.skipped),
            "failures": [{"source": s, "reason": r} for s, r in self.failures],
        }

    def failure_kinds(self) -> Counter[str]:
        """Failures counted by the first words of their reason ("not found", "empty file"...)."""
        return Counter(re.split(r"[(;:]", r, maxsplit=1)[0].strip() for _, r in self.failures)


def extract_or_skip(
    article: Article, report: RunReport, notify: Notify = _silent
) -> list[Event] | None:
    """The article's events, or None when it is skipped (its language) or failed (reported)."""
    from conflictlens.extraction import UnsupportedLanguageError, extract_article

    source = article.source or article.id
    try:
        return extract_article(article)
    except UnsupportedLanguageError as exc:
        report.skipped[f"not English ({exc.language})"] += 1
        notify("skipped", source, str(exc))
    except Exception as exc:  # one bad article never stops a batch; the reason is reported
        reason = f"extraction failed: {type(exc).__name__}: {exc}"
        report.failures.append((source, reason))
        notify("error", source, reason)
    return None


class Ingestion:
    """Feed it articles (and read failures) one at a time, then `finish()` once."""

    def __init__(
        self, store: Store, *, sources: Iterable[str] = (), notify: Notify = _silent
    ) -> None:
        self.store = store
        self.report = RunReport()
        self.notify = notify
        self.sources = list(sources)
        self.started_at = datetime.now(UTC)
        # Events written by this run, in the order they were written.
        self.touched_events: dict[str, None] = {}

    def add(self, item: Article | ReadFailure) -> None:
        if isinstance(item, ReadFailure):
            self.report.failures.append((item.source, item.reason))
            self.notify("error", item.source, item.reason)
            return
        report = self.report
        report.articles += 1
        stored_id, is_new = self.store.add_article(
            item, status="skipped", reason=EXTRACTION_PENDING
        )
        status = None if is_new else self.store.article_status(stored_id)
        pending = bool(status and status[1] and status[1].startswith(EXTRACTION_PENDING))
        if not is_new and not pending:
            report.duplicates += 1
            return
        report.new += int(is_new)
        article = item if stored_id == item.id else item.model_copy(update={"id": stored_id})
        failures_before = len(report.failures)
        events = extract_or_skip(article, report, self.notify)
        if events is not None:
            self.store.set_mentions(stored_id, events)
            self.store.set_article_status(stored_id, "ok")
            report.events += len(events)
            self.touched_events.update(dict.fromkeys(e.event_id for e in events))
        elif len(report.failures) == failures_before:  # skipped for its language, not failed
            self.store.set_article_status(stored_id, "skipped", "not English")

    def finish(self) -> list[str]:
        """Record the run; returns the ids of the events this run created or changed."""
        self.store.add_run(
            Run(
                started_at=self.started_at,
                finished_at=datetime.now(UTC),
                sources=self.sources,
                articles_seen=self.report.articles,
                articles_new=self.report.new,
                articles_skipped=sum(self.report.skipped.values()),
                events=self.report.events,
                failures=[f"{s}: {r}" for s, r in self.report.failures],
            )
        )
        return list(self.touched_events)
