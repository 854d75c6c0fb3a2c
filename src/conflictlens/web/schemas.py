"""The API's request and response bodies; the Event record itself is `conflictlens.models.Event`."""

from __future__ import annotations

import re
import types
from datetime import date, datetime
from typing import Annotated, Any, Literal, Union, get_args, get_origin

from pydantic import (
    AfterValidator,
    BaseModel,
    BeforeValidator,
    ConfigDict,
    Field,
    WithJsonSchema,
    create_model,
    model_validator,
)

from conflictlens.linking.merge import ReportDifferences
from conflictlens.models import Event
from conflictlens.store import CORRECTABLE_FIELDS

StatsDimension = Literal["week", "month", "country", "admin1", "actor", "event_type"]

# Bounds on what a request may carry: a page of text is an article, a longer one is a mistake or
# an attack, and numbers past a database integer would fail in the store instead of at the door.
MAX_TEXT_CHARS = 200_000
MAX_NAME_CHARS = 500
MAX_NOTE_CHARS = 5_000
MAX_URL_CHARS = 2_048
MAX_LIST_ITEMS = 100
MAX_COUNT = 2**31 - 1

# Some character that is not white space, the same in Python's and JSON Schema's regex dialects
# (their \s differ on \x1c-\x1f, \x85 and \ufeff, so those count as blank in both).
NOT_BLANK = r"[^\s\x1c-\x1f\x85\ufeff]"
_ISO_DATE = re.compile(r"\d{4}-\d{2}-\d{2}")


def _iso_date_only(value: object) -> object:
    """Dates are YYYY-MM-DD strings: pydantic alone would read 0 or 1.7e9 as a Unix timestamp."""
    if isinstance(value, date):
        return value
    if not isinstance(value, str) or not _ISO_DATE.fullmatch(value):
        raise ValueError("a date is written YYYY-MM-DD")
    return date.fromisoformat(value)


IsoDate = Annotated[
    date,
    BeforeValidator(_iso_date_only),
    WithJsonSchema({"type": "string", "format": "date", "pattern": r"^\d{4}-\d{2}-\d{2}$"}),
]
NonBlank = Annotated[str, Field(min_length=1, max_length=200, pattern=NOT_BLANK)]


class ApiError(BaseModel):
    """Every error the API answers: a message for people, and for invalid input what was wrong."""

    detail: str = Field(description="what went wrong, in words")
    errors: list[FieldError] = Field(
        default_factory=list, description="invalid input only: each field and its problem"
    )


class FieldError(BaseModel):
    loc: list[str | int] = Field(description="where: body, query or path, then the field")
    msg: str
    type: str


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


def _json_number(value: object) -> object:
    """A JSON number: 3.0 is the integer 3 (as JSON Schema has it), but `true` and "3" are not."""
    if isinstance(value, bool) or not isinstance(value, int | float):
        raise ValueError("a number is expected")
    return value


def _bounded(annotation: Any, name: str, low: float | None, high: float | None) -> Any:
    """An Event field's type with the bounds a correction must keep (ranges, lengths, ISO dates).

    `low`/`high` are the Event's own limits (time_precision 1..4, confidence 0..1), kept.
    """
    if get_origin(annotation) in (Union, types.UnionType):
        options = [_bounded(option, name, low, high) for option in get_args(annotation)]
        return Union[tuple(options)]  # noqa: UP007 (built from a runtime list)
    if annotation is int:
        return Annotated[
            int,
            Field(strict=False, ge=low or 0, le=high or MAX_COUNT),
            BeforeValidator(_json_number),
        ]
    if annotation is float:
        limit = {"latitude": 90.0, "longitude": 180.0}.get(name)
        if limit is not None:
            low, high = -limit, limit
        return Annotated[
            float,
            Field(strict=False, ge=low, le=high, allow_inf_nan=False),
            BeforeValidator(_json_number),
        ]
    if annotation is str:
        return Annotated[str, Field(max_length=MAX_NOTE_CHARS)]
    if annotation is date:
        return IsoDate
    name_type = Annotated[str, Field(max_length=MAX_NAME_CHARS)]
    if get_origin(annotation) is list:
        return Annotated[list[name_type], Field(max_length=MAX_LIST_ITEMS)]
    if get_origin(annotation) is dict:
        count_type = Annotated[
            int, Field(strict=False, ge=0, le=MAX_COUNT), BeforeValidator(_json_number)
        ]
        return Annotated[dict[name_type, count_type], Field(max_length=MAX_LIST_ITEMS)]
    return annotation


