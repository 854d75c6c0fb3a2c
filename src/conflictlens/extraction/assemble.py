"""Assemble one Event record from an incident's clauses, with evidence for every value it sets."""

from __future__ import annotations

import re
from collections import Counter
from collections.abc import Callable
from dataclasses import dataclass, field, replace
from datetime import date

from conflictlens.extraction.actors import ActorDictionary
from conflictlens.extraction.clauses import Clause, is_dateline
from conflictlens.extraction.confidence import confidence as calibrated_confidence
from conflictlens.extraction.count_words import lexicon as count_lexicon
from conflictlens.extraction.counts import (
    FLAG_TOLL_SHARED,
    PART_OF,
    CountMember,
    CountMention,
)
from conflictlens.extraction.event_types import classify, find_tags
from conflictlens.extraction.incidents import Incident, is_other_sides_toll
from conflictlens.extraction.sides import Attributed, Sides, find_sides
from conflictlens.extraction.sources import find_self_report
from conflictlens.geo import Gazetteer, GeoContext, GeoHit, Place
from conflictlens.geo.cues import LANDMARK_RELATIONS
from conflictlens.geo.types import PRECISION_NEAR, PRECISION_PLACE
from conflictlens.models import (
    FLAG_ACTOR_SUSPECTED,
    FLAG_ACTOR_UNKNOWN,
    FLAG_ADMIN2_DERIVED,
    FLAG_COUNT_VAGUE,
    FLAG_DATE_UNRESOLVED,
    FLAG_NO_PUBLICATION_DATE,
    FLAG_PLACE_NEAR_UNNAMED,
    FLAG_PLACE_NOT_FOUND,
    FLAG_PLACE_REGION_ONLY,
    Article,
    Event,
    Evidence,
)

FLAG_DATE_FROM_PUBLICATION = "date_from_publication"
FLAG_PLACE_FROM_ARTICLE = "place_from_article"
# No place in the report names the country: it is the home country of the groups involved.
FLAG_COUNTRY_FROM_ACTOR = "country_from_actor"
# The incident names no place but "the capital" ("in the west of the capital"): the capital of
# its country is read for it.
FLAG_PLACE_CAPITAL_INFERRED = "place_capital_inferred"
# Where an incident is "in the capital" ("at the entrance ... in the west of the capital", "near
# the Afghan capital"), with the country's demonym if it gives one. A word between "the" and
# "capital" is another city ("the provincial capital", "the interim capital"), a name after it is
# found by its name ("the capital, Kabul"), and "north of the capital" or "from the capital" is
# somewhere else.
_IN_THE_CAPITAL = re.compile(
    r"\b(?:(?P<near>near|outside|on\s+the\s+(?:outskirts|edge)\s+of|in\s+the\s+(?:outskirts|suburbs)\s+of)"
    r"|(?:[Ii]n|[Aa]t|into)(?:\s+the\s+(?:north|south|east|west|centre|center|heart)\w*\s+of)?)"
    r"\s+the\s+(?:(?P<demonym>[A-Z][\w-]*)\s+)?capital(?:\s+city)?\b(?![,\s]+[A-Z])"
)
_VIOLENT_TYPES = frozenset(("Battles", "Explosions/Remote violence", "Violence against civilians"))
_ARMED_INTERS = frozenset(("Rebel group", "Political militia", "Identity militia"))
_STATE_INTERS = frozenset(("State forces", "External/Other forces"))
_FIGHTING_SIDES = ("state_forces", "armed_group")
_RETOLD = re.compile(
    r"\balso\s+(?:reported|said|says|confirmed|documented|stated|tweeted|noted|added|told|"
    r"mentioned|identified|wrote|announced)\b",
    re.I,
)
FLAG_PUBLISHED_FROM_DATELINE = "published_from_dateline"
FLAG_PUBLISHED_FROM_URL = "published_from_url"
# The page's address gives only the month it was published in (/2011/08/slug): the days the text
# counts from it ("on Friday", "today") are known to that month alone.
FLAG_PUBLISHED_MONTH_FROM_URL = "published_month_from_url"


def _date(
    incident: Incident, published: date | None, flags: list[str]
) -> tuple[date | None, int | None, tuple[Clause, int, int] | None]:
    mentions = [(cl, d) for cl in incident.clauses for d in cl.dates]
    resolved = [(cl, d) for cl, d in mentions if d.value is not None]
    if resolved:
        clause, best = min(resolved, key=lambda cd: (cd[1].precision, cd[0].headline, cd[0].index))
        return best.value, best.precision, (clause, best.start, best.end)
    if mentions:
        flags.extend(f for f in (FLAG_DATE_UNRESOLVED, FLAG_NO_PUBLICATION_DATE) if f not in flags)
        clause, first = mentions[0]
        return None, None, (clause, first.start, first.end)
    if published is not None:
        flags.append(FLAG_DATE_FROM_PUBLICATION)
        return published, 3 if FLAG_PUBLISHED_MONTH_FROM_URL in flags else 2, None
    flags.extend([FLAG_DATE_UNRESOLVED, FLAG_NO_PUBLICATION_DATE])
    return None, None, None


