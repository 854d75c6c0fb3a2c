"""Names to places: every place of the index whose lookup key a name shares, with how closely
it is spelled. Loose readings (a dropped vowel put back, a th read as a dhal, a qualifier
written the Arabic way, a prefix gazetteers add) are candidates too, never exact: the text's
context chooses among them (conflictlens.geo.gazetteer)."""

from __future__ import annotations

import sqlite3
from dataclasses import dataclass, replace
from functools import lru_cache

from conflictlens.geo.names import (
    bare_spelling,
    dhal_form,
    elided_vowel_form,
    has_arabic_article,
    normalise_name,
    silent_e_form,
    spelling_similarities,
    transliteration_similarity,
)
from conflictlens.geo.qualifiers import arabic_qualified_forms, prefixed_forms
from conflictlens.geo.types import Place

# A spelling that only shares the folded key must still be this alike ("Idleb" for "Idlib").
FUZZY_SIMILARITY = 0.8
PLACE_COLUMNS = (
    "p.id, p.name, p.kind, p.cc, p.admin1, p.admin2, p.lat, p.lon, p.geonames_id, p.population,"
    " p.feature, p.admin2_derived, p.imported"
)


@dataclass(frozen=True)
class Candidate:
    place: Place
    exact: bool  # spelled as one of its names (up to case, accents, punctuation and articles)
    similarity: float  # of the query to the closest of its names sharing the key (1.0 if exact)
    # The query carries an Arabic article that none of its names does: "Al Baghdadi" is not
    # written for Baghdati in Georgia, so outside the article's countries it is no match.
    foreign_form: bool = False


class NameIndex:
    """The index's name table, read through one connection; lookups are cached (the same names
    recur across texts)."""

    def __init__(self, db: sqlite3.Connection, country_names: dict[str, str]) -> None:
        self._db = db
        self._country_names = country_names
        self._rows_for_key = lru_cache(maxsize=65_536)(self._query_key)
        self._cached_candidates = lru_cache(maxsize=16_384)(self._compute_candidates)

    def candidates(self, name: str) -> tuple[Candidate, ...]:
        """Every place whose key `name` shares, then those of its loose readings."""
        return self._cached_candidates(name)

    def _compute_candidates(self, name: str) -> tuple[Candidate, ...]:
        rows = self._rows_for_key(normalise_name(name))
        respelled = self._respelled_candidates(name)
        if not rows:
            # "Western Mulayha" is listed as "Mulayhah al Gharbiyah": the Arabic form's places.
            forms = arabic_qualified_forms(name)
            return respelled + tuple(c for form in forms for c in self.candidates(form))
        direct = self._spelled_candidates(name, rows)
        found = {c.place for c in direct}
        return direct + tuple(c for c in respelled if c.place not in found)

    def _spelled_candidates(self, name: str, rows: list[tuple]) -> tuple[Candidate, ...]:
        """The places of the rows sharing the name's key, each with how alike it is spelled."""
        bare = bare_spelling(name)
        names: dict[int, list[str]] = {}
        places: dict[int, Place] = {}
        for row in rows:
            places[row[0]] = self.place_from_row(row)
            names.setdefault(row[0], []).append(row[-1])
        exact = {
            place_id
            for place_id, spellings in names.items()
            if any(bare_spelling(n) == bare for n in spellings)
        }
        similarity = spelling_similarities(
            bare,
            (
                n
                for place_id, spellings in names.items()
                if place_id not in exact
                for n in spellings
            ),
        )
        articled = has_arabic_article(name)
        return tuple(
            Candidate(
                place,
                exact=place_id in exact,
                # Written another way, only the place's own name counts: alternate names carry
                # GeoNames' noise ("Jazira" for As Suwayrah), which a loose spelling multiplies.
                similarity=1.0
                if place_id in exact
                else max(
                    max(similarity[n] for n in names[place_id]),
                    transliteration_similarity(name, place.name),
                ),
                foreign_form=articled and not any(map(has_arabic_article, names[place_id])),
            )
            for place_id, place in places.items()
        )

    def _respelled_candidates(self, name: str) -> tuple[Candidate, ...]:
        """ "Ftireh" is listed as "Fatirah", "Thiban" as "Dhiban": the places of the name with its
        vowel put back, or its th read as a dhal (`_as_guess`)."""
        variants = (elided_vowel_form(name), dhal_form(name))
        return tuple(
            {
                c.place: _as_guess(c)
                for variant in variants
                if variant
                for c in self.candidates(variant)
            }.values()
        )

    def vouched_candidates(self, name: str) -> tuple[Candidate, ...]:
        """ "Qabr al Kabir" is listed as "Tall Qabr al Kabir", "Hole" as "Al Hawl": the places of
        the name with a word gazetteers write before it, or with an English silent e dropped.
        Guesses like a respelling (`_as_guess`): only a division the text puts the name in
        confirms them, so they are asked for there, not with every lookup (most names looked up
        are no place's, and this would double their cost)."""
        silent_e = silent_e_form(name)
        forms = [*prefixed_forms(name), *([silent_e] if silent_e else [])]
        return tuple(
            _as_guess(c)
            for form in forms
            for c in self._spelled_candidates(form, self._rows_for_key(normalise_name(form)))
            if c.exact
        )

    def _query_key(self, key: str) -> list[tuple]:
        if not key:
            return []
        return self._db.execute(
            f"SELECT {PLACE_COLUMNS}, n.light FROM name n JOIN place p ON p.id = n.place_id"
            " WHERE n.key = ?",
            (key,),
        ).fetchall()

    def place_by_id(self, place_id: int) -> Place:
        row = self._db.execute(
            f"SELECT {PLACE_COLUMNS} FROM place p WHERE p.id = ?", (place_id,)
        ).fetchone()
        return self.place_from_row(row)

    def place_from_row(self, row: tuple) -> Place:
        _, name, kind, cc, admin1, admin2, lat, lon, geonames_id, population = row[:10]
        feature, admin2_derived, imported = row[10:13]
        return Place(
            name=name,
            kind=kind,
            country_code=cc,
            country=self._country_names.get(cc, cc),
            admin1=admin1,
            admin2=admin2,
            latitude=lat,
            longitude=lon,
            geonames_id=geonames_id,
            population=population,
            feature=feature,
            admin2_derived=bool(admin2_derived),
            imported=imported,
        )


def _as_guess(candidate: Candidate) -> Candidate:
    """A place found through a reading of the name (a vowel put back, a prefix added): none is
    spelled exactly as written, and all are alike, so the article's places choose among them."""
    return replace(candidate, exact=False, similarity=FUZZY_SIMILARITY)
