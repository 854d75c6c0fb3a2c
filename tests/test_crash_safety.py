"""Crash safety: `conflictlens ingest` and `watch --once` killed with SIGKILL at random moments.

A 500-article dump, built from the project's own corpus (corpus/sample, corpus/linking) with other
outlets, dates and paragraph mixes, is ingested once without interruption (the reference) and once
with at least 20 SIGKILLs, each followed by a rerun, until a rerun completes. The two datasets must
be the same: the same articles once each, the same events, mentions and aliases, no event without
a report, nothing left pending, and the analyst's reviews made before the run all still there.
On SQLite always, on PostgreSQL when CONFLICTLENS_TEST_PG_URL is set (scripts/with_postgres.sh).
"""

from __future__ import annotations

import json
import os
import random
import signal
import subprocess
import sys
import time
from collections.abc import Iterator
from datetime import date, timedelta
from pathlib import Path
from typing import Any

import pytest
from sqlalchemy import MetaData, create_engine, func, select

from conflictlens.models import Article
from conflictlens.store import LINK_PENDING, Store, schema
from webserver import LocalWebServer, Route, web  # noqa: F401

CORPUS = Path(__file__).resolve().parent.parent / "corpus"
ARTICLES = 500
KILLS = 20
WATCH_ITEMS = 120
WATCH_KILLS = 6
# Articles ingested and reviewed before the killed run, so the audit trail is part of the check.
REVIEWED_PREFIX = 40
PG_URL = os.environ.get("CONFLICTLENS_TEST_PG_URL")
BACKENDS = ["sqlite"] + ([pytest.param("postgres", marks=pytest.mark.postgres)] if PG_URL else [])
CLI = [sys.executable, "-c", "from conflictlens.cli import app; app()"]
OUTLETS = ["Frontline Wire", "Sahel Monitor", "Levant Desk", "Horn Dispatch", "Delta Courier"]


def _corpus_articles() -> list[tuple[str, date, list[str]]]:
    """(title, published, paragraphs) of every corpus article with a publication date."""
    found = []
    for path in sorted([*CORPUS.glob("sample/*.txt"), *CORPUS.glob("linking/*.txt")]):
        header, _, body = path.read_text(encoding="utf-8").partition("\n\n")
        fields = dict(line.split(": ", 1) for line in header.splitlines() if ": " in line)
        paragraphs = [p.strip() for p in body.split("\n\n") if p.strip()]
        if "Published" in fields and len(paragraphs) >= 2:
            found.append((fields["Title"], date.fromisoformat(fields["Published"]), paragraphs))
    return found


