"""The fetcher's rules against a local server: robots.txt, timeouts, retries, redirects, size and
content-type limits, the per-host delay and the cache. No extraction, nothing leaves the machine."""

from __future__ import annotations

import socket
import threading
import time
from pathlib import Path

import pytest

from conflictlens.ingest.fetch import Fetcher, FetchError, FetchSettings, parse_networks
from webserver import LocalWebServer, Route, serve_news_site, web  # noqa: F401

# The test server listens on loopback, which the fetcher reaches only when allowed to.
LOOPBACK = parse_networks(["127.0.0.1/32"])


@pytest.fixture
def fetcher(tmp_path: Path, web: LocalWebServer) -> Fetcher:  # noqa: F811
    serve_news_site(web)
    settings = FetchSettings(
        timeout=0.5,
        retries=2,
        backoff=0.01,
        host_delay=0.0,
        max_bytes=1_000_000,
        cache_dir=tmp_path / "cache",
        allowed_networks=LOOPBACK,
    )
    with Fetcher(settings) as client:
        yield client


def _reason(fetcher: Fetcher, url: str) -> str:
    with pytest.raises(FetchError) as failure:
        fetcher.get(url)
    assert "\n" not in failure.value.reason
    return failure.value.reason


def test_a_page_is_fetched_with_a_user_agent_that_names_the_project(
    fetcher: Fetcher,
    web: LocalWebServer,  # noqa: F811
) -> None:
    fetched = fetcher.get(web.url("/news/mopti.html"))
    assert b"Kopa" in fetched.body
    assert fetched.content_type == "text/html"
    assert fetched.etag == '"mopti-1"'
    assert {ua.split("/")[0] for ua in web.user_agents} == {"conflictlens"}


def test_robots_txt_is_obeyed_without_touching_the_page(
    fetcher: Fetcher,
    web: LocalWebServer,  # noqa: F811
) -> None:
    assert _reason(fetcher, web.url("/private/mopti.html")) == "disallowed by robots.txt"
    assert web.hits["/private/mopti.html"] == 0
    fetcher.get(web.url("/news/idlib.html"))
    assert web.hits["/robots.txt"] == 1  # read once per host


def test_a_slow_server_times_out_once_without_retries(
    fetcher: Fetcher,
    web: LocalWebServer,  # noqa: F811
) -> None:
    assert _reason(fetcher, web.url("/slow")) == "timed out after 0.5 s"
    assert web.hits["/slow"] == 1


def test_a_server_error_is_retried_then_reported(
    fetcher: Fetcher,
    web: LocalWebServer,  # noqa: F811
) -> None:
    with pytest.raises(FetchError) as failure:
        fetcher.get(web.url("/error"))
    assert failure.value.reason == "HTTP 500 Internal Server Error"
    assert failure.value.transient
    assert web.hits["/error"] == 3  # the first try and two retries


def test_a_server_that_recovers_is_fetched_on_a_retry(
    fetcher: Fetcher,
    web: LocalWebServer,  # noqa: F811
) -> None:
    web.routes["/flaky"] = Route(status=503, body=b"busy", content_type="text/plain")
    original = fetcher._client.stream
    calls = 0

    def recover_after_first(*args: object, **kwargs: object) -> object:
        nonlocal calls
        calls += 1
        if calls == 2:
            web.routes["/flaky"] = Route(body=b"<p>back</p>")
        return original(*args, **kwargs)

    fetcher._client.stream = recover_after_first  # type: ignore[method-assign]
    assert fetcher.get(web.url("/flaky")).body == b"<p>back</p>"
    assert web.hits["/flaky"] == 2


def test_a_redirect_loop_is_one_clear_failure(
    fetcher: Fetcher,
    web: LocalWebServer,  # noqa: F811
) -> None:
    reason = _reason(fetcher, web.url("/loop/a"))
    assert reason.startswith("redirect loop: ")
    assert reason.endswith("/loop/b -> " + web.url("/loop/a"))


