"""Load GeoNames dump files into the compiled index, for village-level geocoding.

Accepted files (zipped or not, in any order): a geoname table (allCountries, one country's XX,
citiesNNNN, or an extract in that layout), admin1CodesASCII.txt, admin2Codes.txt and
alternateNamesV2 (or alternateNames). Everything is streamed: memory stays small even for
allCountries. A place already in the index (same GeoNames id) is merged with the dump's row: it
keeps its English name, its names and the larger population, and takes the dump's divisions.

Divisions a row lacks are derived, and marked so: a place without an admin1 code takes the
division of the nearest place that has one; a town data/subdistrict_seats.yaml lists as a
subdistrict's seat takes the district listed; any other place without an admin2 code takes the
district whose own point or seat (its namesake town) is nearest, inside its province
(`admin2_derived`). See conflictlens.geo.districts.
Second-level division features (ADM2) name districts; they are not places a report is put at.
"""

from __future__ import annotations

import hashlib
import io
import math
import sqlite3
import zipfile
from collections import defaultdict
from collections.abc import Iterable, Iterator
from contextlib import closing, contextmanager
from dataclasses import dataclass, field
from datetime import UTC, datetime
from pathlib import Path

from conflictlens.geo.districts import (
    derive_admin2,
    flat_km,
    place_subdistrict_seats,
    seat_capitals,
    seat_of,
)
from conflictlens.geo.index import (
    IMPORTED_MERGED,
    IMPORTED_NEW,
    IndexWriter,
    PlaceRow,
    ensure_index,
    usable_name,
)
from conflictlens.geo.names import ascii_name, light_key, normalise_name
from conflictlens.geo.sources import load_generic_place_words

# Feature classes and codes worth geocoding to (GeoNames feature codes).
_SITE_CODES = frozenset(
    "AIRB AIRF AIRH AIRP INSM MILB DAM DAMSB CMPRF CMP PRN OILF GASF OILR BDG BCN PSTB".split()
)
_REGION_CODES = frozenset("MT MTS DSRT PLN VAL HLLS PLAT RGN AREA OAS".split())
# alternateNames "languages" that are codes or links, not names.
_PSEUDO_LANGUAGES = frozenset("link post iata icao faac abbr wkdt tcid unlc fr_1793".split())
_BATCH = 50_000
# A place without an admin1 code takes the division of the nearest place within this distance.
_ADMIN1_NEIGHBOUR_KM = 30.0
_GRID_DEGREES = 0.25


@dataclass
class ImportReport:
    places: int = 0  # geoname rows added or merged
    admin1: int = 0  # admin1 divisions named or given their GeoNames id
    admin2: int = 0  # admin2 names read (codes and division features)
    alternate_names: int = 0  # alternate names added
    admin1_derived: int = 0  # places given the division of their nearest neighbour
    admin2_seats: int = 0  # subdistrict seats given the district data/subdistrict_seats.yaml names
    admin2_derived: int = 0  # places given the district of the nearest district point
    files: list[str] = field(default_factory=list)


def import_geonames_dump(
    paths: Iterable[Path], index: Path, origin: str | None = None
) -> ImportReport:
    """Load the GeoNames files at `paths` into the index file `index` (built first if needed).
    `origin` is where they came from (a URL), for the import log; the files' own paths else."""
    paths = [Path(p) for p in paths]
    sources = sorted(_members(paths), key=lambda source: (_kind_of(source.name), source.name))
    ensure_index(index)
    report = ImportReport(files=[source.name for source in sources])
    with closing(sqlite3.connect(index)) as connection:
        connection.execute("CREATE INDEX IF NOT EXISTS name_place ON name (place_id)")
        state = _ImportState.load(connection)
        for source in sources:
            with source.lines() as lines:
                kind = _kind_of(source.name)
                if kind == _ADMIN1:
                    report.admin1 += state.read_admin1(connection, lines)
                elif kind == _ADMIN2:
                    report.admin2 += state.read_admin2(lines)
                elif kind == _GEONAMES:
                    report.places += state.read_geonames(connection, lines)
                else:
                    report.alternate_names += _read_alternate_names(connection, lines)
        state.add_new_admin1(connection)
        report.admin2 += state.write_admin2(connection)
        report.admin1_derived = _derive_admin1(connection, state.countries)
        report.admin2_seats = place_subdistrict_seats(connection, state.countries)
        report.admin2_derived = derive_admin2(connection, state.countries)
        _log_import(connection, paths, report, origin)
        connection.execute(
            "INSERT OR REPLACE INTO meta VALUES ('imported', ?)", (", ".join(report.files),)
        )
        connection.commit()
        connection.execute("ANALYZE")
    return report


