"""The HTTP API through FastAPI's TestClient, on a database written directly (no extraction).

Reports are written for these tests; every expected value is computed from the fixture events, so a
wrong filter, page or sum shows up as a difference from what the data says.
"""

from __future__ import annotations

import re
from collections.abc import Iterator
from dataclasses import dataclass, field
from datetime import date
from itertools import pairwise
from pathlib import Path
from typing import Any

import pytest
from fastapi.testclient import TestClient

from conflictlens.models import Article, Event, Evidence
from conflictlens.store import Store
from conflictlens.web import create_app

TOKEN = "s3cret-token"
PLANTED = "<script>window.__pwned = 1</script>"
PLANTED_IMG = '<img src=x onerror="window.__pwned = 2">'


@dataclass
class Report:
    article: Article
    events: list[Event] = field(default_factory=list)


def _evidence(article: Article, field_name: str, words: str) -> Evidence:
    start = article.text.index(words)
    return Evidence(
        article_id=article.id, field=field_name, start=start, end=start + len(words), text=words
    )


def _reports() -> list[Report]:
    borno = Article(
        id="ng-borno",
        title="Gunmen kill farmers near Gwoza",
        outlet="Sahel Wire",
        published=date(2024, 3, 6),
        url="https://sahelwire.example/ng/gwoza-farmers",
        text=(
            "Gunmen killed 12 farmers working their fields outside Gwoza in Borno State on "
            "Tuesday, a local vigilante leader said. Residents blamed Boko Haram fighters who "
            "have raided the area repeatedly since January."
        ),
    )
    borno_later = Article(
        id="ng-borno-2",
        title="Death toll in Gwoza attack rises",
        outlet="Lake Chad Monitor",
        published=date(2024, 3, 7),
        text=(
            "The number of farmers killed in Tuesday's attack near Gwoza rose to 14 after two of "
            "the wounded died in hospital in Maiduguri, a health official said."
        ),
    )
    mopti = Article(
        id="ml-mopti",
        title="Army and jihadists clash in central Mali",
        outlet="Niger Bend Daily",
        published=date(2024, 4, 3),
        text=(
            "Seven soldiers died when JNIM fighters attacked an army post near Boni in Mopti "
            "region on 20 March, the armed forces said. On 2 April a roadside bomb killed three "
            "traders on the road to Douentza."
        ),
    )
    kirkuk = Article(
        id="iq-kirkuk",
        title="Bomb kills four in Kirkuk " + PLANTED,
        outlet="Tigris Post",
        published=date(2024, 4, 16),
        text=(
            f"A bomb hidden in a parked car killed four people at a market in Kirkuk on Monday, "
            f"police said. {PLANTED} Witnesses described panic. {PLANTED_IMG} No group has "
            f"claimed the attack."
        ),
    )
    syria = Article(
        id="sy-tally",
        title="Monitor counts the dead of 2023",
        outlet="Levant Review",
        published=date(2024, 1, 2),
        text="The monitor said 500 people were killed in the north-west during 2023.",
    )
    somalia = Article(
        id="so-undated",
        title="Clashes reported in Hiraan",
        outlet="Horn Dispatch",
        published=None,
        text="Al-Shabaab fighters and clan militia clashed in Hiraan, elders said.",
    )

    def event(article: Article, key: str, **values: Any) -> Event:
        return Event(event_id=Event.id_for(key), articles=[article.id], **values)

    gwoza = dict(
        event_date=date(2024, 3, 5),
        event_type="Violence against civilians",
        sub_event_type="Attack",
        actor1="Boko Haram",
        actor2="Civilians",
        country="Nigeria",
        country_code="NG",
        admin1="Borno",
        location="Gwoza",
        latitude=11.08,
        longitude=13.69,
    )
    return [
        Report(
            borno,
            [
                event(
                    borno,
                    "gwoza",
                    **gwoza,
                    fatalities=12,
                    evidence=[_evidence(borno, "fatalities", "killed 12 farmers")],
                )
            ],
        ),
        Report(
            mopti,
            [
                event(
                    mopti,
                    "boni",
                    event_date=date(2024, 3, 20),
                    event_type="Battles",
                    sub_event_type="Armed clash",
                    actor1="JNIM",
                    actor2="Military Forces of Mali",
                    country="Mali",
                    country_code="ML",
                    admin1="Mopti",
                    location="Boni",
                    latitude=15.05,
                    longitude=-1.97,
                    fatalities=7,
                    evidence=[_evidence(mopti, "fatalities", "Seven soldiers died")],
                ),
                event(
                    mopti,
                    "douentza",
                    event_date=date(2024, 4, 2),
                    event_type="Explosions/Remote violence",
                    sub_event_type="Remote explosive/landmine/IED",
                    actor2="Civilians",
                    country="Mali",
                    country_code="ML",
                    admin1="Mopti",
                    location="Douentza",
                    latitude=15.0,
                    longitude=-2.95,
                    fatalities=3,
                ),
            ],
        ),
        Report(
            kirkuk,
            [
                event(
                    kirkuk,
                    "kirkuk",
                    event_date=date(2024, 4, 15),
                    event_type="Explosions/Remote violence",
                    sub_event_type="Remote explosive/landmine/IED",
                    actor2="Civilians",
                    country="Iraq",
                    country_code="IQ",
                    admin1="Kirkuk",
                    location="Kirkuk " + PLANTED,
                    latitude=35.47,
                    longitude=44.39,
                    fatalities=4,
                    notes="market bombing " + PLANTED_IMG,
                    evidence=[_evidence(kirkuk, "fatalities", "killed four people")],
                )
            ],
        ),
        Report(
            syria,
            [
                event(
                    syria,
                    "syria-2023",
                    kind="aggregate",
                    event_date=date(2023, 12, 31),
                    event_type="Battles",
                    country="Syria",
                    country_code="SY",
                    fatalities=500,
                )
            ],
        ),
        Report(
            somalia,
            [
                event(
                    somalia,
                    "hiraan",
                    event_type="Battles",
                    actor1="Al-Shabaab",
                    actor2="Clan Militia",
                    country="Somalia",
                    country_code="SO",
                    admin1="Hiraan",
                )
            ],
        ),
        # A second report of the Gwoza attack, with its own (higher) toll, stored last.
        Report(
            borno_later,
            [
                event(
                    borno_later,
                    "gwoza",
                    **gwoza,
                    fatalities=14,
                    evidence=[_evidence(borno_later, "fatalities", "rose to 14")],
                )
            ],
        ),
    ]


