"""Hostile inputs for every reader and for `extract`: Hypothesis strategies and the harness that
runs one input. Shared by tests/test_fuzz_readers.py (a bounded run) and bench/bench_fuzz.py (at
least 10,000 inputs, CPU time per input).

A reader may answer bad input only with ReadFailure results, and the extractor only with
UnsupportedLanguageError: any exception that escapes is a crash. Nothing is fetched: URLs met in
URL lists and feeds go to a fetcher that refuses everything.
"""

from __future__ import annotations

import csv
import gzip
import io
import json
from datetime import date
from pathlib import Path
from typing import Any

from hypothesis import strategies as st

from conflictlens.extraction import UnsupportedLanguageError, extract_article
from conflictlens.ingest import ReadFailure, read_sources
from conflictlens.ingest.fetch import FetchError
from conflictlens.models import Article

# Characters that trip text handling: zero-width, bidirectional controls, RTL letters, combining
# marks, odd line breaks, NUL.
ODD_CHARACTERS = "\u200b\u200c\u200d\u2060\ufeff\u202e\u202d\u200f\u200e\u061c\u0645\u0631\u05d0\u0301\u2028\u0085\x00\r\t"
WORDS = (
    "Gunmen killed soldiers wounded attack village Borno Mali Kidal Idlib Mogadishu police "
    "said on Tuesday at least dozens of civilians were abducted near the border in an ambush "
    "by suspected jihadists al-Shabaab ISWAP Boko Haram army airstrike bomb exploded market "
    "Reuters AP reported Source: Title: Published: Monday 12 three hundred 2024-03-05 and the "
    "days ago weeks months earlier later the following day hours thousand million killing two"
).split()

numbers = st.one_of(
    st.integers(min_value=-(10**6), max_value=10**120).map(str),
    st.sampled_from(["1" + "0" * 100, "10^100", "1e308", "3.5", "1,000,000", "½", "٣", "١٢"]),
)
words = st.sampled_from(WORDS)
odd = st.text(alphabet=ODD_CHARACTERS, min_size=1, max_size=6)
tokens = st.one_of(words, words, words, numbers, odd, st.text(max_size=12))
sentences = st.lists(tokens, min_size=1, max_size=40).map(" ".join)
article_text = st.lists(sentences, min_size=1, max_size=8).map(lambda parts: ". ".join(parts) + ".")
date_strings = st.one_of(
    st.dates().map(date.isoformat),
    st.sampled_from(["9 Jan 2021", "yesterday", "2024-02-30", "0000-00-00", "99999-01-01"]),
    st.text(max_size=20),
)


def _header(fields: list[tuple[str, str]]) -> str:
    return "".join(f"{key}: {value}\n" for key, value in fields)


header_fields = st.lists(
    st.tuples(
        st.sampled_from(["Title", "Published", "URL", "Outlet", "Id", "Language", "Weird"]),
        st.one_of(sentences, date_strings),
    ),
    max_size=5,
)
text_files = st.one_of(
    st.tuples(header_fields, article_text).map(lambda p: (_header(p[0]) + "\n" + p[1]).encode()),
    article_text.map(lambda text: text.encode("utf-8")),
    st.lists(st.sampled_from(["http://a.example/x", "https://b.example/", "# note", ""])).map(
        lambda lines: "\n".join(lines).encode()
    ),
    st.binary(max_size=300),
)

TAGS = ("p", "div", "article", "span", "a", "h1", "td", "li", "script", "style", "b", "table")
html_nodes = st.recursive(
    st.one_of(sentences, odd, st.sampled_from(["<br>", "<img src=x>", "&amp;", "&#0;", "<!--"])),
    lambda children: st.tuples(st.sampled_from(TAGS), st.lists(children, max_size=4)).map(
        lambda node: f"<{node[0]}>{''.join(node[1])}</{node[0]}>"
    ),
    max_leaves=30,
)
html_pages = st.one_of(
    st.tuples(sentences, date_strings, st.lists(html_nodes, max_size=6)).map(
        lambda p: (
            f'<html><head><title>{p[0]}</title><meta property="article:published_time" '
            f'content="{p[1]}"></head><body>{"".join(p[2])}</body></html>'
        ).encode("utf-8", "surrogatepass")
    ),
    html_nodes.map(lambda html: html.encode("utf-8", "surrogatepass")),
    st.binary(max_size=300),
)


def _rss(items: list[tuple[str, str, str, str]], cut: int) -> bytes:
    body = "".join(
        f"<item><title>{title}</title><link>{link}</link><pubDate>{when}</pubDate>"
        f"<content:encoded><![CDATA[{content}]]></content:encoded></item>"
        for title, link, when, content in items
    )
    document = (
        '<?xml version="1.0"?><rss version="2.0" '
        'xmlns:content="http://purl.org/rss/1.0/modules/content/"><channel><title>Wire</title>'
        f"{body}</channel></rss>"
    ).encode("utf-8", "surrogatepass")
    return document[: len(document) - cut] if cut else document