# The kinds of file, in the order they are read: admin names before the places using them.
_ADMIN1, _ADMIN2, _GEONAMES, _ALTERNATE_NAMES = range(4)


def _kind_of(name: str) -> int:
    base = Path(name).name.lower()
    if base.startswith("admin1codes"):
        return _ADMIN1
    if base.startswith("admin2codes"):
        return _ADMIN2
    if base.startswith("alternatenames"):
        return _ALTERNATE_NAMES
    return _GEONAMES


@dataclass(frozen=True)
class _Source:
    """A dump file, on disk or inside a zip archive."""

    path: Path
    member: str | None

    @property
    def name(self) -> str:
        return self.member or self.path.name

    @contextmanager
    def lines(self) -> Iterator[Iterable[str]]:
        if self.member is None:
            with self.path.open(encoding="utf-8", newline="\n") as handle:
                yield handle
            return
        with zipfile.ZipFile(self.path) as archive, archive.open(self.member) as raw:
            yield io.TextIOWrapper(raw, encoding="utf-8", newline="\n")


def _members(paths: Iterable[Path]) -> Iterator[_Source]:
    for path in map(Path, paths):
        if path.suffix.lower() != ".zip":
            yield _Source(path, None)
            continue
        with zipfile.ZipFile(path) as archive:
            members = [n for n in archive.namelist() if n.endswith(".txt")]
        for member in members:
            if Path(member).name.lower() not in ("readme.txt", "iso-languagecodes.txt"):
                yield _Source(path, member)


def _rows(lines: Iterable[str]) -> Iterator[list[str]]:
    for line in lines:
        if line and not line.startswith("#"):
            yield line.rstrip("\n").split("\t")


def display_name(name: str, ascii_form: str, alternates: Iterable[str]) -> str | None:
    """The name to show: the ASCII name, else the name if in Latin script, else the first Latin
    alternate ("حلب" -> "Aleppo"); None for a place with no Latin name at all."""
    for candidate in (ascii_form, name, *alternates):
        if candidate and usable_name(candidate):
            return ascii_name(candidate)
    return None


@dataclass
class _District:
    """A second-level division feature: its point, and the codes of its province."""

    cc: str
    admin1_code: str
    admin2_code: str
    name: str
    lat: float
    lon: float


