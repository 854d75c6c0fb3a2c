"""One ingest run: store each article once, extract its incidents, link them into events.

The command line (`ingest`, `watch`) and anything else that feeds a dataset go through `Ingestion`,
so every way in stores, extracts, skips and links the same way. Messages go to a `notify` callback
(level, source, message) so the caller decides how to show them.

An article is, in order: an exact copy of a stored one (same URL and text, or same text) and left
alone; a newer version of a stored story (same URL, new text), which replaces the old text and is
extracted again; a near-duplicate (syndicated or lightly edited copy), stored as a copy of the
earliest published of them, which alone is extracted; or a new report. New mentions are linked with
the dataset every `LINK_BATCH` articles and at `finish()`.
"""

from __future__ import annotations

import re
from collections import Counter
from collections.abc import Callable, Iterable
from dataclasses import dataclass, field
from datetime import UTC, date, datetime
from typing import TYPE_CHECKING

from conflictlens.ingest import ReadFailure
from conflictlens.models import Article, Event
from conflictlens.parallel import Coded, code_article, uncodable
from conflictlens.store import Run, Store

if TYPE_CHECKING:
    from conflictlens.linking import Fingerprint

# An article is stored with this status reason before extraction, so an article whose extraction
# crashed the process is retried by the next run.
EXTRACTION_PENDING = "extraction pending"
# Articles extracted between two linking passes. A pass re-clusters the whole neighbourhood of its
# new reports (`link_stored`), which in a busy province costs about as much for 500 new reports as
# for 5,000, so passes are few; the batch bounds the new reports a pass holds besides one province's
# neighbourhood. The stored LINK_PENDING mark makes a killed run's batch whole again.
LINK_BATCH = 5000

Notify = Callable[[str, str, str], None]


def _silent(_level: str, _source: str, _message: str) -> None:
    return None


