"""conflictlens: news reports about political violence in, an evidence-backed event dataset out.

The Python API is the code the command line calls:

    >>> import conflictlens
    >>> events = conflictlens.extract(text, published="2021-01-09")
    >>> conflictlens.to_dataframe(events)   # needs the optional `pandas` extra
"""

from __future__ import annotations

from collections.abc import Iterable
from datetime import date
from typing import TYPE_CHECKING

from conflictlens.models import SCHEMA_VERSION, Article, Event, Evidence

if TYPE_CHECKING:
    import pandas

__version__ = "0.1.0"


def extract(
    text: str,
    published: date | str | None = None,
    *,
    title: str | None = None,
    outlet: str | None = None,
    url: str | None = None,
    article_id: str | None = None,
) -> list[Event]:
    """Code one article: its incidents as Event records (no storage, no cross-article linking)."""
    from conflictlens.extraction import extract_article

    if isinstance(published, str):
        published = date.fromisoformat(published)
    article = Article(
        id=article_id or Article.id_for(text),
        text=text,
        title=title,
        outlet=outlet,
        url=url,
        published=published,
    )
    return extract_article(article)


def to_dataframe(events: Iterable[Event]) -> pandas.DataFrame:
    """Events as a pandas DataFrame, one row per event, columns in record order."""
    try:
        import pandas
    except ImportError as exc:
        raise ImportError("to_dataframe needs pandas: pip install 'conflictlens[pandas]'") from exc
    rows = [e.to_json_dict() for e in events]
    frame = pandas.DataFrame(rows, columns=list(Event.model_fields))
    frame["event_date"] = pandas.to_datetime(frame["event_date"])
    return frame


__all__ = [
    "SCHEMA_VERSION",
    "Article",
    "Event",
    "Evidence",
    "__version__",
    "extract",
    "to_dataframe",
]
