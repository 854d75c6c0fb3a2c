"""A day of news at scale: `ingest --jobs 1/2` and `batch --engine spark` on local[1]/local[2].

The day is synthetic and shaped like GDELT's: 80% off-topic reports (markets, sport, weather,
culture, science; some use words like "attack" or "strike" the way sport and business do), 20%
incident reports, and 5% syndicated copies of earlier rows (a new dateline and a footer), all
built from the templates below (the team's own text). Each configuration runs in its own process
on the same JSON Lines dump and on as many CPUs as it is named for (`--jobs N` and `local[N]` are
pinned to N cores); the table gives articles per second (wall clock and per CPU second), peak
memory (largest process, and largest worker: ingest's extracting processes, Spark's Python
workers that run its tasks), the hours a 250,000-article day would take at that rate, and
whether Spark gave the same events as `ingest` + `export`.

    python bench/bench_scale.py [--sizes 10000 100000] [--skip-spark] [--jobs 1 2] [--keep DIR]

Targets (issue 16): jobs 2 >= 1.8 x jobs 1 and >= 40 articles/s on 2 cores; 250k under 1 hour on
2 cores; Spark local[2] >= 1.7 x local[1]; peak memory at 100k within 1.2 x of 10k.
"""

from __future__ import annotations

import argparse
import json
import os
import random
import subprocess
import sys
import tempfile
import threading
import time
from dataclasses import dataclass
from datetime import date, timedelta
from pathlib import Path

from common import REPO

