"""The JSON API under /api: events, articles, statistics, the audit trail, and the two writes.

Reads are open. Writes (ingest, review) need `Authorization: Bearer <token>` matching the token the
operator started the server with; a server started without a token is read-only. Every parameter
is bounded and every error is one JSON shape (`ApiError`), each status declared in the OpenAPI
document, so a client can rely on the document alone.
"""

from __future__ import annotations

import hmac
import io
import json
import math
import threading
from enum import StrEnum
from typing import Annotated, Any, Literal

from fastapi import APIRouter, Body, Depends, HTTPException, Path, Query, Request, Response
from fastapi.security import HTTPAuthorizationCredentials, HTTPBearer

from conflictlens.export import write_geojson
from conflictlens.ingest import ReadFailure, parse_text_article
from conflictlens.ingest.fetch import Fetcher, RefusedAddress
from conflictlens.ingest.readers import is_url, read_url
from conflictlens.linking import report_differences
from conflictlens.models import Article, Event
from conflictlens.pipeline import Ingestion
from conflictlens.store import CORRECTABLE_FIELDS, EVENT_ORDERS, ReviewError, Store
from conflictlens.web import queries
from conflictlens.web.limits import WriteRateLimit
from conflictlens.web.schemas import (
    MAX_NAME_CHARS,
    ApiError,
    ArticleDetail,
    ArticlePage,
    Audit,
    EventDetail,
    EventPage,
    FieldInfo,
    IngestResult,
    IngestTextIn,
    IngestUrlsIn,
    IsoDate,
    Mention,
    Meta,
    ReviewIn,
    ReviewOut,
    ReviewResult,
    Stats,
    StatsDimension,
    VerdictIn,
)

router = APIRouter(prefix="/api")

EventOrder = StrEnum("EventOrder", {order: order for order in EVENT_ORDERS})
ReviewStatusFilter = StrEnum(
    "ReviewStatusFilter", {s: s for s in ("unreviewed", "confirmed", "corrected", "rejected")}
)

# Rows one listing may return: enough for a map of a busy region, bounded for the server's sake.
MAX_PAGE = 500
MAX_GEOJSON = 20_000
# Past this a page is empty for any dataset the server holds; larger numbers overflow the database.
MAX_OFFSET = 10_000_000
MAX_ID_CHARS = 200
READ_ONLY_MESSAGE = (
    "this server is read-only: start it with --token (or CONFLICTLENS_TOKEN) to allow writes"
)

_bearer = HTTPBearer(auto_error=False, description="the token the server was started with")


def _error(description: str) -> dict[str, Any]:
    return {"model": ApiError, "description": description}


# What each kind of operation can answer besides 200, all in the ApiError shape.
READ_ERRORS: dict[int | str, dict[str, Any]] = {422: _error("an invalid parameter (see `errors`)")}
ONE_ERRORS = {**READ_ERRORS, 404: _error("not found")}
WRITE_ERRORS: dict[int | str, dict[str, Any]] = {
    **READ_ERRORS,
    400: _error("a body that is not readable JSON"),
    401: _error("no bearer token"),
    403: _error("a wrong token, a read-only server, or (URL ingest) a refused address"),
    413: _error("a body over the size limit"),
    415: _error("a body that is not application/json"),
    429: {
        **_error("too many writes from this client; try again after Retry-After seconds"),
        "headers": {
            "Retry-After": {"description": "seconds to wait", "schema": {"type": "integer"}}
        },
    },
}


def get_store(request: Request) -> Store:
    return request.app.state.store


def limit_writes(request: Request) -> None:
    """429 with Retry-After when this client has spent its writes (before the token check, so
    guessing tokens is slowed down too)."""
    limiter: WriteRateLimit = request.app.state.write_limit
    wait = limiter.take(request.client.host if request.client else "unknown")
    if wait > 0:
        raise HTTPException(
            429,
            f"too many writes: try again in {math.ceil(wait)} s",
            headers={"Retry-After": str(math.ceil(wait))},
        )


StoreDep = Annotated[Store, Depends(get_store)]


