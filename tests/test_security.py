"""What a hostile client or a hostile page cannot make the server do.

Fetch no address on the server's own networks (loopback, private, link-local, cloud metadata),
neither directly nor through a redirect or a second DNS answer, unless the operator allowed the
network; compare tokens in constant time; throttle writes; refuse oversized and non-JSON bodies;
answer every error in one JSON shape; keep the desk's Content-Security-Policy.
"""

from __future__ import annotations

import hmac
import socket
from collections.abc import Iterator
from pathlib import Path
from typing import Any

import pytest
from fastapi.testclient import TestClient
from typer.testing import CliRunner

from conflictlens.cli import app as cli_app
from conflictlens.ingest.fetch import (
    AddressGuard,
    Fetcher,
    FetchSettings,
    RefusedAddress,
    parse_networks,
)
from conflictlens.web import create_app
from conflictlens.web.limits import MAX_BODY_BYTES, WriteRateLimit
from test_api import _build
from webserver import LocalWebServer, Route, serve_news_site, web  # noqa: F401

TOKEN = "security-token"
AUTH = {"Authorization": f"Bearer {TOKEN}"}
QUICK = {"timeout": 0.5, "retries": 0, "host_delay": 0.0, "respect_robots": False}


@pytest.mark.parametrize(
    ("url", "kind"),
    [
        ("http://127.0.0.1:9/", "loopback"),
        ("http://localhost:9/", "loopback"),
        ("http://[::1]:9/", "loopback"),
        ("http://[::ffff:127.0.0.1]:9/", "loopback"),
        ("http://10.20.30.40/", "private"),
        ("http://192.168.1.1/admin", "private"),
        ("http://169.254.169.254/latest/meta-data/", "link-local"),
        ("http://[fe80::1]/", "link-local"),
        ("http://0.0.0.0:8000/", "private"),
        ("http://100.64.0.1/", "non-public"),
    ],
)
def test_the_fetcher_refuses_the_servers_own_networks(url: str, kind: str) -> None:
    with Fetcher(FetchSettings(**QUICK)) as fetcher, pytest.raises(RefusedAddress) as refused:
        fetcher.get(url)
    assert kind in refused.value.reason
    assert "--allow-net" in refused.value.reason
    assert not refused.value.transient


def test_an_allowed_network_is_fetched_and_only_that_one(
    web: LocalWebServer,  # noqa: F811
) -> None:
    serve_news_site(web)
    settings = FetchSettings(**QUICK, allowed_networks=parse_networks(["127.0.0.1/32"]))
    with Fetcher(settings) as fetcher:
        assert b"Mopti" in fetcher.get(web.url("/news/mopti.html")).body
        with pytest.raises(RefusedAddress):
            fetcher.get("http://127.0.0.2:9/")  # loopback too, but not the allowed network


def test_a_redirect_into_a_refused_network_is_refused_at_connect_time(
    web: LocalWebServer,  # noqa: F811
) -> None:
    port = web.base.rsplit(":", 1)[1]
    web.routes["/moved"] = Route(status=302, headers={"Location": f"http://127.0.0.2:{port}/x"})
    settings = FetchSettings(**QUICK, allowed_networks=parse_networks(["127.0.0.1/32"]))
    with Fetcher(settings) as fetcher, pytest.raises(RefusedAddress) as refused:
        fetcher.get(web.url("/moved"))
    assert "127.0.0.2, a loopback address" in refused.value.reason
    assert web.hits["/x"] == 0


def test_a_second_dns_answer_cannot_lead_inside(
    web: LocalWebServer,  # noqa: F811
    monkeypatch: pytest.MonkeyPatch,
) -> None:
    """DNS rebinding: the name resolves to a public address when checked, to loopback when used."""
    serve_news_site(web)
    port = int(web.base.rsplit(":", 1)[1])
    real = socket.getaddrinfo
    answers = iter(["93.184.216.34", "127.0.0.1", "127.0.0.1"])

    def rebinding(host: Any, *args: Any, **kwargs: Any) -> Any:
        if host == "news.rebind.example":
            return real(next(answers), *args, **kwargs)
        return real(host, *args, **kwargs)

    monkeypatch.setattr(socket, "getaddrinfo", rebinding)
    url = f"http://news.rebind.example:{port}/news/mopti.html"
    with Fetcher(FetchSettings(**QUICK)) as fetcher:
        fetcher.guard.check_url(url)  # the first answer is public: the early check lets it by
        with pytest.raises(RefusedAddress):
            fetcher.get(url)
    assert web.hits["/news/mopti.html"] == 0


