"""Gazetteer speed: index build time, start-up time, lookups and texts per second.

Builds into a temporary data dir (the user's index is left alone) unless --data-dir is given.
With --gazetteer DIR the GeoNames-format files in DIR (../shared/geo) are imported into it first,
so the rates are those of a dense, village-level index (target: 20,000 uncached lookups/s).
Rates are per second of CPU time.

    python bench/bench_gazetteer.py [--data-dir DIR] [--seconds 2] [--gazetteer DIR]
"""

from __future__ import annotations

import argparse
import tempfile
import time
from collections.abc import Callable
from pathlib import Path

from common import REPO, shared_dir
from conflictlens.geo import Gazetteer
from conflictlens.geo.importer import import_geonames_dump
from conflictlens.geo.index import INDEX_FILE, build_index

NAMES = (
    "Deir ez-Zor",
    "Dayr az Zawr",
    "Raqqa",
    "Palmyra",
    "Idleb",
    "Mosul",
    "Kirkuk",
    "Maiduguri",
    "Mogadishu",
    "Kabul",
    "Gao",
    "Springfield",
    "San Jose",
    "Nowhere-in-particular",
)


def rate(work: Callable[[], object], seconds: float) -> float:
    """Calls of `work` per second of this process's CPU time, measured for about `seconds` of
    it: other work on a shared machine does not make the number wander."""
    calls, start = 0, time.process_time()
    while (elapsed := time.process_time() - start) < seconds:
        work()
        calls += 1
    return calls / elapsed


def sample_texts() -> list[str]:
    folders = [REPO / "corpus" / "sample"]
    shared = shared_dir()
    if shared is not None:
        folders.append(shared / "seeds")
    return [p.read_text(encoding="utf-8") for f in folders if f.is_dir() for p in f.glob("*.txt")]


def main() -> None:
    cli = argparse.ArgumentParser(description=__doc__)
    cli.add_argument("--data-dir", type=Path, default=None)
    cli.add_argument("--seconds", type=float, default=2.0)
    cli.add_argument("--gazetteer", type=Path, metavar="DIR", help="import the dumps in DIR first")
    args = cli.parse_args()
    data_dir = args.data_dir or Path(tempfile.mkdtemp(prefix="conflictlens-bench-"))
    index_path = data_dir / INDEX_FILE

    start = time.perf_counter()
    build_index(index_path)
    megabytes = index_path.stat().st_size / 1e6
    print(f"index build: {time.perf_counter() - start:.1f} s, {megabytes:.0f} MB")
    if args.gazetteer is not None:
        dumps = sorted(p for p in args.gazetteer.iterdir() if p.suffix in (".txt", ".zip"))
        dumps = [p for p in dumps if p.stem.isupper()]
        start = time.perf_counter()
        report = import_geonames_dump(dumps, index_path)
        megabytes = index_path.stat().st_size / 1e6
        print(
            f"import of {len(dumps)} files: {time.perf_counter() - start:.1f} s,"
            f" {report.places:,} places, {megabytes:.0f} MB"
        )

    start = time.perf_counter()
    gazetteer = Gazetteer(index_path)
    print(f"start-up (open existing index): {(time.perf_counter() - start) * 1000:.1f} ms")

    # Distinct spellings defeat the lookup cache, repeated ones measure it.
    counter = iter(range(10**9))
    uncached = rate(lambda: gazetteer.lookup(f"Kafr {next(counter)}"), args.seconds)
    print(f"lookups/s, uncached: {uncached:,.0f}")
    names = iter(NAMES * 10**6)
    cached = rate(lambda: gazetteer.lookup(next(names), ["SY"]), args.seconds)
    print(f"lookups/s, cached: {cached:,.0f}")

    texts = sample_texts()
    if texts:
        chars = sum(len(t) for t in texts)

        def find_all() -> None:
            for text in texts:
                gazetteer.find(text)

        per_second = rate(find_all, args.seconds)
        texts_per_second, kchars_per_second = per_second * len(texts), per_second * chars / 1e3
        print(f"find(): {texts_per_second:,.0f} texts/s, {kchars_per_second:,.0f} kchar/s")


if __name__ == "__main__":
    main()
