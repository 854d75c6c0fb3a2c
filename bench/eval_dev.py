"""Score the extractor and geocoder on the development data coded by people outside the project
(../shared/bench/acled_dev.jsonl, gtd_dev.jsonl and ucdp_dev.jsonl; read at run time, never copied).

Each note is one event; its gold date is used as the publication date. For each note the first
incident the extractor returns is compared with the gold row.

    python bench/eval_dev.py [--json] [--limit N] [--only acled|gtd|ucdp] [--gazetteer DIR] [--misses]

--gazetteer DIR imports the GeoNames-format files in DIR (*.txt, *.zip; ../shared/geo) into a
scratch data directory (kept in the temp dir and reused while the files are unchanged) and scores
with that gazetteer instead of the packaged one. --misses lists the ACLED and GTD rows whose place
is wrong (coordinates over 25 km away, admin1 or admin2 not the coder's), to read before changing
a geocoding rule.
"""

from __future__ import annotations

import argparse
import hashlib
import json
import os
import re
import tempfile
from collections import Counter
from datetime import date
from pathlib import Path

from common import same_admin2, shared_dir
from conflictlens.extraction import UnsupportedLanguageError, extract_article
from conflictlens.extraction.actors import canonical_actor
from conflictlens.geo import distance_km, same_admin1
from conflictlens.geo.index import ENV_DATA_DIR, INDEX_FILE
from conflictlens.models import FLAG_PLACE_NOT_FOUND, Article, Event
from eval_ucdp import MISS_CAUSES, score_ucdp

_STATES_NUMBER = re.compile(
    r"\b(\d+|one|two|three|four|five|six|seven|eight|nine|ten|eleven|twelve)\b[^.]*\b(killed|dead|died|fatalit)",
    re.I,
)
_NO_FATALITIES = re.compile(
    r"\b(no|neither) (fatalities|casualties|one was killed)|\bno (reported )?(casualties|fatalities)\b",
    re.I,
)


def acled_fatalities_judged(row: dict) -> bool:
    """ACLED codes "none reported" as 0, so only full notes that state a toll judge it."""
    text = row["text"]
    return row.get("gold_completeness") == "full" and bool(
        _STATES_NUMBER.search(text) or _NO_FATALITIES.search(text)
    )


def gtd_fatalities_judged(row: dict) -> bool:
    """Partial GTD rows had missing tolls filled with 0 by their uploader."""
    return row.get("gold_completeness") == "full" and row.get("nkill") is not None


class Score:
    def __init__(self) -> None:
        self.hits: Counter[str] = Counter()
        self.totals: Counter[str] = Counter()
        self.geo_misses: list[str] = []  # one line per row whose place is wrong

    def add(self, name: str, ok: bool) -> None:
        self.totals[name] += 1
        self.hits[name] += int(ok)

    def table(self) -> dict[str, dict[str, float | int]]:
        return {
            k: {"accuracy": round(self.hits[k] / self.totals[k], 3), "n": self.totals[k]}
            for k in sorted(self.totals)
        }


def extract_note(row_id: str, text: str, published: date) -> list[Event]:
    try:
        return extract_article(Article(id=row_id, text=text, published=published))
    except UnsupportedLanguageError:
        return []


def _first_incident(events: list[Event]) -> Event | None:
    incidents = [e for e in events if e.kind == "incident"]
    return (incidents or events or [None])[0]


def read_rows(path: Path, limit: int | None) -> list[dict]:
    rows = [json.loads(line) for line in path.open(encoding="utf-8") if line.strip()]
    return rows[:limit] if limit else rows


def _same_actor(ours: str, theirs: str) -> bool:
    return canonical_actor(theirs) == ours