@dataclass
class _ImportState:
    admin1_names: dict[tuple[str, str], str]  # (cc, code) -> canonical or GeoNames name
    admin1_ids: dict[tuple[str, str], int]  # (cc, code) -> place id of divisions in the index
    admin1_geonames: dict[tuple[str, str], int] = field(default_factory=dict)
    admin2_names: dict[tuple[str, str, str], str] = field(default_factory=dict)
    districts: list[_District] = field(default_factory=list)
    # Places whose admin2 code no admin2Codes file named: resolved by the division features.
    pending_admin2: dict[tuple[str, str, str], list[int]] = field(
        default_factory=lambda: defaultdict(list)
    )
    countries: set[str] = field(default_factory=set)
    # Points for divisions the index lacks: the ADM1 feature's, else the largest place's.
    new_admin1_points: dict[tuple[str, str], tuple[float, float, int, bool]] = field(
        default_factory=dict
    )

    @classmethod
    def load(cls, connection: sqlite3.Connection) -> _ImportState:
        rows = connection.execute("SELECT cc, code, name, place_id FROM admin1").fetchall()
        return cls(
            admin1_names={(cc, code): name for cc, code, name, _ in rows},
            admin1_ids={(cc, code): place_id for cc, code, _, place_id in rows},
        )

    def read_admin1(self, connection: sqlite3.Connection, lines: Iterable[str]) -> int:
        count = 0
        for row in _rows(lines):
            cc, _, code = row[0].partition(".")
            self.admin1_names.setdefault((cc, code), row[2] or ascii_name(row[1]))
            geonames_id = int(row[3]) if len(row) > 3 and row[3] else None
            if geonames_id is not None:
                self.admin1_geonames[(cc, code)] = geonames_id
                place_id = self.admin1_ids.get((cc, code))
                if place_id is not None:
                    connection.execute(
                        "UPDATE place SET geonames_id = ? WHERE id = ?", (geonames_id, place_id)
                    )
            count += 1
        return count

    def read_admin2(self, lines: Iterable[str]) -> int:
        count = 0
        for row in _rows(lines):
            parts = row[0].split(".")
            if len(parts) == 3:
                self.admin2_names[(parts[0], parts[1], parts[2])] = row[2] or ascii_name(row[1])
                count += 1
        return count

    def read_geonames(self, connection: sqlite3.Connection, lines: Iterable[str]) -> int:
        writer = IndexWriter(connection)
        count = 0
        for row in _rows(lines):
            feature_class, feature_code = row[6], row[7]
            cc, admin1_code, admin2_code = row[8], row[10], row[11]
            latitude, longitude, population = float(row[4]), float(row[5]), int(row[14] or 0)
            alternates = [n for n in row[3].split(",") if n and usable_name(n)]
            if feature_code == "ADM1":
                self._note_admin1_point((cc, admin1_code), latitude, longitude, 0, feature=True)
                continue
            if feature_code == "ADM2":
                name = display_name(row[1], row[2], alternates)
                if name is not None:
                    self.districts.append(
                        _District(cc, admin1_code, admin2_code, name, latitude, longitude)
                    )
                continue
            kind = _kind_for(feature_class, feature_code)
            if kind is None:
                continue
            if kind == "place":
                self._note_admin1_point((cc, admin1_code), latitude, longitude, population)
            geonames_id = int(row[0])
            existing = connection.execute(
                "SELECT id, name, admin1, population, imported FROM place"
                " WHERE geonames_id = ? AND kind != 'admin1'",
                (geonames_id,),
            ).fetchone()
            name = existing[1] if existing else display_name(row[1], row[2], alternates)
            if name is None:
                continue  # no Latin-script name: no English report can name it
            admin1 = self.admin1_names.get((cc, admin1_code)) or (existing[2] if existing else None)
            admin2 = self.admin2_names.get((cc, admin1_code, admin2_code))
            place = PlaceRow(
                name=name,
                kind=kind,
                cc=cc,
                admin1=admin1,
                admin2=admin2,
                lat=latitude,
                lon=longitude,
                geonames_id=geonames_id,
                population=max(population, existing[3] if existing else 0),
                feature=feature_code or None,
                imported=(existing[4] or IMPORTED_MERGED) if existing else IMPORTED_NEW,
            )
            names = [row[1], row[2], *alternates]
            names += [short for n in names if n and (short := without_generic_word(n))]
            place_id = writer.add(place, names, place_id=existing[0] if existing else None)
            if admin2 is None and admin2_code:
                self.pending_admin2[(cc, admin1_code, admin2_code)].append(place_id)
            self.countries.add(cc)
            count += 1
        writer.flush()
        return count

    def _note_admin1_point(
        self, code: tuple[str, str], lat: float, lon: float, population: int, feature: bool = False
    ) -> None:
        if code in self.admin1_ids or code not in self.admin1_names:
            return
        known = self.new_admin1_points.get(code)
        if known is None or (not known[3] and (feature or population > known[2])):
            self.new_admin1_points[code] = (lat, lon, population, feature)

    def add_new_admin1(self, connection: sqlite3.Connection) -> None:
        """Divisions the dump names and the index lacked, at the points seen in the dump."""
        writer = IndexWriter(connection)
        for (cc, code), (lat, lon, _, _) in self.new_admin1_points.items():
            name = self.admin1_names[(cc, code)]
            row = PlaceRow(
                name,
                "admin1",
                cc,
                name,
                None,
                lat,
                lon,
                self.admin1_geonames.get((cc, code)),
                0,
                imported=IMPORTED_NEW,
            )
            place_id = writer.add(row, ())
            connection.execute("INSERT INTO admin1 VALUES (?,?,?,?)", (cc, code, name, place_id))
            self.admin1_ids[(cc, code)] = place_id
        writer.flush()

    def write_admin2(self, connection: sqlite3.Connection) -> int:
        """Record the dump's districts with their seats, and name the districts of the places
        whose admin2 code only a division feature explains."""
        rows = []
        for district in self.districts:
            name = self.admin2_names.get(
                (district.cc, district.admin1_code, district.admin2_code), district.name
            )
            admin1 = self.admin1_names.get((district.cc, district.admin1_code))
            if admin1 is None:
                admin1 = _nearest_admin1(connection, district.cc, district.lat, district.lon)
            seat = seat_of(connection, district.cc, admin1, name, (district.lat, district.lon))
            rows.append([district.cc, admin1, name, district.lat, district.lon, seat])
            place_ids = self.pending_admin2.pop(
                (district.cc, district.admin1_code, district.admin2_code), []
            )
            connection.executemany(
                "UPDATE place SET admin2 = ? WHERE id = ?", [(name, i) for i in place_ids]
            )
        seat_capitals(connection, rows)
        for cc, admin1, name, lat, lon, seat in rows:
            connection.execute(
                "DELETE FROM admin2 WHERE cc = ? AND name = ? AND lat = ? AND lon = ?",
                (cc, name, lat, lon),
            )
            connection.execute(
                "INSERT INTO admin2 VALUES (?,?,?,?,?,?,?)",
                (cc, admin1, name, lat, lon, *(seat or (None, None))),
            )
        return len(rows)


def _kind_for(feature_class: str, feature_code: str) -> str | None:
    if feature_class == "P":
        return "place"
    if feature_code in _SITE_CODES:
        return "site"
    if feature_code in _REGION_CODES:
        return "region"
    return None