# How much less likely each kind of place is to be where an incident happened.
_PLACE_SPECIFICITY = {"site": 0, "place": 0, "region": 2, "admin1": 3, "country": 4}
_LANDMARK_PENALTY = 3.5
_SENTENCE_END = re.compile(r"[.!?]\s")


def _place_rank(hit: GeoHit, named_admin1: set[str | None]) -> float:
    """Lower is better: the most specific place, in a province the text names, not a landmark."""
    assert hit.place is not None
    return (
        _PLACE_SPECIFICITY.get(hit.place.kind, 5)
        + (hit.precision - 1) * 0.5
        + (1.0 if named_admin1 and hit.place.admin1 not in named_admin1 else 0.0)
        # "fighters from Deir ez-Zor clashed in Jarablus", "near the border with Raqqa", "the
        # Kirkuk-Baghdad road": where they came from, the far side of a line or a road's towns
        # are not the place; any region or province the text puts the event in comes first,
        # only a bare country comes after.
        + (_LANDMARK_PENALTY if hit.relation in LANDMARK_RELATIONS else 0.0)
    )


def _clause_places(clause: Clause) -> list[GeoHit]:
    """The clause's places, less those inside an actor's name ("Liwa Fatemiyoun al-Qusayr")."""
    return [
        h
        for h in clause.places
        if not any(m.start <= h.start and h.end <= m.end for m in clause.actors)
    ]


def _regions_of(clause: Clause) -> set[str | None]:
    """The provinces of the regions a clause names ("southern Idlib", "the Homs desert")."""
    return {
        h.place.admin1
        for h in _clause_places(clause)
        if h.place is not None and h.place.kind == "region" and h.place.admin1 is not None
    }


def _first_scene(
    hits: list[tuple[Clause, GeoHit]], named_admin1: set[str | None]
) -> tuple[int, tuple[str, str]] | None:
    """The clause index and province of the first place the incident puts somewhere, found or
    not ("Kahil in the countryside of Dar'a"), in a province the text names if it names one.
    Divisions themselves, places of origin ("fighters from X") and places an unnamed town is
    only given relative to ("a town north of Baghdad", which may lie in the next province) do
    not set it. A headline sums up several stories ("a man killed in Raqqa and others injured
    in Salamiyah"), so the body's first place sets it before the headline's. A province its own
    clause narrows to a part ("the eastern countryside of Dar'a", located at a region) is named
    there too."""
    for clause, hit in sorted(hits, key=lambda ch: (ch[0].headline, ch[0].index, ch[1].start)):
        place = hit.place if hit.place is not None else hit.container
        if (
            hit.relation in LANDMARK_RELATIONS
            or FLAG_PLACE_NEAR_UNNAMED in hit.flags
            or place is None
            or place.admin1 is None
            or (hit.place is not None and hit.place.kind in ("admin1", "country"))
            or (named_admin1 and place.admin1 not in named_admin1 | _regions_of(clause))
        ):
            continue
        return clause.index, (place.country_code, place.admin1)
    return None


def _place(incident: Incident, flags: list[str]) -> tuple[GeoHit | None, Clause | None]:
    hits = [(cl, h) for cl in incident.clauses for h in _clause_places(cl)]
    found = [(cl, h) for cl, h in hits if h.place is not None]
    # A place inside a province the incident names beats one elsewhere ("near Muqdadiyah in Diyala");
    # a province named as an origin or the far side of a line ("near the border with Hama") is not
    # where the incident was.
    named_admin1 = {
        h.place.admin1
        for _, h in found
        if h.place.kind == "admin1" and h.relation not in LANDMARK_RELATIONS
    }
    # The first place named sets the province; a place in another province named in another
    # clause is another scene ("found on the road between Kahil and Mseifra in Dar'a ... he
    # was kidnapped near Mazra'a in Sweida").
    scene = _first_scene(hits, named_admin1)

    def elsewhere(clause: Clause, hit: GeoHit) -> bool:
        assert hit.place is not None
        if scene is None or hit.place.admin1 is None:
            return False
        if clause.index == scene[0]:
            # The scene's own sentence may name two provinces ("in X in the countryside of Y"),
            # but a capital abroad there is politics ("as Ankara pressed on").
            return hit.place.country_code != scene[1][0]
        return (hit.place.country_code, hit.place.admin1) != scene[1]

    if found:
        clause, hit = min(
            found,
            key=lambda ch: (
                elsewhere(*ch),
                _place_rank(ch[1], named_admin1),
                ch[0].headline,
                ch[0].index,
            ),
        )
        if any(h.place is None for _, h in hits) and (
            hit.precision == 3 or FLAG_PLACE_NOT_FOUND in hit.flags
        ):
            flags.append(FLAG_PLACE_NOT_FOUND)
        return hit, clause
    if hits:
        flags.append(FLAG_PLACE_NOT_FOUND)
    return None, None


