"""Articles from the web's formats: HTML pages, RSS and Atom feeds, WARC archives.

HTML goes through trafilatura (main text, comments left out; title and site name from the page's
metadata) and htmldate (the publication date from metadata, never guessed from the body). The text is
stored as extracted; page furniture that survives inside the body is skipped later by the junk-line
patterns (data/junk_patterns.txt), and a "Source: X" line names the outlet.
"""

from __future__ import annotations

from collections.abc import Iterator
from dataclasses import dataclass
from datetime import date
from pathlib import Path
from typing import Any, BinaryIO

from conflictlens.clean import detect_language
from conflictlens.ingest.readers import MAX_ARTICLE_BYTES, ReadFailure, ReadResult
from conflictlens.models import Article

# Feed item content shorter than this (as text) is a teaser, not the article: its link is fetched.
FULL_TEXT_MIN_CHARS = 600
_FEED_MEDIA_TYPES = frozenset(
    {"application/rss+xml", "application/atom+xml", "application/rdf+xml"}
)
_FEED_ROOTS = (b"<rss", b"<feed", b"<rdf:rdf")


def looks_like_feed(data: bytes, media_type: str = "") -> bool:
    """An RSS, RDF or Atom document, by its declared type or by its root element."""
    if media_type in _FEED_MEDIA_TYPES:
        return True
    head = data[:2048].lstrip().lower()
    return any(root in head for root in _FEED_ROOTS)


def article_from_html(
    html: bytes | str,
    *,
    source: str,
    url: str | None = None,
    published: date | None = None,
    title: str | None = None,
    fragment: bool = False,
) -> ReadResult:
    """The article a page (or, with `fragment`, a feed item's HTML content) carries.

    `published` and `title` (from a feed item) are used when the page's metadata has none.
    """
    import trafilatura

    try:
        document = trafilatura.bare_extraction(
            html,
            url=url,
            include_comments=False,
            with_metadata=True,
            favor_recall=fragment,
        )
        if document is None and not fragment:
            # A short or oddly built page: the recall-oriented pass keeps more of what is there.
            document = trafilatura.bare_extraction(
                html, url=url, include_comments=False, with_metadata=True, favor_recall=True
            )
    except Exception as exc:  # trafilatura and lxml fail in many ways on broken markup
        return ReadFailure(source, f"unreadable HTML ({type(exc).__name__}: {exc})")
    if document is None or not (document.text or "").strip():
        return ReadFailure(source, "no article text found in the page")
    page_title = (document.title or "").strip() or None
    text = _without_headline(document.text, page_title)
    if len(text.encode("utf-8")) > MAX_ARTICLE_BYTES:
        return ReadFailure(source, "article text too large")
    from conflictlens.extraction.sources import find_outlet_line

    return Article(
        id=Article.id_for(text),
        text=text,
        title=page_title or title,
        url=url,
        # A "Source: X" line names the report's own outlet, which a republishing site is not.
        outlet=find_outlet_line(text) or (document.sitename or "").strip() or None,
        published=(None if fragment else _page_date(html)) or published,
        language=detect_language(text),
        source=source,
    )


def _without_headline(text: str, title: str | None) -> str:
    """trafilatura repeats the headline as the first line; it is kept as the title only."""
    text = text.strip()
    first, _, rest = text.partition("\n")
    if title and rest and first.strip().casefold() == title.casefold():
        return rest.strip()
    return text


def _page_date(html: bytes | str) -> date | None:
    from htmldate import find_date

    try:
        # Metadata only: a date guessed from the body is often the incident's, not publication's.
        found = find_date(html, extensive_search=False, original_date=True)
    except Exception:  # htmldate on broken markup: no date rather than no article
        return None
    return date.fromisoformat(found) if found else None


# Feeds


@dataclass(frozen=True)
class FeedItem:
    """One feed entry: its stable id, link, date and title, and its full text when carried."""

    item_id: str
    link: str | None
    title: str | None
    published: date | None
    content_html: str | None  # only when long enough to be the whole article

    def article(self, source: str) -> ReadResult:
        """The article from the item's own content (call only when `content_html` is set)."""
        assert self.content_html is not None
        return article_from_html(
            self.content_html,
            source=source,
            url=self.link,
            published=self.published,
            title=self.title,
            fragment=True,
        )


