"""Concurrent writers: `watch`, `ingest` and the desk's review POSTs on one database at once.

Three processes write at the same time: an ingest of a dump, a watch round over a feed, and the
served desk taking review actions (and a pasted article) from analysts. None of them may show
"database is locked" (or any error) to its user, and nothing is lost: every article read is
stored, linked and whole, and every review is in the audit trail. On SQLite always, on
PostgreSQL when CONFLICTLENS_TEST_PG_URL is set.
"""

from __future__ import annotations

import os
import socket
import subprocess
import time
from collections.abc import Iterator
from pathlib import Path

import httpx
import pytest

from conflictlens.store import Store
from test_crash_safety import (
    CLI,
    _fresh_url,
    _watch_args,
    assert_whole,
    distinct_texts,
    dump_rows,
    run_cli,
    serve_feed,
    snapshot,
    write_dump,
)
from webserver import LocalWebServer, web  # noqa: F401

PG_URL = os.environ.get("CONFLICTLENS_TEST_PG_URL")
BACKENDS = ["sqlite"] + ([pytest.param("postgres", marks=pytest.mark.postgres)] if PG_URL else [])
TOKEN = "desk-token-for-the-test"
SEEDED = 30
INGESTED = 60
WATCHED = 60
REVIEW_ROUNDS = 4


def _free_port() -> int:
    with socket.socket() as sock:
        sock.bind(("127.0.0.1", 0))
        return sock.getsockname()[1]


@pytest.fixture
def desk(db: str) -> Iterator[tuple[str, str]]:
    """`conflictlens serve` with a token on the test's database: (its base URL, the db URL)."""
    url = db
    port = _free_port()
    server = subprocess.Popen(
        # The analysts here write faster than the default limit allows one desk client.
        [
            *CLI,
            "serve",
            "--db",
            url,
            "--port",
            str(port),
            "--token",
            TOKEN,
            "--writes-per-minute",
            "100000",
        ],
        stdout=subprocess.DEVNULL,
        stderr=subprocess.PIPE,
        text=True,
    )
    base = f"http://127.0.0.1:{port}"
    try:
        deadline = time.monotonic() + 60
        while time.monotonic() < deadline and server.poll() is None:
            try:
                if httpx.get(f"{base}/api/meta", timeout=5).status_code == 200:
                    break
            except httpx.HTTPError:
                time.sleep(0.2)
        yield base, url
    finally:
        server.terminate()
        _, stderr = server.communicate(timeout=30)
        assert "database is locked" not in stderr
        assert "Traceback" not in stderr, stderr[-3000:]


@pytest.fixture(params=BACKENDS)
def db(request: pytest.FixtureRequest, tmp_path: Path) -> str:
    url = _fresh_url(request.param, tmp_path, "shared")
    seed = write_dump(tmp_path / "seed.jsonl", dump_rows(SEEDED, seed=41))
    run_cli("ingest", str(seed), "--db", url, "-q")
    return url


def test_watch_ingest_and_reviews_at_once_lose_nothing(
    desk: tuple[str, str],
    web: LocalWebServer,  # noqa: F811
    tmp_path: Path,
) -> None:
    base, url = desk
    rows = dump_rows(INGESTED + WATCHED, seed=43)
    dump = write_dump(tmp_path / "dump.jsonl", rows[:INGESTED])
    serve_feed(web, rows[INGESTED:])
    with Store(url) as store:
        event_ids = [e.event_id for e in store.events(order="date")]
    assert len(event_ids) >= 10

    writers = [
        subprocess.Popen([*CLI, *args], stdout=subprocess.PIPE, stderr=subprocess.STDOUT, text=True)
        for args in (
            ["ingest", str(dump), "--db", url, "-q"],
            _watch_args(tmp_path, url, web.base),
        )
    ]
    reviews = 0
    headers = {"Authorization": f"Bearer {TOKEN}"}
    with httpx.Client(base_url=base, headers=headers, timeout=120) as client:
        while any(w.poll() is None for w in writers) or reviews < 10:
            event_id = event_ids[reviews % len(event_ids)]
            action = ["confirm", "reopen", "correct", "reject"][reviews % REVIEW_ROUNDS]
            body = {"action": action, "reviewer": "ana", "note": f"review {reviews}"}
            if action == "correct":
                body["fields"] = {"notes": f"checked by the desk ({reviews})"}
            response = client.post(f"/api/events/{event_id}/review", json=body)
            assert response.status_code == 200, response.text
            reviews += 1
    for writer in writers:
        output = writer.communicate(timeout=900)[0]
        assert "database is locked" not in output
        assert writer.returncode == 0, output[-3000:]

    state = snapshot(url)
    assert_whole(state)
    ingested = {row["url"] for row in dump_rows(SEEDED, seed=41) + rows[:INGESTED]}
    stored = {url for _, url, *_ in state["articles"]}
    # Every report of the dumps is stored, unless it is the same text as another one.
    missing = ingested - stored
    assert len(missing) <= SEEDED + INGESTED - distinct_texts(
        dump_rows(SEEDED, seed=41) + rows[:INGESTED]
    )
    # Feed items are read back from HTML, where two short reports may come out as one text.
    watched = {url for url in stored if "/items/" in url}
    assert len(watched) >= distinct_texts(rows[INGESTED:]) - 3
    assert len(state["reviews"]) == reviews