def test_a_name_with_any_inside_answer_is_refused(monkeypatch: pytest.MonkeyPatch) -> None:
    real = socket.getaddrinfo

    def mixed(host: Any, port: Any, *args: Any, **kwargs: Any) -> Any:
        return real("93.184.216.34", port, *args, **kwargs) + real(
            "10.0.0.5", port, *args, **kwargs
        )

    monkeypatch.setattr(socket, "getaddrinfo", mixed)
    with pytest.raises(RefusedAddress, match=r"10\.0\.0\.5, a private address"):
        AddressGuard().addresses("both.example", 80)


def test_allow_net_takes_cidr_and_names_a_bad_value() -> None:
    assert [str(n) for n in parse_networks(["10.0.0.0/8", "::1", "192.168.1.7/24"])] == [
        "10.0.0.0/8",
        "::1/128",
        "192.168.1.0/24",
    ]
    with pytest.raises(ValueError, match="not a network: 'intranet'"):
        parse_networks(["intranet"])


@pytest.mark.slow
def test_cli_ingest_refuses_loopback_unless_allowed(
    web: LocalWebServer,  # noqa: F811
    tmp_path: Path,
) -> None:
    serve_news_site(web)
    runner = CliRunner()
    url = web.url("/news/mopti.html")
    base = ["ingest", url, "--db", str(tmp_path / "x.db"), "--delay", "0", "--retries", "0"]
    base += ["--cache", str(tmp_path / "cache")]
    refused = runner.invoke(cli_app, base)
    assert refused.exit_code == 1
    assert "loopback address" in refused.stderr
    assert web.hits["/news/mopti.html"] == 0
    bad = runner.invoke(cli_app, [*base, "--allow-net", "intranet"])
    assert bad.exit_code == 2
    assert "not a network" in bad.output
    allowed = runner.invoke(cli_app, [*base, "--allow-net", "127.0.0.1/32", "--quiet"])
    assert allowed.exit_code == 0, allowed.output
    assert web.hits["/news/mopti.html"] == 1


@pytest.fixture
def writable(tmp_path: Path) -> Iterator[TestClient]:
    app = create_app(
        _build(tmp_path / "events.db"),
        token=TOKEN,
        fetch_settings=FetchSettings(**QUICK, cache_dir=tmp_path / "cache"),
    )
    with TestClient(app) as client:
        yield client


def test_url_ingest_answers_403_with_the_reason_and_fetches_nothing(
    writable: TestClient,
) -> None:
    urls = ["https://news.example/ok", "http://169.254.169.254/latest/meta-data/iam"]
    response = writable.post("/api/ingest/urls", json={"urls": urls}, headers=AUTH)
    assert response.status_code == 403
    body = response.json()
    assert "169.254.169.254, a link-local (cloud metadata lives here) address" in body["detail"]
    assert body["errors"] == []
    spec = writable.get("/openapi.json").json()
    assert "403" in spec["paths"]["/api/ingest/urls"]["post"]["responses"]


def test_tokens_are_compared_in_constant_time(
    writable: TestClient, monkeypatch: pytest.MonkeyPatch
) -> None:
    compared: list[tuple[bytes, bytes]] = []
    constant_time = hmac.compare_digest

    def spy(a: bytes, b: bytes) -> bool:
        compared.append((a, b))
        return constant_time(a, b)

    monkeypatch.setattr("conflictlens.web.api.hmac.compare_digest", spy)
    review = {"action": "confirm", "reviewer": "ana"}
    wrong = writable.post(
        "/api/events/ev-none/review", json=review, headers={"Authorization": "Bearer guess"}
    )
    assert wrong.status_code == 403
    assert compared == [(b"guess", TOKEN.encode())]