def use_imported_gazetteer(dump_dir: Path) -> Path:
    """Point the gazetteer at a scratch data dir holding the files of `dump_dir` imported; the
    import is done once per set of files (names, sizes and times) and version of the importer
    (its code and the district data it reads)."""
    from conflictlens.geo import districts, importer
    from conflictlens.geo.sources import SUBDISTRICT_SEATS, data_file

    files = sorted(
        p for p in dump_dir.iterdir() if p.suffix in (".txt", ".zip") and p.stem.isupper()
    )
    if not files:
        raise SystemExit(f"{dump_dir}: no GeoNames-format files (XX.txt, XX.zip) to import")
    digest = hashlib.sha256()
    for module in (importer, districts):
        digest.update(Path(module.__file__).read_bytes())
    digest.update(data_file(SUBDISTRICT_SEATS).read_bytes())
    for path in files:
        digest.update(f"{path.name} {path.stat().st_size} {path.stat().st_mtime_ns}".encode())
    data = Path(tempfile.gettempdir()) / f"conflictlens-eval-gazetteer-{digest.hexdigest()[:12]}"
    done = data / "imported"
    if not done.exists():
        data.mkdir(parents=True, exist_ok=True)
        (data / INDEX_FILE).unlink(missing_ok=True)
        importer.import_geonames_dump(files, data / INDEX_FILE)
        done.write_text("\n".join(p.name for p in files), encoding="utf-8")
    os.environ[ENV_DATA_DIR] = str(data)
    return data


def _score_common(score: Score, row: dict, event: Event | None) -> None:
    score.add("event found", event is not None)
    if event is None:
        return
    score.add("country", (event.country or "").lower() == (row.get("country") or "").lower())
    if row.get("admin1"):
        score.add("admin1", bool(event.admin1) and same_admin1(event.admin1, row["admin1"]))
    if row.get("admin2"):
        score.add("admin2", bool(event.admin2) and same_admin2(event.admin2, row["admin2"]))
    if row.get("latitude") is not None:
        ok = (
            event.latitude is not None
            and distance_km(event.latitude, event.longitude, row["latitude"], row["longitude"])
            <= 25
        )
        score.add("coordinates within 25 km", ok)
        # Data coverage vs matching: a place the gazetteer lacks can only be near by luck.
        coverage = "not found" if FLAG_PLACE_NOT_FOUND in event.flags else "found"
        score.add(f"coordinates within 25 km, place {coverage}", ok)
    _note_geo_miss(score, row, event)


def _note_geo_miss(score: Score, row: dict, event: Event) -> None:
    """A line saying where the coder put the row and where we did, when any place value differs."""
    wrong = []
    if row.get("admin1") and not (event.admin1 and same_admin1(event.admin1, row["admin1"])):
        wrong.append("admin1")
    if row.get("admin2") and not (event.admin2 and same_admin2(event.admin2, row["admin2"])):
        wrong.append("admin2")
    km = None
    if row.get("latitude") is not None and event.latitude is not None:
        km = distance_km(event.latitude, event.longitude, row["latitude"], row["longitude"])
    if row.get("latitude") is not None and (km is None or km > 25):
        wrong.append("coordinates")
    if wrong:
        theirs = " / ".join(
            str(row.get(k) or "-") for k in ("location", "city", "admin1", "admin2") if k in row
        )
        ours = " / ".join(str(v or "-") for v in (event.location, event.admin1, event.admin2))
        distance = "no point" if km is None else f"{km:.1f} km"
        score.geo_misses.append(
            f"{row['id']}: {', '.join(wrong)} wrong; coder {theirs}; ours {ours}"
            f" (precision {event.geo_precision}, {distance}, {', '.join(event.flags) or 'no flags'})"
        )


def acled(path: Path, limit: int | None) -> Score:
    score = Score()
    for row in read_rows(path, limit):
        published = date.fromisoformat(row["date"])
        event = _first_incident(extract_note(row["id"], row["text"], published))
        _score_common(score, row, event)
        if event is None:
            continue
        score.add("date exact", event.event_date == published)
        if row.get("sub_event_type"):
            score.add("sub_event_type", event.sub_event_type == row["sub_event_type"])
            score.add("event_type", event.event_type == row["event_type"])
        if row.get("actor1") and row.get("gold_completeness") == "full":
            score.add("actor1", bool(event.actor1) and _same_actor(event.actor1, row["actor1"]))
        if row.get("actor2"):
            score.add("actor2", bool(event.actor2) and _same_actor(event.actor2, row["actor2"]))
        if acled_fatalities_judged(row):
            score.add(
                "fatalities exact (notes stating a number)",
                (event.fatalities or 0) == row["fatalities"],
            )
    return score