PLACES = (  # (place, first-level division, country) the packaged gazetteer knows
    ("Muqdadiyah", "Diyala", "Iraq"),
    ("Tuz Khurmatu", "Salahuddin", "Iraq"),
    ("Hawija", "Kirkuk", "Iraq"),
    ("Gusau", "Zamfara", "Nigeria"),
    ("Konduga", "Borno", "Nigeria"),
    ("Menaka", "Menaka", "Mali"),
    ("Djibo", "Sahel", "Burkina Faso"),
    ("Afgoye", "Lower Shabelle", "Somalia"),
    ("Mayadin", "Deir ez-Zor", "Syria"),
    ("Maarat al-Numan", "Idlib", "Syria"),
    ("Jalalabad", "Nangarhar", "Afghanistan"),
    ("Coyuca de Catalan", "Guerrero", "Mexico"),
)
ATTACKERS = ("Gunmen", "Suspected jihadists", "Armed men on motorcycles", "Militants", "Bandits")
VICTIMS = ("villagers", "soldiers", "police officers", "farmers", "traders", "civilians")
NUMBERS = ("two", "three", "four", "five", "six", "seven", "eight", "nine", "11", "12", "14")
INCIDENT_LEDES = (
    "{attackers} killed {n} {victims} in an attack near {place} in {region} on {weekday}, "
    "local officials said.",
    "At least {n} {victims} were killed when {attackers_l} stormed {place} in {region} "
    "province on {weekday}, a security source told reporters.",
    "{n} {victims} died and {m} were wounded after {attackers_l} opened fire in {place}, "
    "{region}, on {weekday} evening, according to residents.",
    "A roadside bomb struck a convoy near {place} in {region} on {weekday}, killing {n} "
    "{victims}, the authorities said in a statement.",
    "{attackers} abducted {n} {victims} on the road to {place} in {region} on {weekday}, a "
    "community leader said.",
)
INCIDENT_BODY = (
    "The attackers fled toward the hills before reinforcements arrived, the official said.",
    "Hospital staff in {region} said {m} of the wounded were in a serious condition.",
    "No group has claimed responsibility for the attack on {place}.",
    "It was the third attack in the district of {place} this month, residents said.",
    "Security forces launched a search operation in villages around {place} on {weekday}.",
    "Witnesses said houses and a market stall were set on fire during the raid.",
    "The governor of {region} condemned the killing of the {victims} and promised an inquiry.",
    "Local radio reported that families had begun leaving outlying hamlets near {place}.",
)
OFF_TOPIC = {
    "markets": (
        "Shares in {company} rose {pct} percent on {weekday} after the firm raised its forecast.",
        "The central bank left its main rate at {pct} percent, citing slower price growth.",
        "Analysts expect technology stocks to cool as bond yields climb.",
        "{company} said it would open {n2} new stores and hire staff across the region.",
        "Oil prices edged lower as traders weighed supply figures published on {weekday}.",
        "The currency was little changed against the dollar in thin holiday trading.",
    ),
    "sport": (
        "{team} came from behind to beat {team2} 3-2 on {weekday} night.",
        "The visitors looked sharp going forward, but their defence struggled with crosses.",
        "The captain said the title race would go to the final weekend.",
        "A late goal from the substitute sealed the win in front of a full stadium.",
        "The coach praised his squad's energy and said everyone was fit for the derby.",
        "Tickets for the cup semi-final sold out within an hour, the club said.",
    ),
    "weather": (
        "Forecasters expect temperatures of {deg} degrees in the south by {weekday}.",
        "Heavy rain is likely along the coast, with local flooding on low roads.",
        "Farmers welcomed the showers after a dry start to the planting season.",
        "The weather service advised residents to drink water and avoid the midday sun.",
    ),
    "culture": (
        "The festival opens on {weekday} with a new production by the city orchestra.",
        "Critics praised the novel's portrait of a family across three generations.",
        "The museum will show {n2} paintings lent by collectors from abroad.",
        "The director said the film was shot in {n2} days on a small budget.",
        "A retrospective of the photographer's work runs until the end of the season.",
    ),
    "science": (
        "Researchers reported a new battery design that charges in {n2} minutes.",
        "The space agency said the probe had sent back its first images of the moon's pole.",
        "A study of {n2} patients found the treatment cut hospital stays by a third.",
        "Engineers will test the prototype on a rail line later this year.",
    ),
}
# Sentences using violence words the way sport and business do: in some off-topic reports, which
# the relevance gate keeps (it never guesses) and the extractor then codes as nothing.
AMBIGUOUS = (
    "A late strike from the substitute sealed the win after a spell of sustained attack.",
    "Shares staged a rally in the afternoon as the battle for the company's board heated up.",
    "Workers at the port voted to strike over pay, the union said.",
)
AMBIGUOUS_SHARE = 0.15
COMPANIES = ("Norland Foods", "Vexa Systems", "Meridian Air", "Caldera Mining", "Brightwell")
TEAMS = ("City", "United", "Rovers", "Athletic", "Wanderers", "Albion")
WEEKDAYS = ("Monday", "Tuesday", "Wednesday", "Thursday", "Friday", "Saturday", "Sunday")
DAY = date(2024, 6, 12)


def _fill(template: str, slots: dict[str, str]) -> str:
    return template.format(**slots)


def _slots(rng: random.Random) -> dict[str, str]:
    place, region, country = rng.choice(PLACES)
    attackers = rng.choice(ATTACKERS)
    return {
        "place": place,
        "region": region,
        "country": country,
        "attackers": attackers,
        "attackers_l": attackers.lower(),
        "victims": rng.choice(VICTIMS),
        "n": rng.choice(NUMBERS),
        "m": rng.choice(NUMBERS),
        "n2": str(rng.randint(3, 400)),
        "pct": f"{rng.uniform(0.1, 9):.1f}",
        "deg": str(rng.randint(18, 44)),
        "weekday": rng.choice(WEEKDAYS),
        "company": rng.choice(COMPANIES),
        "team": rng.choice(TEAMS),
        "team2": rng.choice(TEAMS),
    }


def _paragraphs(rng: random.Random, pool: tuple[str, ...], count: int, slots: dict) -> str:
    return "\n\n".join(_fill(t, slots) for t in rng.sample(pool, min(count, len(pool))))


def _noise(rng: random.Random, row: int) -> str:
    """Page furniture and a unique line, as crawled pages have (no two rows alike)."""
    return f"Read more: {rng.choice(('Opinion', 'Video', 'Newsletter'))} | Story {row} | Share"


