"""API load check: concurrent readers of /api/events, on SQLite (WAL) and PostgreSQL side by side.

For each back end, builds a database of --events synthetic events (fast path: rows are
bulk-inserted through `Store.engine` and the schema tables, one mention each on a few synthetic
articles, skipping extraction; then VACUUM ANALYZE on PostgreSQL and ANALYZE on SQLite, as
autovacuum or `PRAGMA optimize` would), starts
`conflictlens serve` in a subprocess on a free loopback port, and runs --readers concurrent readers
(httpx async), after a warm-up (each kind of listing in turn, twice, then a burst of 40 at once:
a process that has just started plans each query shape and opens its pooled connections on first
use; the slowest warm-up request is reported apart). Each reader is a desk user: it sends
--requests listings with varied filters, text searches, sorts and pages, pausing between them
for a random time (exponential, mean --think seconds; 0 sends the next request at once, which measures the server saturated instead).
Prints latency percentiles per back end and per query, and the error count; exits 1 on any error.

PostgreSQL: --pg-url, or CONFLICTLENS_TEST_PG_URL; without either the bench runs itself again
under scripts/with_postgres.sh (a throwaway server, on --pg-port if given), and says why when that is not
possible (no PostgreSQL binaries) instead of failing.

    python bench/bench_api_load.py [--events 100000] [--readers 200] [--requests 5] [--think 5]
        [--backends sqlite,postgres] [--db FILE] [--pg-url URL]
"""

from __future__ import annotations

import argparse
import asyncio
import json
import os
import random
import socket
import statistics
import subprocess
import sys
import tempfile
import time
from collections import defaultdict
from datetime import UTC, date, datetime, timedelta
from pathlib import Path
from typing import Any

import httpx
from sqlalchemy import MetaData, insert

from conflictlens.models import Event
from conflictlens.store import Store, schema
from conflictlens.store.search import search_text

REPO = Path(__file__).resolve().parent.parent
PG_ENV = "CONFLICTLENS_TEST_PG_URL"

# (country, ISO code, [(admin1, latitude, longitude)]) for synthetic events.
PLACES = [
    ("Syria", "SY", [("Aleppo", 36.2, 37.1), ("Idlib", 35.9, 36.6), ("Deir ez-Zor", 35.3, 40.1)]),
    ("Iraq", "IQ", [("Nineveh", 36.3, 43.1), ("Kirkuk", 35.5, 44.4), ("Diyala", 33.8, 45.0)]),
    ("Nigeria", "NG", [("Borno", 11.8, 13.2), ("Zamfara", 12.1, 6.2), ("Kaduna", 10.5, 7.4)]),
    ("Mali", "ML", [("Mopti", 14.5, -4.2), ("Gao", 16.3, -0.04), ("Timbuktu", 16.8, -3.0)]),
    ("Somalia", "SO", [("Banadir", 2.0, 45.3), ("Hiraan", 4.7, 45.5), ("Bay", 2.6, 43.5)]),
    ("Myanmar", "MM", [("Sagaing", 22.0, 95.5), ("Shan", 21.0, 97.5), ("Rakhine", 20.1, 93.6)]),
]
EVENT_TYPES = [
    ("Battles", "Armed clash"),
    ("Explosions/Remote violence", "Air/drone strike"),
    ("Explosions/Remote violence", "Remote explosive/landmine/IED"),
    ("Violence against civilians", "Attack"),
    ("Protests", "Peaceful protest"),
    ("Riots", "Violent demonstration"),
]
ACTORS = [
    "Islamic State",
    "Al-Shabaab",
    "Boko Haram",
    "JNIM",
    "Civilians",
    "Unidentified Armed Group",
    "Military Forces of Syria",
    "Military Forces of Nigeria",
    "Military Forces of Mali",
    "People's Defence Force",
]
FIRST_DAY = date(2019, 1, 1)
DAYS = 6 * 365
ARTICLES = 50
BATCH = 5000
# Before measuring: rounds of one request of each kind in turn, then this many requests at once.
WARM_UP_ROUNDS = 2
WARM_UP_BURST = 40