@dataclass
class RunReport:
    """What a batch did, for the closing summary; failures are (source, reason)."""

    articles: int = 0
    new: int = 0
    duplicates: int = 0
    copies: int = 0
    updated: int = 0
    events: int = 0
    skipped: Counter[str] = field(default_factory=Counter)
    failures: list[tuple[str, str]] = field(default_factory=list)

    def to_dict(self) -> dict[str, object]:
        return {
            "articles": self.articles,
            "new": self.new,
            "duplicates": self.duplicates,
            "copies": self.copies,
            "updated": self.updated,
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
        # Events linking created or changed in this run, in that order.
        self.touched_events: dict[str, None] = {}
        self._articles_to_link: list[str] = []
        self._events_to_relink: dict[str, None] = {}

    def add(self, item: Article | ReadFailure, coded: Coded | None = None) -> None:
        """Store one article and code it; `coded` is its outcome computed ahead (`code_ahead`),
        used only if it is for the very article stored, else the article is coded here."""
        if isinstance(item, ReadFailure):
            self.report.failures.append((item.source, item.reason))
            self.notify("error", item.source, item.reason)
            return
        self.report.articles += 1
        if self._replaces_older_version(item, coded):
            return
        # A report with nothing to extract (another language, off topic) is stored as skipped
        # straight away, and neither fingerprinted nor coded: most of a day's news costs one write.
        skipped = uncodable(item) if coded is None else coded
        skip_reason = skipped.skip_reason() if skipped is not None else None
        stored_id, is_new = self.store.add_article(
            item, status="skipped", reason=_status_reason(skipped) or EXTRACTION_PENDING
        )
        status = None if is_new else self.store.article_status(stored_id)
        pending = bool(status and status[1] and status[1].startswith(EXTRACTION_PENDING))
        if not is_new and not pending:
            self.report.duplicates += 1
            return
        self.report.new += int(is_new)
        article = item if stored_id == item.id else item.model_copy(update={"id": stored_id})
        if skip_reason is not None:
            assert skipped is not None
            self._skip(article, skipped, stored_as_skipped=is_new)
            return
        if self._is_copy(article, _fingerprint_for(article, coded)):
            return
        self._extract(article, coded)

    def _replaces_older_version(self, item: Article, coded: Coded | None = None) -> bool:
        """A new text at a stored URL: the newer version (by publication date) is kept and coded."""
        stored_id = self.store.article_id_by_url(item.url) if item.url else None
        stored = self.store.get_article(stored_id) if stored_id else None
        if stored is None or stored.content_hash == item.content_hash:
            return False
        if (item.published or date.min) < (stored.published or date.min):
            self.report.duplicates += 1  # an older version arriving late changes nothing
            return True
        if self.store.article_id_by_content(item.content_hash) is not None:
            self.report.duplicates += 1  # the "new version" is a text the dataset already holds
            return True
        self.store.replace_article(stored.id, item, status="skipped", reason=EXTRACTION_PENDING)
        self.store.add_fingerprint(stored.id, _fingerprint_for(item, coded))
        self.report.updated += 1
        self.notify(
            "updated", item.source or item.url or stored.id, f"newer version of {stored.id}"
        )
        self._extract(item.model_copy(update={"id": stored.id}), coded)
        return True

    def _is_copy(self, article: Article, fingerprint: Fingerprint) -> bool:
        """Store the article's fingerprint; if it copies stored reports, keep only the earliest.

        The earliest published (then the smallest id) is the original whatever the arrival order;
        when the new article is it, the stored ones become its copies and their events are relinked.
        """
        from conflictlens.linking import shingles_near_duplicate

        self.store.add_fingerprint(article.id, fingerprint)
        candidates = self.store.near_duplicate_candidates(fingerprint.bands, exclude=article.id)
        stored = self.store.article_shingles(candidates)
        if not stored:
            return False
        grams = fingerprint.shingles()
        confirmed = [
            candidate_id
            for candidate_id in candidates
            if candidate_id in stored and shingles_near_duplicate(grams, stored[candidate_id])
        ]
        copies_of = [a for c in confirmed if (a := self.store.get_article(c)) is not None]
        if not copies_of:
            return False
        original = min([article, *copies_of], key=_seniority)
        if original.id != article.id:
            self.store.mark_copy(article.id, original.id)
            self.report.copies += 1
            self.notify("copy", article.source or article.id, f"near-duplicate of {original.id}")
            return True
        for older in copies_of:
            self._events_to_relink.update(dict.fromkeys(self.store.mark_copy(older.id, article.id)))
            self.report.copies += 1
        return False

    def _extract(self, article: Article, coded: Coded | None = None) -> None:
        if coded is None or not coded.is_for(article):
            coded = code_article(article)
        report = self.report
        source = article.source or article.id
        if coded.skip_reason() is not None:
            self._skip(article, coded, stored_as_skipped=False)
        elif coded.error is not None:
            reason = f"extraction failed: {coded.error}"
            report.failures.append((source, reason))
            self.notify("error", source, reason)
        else:
            events = list(coded.events)
            # Stored "ok" and LINK_PENDING in one transaction: a kill before linking is completed
            # by the next run.
            self.store.set_mentions(article.id, events, link_pending=True)
            report.events += len(events)
            self._articles_to_link.append(article.id)
            if len(self._articles_to_link) >= LINK_BATCH:
                self._link()

    def _skip(self, article: Article, coded: Coded, *, stored_as_skipped: bool) -> None:
        """Count (and for a language, report) an article not extracted for its text alone."""
        reason = coded.skip_reason()
        assert reason is not None
        self.report.skipped[reason] += 1
        if coded.language is not None:
            from conflictlens.extraction import UnsupportedLanguageError

            self.notify(
                "skipped",
                article.source or article.id,
                str(UnsupportedLanguageError(coded.language)),
            )
        if not stored_as_skipped:
            self.store.set_article_status(article.id, "skipped", _status_reason(coded))

    def _link(self) -> None:
        from conflictlens.linking.dataset import link_stored

        # Articles a stopped run stored but never linked (LINK_PENDING) are linked now too, so an
        # article's store, extract and link complete exactly once whenever the process dies.
        articles = list(dict.fromkeys([*self._articles_to_link, *self.store.articles_to_link()]))
        if articles or self._events_to_relink:
            changed = link_stored(self.store, articles, self._events_to_relink)
            self.touched_events.update(dict.fromkeys(changed))
            self.store.mark_linked(articles)
        self._articles_to_link.clear()
        self._events_to_relink.clear()

    def finish(self) -> list[str]:
        """Link what is left, record the run; returns the ids of events created or changed."""
        self._link()
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


def _status_reason(coded: Coded | None) -> str | None:
    """The stored status reason of an article not extracted for its text alone."""
    if coded is None or coded.skip_reason() is None:
        return None
    return "not English" if coded.language is not None else coded.skip_reason()


def _fingerprint_for(article: Article, coded: Coded | None) -> Fingerprint:
    """The article's near-duplicate fingerprint: the one computed ahead if it is for this very
    article, else computed here."""
    if coded is not None and coded.fingerprint is not None and coded.is_for(article):
        return coded.fingerprint
    from conflictlens.linking import fingerprint

    return fingerprint(article.text)


def _seniority(article: Article) -> tuple[date, str]:
    return (article.published or date.max, article.id)