def _with_named_admin1(place: Place, incident: Incident) -> Place:
    """A region across provinces ("the Hamrin Mountains in Salah ad Din") takes the province
    the incident names in its country."""
    named = {
        h.place.admin1
        for cl in incident.clauses
        for h in _clause_places(cl)
        if h.place is not None
        and h.place.kind == "admin1"
        and h.place.country_code == place.country_code
    }
    return replace(place, admin1=named.pop()) if len(named) == 1 else place


def _place_from_article(
    article: Article, incident: Incident, context: GeoContext, country_code: str | None
) -> GeoHit | None:
    """Where an incident that names no place below its country happened, by the article: the
    most specific place of the nearest sentence before it that names one (the story's scene),
    else of the first after it. Offsets are the article's."""
    hits = [
        h
        for h in Gazetteer.default().places_of_article(article.text, context)
        if h.place is not None
        and h.place.kind != "country"
        and not is_dateline(article.text, h.start, h.end)
        and (country_code is None or h.place.country_code == country_code)
    ]
    if not hits:
        return None
    first = incident.first.start
    before = [h for h in hits if h.end <= first]
    if before:
        scene_start = _sentence_start(article.text, before[-1].start)
        scene = [h for h in before if h.start >= scene_start]
    else:
        scene_end = _sentence_end(article.text, hits[0].end)
        scene = [h for h in hits if h.start < scene_end]
    named_admin1 = {h.place.admin1 for h in scene if h.place and h.place.kind == "admin1"}
    return min(scene, key=lambda h: _place_rank(h, named_admin1))


def _country_without_place(
    incident: Incident, context: GeoContext, dictionary: ActorDictionary, flags: list[str]
) -> Place | None:
    """The country of an incident whose report names no place: a country the article names as
    a place; else the home country of the local groups involved, flagged; else the nationality
    words of the article, flagged. Never the country of state forces: they fight abroad too.
    Modifiers ("Turkish-backed") never count: the gazetteer's context leaves them out."""
    gazetteer = Gazetteer.default()
    if context.named:
        return gazetteer.country(context.named.most_common(1)[0][0])
    homes: Counter[str] = Counter()
    state_forces: set[str] = set()
    for clause in incident.clauses:
        for mention in clause.actors:
            info = dictionary.info(mention.name) if mention.name else None
            if info is None or not info.country:
                continue
            if info.inter == "State forces":
                state_forces.add(info.country)
            else:
                homes[info.country] += 1
    nationalities = Counter(
        {cc: weight for cc, weight in context.countries.items() if cc not in state_forces}
    )
    found = homes or nationalities
    if not found:
        return None
    flags.append(FLAG_COUNTRY_FROM_ACTOR)
    return gazetteer.country(found.most_common(1)[0][0])


def _sentence_start(text: str, offset: int) -> int:
    ends = [m.end() for m in _SENTENCE_END.finditer(text, 0, offset)]
    return ends[-1] if ends else 0


def _sentence_end(text: str, offset: int) -> int:
    found = _SENTENCE_END.search(text, offset)
    return found.end() if found else len(text)


def _adds_to(count: CountMention, main: CountMention, incident: Incident) -> bool:
    """A second count of dead is an addition when it says so ("also") or counts the other side."""
    clause = incident.clause_of(count)
    same_clause = clause is incident.clause_of(main)
    if same_clause and count.start < main.end:
        return False
    # "17 militants were killed and two soldiers lost their lives": one sentence, two sides.
    sides, main_sides = set(count.by_side()), set(main.by_side())
    both_sides = (
        same_clause
        and bool(sides)
        and "unknown" not in sides | main_sides
        and not sides & main_sides
    )
    # "Civil Defense also reported that one civilian was killed": another source, the same dead.
    retold = _RETOLD.search(clause.text, max(0, count.start - 60), count.start)
    return (
        both_sides or (is_other_sides_toll(count, main, clause.text) and not retold)
    ) and not any(cl.headline for cl in incident.clauses if count in cl.counts)


