"""The API keeps its OpenAPI document: schemathesis (`--checks all`) against a live server.

Schemathesis generates requests from the document (valid ones, invalid ones, undeclared methods,
sequences that follow the links between operations) and checks every answer: no server error,
every status declared, every body matching its schema, invalid input refused, valid input taken.
Any finding fails this test with schemathesis's report, which shows how to reproduce it.

The server runs in this process on 127.0.0.1 with a token and no write rate limit (so the writes
are exercised rather than throttled). Host names do not resolve here (IP literals only): URL ingest
is tested offline, where a loopback or private address is refused and any other fails to fetch.
"""

from __future__ import annotations

import shutil
import socket
import subprocess
import sys
import threading
import time
from collections.abc import Iterator
from pathlib import Path
from typing import Any

import httpx
import pytest
import uvicorn

from conflictlens.ingest.fetch import FetchSettings
from conflictlens.web import create_app
from conflictlens.web.limits import WriteRateLimit
from test_api import _build

TOKEN = "contract-token"
# Examples per operation: the whole run stays within about two minutes on two cores.
MAX_EXAMPLES = 40
SEED = 20241203


def _free_port() -> int:
    with socket.socket() as probe:
        probe.bind(("127.0.0.1", 0))
        return probe.getsockname()[1]


def _offline_lookup(real: Any) -> Any:
    """getaddrinfo for IP literals only: no generated host name ever reaches a real DNS."""

    def lookup(host: Any, port: Any, *args: Any, **kwargs: Any) -> Any:
        kwargs["flags"] = kwargs.get("flags", 0) | socket.AI_NUMERICHOST
        return real(host, port, *args, **kwargs)

    return lookup


@pytest.fixture
def server(tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> Iterator[str]:
    monkeypatch.setattr(socket, "getaddrinfo", _offline_lookup(socket.getaddrinfo))
    app = create_app(
        _build(tmp_path / "contract.db"),
        token=TOKEN,
        fetch_settings=FetchSettings(
            timeout=2.0, retries=0, host_delay=0.0, cache_dir=tmp_path / "http-cache"
        ),
        write_limit=WriteRateLimit(per_minute=1e9, burst=10**9),
    )
    port = _free_port()
    config = uvicorn.Config(app, host="127.0.0.1", port=port, log_level="warning")
    uvicorn_server = uvicorn.Server(config)
    thread = threading.Thread(target=uvicorn_server.run, daemon=True)
    thread.start()
    deadline = time.monotonic() + 30
    while not uvicorn_server.started:
        assert thread.is_alive() and time.monotonic() < deadline, "the server did not start"
        time.sleep(0.05)
    base = f"http://127.0.0.1:{port}"
    # The first ingest loads the language model and the gazetteer: done here, not in a timed check.
    warm_up = httpx.post(
        f"{base}/api/ingest/text",
        json={"text": "Gunmen killed three traders near Kidal in northern Mali on Monday."},
        headers={"Authorization": f"Bearer {TOKEN}"},
        timeout=600,
    )
    assert warm_up.status_code == 200, warm_up.text
    yield base
    uvicorn_server.should_exit = True
    thread.join(timeout=10)


def test_schemathesis_finds_nothing_with_every_check(server: str, tmp_path: Path) -> None:
    executable = shutil.which("schemathesis", path=str(Path(sys.executable).parent))
    if executable is None:
        pytest.fail("schemathesis is missing: `make install` installs the dev extra")
    result = subprocess.run(
        [
            executable,
            "run",
            f"{server}/openapi.json",
            "--checks",
            "all",
            "--max-examples",
            str(MAX_EXAMPLES),
            "--seed",
            str(SEED),
            "--header",
            f"Authorization: Bearer {TOKEN}",
            "--workers",
            "1",
            "--request-timeout",
            "30",
            "--generation-database",
            "none",
            "--no-color",
        ],
        cwd=tmp_path,
        capture_output=True,
        text=True,
        timeout=600,
    )
    report = result.stdout + result.stderr
    assert result.returncode == 0, report[-20_000:]
    assert "No issues found" in report or " passed" in report, report[-5_000:]
