"""Readers for the inputs `extract` and `ingest` take: text files (with an optional metadata header),
folders of them, JSON Lines and CSV article dumps, standard input, and from the web: URLs, URL lists,
HTML pages, RSS/Atom feeds and WARC archives (see ingest/web.py and ingest/fetch.py).

Every reader yields Articles and ReadFailures in input order and never raises for bad input, so one bad
article never stops a batch. Dumps and archives are streamed record by record.

A URL list is a `.urls` file, or a `.txt` file whose every line (blank lines and `#` comments aside)
is an http(s) URL: one URL a line.
"""

from __future__ import annotations

import csv
import io
import json
import sys
from collections.abc import Callable, Iterable, Iterator
from dataclasses import dataclass
from datetime import date
from pathlib import Path
from typing import TYPE_CHECKING
from urllib.parse import urljoin, urlsplit

from conflictlens.models import Article

if TYPE_CHECKING:
    from conflictlens.ingest.fetch import Fetcher
    from conflictlens.ingest.web import FeedItem

# A single article larger than this is not an article (a mis-pointed log, a binary, a whole dump).
MAX_ARTICLE_BYTES = 2_000_000
DUMP_COLUMNS = ("id", "text", "published", "title", "url", "outlet")
_REQUIRED_DUMP_COLUMNS = ("text",)
_HEADER_KEYS = {"title", "url", "outlet", "published", "id", "language"}
# A header not closed by a blank line is still a header when it has at least this many lines: one
# "Key: value" line may be prose ("Gunmen: who are they?"), two known keys in a row are not.
_UNCLOSED_HEADER_LINES = 2
# A publication date a dump marks as not known: the article has none, which is not an error.
_UNKNOWN_DATES = {"unknown", "none", "null", "n/a", "-"}
_TEXT_SUFFIXES = {".txt", ".text", ""}
_DUMP_SUFFIXES = {".jsonl", ".ndjson", ".csv"}
_HTML_SUFFIXES = {".html", ".htm", ".xhtml"}
_FEED_SUFFIXES = {".xml", ".rss", ".atom"}
_WARC_SUFFIXES = {".warc", ".warc.gz"}
_URL_LIST_SUFFIX = ".urls"
_READABLE_SUFFIXES = (
    _TEXT_SUFFIXES
    | _DUMP_SUFFIXES
    | _HTML_SUFFIXES
    | _FEED_SUFFIXES
    | _WARC_SUFFIXES
    | {_URL_LIST_SUFFIX}
)


@dataclass(frozen=True)
class ReadFailure:
    """One input that could not be read: where it is and why, in words a user can act on."""

    source: str
    reason: str
    # Trying again later may succeed (a timeout, a 5xx): watch retries such items on its next poll.
    transient: bool = False

    def __str__(self) -> str:
        return f"{self.source}: {self.reason}"


ReadResult = Article | ReadFailure


def is_url(value: str) -> bool:
    try:
        parts = urlsplit(value.strip())
    except ValueError:  # "http://[" and other addresses urllib cannot even split
        return False
    return parts.scheme in ("http", "https") and bool(parts.netloc)


def read_sources(
    sources: Iterable[str | Path], *, fetcher: Fetcher | None = None
) -> Iterator[ReadResult]:
    """Read each source: "-" is stdin, an http(s) URL is fetched (with `fetcher`, or a default one),
    a folder is read recursively, a dump, feed, archive or URL list yields one article per item."""
    web = _WebAccess(fetcher)
    try:
        for source in sources:
            if str(source) == "-":
                yield from _read_stdin()
                continue
            if isinstance(source, str) and is_url(source):
                yield from read_url(source.strip(), web.fetcher())
                continue
            path = Path(source)
            if path.is_dir():
                yield from _read_folder(path, web)
            elif not path.exists():
                yield ReadFailure(str(path), "no such file or folder")
            else:
                yield from _read_file(path, web)
    finally:
        web.close()


class _WebAccess:
    """The fetcher for a batch, made on first use only (most batches never touch the network)."""

    def __init__(self, fetcher: Fetcher | None) -> None:
        self._given = fetcher
        self._own: Fetcher | None = None

    def fetcher(self) -> Fetcher:
        if self._given is not None:
            return self._given
        if self._own is None:
            from conflictlens.ingest.fetch import Fetcher, FetchSettings, default_cache_dir

            self._own = Fetcher(FetchSettings(cache_dir=default_cache_dir()))
        return self._own

    def close(self) -> None:
        if self._own is not None:
            self._own.close()


def _suffix(path: Path) -> str:
    name = path.name.lower()
    return ".warc.gz" if name.endswith(".warc.gz") else path.suffix.lower()


