"""`conflictlens watch` against a local server: new feed items are ingested once, alerts fire once,
a restart resumes from the state file, and broken sources are reported without stopping the rest."""

from __future__ import annotations

import json
import sqlite3
from pathlib import Path

import pytest
from typer.testing import CliRunner

from conflictlens.cli import app
from conflictlens.models import Event
from conflictlens.watch import AlertRule, WatchConfigError, load_config, parse_interval
from webserver import LocalWebServer, Route, serve_news_site, web  # noqa: F401

runner = CliRunner()
# The test server is on loopback, which watch fetches from only when allowed to.
FAST = ["--timeout", "0.5", "--delay", "0", "--retries", "0", "--allow-net", "127.0.0.1/32"]

ITEM = """<item><title>{title}</title><link>{link}</link><guid>{link}</guid>
<pubDate>{date}</pubDate><description>{title}</description></item>"""


def _feed(base: str, *items: tuple[str, str, str]) -> bytes:
    body = "".join(
        ITEM.format(title=title, link=base + path, date=day) for title, path, day in items
    )
    return (
        f'<?xml version="1.0"?><rss version="2.0"><channel><title>Desk</title>{body}'
        "</channel></rss>"
    ).encode()


IDLIB = (
    "Shelling kills three civilians in Idlib",
    "/news/idlib.html",
    "Wed, 02 Nov 2022 09:00:00 GMT",
)
MOPTI = ("Gunmen kill nine villagers in Mali", "/news/mopti.html", "Tue, 14 Mar 2023 10:00:00 GMT")


def _config(folder: Path, sources: list[str], alerts: str = "") -> Path:
    path = folder / "sources.yaml"
    listed = "\n".join(f"  - url: {url}\n    interval: 5m" for url in sources)
    path.write_text(f"interval: 10m\nsources:\n{listed}\n{alerts}", encoding="utf-8")
    return path


def _watch(config: Path, db: Path, *extra: str) -> object:
    cache = config.parent / "cache"
    return runner.invoke(
        app, ["watch", str(config), "--db", str(db), "--once", "--cache", str(cache), *FAST, *extra]
    )


def _articles(db: Path) -> list[str]:
    with sqlite3.connect(db) as conn:
        return sorted(url for (url,) in conn.execute("select url from articles"))


def _countries(db: Path) -> list[str]:
    with sqlite3.connect(db) as conn:
        return sorted(c for (c,) in conn.execute("select country from events"))


@pytest.mark.slow
def test_a_new_feed_item_is_ingested_once_and_alerts_once(
    web: LocalWebServer,  # noqa: F811
    tmp_path: Path,
) -> None:
    serve_news_site(web)
    web.routes["/feeds/watch.rss"] = Route(
        body=_feed(web.base, IDLIB), content_type="application/rss+xml", etag='"v1"'
    )
    alerts = tmp_path / "alerts.jsonl"
    config = _config(
        tmp_path,
        [web.url("/feeds/watch.rss")],
        "alerts:\n  - name: deadly in Mali\n    country: Mali\n    min_fatalities: 5\n"
        "    sinks: [stdout, {jsonl: alerts.jsonl}, {webhook: " + web.url("/hook") + "}]\n",
    )
    db = tmp_path / "watch.db"

    first = _watch(config, db)
    assert first.exit_code == 0, first.output
    assert _articles(db) == [web.url("/news/idlib.html")]
    # The shelling, and the opposition's shelling "in response": two Syrian events.
    assert _countries(db) == ["Syria", "Syria"]
    assert not alerts.exists()

    # The feed gains an item: exactly one new article, its event, one alert on every sink.
    web.routes["/feeds/watch.rss"] = Route(
        body=_feed(web.base, MOPTI, IDLIB), content_type="application/rss+xml", etag='"v2"'
    )
    second = _watch(config, db)
    assert second.exit_code == 0, second.output
    assert _articles(db) == [web.url("/news/idlib.html"), web.url("/news/mopti.html")]
    assert _countries(db) == ["Mali", "Syria", "Syria"]
    assert web.hits["/news/idlib.html"] == 1
    [line] = alerts.read_text().splitlines()
    fired = json.loads(line)
    assert fired["alert"] == "deadly in Mali"
    assert fired["event"]["country"] == "Mali" and fired["event"]["fatalities"] >= 5
    assert "ALERT deadly in Mali" in second.stdout
    assert [(path, json.loads(body)["event"]["event_id"]) for path, body in web.posted] == [
        ("/hook", fired["event"]["event_id"])
    ]

    # A restart adds nothing: the feed is unchanged (304), and even when the server says it
    # changed, the items it lists were seen before.
    third = _watch(config, db)
    assert third.exit_code == 0, third.output
    web.routes["/feeds/watch.rss"].etag = '"v3"'
    fourth = _watch(config, db, "--json")
    assert fourth.exit_code == 0, fourth.output
    assert json.loads(fourth.stdout)["round"]["new"] == 0
    assert _articles(db) == [web.url("/news/idlib.html"), web.url("/news/mopti.html")]
    assert len(alerts.read_text().splitlines()) == 1
    assert len(web.posted) == 1
    assert web.hits["/news/mopti.html"] == 1
    state = json.loads((tmp_path / "sources.state.json").read_text())
    assert state["fired"]["deadly in Mali"] == [fired["event"]["event_id"]]


