"""Extraction: one Event record per incident an article reports, with evidence for every value.

Data flows one way: clauses (dates, counts, triggers found by rules) -> actors, places and sources on
the clauses that can report an event -> incidents -> Event records.
"""

from __future__ import annotations

import dataclasses
from collections import Counter
from datetime import date

from conflictlens.clean import date_from_url, detect_language, find_dateline, month_from_url
from conflictlens.extraction.actors import ActorDictionary, ActorMention
from conflictlens.extraction.assemble import (
    FLAG_PUBLISHED_FROM_DATELINE,
    FLAG_PUBLISHED_FROM_URL,
    FLAG_PUBLISHED_MONTH_FROM_URL,
    build_event,
)
from conflictlens.extraction.clauses import Clause, is_dateline, split_clauses
from conflictlens.extraction.incidents import group_incidents
from conflictlens.extraction.roles import parse_clauses, role_of
from conflictlens.extraction.sides import attributions_by_incident
from conflictlens.extraction.sources import find_outlet_line, find_sources
from conflictlens.geo import DEMONYM_WEIGHT, Gazetteer
from conflictlens.models import Article, Event

HISTORY_DAYS = 365
_ARMED_INTERS = {"Rebel group", "Political militia", "Identity militia"}


class UnsupportedLanguageError(ValueError):
    """The English extractor does not read this article; it is kept, not coded."""

    def __init__(self, language: str) -> None:
        super().__init__(f"not English (detected: {language}); skipped by the English extractor")
        self.language = language


def extract_article(article: Article) -> list[Event]:
    """The events one article reports. Raises UnsupportedLanguageError for non-English text."""
    language = article.language or detect_language(article.text)
    if language != "en":
        raise UnsupportedLanguageError(language)
    published, published_flag = _publication_date(article)

    gazetteer, actors = Gazetteer.default(), ActorDictionary.default()
    context = gazetteer.context(article.text)
    if not context.named:
        context.countries.update(_actor_countries(article.text, actors))
    country = context.countries.most_common(1)[0][0] if context.countries else None
    month_only = published_flag == FLAG_PUBLISHED_MONTH_FROM_URL
    clauses = split_clauses(article.text, published, published_precision=3 if month_only else 1)
    for clause in clauses:
        clause.sources = find_sources(clause.text)
        if clause.is_candidate:
            clause.actors = actors.find(clause.text, country=country)
            clause.places = [
                h
                for h in gazetteer.find(clause.text, context)
                if not is_dateline(clause.text, h.start, h.end)
            ]
    with_actors = [c for c in clauses if any(m.name or m.generic for m in c.actors)]
    for clause, doc in zip(with_actors, parse_clauses([c.text for c in with_actors]), strict=True):
        clause.actor_roles = [role_of(doc, m.start, m.end) for m in clause.actors]
    dominant = _dominant_armed_actor(clauses)
    if dominant is not None:
        for clause in clauses:
            clause.actors = [_resolve_generic(m, dominant) for m in clause.actors]

    outlet = article.outlet or find_outlet_line(article.text)
    incidents = group_incidents(clauses, published)
    attributed = attributions_by_incident(incidents, clauses)
    events = [
        build_event(
            incident,
            article,
            published=published,
            context=context,
            article_country=country,
            outlets=[outlet] if outlet else [],
            published_flag=published_flag,
            attributed=attribution,
        )
        for incident, attribution in zip(incidents, attributed, strict=True)
    ]
    return [e for e in events if not _is_history(e, published)]


def _publication_date(article: Article) -> tuple[date | None, str | None]:
    """The article's publication date, and the flag saying where it came from when the source
    gave none: the page's address (/2019/03/14/), else a stamp printed on the page itself, else
    the month the address files it under (/2011/08/; the first of the month, flagged: its days
    are known to the month only)."""
    if article.published is not None:
        return article.published, None
    if (from_url := date_from_url(article.url)) is not None:
        return from_url, FLAG_PUBLISHED_FROM_URL
    if (dateline := find_dateline(article.text)) is not None:
        return dateline[0], FLAG_PUBLISHED_FROM_DATELINE
    if (month := month_from_url(article.url)) is not None:
        return month, FLAG_PUBLISHED_MONTH_FROM_URL
    return None, None


def _actor_countries(text: str, actors: ActorDictionary) -> Counter[str]:
    """Where the named actors of a report that names no country belong ("the PMU", "the SDF"),
    each as much as a demonym: enough to choose between namesakes, never to place an event."""
    homes = {m.name: m.country for m in actors.find(text) if m.name and m.country}
    return Counter({cc: DEMONYM_WEIGHT * n for cc, n in Counter(homes.values()).items()})


def _is_history(event: Event, published: date | None) -> bool:
    """Background ("a bombing in March 2017 killed 30"): an incident over a year before the report."""
    if event.kind != "incident" or event.event_date is None or published is None:
        return False
    period_end = {3: 31, 4: 365}.get(event.time_precision or 1, 0)
    return (published - event.event_date).days - period_end > HISTORY_DAYS


def _dominant_armed_actor(clauses: list[Clause]) -> ActorMention | None:
    """The named armed group the article is about: generic "militants" and "jihadists" refer to it."""
    dictionary = ActorDictionary.default()
    counts: Counter[str] = Counter()
    first: dict[str, ActorMention] = {}
    for clause in clauses:
        for mention in clause.actors:
            info = dictionary.info(mention.name) if mention.name else None
            if info is not None and info.inter in _ARMED_INTERS and not mention.generic:
                counts[info.name] += 1
                first.setdefault(info.name, mention)
    if not counts:
        return None
    return first[counts.most_common(1)[0][0]]


def _resolve_generic(mention: ActorMention, dominant: ActorMention) -> ActorMention:
    if mention.name is None and mention.generic and mention.role == "armed_group":
        return dataclasses.replace(
            mention,
            name=dominant.name,
            inter=dominant.inter,
            country=dominant.country,
            suspected=True,
        )
    return mention


__all__ = ["UnsupportedLanguageError", "extract_article"]