def test_a_redirect_is_followed_to_the_page(
    fetcher: Fetcher,
    web: LocalWebServer,  # noqa: F811
) -> None:
    web.routes["/moved"] = Route(status=301, headers={"Location": "/news/idlib.html"})
    fetched = fetcher.get(web.url("/moved"))
    assert fetched.url == web.url("/news/idlib.html")
    assert b"Kafr Nabl" in fetched.body


def test_an_oversized_page_is_stopped_while_streaming(
    fetcher: Fetcher,
    web: LocalWebServer,  # noqa: F811
) -> None:
    assert _reason(fetcher, web.url("/huge.html")) == "too large (more than 1 MB)"
    web.routes["/huge-declared.html"] = Route(body=b"x" * 1_500_000)
    assert _reason(fetcher, web.url("/huge-declared.html")) == "too large (more than 1 MB)"


def test_a_pdf_is_not_an_article(fetcher: Fetcher, web: LocalWebServer) -> None:  # noqa: F811
    reason = _reason(fetcher, web.url("/report.pdf"))
    assert reason == "not an article: content-type application/pdf"


def test_an_unreachable_host_is_retried_then_reported(tmp_path: Path) -> None:
    with socket.socket() as probe:  # a port that was just free, closed again
        probe.bind(("127.0.0.1", 0))
        url = f"http://127.0.0.1:{probe.getsockname()[1]}/news.html"
    settings = FetchSettings(
        timeout=0.5,
        retries=1,
        backoff=0.01,
        host_delay=0.0,
        respect_robots=False,
        allowed_networks=LOOPBACK,
    )
    with Fetcher(settings) as fetcher, pytest.raises(FetchError) as failure:
        fetcher.get(url)
    assert failure.value.reason.startswith("cannot connect (")
    assert failure.value.reason.endswith("after 2 attempt(s)")


def test_requests_to_one_host_are_spaced_by_the_delay(
    tmp_path: Path,
    web: LocalWebServer,  # noqa: F811
    monkeypatch: pytest.MonkeyPatch,
) -> None:
    serve_news_site(web)
    waits: list[float] = []
    # Patching time.sleep patches it for every thread: count only this one's (the fetcher's),
    # not a server's or a lingering library thread's.
    sleep, fetching = time.sleep, threading.current_thread()

    def record(seconds: float) -> None:
        if threading.current_thread() is fetching:
            waits.append(seconds)
        else:
            sleep(seconds)

    monkeypatch.setattr("conflictlens.ingest.fetch.time.sleep", record)
    with Fetcher(FetchSettings(host_delay=30.0, allowed_networks=LOOPBACK)) as fetcher:
        fetcher.get(web.url("/news/mopti.html"))
        fetcher.get(web.url("/news/idlib.html"))
    # robots.txt, then two pages: every request after the first waits for the host.
    assert len(waits) == 2
    assert all(25.0 < wait <= 30.0 for wait in waits)


def test_the_same_url_is_not_fetched_twice(
    fetcher: Fetcher,
    web: LocalWebServer,  # noqa: F811
) -> None:
    url = web.url("/news/mopti.html")
    first = fetcher.get(url)
    again = fetcher.get(url)
    assert again.from_cache and again.body == first.body
    assert web.hits["/news/mopti.html"] == 1
    # Past its age, the cached copy is revalidated with its ETag: 304, and the body comes from disk.
    revalidated = fetcher.get(url, max_age=0)
    assert revalidated.from_cache and revalidated.body == first.body
    assert web.hits["/news/mopti.html"] == 2


def test_a_callers_own_validators_give_not_modified(
    fetcher: Fetcher,
    web: LocalWebServer,  # noqa: F811
) -> None:
    url = web.url("/news/mopti.html")
    assert fetcher.get(url, max_age=0, etag='"mopti-1"').not_modified
    web.routes["/news/mopti.html"].etag = '"mopti-2"'
    changed = fetcher.get(url, max_age=0, etag='"mopti-1"')
    assert not changed.not_modified and changed.etag == '"mopti-2"'
