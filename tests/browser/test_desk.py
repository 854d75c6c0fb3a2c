"""The desk in headless Chromium (Debian's /usr/bin/chromium driven by Playwright).

The server runs in a thread on a free port, on the sample corpus plus one report with planted
markup. Screenshots go to artifacts/screenshots/ (kept by CI as artefacts). Without chromium the
tests are skipped locally and fail in CI (CI=true), where `make install` must have installed it.
"""

from __future__ import annotations

import os
import shutil
import socket
import threading
import time
from collections.abc import Iterator
from datetime import date
from pathlib import Path
from typing import Any
from urllib.parse import urlencode

import httpx
import pytest
import uvicorn

from conflictlens.ingest import read_sources
from conflictlens.models import Article, Event, Evidence
from conflictlens.pipeline import Ingestion
from conflictlens.store import Store
from conflictlens.web import create_app
from conflictlens.web.app import missing_vendor_files

pytestmark = [pytest.mark.browser, pytest.mark.slow]

ROOT = Path(__file__).resolve().parents[2]
SCREENSHOTS = ROOT / "artifacts" / "screenshots"
TOKEN = "desk-test-token"
PLANTED = "<script>window.__pwned = 1</script>"
PLANTED_IMG = '<img src=x onerror="window.__pwned = 2">'
CHROMIUM_ARGS = [
    "--no-sandbox",
    "--disable-gpu",
    "--disable-background-networking",
    "--disable-component-update",
    "--disable-sync",
    "--no-first-run",
]


def _chromium() -> str:
    """The browser's path, or skip (locally) / fail (CI) with the reason."""
    problems = []
    chromium = shutil.which("chromium") or "/usr/bin/chromium"
    if not Path(chromium).exists():
        problems.append(
            "chromium is not installed (`make install` as root, or apt-get install chromium)"
        )
    try:
        import playwright  # noqa: F401
    except ImportError:
        problems.append("the playwright package is missing (pip install -e '.[dev]')")
    missing = missing_vendor_files()
    if missing:
        problems.append(f"desk libraries missing ({', '.join(missing)}): run `make install`")
    if problems:
        reason = "browser tests need: " + "; ".join(problems)
        if os.environ.get("CI") == "true":
            pytest.fail(reason)
        pytest.skip(reason)
    return chromium


def _planted_report(store: Store) -> str:
    """A report whose text and values carry markup; returns its event's id."""
    text = (
        f"A car bomb killed six people outside a bakery in Mosul on Friday, police said. "
        f"{PLANTED} Shop owners said the blast shattered windows along the street. {PLANTED_IMG}"
    )
    article = Article(
        id="planted-mosul",
        text=text,
        title="Car bomb in Mosul " + PLANTED,
        published=date(2024, 6, 8),
    )
    store.add_article(article)
    start = text.index("killed six people")
    event = Event(
        event_id=Event.id_for("planted-mosul"),
        event_date=date(2024, 6, 7),
        event_type="Explosions/Remote violence",
        sub_event_type="Remote explosive/landmine/IED",
        country="Iraq",
        country_code="IQ",
        admin1="Nineveh",
        location="Mosul " + PLANTED_IMG,
        latitude=36.34,
        longitude=43.13,
        fatalities=6,
        notes=PLANTED,
        articles=[article.id],
        evidence=[
            Evidence(
                article_id=article.id,
                field="fatalities",
                start=start,
                end=start + len("killed six people"),
                text="killed six people",
            )
        ],
    )
    store.set_mentions(article.id, [event])
    return event.event_id


def _free_port() -> int:
    with socket.socket() as sock:
        sock.bind(("127.0.0.1", 0))
        return sock.getsockname()[1]


@pytest.fixture(scope="module")
def desk(tmp_path_factory: pytest.TempPathFactory) -> Iterator[dict[str, Any]]:
    chromium = _chromium()
    url = f"sqlite:///{tmp_path_factory.mktemp('desk') / 'desk.db'}"
    with Store(url) as store:
        ingestion = Ingestion(store, sources=["corpus/sample"])
        for item in read_sources([ROOT / "corpus" / "sample"]):
            ingestion.add(item)
        ingestion.finish()
        planted = _planted_report(store)
    port = _free_port()
    server = uvicorn.Server(
        uvicorn.Config(
            create_app(url, token=TOKEN), host="127.0.0.1", port=port, log_level="warning"
        )
    )
    thread = threading.Thread(target=server.run, daemon=True)
    thread.start()
    deadline = time.monotonic() + 30
    while not server.started:
        if time.monotonic() > deadline or not thread.is_alive():
            pytest.fail("the desk server did not start within 30 s")
        time.sleep(0.05)
    base = f"http://127.0.0.1:{port}"
    SCREENSHOTS.mkdir(parents=True, exist_ok=True)
    try:
        yield {"base": base, "chromium": chromium, "planted": planted}
    finally:
        server.should_exit = True
        thread.join(timeout=10)