REPORTS = _reports()


def _build(path: Path) -> str:
    url = f"sqlite:///{path}"
    with Store(url) as store:
        for report in REPORTS:
            store.add_article(report.article)
            store.set_mentions(report.article.id, report.events)
    return url


def _all_events() -> dict[str, Event]:
    """Each event as the database keeps it: the last report written wins (no linking here)."""
    events: dict[str, Event] = {}
    for report in REPORTS:
        for event in report.events:
            events[event.event_id] = event
    return events


EVENTS = _all_events()


@pytest.fixture(scope="module")
def db_url(tmp_path_factory: pytest.TempPathFactory) -> str:
    return _build(tmp_path_factory.mktemp("api") / "events.db")


@pytest.fixture(scope="module")
def client(db_url: str) -> Iterator[TestClient]:
    with TestClient(create_app(db_url)) as test_client:
        yield test_client


@pytest.fixture
def writable(tmp_path: Path) -> Iterator[TestClient]:
    """A server with a token, on its own copy of the data (its tests write)."""
    with TestClient(create_app(_build(tmp_path / "events.db"), token=TOKEN)) as test_client:
        yield test_client


AUTH = {"Authorization": f"Bearer {TOKEN}"}


def _ids(client: TestClient, **params: Any) -> set[str]:
    response = client.get("/api/events", params={"limit": 500, **params})
    assert response.status_code == 200, response.text
    body = response.json()
    assert body["total"] == len(body["items"])
    return {item["event_id"] for item in body["items"]}


def _expected(predicate: Any) -> set[str]:
    return {event_id for event_id, event in EVENTS.items() if predicate(event)}