def _toll_range(
    killed: CountMention | None,
    extra: list[CountMention],
    incident: Incident,
    fatalities: int | None,
) -> tuple[int | None, int | None]:
    """fatalities_low/high: the toll's own bounds, widened by the report's other figures for the
    same dead ("nearly 20" in the headline, 13 before "the toll rose to 19"). Tolls of another
    side, and counts in the toll's own sentence ("11 soldiers, four of whom died of their
    wounds"), are parts, not other figures."""
    killed_all = incident.counts("killed")
    if killed is None or killed.vague:
        low = min((c.low for c in killed_all if c.low is not None), default=None)
        high = max((c.high for c in killed_all if c.high is not None), default=None)
        return low, high
    low, high = killed.low, killed.high
    if extra and fatalities is not None:
        low = fatalities if low is not None else None
        high = fatalities if high is not None else None
    sides = {s for c in (killed, *extra) for s in c.by_side() if s != "unknown"}
    for other in killed_all:
        other_sides = set(other.by_side()) - {"unknown"}
        if (
            other is killed
            or other in extra
            or incident.clause_of(other) is incident.clause_of(killed)
            or any(PART_OF.match(m.noun) for m in other.members)
            or (sides and other_sides and not sides & other_sides)
        ):
            continue
        figures = [n for n in (other.low, other.best, other.high) if n]
        if low is not None and figures:
            low = min(low, *figures)
        if high is not None and figures:
            high = max(high, *figures)
    return low, high


def _inter_of(
    name: str | None, dictionary: ActorDictionary, country_code: str | None
) -> str | None:
    """The actor's type where the event happened: foreign state forces are External/Other forces."""
    return dictionary.inter_in(name, country_code) if name else None


@dataclass
class _Draft:
    """The record being assembled: its flags, and the evidence for every value it sets."""

    article: Article
    incident: Incident
    flags: list[str]
    evidence: list[Evidence] = field(default_factory=list)

    def cite(self, field_name: str, clause: Clause, start: int, end: int) -> None:
        """Evidence for a field, at the article's offsets of a span of the clause."""
        a, b = clause.span(start, end)
        self.evidence.append(
            Evidence(
                article_id=self.article.id,
                field=field_name,
                start=a,
                end=b,
                text=self.article.text[a:b],
            )
        )

    def count(self, count: CountMention | None, name: str) -> int | None:
        """A count's best value, cited; a vague count ("dozens") flags the record."""
        if count is None:
            return None
        self.cite(name, self.incident.clause_of(count), count.start, count.end)
        if count.vague:
            self.flags.append(FLAG_COUNT_VAGUE)
        return count.best


@dataclass
class _What:
    """The event's type and sub-type, its tags, and whether civilians were the target."""

    event_type: str
    sub_event_type: str
    tags: set[str]
    civilian_targeting: bool


@dataclass
class _Where:
    """The place of the event, the geocoder's precision for it, and the place giving its country."""

    place: Place | None
    geo_precision: int | None
    country: Place | None


@dataclass
class _Tolls:
    """The dead (best, low and high, and split by side)."""

    fatalities: int | None
    low: int | None
    high: int | None
    by_side: dict[str, int]


def _when(draft: _Draft, published: date | None) -> tuple[date | None, int | None]:
    """The event's date and its precision, cited where the text gives it."""
    event_date, precision, date_span = _date(draft.incident, published, draft.flags)
    if date_span:
        draft.cite("event_date", *date_span)
    return event_date, precision


def _what(
    draft: _Draft, who: Sides, dictionary: ActorDictionary, article_country: str | None
) -> _What:
    """The event type from the trigger words, given who acted against whom; counts without a
    trigger word are an attack on civilians or a clash."""
    incident = draft.incident
    killed, killed_all = incident.main_count("killed"), incident.counts("killed")
    triggers = [t for cl in incident.clauses for t in cl.triggers]
    counted_sides = {m.side for c in killed_all for m in c.members}
    civilians_hit = _inter_of(who.actor2, dictionary, article_country) == "Civilians" or (
        counted_sides == {"civilians"} and who.actor2 is None
    )
    inter1 = _inter_of(who.actor1, dictionary, article_country)
    actor1_info = dictionary.info(who.actor1) if who.actor1 else None
    decision = classify(
        triggers,
        civilians_hit=civilians_hit,
        state_actor_first=inter1 == "State forces",
        victims_counted=killed is not None,
        armed_group_first=inter1 in _ARMED_INTERS
        and not (actor1_info is not None and actor1_info.de_facto_authority),
    )
    tags: set[str] = set()
    for clause in incident.clauses:
        tags |= find_tags(clause.text)
    if decision is None:
        # Counts with no trigger word: someone killed them, in a way the text does not say.
        event_type, sub_event_type = (
            ("Violence against civilians", "Attack")
            if civilians_hit
            else ("Battles", "Armed clash")
        )
        return _What(event_type, sub_event_type, tags, civilians_hit)
    draft.cite(
        "event_type",
        _clause_of_trigger(incident, decision.trigger),
        decision.trigger.start,
        decision.trigger.end,
    )
    return _What(
        decision.event_type,
        decision.sub_event_type,
        set(decision.tags) | tags,
        decision.civilian_targeting,
    )