def build_database(url: str, n_events: int, seed: int = 7) -> None:
    """Bulk-insert synthetic articles, events and mentions (no extraction, no per-row upserts)."""
    rng = random.Random(seed)
    with Store(url) as store, store.engine.begin() as conn:
        conn.execute(
            insert(schema.articles),
            [
                {
                    "id": f"syn{i:03d}",
                    "text": f"Synthetic article {i} for the API load check.",
                    "title": f"Synthetic report {i}",
                    "content_hash": f"{i:064x}",
                    "ingested_at": datetime.now(UTC),
                    "status": "ok",
                }
                for i in range(ARTICLES)
            ],
        )
        events: list[dict[str, Any]] = []
        mentions: list[dict[str, Any]] = []
        for i in range(n_events):
            country, code, regions = rng.choice(PLACES)
            admin1, lat, lon = rng.choice(regions)
            event_type, sub_type = rng.choice(EVENT_TYPES)
            actor1, actor2 = rng.sample(ACTORS, 2)
            event = Event(
                event_id=f"ev{i:016x}",
                event_date=FIRST_DAY + timedelta(days=rng.randrange(DAYS)),
                event_type=event_type,
                sub_event_type=sub_type,
                actor1=actor1,
                actor2=actor2,
                country=country,
                country_code=code,
                admin1=admin1,
                location=f"Place {i % 997}",
                latitude=lat + rng.uniform(-0.5, 0.5),
                longitude=lon + rng.uniform(-0.5, 0.5),
                fatalities=rng.choice([None, 0, 1, 2, 3, 5, 8, 12, 20, 45]),
                notes=f"Synthetic event {i} in {admin1}, {country}.",
                articles=[f"syn{i % ARTICLES:03d}"],
            )
            record = event.to_json_dict()
            events.append(
                {
                    "event_id": event.event_id,
                    "kind": event.kind,
                    "event_date": event.event_date,
                    "country": country,
                    "country_code": code,
                    "admin1": admin1,
                    "event_type": event_type,
                    "sub_event_type": sub_type,
                    "actor1": actor1,
                    "actor2": actor2,
                    "fatalities": event.fatalities,
                    "latitude": event.latitude,
                    "longitude": event.longitude,
                    "confidence": event.confidence,
                    "record": record,
                    "review_status": "unreviewed",
                    "search_text": search_text(record),
                }
            )
            mentions.append(
                {
                    "article_id": f"syn{i % ARTICLES:03d}",
                    "event_id": event.event_id,
                    "position": i // ARTICLES,
                    "record": record,
                }
            )
            if len(events) == BATCH:
                conn.execute(insert(schema.events), events)
                conn.execute(insert(schema.mentions), mentions)
                events, mentions = [], []
        if events:
            conn.execute(insert(schema.events), events)
            conn.execute(insert(schema.mentions), mentions)
    # What autovacuum does after a bulk insert on PostgreSQL (statistics, and the visibility map
    # that lets a count read an index alone) and `PRAGMA optimize` on SQLite.
    maintenance = "VACUUM ANALYZE" if url.startswith("postgresql") else "ANALYZE"
    with Store(url) as store:
        autocommit = store.engine.connect().execution_options(isolation_level="AUTOCOMMIT")
        with autocommit as conn:
            conn.exec_driver_sql(maintenance)


def empty_database(url: str) -> None:
    """Drop every table of a PostgreSQL database the bench may wipe."""
    with Store(url) as store:
        existing = MetaData()
        existing.reflect(store.engine)
        existing.drop_all(store.engine)


def listing_params(rng: random.Random) -> tuple[str, dict[str, Any]]:
    """One reader's request: (what kind of query it is, its parameters)."""
    return rng.choice(listing_choices(rng))