@pytest.mark.parametrize(
    ("params", "predicate"),
    [
        ({}, lambda e: True),
        ({"country": "Mali"}, lambda e: e.country == "Mali"),
        ({"country": "ml"}, lambda e: e.country_code == "ML"),
        ({"admin1": "Borno"}, lambda e: e.admin1 == "Borno"),
        ({"event_type": "Battles"}, lambda e: e.event_type == "Battles"),
        ({"kind": "aggregate"}, lambda e: e.kind == "aggregate"),
        ({"actor": "Civilians"}, lambda e: "Civilians" in (e.actor1, e.actor2)),
        (
            {"min_fatalities": 5},
            lambda e: e.fatalities is not None and e.fatalities >= 5,
        ),
        (
            {"since": "2024-03-10", "until": "2024-04-10"},
            lambda e: (
                e.event_date is not None and date(2024, 3, 10) <= e.event_date <= date(2024, 4, 10)
            ),
        ),
        ({"text": "DOUENTZA"}, lambda e: e.location == "Douentza"),
        (
            {"country": "Mali", "event_type": "Battles"},
            lambda e: e.country == "Mali" and e.event_type == "Battles",
        ),
    ],
)
def test_event_filters_select_exactly_the_matching_events(
    client: TestClient, params: dict[str, Any], predicate: Any
) -> None:
    assert _ids(client, **params) == _expected(predicate)


def test_pages_cover_every_event_once_in_order_with_the_full_total(client: TestClient) -> None:
    seen: list[dict[str, Any]] = []
    for offset in range(0, len(EVENTS) + 2, 2):
        body = client.get(
            "/api/events", params={"order": "-fatalities", "limit": 2, "offset": offset}
        ).json()
        assert body["total"] == len(EVENTS)
        assert len(body["items"]) <= 2
        seen.extend(body["items"])
    assert [e["event_id"] for e in seen] == list(dict.fromkeys(e["event_id"] for e in seen))
    assert {e["event_id"] for e in seen} == set(EVENTS)
    known = [e["fatalities"] for e in seen if e["fatalities"] is not None]
    assert known == sorted(known, reverse=True)
    # Unknown counts come last, whatever the direction.
    assert all(e["fatalities"] is None for e in seen[len(known) :])


def test_bad_listing_parameters_are_refused_with_the_reason(client: TestClient) -> None:
    assert client.get("/api/events", params={"order": "popularity"}).status_code == 422
    assert client.get("/api/events", params={"limit": 100_000}).status_code == 422
    response = client.get("/api/events", params={"since": "last tuesday"})
    assert response.status_code == 422
    assert "since" in response.text


def test_geojson_has_a_point_per_located_event(client: TestClient) -> None:
    response = client.get("/api/events.geojson", params={"country": "Mali"})
    assert response.status_code == 200
    assert response.headers["content-type"].startswith("application/geo+json")
    collection = response.json()
    assert collection["type"] == "FeatureCollection"
    mali = {k: e for k, e in EVENTS.items() if e.country == "Mali"}
    assert {f["id"] for f in collection["features"]} == set(mali)
    for feature in collection["features"]:
        event = mali[feature["id"]]
        assert feature["geometry"]["coordinates"] == [event.longitude, event.latitude]
        assert feature["properties"]["evidence"] == event.to_json_dict()["evidence"]


def test_brief_geojson_leaves_out_unlocated_events_and_heavy_properties(
    client: TestClient,
) -> None:
    collection = client.get("/api/events.geojson", params={"brief": "true"}).json()
    located = _expected(lambda e: e.latitude is not None and e.longitude is not None)
    assert {f["id"] for f in collection["features"]} == located
    for feature in collection["features"]:
        assert "evidence" not in feature["properties"]
        assert feature["properties"]["fatalities"] == EVENTS[feature["id"]].fatalities


def test_one_event_has_each_report_with_its_own_values_and_evidence(client: TestClient) -> None:
    gwoza = Event.id_for("gwoza")
    body = client.get(f"/api/events/{gwoza}").json()
    assert body["event"]["fatalities"] == EVENTS[gwoza].fatalities
    assert body["review_status"] == "unreviewed"
    reported = {m["article"]["id"]: m["reported"]["fatalities"] for m in body["mentions"]}
    assert reported == {"ng-borno": 12, "ng-borno-2": 14}
    titles = {m["article"]["id"]: m["article"]["title"] for m in body["mentions"]}
    assert titles["ng-borno"] == "Gunmen kill farmers near Gwoza"
    for mention in body["mentions"]:
        text = client.get(f"/api/articles/{mention['article']['id']}").json()["text"]
        for evidence in mention["reported"]["evidence"]:
            assert text[evidence["start"] : evidence["end"]] == evidence["text"]