def test_broken_sources_are_one_line_each_and_the_good_one_is_read(
    web: LocalWebServer,  # noqa: F811
    tmp_path: Path,
) -> None:
    serve_news_site(web)
    web.routes["/feeds/teasers.rss"] = Route(
        body=_feed(
            web.base, ("A removed report", "/news/gone.html", "Mon, 01 May 2023 08:00:00 GMT")
        ),
        content_type="application/rss+xml",
    )
    bad = ["/error", "/slow", "/garbage", "/feeds/broken.rss", "/report.pdf"]
    config = _config(tmp_path, [web.url(p) for p in [*bad, "/feeds/teasers.rss"]])
    state = tmp_path / "elsewhere" / "state.json"
    result = _watch(config, tmp_path / "w.db", "--state", str(state), "--quiet")
    assert result.exit_code == 1
    errors = [line for line in result.stderr.splitlines() if line.startswith("error ")]
    assert [line.split(" ", 2)[1].rstrip(":") for line in errors] == [
        *(web.url(p) for p in bad),
        web.url("/news/gone.html"),
    ]
    assert errors[0].endswith("HTTP 500 Internal Server Error")
    assert errors[1].endswith("timed out after 0.5 s")
    assert errors[-1].endswith("HTTP 404 Not Found")
    # Every source was polled and the state saved where asked.
    saved = json.loads(state.read_text())
    assert all(s["last_poll"] for s in saved["sources"].values())
    assert len(saved["sources"]) == len(bad) + 1
    # A permanent failure (404) is not tried again; a 500 on an item would be.
    assert saved["sources"][web.url("/feeds/teasers.rss")]["seen"] == [web.url("/news/gone.html")]


def _event(**values: object) -> Event:
    return Event(event_id="ev1", **values)  # type: ignore[arg-type]


def test_alert_rules_match_every_condition_given() -> None:
    rule = AlertRule(name="r", country="ML", admin1="Mopti", min_fatalities=5)
    assert rule.matches(_event(country="Mali", country_code="ML", admin1="Mopti", fatalities=9))
    assert not rule.matches(_event(country="Mali", country_code="ML", admin1="Mopti", fatalities=4))
    assert not rule.matches(_event(country="Mali", country_code="ML", admin1="Gao", fatalities=9))
    assert not rule.matches(
        _event(country="Niger", country_code="NE", admin1="Mopti", fatalities=9)
    )
    by_actor = AlertRule(name="a", actor="Al-Shabaab")
    assert by_actor.matches(_event(actor1="Military Forces of Somalia", actor2="al-shabaab"))
    assert by_actor.matches(_event(assoc_actor_1=["Al-Shabaab"]))
    assert not by_actor.matches(_event(actor1="Military Forces of Somalia"))
    assert AlertRule(name="any").matches(_event())


def test_a_bad_sources_file_is_one_clear_error(tmp_path: Path) -> None:
    config = tmp_path / "sources.yaml"
    config.write_text("sources:\n  - url: ftp://example.org/feed\n")
    with pytest.raises(WatchConfigError, match=r"sources\.0\.url: .*not an http\(s\) URL"):
        load_config(config)
    config.write_text(
        "sources:\n  - url: https://example.org/feed\nalerts:\n  - name: x\n    sinks: [email]\n"
    )
    with pytest.raises(WatchConfigError, match="unknown sink 'email'"):
        load_config(config)
    config.write_text("sources:\n  - url: https://example.org/feed\n    interval: soon\n")
    result = runner.invoke(app, ["watch", str(config), "--once"])
    assert result.exit_code == 2
    assert "'soon' is not an interval" in result.stderr


def test_intervals_read_seconds_minutes_hours_and_days() -> None:
    assert [parse_interval(v) for v in (90, "90s", "15m", "2h", "1d", "0.5m")] == [
        90,
        90,
        900,
        7200,
        86400,
        30,
    ]
    with pytest.raises(ValueError):
        parse_interval("0")


def test_the_example_sources_file_is_valid() -> None:
    example = Path(__file__).resolve().parent.parent / "examples" / "sources.yaml"
    config = load_config(example)
    assert config.sources and config.alerts
