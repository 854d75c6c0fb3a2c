"""A small web server on 127.0.0.1 for the web-ingest tests: routes the tests can change between
requests, conditional GET by ETag, and a count of requests per path. Nothing leaves the machine."""

from __future__ import annotations

import threading
import time
from collections import Counter
from collections.abc import Iterator
from dataclasses import dataclass, field
from http.server import BaseHTTPRequestHandler, ThreadingHTTPServer
from pathlib import Path

import pytest


@dataclass
class Route:
    body: bytes = b""
    status: int = 200
    content_type: str = "text/html; charset=utf-8"
    headers: dict[str, str] = field(default_factory=dict)
    etag: str | None = None
    delay: float = 0.0  # seconds before answering: a slow endpoint
    # Served without Content-Length, in pieces: the client can only learn the size by reading.
    chunked: bool = False


class LocalWebServer:
    def __init__(self) -> None:
        self.routes: dict[str, Route] = {}
        self.hits: Counter[str] = Counter()
        self.user_agents: set[str] = set()
        self.posted: list[tuple[str, bytes]] = []  # (path, body) of each POST: webhook deliveries
        self._server = ThreadingHTTPServer(("127.0.0.1", 0), self._handler())
        self._server.daemon_threads = True
        self._thread = threading.Thread(
            target=self._server.serve_forever, kwargs={"poll_interval": 0.05}, daemon=True
        )

    @property
    def base(self) -> str:
        host, port = self._server.server_address[:2]
        return f"http://{host}:{port}"

    def url(self, path: str) -> str:
        return self.base + path

    def start(self) -> None:
        self._thread.start()

    def stop(self) -> None:
        self._server.shutdown()
        self._server.server_close()

    def _handler(self) -> type[BaseHTTPRequestHandler]:
        server = self

        class Handler(BaseHTTPRequestHandler):
            def do_GET(self) -> None:
                server.hits[self.path] += 1
                server.user_agents.add(self.headers.get("User-Agent", ""))
                route = server.routes.get(self.path)
                if route is None:
                    self._answer(404, "text/plain", b"not found", {})
                    return
                if route.delay:
                    time.sleep(route.delay)
                headers = dict(route.headers)
                if route.etag:
                    headers["ETag"] = route.etag
                    if self.headers.get("If-None-Match") == route.etag:
                        self._answer(304, None, b"", headers)
                        return
                self._answer(route.status, route.content_type, route.body, headers, route.chunked)

            def do_POST(self) -> None:
                length = int(self.headers.get("Content-Length") or 0)
                server.posted.append((self.path, self.rfile.read(length)))
                self._answer(204, None, b"", {})

            def _answer(
                self,
                status: int,
                content_type: str | None,
                body: bytes,
                headers: dict[str, str],
                chunked: bool = False,
            ) -> None:
                try:
                    self.send_response(status)
                    if content_type:
                        self.send_header("Content-Type", content_type)
                    for name, value in headers.items():
                        self.send_header(name, value)
                    if not chunked:
                        self.send_header("Content-Length", str(len(body)))
                    self.send_header("Connection", "close")
                    self.end_headers()
                    for start in range(0, len(body), 65536):
                        self.wfile.write(body[start : start + 65536])
                except (BrokenPipeError, ConnectionResetError):
                    pass  # the client stopped reading (size limit, timeout): that is the test

            def log_message(self, *_args: object) -> None:
                return None

        return Handler


@pytest.fixture
def web() -> Iterator[LocalWebServer]:
    server = LocalWebServer()
    server.start()
    try:
        yield server
    finally:
        server.stop()


PAGES = Path(__file__).parent / "pages"
ROBOTS = b"User-agent: *\nDisallow: /private/\n"
PDF_BYTES = b"%PDF-1.4\n1 0 obj << /Type /Catalog >> endobj\ntrailer << /Root 1 0 R >>\n%%EOF\n"


def page(name: str, *, etag: str | None = None, delay: float = 0.0) -> Route:
    return Route(body=(PAGES / name).read_bytes(), etag=etag, delay=delay)


def feed(name: str, base: str, content_type: str) -> Route:
    text = (PAGES / name).read_text("utf-8").replace("{base}", base)
    return Route(body=text.encode("utf-8"), content_type=content_type)


def serve_news_site(server: LocalWebServer) -> None:
    """Good pages and feeds, and every way a site can fail, at fixed paths."""
    server.routes.update(
        {
            "/robots.txt": Route(body=ROBOTS, content_type="text/plain"),
            "/news/mopti.html": page("mopti_attack.html", etag='"mopti-1"'),
            "/news/idlib.html": page("idlib_shelling.html"),
            "/news/kaduna.html": page("broken.html"),
            "/news/tongomayel.html": page("ouagadougou_fr.html"),
            "/private/mopti.html": page("mopti_attack.html"),
            "/feeds/desk.rss": feed("rss.xml", server.base, "application/rss+xml"),
            "/feeds/syria.atom": feed("atom.xml", server.base, "application/atom+xml"),
            "/feeds/broken.rss": Route(
                body=b"<?xml version='1.0'?><rss><channel><item><title>cut off",
                content_type="application/rss+xml",
            ),
            "/slow": page("idlib_shelling.html", delay=3.0),
            "/error": Route(body=b"internal error", status=500, content_type="text/plain"),
            "/loop/a": Route(status=302, headers={"Location": "/loop/b"}),
            "/loop/b": Route(status=302, headers={"Location": "/loop/a"}),
            "/huge.html": Route(body=b"<p>" + b"filler text " * 600_000 + b"</p>", chunked=True),
            "/report.pdf": Route(body=PDF_BYTES, content_type="application/pdf"),
            "/garbage": Route(body=bytes(range(256)) * 40, content_type="text/html"),
        }
    )