def test_writes_are_rate_limited_per_client_with_retry_after(tmp_path: Path) -> None:
    app = create_app(
        _build(tmp_path / "events.db"),
        token=TOKEN,
        write_limit=WriteRateLimit(per_minute=6, burst=3),
    )
    review = {"action": "confirm", "reviewer": "ana"}
    with TestClient(app) as client:
        # Three writes (here refused as unknown events or for a wrong token) spend the burst.
        statuses = [
            client.post("/api/events/ev-none/review", json=review, headers=AUTH).status_code,
            client.post("/api/events/ev-none/review", json=review).status_code,
            client.post("/api/events/ev-none/review", json=review, headers=AUTH).status_code,
        ]
        assert statuses == [404, 401, 404]
        throttled = client.post("/api/events/ev-none/review", json=review, headers=AUTH)
        assert throttled.status_code == 429
        assert throttled.headers["retry-after"] == "10"  # one write every ten seconds
        assert "too many writes" in throttled.json()["detail"]
        # Reads are never throttled.
        assert client.get("/api/events").status_code == 200
    spec = app.openapi()
    declared = spec["paths"]["/api/ingest/text"]["post"]["responses"]["429"]
    assert "Retry-After" in declared["headers"]


def test_the_token_bucket_refills_at_its_rate(monkeypatch: pytest.MonkeyPatch) -> None:
    clock = [1000.0]
    monkeypatch.setattr("conflictlens.web.limits.time.monotonic", lambda: clock[0])
    bucket = WriteRateLimit(per_minute=60, burst=2)
    assert [bucket.take("a"), bucket.take("a")] == [0.0, 0.0]
    assert bucket.take("a") == pytest.approx(1.0)
    assert bucket.take("b") == 0.0  # another client has its own bucket
    clock[0] += 1.0
    assert bucket.take("a") == 0.0
    clock[0] += 100.0  # a long pause refills to the burst, never beyond
    assert [bucket.take("a") for _ in range(3)][-1] > 0


def test_oversized_and_non_json_bodies_are_refused_before_reading(writable: TestClient) -> None:
    url = "/api/ingest/text"
    huge = writable.post(
        url,
        content=b'{"text": "' + b"a" * MAX_BODY_BYTES + b'"}',
        headers={**AUTH, "Content-Type": "application/json"},
    )
    assert huge.status_code == 413
    assert "too large" in huge.json()["detail"]

    def chunks() -> Iterator[bytes]:  # no Content-Length: the size is learnt while reading
        yield b'{"text": "'
        for _ in range(MAX_BODY_BYTES // 100_000 + 1):
            yield b"a" * 100_000
        yield b'"}'

    streamed = writable.post(
        url, content=chunks(), headers={**AUTH, "Content-Type": "application/json"}
    )
    assert streamed.status_code == 413
    form = writable.post(url, content=b"text=hello", headers={**AUTH, "Content-Type": "text/plain"})
    assert form.status_code == 415
    assert writable.get("/api/articles").json()["total"] == 6


def test_every_error_is_one_json_shape(writable: TestClient) -> None:
    invalid = writable.get("/api/events", params={"until": "0", "offset": 10**30})
    assert invalid.status_code == 422
    body = invalid.json()
    assert "until" in body["detail"] and "offset" in body["detail"]
    assert {tuple(error["loc"]) for error in body["errors"]} == {
        ("query", "until"),
        ("query", "offset"),
    }
    missing = writable.get("/api/events/ev-none").json()
    assert missing == {"detail": "no such event", "errors": []}
    unparsable = writable.post(
        "/api/ingest/text",
        content=b"\x05\xff\xfe+",
        headers={**AUTH, "Content-Type": "application/json"},
    )
    assert unparsable.status_code in (400, 422)
    assert isinstance(unparsable.json()["detail"], str)


def test_the_desk_pages_keep_their_content_security_policy(writable: TestClient) -> None:
    for path in ("/", "/event/ev-none", "/audit", "/api/events", "/api/events/ev-none", "/nope"):
        csp = writable.get(path).headers["content-security-policy"]
        directives = dict(part.strip().split(" ", 1) for part in csp.split(";"))
        assert directives["script-src"] == "'self'", path
        assert directives["object-src"] == "'none'"
        assert directives["frame-ancestors"] == "'none'"
        assert "unsafe" not in csp, path