def test_unknown_event_and_article_are_404(client: TestClient) -> None:
    assert client.get("/api/events/ev-none").status_code == 404
    assert client.get("/api/articles/none").status_code == 404


def test_articles_list_counts_their_events_and_one_article_lists_what_it_reports(
    client: TestClient,
) -> None:
    body = client.get("/api/articles", params={"limit": 500}).json()
    assert body["total"] == len(REPORTS)
    counts = {item["id"]: item["events"] for item in body["items"]}
    assert counts == {r.article.id: len(r.events) for r in REPORTS}
    published = [item["published"] for item in body["items"] if item["published"]]
    assert published == sorted(published, reverse=True)

    mopti = client.get("/api/articles/ml-mopti").json()
    assert mopti["text"] == REPORTS[1].article.text
    assert [r["position"] for r in mopti["reported_events"]] == [0, 1]
    assert [r["reported"]["location"] for r in mopti["reported_events"]] == ["Boni", "Douentza"]
    assert all(
        r["event"]["event_id"] == r["reported"]["event_id"] for r in mopti["reported_events"]
    )


def _incident_fatalities(events: Any) -> int:
    return sum(e.fatalities or 0 for e in events if e.kind == "incident")


def test_stats_by_month_sum_to_the_listing_and_leave_out_aggregate_tolls(
    client: TestClient,
) -> None:
    stats = client.get("/api/stats", params={"by": "month"}).json()
    assert stats["total_events"] == len(EVENTS)
    assert stats["total_fatalities"] == _incident_fatalities(EVENTS.values())
    rows = {row["key"]: row for row in stats["rows"]}
    march = [
        e for e in EVENTS.values() if e.event_date and e.event_date.strftime("%Y-%m") == "2024-03"
    ]
    assert rows["2024-03"]["events"] == len(march)
    assert rows["2024-03"]["fatalities"] == _incident_fatalities(march)
    # The aggregate (a year's tally) is counted as an event but adds no fatalities.
    assert rows["2023-12"] == {
        "key": "2023-12",
        "start": "2023-12-01",
        "country": None,
        "events": 1,
        "fatalities": 0,
    }
    assert stats["rows"][-1]["key"] == "unknown"
    assert sum(row["events"] for row in stats["rows"]) == len(EVENTS)


def test_weekly_stats_are_a_continuous_series(client: TestClient) -> None:
    rows = client.get("/api/stats", params={"by": "week", "country": "Mali"}).json()["rows"]
    starts = [date.fromisoformat(row["start"]) for row in rows]
    assert all((b - a).days == 7 for a, b in pairwise(starts))
    assert all(s.weekday() == 0 for s in starts)
    assert [row["events"] for row in rows] == [1, 0, 1]
    assert all(re.fullmatch(r"\d{4}-W\d{2}", row["key"]) for row in rows)


def test_stats_by_type_actor_and_region_honour_the_filters(client: TestClient) -> None:
    by_type = client.get("/api/stats", params={"by": "event_type", "country": "Mali"}).json()
    assert {r["key"]: r["events"] for r in by_type["rows"]} == {
        "Battles": 1,
        "Explosions/Remote violence": 1,
    }
    by_actor = client.get("/api/stats", params={"by": "actor"}).json()
    civilians = [e for e in EVENTS.values() if "Civilians" in (e.actor1, e.actor2)]
    row = next(r for r in by_actor["rows"] if r["key"] == "Civilians")
    assert (row["events"], row["fatalities"]) == (len(civilians), _incident_fatalities(civilians))
    assert by_actor["rows"][0]["key"] == "Civilians"  # the most events first
    by_region = client.get("/api/stats", params={"by": "admin1", "limit": 1}).json()
    assert by_region["rows"] == [
        {"key": "Mopti", "start": None, "country": "Mali", "events": 2, "fatalities": 10}
    ]


