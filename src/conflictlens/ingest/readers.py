"""Readers for the inputs `extract` and `ingest` take: text files (with an optional metadata header),
folders of them, JSON Lines and CSV article dumps, and standard input.

Every reader yields Articles and ReadFailures in input order and never raises for bad input, so one bad
article never stops a batch. Dumps are streamed row by row.
"""

from __future__ import annotations

import csv
import io
import json
import sys
from collections.abc import Iterable, Iterator
from dataclasses import dataclass
from datetime import date
from pathlib import Path

from conflictlens.models import Article

# A single article larger than this is not an article (a mis-pointed log, a binary, a whole dump).
MAX_ARTICLE_BYTES = 2_000_000
DUMP_COLUMNS = ("id", "text", "published", "title", "url", "outlet")
_REQUIRED_DUMP_COLUMNS = ("text",)
_HEADER_KEYS = {"title", "url", "outlet", "published", "id", "language"}
_TEXT_SUFFIXES = {".txt", ".text", ""}
_DUMP_SUFFIXES = {".jsonl", ".ndjson", ".csv"}


@dataclass(frozen=True)
class ReadFailure:
    """One input that could not be read: where it is and why, in words a user can act on."""

    source: str
    reason: str

    def __str__(self) -> str:
        return f"{self.source}: {self.reason}"


ReadResult = Article | ReadFailure


def read_sources(sources: Iterable[str | Path]) -> Iterator[ReadResult]:
    """Read each source: "-" is stdin, a folder is read recursively, a dump yields one article per row."""
    for source in sources:
        if str(source) == "-":
            yield from _read_stdin()
            continue
        path = Path(source)
        if path.is_dir():
            yield from _read_folder(path)
        elif not path.exists():
            yield ReadFailure(str(path), "no such file or folder")
        elif path.suffix.lower() in _DUMP_SUFFIXES:
            yield from _read_dump(path)
        else:
            yield _read_text_file(path)


def _read_folder(folder: Path) -> Iterator[ReadResult]:
    files = sorted(
        p
        for p in folder.rglob("*")
        if p.is_file()
        and not any(part.startswith(".") for part in p.relative_to(folder).parts)
        and p.suffix.lower() in _TEXT_SUFFIXES | _DUMP_SUFFIXES
    )
    if not files:
        yield ReadFailure(str(folder), "folder holds no .txt, .jsonl or .csv files")
    for path in files:
        if path.suffix.lower() in _DUMP_SUFFIXES:
            yield from _read_dump(path)
        else:
            yield _read_text_file(path)


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
                # Not a header after all: keep the whole text as the body.
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
    if raw_date:
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
                row = json.loads(line)
            except json.JSONDecodeError as exc:
                yield ReadFailure(where, f"invalid JSON ({exc.msg} at column {exc.colno})")
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
