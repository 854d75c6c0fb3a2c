"""Linking speed: cluster and merge N synthetic mentions (default 100,000) on one core.

The mentions imitate a multi-country dataset: incidents spread over two years and 120 first-level
regions, each reported by one to five outlets whose dates, places and tolls differ a little. The
baseline, timed in the same run, is one sort of the mentions by date and key (what any linker must
at least do), so the ratio travels between machines; the target is under 60 s for 100,000.

    python bench/bench_linking.py [--mentions 100000] [--seed 1] [--against OLD/src]

Times are CPU seconds (the machine may be shared). `--against` times another checkout's code on
the same mentions in a subprocess, alternating with this one (`--repeat` times, the fastest of
each kept), and prints this checkout's time over that one's.
"""

from __future__ import annotations

import argparse
import json
import os
import random
import subprocess
import sys
import time
from datetime import date, timedelta
from pathlib import Path

from conflictlens.linking import Mention, Report, cluster, cluster_id, merge
from conflictlens.models import Event

ACTORS = ["Islamic State", "Al-Shabaab", "Boko Haram", "Taliban", "JNIM", "Military Forces"]
TYPES = [
    ("Battles", "Armed clash"),
    ("Explosions/Remote violence", "Remote explosive/landmine/IED"),
    ("Explosions/Remote violence", "Air/drone strike"),
    ("Violence against civilians", "Attack"),
]


def synthetic_events(count: int, rnd: random.Random) -> list[tuple[Event, date]]:
    regions = [(f"C{c:02d}", f"Region {c}-{r}") for c in range(12) for r in range(10)]
    start = date(2023, 1, 1)
    reports: list[tuple[Event, date]] = []
    incident = 0
    while len(reports) < count:
        incident += 1
        country, admin1 = rnd.choice(regions)
        day = start + timedelta(days=rnd.randrange(730))
        lat, lon = rnd.uniform(-10, 40), rnd.uniform(-10, 70)
        event_type, sub_type = rnd.choice(TYPES)
        actor = rnd.choice(ACTORS)
        toll = rnd.choice([None, *range(0, 40)])
        for copy in range(rnd.choice([1, 1, 2, 2, 3, 4, 5])):
            fatalities = None if toll is None else max(0, toll + rnd.randint(-2, 3))
            reports.append(
                (
                    Event(
                        event_id=f"ev{incident:07d}-{copy}",
                        event_date=day + timedelta(days=rnd.choice([0, 0, 0, 1])),
                        time_precision=1,
                        event_type=event_type,
                        sub_event_type=sub_type,
                        actor1=actor,
                        actor2="Civilians",
                        country_code=country,
                        admin1=admin1,
                        latitude=lat + rnd.uniform(-0.05, 0.05),
                        longitude=lon + rnd.uniform(-0.05, 0.05),
                        geo_precision=rnd.choice([1, 1, 2, 3]),
                        fatalities=fatalities,
                        articles=[f"a{incident:07d}-{copy}"],
                    ),
                    day + timedelta(days=1 + copy),
                )
            )
    return reports[:count]


def measure(count: int, seed: int) -> dict[str, float]:
    """CPU seconds to cluster and merge `count` synthetic mentions, and to sort them once."""
    reports = synthetic_events(count, random.Random(seed))
    mentions = [Mention.of(e, e.articles[0], published) for e, published in reports]

    started = time.process_time()
    sorted(mentions, key=lambda m: (m.event_date, m.key))
    baseline = time.process_time() - started

    started = time.process_time()
    groups = cluster(mentions)
    clustered = time.process_time() - started

    by_key = {e.event_id: (e, published) for e, published in reports}
    started = time.process_time()
    for group in groups:
        merge(cluster_id(group), [Report(*by_key[m.key]) for m in group])
    merged = time.process_time() - started
    return {
        "mentions": len(mentions),
        "events": len(groups),
        "cluster": clustered,
        "merge": merged,
        "total": clustered + merged,
        "sort": baseline,
    }


def measure_other_checkout(src: Path, count: int, seed: int) -> dict[str, float]:
    """The same measure with another checkout's `src` first on the path (the code before a change)."""
    env = {**os.environ, "PYTHONPATH": str(src)}
    command = [sys.executable, __file__, "--mentions", str(count), "--seed", str(seed), "--json"]
    done = subprocess.run(command, env=env, capture_output=True, text=True, check=True)
    return json.loads(done.stdout)


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.split("\n")[0])
    parser.add_argument("--mentions", type=int, default=100_000)
    parser.add_argument("--seed", type=int, default=1)
    parser.add_argument("--json", action="store_true", help="print the measure as JSON")
    parser.add_argument(
        "--against",
        type=Path,
        help="another checkout's src/ (e.g. from `git archive`): time both, print the ratio",
    )
    parser.add_argument(
        "--repeat", type=int, default=3, help="with --against: runs of each, the fastest kept"
    )
    args = parser.parse_args()
    if args.json:
        print(json.dumps(measure(args.mentions, args.seed)))
        return
    runs = args.repeat if args.against else 1
    nows, befores = [], []
    for _ in range(runs):  # alternated, so a busy spell on a shared machine hits both alike
        if args.against:
            befores.append(measure_other_checkout(args.against, args.mentions, args.seed))
        nows.append(measure(args.mentions, args.seed))
    now = min(nows, key=lambda m: m["total"])
    before = min(befores, key=lambda m: m["total"]) if befores else None
    print(f"mentions: {now['mentions']:,}  events: {now['events']:,}")
    print(
        f"cluster: {now['cluster']:.1f} s  merge: {now['merge']:.1f} s  total: {now['total']:.1f} s"
        " (CPU)"
    )
    print(f"baseline (one sort): {now['sort']:.3f} s  ratio: {now['total'] / now['sort']:.0f}x")
    print(f"target: under 60 s for 100,000 mentions -> {'met' if now['total'] < 60 else 'NOT met'}")
    if before:
        print(
            f"against {args.against}: total {before['total']:.1f} s, events {before['events']:,};"
            f" this checkout / that one: {now['total'] / before['total']:.2f}"
            f" (cluster {now['cluster'] / before['cluster']:.2f},"
            f" merge {now['merge'] / before['merge']:.2f})"
        )


if __name__ == "__main__":
    main()
