"""Coding articles ahead in worker processes, so `ingest --jobs N` uses every core.

Extraction (spaCy, gazetteer, actors) is most of an ingest's time and depends on nothing but the
article, while storing, de-duplicating and linking need the one database. So the reader's articles
go, in order, to a pool of worker processes that code them (the relevance gate, then the extractor;
models loaded once per worker), and the one process that owns the database takes the outcomes back
in the same order and stores them exactly as a one-process run would: same statements, same order,
same database. An outcome is only used for the very article it was computed for (same id and
text); anything else (an article stored under another id, a newer version of a stored story) is
coded again in the storing process.
"""

from __future__ import annotations

import ctypes
import multiprocessing
import os
import signal
import sys
from collections import deque
from collections.abc import Iterable, Iterator
from concurrent.futures import Future, ProcessPoolExecutor
from dataclasses import dataclass

from conflictlens.ingest import ReadFailure
from conflictlens.models import Article, Event
from conflictlens.relevance import OFF_TOPIC, is_relevant

# Outcomes computed ahead of the storing process, per worker: keeps every worker busy while the
# storing process works, and bounds memory whatever the input's size.
AHEAD_PER_WORKER = 8


@dataclass(frozen=True)
class Coded:
    """What coding one article gave: events, or why there are none (the gate, a language, a
    failure). `article_id` and `content_hash` name the article it is valid for."""

    article_id: str
    content_hash: str
    events: tuple[Event, ...] = ()
    off_topic: bool = False
    language: str | None = None  # set when the article is not English
    error: str | None = None  # "TypeName: message" when extraction raised

    def is_for(self, article: Article) -> bool:
        return self.article_id == article.id and self.content_hash == article.content_hash

    def skip_reason(self) -> str | None:
        """The run summary's reason when the article is not extracted for its text alone."""
        if self.language is not None:
            return f"not English ({self.language})"
        return OFF_TOPIC if self.off_topic else None


def uncodable(article: Article) -> Coded | None:
    """Why the text alone says there is nothing to extract (its language, then the relevance
    gate), or None. The language comes first so that a report in another language is counted as
    such, whatever words it shares with English."""
    from conflictlens.clean import detect_language

    key = {"article_id": article.id, "content_hash": article.content_hash}
    language = article.language or detect_language(article.text)
    if language != "en":
        return Coded(**key, language=language)
    if not is_relevant(article.text):
        return Coded(**key, off_topic=True)
    return None


def code_article(article: Article) -> Coded:
    """`uncodable`, then the extractor; never raises for one bad article."""
    from conflictlens.extraction import UnsupportedLanguageError, extract_article

    if (skipped := uncodable(article)) is not None:
        return skipped
    key = {"article_id": article.id, "content_hash": article.content_hash}
    try:
        return Coded(**key, events=tuple(extract_article(article)))
    except UnsupportedLanguageError as exc:
        return Coded(**key, language=exc.language)
    except Exception as exc:  # one bad article never stops a batch; the reason is reported
        return Coded(**key, error=f"{type(exc).__name__}: {exc}")


def default_jobs() -> int:
    """The machine's cores (the ones this process may use)."""
    try:
        return max(1, len(os.sched_getaffinity(0)))
    except AttributeError:  # not on Linux
        return max(1, os.cpu_count() or 1)


def load_models() -> None:
    """Load the in-memory models extraction needs (spaCy's pipelines, the actor dictionary)."""
    from conflictlens.extraction.actors import ActorDictionary
    from conflictlens.nlp import parser, sentence_splitter

    parser()
    sentence_splitter()
    ActorDictionary.default()


def open_gazetteer() -> None:
    """Open the gazetteer's SQLite index in this process: a connection never crosses a fork, so
    one the parent opened before forking is dropped (SQLite's rule), not used."""
    from conflictlens.geo import Gazetteer
    from conflictlens.geo.gazetteer import _gazetteer_at

    _gazetteer_at.cache_clear()
    Gazetteer.default()


def load_worker() -> None:
    """Everything a worker extracts with, loaded once per worker."""
    die_with_parent()
    load_models()
    open_gazetteer()


def start_forked_worker() -> None:
    """A forked worker has the models already: it only needs its own gazetteer connection."""
    die_with_parent()
    open_gazetteer()


def die_with_parent() -> None:
    """On Linux, a worker is killed with the process that stores its results: when an ingest is
    killed (SIGKILL reaches only that process), its workers do not code on for nobody, each
    holding its models' memory."""
    if not sys.platform.startswith("linux"):
        return
    parent = os.getppid()
    pr_set_pdeathsig = 1
    ctypes.CDLL(None, use_errno=True).prctl(pr_set_pdeathsig, signal.SIGKILL)
    if os.getppid() != parent:  # the parent died before the request took effect
        os._exit(1)


def _pool(jobs: int) -> ProcessPoolExecutor:
    """Forked workers share the models loaded here once (copy on write) and open their own
    gazetteer connection; where there is no fork, each worker loads everything itself."""
    if "fork" in multiprocessing.get_all_start_methods():
        load_models()
        return ProcessPoolExecutor(
            jobs, mp_context=multiprocessing.get_context("fork"), initializer=start_forked_worker
        )
    return ProcessPoolExecutor(jobs, initializer=load_worker)


Item = Article | ReadFailure


def code_ahead(items: Iterable[Item], jobs: int) -> Iterator[tuple[Item, Coded | None]]:
    """Each item with its outcome (None: code it in place), in the input's order.

    With one job nothing is computed ahead. With more, articles in another language or off
    topic are decided here (`uncodable`, cheaper than sending them), the others are coded by
    `jobs` worker processes, at most `jobs * AHEAD_PER_WORKER` ahead of the caller.
    """
    if jobs <= 1:
        for item in items:
            yield item, None
        return
    pending: deque[tuple[Item, Future[Coded] | Coded | None]] = deque()
    with _pool(jobs) as pool:
        for item in items:
            pending.append((item, _submit(pool, item)))
            while len(pending) > jobs * AHEAD_PER_WORKER or (pending and _ready(pending[0][1])):
                yield _take(pending.popleft())
        while pending:
            yield _take(pending.popleft())


def _submit(pool: ProcessPoolExecutor, item: Item) -> Future[Coded] | Coded | None:
    if isinstance(item, ReadFailure):
        return None
    return uncodable(item) or pool.submit(code_article, item)


def _ready(outcome: Future[Coded] | Coded | None) -> bool:
    return not isinstance(outcome, Future) or outcome.done()


def _take(entry: tuple[Item, Future[Coded] | Coded | None]) -> tuple[Item, Coded | None]:
    item, outcome = entry
    return item, outcome.result() if isinstance(outcome, Future) else outcome