def _cite_sides(draft: _Draft, who: Sides, what: _What, dictionary: ActorDictionary) -> None:
    """Evidence and flags for both sides; a violent incident whose attacker the report does not
    name gets ACLED's unidentified actor, flagged (and is not also the target: a drone the
    parse took for the target is the unknown attacker's weapon)."""
    if who.actor1 is not None:
        if who.actor1_cite is not None:
            draft.cite("actor1", *who.actor1_cite)
        if who.suspected:
            draft.flags.append(FLAG_ACTOR_SUSPECTED)
    elif draft.incident.kind == "incident" and what.event_type in _VIOLENT_TYPES:
        who.actor1 = dictionary.canonical(
            "Unidentified Military Forces"
            if what.sub_event_type == "Air/drone strike"
            else "Unidentified Armed Group"
        )
        draft.flags.append(FLAG_ACTOR_UNKNOWN)
        if who.actor2 == who.actor1:
            who.actor2, who.actor2_cite = None, None
    if draft.incident.kind == "aggregate" and _only_people_counted(who):
        who.actor2, who.actor2_cite = None, None
    if who.actor2 is not None and who.actor2_cite is not None:
        draft.cite("actor2", *who.actor2_cite)


def _only_people_counted(who: Sides) -> bool:
    """A tally of "people" killed counts the dead of every side, not civilians: unless the text
    says civilians, a tally has no victim side."""
    if who.actor2 != "Civilians" or who.actor2_cite is None:
        return False
    clause, start, end = who.actor2_cite
    words = clause.text[start:end].lower().split()
    return bool(words) and words[-1] in count_lexicon().generic_people


def _place_for_placeless(
    draft: _Draft, context: GeoContext, hit: GeoHit | None, article_country: str | None
) -> GeoHit | None:
    """For an incident that names no place below its country: the capital when it says "the
    capital" (`_capital_named`), flagged, unless the article's scene lies in the capital's
    province ("the Shia district of Sadr City", finer); else the article's scene, flagged. The
    scene is in the incident's country, else in the country the article is about: "a
    businessman back from London" names no scene. Cited at the words read; None when neither."""
    capital = _capital_named(draft.incident, hit, context, article_country)
    country_code = hit.place.country_code if hit is not None and hit.place else article_country
    scene = _place_from_article(draft.article, draft.incident, context, country_code)
    if capital is not None and (scene is None or scene.place.admin1 != capital.place.admin1):
        chosen, flag = capital, FLAG_PLACE_CAPITAL_INFERRED
    elif scene is not None:
        chosen, flag = scene, FLAG_PLACE_FROM_ARTICLE
    else:
        return None
    draft.flags.append(flag)
    draft.evidence.append(
        Evidence(
            article_id=draft.article.id,
            field="location",
            start=chosen.start,
            end=chosen.end,
            text=draft.article.text[chosen.start : chosen.end],
        )
    )
    return chosen


def _capital_named(
    incident: Incident, hit: GeoHit | None, context: GeoContext, article_country: str | None
) -> GeoHit | None:
    """The country's capital where the incident is "in the capital" (`_IN_THE_CAPITAL`), at the
    article's offsets of those words; None unless its country is clear (`_capital_country`)."""
    for clause in incident.clauses:
        for found in _IN_THE_CAPITAL.finditer(clause.text):
            country = _capital_country(found.group("demonym"), hit, context, article_country)
            capital = Gazetteer.default().capital(country) if country else None
            if capital is None:
                continue
            start, end = clause.span(*found.span())
            precision = PRECISION_NEAR if found.group("near") else PRECISION_PLACE
            return GeoHit(start, end, clause.text[slice(*found.span())], capital, precision, None)
    return None


def _capital_country(
    demonym: str | None, hit: GeoHit | None, context: GeoContext, article_country: str | None
) -> str | None:
    """Whose capital "the capital" is: the demonym's country, else the incident's country, else
    the article's when it is also the country the article names most as a place."""
    if demonym is not None:
        return Gazetteer.default().demonym_country(demonym)
    if hit is not None and hit.place is not None:
        return hit.place.country_code
    named = context.named.most_common(1)
    return article_country if named and named[0][0] == article_country else None