@pytest.fixture
def page(desk: dict[str, Any]) -> Iterator[Any]:
    from playwright.sync_api import sync_playwright

    errors: list[str] = []
    with sync_playwright() as playwright:
        browser = playwright.chromium.launch(executable_path=desk["chromium"], args=CHROMIUM_ARGS)
        context = browser.new_context(viewport={"width": 1400, "height": 1000})
        tab = context.new_page()
        tab.set_default_timeout(15_000)
        tab.on("pageerror", lambda error: errors.append(str(error)))
        yield tab
        browser.close()
    assert errors == [], f"script errors in the desk: {errors}"


def _api(desk: dict[str, Any], path: str, **params: Any) -> Any:
    response = httpx.get(f"{desk['base']}{path}", params=params, timeout=30)
    response.raise_for_status()
    return response.json()


def _wait_ready(page: Any) -> None:
    page.wait_for_selector("body[data-ready='true']")


def _desk_numbers(page: Any) -> dict[str, int]:
    return {
        "table": int(page.get_attribute("#events", "data-total")),
        "rows": page.locator("#events tbody tr").count(),
        "markers": int(page.get_attribute("#map", "data-markers")),
        "timeline": int(page.get_attribute("#timeline", "data-events")),
    }


def _expected_numbers(desk: dict[str, Any], **filters: Any) -> dict[str, int]:
    total = _api(desk, "/api/events", limit=1, **filters)["total"]
    located = len(_api(desk, "/api/events.geojson", brief="true", **filters)["features"])
    # The timeline draws incidents only: a tally's period would stretch it.
    stats = _api(desk, "/api/stats", by="month", **{**filters, "kind": "incident"})
    dated = sum(row["events"] for row in stats["rows"] if row["start"])
    return {"table": total, "rows": min(total, 50), "markers": located, "timeline": dated}


def _set_filter(page: Any, name: str, value: str) -> None:
    page.select_option(f"#filters [name='{name}']", value)
    page.wait_for_url(f"**{name}=*")
    _wait_ready(page)


def test_filters_move_map_timeline_and_table_together(desk: dict[str, Any], page: Any) -> None:
    page.goto(desk["base"] + "/")
    _wait_ready(page)
    page.wait_for_selector("#map[data-basemap='ready']")
    assert page.locator("#map path.leaflet-interactive, #map .marker-cluster").count() > 0
    assert page.locator("#map svg path").count() > 100  # the country outlines
    everything = _desk_numbers(page)
    assert everything == _expected_numbers(desk)

    by_country = _api(desk, "/api/stats", by="country")["rows"]
    country = next(row["key"] for row in by_country if row["key"] != "unknown")
    _set_filter(page, "country", country)
    in_country = _desk_numbers(page)
    assert in_country == _expected_numbers(desk, country=country)
    assert in_country["table"] < everything["table"]
    assert in_country["markers"] < everything["markers"]
    assert in_country["timeline"] < everything["timeline"]
    assert all(
        country in cell for cell in page.locator("#events tbody td:nth-child(3)").all_inner_texts()
    )

    types = _api(desk, "/api/stats", by="event_type", country=country)["rows"]
    event_type = next(row["key"] for row in types if row["key"] != "unknown")
    _set_filter(page, "event_type", event_type)
    narrowed = _desk_numbers(page)
    assert narrowed == _expected_numbers(desk, country=country, event_type=event_type)
    assert narrowed["table"] < in_country["table"]
    page.screenshot(path=str(SCREENSHOTS / "desk-filtered.png"), full_page=True)

    # The filters live in the address: a reload shows the same view.
    page.reload()
    _wait_ready(page)
    assert _desk_numbers(page) == narrowed
    assert page.input_value("#filters [name='country']") == country


def _event_with_fatality_evidence(desk: dict[str, Any]) -> tuple[dict[str, Any], dict[str, Any]]:
    """A listed event with a fatality count and the evidence for it, and the filters that list it."""
    for event in _api(desk, "/api/events", limit=500, kind="incident", order="-date")["items"]:
        if event["fatalities"] is not None and any(
            e["field"] == "fatalities" for e in event["evidence"]
        ):
            return event, {"country": event["country"], "event_type": event["event_type"]}
    pytest.fail("the sample corpus gave no event with fatality evidence")


