"""Articles and their copies: storing a report once, newer versions, near-duplicate fingerprints."""

from __future__ import annotations

from collections.abc import Iterable, Iterator
from datetime import UTC, datetime
from functools import lru_cache

import numpy as np
from sqlalchemy import (
    Connection,
    Select,
    bindparam,
    delete,
    func,
    insert,
    or_,
    select,
    update,
)
from sqlalchemy.exc import IntegrityError

from conflictlens.linking.near_duplicates import Fingerprint, shingles, shingles_from_bytes
from conflictlens.models import Article
from conflictlens.store import schema
from conflictlens.store.base import (
    LINK_PENDING,
    ArticleStatus,
    StoreBase,
    _article_exists,
    _delete_unmentioned_events,
    retry_when_busy,
)

# Ids per statement when marking many articles (SQLite limits the parameters of one statement).
_ID_BATCH = 500


class ArticlesMixin(StoreBase):
    """Articles as read, their status, and the copies that point at an original."""

    @retry_when_busy
    def add_article(
        self, article: Article, *, status: ArticleStatus = "ok", reason: str | None = None
    ) -> tuple[str, bool]:
        """Store a report once: (its stored id, whether it is new).

        A report already stored under the same url or the same content hash gives the stored id and
        False, and nothing is written. If `article.id` already names a different text, the new one is
        stored under `Article.id_for(text)`: use the returned id for its mentions and evidence.
        """
        try:
            with self._engine.begin() as conn:
                existing_id = _existing_article_id(conn, article)
                if existing_id is not None:
                    return existing_id, False
                article_id = article.id
                if _article_exists(conn, article_id):
                    article_id = Article.id_for(article.text)
                conn.execute(
                    insert(schema.articles).values(
                        id=article_id,
                        status=status,
                        status_reason=reason,
                        **_article_values(article),
                    )
                )
                return article_id, True
        except IntegrityError:
            # Another writer may have stored the same report between the check and the insert.
            with self._engine.connect() as conn:
                existing_id = _existing_article_id(conn, article)
            if existing_id is None:
                raise
            return existing_id, False

    def get_article(self, article_id: str) -> Article | None:
        with self._engine.connect() as conn:
            row = conn.execute(
                select(schema.articles).where(schema.articles.c.id == article_id)
            ).one_or_none()
        if row is None:
            return None
        return Article(
            id=row.id,
            text=row.text,
            title=row.title,
            url=row.url,
            outlet=row.outlet,
            published=row.published,
            language=row.language,
            content_hash=row.content_hash,
            source=row.source,
        )

    def article_texts(self, article_ids: list[str]) -> dict[str, str]:
        """The texts of these stored articles by id (one query; unknown ids left out)."""
        texts: dict[str, str] = {}
        with self._engine.connect() as conn:
            for batch in _id_batches(article_ids):
                rows = conn.execute(
                    select(schema.articles.c.id, schema.articles.c.text).where(
                        schema.articles.c.id.in_(batch)
                    )
                )
                texts.update((row.id, row.text) for row in rows)
        return texts

    def article_id_by_url(self, url: str) -> str | None:
        with self._engine.connect() as conn:
            return conn.scalar(select(schema.articles.c.id).where(schema.articles.c.url == url))

    def article_id_by_content(self, content_hash: str) -> str | None:
        """The stored article with exactly this text (its normalised hash), if any."""
        with self._engine.connect() as conn:
            return conn.scalar(
                select(schema.articles.c.id).where(schema.articles.c.content_hash == content_hash)
            )

    @retry_when_busy
    def replace_article(
        self,
        article_id: str,
        article: Article,
        *,
        status: ArticleStatus = "ok",
        reason: str | None = None,
    ) -> None:
        """Put a newer version of a story in place of the stored text (same id, same links).

        Its mentions stay until the caller stores the new extraction; give a status that says it is
        pending, so a run stopped before that extraction has it done by the next run.
        """
        with self._engine.begin() as conn:
            result = conn.execute(
                update(schema.articles)
                .where(schema.articles.c.id == article_id)
                .values(status=status, status_reason=reason, **_article_values(article))
            )
            if result.rowcount == 0:
                raise KeyError(article_id)
            _delete_fingerprint(conn, article_id)

    @retry_when_busy
    def add_fingerprint(self, article_id: str, fingerprint: Fingerprint) -> None:
        """Keep an article's LSH band hashes and shingles for near-duplicate lookups (replaces
        earlier ones)."""
        rows = [{"band": b, "hash": h, "article_id": article_id} for b, h in set(fingerprint.bands)]
        with self._engine.begin() as conn:
            _delete_fingerprint(conn, article_id)
            if rows:
                conn.execute(insert(schema.article_bands), rows)
            conn.execute(
                insert(schema.article_shingles),
                {"article_id": article_id, "hashes": fingerprint.shingle_bytes},
            )

    def article_shingles(self, article_ids: list[str]) -> dict[str, np.ndarray]:
        """The shingles of these stored articles by id (unknown ids left out): as stored, or made
        from the text for an article fingerprinted before shingles were stored."""
        found: dict[str, np.ndarray] = {}
        if not article_ids:
            return found  # most reports have no candidate: no connection for them
        table = schema.article_shingles
        with self._engine.connect() as conn:
            for batch in _id_batches(article_ids):
                rows = conn.execute(
                    select(table.c.article_id, table.c.hashes).where(table.c.article_id.in_(batch))
                )
                found.update((row.article_id, shingles_from_bytes(row.hashes)) for row in rows)
        if missing := [i for i in article_ids if i not in found]:
            found.update((i, shingles(text)) for i, text in self.article_texts(missing).items())
        return found

    def near_duplicate_candidates(
        self, bands: Iterable[tuple[int, int]], *, exclude: str | None = None
    ) -> list[str]:
        """Originals (never copies) of stored articles sharing an LSH band with `bands`, sorted."""
        params: dict[str, int] = {}
        for i, (band, hash_) in enumerate(bands):
            params[f"band{i}"], params[f"hash{i}"] = band, hash_
        if not params:
            return []
        with self._engine.connect() as conn:
            ids = conn.scalars(_near_duplicate_query(len(params) // 2), params).all()
        return sorted(i for i in ids if i != exclude)

    @retry_when_busy
    def mark_copy(self, article_id: str, original_id: str) -> list[str]:
        """Record `article_id` as a copy of `original_id`: it keeps its text but reports nothing.

        Its mentions are removed (and copies of it now point at the original); returns the ids of
        the events those mentions were in, which need linking again: the articles that still report
        them are marked LINK_PENDING in the same transaction, so a run stopped before that linking
        leaves it to the next run.
        """
        with self._engine.begin() as conn:
            affected = list(
                conn.scalars(
                    select(schema.mentions.c.event_id)
                    .where(schema.mentions.c.article_id == article_id)
                    .distinct()
                )
            )
            conn.execute(delete(schema.mentions).where(schema.mentions.c.article_id == article_id))
            conn.execute(
                update(schema.articles)
                .where(schema.articles.c.id == article_id)
                .values(
                    status="copy", status_reason=f"copy of {original_id}", duplicate_of=original_id
                )
            )
            conn.execute(
                update(schema.articles)
                .where(schema.articles.c.duplicate_of == article_id)
                .values(status_reason=f"copy of {original_id}", duplicate_of=original_id)
            )
            _delete_unmentioned_events(conn, affected)
            reporting = select(schema.mentions.c.article_id).where(
                schema.mentions.c.event_id.in_(affected)
            )
            conn.execute(
                update(schema.articles)
                .where(schema.articles.c.id.in_(reporting), schema.articles.c.status == "ok")
                .values(status_reason=LINK_PENDING)
            )
        return sorted(affected)

    def articles_to_link(self) -> list[str]:
        """Articles whose mentions are stored but not yet linked (LINK_PENDING), by id."""
        with self._engine.connect() as conn:
            return sorted(
                conn.scalars(
                    select(schema.articles.c.id).where(
                        schema.articles.c.status == "ok",
                        schema.articles.c.status_reason == LINK_PENDING,
                    )
                )
            )

    @retry_when_busy
    def mark_linked(self, article_ids: Iterable[str]) -> None:
        """Linking has stored these articles' events: they are no longer LINK_PENDING."""
        ids = sorted(set(article_ids))
        with self._engine.begin() as conn:
            for batch in _id_batches(ids):
                conn.execute(
                    update(schema.articles)
                    .where(
                        schema.articles.c.id.in_(batch),
                        schema.articles.c.status_reason == LINK_PENDING,
                    )
                    .values(status_reason=None)
                )

    def copies_of(self, article_id: str) -> list[str]:
        with self._engine.connect() as conn:
            return sorted(
                conn.scalars(
                    select(schema.articles.c.id).where(schema.articles.c.duplicate_of == article_id)
                )
            )

    @retry_when_busy
    def set_article_status(
        self, article_id: str, status: ArticleStatus, reason: str | None = None
    ) -> None:
        """Mark a stored article "ok" or "skipped" (with why), e.g. when extraction fails on it."""
        with self._engine.begin() as conn:
            result = conn.execute(
                update(schema.articles)
                .where(schema.articles.c.id == article_id)
                .values(status=status, status_reason=reason)
            )
            if result.rowcount == 0:
                raise KeyError(article_id)

    def article_status(self, article_id: str) -> tuple[ArticleStatus, str | None] | None:
        with self._engine.connect() as conn:
            row = conn.execute(
                select(schema.articles.c.status, schema.articles.c.status_reason).where(
                    schema.articles.c.id == article_id
                )
            ).one_or_none()
        return None if row is None else (row.status, row.status_reason)

    def count_articles(self) -> int:
        with self._engine.connect() as conn:
            return conn.scalar(select(func.count()).select_from(schema.articles)) or 0


def _article_values(article: Article) -> dict[str, object]:
    """The stored columns of an article that its text and metadata give (not id or status)."""
    return {
        "url": article.url,
        "outlet": article.outlet,
        "title": article.title,
        "published": article.published,
        "language": article.language,
        "text": article.text,
        "content_hash": article.content_hash,
        "source": article.source,
        "ingested_at": datetime.now(UTC),
    }


def _delete_fingerprint(conn: Connection, article_id: str) -> None:
    for table in (schema.article_bands, schema.article_shingles):
        conn.execute(delete(table).where(table.c.article_id == article_id))


def _id_batches(ids: list[str]) -> Iterator[list[str]]:
    """`ids` in slices of `_ID_BATCH`, one statement each."""
    for start in range(0, len(ids), _ID_BATCH):
        yield ids[start : start + _ID_BATCH]


@lru_cache(maxsize=4)
def _near_duplicate_query(band_count: int) -> Select[tuple[str]]:
    """Originals of the articles sharing one of `band_count` (band, hash) pairs, bound as
    band0, hash0, ...: built once, as building it per article cost the storing process more than
    running it."""
    pairs = schema.article_bands.c.band, schema.article_bands.c.hash
    matches = (
        select(schema.article_bands.c.article_id)
        .where(
            or_(
                *(
                    (pairs[0] == bindparam(f"band{i}")) & (pairs[1] == bindparam(f"hash{i}"))
                    for i in range(band_count)
                )
            )
        )
        .distinct()
    )
    root = func.coalesce(schema.articles.c.duplicate_of, schema.articles.c.id)
    return select(root).where(schema.articles.c.id.in_(matches)).distinct()


def _existing_article_id(conn: Connection, article: Article) -> str | None:
    """The id of a stored article with the same url or, failing that, the same content hash."""
    if article.url:
        by_url = conn.scalar(
            select(schema.articles.c.id).where(schema.articles.c.url == article.url)
        )
        if by_url is not None:
            return by_url
    return conn.scalar(
        select(schema.articles.c.id).where(schema.articles.c.content_hash == article.content_hash)
    )
