"""Districts (second-level divisions) for places a gazetteer dump gives none: each district's
own point and the seat it is named after, the subdistrict seats data/subdistrict_seats.yaml
lists, and the nearest district for every other place (marked `admin2_derived`)."""

from __future__ import annotations

import math
import sqlite3
from collections import defaultdict
from collections.abc import Iterable

from conflictlens.geo.index import SEAT_CODES
from conflictlens.geo.names import light_key, normalise_name, spelling_similarity
from conflictlens.geo.sources import load_generic_place_words, load_subdistrict_seats

# How much nearer a district's seat pulls than its own point (see _district_distance).
_SEAT_PULL = 0.8
# A district's name and the name a data file gives it are one district from this similarity
# ("Jisr-Ash-Shugur", "Jisr ash Shughur"); "Dar'a" and "Darayya" share a key but stay apart.
_SAME_DISTRICT_SIMILARITY = 0.8
# A listed subdistrict seat lies within this distance of its district's seat or point (the
# eastern districts reach over 80 km from their seats): a namesake farther away is another.
_SEAT_REACH_KM = 120.0


def seat_capitals(connection: sqlite3.Connection, districts: list[list]) -> None:
    """A district not named after a town ("Jebel Saman") is governed from its province's
    capital, when no other district of the province is named after that capital."""
    capitals = {
        (d[0], d[1]): _capital(connection, d[0], d[1]) for d in districts if d[1] is not None
    }
    seated = {
        (d[0], d[1]) for d in districts if d[5] is not None and d[5] == capitals.get((d[0], d[1]))
    }
    for district in districts:
        key = (district[0], district[1])
        if district[5] is None and key not in seated and capitals.get(key) is not None:
            district[5] = capitals[key]
            seated.add(key)


def _capital(connection: sqlite3.Connection, cc: str, admin1: str) -> tuple[float, float] | None:
    """A province's capital: its seat of government where the source says so, else its most
    populous place."""
    row = connection.execute(
        "SELECT lat, lon FROM place WHERE cc = ? AND admin1 = ? AND kind = 'place'"
        " ORDER BY feature IN ('PPLA', 'PPLC') DESC, population DESC LIMIT 1",
        (cc, admin1),
    ).fetchone()
    return (row[0], row[1]) if row else None


def seat_of(
    connection: sqlite3.Connection,
    cc: str,
    admin1: str | None,
    name: str,
    point: tuple[float, float],
) -> tuple[float, float] | None:
    """The point of the town a district is named after, in its province: a seat of government
    first, then the most populous, then the one nearest the district's own `point`."""
    rows = connection.execute(
        "SELECT p.lat, p.lon, p.feature, p.population FROM name n JOIN place p ON p.id = n.place_id"
        " WHERE n.key = ? AND p.cc = ? AND p.kind = 'place' AND (? IS NULL OR p.admin1 = ?)",
        (normalise_name(seat_name(name)), cc, admin1, admin1),
    ).fetchall()
    if not rows:
        return None
    best = min(
        rows,
        key=lambda r: (
            r[2] not in SEAT_CODES,
            -r[3],
            flat_km(*point, r[0], r[1]),
        ),
    )
    return best[0], best[1]


def seat_name(district: str) -> str:
    """A district's name without its division words: its seat's ("Jablah District" -> "Jablah")."""
    words = load_generic_place_words()
    kept = [w for w in light_key(district).split() if w not in words]
    return " ".join(kept) or district


def flat_km(lat1: float, lon1: float, lat2: float, lon2: float) -> float:
    """Distance on a local flat map: plenty for ranking neighbours a few dozen km apart."""
    scale = math.cos(math.radians((lat1 + lat2) / 2))
    return 111.32 * math.hypot(lat1 - lat2, (lon1 - lon2) * scale)


def derive_admin2(connection: sqlite3.Connection, countries: Iterable[str]) -> int:
    """Places of `countries` without a district take the nearest district's, by its own point or
    its seat, inside their province (anywhere in the country for a place without one), and are
    marked `admin2_derived`. Countries without district points are left alone."""
    derived = 0
    for cc in sorted(countries):
        districts = connection.execute(
            "SELECT admin1, name, lat, lon, seat_lat, seat_lon FROM admin2 WHERE cc = ?", (cc,)
        ).fetchall()
        if not districts:
            continue
        by_admin1: dict[str | None, list[tuple]] = defaultdict(list)
        for district in districts:
            by_admin1[district[0]].append(district)
        rows = connection.execute(
            "SELECT id, admin1, lat, lon FROM place WHERE cc = ? AND kind IN ('place', 'site')"
            " AND (admin2 IS NULL OR admin2_derived = 1)",
            (cc,),
        ).fetchall()
        updates = [
            (nearest_district(by_admin1.get(admin1) or districts, lat, lon)[1], place_id)
            for place_id, admin1, lat, lon in rows
        ]
        connection.executemany(
            "UPDATE place SET admin2 = ?, admin2_derived = 1 WHERE id = ?", updates
        )
        derived += len(updates)
    return derived


