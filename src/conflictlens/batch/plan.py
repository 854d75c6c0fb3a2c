"""The batch's plan, the same for every engine: which reports are coded, under which ids, and how
their mentions become events.

`ingest` decides, article by article against its database, what is an exact copy (same URL and
text, or same text), a newer version of a stored story (same URL, new text, later date), a
near-duplicate (kept as a copy of the earliest published of them) or a new report. `ArticlePlan`
replays those rules on the rows' keys alone (id, URL, text hash, date, and which earlier rows each
one is a near-duplicate of), in input order, so a batch codes the very articles `ingest` would,
under the same ids. `link_block` is `link_stored`'s clustering and merging for one block of
mentions (one country and first-level division: the linker never joins mentions across blocks).
"""

from __future__ import annotations

from collections.abc import Callable, Iterable, Sequence
from dataclasses import dataclass, field
from datetime import date

from conflictlens.linking.linker import Mention, cluster, cluster_id
from conflictlens.linking.merge import Report, merge
from conflictlens.models import Article, Event
from conflictlens.parallel import uncodable
from conflictlens.pipeline import RunReport


@dataclass(frozen=True)
class RowKey:
    """What the plan needs to know of one input row (`row`: its place in the input)."""

    row: int
    id: str
    text_id: str  # Article.id_for(text): the id a report gets when its own id is taken
    url: str | None
    content_hash: str
    published: date | None
    skipped: str | None = None  # why its text alone says there is nothing to extract

    @classmethod
    def of(cls, row: int, article: Article) -> RowKey:
        skipped = uncodable(article)
        return cls(
            row,
            article.id,
            Article.id_for(article.text),
            article.url,
            article.content_hash,
            article.published,
            skipped.skip_reason() if skipped is not None else None,
        )


@dataclass
class _Stored:
    row: int  # the row whose text this article holds now
    key: RowKey
    copy_of: str | None = None


# A row -> the ids of stored articles whose current text may be near it (sketch candidates).
Neighbours = Callable[[RowKey], Iterable[str]]


@dataclass
class ArticlePlan:
    """Replays ingest's storing rules; `coded()` gives (row, stored id) of what gets extracted."""

    neighbours: Neighbours
    confirm: Callable[[RowKey, str], bool]
    report: RunReport = field(default_factory=RunReport)
    stored: dict[str, _Stored] = field(default_factory=dict)
    _by_url: dict[str, str] = field(default_factory=dict)
    _by_hash: dict[str, str] = field(default_factory=dict)

    def add(self, key: RowKey) -> str | None:
        """Take one row; returns the id it is stored under, or None when it changes nothing."""
        self.report.articles += 1
        if key.url and (stored_id := self._by_url.get(key.url)) is not None:
            stored = self.stored[stored_id]
            if stored.key.content_hash != key.content_hash:
                return self._newer_version(stored_id, stored, key)
        existing = (self._by_url.get(key.url) if key.url else None) or self._by_hash.get(
            key.content_hash
        )
        if existing is not None:
            self.report.duplicates += 1
            return None
        article_id = key.id if key.id not in self.stored else key.text_id
        self.stored[article_id] = _Stored(key.row, key)
        self._index(article_id, key)
        self.report.new += 1
        if key.skipped is not None:  # stored as skipped: neither sketched nor coded
            self.report.skipped[key.skipped] += 1
            return article_id
        self._check_copies(article_id, key)
        return article_id

    def _newer_version(self, stored_id: str, stored: _Stored, key: RowKey) -> str | None:
        if (key.published or date.min) < (stored.key.published or date.min):
            self.report.duplicates += 1
            return None
        self._by_hash.pop(stored.key.content_hash, None)
        stored.row, stored.key = (
            key.row,
            RowKey(key.row, stored_id, key.text_id, key.url, key.content_hash, key.published),
        )
        self._index(stored_id, stored.key)
        self.report.updated += 1
        return stored_id

    def _index(self, article_id: str, key: RowKey) -> None:
        if key.url:
            self._by_url.setdefault(key.url, article_id)
        self._by_hash.setdefault(key.content_hash, article_id)

    def _root(self, article_id: str) -> str:
        return self.stored[article_id].copy_of or article_id

    def _check_copies(self, article_id: str, key: RowKey) -> None:
        """Ingest's `_is_copy`: the earliest published (then smallest id) of a report and the
        stored originals it copies is the original; the others become its copies."""
        candidates = sorted(
            {
                self._root(n)
                for n in self.neighbours(key)
                if n in self.stored and n != article_id and self.stored[n].key.skipped is None
            }
            - {article_id}
        )
        copies_of = [c for c in candidates if self.confirm(key, c)]
        if not copies_of:
            return
        seniority = {
            i: (self.stored[i].key.published or date.max, i) for i in [article_id, *copies_of]
        }
        original = min(seniority, key=seniority.__getitem__)
        if original != article_id:
            self.stored[article_id].copy_of = original
            self.report.copies += 1
            return
        for older in copies_of:
            for other in self.stored.values():
                if other.copy_of == older:
                    other.copy_of = article_id
            self.stored[older].copy_of = article_id
            self.report.copies += 1

    def coded(self) -> list[tuple[int, str]]:
        """(row, stored id) of every article that is extracted: originals with their last text."""
        return sorted(
            (s.row, i)
            for i, s in self.stored.items()
            if s.copy_of is None and s.key.skipped is None
        )


@dataclass(frozen=True)
class StoredMention:
    """One incident as one article gave it, with that article's date (for linking)."""

    article_id: str
    published: date | None
    event: Event


def block_of(mention: StoredMention) -> str:
    """The linking block: country and first-level division; a mention the linker never joins to
    another (no place, no date, a tally) is a block of its own."""
    link = Mention.of(mention.event, mention.article_id, mention.published)
    if not link.linkable:
        return f"alone\x1f{mention.event.event_id}"
    return "\x1f".join(link.block)


def link_block(mentions: Sequence[StoredMention]) -> list[tuple[Event, list[str]]]:
    """The events of one block: (merged event, keys of its mentions), as `link_stored` makes
    them (it clusters a neighbourhood from scratch; clustering depends only on the set)."""
    by_key = {m.event.event_id: m for m in mentions}
    groups = cluster([Mention.of(m.event, m.article_id, m.published) for m in mentions])
    linked = []
    for group in groups:
        members = [by_key[m.key] for m in group]
        merged = merge(cluster_id(group), [Report(m.event, m.published) for m in members])
        linked.append((merged, [m.event.event_id for m in members]))
    return linked