def listing_choices(rng: random.Random) -> list[tuple[str, dict[str, Any]]]:
    """Each kind of listing a desk user sends, with parameters drawn from `rng`."""
    country, _, regions = rng.choice(PLACES)
    start = FIRST_DAY + timedelta(days=rng.randrange(DAYS - 60))
    choices: list[tuple[str, dict[str, Any]]] = [
        ("all", {}),
        ("country", {"country": country}),
        ("country+type", {"country": country, "event_type": rng.choice(EVENT_TYPES)[0]}),
        ("admin1", {"admin1": rng.choice(regions)[0]}),
        ("dates", {"since": start.isoformat(), "until": (start + timedelta(days=60)).isoformat()}),
        ("actor", {"actor": rng.choice(ACTORS)}),
        ("min_fatalities", {"min_fatalities": rng.choice([5, 20, 40])}),
        ("text", {"text": f"Place {rng.randrange(997)}"}),
        (
            "sorted page",
            {"order": rng.choice(["-date", "-fatalities"]), "offset": rng.randrange(0, 5000, 50)},
        ),
    ]
    return [(kind, {"limit": 50, **params}) for kind, params in choices]


async def reader(
    client: httpx.AsyncClient,
    rng: random.Random,
    requests: int,
    think: float,
    latencies: dict[str, list[float]],
    errors: list[str],
) -> None:
    for _ in range(requests):
        if think:
            await asyncio.sleep(rng.expovariate(1 / think))
        kind, params = listing_params(rng)
        started = time.perf_counter()
        try:
            response = await client.get("/api/events", params=params)
            if response.status_code != 200:
                errors.append(f"{kind} {params}: HTTP {response.status_code}")
            else:
                page = response.json()
                if page["total"] < len(page["items"]):
                    errors.append(f"{kind} {params}: total smaller than the page")
        except httpx.HTTPError as exc:
            errors.append(f"{kind} {params}: {type(exc).__name__}: {exc}")
        latencies[kind].append(time.perf_counter() - started)


async def warm_up(client: httpx.AsyncClient, seed: int) -> float:
    """What a server that has been up a while has done: each kind of listing in turn,
    WARM_UP_ROUNDS times, then a burst of WARM_UP_BURST at once (a fresh process plans each query shape and opens its pooled
    connections on first use). Returns the slowest warm-up request in seconds, reported apart."""
    rng = random.Random(seed)
    slowest = 0.0

    async def one(params: dict[str, Any]) -> None:
        nonlocal slowest
        started = time.perf_counter()
        (await client.get("/api/events", params=params)).raise_for_status()
        slowest = max(slowest, time.perf_counter() - started)

    for _ in range(WARM_UP_ROUNDS):
        for _, params in listing_choices(rng):
            await one(params)
    await asyncio.gather(*(one(listing_params(rng)[1]) for _ in range(WARM_UP_BURST)))
    return slowest


async def run_load(base: str, server_pid: int, args: argparse.Namespace) -> dict[str, Any]:
    """Warm the server up, then run the readers: latencies by query kind, errors, elapsed time,
    the server's CPU seconds while measuring, and the slowest warm-up request."""
    readers, requests, think, seed = args.readers, args.requests, args.think, args.seed
    latencies: dict[str, list[float]] = defaultdict(list)
    errors: list[str] = []
    limits = httpx.Limits(max_connections=readers, max_keepalive_connections=readers)
    async with httpx.AsyncClient(base_url=base, timeout=120, limits=limits) as client:
        warm_up_max = await warm_up(client, seed - 1)
        cpu_before = process_cpu_seconds(server_pid)
        started = time.perf_counter()
        await asyncio.gather(
            *(
                reader(client, random.Random(seed + i), requests, think, latencies, errors)
                for i in range(readers)
            )
        )
        elapsed = time.perf_counter() - started
        cpu = process_cpu_seconds(server_pid) - cpu_before
    return {
        "latencies": dict(latencies),
        "errors": errors,
        "elapsed": elapsed,
        "cpu": cpu,
        "warm_up_max": warm_up_max,
    }


