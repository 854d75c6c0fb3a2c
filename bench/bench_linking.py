"""Linking speed: cluster and merge N synthetic mentions (default 100,000) on one core.

The mentions imitate a multi-country dataset: incidents spread over two years and 120 first-level
regions, each reported by one to five outlets whose dates, places and tolls differ a little. The
baseline, timed in the same run, is one sort of the mentions by date and key (what any linker must
at least do), so the ratio travels between machines; the target is under 60 s for 100,000.

    python bench/bench_linking.py [--mentions 100000] [--seed 1]
"""

from __future__ import annotations

import argparse
import random
import time
from datetime import date, timedelta

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


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.split("\n")[0])
    parser.add_argument("--mentions", type=int, default=100_000)
    parser.add_argument("--seed", type=int, default=1)
    args = parser.parse_args()
    reports = synthetic_events(args.mentions, random.Random(args.seed))
    mentions = [Mention.of(e, e.articles[0], published) for e, published in reports]

    started = time.perf_counter()
    sorted(mentions, key=lambda m: (m.event_date, m.key))
    baseline = time.perf_counter() - started

    started = time.perf_counter()
    groups = cluster(mentions)
    clustered = time.perf_counter() - started

    by_key = {e.event_id: (e, published) for e, published in reports}
    started = time.perf_counter()
    for group in groups:
        merge(cluster_id(group), [Report(*by_key[m.key]) for m in group])
    merged = time.perf_counter() - started

    total = clustered + merged
    print(f"mentions: {len(mentions):,}  events: {len(groups):,}")
    print(f"cluster: {clustered:.1f} s  merge: {merged:.1f} s  total: {total:.1f} s")
    print(f"baseline (one sort): {baseline:.3f} s  ratio: {total / baseline:.0f}x")
    print(f"target: under 60 s for 100,000 mentions -> {'met' if total < 60 else 'NOT met'}")


if __name__ == "__main__":
    main()