def incident(rng: random.Random, row: int) -> tuple[str, str]:
    slots = _slots(rng)
    lede = _fill(rng.choice(INCIDENT_LEDES), slots)
    body = _paragraphs(rng, INCIDENT_BODY, rng.randint(3, 6), slots)
    title = f"{slots['n'].capitalize()} {slots['victims']} killed in {slots['region']}"
    filler = _paragraphs(rng, OFF_TOPIC["markets"], 2, slots)  # a sidebar of other news
    return title, f"{title}\n\n{lede}\n\n{body}\n\n{filler}\n\n{_noise(rng, row)}"


def off_topic(rng: random.Random, row: int) -> tuple[str, str]:
    topic = rng.choice(sorted(OFF_TOPIC))
    slots = _slots(rng)
    title = f"{topic.capitalize()}: {_fill(OFF_TOPIC[topic][0], slots)[:60]}"
    others = [OFF_TOPIC[t] for t in OFF_TOPIC if t != topic]
    body = _paragraphs(rng, OFF_TOPIC[topic], rng.randint(3, 6), slots)
    extra = _paragraphs(rng, rng.choice(others), 2, slots)
    if rng.random() < AMBIGUOUS_SHARE:
        extra += "\n\n" + rng.choice(AMBIGUOUS)
    return title, f"{title}\n\n{body}\n\n{extra}\n\n{_noise(rng, row)}"


def synthetic_day(path: Path, rows: int, seed: int = 16) -> dict[str, int]:
    """Write the day as a JSON Lines dump; returns how many rows of each kind."""
    rng = random.Random(seed)
    kinds = {"off-topic": 0, "incident": 0, "copy": 0}
    written: list[dict[str, str]] = []
    with path.open("w", encoding="utf-8") as fp:
        for row in range(rows):
            roll = rng.random()
            if roll < 0.05 and written:
                original = rng.choice(written[-500:])
                text = f"WIRE SERVICE - {original['text']}\n\nDistributed by Wire Service."
                record = {
                    **original,
                    "id": f"w{row}",
                    "text": text,
                    "url": f"https://wire.example/{row}",
                }
                record["outlet"], kind = "Wire Service", "copy"
            else:
                kind = "incident" if roll < 0.05 + 0.2 else "off-topic"
                title, text = (incident if kind == "incident" else off_topic)(rng, row)
                record = {
                    "id": f"r{row}",
                    "text": text,
                    "title": title,
                    "published": (DAY - timedelta(days=rng.randint(0, 1))).isoformat(),
                    "url": f"https://news{row % 40}.example/{row}",
                    "outlet": f"Outlet {row % 40}",
                }
                written.append(record)
            kinds[kind] += 1
            fp.write(json.dumps(record) + "\n")
    return kinds


@dataclass
class Measure:
    name: str
    seconds: float
    cpu_seconds: float
    peak_mb: float
    rows: int
    # The largest worker (ingest's extracting processes, Spark's Python workers that run tasks).
    worker_peak_mb: float = 0.0
    # Spark's Python workers are the JVM's children, which it does not wait for: their CPU time
    # never reaches this process's accounts, so a Spark run's CPU rate is not reported.
    cpu_counted: bool = True

    @property
    def rate(self) -> float:
        return self.rows / self.seconds

    @property
    def hours_for_250k(self) -> float:
        return 250_000 / self.rate / 3600


class TreeMemory(threading.Thread):
    """Peak resident memory of each process under `root`, sampled from /proc every 0.2 s.

    `ru_maxrss` gives only the largest process that was waited for, and Spark's JVM never waits
    for its Python workers, so their memory is sampled here.
    """

    def __init__(self, root: int) -> None:
        super().__init__(daemon=True)
        self.root = root
        self.peaks: dict[int, tuple[str, float]] = {}
        self.done = threading.Event()

    def run(self) -> None:
        while not self.done.wait(0.2):
            for pid in _tree(self.root):
                sample = _resident(pid)
                if sample and sample[1] > self.peaks.get(pid, ("", 0.0))[1]:
                    self.peaks[pid] = sample

    def worker_peak_mb(self) -> float:
        """The largest Python process other than the command itself."""
        workers = [
            mb for pid, (name, mb) in self.peaks.items() if pid != self.root and "python" in name
        ]
        return max(workers, default=0.0)


