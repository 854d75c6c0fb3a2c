"""`conflictlens batch`: code a whole dump at once, on this machine or on a Spark cluster.

The same plan runs on both engines (`plan.py`): replay ingest's storing rules (exact copies,
newer versions, near-duplicates) to choose the reports to code and their ids, code them (the
relevance gate, then the extractor; models loaded once per worker or executor), link their
mentions block by block with ingest's rules, and write events.parquet and mentions.parquet (plus
ACLED CSV or GeoJSON on request). The events are the ones `ingest` then `export` give for the
same input, ids included.
"""

from __future__ import annotations

from collections.abc import Sequence
from pathlib import Path

from conflictlens.batch.output import EXTRA_FORMATS, write_outputs
from conflictlens.pipeline import RunReport

ENGINES = ("local", "spark")

__all__ = ["ENGINES", "EXTRA_FORMATS", "run_batch"]


def run_batch(
    inputs: Sequence[str],
    output: Path,
    *,
    engine: str = "local",
    master: str | None = None,
    jobs: int = 1,
    formats: Sequence[str] = (),
) -> tuple[RunReport, dict[str, Path]]:
    """Run the plan with one engine; returns the run summary and the files written."""
    if engine == "spark":
        from conflictlens.batch.spark import run_spark

        report, events, mentions = run_spark(inputs, master=master)
    elif engine == "local":
        from conflictlens.batch.local import run_local

        report, events, mentions = run_local(inputs, jobs)
    else:
        raise ValueError(f"unknown engine {engine!r}; use one of {', '.join(ENGINES)}")
    return report, write_outputs(output, events, mentions, formats)