def dump_rows(count: int, seed: int = 17) -> list[dict[str, str]]:
    """`count` articles: a corpus lead with a paragraph of another report, under another outlet
    and a date moved by whole months, so most are new reports and some link across outlets."""
    corpus = _corpus_articles()
    rng = random.Random(seed)
    rows = []
    for i in range(count):
        title, published, paragraphs = corpus[i % len(corpus)]
        _, _, other = corpus[rng.randrange(len(corpus))]
        moved = published + timedelta(days=35 * (i // len(corpus)) + rng.choice([0, 0, 1]))
        outlet = OUTLETS[rng.randrange(len(OUTLETS))]
        text = "\n\n".join([title, paragraphs[1], rng.choice(other[1:])])
        rows.append(
            {
                "id": f"crash-{i:04d}",
                "title": title,
                "text": text,
                "published": moved.isoformat(),
                "outlet": outlet,
                "url": f"https://{outlet.split()[0].lower()}.example/{moved:%Y/%m}/{seed}-{i:04d}",
            }
        )
    return rows


def distinct_texts(rows: list[dict[str, str]]) -> int:
    """How many articles the rows make: the same text twice is one article."""
    return len({Article(id=row["id"], text=row["text"]).content_hash for row in rows})


def write_dump(path: Path, rows: list[dict[str, str]]) -> Path:
    path.write_text("".join(json.dumps(row) + "\n" for row in rows), encoding="utf-8")
    return path


def run_cli(*args: str) -> None:
    """One complete command; fails the test if it does not finish cleanly."""
    done = subprocess.run([*CLI, *args], capture_output=True, text=True, timeout=900)
    assert done.returncode == 0, done.stdout[-2000:] + done.stderr[-2000:]


def stored_articles(url: str) -> int:
    """How many articles the dataset holds now (0 before its tables exist)."""
    engine = create_engine(url)
    try:
        with engine.connect() as conn:
            return conn.scalar(select(func.count()).select_from(schema.articles)) or 0
    except Exception:  # the run being killed has not created the tables yet
        return 0
    finally:
        engine.dispose()


def run_with_kills(args: list[str], kills: int, rng: random.Random, url: str, total: int) -> int:
    """Start the command and SIGKILL it at a random point of its work, start it again; `kills`
    times, then once more to the end. The point is a random number of articles further on (then
    wherever the run is when the poll sees it: storing, extracting or linking), so every run is
    killed mid-work however fast the machine is. Returns how many runs were really killed (not
    finished first)."""
    killed = 0
    for left in range(kills, 0, -1):
        before = stored_articles(url)
        # Spread the kills over the work still to do, the last ones during the final linking.
        step = max(0, (total - before) // (left + 1))
        target = before + rng.randint(0, step)
        process = subprocess.Popen(
            [*CLI, *args], stdout=subprocess.DEVNULL, stderr=subprocess.DEVNULL
        )
        while process.poll() is None and stored_articles(url) < target:
            time.sleep(0.05)
        time.sleep(rng.uniform(0.0, 0.5))
        if process.poll() is None:
            process.send_signal(signal.SIGKILL)
            killed += 1
        process.wait()
    run_cli(*args)
    return killed


def review_some_events(url: str) -> None:
    """An analyst's work before the run: one event confirmed, one corrected, one rejected."""
    with Store(url) as store:
        first, second, third = (e.event_id for e in store.events(order="date", limit=3))
        store.review_event(first, "confirm", reviewer="ana")
        store.review_event(
            second, "correct", reviewer="ana", fields={"fatalities": 4}, note="hospital toll"
        )
        store.review_event(third, "reject", reviewer="ben", note="not political violence")


def snapshot(url: str) -> dict[str, Any]:
    """What the dataset holds, without the times of day things were written."""
    engine = create_engine(url)
    a, e, m = schema.articles, schema.events, schema.mentions
    try:
        with engine.connect() as conn:
            return {
                "articles": sorted(
                    tuple(row)
                    for row in conn.execute(
                        select(
                            a.c.id,
                            a.c.url,
                            a.c.content_hash,
                            a.c.status,
                            a.c.status_reason,
                            a.c.duplicate_of,
                        )
                    )
                ),
                "events": {
                    row.event_id: (row.record, row.review_status, row.corrections)
                    for row in conn.execute(
                        select(e.c.event_id, e.c.record, e.c.review_status, e.c.corrections)
                    )
                },
                "mentions": sorted(
                    (row.article_id, row.position, row.event_id, json.dumps(row.record))
                    for row in conn.execute(
                        select(m.c.article_id, m.c.position, m.c.event_id, m.c.record)
                    )
                ),
                "aliases": sorted(tuple(row) for row in conn.execute(select(schema.event_aliases))),
                "reviews": sorted(
                    (r.event_id, r.reviewer, r.action, json.dumps(r.before), json.dumps(r.after))
                    for r in conn.execute(select(schema.reviews))
                ),
            }
    finally:
        engine.dispose()


def assert_whole(state: dict[str, Any]) -> None:
    """No event without a report, no report of a missing event, nothing left half done."""
    reported = {event_id for _, _, event_id, _ in state["mentions"]}
    assert reported == set(state["events"]), "orphan events or mentions of missing events"
    hashes = [content_hash for _, _, content_hash, *_ in state["articles"]]
    assert len(hashes) == len(set(hashes)), "an article stored twice"
    pending = [row for row in state["articles"] if row[4] in (LINK_PENDING, "extraction pending")]
    assert pending == [], f"{len(pending)} articles left pending"


def assert_same(crashed: dict[str, Any], reference: dict[str, Any]) -> None:
    assert crashed["articles"] == reference["articles"]
    assert crashed["mentions"] == reference["mentions"]
    different = [
        event_id
        for event_id in set(crashed["events"]) | set(reference["events"])
        if crashed["events"].get(event_id) != reference["events"].get(event_id)
    ]
    assert different == [], f"{len(different)} events differ, e.g. {different[:3]}"
    assert crashed["aliases"] == reference["aliases"]
    assert crashed["reviews"] == reference["reviews"]


def _fresh_url(backend: str, folder: Path, name: str) -> str:
    if backend == "sqlite":
        return f"sqlite:///{folder / name}.db"
    assert PG_URL is not None
    engine = create_engine(PG_URL)
    existing = MetaData()
    existing.reflect(engine)
    existing.drop_all(engine)
    engine.dispose()
    return PG_URL


@pytest.fixture(scope="module")
def dump(tmp_path_factory: pytest.TempPathFactory) -> tuple[Path, Path]:
    """(the first REVIEWED_PREFIX articles, the whole dump)."""
    folder = tmp_path_factory.mktemp("dump")
    rows = dump_rows(ARTICLES)
    return (
        write_dump(folder / "first.jsonl", rows[:REVIEWED_PREFIX]),
        write_dump(folder / "dump.jsonl", rows),
    )


@pytest.fixture(scope="module")
def reference(dump: tuple[Path, Path], tmp_path_factory: pytest.TempPathFactory) -> dict[str, Any]:
    """The dataset from an uninterrupted run (on SQLite; PostgreSQL must give the same)."""
    first, whole = dump
    url = f"sqlite:///{tmp_path_factory.mktemp('reference') / 'reference.db'}"
    run_cli("ingest", str(first), "--db", url, "-q")
    review_some_events(url)
    run_cli("ingest", str(whole), "--db", url, "-q")
    state = snapshot(url)
    assert_whole(state)
    assert len(state["articles"]) == distinct_texts(dump_rows(ARTICLES))
    assert len(state["events"]) > ARTICLES // 2  # most articles report an incident of their own
    return state


@pytest.mark.parametrize("backend", BACKENDS)
def test_ingest_killed_20_times_ends_as_an_uninterrupted_run(
    backend: str, dump: tuple[Path, Path], reference: dict[str, Any], tmp_path: Path
) -> None:
    first, whole = dump
    url = _fresh_url(backend, tmp_path, "crashed")
    run_cli("ingest", str(first), "--db", url, "-q")
    review_some_events(url)
    total = distinct_texts(dump_rows(ARTICLES))
    killed = run_with_kills(
        ["ingest", str(whole), "--db", url, "-q"], KILLS, random.Random(5), url, total
    )
    assert killed >= KILLS - 2, f"only {killed} runs were killed before they finished"
    crashed = snapshot(url)
    assert_whole(crashed)
    assert_same(crashed, reference)


FEED_ITEM = """<item><title>{title}</title><link>{url}</link><guid>{guid}</guid>
<pubDate>{date}</pubDate><content:encoded><![CDATA[{html}]]></content:encoded></item>"""


def serve_feed(server: LocalWebServer, rows: list[dict[str, str]]) -> None:
    """A feed of the rows at /feed.rss; items carry their text when it is long enough to be the
    whole article, and link to a page of it (fetched when it is not)."""
    items = []
    for row in rows:
        html = "".join(f"<p>{p}</p>" for p in row["text"].split("\n\n"))
        link = f"{server.base}/items/{row['id']}.html"
        page = f"<html><head><title>{row['title']}</title></head><body><article>{html}</article>"
        server.routes[f"/items/{row['id']}.html"] = Route(body=f"{page}</body></html>".encode())
        items.append(
            FEED_ITEM.format(
                title=row["title"],
                url=link,
                guid=row["id"],
                date=date.fromisoformat(row["published"]).strftime("%a, %d %b %Y 09:00:00 GMT"),
                html=html,
            )
        )
    server.routes["/feed.rss"] = Route(
        body=(
            '<?xml version="1.0"?><rss version="2.0" '
            'xmlns:content="http://purl.org/rss/1.0/modules/content/">'
            f"<channel><title>Wire</title>{''.join(items)}</channel></rss>"
        ).encode(),
        content_type="application/rss+xml",
    )


def _watch_args(folder: Path, url: str, base: str) -> list[str]:
    config = folder / "sources.yaml"
    config.write_text(f"sources:\n  - url: {base}/feed.rss\n", encoding="utf-8")
    return [
        "watch", str(config), "--db", url, "--once", "-q", "--cache", str(folder / "cache"),
        "--timeout", "5", "--delay", "0", "--retries", "0", "--allow-net", "127.0.0.1/32",
    ]  # fmt: skip


@pytest.fixture
def feed_server(web: LocalWebServer) -> Iterator[LocalWebServer]:  # noqa: F811
    serve_feed(web, dump_rows(WATCH_ITEMS, seed=29))
    yield web


@pytest.mark.parametrize("backend", BACKENDS)
def test_watch_once_killed_ends_as_an_uninterrupted_round(
    backend: str, feed_server: LocalWebServer, tmp_path: Path
) -> None:
    reference_folder, crashed_folder = tmp_path / "reference", tmp_path / "crashed"
    reference_folder.mkdir()
    crashed_folder.mkdir()
    reference_url = f"sqlite:///{reference_folder / 'reference.db'}"
    run_cli(*_watch_args(reference_folder, reference_url, feed_server.base))
    reference_state = snapshot(reference_url)
    # Pages are read back from HTML, where two short reports may come out as one text.
    assert len(reference_state["articles"]) >= distinct_texts(dump_rows(WATCH_ITEMS, seed=29)) - 3

    url = _fresh_url(backend, tmp_path, "crashed")
    args = _watch_args(crashed_folder, url, feed_server.base)
    total = len(reference_state["articles"])
    killed = run_with_kills(args, WATCH_KILLS, random.Random(11), url, total)
    assert killed >= WATCH_KILLS - 1
    crashed = snapshot(url)
    assert_whole(crashed)
    assert_same(crashed, reference_state)


def test_a_kill_between_extraction_and_linking_is_linked_by_the_next_run(tmp_path: Path) -> None:
    """The issue's case: stored and extracted, never linked. The next run links it, even when the
    article is not in what that run reads."""
    rows = dump_rows(3)
    url = f"sqlite:///{tmp_path / 'events.db'}"
    run_cli("ingest", str(write_dump(tmp_path / "one.jsonl", rows[:1])), "--db", url, "-q")
    with Store(url) as store:
        (article_id,) = [r[0] for r in snapshot(url)["articles"]]
        mentions = store.stored_mentions(article_ids=[article_id])
        # As a process killed after extraction leaves it: mentions stored, linking still to do.
        store.set_mentions(article_id, [m.record for m in mentions], link_pending=True)
        assert store.articles_to_link() == [article_id]
    run_cli("ingest", str(write_dump(tmp_path / "two.jsonl", rows[1:])), "--db", url, "-q")
    with Store(url) as store:
        assert store.articles_to_link() == []
    assert_whole(snapshot(url))


def test_a_kill_while_a_fresh_sqlite_file_is_migrated_leaves_nothing_half_made(
    tmp_path: Path,
) -> None:
    """The whole migration is one transaction: a process dying inside it leaves no tables behind,
    so the next open migrates from scratch instead of failing on tables that already exist."""
    path = tmp_path / "fresh.db"
    killer = (
        "import os, signal\n"
        "from alembic.runtime.migration import HeadMaintainer\n"
        "from conflictlens.store import Store\n"
        "def die(self, *args, **kwargs):\n"
        "    os.kill(os.getpid(), signal.SIGKILL)\n"
        "HeadMaintainer.update_to_step = die  # after 0001 made its tables, before the revision\n"
        f"Store({str(path)!r})\n"
    )
    done = subprocess.run([sys.executable, "-c", killer], capture_output=True, timeout=300)
    assert done.returncode == -signal.SIGKILL
    with Store(str(path)) as store:
        assert store.count_articles() == 0