def _tree(root: int) -> list[int]:
    parents = {}
    for stat in Path("/proc").glob("[0-9]*/stat"):
        try:
            fields = stat.read_text().rsplit(")", 1)[1].split()
        except OSError:
            continue
        parents[int(stat.parent.name)] = int(fields[1])
    tree, frontier = [root], [root]
    while frontier:
        frontier = [pid for pid, parent in parents.items() if parent in frontier]
        tree.extend(frontier)
    return tree


def _resident(pid: int) -> tuple[str, float] | None:
    try:
        status = Path(f"/proc/{pid}/status").read_text()
    except OSError:
        return None
    fields = dict(line.split(":", 1) for line in status.splitlines() if ":" in line)
    if "VmRSS" not in fields:
        return None
    return fields["Name"].strip(), int(fields["VmRSS"].split()[0]) / 1024


def run(
    name: str, command: list[str], rows: int, *, cores: int | None = None, cpu_counted: bool = True
) -> Measure:
    """Run one configuration in its own process; wall clock, CPU (with children), peak RSS.

    With `cores`, the process and everything it starts run on that many CPUs only: Spark's
    local[1] runs one task at a time, but its JVM would otherwise do its own work on another core.
    """
    env = {**os.environ, "PYTHONPATH": str(REPO / "src")}
    pinned = None if cores is None else (lambda: os.sched_setaffinity(0, range(cores)))
    # stderr goes to a file: a pipe read only after the exit would stall the run once it fills.
    with tempfile.TemporaryFile() as errors:
        started = time.perf_counter()
        process = subprocess.Popen(
            command, env=env, stdout=subprocess.DEVNULL, stderr=errors, preexec_fn=pinned
        )
        memory = TreeMemory(process.pid)
        memory.start()
        _, status, usage = os.wait4(process.pid, 0)
        seconds = time.perf_counter() - started
        memory.done.set()
        memory.join()
        errors.seek(0)
        stderr = errors.read().decode(errors="replace")
    if os.waitstatus_to_exitcode(status) not in (0, 1):
        raise SystemExit(f"{name} failed:\n{stderr[-2000:]}")
    cpu = usage.ru_utime + usage.ru_stime
    peak = max(usage.ru_maxrss / 1024, *(mb for _, mb in memory.peaks.values()))
    return Measure(name, seconds, cpu, peak, rows, memory.worker_peak_mb(), cpu_counted)


def gate_rate(dump: Path) -> float:
    """Articles the relevance gate decides per CPU second on the day's texts."""
    from conflictlens.relevance import is_relevant

    texts = [json.loads(line)["text"] for line in dump.open(encoding="utf-8")]
    started = time.process_time()
    kept = sum(is_relevant(t) for t in texts)
    rate = len(texts) / max(time.process_time() - started, 1e-9)
    print(f"gate: {rate:,.0f} articles per CPU second, keeps {kept / len(texts):.0%} of the day")
    return rate