def _read_file(path: Path, web: _WebAccess) -> Iterator[ReadResult]:
    suffix = _suffix(path)
    if suffix in _DUMP_SUFFIXES:
        yield from _read_dump(path)
    elif suffix in _WARC_SUFFIXES:
        from conflictlens.ingest.web import read_warc

        yield from read_warc(path)
    elif suffix in _HTML_SUFFIXES | _FEED_SUFFIXES:
        yield from _read_markup_file(path, web)
    elif suffix == _URL_LIST_SUFFIX or (suffix == ".txt" and _is_url_list(path)):
        yield from _read_url_list(path, web)
    else:
        yield _read_text_file(path)


def _folder_files(folder: Path) -> list[Path]:
    """The files of a folder (recursively, hidden ones left out) that hold articles, in order."""
    return sorted(
        p
        for p in folder.rglob("*")
        if p.is_file()
        and not any(part.startswith(".") for part in p.relative_to(folder).parts)
        and _suffix(p) in _READABLE_SUFFIXES
    )


def known_article_count(sources: Iterable[str | Path]) -> int | None:
    """How many articles the sources hold when that is known without reading them: each plain
    text or HTML file (alone or in a folder) is one. None when any source is stdin, a URL, a dump,
    a feed, an archive or a URL list, whose size only reading tells (progress then has no total)."""
    total = 0
    for source in sources:
        if str(source) == "-" or (isinstance(source, str) and is_url(source)):
            return None
        path = Path(source)
        files = _folder_files(path) if path.is_dir() else [path]
        if any(_suffix(f) not in _TEXT_SUFFIXES | _HTML_SUFFIXES for f in files):
            return None
        total += len(files)
    return total


def _read_folder(folder: Path, web: _WebAccess) -> Iterator[ReadResult]:
    files = _folder_files(folder)
    if not files:
        yield ReadFailure(
            str(folder), "folder holds no articles (.txt, .html, .jsonl, .csv, feeds or WARC)"
        )
    for path in files:
        yield from _read_file(path, web)


def _read_markup_file(path: Path, web: _WebAccess) -> Iterator[ReadResult]:
    from conflictlens.ingest.fetch import MAX_PAGE_BYTES
    from conflictlens.ingest.web import article_from_html, looks_like_feed

    source = str(path)
    try:
        size = path.stat().st_size
        if size > MAX_PAGE_BYTES:
            yield ReadFailure(
                source, f"too large ({size / 1e6:.1f} MB > {MAX_PAGE_BYTES / 1e6:g} MB)"
            )
            return
        data = path.read_bytes()
    except OSError as exc:
        yield ReadFailure(source, f"cannot read: {exc.strerror or exc}")
        return
    if not data.strip():
        yield ReadFailure(source, "empty file")
    elif looks_like_feed(data):
        yield from read_feed(data, source=source, base_url=None, fetcher=web.fetcher)
    elif path.suffix.lower() in _FEED_SUFFIXES:
        yield ReadFailure(source, "not an RSS or Atom feed (no <rss>, <feed> or <rdf:RDF> root)")
    else:
        yield article_from_html(data, source=source)


def _url_lines(text: str) -> list[tuple[int, str]]:
    return [
        (number, line.strip())
        for number, line in enumerate(text.splitlines(), start=1)
        if line.strip() and not line.lstrip().startswith("#")
    ]


def _is_url_list(path: Path) -> bool:
    try:
        if path.stat().st_size > MAX_ARTICLE_BYTES:
            return False
        text = path.read_text("utf-8-sig")
    except (OSError, UnicodeDecodeError):
        return False  # the text reader reports the problem
    lines = _url_lines(text)
    return bool(lines) and all(is_url(line) for _, line in lines)


def _read_url_list(path: Path, web: _WebAccess) -> Iterator[ReadResult]:
    try:
        text = path.read_text("utf-8-sig")
    except (OSError, UnicodeDecodeError) as exc:
        yield ReadFailure(str(path), f"cannot read URL list: {exc}")
        return
    lines = _url_lines(text)
    if not lines:
        yield ReadFailure(str(path), "URL list holds no URLs")
    for number, line in lines:
        if is_url(line):
            yield from read_url(line, web.fetcher())
        else:
            yield ReadFailure(f"{path}:{number}", f"not an http(s) URL: {line[:80]!r}")


