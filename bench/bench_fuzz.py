"""Hostile input at volume: generated inputs through every reader and `extract`, 0 crashes wanted.

    python bench/bench_fuzz.py [--inputs 10000] [--seed N]

The inputs (tests/fuzz_inputs.py) are Hypothesis strategies: text files with and without headers,
HTML pages, RSS feeds (truncated too), WARC archives (gzipped, wrong lengths), CSV and JSON Lines
dumps, and articles for the extractor; zero-width and RTL characters, numbers up to 10^120, bytes
that are not text. A crash is any exception a reader lets escape (readers answer bad input with
ReadFailure) or any the extractor raises besides UnsupportedLanguageError.

Then the pathological inputs (100k-character lines, 20,000 nested elements, 100k characters of
zero-width and RTL text, 10^100 as a count) are run once each. The report gives, per target, the
inputs run, crashes, and CPU seconds per input (median, p99, max); the exit status is 1 on any
crash or when a pathological input takes more than --max-cpu CPU seconds.
"""

from __future__ import annotations

import argparse
import statistics
import sys
import tempfile
import time
import traceback
from collections.abc import Callable
from pathlib import Path
from typing import Any

sys.path.insert(0, str(Path(__file__).resolve().parent.parent / "tests"))

from hypothesis import HealthCheck, Phase, given, seed, settings

from conflictlens.models import Article
from fuzz_inputs import READERS, articles, extract, read_file


def _fuzz(
    name: str, strategy: Any, run: Callable[[Any], object], count: int, seed_value: int
) -> tuple[list[float], list[str]]:
    """Run `count` generated inputs through `run`; CPU seconds per input and crash descriptions."""
    times: list[float] = []
    crashes: list[str] = []

    @seed(seed_value)
    @settings(
        max_examples=count,
        deadline=None,
        database=None,
        phases=[Phase.generate],
        suppress_health_check=list(HealthCheck),
    )
    @given(value=strategy)
    def one(value: Any) -> None:
        started = time.process_time()
        try:
            run(value)
        except Exception as exc:  # every escaping exception is a finding, kept to report
            where = traceback.extract_tb(exc.__traceback__)[-1]
            crashes.append(
                f"{name}: {type(exc).__name__}: {str(exc)[:120]} at "
                f"{Path(where.filename).name}:{where.lineno} on {repr(value)[:160]}"
            )
        times.append(time.process_time() - started)

    one()
    return times, crashes


def _pathological() -> dict[str, tuple[str, bytes]]:
    line = "Gunmen killed 12 villagers near Kidal in Mali on Tuesday " * 1_800
    odd = "Gunmen\u200b killed\u202e 12\u200f villagers\u2060 near\u061c Kidal\ufeff " * 2_000
    return {
        "100k-character line": (".txt", line[:100_000].encode()),
        "100k characters without a space": (".txt", b"a" * 100_000),
        "zero-width and RTL text": (".txt", odd.encode()),
        "10^100 as a count": (".txt", b"Gunmen killed " + b"1" + b"0" * 100 + b" people in Mali."),
        "20,000 nested elements": (
            ".html",
            ("<div>" * 20_000 + "Gunmen killed 12 villagers in Kidal, Mali.").encode(),
        ),
        "100k-character CSV field": (".csv", b'id,text\n1,"' + line[:100_000].encode() + b'"\n'),
        "JSON nested 100,000 deep": (".jsonl", b"[" * 100_000 + b"]" * 100_000 + b"\n"),
    }


def _read_and_extract(data: bytes, suffix: str, folder: Path) -> None:
    for item in read_file(data, suffix, folder):
        if isinstance(item, Article):
            # As English, so the extractor reads odd text through instead of refusing it.
            extract(item.model_copy(update={"language": "en"}))


def _percentile(values: list[float], fraction: float) -> float:
    ordered = sorted(values)
    return ordered[min(len(ordered) - 1, int(fraction * len(ordered)))]


def main() -> int:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--inputs", type=int, default=10_000, help="generated inputs in all")
    parser.add_argument("--seed", type=int, default=int(time.time()))
    parser.add_argument("--max-cpu", type=float, default=60.0, help="CPU s per pathological input")
    args = parser.parse_args()

    extract(Article(id="warm", text="Gunmen killed 3 people in Kidal, Mali.", language="en"))
    folder = Path(tempfile.mkdtemp(prefix="conflictlens-fuzz-"))
    # The extractor is the slowest target: it gets a smaller share, every reader the same one.
    per_reader = args.inputs * 3 // (3 * len(READERS) + 1)
    targets: list[tuple[str, Any, Callable[[Any], object], int]] = [
        (name, strategy, lambda data, s=suffix: read_file(data, s, folder), per_reader)
        for name, (strategy, suffix) in sorted(READERS.items())
    ]
    targets.append(("extract", articles, extract, args.inputs - per_reader * len(READERS)))

    print(f"seed {args.seed}; {args.inputs:,} generated inputs\n")
    print(f"{'target':<10}{'inputs':>8}{'crashes':>9}{'median ms':>11}{'p99 ms':>9}{'max ms':>9}")
    total_inputs, all_crashes = 0, []
    for name, strategy, run, count in targets:
        times, crashes = _fuzz(name, strategy, run, count, args.seed)
        total_inputs += len(times)
        all_crashes += crashes
        print(
            f"{name:<10}{len(times):>8,}{len(crashes):>9}{statistics.median(times) * 1e3:>11.2f}"
            f"{_percentile(times, 0.99) * 1e3:>9.1f}{max(times) * 1e3:>9.1f}"
        )
    print(f"{'all':<10}{total_inputs:>8,}{len(all_crashes):>9}\n")

    slow = []
    print(f"{'pathological input (read, then extract)':<42}{'CPU s':>8}")
    for name, (suffix, data) in _pathological().items():
        started = time.process_time()
        try:
            _read_and_extract(data, suffix, folder)
        except Exception as exc:  # a finding like any other
            all_crashes.append(f"{name}: {type(exc).__name__}: {str(exc)[:120]}")
        spent = time.process_time() - started
        print(f"{name:<42}{spent:>8.2f}")
        if spent > args.max_cpu:
            slow.append(name)
    for crash in all_crashes:
        print("CRASH", crash)
    for name in slow:
        print(f"SLOW {name}: more than {args.max_cpu:g} CPU s")
    return 1 if all_crashes or slow else 0


if __name__ == "__main__":
    sys.exit(main())
