"""Limits the server keeps whatever a client sends: request body size and type, and write rate.

Bodies are checked before the application reads them: a body larger than the limit is refused with
413 (declared or counted while it streams), a POST that is not JSON with 415. Writes are rate
limited per client address by a token bucket held in this process: a burst of `burst` writes, then
`per_minute` a minute; more is answered 429 with Retry-After.
"""

from __future__ import annotations

import json
import threading
import time
from dataclasses import dataclass, field

from starlette.types import ASGIApp, Message, Receive, Scope, Send

# A JSON body holds at most one article's text (schemas.MAX_TEXT_CHARS) or 500 URLs, escaped.
MAX_BODY_BYTES = 2_000_000


async def send_error(send: Send, status: int, detail: str, headers: dict[str, str]) -> None:
    """An error in the API's one error shape, sent from outside the application."""
    body = json.dumps({"detail": detail, "errors": []}).encode("utf-8")
    raw_headers = [
        (b"content-type", b"application/json"),
        (b"content-length", str(len(body)).encode()),
        *((name.encode(), value.encode()) for name, value in headers.items()),
    ]
    await send({"type": "http.response.start", "status": status, "headers": raw_headers})
    await send({"type": "http.response.body", "body": body})


class BodyLimit:
    """Refuse request bodies over `max_bytes` (413) and bodies that are not JSON (415); a request
    without a body goes on (the application answers 405 or 422 for it)."""

    def __init__(self, app: ASGIApp, max_bytes: int = MAX_BODY_BYTES) -> None:
        self.app = app
        self.max_bytes = max_bytes

    async def __call__(self, scope: Scope, receive: Receive, send: Send) -> None:
        if scope["type"] != "http" or scope["method"] not in ("POST", "PUT", "PATCH"):
            await self.app(scope, receive, send)
            return
        headers = {k.decode("latin-1").lower(): v.decode("latin-1") for k, v in scope["headers"]}
        media_type = headers.get("content-type", "").split(";", 1)[0].strip().lower()
        has_body = headers.get("content-length", "0") != "0" or "transfer-encoding" in headers
        if has_body and media_type != "application/json":
            await send_error(
                send, 415, "send the body as JSON (Content-Type: application/json)", {}
            )
            return
        declared = headers.get("content-length", "")
        too_large = f"body too large (more than {self.max_bytes:,} bytes)"
        if declared.isdigit() and int(declared) > self.max_bytes:
            await send_error(send, 413, too_large, {})
            return
        body = bytearray()
        while True:
            message = await receive()
            if message["type"] != "http.request":
                return  # the client went away
            body += message.get("body", b"")
            if len(body) > self.max_bytes:
                await send_error(send, 413, too_large, {})
                return
            if not message.get("more_body"):
                break
        replayed = False

        async def replay() -> Message:
            nonlocal replayed
            if replayed:
                return await receive()
            replayed = True
            return {"type": "http.request", "body": bytes(body), "more_body": False}

        await self.app(scope, replay, send)


@dataclass
class WriteRateLimit:
    """A token bucket per client: `burst` writes at once, refilled at `per_minute` a minute."""

    per_minute: float = 60.0
    burst: int = 20
    # Clients remembered at most; full buckets are forgotten first (they are the default anyway).
    max_clients: int = 10_000
    _buckets: dict[str, tuple[float, float]] = field(default_factory=dict)
    _lock: threading.Lock = field(default_factory=threading.Lock)

    def take(self, client: str) -> float:
        """Spend one write for `client`: 0 when allowed, else the seconds until one is available."""
        rate = self.per_minute / 60.0
        now = time.monotonic()
        with self._lock:
            if len(self._buckets) >= self.max_clients:
                self._forget_full(now, rate)
            tokens, stamp = self._buckets.get(client, (float(self.burst), now))
            tokens = min(float(self.burst), tokens + (now - stamp) * rate)
            if tokens >= 1.0:
                self._buckets[client] = (tokens - 1.0, now)
                return 0.0
            self._buckets[client] = (tokens, now)
            return (1.0 - tokens) / rate

    def _forget_full(self, now: float, rate: float) -> None:
        self._buckets = {
            client: (tokens, stamp)
            for client, (tokens, stamp) in self._buckets.items()
            if tokens + (now - stamp) * rate < self.burst
        }
        if len(self._buckets) >= self.max_clients:
            self._buckets.clear()  # a flood of addresses: start everyone afresh