def percentile(values: list[float], p: float) -> float:
    ordered = sorted(values)
    return ordered[min(len(ordered) - 1, round(p / 100 * (len(ordered) - 1)))]


def free_port() -> int:
    with socket.socket() as sock:
        sock.bind(("127.0.0.1", 0))
        return sock.getsockname()[1]


def start_server(url: str, port: int) -> subprocess.Popen[bytes]:
    """`conflictlens serve` itself, in its own process (the readers' event loop is not its)."""
    command = [sys.executable, "-c", "from conflictlens.cli import app; app()", "serve"]
    server = subprocess.Popen([*command, "--db", url, "--port", str(port)])
    deadline = time.monotonic() + 180
    while time.monotonic() < deadline:
        try:
            if httpx.get(f"http://127.0.0.1:{port}/api/meta", timeout=5).status_code == 200:
                return server
        except httpx.HTTPError:
            time.sleep(0.2)
        if server.poll() is not None:
            raise SystemExit(f"bench_api_load: the server exited with code {server.returncode}")
    server.terminate()
    raise SystemExit("bench_api_load: the server did not answer within 180 s")


def measure(url: str, args: argparse.Namespace) -> dict[str, Any]:
    """Serve `url` and run the readers against it: latencies by query kind, errors, elapsed."""
    port = free_port()
    server = start_server(url, port)
    try:
        return asyncio.run(run_load(f"http://127.0.0.1:{port}", server.pid, args))
    finally:
        server.terminate()
        server.wait(timeout=30)


def process_cpu_seconds(pid: int) -> float:
    """CPU time a process has used (user + system, all threads): a cost per request that does not
    depend on what else the machine runs, unlike latencies on a shared machine."""
    fields = Path(f"/proc/{pid}/stat").read_text().rsplit(")", 1)[1].split()
    return (int(fields[11]) + int(fields[12])) / os.sysconf("SC_CLK_TCK")


def run_sqlite(args: argparse.Namespace) -> dict[str, Any]:
    with tempfile.TemporaryDirectory() as tmp:
        db = args.db or Path(tmp) / "load.db"
        url = f"sqlite:///{db}"
        if not db.exists():
            started = time.perf_counter()
            build_database(url, args.events, args.seed)
            print(f"sqlite: built {args.events:,} events in {time.perf_counter() - started:.1f} s")
        return measure(url, args)


def run_postgres(args: argparse.Namespace) -> dict[str, Any] | str:
    """PostgreSQL's results, or why there are none."""
    url = args.pg_url or os.environ.get(PG_ENV)
    if url:
        empty_database(url)
        started = time.perf_counter()
        build_database(url, args.events, args.seed)
        print(f"postgres: built {args.events:,} events in {time.perf_counter() - started:.1f} s")
        return measure(url, args)
    if args.results is not None:  # already under with_postgres.sh, which found no server
        return "no PostgreSQL binaries (initdb, pg_ctl) to start a throwaway server"
    with tempfile.TemporaryDirectory() as tmp:
        results = Path(tmp) / "postgres.json"
        command = [
            str(REPO / "scripts" / "with_postgres.sh"), sys.executable, __file__,
            "--backends", "postgres", "--results", str(results), *_shared_options(args),
        ]  # fmt: skip
        env = dict(os.environ)
        if args.pg_port:
            env["CONFLICTLENS_PG_PORT"] = str(args.pg_port)
        done = subprocess.run(command, env=env, check=False)
        if not results.exists():
            return f"scripts/with_postgres.sh failed (exit code {done.returncode})"
        found = json.loads(results.read_text())
        return found["postgres"]


