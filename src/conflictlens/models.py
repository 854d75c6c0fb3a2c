"""Typed records shared by every stage: the Article that comes in and the Event record v1 that goes out.

One JSON serialisation is used everywhere (CLI, storage, API, exports): `model_dump(mode="json")`.
"""

from __future__ import annotations

import hashlib
import re
import unicodedata
from datetime import date
from typing import Literal

from pydantic import BaseModel, ConfigDict, Field

SCHEMA_VERSION = 1

EventKind = Literal["incident", "aggregate"]

# Flags say what the extractor could not establish, so no default ever passes for data.
FLAG_DATE_UNRESOLVED = "date_unresolved"
FLAG_NO_PUBLICATION_DATE = "no_publication_date"
FLAG_PLACE_NOT_FOUND = "place_not_found"
FLAG_PLACE_REGION_ONLY = "place_region_only"
# The event is at an unnamed town or village given only relative to the place coded ("a town
# north of Baghdad"): near it, precision 2, perhaps across a provincial line.
FLAG_PLACE_NEAR_UNNAMED = "place_near_unnamed"
# The district is the nearest district's: the gazetteer had no district code for the place.
FLAG_ADMIN2_DERIVED = "admin2_derived"
FLAG_COUNT_VAGUE = "count_vague"
FLAG_ACTOR_SUSPECTED = "actor_suspected"
FLAG_ACTOR_UNKNOWN = "actor_unknown"


def normalise_text(text: str) -> str:
    """The form of an article's text used for hashing: NFC, unified newlines, collapsed blanks."""
    text = unicodedata.normalize("NFC", text).replace("\r\n", "\n").replace("\r", "\n")
    text = re.sub(r"[ \t\u00a0]+", " ", text)
    return re.sub(r"\s*\n\s*", "\n", text).strip()


def content_hash(text: str) -> str:
    return hashlib.sha256(normalise_text(text).casefold().encode("utf-8")).hexdigest()


class Article(BaseModel):
    """A report as read; `text` is what evidence offsets point into."""

    model_config = ConfigDict(frozen=False)

    id: str
    text: str
    title: str | None = None
    url: str | None = None
    outlet: str | None = None
    published: date | None = None
    language: str | None = None
    content_hash: str = ""
    source: str | None = Field(
        default=None, description="where it was read from: a path, URL or dump row"
    )

    def model_post_init(self, __context: object) -> None:
        if not self.content_hash:
            self.content_hash = content_hash(self.text)

    @staticmethod
    def id_for(text: str) -> str:
        """A stable id for an article that came without one: same text, same id."""
        return "a" + content_hash(text)[:15]


class Evidence(BaseModel):
    article_id: str
    field: str
    start: int
    end: int
    text: str


class Event(BaseModel):
    """Event record, version 1: the public contract (docs/event-record.md). `flags` lists what is
    uncertain."""

    event_id: str
    kind: EventKind = "incident"
    event_date: date | None = None
    time_precision: int | None = Field(default=None, ge=1, le=4)
    event_type: str | None = None
    sub_event_type: str | None = None
    actor1: str | None = None
    assoc_actor_1: list[str] = Field(default_factory=list)
    actor2: str | None = None
    assoc_actor_2: list[str] = Field(default_factory=list)
    inter1: str | None = None
    inter2: str | None = None
    civilian_targeting: bool = False
    country: str | None = None
    country_code: str | None = None
    admin1: str | None = None
    admin2: str | None = None
    location: str | None = None
    latitude: float | None = None
    longitude: float | None = None
    geo_precision: int | None = Field(default=None, ge=1, le=3)
    geonames_id: int | None = None
    fatalities: int | None = None
    fatalities_low: int | None = None
    fatalities_high: int | None = None
    fatalities_by_side: dict[str, int] = Field(default_factory=dict)
    wounded: int | None = None
    arrested: int | None = None
    abducted: int | None = None
    claimed_by: str | None = None
    tags: list[str] = Field(default_factory=list)
    sources: list[str] = Field(default_factory=list)
    outlets: list[str] = Field(default_factory=list)
    notes: str = ""
    articles: list[str] = Field(default_factory=list)
    evidence: list[Evidence] = Field(default_factory=list)
    confidence: float = Field(default=0.5, ge=0.0, le=1.0)
    flags: list[str] = Field(default_factory=list)

    def to_json_dict(self) -> dict:
        return self.model_dump(mode="json")

    @staticmethod
    def id_for(*parts: object) -> str:
        """A stable id from the values that identify an event: same input, same id."""
        key = "\x1f".join("" if p is None else str(p) for p in parts)
        return "ev" + hashlib.sha256(key.encode("utf-8")).hexdigest()[:16]