def test_open_an_event_see_its_evidence_and_correct_the_fatalities(
    desk: dict[str, Any], page: Any
) -> None:
    event, filters = _event_with_fatality_evidence(desk)
    page.goto(f"{desk['base']}/?{urlencode(filters)}")
    _wait_ready(page)
    page.click(f"#events tr[data-event-id='{event['event_id']}'] a")
    page.wait_for_url(f"**/event/{event['event_id']}")
    _wait_ready(page)

    evidence = next(e for e in event["evidence"] if e["field"] == "fatalities")
    mark = page.locator(
        f"article[data-article-id='{evidence['article_id']}'] mark[data-field='fatalities']"
    )
    assert mark.first.inner_text() == evidence["text"]
    assert mark.first.evaluate("m => getComputedStyle(m).backgroundColor") != "rgba(0, 0, 0, 0)"

    corrected = event["fatalities"] + 3
    page.fill("#reviewer", "desk tester")
    page.fill("#token", TOKEN)
    page.fill("#note", "hospital figures")
    page.click("button[data-action='correct']")
    page.fill("#correct-form input[name='fatalities']", str(corrected))
    page.click("#correct-form button[type='submit']")
    page.wait_for_selector("#message:has-text('saved')")

    page.reload()
    _wait_ready(page)
    row = page.locator("table.values tr[data-field='fatalities']")
    assert row.locator("td.merged").inner_text().startswith(str(corrected))
    assert "corrected" in row.locator("td.merged").inner_text()
    assert page.inner_text("#review-status") == "corrected"
    entry = page.locator("#audit tr.audit-entry").first
    cells = entry.locator("td").all_inner_texts()
    assert cells[1:3] == ["desk tester", "correct"]
    assert f'"fatalities":{event["fatalities"]}' in cells[3]
    assert f'"fatalities":{corrected}' in cells[4]
    assert cells[5] == "hospital figures"
    page.screenshot(path=str(SCREENSHOTS / "event-corrected.png"), full_page=True)
    assert _api(desk, f"/api/events/{event['event_id']}")["event"]["fatalities"] == corrected


def test_planted_markup_is_shown_as_text_and_never_runs(desk: dict[str, Any], page: Any) -> None:
    page.goto(f"{desk['base']}/event/{desk['planted']}")
    _wait_ready(page)
    text = page.locator("article .article-text")
    assert PLANTED in text.inner_text()
    assert PLANTED_IMG in text.inner_text()
    assert page.locator("article .article-text script, article .article-text img").count() == 0
    assert PLANTED in page.inner_text("article h3")
    assert PLANTED_IMG in page.inner_text("#title")
    assert page.locator("mark[data-field='fatalities']").inner_text() == "killed six people"

    page.goto(f"{desk['base']}/?country=Iraq")
    _wait_ready(page)
    assert page.locator("#events tbody td", has_text=PLANTED_IMG).count() == 1
    page.wait_for_timeout(300)  # let any injected handler (onerror) have its chance
    assert page.evaluate("window.__pwned") is None
    page.screenshot(path=str(SCREENSHOTS / "planted-markup.png"), full_page=True)


def test_tallies_are_drawn_apart_and_can_be_hidden(desk: dict[str, Any], page: Any) -> None:
    """Issue 18, item 9: a tally is not drawn as the biggest incident, its period does not
    stretch the timeline, and "incidents only" leaves tallies out of map, timeline and table."""
    page.goto(desk["base"] + "/")
    _wait_ready(page)
    tallies = _api(desk, "/api/events.geojson", brief="true", kind="aggregate")["features"]
    assert tallies, "the sample corpus has tallies with a place"
    assert int(page.get_attribute("#map", "data-tallies")) == len(tallies)
    all_tallies = _api(desk, "/api/events", limit=1, kind="aggregate")["total"]
    assert int(page.get_attribute("#timeline", "data-tallies")) == all_tallies
    # The first bar is the first incident's period, not the start of a war total.
    incidents_by_month = _api(desk, "/api/stats", by="month", kind="incident")["rows"]
    first_incident = min(row["key"] for row in incidents_by_month if row["start"])
    first_bar = page.locator("#timeline rect.bar").first.get_attribute("data-key")
    assert first_bar == first_incident
    page.screenshot(path=str(SCREENSHOTS / "desk-tallies.png"), full_page=True)

    page.check("#filters [name='kind']")
    page.wait_for_url("**kind=incident*")
    _wait_ready(page)
    assert int(page.get_attribute("#map", "data-tallies")) == 0
    assert int(page.get_attribute("#timeline", "data-tallies")) == 0
    assert _desk_numbers(page) == _expected_numbers(desk, kind="incident")
    assert "aggregate" not in page.locator("#events tbody").inner_text()
