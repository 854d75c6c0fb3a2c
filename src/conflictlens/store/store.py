"""The dataset on disk: articles, the events coded from them and the mentions that tie the two.

Any SQLAlchemy URL works; SQLite is the default and PostgreSQL is supported (only portable types and
SQL are used). Every Store brings its database to the newest schema revision when it opens.

`Store` is one interface put together from one part per concern, each in its own module: articles
and their copies (articles.py), mentions and links (links.py), events and the queries over them
(events.py), reviews (reviews.py) and runs (runs.py); base.py holds the engine and the record types.
"""

from __future__ import annotations

from conflictlens.store.articles import ArticlesMixin
from conflictlens.store.events import EventsMixin
from conflictlens.store.links import LinksMixin
from conflictlens.store.reviews import ReviewsMixin
from conflictlens.store.runs import RunsMixin


class Store(ArticlesMixin, LinksMixin, EventsMixin, ReviewsMixin, RunsMixin):
    """Articles, events and mentions in one database; open it, use it, close it (or use `with`)."""
