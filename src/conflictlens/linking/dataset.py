"""Linking inside a stored dataset: re-cluster the neighbourhood of new reports, store the events.

The neighbourhood of a set of mentions is every stored event of the same country and admin1 within
a month either side of their dates, with all of those events' mentions. It is clustered from scratch
(`linker.cluster`, which depends only on the set), so the same reports give the same events whatever
order they arrived in, and a late report that changes a toll or a date rebuilds its event. Only the
groups that changed are merged and stored again; the neighbourhood is read as the few fields the
pair rules compare (`Mention`), full records only for the groups to merge. New reports are
linked a province at a time (a country at a time where reports placed only in the country are
involved), so one pass holds one province's neighbourhood, not every province's of the batch.
A report with no date reaches every event of its region and kind of attack, whatever their dates
(it may join only the one it fits, so it must see them all), and a dated report reaches the undated
events of its region (`_undated_neighbours`).
"""

from __future__ import annotations

import itertools
from collections import Counter
from collections.abc import Iterable, Iterator, Sequence
from dataclasses import dataclass
from datetime import date, timedelta
from typing import Any

from sqlalchemy import and_, or_, select

from conflictlens.linking.linker import MAX_DAY_GAP, Mention, cluster, cluster_id
from conflictlens.linking.merge import Report, merge
from conflictlens.models import Event
from conflictlens.store import LinkWindow, StaleLinksError, Store, schema

# Dates a neighbourhood reaches either side of a new report: two of the widest pair tolerances,
# so an event whose merged date sits between the two reports is still found.
NEIGHBOURHOOD = timedelta(days=2 * MAX_DAY_GAP)
# Mentions whose full records are read at once to merge their groups: a busy region's
# neighbourhood is read as the few fields linking compares, its records a batch at a time. A
# record read takes about 15 KB (2,000 of them took 30 MB, which a busy province of a 100,000-
# article day filled: the storing process then grew with the day).
MERGE_BATCH_ROWS = 200
# Times one unit is read and linked when other writers keep moving its mentions meanwhile.
STALE_ATTEMPTS = 5


@dataclass(frozen=True)
class _Stored:
    """What linking holds of a stored mention: its row, the event it is in now, and the few
    fields the pair rules read (the full record is read again only to merge its group)."""

    row_id: int
    event_id: str
    mention: Mention


def link_stored(
    store: Store, article_ids: Iterable[str], event_ids: Iterable[str] = ()
) -> list[str]:
    """Link the mentions of these articles (and of these events) with the stored dataset.

    The new reports are linked one linking unit at a time (`_units`): a province, or a whole
    country where reports placed only in the country join its provinces. Reports of different
    units can never be one incident, so this gives what clustering all of them at once would, while
    only one unit's neighbourhood is held at a time: a batch of reports from a hundred provinces
    needs the memory of its busiest province, not of all of them.

    Returns the ids of the events these articles now report and of every other event linking
    created or changed, in the order they were written.
    """
    seeds = {
        s.row_id: _Stored(s.row_id, s.event_id, Mention.of(s.record, s.article_id, s.published))
        for s in store.iter_stored_mentions(article_ids=article_ids, event_ids=event_ids)
    }
    changed: list[str] = []
    for unit, country_only in _units(store, list(seeds.values())):
        changed += _link_unit(store, unit, country_only)
    return list(dict.fromkeys(changed))


def _units(store: Store, seeds: Sequence[_Stored]) -> list[tuple[list[_Stored], list[str]]]:
    """The seeds split into units no link crosses, each with the country-only events it may join:
    one unit per (country, admin1), or one per country when a report placed only in the country is
    among its seeds or its neighbours (it may join any of the country's provinces); reports with no
    country are a unit of their own."""
    by_country: dict[str, list[_Stored]] = {}
    for seed in seeds:
        by_country.setdefault(seed.mention.country_code or "", []).append(seed)
    units: list[tuple[list[_Stored], list[str]]] = []
    for country, members in sorted(by_country.items()):
        mentions = [s.mention for s in members]
        # A subset of the seeds reaches a subset of these, so a split country's units reach none.
        country_only = _country_only_neighbours(store, mentions)
        if not country or country_only or any(m.country_only for m in mentions):
            units.append((members, country_only))
            continue
        by_region: dict[str, list[_Stored]] = {}
        for seed in members:
            by_region.setdefault(seed.mention.admin1 or "", []).append(seed)
        units += [(by_region[admin1], []) for admin1 in sorted(by_region)]
    return units