def _shared_options(args: argparse.Namespace) -> list[str]:
    return [
        "--events", str(args.events), "--readers", str(args.readers),
        "--requests", str(args.requests), "--think", str(args.think), "--seed", str(args.seed),
    ]  # fmt: skip


def report(results: dict[str, dict[str, Any] | str], args: argparse.Namespace) -> int:
    """Both back ends side by side; returns how many errors there were."""
    ran = {name: r for name, r in results.items() if isinstance(r, dict)}
    for name, r in results.items():
        if isinstance(r, str):
            print(f"{name}: skipped: {r}")
    if not ran:
        return 0
    names = list(ran)
    print(f"\nload average while measuring: {os.getloadavg()[0]:.1f} on {os.cpu_count()} CPUs")
    print(
        f"{args.events:,} events, {args.readers} concurrent readers x {args.requests} requests "
        f"of /api/events, mean think time {args.think:g} s"
    )
    header = "".join(f"{name:>22}" for name in names)
    print(f"{'':<18}{header}")
    every = {name: [t for ts in r["latencies"].values() for t in ts] for name, r in ran.items()}

    def row(label: str, value: Any) -> None:
        print(f"{label:<18}" + "".join(f"{value(name):>22}" for name in names))

    row("requests/s", lambda n: f"{len(every[n]) / ran[n]['elapsed']:.0f}")
    row("server CPU ms/req", lambda n: f"{ran[n]['cpu'] * 1000 / len(every[n]):.1f}")
    for p in (50, 95, 99):
        row(f"p{p} ms", lambda n, p=p: f"{percentile(every[n], p) * 1000:.0f}")
    row("max ms", lambda n: f"{max(every[n]) * 1000:.0f}")
    row("errors", lambda n: str(len(ran[n]["errors"])))
    row("warm-up max ms", lambda n: f"{ran[n]['warm_up_max'] * 1000:.0f}")
    print("by query: median / p99 ms")
    kinds = sorted({k for r in ran.values() for k in r["latencies"]})
    for kind in kinds:

        def cell(name: str, kind: str = kind) -> str:
            times = ran[name]["latencies"].get(kind, [])
            if not times:
                return "-"
            median = statistics.median(times) * 1000
            return f"{median:.0f} / {percentile(times, 99) * 1000:.0f}"

        row(f"  {kind}", cell)
    errors = [e for r in ran.values() for e in r["errors"]]
    for error in errors[:10]:
        print(f"  {error}")
    return len(errors)


def main() -> int:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--events", type=int, default=100_000)
    parser.add_argument("--readers", type=int, default=200)
    parser.add_argument("--requests", type=int, default=5, help="requests per reader")
    parser.add_argument(
        "--think", type=float, default=5.0, help="mean pause of a reader between requests (s)"
    )
    parser.add_argument("--backends", default="sqlite,postgres")
    parser.add_argument("--db", type=Path, help="reuse or keep this SQLite file")
    parser.add_argument("--pg-url", help="a PostgreSQL database the bench may wipe")
    parser.add_argument(
        "--pg-port",
        type=int,
        default=os.environ.get("CONFLICTLENS_PG_PORT"),
        help="port of the throwaway server (default: CONFLICTLENS_PG_PORT, else the script's)",
    )
    parser.add_argument("--results", type=Path, help=argparse.SUPPRESS)
    parser.add_argument("--seed", type=int, default=7)
    args = parser.parse_args()

    backends = [b.strip() for b in args.backends.split(",") if b.strip()]
    results: dict[str, dict[str, Any] | str] = {}
    if "sqlite" in backends:
        results["sqlite"] = run_sqlite(args)
    if "postgres" in backends:
        results["postgres"] = run_postgres(args)
    if args.results is not None:
        args.results.write_text(json.dumps(results))
        return 0
    return 1 if report(results, args) else 0


if __name__ == "__main__":
    sys.exit(main())
