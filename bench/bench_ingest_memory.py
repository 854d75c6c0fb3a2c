"""Memory of `conflictlens ingest` on a JSON Lines dump: peak RSS for N and 10 x N rows, and the ratio.

A dump is streamed row by row, so the peak should not grow with the dump: the target is a ratio
below 1.2. Rows are short synthetic reports from templates, every one a different text, so none is
skipped as a duplicate and every one is extracted.

    python bench/bench_ingest_memory.py [--rows 10000] [--keep DIR]

`--rows N` measures N and 10 x N rows (default 10000 and 100000). Full extraction runs at tens of
articles per second on one core, so the default takes more than an hour; `--rows 1000` takes minutes.
"""

from __future__ import annotations

import argparse
import json
import os
import subprocess
import sys
import tempfile
import time
from pathlib import Path

from common import REPO

TEMPLATES = (
    "Gunmen killed {n} villagers in an attack on {place} in {region} on {day} {month}, "
    "local officials said. Several houses were burned and {m} people were wounded.",
    "A roadside bomb killed {n} soldiers near {place} in {region} on {day} {month}, the army "
    "said in a statement. {m} others were taken to hospital.",
    "Security forces arrested {n} suspects after clashes with protesters in {place}, {region}, "
    "on {day} {month}, police said. {m} officers were injured.",
    "Militants abducted {n} passengers from a bus travelling to {place} in {region} on "
    "{day} {month}, a local leader told reporters. {m} were later released.",
    "Air strikes on {place} in {region} killed {n} fighters on {day} {month}, a monitoring group "
    "said, adding that {m} civilians were among the wounded.",
    "{n} people were killed when armed men opened fire at a market in {place}, {region}, on "
    "{day} {month}, witnesses said. {m} people were wounded.",
)
PLACES = (
    ("Kopa", "Mopti region, Mali"),
    ("Djibo", "Soum province, Burkina Faso"),
    ("Tillaberi", "western Niger"),
    ("Maiduguri", "Borno state, Nigeria"),
    ("Kajuru", "Kaduna state, Nigeria"),
    ("Afgoye", "Lower Shabelle, Somalia"),
    ("Baidoa", "Bay region, Somalia"),
    ("Kafr Nabl", "Idlib province, Syria"),
    ("Mayadin", "Deir Ezzor province, Syria"),
    ("Tarmiyah", "Salahuddin province, Iraq"),
    ("Kandahar", "southern Afghanistan"),
    ("Lashkar Gah", "Helmand province, Afghanistan"),
    ("Myawaddy", "Kayin state, Myanmar"),
    ("Culiacan", "Sinaloa state, Mexico"),
    ("Beni", "North Kivu province, Congo"),
)
MONTHS = (
    "January February March April May June July August September October November December"
).split()


def report(index: int) -> str:
    """The index-th synthetic report; the mixed-radix digits of `index` make every text different."""
    index, template = divmod(index, len(TEMPLATES))
    index, place = divmod(index, len(PLACES))
    index, count = divmod(index, 40)
    index, day = divmod(index, 28)
    index, month = divmod(index, 12)
    wounded = index + 2  # grows once every other digit has wrapped
    name, region = PLACES[place]
    return TEMPLATES[template].format(
        n=count + 2, m=wounded, place=name, region=region, day=day + 1, month=MONTHS[month]
    )


def write_dump(path: Path, rows: int) -> None:
    with path.open("w", encoding="utf-8") as handle:
        for i in range(rows):
            row = {"id": f"bench-{i}", "text": report(i), "published": "2023-12-31"}
            handle.write(json.dumps(row) + "\n")


def ingest_peak_rss(dump: Path, db: Path) -> tuple[float, float, dict]:
    """(peak RSS in MB, seconds, run summary) of one `conflictlens ingest` process."""
    command = [
        sys.executable,
        "-c",
        "from conflictlens.cli import app; app()",
        "ingest",
        str(dump),
        "--db",
        f"sqlite:///{db}",
        "--json",
    ]
    start = time.perf_counter()
    process = subprocess.Popen(command, stdout=subprocess.PIPE, stderr=subprocess.DEVNULL)
    assert process.stdout is not None
    output = process.stdout.read()
    # wait4 gives this child's own peak, where RUSAGE_CHILDREN would give the largest child's.
    _, status, usage = os.wait4(process.pid, 0)
    seconds = time.perf_counter() - start
    process.returncode = os.waitstatus_to_exitcode(status)
    if process.returncode not in (0, 1):
        raise SystemExit(f"ingest of {dump} exited with {process.returncode}")
    peak_mb = usage.ru_maxrss / 1024  # kilobytes on Linux
    return peak_mb, seconds, json.loads(output)


def main() -> None:
    cli = argparse.ArgumentParser(description=__doc__)
    cli.add_argument("--rows", type=int, default=10_000, help="small dump; the large one is 10x")
    cli.add_argument("--keep", type=Path, help="folder to keep the dumps and databases in")
    args = cli.parse_args()
    os.environ["PYTHONPATH"] = os.pathsep.join(
        [str(REPO / "src"), *filter(None, [os.environ.get("PYTHONPATH")])]
    )
    with tempfile.TemporaryDirectory() as scratch:
        folder = args.keep or Path(scratch)
        folder.mkdir(parents=True, exist_ok=True)
        peaks = []
        for rows in (args.rows, args.rows * 10):
            dump = folder / f"dump-{rows}.jsonl"
            db = folder / f"ingest-{rows}.db"
            db.unlink(missing_ok=True)
            write_dump(dump, rows)
            peak, seconds, summary = ingest_peak_rss(dump, db)
            peaks.append(peak)
            print(
                f"{rows:>8} rows: peak RSS {peak:7.1f} MB, {seconds:7.1f} s "
                f"({rows / seconds:.1f} rows/s), {summary['new']} new articles, "
                f"{summary['events']} events, {len(summary['failures'])} failures",
                flush=True,
            )
        ratio = peaks[1] / peaks[0]
        verdict = "flat" if ratio < 1.2 else "GROWS"
        print(
            f"peak RSS ratio {args.rows * 10} / {args.rows} rows: {ratio:.3f} ({verdict}; target < 1.2)"
        )


if __name__ == "__main__":
    main()