def _where(
    draft: _Draft, context: GeoContext, dictionary: ActorDictionary, article_country: str | None
) -> _Where:
    """The incident's place, else the article's scene, else the article's main province; a
    tally without a place covers its country."""
    incident, flags = draft.incident, draft.flags
    hit, hit_clause = _place(incident, flags)
    # A tally whose own words name no place below the country covers the country: the towns
    # elsewhere in the article are where single incidents happened, not where the tally did.
    placeless = hit is None or hit.place is None or hit.place.kind == "country"
    countrywide = incident.kind == "aggregate" and placeless
    if placeless and not countrywide:
        borrowed = _place_for_placeless(draft, context, hit, article_country)
        if borrowed is not None:
            hit, hit_clause = borrowed, None
    place: Place | None = hit.place if hit else None
    if place is not None and place.admin1 is None and place.kind in ("region", "site"):
        place = _with_named_admin1(place, incident)
    geo_precision = hit.precision if hit else None
    if place is None and countrywide:
        place = _country_without_place(incident, context, dictionary, flags)
    if place is None:
        best_admin1 = context.admin1.most_common(1)
        if best_admin1:
            place = Gazetteer.default().admin1(*best_admin1[0][0])
            geo_precision = 3
            flags.append(FLAG_PLACE_FROM_ARTICLE)
    elif hit_clause is not None and hit is not None:
        draft.cite("location", hit_clause, hit.start, hit.end)
        if FLAG_PLACE_NEAR_UNNAMED in hit.flags:
            flags.append(FLAG_PLACE_NEAR_UNNAMED)
    if place is not None and place.kind == "country":
        flags.append(FLAG_PLACE_REGION_ONLY)
    if place is None:
        flags.append(FLAG_PLACE_NOT_FOUND)
    else:
        place = Gazetteer.default().with_district(place)
    if place is not None and place.admin2 and place.admin2_derived:
        flags.append(FLAG_ADMIN2_DERIVED)
    country_place = (
        place if place is not None else _country_without_place(incident, context, dictionary, flags)
    )
    return _Where(place, geo_precision, country_place)


def _how_many(
    draft: _Draft,
    actors: tuple[str | None, str | None],
    dictionary: ActorDictionary,
    article_country: str | None,
) -> _Tolls:
    """The dead: the main toll, plus the other side's dead reported apart, with its range and
    its split by side."""
    incident = draft.incident
    killed, killed_all = incident.main_count("killed"), incident.counts("killed")
    if killed is not None and killed.of_earlier:
        earlier = _counted_before(killed, incident)
        if earlier is not None:
            draft.cite("fatalities", incident.clause_of(killed), killed.start, killed.end)
        killed = earlier
    fatalities = draft.count(killed, "fatalities")
    if killed is not None and killed.shared_by is not None:
        draft.flags.append(FLAG_TOLL_SHARED)
    # The other side's dead reported apart ("three of the attackers were also killed") add to the toll.
    extra = [
        c
        for c in killed_all
        if killed is not None and c is not killed and _adds_to(c, killed, incident)
    ]
    for count in extra:
        if fatalities is not None and count.best is not None:
            fatalities += count.best
            draft.cite("fatalities", incident.clause_of(count), count.start, count.end)
    low, high = _toll_range(killed, extra, incident, fatalities)
    by_side = _by_side(
        [c for c in (killed, *extra) if c is not None],
        incident,
        actors,
        dictionary,
        article_country,
    )
    return _Tolls(fatalities, low, high, by_side)


def _counted_before(count: CountMention, incident: Incident) -> CountMention | None:
    """The people that dead told as "them" or "the captives" are: the last abducted or arrested
    count before them in the incident ("abducted five farmers and executed them")."""
    clause = incident.clause_of(count)
    before = [
        c
        for cl in incident.clauses[: incident.clauses.index(clause) + 1]
        for c in cl.counts
        if c.category in ("abducted", "arrested")
        and c.best
        and (cl is not clause or c.start < count.start)
    ]
    return before[-1] if before else None


def _according_to(
    draft: _Draft, armed_attacker: str | None, is_state: Callable[[str], bool]
) -> tuple[list[str], str | None]:
    """The sources the report cites, and the group that claimed the attack (unless the text
    says nobody did): a named claimant, or the armed group that attacked when the report says
    that group itself reported it ("..., the group said"). A state reporting its own operation
    ("the army said it killed eight militants") claims nothing."""
    sources: list[str] = []
    claimed_by = None
    for clause in draft.incident.clauses:
        if claimed_by is None and armed_attacker and (own := find_self_report(clause.text)):
            claimed_by = armed_attacker
            draft.cite("claimed_by", clause, *own)
        for source in clause.sources:
            if source.is_claim:
                if (
                    claimed_by is None
                    and source.claimant
                    and not is_state(source.claimant)
                    and not _negated_claim(clause.text)
                ):
                    claimed_by = source.claimant
                    draft.cite("claimed_by", clause, source.start, source.end)
                if source.name not in sources and source.name != source.claimant:
                    sources.append(source.name)
                    draft.cite("sources", clause, source.start, source.end)
            elif source.name not in sources:
                sources.append(source.name)
                draft.cite("sources", clause, source.start, source.end)
    return sources, claimed_by


