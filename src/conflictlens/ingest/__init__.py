"""Ingest: turn files, folders, dumps and stdin into Articles, one failure record per problem."""

from conflictlens.ingest.readers import (
    MAX_ARTICLE_BYTES,
    ReadFailure,
    known_article_count,
    parse_text_article,
    read_sources,
)

__all__ = [
    "MAX_ARTICLE_BYTES",
    "ReadFailure",
    "known_article_count",
    "parse_text_article",
    "read_sources",
]