def test_a_server_without_token_is_read_only(client: TestClient) -> None:
    event_id = Event.id_for("boni")
    review = {"action": "confirm", "reviewer": "ana"}
    for headers in ({}, AUTH):
        response = client.post(f"/api/events/{event_id}/review", json=review, headers=headers)
        assert response.status_code == 403
        assert "read-only" in response.json()["detail"]
    response = client.post("/api/ingest/text", json={"text": "Nothing."}, headers=AUTH)
    assert response.status_code == 403
    assert client.get("/api/meta").json()["writable"] is False


def test_writes_need_the_right_token(writable: TestClient) -> None:
    url = f"/api/events/{Event.id_for('boni')}/review"
    review = {"action": "confirm", "reviewer": "ana"}
    missing = writable.post(url, json=review)
    assert missing.status_code == 401
    assert missing.headers["www-authenticate"] == "Bearer"
    wrong = writable.post(url, json=review, headers={"Authorization": "Bearer guess"})
    assert wrong.status_code == 403
    assert writable.get(f"/api/events/{Event.id_for('boni')}").json()["reviews"] == []
    assert writable.post(url, json=review, headers=AUTH).status_code == 200
    assert writable.get("/api/meta").json()["writable"] is True


def test_review_round_trip_keeps_the_correction_and_its_audit_entry(
    writable: TestClient,
) -> None:
    event_id = Event.id_for("boni")
    response = writable.post(
        f"/api/events/{event_id}/review",
        json={
            "action": "correct",
            "reviewer": "ana",
            "fields": {"fatalities": 9, "admin2": "Douentza"},
            "note": "army statement of 22 March",
        },
        headers=AUTH,
    )
    assert response.status_code == 200, response.text
    assert response.json()["review_status"] == "corrected"

    detail = writable.get(f"/api/events/{event_id}").json()
    assert detail["event"]["fatalities"] == 9
    assert detail["corrections"] == {"fatalities": 9, "admin2": "Douentza"}
    # The report's own value is untouched: the correction sits beside it.
    assert detail["mentions"][0]["reported"]["fatalities"] == 7
    [entry] = detail["reviews"]
    assert (entry["reviewer"], entry["action"], entry["note"]) == (
        "ana",
        "correct",
        "army statement of 22 March",
    )
    assert entry["before"] == {"fatalities": 7, "admin2": None, "review_status": "unreviewed"}
    assert entry["after"] == {"fatalities": 9, "admin2": "Douentza", "review_status": "corrected"}
    listed = writable.get("/api/events", params={"min_fatalities": 9, "country": "Mali"}).json()
    assert [e["event_id"] for e in listed["items"]] == [event_id]


def test_rejected_events_leave_listings_but_stay_in_the_audit_view(
    writable: TestClient,
) -> None:
    event_id = Event.id_for("douentza")
    review = {"action": "reject", "reviewer": "bo", "note": "duplicate of a later report"}
    assert writable.post(f"/api/events/{event_id}/review", json=review, headers=AUTH).is_success
    assert event_id not in _ids(writable)
    assert event_id in _ids(writable, include_rejected="true")
    assert _ids(writable, review_status="rejected") == {event_id}
    stats = writable.get("/api/stats", params={"by": "month"}).json()
    assert stats["total_events"] == len(EVENTS) - 1
    audit = writable.get("/api/audit").json()
    assert [e["event_id"] for e in audit["rejected"]] == [event_id]
    assert audit["reviews"][0]["action"] == "reject"
    assert writable.get(f"/api/events/{event_id}").json()["review_status"] == "rejected"


def test_invalid_reviews_are_refused_with_the_reason(writable: TestClient) -> None:
    url = f"/api/events/{Event.id_for('boni')}/review"
    cases = [
        ({"action": "correct", "reviewer": "ana", "fields": {"event_id": "x"}}, "event_id"),
        ({"action": "correct", "reviewer": "ana", "fields": {"fatalities": "many"}}, "fatalities"),
        ({"action": "correct", "reviewer": "ana"}, "correct.fields: Field required"),
        ({"action": "correct", "reviewer": "ana", "fields": {}}, "at least one field"),
        ({"action": "confirm", "reviewer": ""}, "reviewer"),
        ({"action": "delete", "reviewer": "ana"}, "action"),
    ]
    for body, reason in cases:
        response = writable.post(url, json=body, headers=AUTH)
        assert response.status_code == 422, body
        assert reason in response.text
    missing = writable.post("/api/events/ev-none/review", json=cases[3][0] | {"reviewer": "a"})
    assert missing.status_code == 401
    assert (
        writable.post(
            "/api/events/ev-none/review", json={"action": "confirm", "reviewer": "a"}, headers=AUTH
        ).status_code
        == 404
    )