def _link_unit(store: Store, unit: Sequence[_Stored], country_only: Sequence[str]) -> list[str]:
    """Re-cluster the neighbourhood of one unit's new reports (with the country-only events they
    reach, `_units`) and store the groups that changed; returns the ids of the events written,
    those the new reports are in first.

    The neighbourhood is read outside the writing transaction, so another process (an ingest, a
    watch round, the desk) may move or remove some of its mentions before the links are written;
    then the unit's reports are read again and linked anew with what that writer left.
    """
    for attempt in itertools.count(1):
        try:
            return _link_unit_once(store, unit, country_only)
        except StaleLinksError:
            if attempt >= STALE_ATTEMPTS:
                raise
            unit = list(_read(store, row_ids=[s.row_id for s in unit]).values())
    raise AssertionError("unreachable")


def _link_unit_once(
    store: Store, unit: Sequence[_Stored], country_only: Sequence[str]
) -> list[str]:
    """One read, clustering and write of `_link_unit`."""
    seeds = [s.mention for s in unit]
    windows = [
        LinkWindow(
            s.country_code, s.admin1, s.event_date - NEIGHBOURHOOD, s.event_date + NEIGHBOURHOOD
        )
        for s in seeds
        if s.country_code and s.admin1 and s.event_date
    ]
    # The events the new reports are in now, whole: every mention of an event read is read.
    events = list(dict.fromkeys(s.event_id for s in unit))
    events += country_only
    events += _undated_neighbours(store, seeds)
    stored = {s.mention.key: s for s in unit}
    stored.update(_read(store, event_ids=events, windows=windows))
    if more := set(_undated_neighbours(store, [s.mention for s in stored.values()], dated=False)):
        stored.update(_read(store, event_ids=more - set(events)))
    groups = cluster([s.mention for s in stored.values()])
    seed_keys = {s.key for s in seeds}
    linked, reported = [], []
    for group, merged in _merged(store, stored, _to_write(groups, stored, seed_keys)):
        linked.append((merged, [stored[m.key].row_id for m in group]))
        if any(m.key in seed_keys for m in group):
            reported.append(merged.event_id)
    read = {s.row_id: s.event_id for s in stored.values()}
    changed = store.write_links(linked, read)
    return [*reported, *changed]


def _read(store: Store, **wanted: Any) -> dict[str, _Stored]:
    """The stored mentions `Store.iter_stored_mentions` selects, by key, read as `_Stored`."""
    return {
        s.record.event_id: _Stored(
            s.row_id, s.event_id, Mention.of(s.record, s.article_id, s.published)
        )
        for s in store.iter_stored_mentions(**wanted)
    }


def _to_write(
    groups: Sequence[Sequence[Mention]], stored: dict[str, _Stored], seed_keys: set[str]
) -> list[Sequence[Mention]]:
    """The groups to merge and store: those holding a new report, or whose reports are not
    already exactly one stored event under the group's id. Others are stored as they are (every
    mention of an event read is read, so an event's size here is its size)."""
    size = Counter(s.event_id for s in stored.values())
    return [
        group
        for group in groups
        if any(m.key in seed_keys for m in group)
        or len(group) != size[cluster_id(group)]
        or any(stored[m.key].event_id != cluster_id(group) for m in group)
    ]


def _merged(
    store: Store, stored: dict[str, _Stored], groups: Sequence[Sequence[Mention]]
) -> Iterator[tuple[Sequence[Mention], Event]]:
    """Each group with its merged record; full records are read a batch of groups at a time."""
    for batch in _batches(groups):
        rows = [stored[m.key].row_id for group in batch for m in group]
        reports = {
            s.row_id: Report(s.record, s.published)
            for s in store.iter_stored_mentions(row_ids=rows)
        }
        if len(reports) < len(rows):
            raise StaleLinksError(f"{len(rows) - len(reports)} mention rows were removed meanwhile")
        for group in batch:
            members = [reports[stored[m.key].row_id] for m in group]
            yield group, merge(cluster_id(group), members)


