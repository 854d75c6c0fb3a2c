"""Polite HTTP fetching for ingest and watch: one client, one set of rules, one failure line per URL.

The rules: a user agent that names the project, robots.txt obeyed (fetched once per host), a delay
between requests to the same host, bounded retries with exponential backoff on connection errors,
5xx and 429, redirects followed up to a limit (a loop is reported as one), a size limit enforced while
streaming, an allow-list of content types, and no connection to this machine's own networks
(loopback, private, link-local and cloud-metadata addresses, checked on every connection, so
neither a redirect nor a DNS answer can lead there) unless the operator allows a network. Responses are cached on disk with their ETag and
Last-Modified, so a URL fetched again is served from the cache or revalidated with a conditional
request instead of downloaded twice.
"""

from __future__ import annotations

import hashlib
import ipaddress
import json
import os
import socket
import tempfile
import time
from collections.abc import Iterable
from dataclasses import dataclass, field
from datetime import UTC, datetime
from pathlib import Path
from urllib.parse import urljoin, urlsplit
from urllib.robotparser import RobotFileParser

import httpcore
import httpx

from conflictlens import __version__
from conflictlens.ingest.readers import is_url

PROJECT_URL = "https://github.com/conflictlens/conflictlens"
USER_AGENT = f"conflictlens/{__version__} (+{PROJECT_URL})"
# An HTML page carries markup around its text, so it may be larger than one article's text.
MAX_PAGE_BYTES = 5_000_000
# Articles, feeds and URL lists; anything else (PDF, images, video) is not read as an article.
ALLOWED_CONTENT_TYPES = frozenset(
    {
        "text/html",
        "application/xhtml+xml",
        "text/plain",
        "text/xml",
        "application/xml",
        "application/rss+xml",
        "application/atom+xml",
        "application/rdf+xml",
    }
)
_RETRY_STATUSES = frozenset({429, 500, 502, 503, 504})
_REDIRECT_STATUSES = frozenset({301, 302, 303, 307, 308})


class FetchError(Exception):
    """A URL that could not be fetched; `transient` when trying again later may succeed."""

    def __init__(self, reason: str, *, transient: bool = False) -> None:
        super().__init__(reason)
        self.reason = reason
        self.transient = transient


class RefusedAddress(FetchError):
    """A URL whose host is on a network the fetcher does not reach (this machine's own)."""


IPNetwork = ipaddress.IPv4Network | ipaddress.IPv6Network
IPAddress = ipaddress.IPv4Address | ipaddress.IPv6Address


def parse_networks(values: Iterable[str]) -> tuple[IPNetwork, ...]:
    """Networks from CIDR strings (`10.0.0.0/8`, `::1/128`, a bare address); ValueError says which."""
    networks = []
    for value in values:
        try:
            networks.append(ipaddress.ip_network(value.strip(), strict=False))
        except ValueError:
            raise ValueError(
                f"not a network: {value!r} (write it as CIDR, e.g. 10.0.0.0/8)"
            ) from None
    return tuple(networks)


def _address_kind(address: IPAddress) -> str | None:
    """What kind of non-public address this is, or None for an address on the public internet."""
    kinds = (
        (address.is_loopback, "loopback"),
        (address.is_link_local, "link-local (cloud metadata lives here)"),
        (address.is_private, "private"),
        (address.is_unspecified, "unspecified"),
        (address.is_multicast, "multicast"),
        (address.is_reserved, "reserved"),
        (not address.is_global, "non-public"),
    )
    return next((kind for flagged, kind in kinds if flagged), None)


@dataclass(frozen=True)
class AddressGuard:
    """Which addresses the fetcher may connect to: public ones, and the `allowed` networks."""

    allowed: tuple[IPNetwork, ...] = ()

    def refusal(self, address: IPAddress) -> str | None:
        """Why the fetcher will not connect to `address`, or None when it may."""
        if isinstance(address, ipaddress.IPv6Address) and address.ipv4_mapped is not None:
            address = address.ipv4_mapped  # ::ffff:127.0.0.1 is 127.0.0.1
        if any(address in network for network in self.allowed):
            return None
        kind = _address_kind(address)
        return None if kind is None else f"{address}, a {kind} address"

    def addresses(self, host: str, port: int) -> list[str]:
        """The addresses `host` resolves to, all of them permitted, or RefusedAddress.

        One refused answer refuses the host: a name that resolves both outside and inside is how
        DNS rebinding reaches inside. Lookup failures raise socket.gaierror.
        """
        infos = socket.getaddrinfo(host, port, type=socket.SOCK_STREAM)
        found = list(dict.fromkeys(str(info[4][0]) for info in infos))
        for text in found:
            address = ipaddress.ip_address(text.split("%", 1)[0])
            reason = self.refusal(address)
            if reason is not None:
                raise RefusedAddress(
                    f"refused: {host} resolves to {reason}, which this server does not fetch "
                    f"from (the operator may allow it with --allow-net)"
                )
        return found

    def check_url(self, url: str) -> None:
        """RefusedAddress if `url`'s host resolves to a refused address; nothing if it cannot be
        resolved or parsed (fetching it then fails with its own reason)."""
        try:
            parsed = httpx.URL(url)
            port = parsed.port or (443 if parsed.scheme == "https" else 80)
            self.addresses(parsed.host, port)
        except (httpx.InvalidURL, OSError, UnicodeError, ValueError):
            return