def gtd(path: Path, limit: int | None) -> Score:
    score = Score()
    for row in read_rows(path, limit):
        published = date.fromisoformat(row["date"])
        text = row.get("text_no_date_prefix") or row["text"]
        event = _first_incident(extract_note(row["id"], text, published))
        _score_common(score, row, event)
        if event is None:
            continue
        if row.get("gname") and row["gname"] != "Unknown":
            score.add(
                "actor1 (named groups)",
                bool(event.actor1) and _same_actor(event.actor1, row["gname"]),
            )
        # On partial rows a missing count became 0: a toll the text does not give is scored as 0 too.
        score.add(
            "fatalities exact (all rows)", (event.fatalities or 0) == int(row.get("nkill") or 0)
        )
        score.add("wounded exact (all rows)", (event.wounded or 0) == int(row.get("nwound") or 0))
        if row.get("gold_completeness") != "full":
            continue
        # GTD codes "nobody killed" as 0; a report that names no dead is scored as 0 too.
        if gtd_fatalities_judged(row):
            score.add("fatalities exact (full rows)", (event.fatalities or 0) == int(row["nkill"]))
        if row.get("nwound") is not None:
            score.add("wounded exact (full rows)", (event.wounded or 0) == int(row["nwound"]))
    return score


def ucdp(path: Path, limit: int | None) -> tuple[dict, dict]:
    """The UCDP scores, and the toll misses counted by cause."""
    score, misses = Score(), Counter()
    score_ucdp(read_rows(path, limit), score, misses)
    return score.table(), {cause: misses[cause] for cause in MISS_CAUSES}


def main() -> None:
    cli = argparse.ArgumentParser(description=__doc__)
    cli.add_argument("--json", action="store_true")
    cli.add_argument("--limit", type=int, default=None)
    cli.add_argument("--only", choices=("acled", "gtd", "ucdp"), help="score one set")
    cli.add_argument("--misses", action="store_true", help="list the ACLED and GTD place misses")
    cli.add_argument(
        "--gazetteer",
        type=Path,
        metavar="DIR",
        help="import the GeoNames-format files in DIR (../shared/geo) and score with them",
    )
    args = cli.parse_args()
    if args.gazetteer is not None:
        use_imported_gazetteer(args.gazetteer)
    shared = shared_dir()
    if shared is None:
        raise SystemExit("../shared/bench is not here: nothing to score")
    results: dict[str, dict] = {}
    misses: dict[str, int] = {}
    geo_misses: list[str] = []
    for name, score_set in (("acled", acled), ("gtd", gtd)):
        if args.only in (None, name):
            score = score_set(shared / "bench" / f"{name}_dev.jsonl", args.limit)
            results[f"{name}_dev"] = score.table()
            geo_misses += score.geo_misses
    if args.only in (None, "ucdp"):
        results["ucdp_dev"], misses = ucdp(shared / "bench" / "ucdp_dev.jsonl", args.limit)
    if args.json:
        print(json.dumps({**results, "ucdp_dev toll misses": misses}, indent=2))
        return
    for name, table in results.items():
        print(f"\n{name}")
        for metric, value in table.items():
            print(f"  {metric:45s} {value['accuracy']:.3f}  (n={value['n']})")
    if misses:
        print("\nucdp_dev toll misses, by cause")
    for cause, n in misses.items():
        print(f"  {cause:45s} {n}")
    if args.misses:
        print(f"\nplace misses ({len(geo_misses)})")
        print("\n".join(f"  {line}" for line in geo_misses))


if __name__ == "__main__":
    main()
