"""How many actor names of the development data the actor dictionary maps to a canonical actor.

Reads ../shared/bench/acled_dev.jsonl (actor1, actor2, assoc_actor_1, assoc_actor_2) and
gtd_dev.jsonl (gname, gname2, corp1) at run time and prints, per field group, the share of
name occurrences that canonical() resolves, and the names it leaves unmapped.

    python bench/check_actor_coverage.py [--bench-dir DIR]
"""

from __future__ import annotations

import argparse
import json
from collections import Counter
from collections.abc import Iterable, Iterator
from pathlib import Path

from conflictlens.extraction.actors import ActorDictionary

DEFAULT_BENCH_DIR = Path(__file__).resolve().parents[2] / "shared" / "bench"
# (file, fields, whether a field holds several names separated by ";", values that name no actor)
FIELD_GROUPS = [
    ("acled_dev.jsonl", ("actor1", "actor2"), False, frozenset()),
    ("acled_dev.jsonl", ("assoc_actor_1", "assoc_actor_2"), True, frozenset()),
    ("gtd_dev.jsonl", ("gname", "gname2"), False, frozenset()),
    # GTD's target entity: often a place or an institution, not an armed actor.
    ("gtd_dev.jsonl", ("corp1",), False, frozenset({"Unknown", "Not Applicable"})),
]


def names_in(
    path: Path, fields: Iterable[str], several: bool, ignored: frozenset[str]
) -> Iterator[str]:
    with path.open(encoding="utf-8") as rows:
        for line in rows:
            row = json.loads(line)
            for name_field in fields:
                value = row.get(name_field)
                if not value:
                    continue
                for name in value.split(";") if several else [value]:
                    if name.strip() and name.strip() not in ignored:
                        yield name.strip()


def report(bench_dir: Path) -> None:
    dictionary = ActorDictionary.default()
    for file_name, fields, several, ignored in FIELD_GROUPS:
        counts = Counter(names_in(bench_dir / file_name, fields, several, ignored))
        mapped = {name: dictionary.canonical(name) for name in counts}
        total = sum(counts.values())
        covered = sum(n for name, n in counts.items() if mapped[name])
        share = covered / total if total else 0.0
        print(
            f"{file_name} {'/'.join(fields)}: {covered}/{total} occurrences mapped ({share:.1%}),"
        )
        print(f"  {sum(1 for v in mapped.values() if v)}/{len(counts)} distinct names")
        for name, n in counts.most_common():
            print(f"  {n:4d}  {name}  ->  {mapped[name] or 'UNMAPPED'}")


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--bench-dir", type=Path, default=DEFAULT_BENCH_DIR)
    report(parser.parse_args().bench_dir)


if __name__ == "__main__":
    main()