class _GuardedBackend(httpcore.SyncBackend):
    """Connects only to addresses the guard permits, resolving the name itself each time."""

    def __init__(self, guard: AddressGuard) -> None:
        self._guard = guard

    def connect_tcp(
        self,
        host: str,
        port: int,
        timeout: float | None = None,
        local_address: str | None = None,
        socket_options: Iterable[httpcore.SOCKET_OPTION] | None = None,
    ) -> httpcore.NetworkStream:
        try:
            addresses = self._guard.addresses(host, port)
        except (OSError, UnicodeError) as exc:
            # A name that does not resolve now will not in a second: no retry, but watch tries
            # again on its next poll.
            raise FetchError(f"cannot resolve {host[:100]} ({exc})", transient=True) from None
        last_error: Exception = httpcore.ConnectError(f"{host} has no address")
        for address in addresses:
            try:
                # The TLS layer still checks the certificate against the host name, not the IP.
                return super().connect_tcp(address, port, timeout, local_address, socket_options)
            except (httpcore.ConnectError, httpcore.ConnectTimeout) as exc:
                last_error = exc
        raise last_error


class _GuardedTransport(httpx.HTTPTransport):
    """httpx's transport on the guarded backend (direct connections only: no proxy)."""

    def __init__(self, guard: AddressGuard) -> None:
        super().__init__()
        self._pool = httpcore.ConnectionPool(
            ssl_context=httpx.create_ssl_context(),
            network_backend=_GuardedBackend(guard),
        )


@dataclass(frozen=True)
class FetchSettings:
    """How politely and patiently to fetch; tests shrink the delays and timeouts."""

    timeout: float = 20.0
    retries: int = 3
    backoff: float = 1.0  # seconds before the first retry; doubled for each further one
    max_backoff: float = 30.0
    host_delay: float = 1.0  # seconds between two requests to the same host
    max_redirects: int = 10
    max_bytes: int = MAX_PAGE_BYTES
    respect_robots: bool = True
    user_agent: str = USER_AGENT
    cache_dir: Path | None = None  # None: no cache
    cache_max_age: float = 24 * 3600.0  # seconds a cached page is used without asking the server
    # Non-public networks the operator lets the fetcher reach (`--allow-net`); public ones always.
    allowed_networks: tuple[IPNetwork, ...] = ()


@dataclass
class Fetched:
    """A fetched document: the URL it was finally served from, its content type and bytes."""

    url: str
    content_type: str
    body: bytes
    etag: str | None = None
    last_modified: str | None = None
    not_modified: bool = False  # the server answered 304 to the caller's own validators
    from_cache: bool = False
    headers: dict[str, str] = field(default_factory=dict)


def default_cache_dir() -> Path:
    from conflictlens.geo.index import data_dir

    return data_dir() / "http-cache"