def test_url_ingest_takes_public_web_addresses_only(writable: TestClient) -> None:
    response = writable.post("/api/ingest/urls", json={"urls": ["/etc/passwd"]}, headers=AUTH)
    assert response.status_code == 422
    assert "/etc/passwd" in response.json()["detail"]
    # The server's own machine is refused before anything is fetched, with the reason.
    loopback = "http://127.0.0.1:9/report.txt"
    refused = writable.post("/api/ingest/urls", json={"urls": [loopback]}, headers=AUTH)
    assert refused.status_code == 403
    assert "127.0.0.1, a loopback address" in refused.json()["detail"]
    assert writable.get("/api/articles").json()["total"] == len(REPORTS)


@pytest.mark.slow
def test_text_ingest_extracts_and_stores_the_events(writable: TestClient) -> None:
    text = (
        "Suspected jihadists killed nine villagers in an attack on the village of Solhan in "
        "Burkina Faso's Yagha province on Saturday, local officials said."
    )
    response = writable.post(
        "/api/ingest/text",
        json={"text": text, "title": "Attack on Solhan", "published": "2024-05-13"},
        headers=AUTH,
    )
    assert response.status_code == 200, response.text
    body = response.json()
    assert (body["new"], body["failures"]) == (1, [])
    assert body["events"] == len(body["event_ids"]) >= 1
    event = writable.get(f"/api/events/{body['event_ids'][0]}").json()
    assert event["event"]["fatalities"] == 9
    assert event["mentions"][0]["article"]["title"] == "Attack on Solhan"
    again = writable.post("/api/ingest/text", json={"text": text}, headers=AUTH).json()
    assert (again["new"], again["duplicates"]) == (0, 1)


def test_planted_markup_comes_back_as_data_and_never_as_html(client: TestClient) -> None:
    kirkuk = Event.id_for("kirkuk")
    article = client.get("/api/articles/iq-kirkuk")
    assert article.headers["content-type"] == "application/json"
    assert article.headers["x-content-type-options"] == "nosniff"
    # JSON carries the text exactly as stored: escaping is the renderer's job, done with text nodes.
    assert PLANTED in article.json()["text"]
    assert article.json()["title"].endswith(PLANTED)
    event = client.get(f"/api/events/{kirkuk}").json()["event"]
    assert event["notes"].endswith(PLANTED_IMG)

    # Every HTML page the server renders: the markup appears in none of them, escaped or not,
    # and the desk pages may run no inline script whatever reaches them.
    for path in (
        "/",
        f"/event/{kirkuk}",
        "/event/%3Cimg%20src%3Dx%20onerror%3Dalert(1)%3E",
        "/audit",
        "/docs",
    ):
        page = client.get(path)
        assert page.status_code == 200
        assert page.headers["content-type"].startswith("text/html")
        assert "__pwned" not in page.text
        assert "onerror=alert" not in page.text
        csp = page.headers["content-security-policy"]
        if path != "/docs":
            assert "script-src 'self';" in csp
            assert "unsafe-inline" not in csp.split("script-src")[1].split(";")[0]


def test_api_is_documented_and_the_docs_load_nothing_from_outside(client: TestClient) -> None:
    spec = client.get("/openapi.json").json()
    for path in (
        "/api/events",
        "/api/events.geojson",
        "/api/events/{event_id}",
        "/api/events/{event_id}/review",
        "/api/articles",
        "/api/articles/{article_id}",
        "/api/stats",
        "/api/audit",
        "/api/ingest/text",
        "/api/ingest/urls",
    ):
        assert path in spec["paths"], path
    assert "HTTPBearer" in spec["components"]["securitySchemes"]
    docs = client.get("/docs").text
    assert not re.search(r"(src|href)=['\"]https?://", docs)
    for asset in re.findall(r"(?:src|href)=['\"](/static/[^'\"]+)", docs):
        assert client.get(asset).status_code == 200, asset