def measure_size(rows: int, folder: Path, spark: bool, jobs_runs: list[int]) -> list[Measure]:
    dump = folder / f"day-{rows}.jsonl"
    kinds = synthetic_day(dump, rows)
    print(f"\n{rows:,} rows: {kinds}")
    gate_rate(dump)
    cli = [sys.executable, "-c", "from conflictlens.cli import app; app()"]
    # Untimed: the first run after a boot or an install reads the models and libraries from disk.
    warm = folder / "warm-up.jsonl"
    warm.write_text("".join(dump.open(encoding="utf-8").readlines()[:50]), encoding="utf-8")
    run("warm-up", [*cli, "ingest", str(warm), "--db", str(folder / "warm-up.db"), "-q"], 50)
    measures = []
    for jobs in jobs_runs:
        db = folder / f"ingest-{rows}-{jobs}.db"
        db.unlink(missing_ok=True)
        ingest = [*cli, "ingest", str(dump), "--db", str(db), "-q", "--jobs", str(jobs)]
        measures.append(run(f"ingest --jobs {jobs}", ingest, rows, cores=jobs))
    reference = folder / f"export-{rows}.parquet"
    subprocess.run(
        [
            *cli,
            "export",
            "--db",
            str(folder / f"ingest-{rows}-{jobs_runs[0]}.db"),
            "-f",
            "parquet",
            "-o",
            str(reference),
        ],
        env={**os.environ, "PYTHONPATH": str(REPO / "src")},
        check=True,
        capture_output=True,
    )
    if spark:
        for cores in (1, 2):
            out = folder / f"spark-{rows}-{cores}"
            batch = [
                *cli,
                "batch",
                str(dump),
                "-o",
                str(out),
                "--engine",
                "spark",
                "--master",
                f"local[{cores}]",
            ]
            measures.append(
                run(f"spark local[{cores}]", batch, rows, cores=cores, cpu_counted=False)
            )
            same = (out / "events.parquet").read_bytes() == reference.read_bytes()
            print(
                f"spark local[{cores}]: same events as ingest + export: {'yes' if same else 'NO'}"
            )
    return measures


def print_table(measures: list[Measure]) -> None:
    print(
        f"\n{'configuration':18} {'rows':>7} {'s':>8} {'art/s':>7} {'art/CPU s':>9} "
        f"{'peak MB':>8} {'worker MB':>9} {'250k h':>7}"
    )
    for m in measures:
        per_cpu = f"{m.rows / m.cpu_seconds:.1f}" if m.cpu_counted else "n/a"
        print(
            f"{m.name:18} {m.rows:>7} {m.seconds:>8.1f} {m.rate:>7.1f} {per_cpu:>9} "
            f"{m.peak_mb:>8.0f} {m.worker_peak_mb:>9.0f} {m.hours_for_250k:>7.2f}"
        )
    by_name = {(m.name, m.rows): m for m in measures}
    for rows in sorted({m.rows for m in measures}):
        pairs = (("ingest --jobs 2", "ingest --jobs 1"), ("spark local[2]", "spark local[1]"))
        for fast, slow in pairs:
            if (fast, rows) in by_name and (slow, rows) in by_name:
                ratio = by_name[(fast, rows)].rate / by_name[(slow, rows)].rate
                print(f"{rows:,} rows: {fast} / {slow} = {ratio:.2f}x")
    sizes = sorted({m.rows for m in measures})
    for (name, rows), large in by_name.items():
        small = by_name.get((name, sizes[0]))
        if rows != sizes[0] and small:
            print(
                f"{name}: peak memory at {rows:,} / {sizes[0]:,} rows = "
                f"{large.peak_mb / small.peak_mb:.2f}x (worker "
                f"{large.worker_peak_mb / max(small.worker_peak_mb, 1):.2f}x)"
            )


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    parser.add_argument("--sizes", type=int, nargs="+", default=[10_000, 100_000])
    parser.add_argument("--skip-spark", action="store_true", help="ingest only (no Java needed)")
    parser.add_argument(
        "--jobs", type=int, nargs="+", default=[1, 2], help="the ingest --jobs runs (default: 1 2)"
    )
    parser.add_argument("--keep", type=Path, help="keep the dumps and outputs in this folder")
    args = parser.parse_args()
    with tempfile.TemporaryDirectory() as tmp:
        folder = args.keep or Path(tmp)
        folder.mkdir(parents=True, exist_ok=True)
        measures = [
            m
            for rows in args.sizes
            for m in measure_size(rows, folder, not args.skip_spark, args.jobs)
        ]
    print_table(measures)


if __name__ == "__main__":
    main()
