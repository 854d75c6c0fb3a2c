"""Reviews: an analyst confirms, corrects, rejects or reopens an event; every action is audited."""

from __future__ import annotations

from datetime import UTC, datetime
from typing import Any

from pydantic import ValidationError
from sqlalchemy import (
    insert,
    select,
    update,
)

from conflictlens.models import Event
from conflictlens.store import schema
from conflictlens.store.base import (
    CORRECTABLE_FIELDS,
    ReviewAction,
    ReviewEntry,
    ReviewError,
    ReviewStatus,
    StoreBase,
    _as_utc,
    _event_columns,
    _resolve_event_id,
    retry_when_busy,
)


class ReviewsMixin(StoreBase):
    """Review state of events and the audit trail of every review action."""

    def review_status(self, event_id: str) -> tuple[ReviewStatus, dict[str, Any]] | None:
        """(review status, the analyst's corrections) of an event, by its id or a former id."""
        with self._engine.connect() as conn:
            current = _resolve_event_id(conn, event_id)
            row = conn.execute(
                select(schema.events.c.review_status, schema.events.c.corrections).where(
                    schema.events.c.event_id == current
                )
            ).one_or_none()
        return None if row is None else (row.review_status, dict(row.corrections or {}))

    @retry_when_busy
    def review_event(
        self,
        event_id: str,
        action: ReviewAction,
        *,
        reviewer: str,
        fields: dict[str, Any] | None = None,
        note: str | None = None,
    ) -> Event:
        """Confirm, correct (`fields`: field -> new value), reject or reopen an event.

        Corrections are kept beside the machine's values and re-applied whenever linking rebuilds
        the event, so re-extraction never overwrites them. Every action adds an audit entry with
        the changed values before and after. Raises KeyError for an unknown event, ReviewError for
        a correction the record cannot hold.
        """
        if not reviewer.strip():
            raise ReviewError("a review needs a reviewer name")
        if action == "correct" and not fields:
            raise ReviewError("a correction needs at least one field")
        if action != "correct" and fields:
            raise ReviewError(f"{action!r} takes no fields; use 'correct'")
        with self._engine.begin() as conn:
            current = _resolve_event_id(conn, event_id)
            row = (
                None
                if current is None
                else conn.execute(
                    select(schema.events).where(schema.events.c.event_id == current)
                ).one_or_none()
            )
            if row is None:
                raise KeyError(event_id)
            corrections = dict(row.corrections or {})
            if action == "correct":
                assert fields is not None
                unknown = sorted(set(fields) - CORRECTABLE_FIELDS)
                if unknown:
                    raise ReviewError(f"cannot correct {', '.join(unknown)}")
                corrections.update(fields)
            status = _status_after(action, bool(corrections))
            try:
                corrected = Event.model_validate({**row.record, **corrections})
            except ValidationError as exc:
                raise ReviewError(_first_validation_error(exc)) from None
            record = corrected.to_json_dict()
            before = {k: row.record.get(k) for k in fields or {}}
            after = {k: record.get(k) for k in fields or {}}
            before["review_status"], after["review_status"] = row.review_status, status
            conn.execute(
                update(schema.events)
                .where(schema.events.c.event_id == current)
                .values(
                    record=record,
                    review_status=status,
                    corrections=corrections or None,
                    **_event_columns(corrected),
                )
            )
            conn.execute(
                insert(schema.reviews).values(
                    event_id=current,
                    reviewer=reviewer,
                    at=datetime.now(UTC),
                    action=action,
                    before=before,
                    after=after,
                    note=note,
                )
            )
        return corrected

    def reviews(self, event_id: str | None = None, *, limit: int = 100) -> list[ReviewEntry]:
        """The audit trail, newest first: of one event (by any of its ids) or of the whole dataset."""
        statement = select(schema.reviews).order_by(
            schema.reviews.c.at.desc(), schema.reviews.c.id.desc()
        )
        with self._engine.connect() as conn:
            if event_id is not None:
                current = _resolve_event_id(conn, event_id) or event_id
                statement = statement.where(schema.reviews.c.event_id == current)
            rows = conn.execute(statement.limit(limit)).all()
        return [
            ReviewEntry(
                id=row.id,
                event_id=row.event_id,
                reviewer=row.reviewer,
                at=_as_utc(row.at),
                action=row.action,
                before=row.before,
                after=row.after,
                note=row.note,
            )
            for row in rows
        ]


def _status_after(action: ReviewAction, corrected: bool) -> ReviewStatus:
    if action == "reject":
        return "rejected"
    if action == "confirm":
        return "confirmed"
    # A correction, or a reopened event that still carries corrections.
    return "corrected" if corrected else "unreviewed"


def _first_validation_error(exc: ValidationError) -> str:
    error = exc.errors()[0]
    where = ".".join(str(part) for part in error["loc"])
    return f"{where}: {error['msg']}"