def build_event(
    incident: Incident,
    article: Article,
    *,
    published: date | None,
    context: GeoContext,
    article_country: str | None,
    outlets: list[str],
    published_flag: str | None,
    attributed: Attributed | None = None,
) -> Event:
    """One record for an incident: when, what, who, where, how many and according to whom, each
    value with its evidence. `attributed`: who the article says carried it out
    (attributions_by_incident)."""
    dictionary = ActorDictionary.default()
    kind = incident.kind
    draft = _Draft(article, incident, [published_flag] if published_flag else [])
    event_date, precision = _when(draft, published)
    who = find_sides(draft.incident, dictionary, article_country, attributed)
    what = _what(draft, who, dictionary, article_country)
    _cite_sides(draft, who, what, dictionary)
    where = _where(draft, context, dictionary, article_country)
    tolls = _how_many(draft, (who.actor1, who.actor2), dictionary, article_country)
    inter1 = _inter_of(who.actor1, dictionary, article_country)
    sources, claimed_by = _according_to(
        draft,
        who.actor1 if inter1 in _ARMED_INTERS else None,
        lambda name: _inter_of(name, dictionary, article_country) in _STATE_INTERS,
    )
    place, country_place = where.place, where.country
    located = place is not None and place.kind != "country"
    event = Event(
        event_id=Event.id_for(article.id, kind, incident.first.start),
        kind=kind,
        event_date=event_date,
        time_precision=precision,
        event_type=what.event_type,
        sub_event_type=what.sub_event_type,
        actor1=who.actor1,
        assoc_actor_1=who.roles.assoc1,
        actor2=who.actor2,
        assoc_actor_2=who.roles.assoc2,
        inter1=inter1,
        inter2=_inter_of(who.actor2, dictionary, article_country),
        civilian_targeting=what.civilian_targeting,
        country=country_place.country if country_place else None,
        country_code=country_place.country_code if country_place else None,
        admin1=place.admin1 if located else None,
        admin2=place.admin2 if place is not None else None,
        location=place.name if place is not None else None,
        latitude=place.latitude if located else None,
        longitude=place.longitude if located else None,
        geo_precision=where.geo_precision if located else None,
        geonames_id=place.geonames_id if place is not None else None,
        fatalities=tolls.fatalities,
        fatalities_low=tolls.low,
        fatalities_high=tolls.high,
        fatalities_by_side=tolls.by_side,
        wounded=draft.count(incident.main_count("wounded"), "wounded"),
        arrested=draft.count(incident.main_count("arrested"), "arrested"),
        abducted=draft.count(incident.main_count("abducted"), "abducted"),
        claimed_by=claimed_by,
        tags=sorted(what.tags),
        sources=sources,
        outlets=outlets,
        articles=[article.id],
        evidence=draft.evidence,
        flags=sorted(set(draft.flags)),
    )
    event.confidence = confidence(event)
    event.notes = notes(event)
    return event


def _clause_of_trigger(incident: Incident, trigger: object) -> Clause:
    return next(cl for cl in incident.clauses if trigger in cl.triggers)


def _negated_claim(text: str) -> bool:
    return bool(
        re.search(
            r"\b(?:did not|didn['’]t|has not|have not|no group|nobody|no one)\b[^.]*\bclaim",
            text,
            re.I,
        )
    )


def _by_side(
    counts: list[CountMention],
    incident: Incident,
    actors: tuple[str | None, str | None],
    dictionary: ActorDictionary,
    article_country: str | None,
) -> dict[str, int]:
    """Split the dead by side when the report does, in one list or in tolls reported apart
    ("eight soldiers were killed ... 11 jihadists were killed"): a named group's dead to its own
    column ("seven Taliban fighters") and the other side's to the other; else armed-group dead
    to the armed side."""
    members = [
        replace(m, actor=_member_actor(m, incident.clause_of(c)))
        for c in counts
        for m in c.members
        if m.n is not None
    ]
    # One count splits the toll too when it says whose dead they were ("killing six of the attackers").
    if not any(m.side != "unknown" or (m.actor and m.actor in actors) for m in members):
        return {}
    columns = _side_columns(members, actors, _inter_of(actors[0], dictionary, article_country))
    split: dict[str, int] = {}
    for member in members:
        if member.actor and member.actor in actors:
            key = "actor1" if member.actor == actors[0] else "actor2"
        else:
            key = columns.get(member.side, "unknown")
        split[key] = split.get(key, 0) + (member.n or 0)
    return split