def read_url(url: str, fetcher: Fetcher) -> Iterator[ReadResult]:
    """The article at `url`, or each item of the feed there; failures name the URL."""
    from conflictlens.ingest.fetch import FetchError
    from conflictlens.ingest.web import article_from_html, looks_like_feed

    try:
        fetched = fetcher.get(url)
    except FetchError as exc:
        yield ReadFailure(url, exc.reason, exc.transient)
        return
    if not fetched.body.strip():
        yield ReadFailure(url, "empty response")
    elif looks_like_feed(fetched.body, fetched.content_type):
        yield from read_feed(
            fetched.body, source=url, base_url=fetched.url, fetcher=lambda: fetcher
        )
    elif fetched.content_type == "text/plain":
        text = _decode(fetched.body, url)
        yield (
            text
            if isinstance(text, ReadFailure)
            else parse_text_article(text, source=url, defaults={"url": fetched.url})
        )
    else:
        yield article_from_html(fetched.body, source=url, url=fetched.url)


def read_feed(
    data: bytes, *, source: str, base_url: str | None, fetcher: Callable[[], Fetcher]
) -> Iterator[ReadResult]:
    """Each item of a feed as an article: its own full text when it carries it, else its link's page."""
    from conflictlens.ingest.web import parse_feed

    items = parse_feed(data, source)
    if isinstance(items, ReadFailure):
        yield items
        return
    for item in items:
        yield read_feed_item(item, source=source, base_url=base_url, fetcher=fetcher)


def read_feed_item(
    item: FeedItem, *, source: str, base_url: str | None, fetcher: Callable[[], Fetcher]
) -> ReadResult:
    """One feed item as an article, dated by the feed; `fetcher` is called only if the link is needed."""
    from conflictlens.ingest.fetch import FetchError
    from conflictlens.ingest.web import article_from_html

    link = urljoin(base_url, item.link) if base_url and item.link else item.link
    if item.content_html is not None:
        result = item.article(f"{source}#{item.item_id}")
        if isinstance(result, Article) and link:
            result.url = link
    elif not link:
        return ReadFailure(f"{source}#{item.item_id}", "feed item has no link and no full text")
    else:
        try:
            fetched = fetcher().get(link)
        except FetchError as exc:
            return ReadFailure(link, exc.reason, exc.transient)
        result = article_from_html(
            fetched.body, source=link, url=fetched.url, published=item.published, title=item.title
        )
    if isinstance(result, Article) and item.published is not None:
        # The feed's date is when the outlet published the item.
        result.published = item.published
    return result


def _decode(data: bytes, source: str) -> str | ReadFailure:
    if not data.strip():
        return ReadFailure(source, "empty file")
    if b"\x00" in data[:8192]:
        return ReadFailure(source, "binary file (contains NUL bytes), not text")
    try:
        return data.decode("utf-8-sig")
    except UnicodeDecodeError as exc:
        return ReadFailure(source, f"not UTF-8 text (invalid byte at offset {exc.start})")


def _read_text_file(path: Path) -> ReadResult:
    source = str(path)
    try:
        size = path.stat().st_size
        if size > MAX_ARTICLE_BYTES:
            return ReadFailure(
                source,
                f"too large for one article ({size / 1e6:.1f} MB > {MAX_ARTICLE_BYTES / 1e6:.0f} MB)",
            )
        data = path.read_bytes()
    except OSError as exc:
        return ReadFailure(source, f"cannot read: {exc.strerror or exc}")
    text = _decode(data, source)
    if isinstance(text, ReadFailure):
        return text
    return parse_text_article(text, source=source)


def _read_stdin() -> Iterator[ReadResult]:
    data = sys.stdin.buffer.read(MAX_ARTICLE_BYTES + 1)
    if len(data) > MAX_ARTICLE_BYTES:
        yield ReadFailure("<stdin>", "too large for one article")
        return
    text = _decode(data, "<stdin>")
    yield text if isinstance(text, ReadFailure) else parse_text_article(text, source="<stdin>")


def parse_text_article(
    raw: str, *, source: str, defaults: dict[str, str] | None = None
) -> ReadResult:
    """An article from text with an optional header of `Key: value` lines ended by a blank line."""
    fields: dict[str, str] = dict(defaults or {})
    body = raw
    lines = raw.replace("\r\n", "\n").split("\n")
    first = lines[0].split(":", 1)[0].strip().lower() if lines and ":" in lines[0] else ""
    if first in _HEADER_KEYS:
        header: dict[str, str] = {}
        for i, line in enumerate(lines):
            if not line.strip():
                body = "\n".join(lines[i + 1 :])
                break
            key, sep, value = line.partition(":")
            if not sep or key.strip().lower() not in _HEADER_KEYS:
                # The header ran straight into the text (a dump's "URL:"/"PUBLISHED:" lines, then
                # the page), or was never a header: keep the whole text as the body.
                if len(header) >= _UNCLOSED_HEADER_LINES:
                    body = "\n".join(lines[i:])
                else:
                    header = {}
                break
            header[key.strip().lower()] = value.strip()
        else:
            header, body = {}, raw
        fields.update(header)
    return _article_from_fields(fields, body, source)


