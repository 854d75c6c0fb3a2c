"""Load GeoNames dump files into the compiled index, for village-level geocoding.

Accepted files (zipped or not, in any order): a geoname table (allCountries, one country's XX,
citiesNNNN), admin1CodesASCII.txt, admin2Codes.txt and alternateNamesV2 (or alternateNames).
Everything is streamed: memory stays small even for allCountries. Places already in the index
(same GeoNames id) are replaced by the dump's row. A rebuilt index (new code or data version)
drops what was imported; import again after an upgrade.
"""

from __future__ import annotations

import io
import sqlite3
import zipfile
from collections.abc import Iterable, Iterator
from contextlib import closing, contextmanager
from dataclasses import dataclass, field
from pathlib import Path

from conflictlens.geo.index import IndexWriter, PlaceRow, ensure_index, usable_name
from conflictlens.geo.names import ascii_name, light_key, normalise_name

# Feature classes and codes worth geocoding to (GeoNames feature codes).
_SITE_CODES = frozenset(
    "AIRB AIRF AIRH AIRP INSM MILB DAM DAMSB CMPRF CMP PRN OILF GASF OILR BDG BCN PSTB".split()
)
_REGION_CODES = frozenset("ADM2 MT MTS DSRT PLN VAL HLLS PLAT RGN AREA OAS".split())
# alternateNames "languages" that are codes or links, not names.
_PSEUDO_LANGUAGES = frozenset("link post iata icao faac abbr wkdt tcid unlc fr_1793".split())
_BATCH = 50_000


@dataclass
class ImportReport:
    places: int = 0  # geoname rows added or replaced
    admin1: int = 0  # admin1 divisions named or given their GeoNames id
    admin2: int = 0  # admin2 names read
    alternate_names: int = 0  # alternate names added
    files: list[str] = field(default_factory=list)


def import_geonames_dump(paths: Iterable[Path], index: Path) -> ImportReport:
    """Load the GeoNames files at `paths` into the index file `index` (built first if needed)."""
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
        connection.execute(
            "INSERT OR REPLACE INTO meta VALUES ('imported', ?)", (", ".join(report.files),)
        )
        connection.commit()
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


@dataclass
class _ImportState:
    admin1_names: dict[tuple[str, str], str]  # (cc, code) -> canonical or GeoNames name
    admin1_ids: dict[tuple[str, str], int]  # (cc, code) -> place id of divisions in the index
    admin1_geonames: dict[tuple[str, str], int] = field(default_factory=dict)
    admin2_names: dict[tuple[str, str, str], str] = field(default_factory=dict)
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
            if feature_code == "ADM1":
                self._note_admin1_point((cc, admin1_code), latitude, longitude, 0, feature=True)
                continue
            kind = _kind_for(feature_class, feature_code)
            if kind is None:
                continue
            if kind == "place":
                self._note_admin1_point((cc, admin1_code), latitude, longitude, population)
            geonames_id = int(row[0])
            existing = connection.execute(
                "SELECT id FROM place WHERE geonames_id = ? AND kind != 'admin1'", (geonames_id,)
            ).fetchone()
            if existing:
                connection.execute("DELETE FROM name WHERE place_id = ?", existing)
            place = PlaceRow(
                name=row[2] or ascii_name(row[1]),
                kind=kind,
                cc=cc,
                admin1=self.admin1_names.get((cc, admin1_code)),
                admin2=self.admin2_names.get((cc, admin1_code, admin2_code)),
                lat=latitude,
                lon=longitude,
                geonames_id=geonames_id,
                population=population,
            )
            names = [row[1], row[2], *(n for n in row[3].split(",") if n and usable_name(n))]
            writer.add(place, names, place_id=existing[0] if existing else None)
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
                name, "admin1", cc, name, None, lat, lon, self.admin1_geonames.get((cc, code)), 0
            )
            place_id = writer.add(row, ())
            connection.execute("INSERT INTO admin1 VALUES (?,?,?,?)", (cc, code, name, place_id))
        writer.flush()


def _kind_for(feature_class: str, feature_code: str) -> str | None:
    if feature_class == "P":
        return "place"
    if feature_code in _SITE_CODES:
        return "site"
    if feature_code in _REGION_CODES:
        return "region"
    return None


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