def without_generic_word(name: str) -> str | None:
    """A name without its leading generic word, as reports write it ("Qaryat Tall adh Dhahab"
    -> "Tall adh Dhahab"); None when it has none, or nothing would be left."""
    first, _, rest = name.strip().partition(" ")
    if rest and light_key(first) in load_generic_place_words():
        return rest
    return None


def _nearest_admin1(connection: sqlite3.Connection, cc: str, lat: float, lon: float) -> str | None:
    rows = connection.execute(
        "SELECT admin1, lat, lon FROM place WHERE cc = ? AND kind = 'place' AND admin1 IS NOT NULL"
        " AND lat BETWEEN ? AND ? AND lon BETWEEN ? AND ?",
        (cc, lat - 0.5, lat + 0.5, lon - 0.5, lon + 0.5),
    ).fetchall()
    best = min(rows, key=lambda r: flat_km(lat, lon, r[1], r[2]), default=None)
    return best[0] if best else None


def _derive_admin1(connection: sqlite3.Connection, countries: Iterable[str]) -> int:
    """Places of the imported countries without a division take their nearest neighbour's
    (within _ADMIN1_NEIGHBOUR_KM): extracts leave the code empty for some villages."""
    derived = 0
    for cc in sorted(countries):
        rows = connection.execute(
            "SELECT id, admin1, lat, lon FROM place WHERE cc = ? AND kind IN ('place', 'site')",
            (cc,),
        ).fetchall()
        grid: dict[tuple[int, int], list[tuple[float, float, str]]] = defaultdict(list)
        for _, admin1, lat, lon in rows:
            if admin1 is not None:
                grid[_cell(lat, lon)].append((lat, lon, admin1))
        updates = []
        for place_id, admin1, lat, lon in rows:
            if admin1 is not None:
                continue
            row, column = _cell(lat, lon)
            near = [
                point
                for d_row in (-1, 0, 1)
                for d_column in (-1, 0, 1)
                for point in grid.get((row + d_row, column + d_column), ())
            ]
            best = min(near, key=lambda p: flat_km(lat, lon, p[0], p[1]), default=None)
            if best is not None and flat_km(lat, lon, best[0], best[1]) <= _ADMIN1_NEIGHBOUR_KM:
                updates.append((best[2], place_id))
        connection.executemany("UPDATE place SET admin1 = ? WHERE id = ?", updates)
        derived += len(updates)
    return derived


def _cell(lat: float, lon: float) -> tuple[int, int]:
    return math.floor(lat / _GRID_DEGREES), math.floor(lon / _GRID_DEGREES)


def _log_import(
    connection: sqlite3.Connection, paths: list[Path], report: ImportReport, origin: str | None
) -> None:
    """One import_log row per file: its name, where it came from, its size and checksum."""
    when = datetime.now(UTC).isoformat(timespec="seconds")
    for path in paths:
        digest = hashlib.sha256()
        with path.open("rb") as handle:
            for block in iter(lambda: handle.read(1 << 20), b""):
                digest.update(block)
        source = f"{origin.rstrip('/')}/{path.name}" if origin else str(path.resolve())
        connection.execute(
            "INSERT INTO import_log VALUES (?,?,?,?,?,?)",
            (path.name, source, path.stat().st_size, digest.hexdigest(), report.places, when),
        )


def _read_alternate_names(connection: sqlite3.Connection, lines: Iterable[str]) -> int:
    """Latin-script alternate names of places in the index, joined to them in SQL in batches."""
    connection.execute(
        "CREATE TEMP TABLE IF NOT EXISTS alternate (geonames_id INTEGER, key TEXT, light TEXT)"
    )
    added = 0
    batch: list[tuple[int, str, str]] = []
    for row in _rows(lines):
        language, name = row[2], row[3]
        if language in _PSEUDO_LANGUAGES or not usable_name(name):
            continue
        light = light_key(name)
        if light:
            batch.append((int(row[1]), normalise_name(name), light))
        if len(batch) >= _BATCH:
            added += _join_alternates(connection, batch)
    return added + _join_alternates(connection, batch)


def _join_alternates(connection: sqlite3.Connection, batch: list[tuple[int, str, str]]) -> int:
    connection.executemany("INSERT INTO alternate VALUES (?,?,?)", batch)
    before = connection.total_changes
    connection.execute(
        "INSERT OR IGNORE INTO name (key, light, place_id)"
        " SELECT a.key, a.light, p.id FROM alternate a"
        " JOIN place p ON p.geonames_id = a.geonames_id"
    )
    added = connection.total_changes - before
    connection.execute("DELETE FROM alternate")
    batch.clear()
    return added