def nearest_district(districts: Iterable[tuple], lat: float, lon: float) -> tuple:
    """The district (an admin2 table row) a point most likely lies in: the nearest by its own
    point or its seat. Callers pass the districts of the point's province where it has any."""
    return min(districts, key=lambda d: _district_distance(lat, lon, d))


def _district_distance(lat: float, lon: float, district: tuple) -> float:
    """How far a point is from a district: from its own point or its seat, whichever is nearer
    (a district's point lies mid-district, away from a seat on its edge). The seat's distance
    counts for _SEAT_PULL of itself: a district's towns cluster around the town that governs it,
    while its own point is pulled towards the empty land of its outline."""
    distance = flat_km(lat, lon, district[2], district[3])
    if district[4] is not None:
        distance = min(distance, _SEAT_PULL * flat_km(lat, lon, district[4], district[5]))
    return distance


def place_subdistrict_seats(connection: sqlite3.Connection, countries: Iterable[str]) -> int:
    """Give the towns that govern a district's subdistricts (data/subdistrict_seats.yaml) that
    district, as known rather than derived: a district's seat alone is a poor guide near its
    borders (Al-Busayrah, a seat of Deir-ez-Zor district, lies nearer Al Mayadin). Returns how
    many places were given one."""
    listed = load_subdistrict_seats()
    placed = 0
    for cc in sorted(countries):
        districts = connection.execute(
            "SELECT admin1, name, lat, lon, seat_lat, seat_lon FROM admin2 WHERE cc = ?", (cc,)
        ).fetchall()
        for record in listed.get(cc, ()):
            district = _listed_district(districts, record.names)
            if district is None or district[0] is None:
                continue
            home = (district[4], district[5]) if district[4] is not None else district[2:4]
            for seat in record.seats:
                placed += _place_seat(connection, cc, district, seat, home)
    return placed


def _listed_district(districts: list[tuple], names: tuple[str, ...]) -> tuple | None:
    """The district (admin2 row) a data file's names stand for, spelled as the dump spells it."""
    wanted = [seat_name(n) for n in names]

    def likeness(district: tuple) -> float:
        own = seat_name(district[1])
        return max(spelling_similarity(own, n) for n in wanted)

    best = max(districts, key=likeness, default=None)
    return best if best is not None and likeness(best) >= _SAME_DISTRICT_SIMILARITY else None


def _place_seat(
    connection: sqlite3.Connection,
    cc: str,
    district: tuple,
    seat: str,
    home: tuple[float, float],
) -> int:
    """Put the places named `seat` in `district` (rows of one town within a few km of the
    chosen one, as dumps often hold a town twice); 0 when no namesake lies within reach."""
    admin1, name = district[0], district[1]
    rows = connection.execute(
        "SELECT p.id, p.lat, p.lon, p.feature, p.population, n.light FROM name n"
        " JOIN place p ON p.id = n.place_id"
        " WHERE n.key = ? AND p.cc = ? AND p.kind = 'place' AND p.admin1 = ?",
        (normalise_name(seat), cc, admin1),
    ).fetchall()
    near = [r for r in rows if flat_km(*home, r[1], r[2]) <= _SEAT_REACH_KM]
    if not near:
        return 0
    # A seat of government, then the namesake spelled most like the seat ("Kessab", not the
    # "Qassab" nearer Latakia), the most populous, the nearest.
    best = min(
        near,
        key=lambda r: (
            r[3] not in SEAT_CODES,
            -round(spelling_similarity(r[5], seat), 1),
            -r[4],
            flat_km(*home, r[1], r[2]),
        ),
    )
    same_town = {r[0] for r in near if flat_km(best[1], best[2], r[1], r[2]) <= 5.0}
    connection.executemany(
        "UPDATE place SET admin2 = ?, admin2_derived = 0 WHERE id = ?",
        [(name, place_id) for place_id in sorted(same_town)],
    )
    return len(same_town)


def same_district(name: str, other: str) -> bool:
    """Whether two names stand for one district: spelled alike once their division words are
    dropped ("Mintaqat Markaz Homs", "Homs"; "Albu Kamal district", "Abu Kamal"), or both names
    of one district that data/subdistrict_seats.yaml lists ("Maarat al-Numaan", "Al Ma'ra")."""
    own, others = seat_name(name), seat_name(other)
    if spelling_similarity(own, others) >= _SAME_DISTRICT_SIMILARITY:
        return True
    return any(
        _names_district(own, record.names) and _names_district(others, record.names)
        for records in load_subdistrict_seats().values()
        for record in records
    )


def _names_district(name: str, names: tuple[str, ...]) -> bool:
    return any(spelling_similarity(name, seat_name(n)) >= _SAME_DISTRICT_SIMILARITY for n in names)