def require_token(
    request: Request,
    credentials: Annotated[HTTPAuthorizationCredentials | None, Depends(_bearer)],
) -> None:
    """Writes: 403 on a read-only server, 401 without a bearer token, 403 with a wrong one."""
    token: str | None = request.app.state.token
    if token is None:
        raise HTTPException(403, READ_ONLY_MESSAGE)
    if credentials is None:
        raise HTTPException(
            401,
            "this write needs 'Authorization: Bearer <token>'",
            headers={"WWW-Authenticate": "Bearer"},
        )
    if not hmac.compare_digest(credentials.credentials.encode(), token.encode()):
        raise HTTPException(403, "wrong token")


Name = Annotated[str | None, Query(max_length=MAX_NAME_CHARS)]
Offset = Annotated[int, Query(ge=0, le=MAX_OFFSET, description="rows to skip")]
ItemId = Annotated[str, Path(max_length=MAX_ID_CHARS)]


def event_filters(
    country: Annotated[Name, Query(description="country name or ISO alpha-2 code")] = None,
    admin1: Annotated[Name, Query(description="first-level region")] = None,
    since: Annotated[
        IsoDate | None, Query(description="from this date (YYYY-MM-DD), inclusive")
    ] = None,
    until: Annotated[
        IsoDate | None, Query(description="up to this date (YYYY-MM-DD), inclusive")
    ] = None,
    event_type: Annotated[Name, Query(description="ACLED event type")] = None,
    kind: Literal["incident", "aggregate"] | None = None,
    actor: Annotated[Name, Query(description="canonical actor name (either side)")] = None,
    min_fatalities: Annotated[int | None, Query(ge=0, le=2**31 - 1)] = None,
    text: Annotated[
        str | None,
        Query(
            max_length=200,
            description="words of the record (any field), case-insensitive; every word must occur, the last one as a prefix",
        ),
    ] = None,
    review_status: ReviewStatusFilter | None = None,
    include_rejected: Annotated[
        bool, Query(description="also list rejected events (left out by default)")
    ] = False,
) -> dict[str, Any]:
    return {
        "country": country or None,
        "admin1": admin1 or None,
        "since": since,
        "until": until,
        "event_type": event_type or None,
        "kind": kind,
        "actor": actor or None,
        "min_fatalities": min_fatalities,
        "text": text or None,
        "review_status": review_status.value if review_status else None,
        "include_rejected": include_rejected,
    }


FiltersDep = Annotated[dict[str, Any], Depends(event_filters)]


@router.get("/meta", response_model=Meta, summary="What the dataset holds, for filter lists")
def meta(request: Request, store: StoreDep) -> Meta:
    first, last = queries.date_range(store)
    schema = Event.model_json_schema()
    return Meta(
        writable=request.app.state.token is not None,
        events=store.count_events(include_rejected=False),
        articles=store.count_articles(),
        first_date=first,
        last_date=last,
        countries=sorted(queries.distinct_values(store, "country")),
        event_types=sorted(queries.distinct_values(store, "event_type")),
        actors=queries.top_actors(store, 300),
        correctable_fields=[
            FieldInfo(name=name, type=_field_type(schema["properties"][name]))
            for name in Event.model_fields
            if name in CORRECTABLE_FIELDS
        ],
        orders=list(EVENT_ORDERS),
    )


def _field_type(prop: dict[str, Any]) -> str:
    """A form-friendly type of one Event field from its JSON schema."""
    options = prop.get("anyOf", [prop])
    for option in options:
        kind = option.get("type")
        if kind == "null":
            continue
        if option.get("format") == "date":
            return "date"
        return {"array": "list"}.get(kind, kind or "string")
    return "string"


@router.get(
    "/events",
    response_model=EventPage,
    summary="Events: filter, sort, paginate",
    responses=READ_ERRORS,
)
def list_events(
    store: StoreDep,
    filters: FiltersDep,
    order: EventOrder = EventOrder["date"],
    limit: Annotated[int, Query(ge=1, le=MAX_PAGE)] = 50,
    offset: Offset = 0,
) -> EventPage:
    total = store.count_events(**filters)
    items = store.events(**filters, order=order.value, limit=limit, offset=offset)
    return EventPage(total=total, limit=limit, offset=offset, items=items)


