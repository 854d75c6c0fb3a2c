"""Text search over events: SQLite FTS5 or PostgreSQL full-text search, with the same results.

Both back ends index the same words: `search_text` (every string and number of the record, cut
into lower-case words by Python) is kept beside each event. A query matches an event when every
word of it is a word of the record; the last word may be the start of one, so a search box can
match while the analyst is still typing. SQLite keeps the words in an FTS5 table that triggers keep
in step with the events (migration 0003); PostgreSQL searches a GIN index over the tsvector of the
same column. Any other database falls back to a LIKE per word, which finds whole-word matches too.
"""

from __future__ import annotations

import re
from typing import Any

from sqlalchemy import ColumnElement, Text, and_, bindparam, literal_column
from sqlalchemy.ext.compiler import compiles
from sqlalchemy.sql.compiler import SQLCompiler
from sqlalchemy.types import NullType

from conflictlens.store import schema

# Letters and digits of any script: punctuation, underscores and spaces separate words.
_WORD = re.compile(r"[^\W_]+")
# The PostgreSQL text search configuration: no stemming and no stop words, like FTS5's unicode61.
PG_CONFIG = "simple"
# PostgreSQL skips longer words when it builds a tsvector; they are left out on both back ends.
MAX_WORD = 2047


def words(text: str) -> list[str]:
    """The searchable words of a text, lower-case, in order (repeats kept)."""
    return [w for w in _WORD.findall(text.casefold()) if len(w) <= MAX_WORD]


def search_text(record: Any) -> str:
    """The words of every string and whole number in a record (not its keys), each once, for the
    index. Fractions (coordinates, confidence) are left out: nobody searches for them, and their
    digits would make every prefix of a number match."""
    found: dict[str, None] = {}
    _collect(record, found)
    return " ".join(found)


def _collect(value: Any, found: dict[str, None]) -> None:
    if isinstance(value, dict):
        for item in value.values():
            _collect(item, found)
    elif isinstance(value, list | tuple):
        for item in value:
            _collect(item, found)
    elif isinstance(value, str) or (isinstance(value, int) and not isinstance(value, bool)):
        found.update(dict.fromkeys(words(str(value))))


class TextMatch(ColumnElement[bool]):
    """WHERE clause: the event's search_text holds every query word (the last one as a prefix)."""

    # No Boolean type: SQLite would get "(... IN (...)) = 1", which no index serves.
    type = NullType()
    inherit_cache = False

    def __init__(self, query_words: list[str]) -> None:
        self.query_words = query_words


def text_match(query: str) -> ColumnElement[bool] | None:
    """The condition for a search box's text; None when it holds no word to search for."""
    query_words = words(query)
    return TextMatch(query_words) if query_words else None


@compiles(TextMatch, "sqlite")
def _sqlite_match(element: TextMatch, compiler: SQLCompiler, **kw: Any) -> str:
    *whole, last = element.query_words
    fts_query = " AND ".join([*(f'"{w}"' for w in whole), f'"{last}"*'])
    matching = (
        "SELECT event_search.event_id FROM event_search WHERE event_search.id IN "
        "(SELECT rowid FROM events_fts WHERE events_fts MATCH {})"
    ).format(compiler.process(bindparam("fts_query", fts_query, unique=True), **kw))
    return f"{compiler.process(schema.events.c.event_id, **kw)} IN ({matching})"


@compiles(TextMatch, "postgresql")
def _postgresql_match(element: TextMatch, compiler: SQLCompiler, **kw: Any) -> str:
    *whole, last = element.query_words
    ts_query = " & ".join([*(f"'{w}'" for w in whole), f"'{last}':*"])
    vector = f"to_tsvector('{PG_CONFIG}', coalesce({compiler.process(_SEARCH_TEXT, **kw)}, ''))"
    query = compiler.process(bindparam("ts_query", ts_query, unique=True), **kw)
    return f"{vector} @@ to_tsquery('{PG_CONFIG}', {query})"


@compiles(TextMatch)
def _portable_match(element: TextMatch, compiler: SQLCompiler, **kw: Any) -> str:
    # Words are padded with spaces in search_text, so each LIKE matches whole words only.
    *whole, last = element.query_words
    padded = literal_column("' '", Text) + _SEARCH_TEXT + literal_column("' '", Text)
    likes = [padded.like(f"% {w} %") for w in whole] + [padded.like(f"% {last}%")]
    return compiler.process(and_(*likes), **kw)


_SEARCH_TEXT = schema.events.c.search_text