def _correction_fields() -> dict[str, Any]:
    """Each correctable Event field, optional, with the Event's own constraints and the bounds."""
    fields: dict[str, Any] = {}
    for name, info in Event.model_fields.items():
        if name not in CORRECTABLE_FIELDS:
            continue
        low = next((m.ge for m in info.metadata if hasattr(m, "ge")), None)
        high = next((m.le for m in info.metadata if hasattr(m, "le")), None)
        fields[name] = (_bounded(info.annotation, name, low, high), None)
    return fields


def _corrections_schema(schema: dict[str, Any]) -> None:
    """No field has a default worth sending: each one left out is simply not corrected."""
    schema["minProperties"] = 1
    for prop in schema["properties"].values():
        prop.pop("default", None)


class _AtLeastOneField(BaseModel):
    # Strict: `true` is not a confidence and "3" is not a count, whatever pydantic could coerce.
    model_config = ConfigDict(extra="forbid", strict=True, json_schema_extra=_corrections_schema)

    @model_validator(mode="after")
    def _not_empty(self) -> _AtLeastOneField:
        if not self.model_fields_set:
            raise ValueError("a correction needs at least one field")
        return self


Corrections = create_model("Corrections", __base__=_AtLeastOneField, **_correction_fields())


class _ReviewBase(BaseModel):
    model_config = ConfigDict(extra="forbid", strict=True)

    reviewer: NonBlank
    note: str | None = Field(None, max_length=MAX_NOTE_CHARS)


class VerdictIn(_ReviewBase):
    """Confirm, reject or reopen: a verdict on the event as it stands, without new values."""

    action: Literal["confirm", "reject", "reopen"]
    fields: None = Field(None, description="only a correction carries fields")


class CorrectionIn(_ReviewBase):
    """Correct: new values for one or more fields, kept beside the machine's values."""

    action: Literal["correct"]
    fields: Corrections = Field(description="field -> new value")  # type: ignore[valid-type]


ReviewIn = Annotated[VerdictIn | CorrectionIn, Field(discriminator="action")]


class ReviewResult(BaseModel):
    event: Event
    review_status: str
    corrections: dict[str, Any]


class IngestTextIn(BaseModel):
    model_config = ConfigDict(extra="forbid", strict=True)

    text: str = Field(min_length=1, max_length=MAX_TEXT_CHARS, pattern=NOT_BLANK)
    title: str | None = Field(None, max_length=MAX_NAME_CHARS)
    url: str | None = Field(None, max_length=MAX_URL_CHARS)
    outlet: str | None = Field(None, max_length=MAX_NAME_CHARS)
    published: IsoDate | None = None


# ASCII classes only: Python's \s and JSON Schema's differ on a few control characters.
_HTTP_URL = r"^[Hh][Tt][Tt][Pp][Ss]?://[^\x00-\x20/?#@\\]+(?:[/?#][^\x00-\x20]*)?$"


def _http_url(value: str) -> str:
    """Only web addresses: a path or file: URL would have the server read its own files."""
    if not re.fullmatch(_HTTP_URL, value):
        raise ValueError(f"not an http(s) URL: {value[:100]!r}")
    return value


HttpUrl = Annotated[
    str,
    Field(max_length=MAX_URL_CHARS),
    AfterValidator(_http_url),
    WithJsonSchema(
        {
            "type": "string",
            "maxLength": MAX_URL_CHARS,
            "pattern": _HTTP_URL,
            "description": "an http(s) address; one on this server's own network is refused (403)",
        }
    ),
]


class IngestUrlsIn(BaseModel):
    model_config = ConfigDict(extra="forbid", strict=True)

    urls: list[HttpUrl] = Field(min_length=1, max_length=500)


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