@router.get(
    "/events.geojson",
    summary="Events as a GeoJSON FeatureCollection",
    response_class=Response,
    responses={
        200: {"content": {"application/geo+json": {"schema": {"type": "object"}}}},
        **READ_ERRORS,
    },
)
def events_geojson(
    store: StoreDep,
    filters: FiltersDep,
    order: EventOrder = EventOrder["date"],
    limit: Annotated[int, Query(ge=1, le=MAX_GEOJSON)] = 5000,
    offset: Offset = 0,
    brief: Annotated[
        bool,
        Query(description="only the properties a map needs instead of the full Event record"),
    ] = False,
) -> Response:
    events = store.iter_events(**filters, order=order.value, limit=limit, offset=offset)
    buffer = io.StringIO()
    if brief:
        _write_brief_geojson(events, buffer)
    else:
        write_geojson(events, buffer)
    return Response(buffer.getvalue(), media_type="application/geo+json")


# The values a map marker and its popup show.
BRIEF_PROPERTIES = (
    "event_id",
    "kind",
    "event_date",
    "event_type",
    "sub_event_type",
    "fatalities",
    "location",
    "admin1",
    "country",
    "actor1",
    "actor2",
)


def _write_brief_geojson(events: Any, fp: io.StringIO) -> None:
    features = [
        {
            "type": "Feature",
            "id": event.event_id,
            "geometry": {"type": "Point", "coordinates": [event.longitude, event.latitude]},
            "properties": {k: v for k, v in event.to_json_dict().items() if k in BRIEF_PROPERTIES},
        }
        for event in events
        if event.latitude is not None and event.longitude is not None
    ]
    json.dump({"type": "FeatureCollection", "features": features}, fp, ensure_ascii=False)


@router.get(
    "/events/{event_id}",
    response_model=EventDetail,
    summary="One event with each report's values, its articles, evidence and audit trail",
    responses=ONE_ERRORS,
)
def get_event(event_id: ItemId, store: StoreDep) -> EventDetail:
    event = store.get_event(event_id)
    status = store.review_status(event_id)
    if event is None or status is None:
        raise HTTPException(404, "no such event")
    mentions = store.mentions_of(event.event_id)
    briefs = queries.article_briefs(store, [article_id for article_id, _ in mentions])
    return EventDetail(
        event=event,
        review_status=status[0],
        corrections=status[1],
        mentions=[
            Mention(article=briefs[article_id], reported=reported)
            for article_id, reported in mentions
            if article_id in briefs
        ],
        differences=report_differences([reported for _, reported in mentions]),
        reviews=[ReviewOut(**vars(entry)) for entry in store.reviews(event.event_id)],
    )


@router.post(
    "/events/{event_id}/review",
    response_model=ReviewResult,
    summary="Confirm, correct, reject or reopen an event (needs the token)",
    dependencies=[Depends(limit_writes), Depends(require_token)],
    responses={**WRITE_ERRORS, 404: _error("no such event")},
)
def review_event(
    event_id: ItemId, review: Annotated[ReviewIn, Body()], store: StoreDep
) -> ReviewResult:
    fields = (
        None
        if isinstance(review, VerdictIn)
        else review.fields.model_dump(mode="json", exclude_unset=True)
    )
    try:
        event = store.review_event(
            event_id, review.action, reviewer=review.reviewer, fields=fields, note=review.note
        )
    except KeyError:
        raise HTTPException(404, "no such event") from None
    except ReviewError as exc:
        raise HTTPException(422, str(exc)) from None
    status = store.review_status(event.event_id)
    assert status is not None
    return ReviewResult(event=event, review_status=status[0], corrections=status[1])