def parse_feed(data: bytes, source: str) -> list[FeedItem] | ReadFailure:
    """The items of an RSS or Atom feed, in feed order, or why it is not a readable feed."""
    import feedparser

    parsed = feedparser.parse(data)
    items = [_feed_item(entry, number) for number, entry in enumerate(parsed.entries, start=1)]
    # A broken feed may still yield scraps of entries; without a link or text they are not items.
    if parsed.get("bozo") and not any(item.link or item.content_html for item in items):
        problem = parsed.get("bozo_exception")
        return ReadFailure(source, f"malformed feed ({_first_line(problem)})")
    if not items:
        return ReadFailure(source, "feed has no items")
    return items


def _feed_item(entry: Any, number: int) -> FeedItem:
    link = (entry.get("link") or "").strip() or None
    stamp = entry.get("published_parsed") or entry.get("updated_parsed")
    content_html = None
    for content in entry.get("content") or []:
        value = content.get("value") or ""
        if _text_length(value) >= FULL_TEXT_MIN_CHARS:
            content_html = value
            break
    return FeedItem(
        item_id=(entry.get("id") or link or entry.get("title") or "").strip() or f"item{number}",
        link=link,
        title=(entry.get("title") or "").strip() or None,
        published=_stamp_date(stamp),
        content_html=content_html,
    )


def _stamp_date(stamp: Any) -> date | None:
    """feedparser's parsed date as a date; None for none or an impossible one (year -1)."""
    if not stamp:
        return None
    try:
        return date(stamp.tm_year, stamp.tm_mon, stamp.tm_mday)
    except ValueError:
        return None


def _text_length(html: str) -> int:
    import lxml.html

    try:
        return len(lxml.html.fromstring(html).text_content().strip())
    except Exception:  # not parseable as HTML: judge by its raw length
        return len(html)


def _first_line(value: object) -> str:
    text = str(value or "unknown problem").strip()
    return text.splitlines()[0] if text else "unknown problem"


# WARC


def read_warc(path: Path) -> Iterator[ReadResult]:
    """Each HTML response in a WARC file (plain or gzipped) as an article; other records skipped."""
    try:
        handle = path.open("rb")
    except OSError as exc:
        yield ReadFailure(str(path), f"cannot read: {exc.strerror or exc}")
        return
    with handle:
        yield from _warc_records(handle, str(path))


def _warc_records(stream: BinaryIO, source: str) -> Iterator[ReadResult]:
    from warcio.archiveiterator import ArchiveIterator
    from warcio.exceptions import ArchiveLoadFailed

    from conflictlens.ingest.fetch import MAX_PAGE_BYTES

    head = stream.read(5)
    stream.seek(0)
    if not (head.startswith(b"\x1f\x8b") or head == b"WARC/"):
        yield ReadFailure(source, "not a WARC file (no WARC/ header, not gzip)")
        return

    class QuietArchiveIterator(ArchiveIterator):
        INC_RECORD = ""  # warcio prints damaged records to stderr; they are counted below instead

    records = QuietArchiveIterator(stream)
    found = 0
    try:
        for record in records:
            if record.rec_type != "response" or record.http_headers is None:
                continue
            media_type = (record.http_headers.get_header("Content-Type") or "").split(";")[0]
            if media_type.strip().lower() not in ("text/html", "application/xhtml+xml"):
                continue
            if not (record.http_headers.get_statuscode() or "").startswith("2"):
                continue
            found += 1
            url = record.rec_headers.get_header("WARC-Target-URI")
            where = f"{source}#{url}" if url else f"{source}#record{found}"
            body = record.content_stream().read(MAX_PAGE_BYTES + 1)
            if len(body) > MAX_PAGE_BYTES:
                yield ReadFailure(where, f"too large (more than {MAX_PAGE_BYTES / 1e6:g} MB)")
                continue
            yield article_from_html(body, source=where, url=url)
    except (ArchiveLoadFailed, OSError, EOFError, ValueError, AttributeError) as exc:
        # warcio meets damaged records with whatever error the parsing step raises.
        yield ReadFailure(source, f"malformed WARC ({_first_line(exc)}); rest of file skipped")
        return
    if records.err_count:
        yield ReadFailure(source, f"{records.err_count} damaged WARC record(s) (wrong length)")
    elif not found:
        yield ReadFailure(source, "WARC file holds no HTML responses")
