"""The gazetteer's curated data files (src/conflictlens/data/), read into typed records."""

from __future__ import annotations

import csv
import hashlib
from collections import Counter, defaultdict
from dataclasses import dataclass
from functools import cache
from importlib import resources
from importlib.resources.abc import Traversable

import yaml

from conflictlens.geo.names import light_key

ADMIN1_TABLE = "admin1.tsv"
ADMIN1_ALIASES = "admin1_aliases.yaml"
SUPPLEMENT = "places_supplement.yaml"
COUNTRY_WORDS = "demonyms.yaml"
STOPWORDS = "place_stopwords.txt"
GENERIC_PLACE_WORDS = "generic_place_words.txt"
SEAT_PLACE_WORDS = "seat_place_words.txt"
NAME_QUALIFIERS = "name_qualifiers.yaml"
NAME_PREFIXES = "name_prefixes.txt"
SUBDISTRICT_SEATS = "subdistrict_seats.yaml"
DATA_FILES = (ADMIN1_TABLE, ADMIN1_ALIASES, SUPPLEMENT, COUNTRY_WORDS, STOPWORDS)

SUPPLEMENT_KINDS = ("region", "site", "place")
# libyaml parses the data files several times faster where PyYAML was built with it.
_YAML_LOADER = getattr(yaml, "CSafeLoader", yaml.SafeLoader)


@dataclass(frozen=True)
class Admin1Record:
    country_code: str
    code: str  # GeoNames admin1 code
    name: str  # canonical English name
    aliases: tuple[str, ...]  # every other name it goes by, GeoNames' included
    latitude: float
    longitude: float
    geonames_id: int | None


@dataclass(frozen=True)
class SupplementRecord:
    name: str
    names: tuple[str, ...]
    kind: str
    country_code: str
    admin1: str | None
    latitude: float
    longitude: float


@dataclass(frozen=True)
class SubdistrictSeats:
    names: tuple[str, ...]  # the district's name, then the other names dumps give it
    seats: tuple[str, ...]  # the towns governing its subdistricts, its own seat aside


@dataclass(frozen=True)
class CountryWords:
    names: tuple[str, ...]
    demonyms: tuple[str, ...]


def data_file(name: str) -> Traversable:
    return resources.files("conflictlens").joinpath("data", name)


def _yaml(name: str) -> object:
    return yaml.load(data_file(name).read_text(encoding="utf-8"), Loader=_YAML_LOADER)


def data_fingerprint() -> str:
    digest = hashlib.sha256()
    for name in DATA_FILES:
        digest.update(data_file(name).read_bytes())
    return digest.hexdigest()


@cache
def load_admin1() -> tuple[Admin1Record, ...]:
    """admin1.tsv with the canonical names and aliases of admin1_aliases.yaml applied."""
    curated: dict = _yaml(ADMIN1_ALIASES)  # type: ignore[assignment]
    with data_file(ADMIN1_TABLE).open(encoding="utf-8", newline="") as handle:
        rows = list(csv.DictReader(handle, delimiter="\t"))
    # GeoNames' names lag behind reorganisations (a new region keeps its parent's name): such a
    # name, shared by two divisions of one country, is kept only where the curation does not rename.
    name_counts = Counter((row["cc"], light_key(row["name"])) for row in rows)
    shared = {key for key, count in name_counts.items() if count > 1}
    records = []
    for row in rows:
        entry = curated.get(row["cc"], {}).get(row["admin1code"], {})
        name = entry.get("name", row["name"])
        aliases = list(entry.get("aliases", ()))
        if name != row["name"] and (row["cc"], light_key(row["name"])) not in shared:
            aliases.append(row["name"])
        records.append(
            Admin1Record(
                country_code=row["cc"],
                code=row["admin1code"],
                name=name,
                aliases=tuple(aliases),
                latitude=float(row["lat"]),
                longitude=float(row["lon"]),
                geonames_id=int(row["geonameid"]) if row["geonameid"] else None,
            )
        )
    return tuple(records)


@cache
def load_supplement() -> tuple[SupplementRecord, ...]:
    entries: list[dict] = _yaml(SUPPLEMENT)  # type: ignore[assignment]
    records = []
    for entry in entries:
        if entry["kind"] not in SUPPLEMENT_KINDS:
            raise ValueError(
                f"{SUPPLEMENT}: {entry['name']}: kind must be one of {SUPPLEMENT_KINDS}"
            )
        records.append(
            SupplementRecord(
                name=entry["name"],
                names=tuple(entry.get("names", ())),
                kind=entry["kind"],
                country_code=entry["country"],
                admin1=entry.get("admin1"),
                latitude=float(entry["lat"]),
                longitude=float(entry["lon"]),
            )
        )
    return tuple(records)


@cache
def load_country_words() -> dict[str, CountryWords]:
    entries: dict[str, dict] = _yaml(COUNTRY_WORDS)  # type: ignore[assignment]
    return {
        code: CountryWords(tuple(e.get("names", ())), tuple(e.get("demonyms", ())))
        for code, e in entries.items()
    }


def _word_list(name: str) -> tuple[str, ...]:
    """The entries of a one-word-a-line data file, "#" comments and blank lines left out."""
    lines = data_file(name).read_text(encoding="utf-8").splitlines()
    entries = (line.split("#", 1)[0].strip() for line in lines)
    return tuple(entry for entry in entries if entry)


@cache
def load_stopwords() -> frozenset[str]:
    """Light keys of the stoplist entries."""
    return frozenset(map(light_key, _word_list(STOPWORDS)))


@cache
def load_generic_place_words() -> frozenset[str]:
    """Light keys of the generic words around a place's own name ("District", "Qaryat")."""
    return frozenset(map(light_key, _word_list(GENERIC_PLACE_WORDS)))


@cache
def load_seat_place_words() -> frozenset[str]:
    """Light keys of the words that, leading a village's name, say it governs a subdistrict
    ("Nahiyat")."""
    return frozenset(map(light_key, _word_list(SEAT_PLACE_WORDS)))


@cache
def load_subdistrict_seats() -> dict[str, tuple[SubdistrictSeats, ...]]:
    """ISO2 -> the districts data/subdistrict_seats.yaml lists, with their subdistrict seats."""
    with data_file(SUBDISTRICT_SEATS).open(encoding="utf-8") as handle:
        entries = yaml.load(handle, Loader=_YAML_LOADER)
    result = {}
    for cc, country in entries.items():
        other_names = defaultdict(list)
        for other, name in (country.get("other_names") or {}).items():
            other_names[name].append(other)
        result[cc] = tuple(
            SubdistrictSeats((name, *other_names[name]), tuple(seats))
            for name, seats in country["districts"].items()
        )
    return result


@cache
def load_name_prefixes() -> tuple[str, ...]:
    """The words gazetteers write before a village's name and reports leave out ("Tall")."""
    return _word_list(NAME_PREFIXES)


@cache
def load_name_qualifiers() -> dict[str, tuple[str, ...]]:
    """Light keys of the English words that tell twin villages apart ("western"), each with the
    Arabic words gazetteers write after the name instead ("al Gharbiyah")."""
    with data_file(NAME_QUALIFIERS).open(encoding="utf-8") as handle:
        entries = yaml.load(handle, Loader=_YAML_LOADER)
    return {light_key(word): tuple(forms) for word, forms in entries.items()}