def _batches(groups: Sequence[Sequence[Mention]]) -> Iterator[list[Sequence[Mention]]]:
    """Consecutive groups of at most MERGE_BATCH_ROWS mentions together (or one larger group)."""
    batch: list[Sequence[Mention]] = []
    rows = 0
    for group in groups:
        if batch and rows + len(group) > MERGE_BATCH_ROWS:
            yield batch
            batch, rows = [], 0
        batch.append(group)
        rows += len(group)
    if batch:
        yield batch


def _country_only_neighbours(store: Store, seeds: Sequence[Mention]) -> list[str]:
    """Events a report placed only in its country can link with, and the reverse.

    For such a seed: the events of its country in its window that name one of its named actors
    (it links only through one); for any other seed: the country-only events of its country in
    its window. The admin1 windows of `link_stored` never reach across regions.
    """
    spans: list[tuple[str, tuple[str, ...], date, date]] = []
    for seed in seeds:
        if not (seed.country_code and seed.event_date):
            continue
        # () stands for "country-only events"; a country-only seed's own key is its actors.
        actors: tuple[str, ...] = ()
        if seed.admin1 is None:
            actors = tuple(sorted(seed.actors))
            if not actors:
                continue  # it can link with nothing
        since, until = seed.event_date - NEIGHBOURHOOD, seed.event_date + NEIGHBOURHOOD
        spans.append((seed.country_code, actors, since, until))
    merged: list[tuple[str, tuple[str, ...], date, date]] = []
    for country, actors, since, until in sorted(spans):
        last = merged[-1] if merged else None
        if last and last[:2] == (country, actors) and since <= last[3]:
            merged[-1] = (country, actors, last[2], max(last[3], until))
        else:
            merged.append((country, actors, since, until))
    if not merged:
        return []
    events = schema.events
    conditions = [
        and_(
            events.c.country_code == country,
            events.c.event_date.between(since, until),
            or_(events.c.actor1.in_(actors), events.c.actor2.in_(actors))
            if actors
            else events.c.admin1.is_(None),
        )
        for country, actors, since, until in merged
    ]
    with store.engine.connect() as conn:
        return list(conn.execute(select(events.c.event_id).where(or_(*conditions))).scalars())


def _undated_neighbours(
    store: Store, reports: Iterable[Mention], *, dated: bool = True
) -> list[str]:
    """Events a report with no date may join, and the reverse.

    For an undated incident: every event of its country, admin1 and sub-event type, whatever its
    date (`linker.attach_undated` needs all the events it could be, to join only the one it
    fits); with `dated`, for a dated incident: the events of its country and admin1 that an
    undated report tells (alone, or joined to dated ones).
    """
    undated_kinds, dated_blocks = set(), set()
    for report in reports:
        if report.kind != "incident" or not (report.country_code and report.admin1):
            continue
        if report.event_date is None and report.sub_event_type:
            undated_kinds.add((report.country_code, report.admin1, report.sub_event_type))
        elif report.event_date is not None and dated:
            dated_blocks.add((report.country_code, report.admin1))
    events, mentions = schema.events, schema.mentions
    # An undated report already joined to a dated event is still one: found by its own record.
    undated_record = mentions.c.record["event_date"].as_string().is_(None)
    conditions = [
        and_(
            events.c.country_code == country,
            events.c.admin1 == admin1,
            events.c.sub_event_type == sub_event_type,
        )
        for country, admin1, sub_event_type in sorted(undated_kinds)
    ] + [
        and_(events.c.country_code == country, events.c.admin1 == admin1, undated_record)
        for country, admin1 in sorted(dated_blocks)
    ]
    if not conditions:
        return []
    statement = (
        select(events.c.event_id)
        .distinct()
        .select_from(events.outerjoin(mentions, mentions.c.event_id == events.c.event_id))
        .where(or_(*conditions))
    )
    with store.engine.connect() as conn:
        return list(conn.execute(statement).scalars())