@router.get(
    "/articles",
    response_model=ArticlePage,
    summary="Stored articles, newest first",
    responses=READ_ERRORS,
)
def list_articles(
    store: StoreDep,
    limit: Annotated[int, Query(ge=1, le=MAX_PAGE)] = 50,
    offset: Offset = 0,
) -> ArticlePage:
    total, items = queries.list_articles(store, limit=limit, offset=offset)
    return ArticlePage(total=total, limit=limit, offset=offset, items=items)


@router.get(
    "/articles/{article_id}",
    response_model=ArticleDetail,
    summary="One article: its text (untrusted: escape it) and the events it reports",
    responses=ONE_ERRORS,
)
def get_article(article_id: ItemId, store: StoreDep) -> ArticleDetail:
    article = store.get_article(article_id)
    brief = queries.article_briefs(store, [article_id]).get(article_id)
    if article is None or brief is None:
        raise HTTPException(404, "no such article")
    return ArticleDetail(
        **brief.model_dump(),
        text=article.text,
        source=article.source,
        reported_events=queries.reported_events(store, article_id),
    )


@router.get(
    "/stats",
    response_model=Stats,
    summary="Events and fatalities by week, month, country, admin1, actor or event type",
    responses=READ_ERRORS,
)
def stats(
    store: StoreDep,
    filters: FiltersDep,
    by: StatsDimension = "month",
    limit: Annotated[
        int | None, Query(ge=1, le=1000, description="top rows only (not for week or month)")
    ] = None,
) -> Stats:
    return queries.statistics(store, by, filters, limit=limit)


@router.get(
    "/audit",
    response_model=Audit,
    summary="The review trail and the rejected events",
    responses=READ_ERRORS,
)
def audit(store: StoreDep, limit: Annotated[int, Query(ge=1, le=1000)] = 200) -> Audit:
    return Audit(
        reviews=[ReviewOut(**vars(entry)) for entry in store.reviews(limit=limit)],
        rejected=store.events(review_status="rejected", order="-date", limit=limit),
    )


# One ingest at a time: extraction is CPU-bound and a SQLite file takes one writer anyway.
_ingest_lock = threading.Lock()


def _ingest(store: Store, items: list[Article | ReadFailure], sources: list[str]) -> IngestResult:
    with _ingest_lock:
        ingestion = Ingestion(store, sources=sources)
        for item in items:
            ingestion.add(item)
        event_ids = ingestion.finish()
    report = ingestion.report.to_dict()
    return IngestResult(**report, event_ids=event_ids)


@router.post(
    "/ingest/text",
    response_model=IngestResult,
    summary="Ingest one article's text (needs the token)",
    dependencies=[Depends(limit_writes), Depends(require_token)],
    responses=WRITE_ERRORS,
)
def ingest_text(body: IngestTextIn, store: StoreDep) -> IngestResult:
    defaults = {
        key: str(value)
        for key, value in body.model_dump(exclude={"text"}).items()
        if value is not None
    }
    source = f"api:{body.url or body.title or 'text'}"
    item = parse_text_article(body.text, source=source, defaults=defaults)
    return _ingest(store, [item], [source])


@router.post(
    "/ingest/urls",
    response_model=IngestResult,
    summary="Fetch and ingest articles by URL (needs the token)",
    description=(
        "Only http(s) addresses on the public internet: a URL whose host resolves to this "
        "server's own networks (loopback, private, link-local, cloud metadata) is refused with "
        "403 and the reason, unless the operator allowed that network (`--allow-net`). The "
        "fetcher checks every connection again, redirects included."
    ),
    dependencies=[Depends(limit_writes), Depends(require_token)],
    responses=WRITE_ERRORS,
)
def ingest_urls(body: IngestUrlsIn, request: Request, store: StoreDep) -> IngestResult:
    with Fetcher(request.app.state.fetch_settings) as fetcher:
        try:
            for url in body.urls:
                fetcher.guard.check_url(url)
        except RefusedAddress as refused:
            raise HTTPException(403, refused.reason) from None
        items = [
            item
            for url in body.urls
            for item in (
                read_url(url, fetcher) if is_url(url) else [ReadFailure(url, "not a valid URL")]
            )
        ]
        return _ingest(store, items, body.urls)