feed_items = st.tuples(
    sentences,
    st.one_of(st.just(""), st.sampled_from(["http://news.example/a", "/relative", "::"])),
    date_strings,
    st.one_of(html_nodes, st.lists(sentences, min_size=10, max_size=20).map("<p>".join)),
)
feeds = st.one_of(
    st.tuples(st.lists(feed_items, max_size=5), st.integers(0, 40)).map(lambda p: _rss(*p)),
    st.sampled_from([b"<rss", b"<feed xmlns='http://www.w3.org/2005/Atom'><entry>", b"<rss/>"]),
)


def _warc(pages: list[tuple[int, str, bytes, int]], gzipped: bool, cut: int) -> bytes:
    records = []
    for status, media_type, html, length_error in pages:
        http = f"HTTP/1.1 {status} OK\r\nContent-Type: {media_type}\r\n\r\n".encode() + html
        header = (
            "WARC/1.0\r\nWARC-Type: response\r\nWARC-Target-URI: http://news.example/a\r\n"
            "Content-Type: application/http; msgtype=response\r\n"
            f"Content-Length: {max(0, len(http) + length_error)}\r\n\r\n"
        ).encode()
        records.append(header + http + b"\r\n\r\n")
    data = b"".join(records)
    data = data[: len(data) - cut] if cut else data
    return gzip.compress(data) if gzipped else data


warc_files = st.one_of(
    st.tuples(
        st.lists(
            st.tuples(
                st.sampled_from([200, 404, 999]),
                st.sampled_from(["text/html", "text/plain", "", "text/html; charset=klingon"]),
                html_pages,
                st.sampled_from([0, 0, 0, -5, 7, 10**6]),
            ),
            max_size=3,
        ),
        st.booleans(),
        st.integers(0, 30),
    ).map(lambda p: _warc(*p)),
    st.binary(max_size=200).map(lambda data: b"WARC/" + data),
    st.binary(max_size=200).map(lambda data: b"\x1f\x8b" + data),
)

cells = st.one_of(sentences, numbers, odd, st.text(max_size=30), st.just(""))


def _csv(columns: list[str], rows: list[list[str]]) -> bytes:
    buffer = io.StringIO()
    writer = csv.writer(buffer)
    writer.writerow(columns)
    writer.writerows(rows)
    return buffer.getvalue().encode("utf-8", "surrogatepass")


csv_files = st.one_of(
    st.tuples(
        st.lists(st.sampled_from(["id", "text", "published", "title", "url", "x", ""]), max_size=6),
        st.lists(st.lists(cells, max_size=7), max_size=5),
    ).map(lambda p: _csv(*p)),
    st.binary(max_size=300),
    st.text(max_size=200).map(lambda text: text.encode("utf-8", "surrogatepass")),
)

json_values = st.recursive(
    st.one_of(
        st.none(),
        st.booleans(),
        st.integers(min_value=-(10**120), max_value=10**120),
        st.floats(allow_nan=False),
        cells,
    ),
    lambda children: st.one_of(
        st.lists(children, max_size=4), st.dictionaries(st.text(max_size=8), children, max_size=4)
    ),
    max_leaves=15,
)
jsonl_rows = st.one_of(
    st.fixed_dictionaries(
        {"text": st.one_of(article_text, json_values)},
        optional={
            "id": json_values,
            "published": st.one_of(date_strings, json_values),
            "title": json_values,
            "url": json_values,
        },
    ).map(json.dumps),
    json_values.map(json.dumps),
    st.text(max_size=80),
)
jsonl_files = st.lists(jsonl_rows, max_size=6).map(
    lambda lines: "\n".join(lines).encode("utf-8", "surrogatepass")
)

articles = st.builds(
    Article,
    id=st.just("fuzz"),
    text=article_text,
    published=st.one_of(st.none(), st.dates(min_value=date(1900, 1, 1))),
    language=st.sampled_from([None, "en"]),
)

# Each reader: its inputs and the file suffix that routes them to it.
READERS: dict[str, tuple[st.SearchStrategy[bytes], str]] = {
    "text": (text_files, ".txt"),
    "html": (html_pages, ".html"),
    "feed": (feeds, ".xml"),
    "warc": (warc_files, ".warc"),
    "csv": (csv_files, ".csv"),
    "jsonl": (jsonl_files, ".jsonl"),
}


class OfflineFetcher:
    """Stands in for the fetcher: fuzzed URL lists and feeds reach no network."""

    def get(self, url: str, **_validators: Any) -> Any:
        raise FetchError("offline: fuzzing fetches nothing")


def read_file(data: bytes, suffix: str, folder: Path) -> list[Any]:
    """Every result the readers give for `data` saved as a file with `suffix`; raises on a crash."""
    path = folder / f"input{suffix}"
    path.write_bytes(data)
    results = list(read_sources([path], fetcher=OfflineFetcher()))  # type: ignore[arg-type]
    for result in results:
        assert isinstance(result, Article | ReadFailure), type(result)
        if isinstance(result, ReadFailure):
            assert result.reason and "\n" not in result.reason, result
    return results


def extract(article: Article) -> list[Any]:
    """The events of `article`; a non-English article is the extractor's one clear refusal."""
    try:
        return extract_article(article)
    except UnsupportedLanguageError:
        return []
