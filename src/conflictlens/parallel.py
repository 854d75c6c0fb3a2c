"""Coding articles ahead in worker processes, so `ingest --jobs N` uses every core.

Extraction (spaCy, gazetteer, actors) is most of an ingest's time and depends on nothing but the
article, while storing, de-duplicating and linking need the one database. So the reader's articles
go, in order and in chunks, to a pool of worker processes that code them (language, relevance gate,
extractor, the near-duplicate fingerprint; models loaded once per worker), and the one process that
owns the database takes the outcomes back in the same order and stores them exactly as a one-process
run would: same statements, same order, same database. That process is what limits `--jobs`, so it
codes nothing itself, and chunks keep its round trips to the workers few. An outcome is only used
for the very article it was computed for (same id and text); anything else (an article stored under
another id, a newer version of a stored story) is coded again in the storing process.
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
from contextlib import suppress
from dataclasses import dataclass, replace
from typing import TYPE_CHECKING

from conflictlens.ingest import ReadFailure
from conflictlens.models import Article, Event
from conflictlens.relevance import OFF_TOPIC, is_relevant

if TYPE_CHECKING:
    from conflictlens.linking import Fingerprint

# Articles per round trip to a worker: enough that sending costs little next to coding, few enough
# that a worker's chunk of incident reports does not keep the storing process waiting long.
CHUNK = 16
# Chunks computed ahead of the storing process, per worker: keeps every worker busy while the
# storing process works, and bounds memory whatever the input's size.
CHUNKS_AHEAD_PER_WORKER = 32


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
    # The text's near-duplicate fingerprint, when it was computed ahead.
    fingerprint: Fingerprint | None = None

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


def code_chunk(articles: list[Article]) -> list[Coded]:
    """A worker's job: each article coded, with the fingerprint the storing process needs to find
    copies of the articles it will extract."""
    from conflictlens.linking import fingerprint

    outcomes = []
    for article in articles:
        coded = code_article(article)
        if coded.skip_reason() is None:
            coded = replace(coded, fingerprint=fingerprint(article.text))
        outcomes.append(coded)
    return outcomes


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
    yield_to_storing_process()
    load_models()
    open_gazetteer()


def start_forked_worker() -> None:
    """A forked worker has the models already: it only needs its own gazetteer connection."""
    die_with_parent()
    yield_to_storing_process()
    open_gazetteer()


# How much lower a worker's scheduling priority is than the storing process's.
WORKER_NICENESS = 10


def yield_to_storing_process() -> None:
    """Lower this worker's priority. With as many workers as cores, the one storing process would
    get a fair share of a core (two thirds on two cores) and, as everything waits on it, hold the
    whole run back; at a lower priority the workers take what it leaves."""
    with suppress(OSError, AttributeError):  # a platform without nice keeps equal priorities
        os.nice(WORKER_NICENESS)


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
Chunk = list[Item]


def code_ahead(items: Iterable[Item], jobs: int) -> Iterator[tuple[Item, Coded | None]]:
    """Each item with its outcome (None: code it in place), in the input's order.

    With one job nothing is computed ahead. With more, the articles go in chunks of `CHUNK` to
    `jobs` worker processes, at most `jobs * CHUNKS_AHEAD_PER_WORKER` chunks ahead of the caller.
    """
    if jobs <= 1:
        for item in items:
            yield item, None
        return
    pending: deque[tuple[Chunk, Future[list[Coded]]]] = deque()
    with _pool(jobs) as pool:
        for chunk in _chunks(items):
            pending.append((chunk, pool.submit(code_chunk, _articles(chunk))))
            while len(pending) > jobs * CHUNKS_AHEAD_PER_WORKER or (
                pending and pending[0][1].done()
            ):
                yield from _outcomes(*pending.popleft())
        while pending:
            yield from _outcomes(*pending.popleft())


def _chunks(items: Iterable[Item]) -> Iterator[Chunk]:
    chunk: Chunk = []
    for item in items:
        chunk.append(item)
        if len(chunk) == CHUNK:
            yield chunk
            chunk = []
    if chunk:
        yield chunk


def _articles(chunk: Chunk) -> list[Article]:
    return [item for item in chunk if isinstance(item, Article)]


def _outcomes(chunk: Chunk, future: Future[list[Coded]]) -> Iterator[tuple[Item, Coded | None]]:
    """The chunk's items with their outcomes; a read failure has none."""
    coded = iter(future.result())
    for item in chunk:
        yield item, next(coded) if isinstance(item, Article) else None