class Fetcher:
    """Fetch URLs under the rules above. Use as a context manager, or call `close()`."""

    def __init__(self, settings: FetchSettings | None = None) -> None:
        self.settings = settings or FetchSettings()
        self.guard = AddressGuard(self.settings.allowed_networks)
        self._client = httpx.Client(
            headers={"User-Agent": self.settings.user_agent},
            timeout=self.settings.timeout,
            follow_redirects=False,  # followed by hand, to detect loops and check robots.txt
            transport=_GuardedTransport(self.guard),
        )
        self._robots: dict[str, RobotFileParser | None] = {}
        self._last_request: dict[str, float] = {}

    def __enter__(self) -> Fetcher:
        return self

    def __exit__(self, *_exc: object) -> None:
        self.close()

    def close(self) -> None:
        self._client.close()

    def get(
        self,
        url: str,
        *,
        max_age: float | None = None,
        etag: str | None = None,
        last_modified: str | None = None,
    ) -> Fetched:
        """The document at `url`, or FetchError with a one-line reason.

        A cached copy younger than `max_age` seconds (default: the settings' cache_max_age) is
        returned without a request; an older one is revalidated. With `etag`/`last_modified` (the
        caller's own validators, as watch keeps them) a 304 answer gives `not_modified=True`.
        """
        max_age = self.settings.cache_max_age if max_age is None else max_age
        cached = self._cache_load(url)
        if (
            cached is not None
            and time.time() - cached[1] <= max_age
            and not (etag or last_modified)
        ):
            return cached[0]
        validators: dict[str, str] = {}
        own_validators = bool(etag or last_modified)
        if own_validators:
            if etag:
                validators["If-None-Match"] = etag
            if last_modified:
                validators["If-Modified-Since"] = last_modified
        elif cached is not None:
            if cached[0].etag:
                validators["If-None-Match"] = cached[0].etag
            if cached[0].last_modified:
                validators["If-Modified-Since"] = cached[0].last_modified
        fetched = self._follow(url, validators)
        if fetched.not_modified:
            if own_validators:
                return fetched
            if cached is not None:
                self._cache_touch(url)
                return Fetched(**{**cached[0].__dict__, "from_cache": True})
        self._cache_store(url, fetched)
        return fetched

    # Requests

    def _follow(self, url: str, headers: dict[str, str]) -> Fetched:
        visited = [url]
        current = url
        for _ in range(self.settings.max_redirects + 1):
            if not is_url(current):
                raise FetchError(f"not an http(s) URL: {current}")
            self._check_robots(current)
            response, body = self._request(current, headers)
            if response.status_code in _REDIRECT_STATUSES:
                location = response.headers.get("location")
                if not location:
                    raise FetchError(f"HTTP {response.status_code} redirect without a Location")
                current = urljoin(current, location)
                if current in visited:
                    raise FetchError("redirect loop: " + " -> ".join([*visited, current]))
                visited.append(current)
                continue
            if response.status_code == 304:
                return Fetched(url=current, content_type="", body=b"", not_modified=True)
            if response.status_code >= 400:
                raise FetchError(
                    f"HTTP {response.status_code} {response.reason_phrase}".strip(),
                    transient=response.status_code in _RETRY_STATUSES,
                )
            return Fetched(
                url=current,
                content_type=_media_type(response.headers.get("content-type", "")),
                body=body,
                etag=response.headers.get("etag"),
                last_modified=response.headers.get("last-modified"),
                headers=dict(response.headers),
            )
        raise FetchError(f"more than {self.settings.max_redirects} redirects")

    def _request(self, url: str, headers: dict[str, str]) -> tuple[httpx.Response, bytes]:
        """One GET with retries; the body is read only for a successful answer, within the limit."""
        settings = self.settings
        for attempt in range(settings.retries + 1):
            self._wait_for_host(url)
            try:
                with self._client.stream("GET", url, headers=headers) as response:
                    if response.status_code in _RETRY_STATUSES and attempt < settings.retries:
                        self._sleep_backoff(attempt, response.headers.get("retry-after"))
                        continue
                    if response.status_code != 200:
                        return response, b""
                    self._check_content_type(response)
                    return response, self._read_limited(response)
            except (httpx.ConnectError, httpx.ConnectTimeout) as exc:
                if attempt < settings.retries:
                    self._sleep_backoff(attempt, None)
                    continue
                raise FetchError(
                    f"cannot connect ({_describe(exc)}) after {attempt + 1} attempt(s)",
                    transient=True,
                ) from None
            except httpx.TimeoutException:
                # A server that is slow once is slow again: a read timeout is not retried.
                raise FetchError(
                    f"timed out after {settings.timeout:g} s", transient=True
                ) from None
            except httpx.HTTPError as exc:
                raise FetchError(f"HTTP error: {_describe(exc)}", transient=True) from None
            except httpx.InvalidURL as exc:
                raise FetchError(f"not a valid URL ({_describe(exc)})") from None
        raise AssertionError("unreachable: the last attempt returns or raises")

    def _check_content_type(self, response: httpx.Response) -> None:
        media_type = _media_type(response.headers.get("content-type", ""))
        if media_type and media_type not in ALLOWED_CONTENT_TYPES:
            raise FetchError(f"not an article: content-type {media_type}")

    def _read_limited(self, response: httpx.Response) -> bytes:
        limit = self.settings.max_bytes
        too_large = f"too large (more than {limit / 1e6:g} MB)"
        declared = response.headers.get("content-length", "")
        if declared.isdigit() and int(declared) > limit:
            raise FetchError(too_large)
        chunks: list[bytes] = []
        size = 0
        for chunk in response.iter_bytes():
            size += len(chunk)
            if size > limit:
                raise FetchError(too_large)
            chunks.append(chunk)
        return b"".join(chunks)

    def _wait_for_host(self, url: str) -> None:
        host = urlsplit(url).netloc
        last = self._last_request.get(host)
        if last is not None:
            wait = self.settings.host_delay - (time.monotonic() - last)
            if wait > 0:
                time.sleep(wait)
        self._last_request[host] = time.monotonic()

    def _sleep_backoff(self, attempt: int, retry_after: str | None) -> None:
        delay = self.settings.backoff * 2**attempt
        if retry_after and retry_after.strip().isdigit():
            delay = max(delay, float(retry_after))
        time.sleep(min(delay, self.settings.max_backoff))

    # robots.txt

    def _check_robots(self, url: str) -> None:
        if not self.settings.respect_robots:
            return
        parts = urlsplit(url)
        origin = f"{parts.scheme}://{parts.netloc}"
        if origin not in self._robots:
            self._robots[origin] = self._load_robots(origin)
        rules = self._robots[origin]
        if rules is not None and not rules.can_fetch(self.settings.user_agent, url):
            raise FetchError("disallowed by robots.txt")

    def _load_robots(self, origin: str) -> RobotFileParser | None:
        """The site's rules; None (everything allowed) when it has no readable robots.txt."""
        robots_url = origin + "/robots.txt"
        self._wait_for_host(robots_url)
        try:
            response = self._client.get(robots_url, follow_redirects=True)
        except (httpx.HTTPError, httpx.InvalidURL):
            return None
        rules = RobotFileParser(robots_url)
        if response.status_code in (401, 403):
            rules.disallow_all = True
        elif response.status_code == 200:
            rules.parse(response.text.splitlines())
        else:
            return None
        return rules

    # On-disk cache: <key>.json holds the metadata, <key>.body the bytes.

    def _cache_paths(self, url: str) -> tuple[Path, Path] | None:
        if self.settings.cache_dir is None:
            return None
        key = hashlib.sha256(url.encode("utf-8")).hexdigest()
        folder = self.settings.cache_dir / key[:2]
        return folder / f"{key}.json", folder / f"{key}.body"

    def _cache_load(self, url: str) -> tuple[Fetched, float] | None:
        paths = self._cache_paths(url)
        if paths is None or not paths[0].exists():
            return None
        try:
            meta = json.loads(paths[0].read_text("utf-8"))
            body = paths[1].read_bytes()
        except (OSError, ValueError):
            return None  # a damaged entry is fetched again and overwritten
        fetched = Fetched(
            url=meta["url"],
            content_type=meta["content_type"],
            body=body,
            etag=meta.get("etag"),
            last_modified=meta.get("last_modified"),
            from_cache=True,
        )
        return fetched, float(meta["stored_at"])

    def _cache_store(self, url: str, fetched: Fetched) -> None:
        paths = self._cache_paths(url)
        if paths is None:
            return
        meta = {
            "url": fetched.url,
            "content_type": fetched.content_type,
            "etag": fetched.etag,
            "last_modified": fetched.last_modified,
            "stored_at": time.time(),
            "stored": datetime.now(UTC).isoformat(timespec="seconds"),
        }
        paths[0].parent.mkdir(parents=True, exist_ok=True)
        write_atomically(paths[1], fetched.body)
        write_atomically(paths[0], json.dumps(meta).encode("utf-8"))

    def _cache_touch(self, url: str) -> None:
        paths = self._cache_paths(url)
        if paths is None:
            return
        meta = json.loads(paths[0].read_text("utf-8"))
        meta["stored_at"] = time.time()
        write_atomically(paths[0], json.dumps(meta).encode("utf-8"))


def write_atomically(path: Path, data: bytes) -> None:
    """Write to a temporary file next to `path`, then rename: readers never see half a file."""
    path.parent.mkdir(parents=True, exist_ok=True)
    fd, temporary = tempfile.mkstemp(dir=path.parent, prefix=f".{path.name}.", suffix=".tmp")
    try:
        with os.fdopen(fd, "wb") as handle:
            handle.write(data)
        os.replace(temporary, path)
    except BaseException:
        Path(temporary).unlink(missing_ok=True)
        raise


def _media_type(content_type: str) -> str:
    return content_type.split(";", 1)[0].strip().lower()


def _describe(exc: Exception) -> str:
    return str(exc).splitlines()[0] if str(exc) else type(exc).__name__
