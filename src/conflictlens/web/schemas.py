"""The API's request and response bodies; the Event record itself is `conflictlens.models.Event`."""

from __future__ import annotations

from datetime import date, datetime
from typing import Any, Literal

from pydantic import BaseModel, Field

from conflictlens.linking.merge import ReportDifferences
from conflictlens.models import Event

StatsDimension = Literal["week", "month", "country", "admin1", "actor", "event_type"]


class EventPage(BaseModel):
    """One page of a listing: `total` counts every event that matches, not just this page."""

    total: int
    limit: int
    offset: int
    items: list[Event]


class ArticleBrief(BaseModel):
    id: str
    title: str | None = None
    url: str | None = None
    outlet: str | None = None
    published: date | None = None
    status: str = "ok"
    events: int = Field(0, description="how many events this article reports")


class ArticlePage(BaseModel):
    total: int
    limit: int
    offset: int
    items: list[ArticleBrief]


class ReportedEvent(BaseModel):
    """An event an article reports: the event as the dataset keeps it and as this article gave it."""

    position: int
    event: Event | None = Field(description="the merged event (None if it was removed)")
    reported: Event = Field(description="the event as this article alone reported it")


class ArticleDetail(ArticleBrief):
    text: str
    source: str | None = None
    reported_events: list[ReportedEvent]


class Mention(BaseModel):
    """One report of an event: the article and the values that article alone gave."""

    article: ArticleBrief
    reported: Event


class ReviewOut(BaseModel):
    id: int
    event_id: str
    reviewer: str
    at: datetime
    action: str
    before: dict[str, Any]
    after: dict[str, Any]
    note: str | None = None


class EventDetail(BaseModel):
    event: Event
    review_status: str
    corrections: dict[str, Any]
    mentions: list[Mention]
    differences: ReportDifferences = Field(
        description="where the reports disagree: toll range, places and attackers named, dates"
    )
    reviews: list[ReviewOut]


class StatsRow(BaseModel):
    key: str = Field(
        description="week (YYYY-Www), month (YYYY-MM), or the value; 'unknown' if none"
    )
    start: date | None = Field(None, description="first day of the week or month")
    country: str | None = Field(None, description="the country of a first-level region")
    events: int
    fatalities: int = Field(description="summed over incidents (aggregates are tallies)")


class Stats(BaseModel):
    by: StatsDimension
    total_events: int
    total_fatalities: int
    rows: list[StatsRow]


class FieldInfo(BaseModel):
    name: str
    type: str = Field(description="integer, number, string, boolean, date, list or object")


class Meta(BaseModel):
    """What the desk needs to build its filter bar and forms."""

    writable: bool = Field(description="whether the server accepts writes (a token is set)")
    events: int
    articles: int
    first_date: date | None
    last_date: date | None
    countries: list[str]
    event_types: list[str]
    actors: list[str]
    correctable_fields: list[FieldInfo]
    orders: list[str]


class ReviewIn(BaseModel):
    action: Literal["confirm", "correct", "reject", "reopen"]
    reviewer: str = Field(min_length=1, max_length=200)
    fields: dict[str, Any] | None = Field(None, description="correct only: field -> new value")
    note: str | None = Field(None, max_length=5000)


class ReviewResult(BaseModel):
    event: Event
    review_status: str
    corrections: dict[str, Any]


class IngestTextIn(BaseModel):
    text: str = Field(min_length=1)
    title: str | None = None
    url: str | None = None
    outlet: str | None = None
    published: date | None = None


class IngestUrlsIn(BaseModel):
    urls: list[str] = Field(min_length=1, max_length=500)


class IngestResult(BaseModel):
    articles: int
    new: int
    duplicates: int
    events: int
    skipped: dict[str, int]
    failures: list[dict[str, str]]
    event_ids: list[str]


class Audit(BaseModel):
    reviews: list[ReviewOut]
    rejected: list[Event]