def _article_from_fields(fields: dict[str, str], text: str, source: str) -> ReadResult:
    text = text.strip("\n").replace("\r\n", "\n")
    if not text.strip():
        return ReadFailure(source, "article has no text")
    if len(text.encode("utf-8")) > MAX_ARTICLE_BYTES:
        return ReadFailure(source, "article text too large")
    published = None
    raw_date = (fields.get("published") or "").strip()
    if raw_date and raw_date.lower() not in _UNKNOWN_DATES:
        published = parse_publication_date(raw_date)
        if published is None:
            return ReadFailure(source, f"unreadable published date {raw_date!r} (use YYYY-MM-DD)")
    return Article(
        id=(fields.get("id") or "").strip() or Article.id_for(text),
        text=text,
        title=(fields.get("title") or "").strip() or None,
        url=(fields.get("url") or "").strip() or None,
        outlet=(fields.get("outlet") or "").strip() or None,
        published=published,
        language=(fields.get("language") or "").strip() or None,
        source=source,
    )


def parse_publication_date(value: str) -> date | None:
    """ISO dates and timestamps directly; other spellings ("9 Jan 2021") through dateparser."""
    value = value.strip()
    try:
        return date.fromisoformat(value[:10])
    except ValueError:
        pass
    import dateparser  # slow to import; only needed for non-ISO dates

    parsed = dateparser.parse(
        value, settings={"STRICT_PARSING": True, "PREFER_DAY_OF_MONTH": "first"}
    )
    return parsed.date() if parsed else None


def _read_dump(path: Path) -> Iterator[ReadResult]:
    try:
        handle = path.open("r", encoding="utf-8-sig", newline="")
    except OSError as exc:
        yield ReadFailure(str(path), f"cannot read: {exc.strerror or exc}")
        return
    with handle:
        if path.suffix.lower() == ".csv":
            yield from _read_csv_rows(handle, str(path))
        else:
            yield from _read_jsonl_rows(handle, str(path))


def _row_to_article(row: dict[str, object], source: str) -> ReadResult:
    missing = [c for c in _REQUIRED_DUMP_COLUMNS if c not in row]
    if missing:
        return ReadFailure(source, f"missing column {missing[0]!r}; has {sorted(row)}")
    fields = {k: ("" if row.get(k) is None else str(row.get(k))) for k in DUMP_COLUMNS}
    return _article_from_fields(fields, fields["text"], source)


def _read_jsonl_rows(handle: io.TextIOBase, source: str) -> Iterator[ReadResult]:
    try:
        for number, line in enumerate(handle, start=1):
            if not line.strip():
                continue
            where = f"{source}:{number}"
            try:
                # Without its line break, an error at the end of the line is reported at the end
                # of the line, not at "column 1" of the line after it.
                row = json.loads(line.rstrip("\r\n"))
            except json.JSONDecodeError as exc:
                yield ReadFailure(where, f"invalid JSON ({exc.msg} at column {exc.colno})")
                continue
            except RecursionError:
                yield ReadFailure(where, "invalid JSON (nested too deeply)")
                continue
            if not isinstance(row, dict):
                yield ReadFailure(where, "a JSON Lines row must be an object with a 'text' key")
                continue
            yield _row_to_article(row, where)
    except UnicodeDecodeError as exc:
        yield ReadFailure(
            source, f"not UTF-8 text (invalid byte at offset {exc.start}); rest of file skipped"
        )


def _read_csv_rows(handle: io.TextIOBase, source: str) -> Iterator[ReadResult]:
    csv.field_size_limit(MAX_ARTICLE_BYTES)
    try:
        reader = csv.DictReader(handle)
        columns = [c.strip().lower() for c in (reader.fieldnames or [])]
        missing = [c for c in _REQUIRED_DUMP_COLUMNS if c not in columns]
        if missing:
            yield ReadFailure(
                source,
                f"CSV has no {missing[0]!r} column (columns: {', '.join(columns) or 'none'}); "
                f"expected {', '.join(DUMP_COLUMNS)}",
            )
            return
        for number, row in enumerate(reader, start=2):
            clean = {str(k).strip().lower(): v for k, v in row.items() if k is not None}
            yield _row_to_article(clean, f"{source}:{number}")
    except (csv.Error, UnicodeDecodeError) as exc:
        yield ReadFailure(source, f"malformed CSV: {exc}; rest of file skipped")