def _member_actor(member: CountMember, clause: Clause) -> str | None:
    """The group whose dead a member counts, as the clause's actor finder (which knows the
    article's country: "NRF fighters" in Afghanistan) names it; else as the count's own words do.
    "killing seven of them" counts the group named last before it."""
    named = [a for a in clause.actors if a.name]
    if PART_OF.match(member.noun):
        before = [a for a in named if a.end <= member.start]
        return before[-1].name if before else member.actor
    # Role nouns inside the count ("three soldiers") say its side, not whose column it is.
    inside = next(
        (a.name for a in named if not a.generic and member.start <= a.start < member.end), None
    )
    return inside or member.actor


def _side_columns(
    members: list[CountMember], actors: tuple[str | None, str | None], inter1: str | None
) -> dict[str, str]:
    """Which column of fatalities_by_side each side's dead go to: a side whose named group is an
    actor takes that actor's column and the other side the other; else state forces go with a
    state actor1 and armed groups opposite. Civilian dead are their own side even when targeted."""
    columns = {"civilians": "civilians"}
    for member in members:
        if member.actor and member.actor in actors and member.side in _FIGHTING_SIDES:
            column = "actor1" if member.actor == actors[0] else "actor2"
            other = next(s for s in _FIGHTING_SIDES if s != member.side)
            columns.setdefault(member.side, column)
            columns.setdefault(other, "actor2" if column == "actor1" else "actor1")
    state = "actor1" if inter1 == "State forces" else "actor2"
    columns.setdefault("state_forces", state)
    columns.setdefault("armed_group", "actor2" if state == "actor1" else "actor1")
    return columns


_NOTE_VERBS = {
    "Armed clash": "clashed with",
    "Attack": "attacked",
    "Air/drone strike": "carried out an air/drone strike against",
    "Shelling/artillery/missile attack": "shelled",
    "Remote explosive/landmine/IED": "used an explosive device against",
    "Suicide bomb": "carried out a suicide bombing against",
    "Grenade": "threw a grenade at",
    "Abduction/forced disappearance": "abducted",
    "Arrests": "arrested",
    "Government regains territory": "regained territory from",
    "Non-state actor overtakes territory": "took territory from",
}


def _when_in_notes(event: Event) -> str:
    """The date as a coder writes it; a tally's year-precision date starts its period ("since
    January", "since 2011"), which runs to the report."""
    day = event.event_date
    if day is None:
        return "On an unknown date"
    if event.time_precision in (1, 2):
        return f"On {day.day} {day:%B %Y}"
    if event.time_precision == 3:
        return f"In {day:%B %Y}"
    if event.kind == "aggregate":
        return f"Over a period from {day:%B %Y}"
    return f"In {day.year}"


def notes(event: Event) -> str:
    """One sentence in ACLED's style, generated from the fields, never from the article's wording."""
    when = _when_in_notes(event)
    who = event.actor1 or "unidentified actors"
    verb = _NOTE_VERBS.get(event.sub_event_type or "", "attacked")
    whom = event.actor2 or "unidentified targets"
    where = ""
    if event.location:
        where = f" {'near' if event.geo_precision == 2 else 'in'} {event.location}"
        if event.admin1 and event.admin1 != event.location:
            where += f" ({event.admin1})"
        if FLAG_PLACE_NOT_FOUND in event.flags and event.geo_precision != 3:
            where += " (the place named in the report was not found; located from this one)"
    elif event.country:
        where = f" in {event.country}"
    parts = [f"{when}, {who} {verb} {whom}{where}."]
    if event.kind == "aggregate":
        parts.insert(0, "Tally over several incidents:")
    if event.fatalities is not None:
        parts.append(
            f"{event.fatalities} fatalities"
            + (f", {event.wounded} wounded." if event.wounded else ".")
        )
    elif event.fatalities_low is not None:
        parts.append(
            f"Fatalities unknown ({event.fatalities_low}-{event.fatalities_high or '?'} by vague wording)."
        )
    if event.claimed_by:
        parts.append(f"{event.claimed_by} claimed responsibility.")
    if event.sources:
        parts.append(f"According to {', '.join(event.sources)}.")
    return " ".join(parts)


def confidence(event: Event) -> float:
    """The probability that the record is right, from the calibrated model (extraction.confidence)."""
    return calibrated_confidence(event)
