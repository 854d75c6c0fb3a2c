"""The records the gazetteer hands out: a Place, a GeoHit in a text, an article's GeoContext."""

from __future__ import annotations

from collections import Counter
from dataclasses import dataclass, field

# geo_precision, as in the event record: the place itself, near/part of it, only the region.
PRECISION_PLACE = 1
PRECISION_NEAR = 2
PRECISION_REGION = 3


@dataclass(frozen=True)
class Place:
    name: str  # English name
    kind: str  # "country" | "admin1" | "place" | "region" | "site"
    country_code: str  # ISO 3166-1 alpha-2
    country: str  # English country name
    admin1: str | None  # canonical admin1 name (None for countries)
    admin2: str | None
    latitude: float
    longitude: float
    geonames_id: int | None
    population: int = 0
    feature: str | None = None  # GeoNames feature code where known (PPLA2: a district seat)
    # admin2 is the nearest district's (the source gave no code), not the source's own.
    admin2_derived: bool = False
    imported: int = 0  # 1: a place an import added, 2: a packaged place it merged into


@dataclass(frozen=True)
class GeoHit:
    start: int  # char offsets into the text passed to find()
    end: int
    text: str
    place: Place | None  # None = named but not found (flags say so)
    precision: int  # 1 place itself, 2 near/part of, 3 region only
    relation: str | None  # "near", "south of", "outskirts", "countryside", ...
    flags: tuple[str, ...] = ()
    # For a place not found: the division or country the text puts it in ("X in Idlib").
    container: Place | None = None


@dataclass
class GeoContext:
    countries: Counter[str] = field(default_factory=Counter)  # ISO2 -> weight, demonyms included
    admin1: Counter[tuple[str, str]] = field(default_factory=Counter)  # (ISO2, admin1) -> weight
    # ISO2 -> weight of the countries the text names as places (a country, a division, a town),
    # not by a demonym or a modifier: only these may rule out a place in another country.
    named: Counter[str] = field(default_factory=Counter)
    # The divisions and towns the article names unambiguously: a village's namesakes are told
    # apart by which of them lies inside these divisions, or nearest these places.
    anchors: list[Place] = field(default_factory=list)
    # Every place of the whole article in this context, found once when an incident that names
    # none borrows the article's scene (Gazetteer.places_of_article).
    article_places: list[GeoHit] | None = field(default=None, compare=False, repr=False)
