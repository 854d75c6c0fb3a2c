"""Linking inside a stored dataset: re-cluster the neighbourhood of new reports, store the events.

The neighbourhood of a set of mentions is every stored event of the same country and admin1 within
a month either side of their dates, with all of those events' mentions. It is clustered from scratch
(`linker.cluster`, which depends only on the set), so the same reports give the same events whatever
order they arrived in, and a late report that changes a toll or a date rebuilds its event.
A report with no date reaches every event of its region and kind of attack, whatever their dates
(it may join only the one it fits, so it must see them all), and a dated report reaches the undated
events of its region (`_undated_neighbours`).
"""

from __future__ import annotations

from collections.abc import Iterable, Sequence
from datetime import date, timedelta

from sqlalchemy import and_, or_, select

from conflictlens.linking.linker import MAX_DAY_GAP, Mention, cluster, cluster_id
from conflictlens.linking.merge import Report, merge
from conflictlens.models import Event
from conflictlens.store import LinkWindow, Store, schema

# Dates a neighbourhood reaches either side of a new report: two of the widest pair tolerances,
# so an event whose merged date sits between the two reports is still found.
NEIGHBOURHOOD = timedelta(days=2 * MAX_DAY_GAP)


def link_stored(
    store: Store, article_ids: Iterable[str], event_ids: Iterable[str] = ()
) -> list[str]:
    """Link the mentions of these articles (and of these events) with the stored dataset.

    Returns the ids of the events these articles now report and of every other event linking
    created or changed, in the order they were written.
    """
    articles, events = list(article_ids), list(event_ids)
    seeds = store.stored_mentions(article_ids=articles, event_ids=events)
    windows = [
        LinkWindow(
            s.record.country_code,
            s.record.admin1,
            s.record.event_date - NEIGHBOURHOOD,
            s.record.event_date + NEIGHBOURHOOD,
        )
        for s in seeds
        if s.record.country_code and s.record.admin1 and s.record.event_date
    ]
    events += _country_only_neighbours(store, [s.record for s in seeds])
    events += _undated_neighbours(store, [s.record for s in seeds])
    stored = store.stored_mentions(article_ids=articles, event_ids=events, windows=windows)
    if more := _undated_neighbours(store, [s.record for s in stored], dated=False):
        events += more
        stored = store.stored_mentions(article_ids=articles, event_ids=events, windows=windows)
    by_key = {s.record.event_id: s for s in stored}
    groups = cluster([Mention.of(s.record, s.article_id, s.published) for s in stored])
    seed_rows = {s.row_id for s in seeds}
    linked = []
    reported: list[str] = []
    for group in groups:
        members = [by_key[m.key] for m in group]
        merged = merge(cluster_id(group), [Report(s.record, s.published) for s in members])
        linked.append((merged, [s.row_id for s in members]))
        if any(s.row_id in seed_rows for s in members):
            reported.append(merged.event_id)
    changed = store.write_links(linked)
    return list(dict.fromkeys([*reported, *changed]))


def _country_only_neighbours(store: Store, seeds: Sequence[Event]) -> list[str]:
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
            actors = tuple(sorted(Mention.of(seed, "", None).actors))
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


def _undated_neighbours(store: Store, records: Sequence[Event], *, dated: bool = True) -> list[str]:
    """Events a report with no date may join, and the reverse.

    For an undated incident: every event of its country, admin1 and sub-event type, whatever its
    date (`linker.attach_undated` needs all the events it could be, to join only the one it
    fits); with `dated`, for a dated incident: the events of its country and admin1 that an
    undated report tells (alone, or joined to dated ones).
    """
    undated_kinds, dated_blocks = set(), set()
    for record in records:
        if record.kind != "incident" or not (record.country_code and record.admin1):
            continue
        if record.event_date is None and record.sub_event_type:
            undated_kinds.add((record.country_code, record.admin1, record.sub_event_type))
        elif record.event_date is not None and dated:
            dated_blocks.add((record.country_code, record.admin1))
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
