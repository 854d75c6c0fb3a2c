"""Runs: one row per ingest run, what it saw and what failed."""

from __future__ import annotations

from sqlalchemy import (
    insert,
    select,
)

from conflictlens.store import schema
from conflictlens.store.base import (
    Run,
    StoreBase,
    _as_utc,
    retry_when_busy,
)


class RunsMixin(StoreBase):
    """The record of ingest runs."""

    @retry_when_busy
    def add_run(self, run: Run) -> int:
        """Record one ingest run; returns its id."""
        with self._engine.begin() as conn:
            result = conn.execute(
                insert(schema.runs)
                .values(
                    started_at=_as_utc(run.started_at),
                    finished_at=_as_utc(run.finished_at),
                    sources=list(run.sources),
                    articles_seen=run.articles_seen,
                    articles_new=run.articles_new,
                    articles_skipped=run.articles_skipped,
                    events=run.events,
                    failures=list(run.failures),
                )
                .returning(schema.runs.c.id)
            )
            return result.scalar_one()

    def recent_runs(self, limit: int = 20) -> list[Run]:
        """The latest ingest runs, newest first."""
        with self._engine.connect() as conn:
            rows = conn.execute(
                select(schema.runs)
                .order_by(schema.runs.c.started_at.desc(), schema.runs.c.id.desc())
                .limit(limit)
            ).all()
        return [
            Run(
                started_at=_as_utc(row.started_at),
                finished_at=_as_utc(row.finished_at),
                sources=row.sources,
                articles_seen=row.articles_seen,
                articles_new=row.articles_new,
                articles_skipped=row.articles_skipped,
                events=row.events,
                failures=row.failures,
            )
            for row in rows
        ]
