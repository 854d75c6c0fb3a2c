"""`conflictlens batch`: the same events as `ingest` then `export`, with or without Spark."""

from __future__ import annotations

import importlib
import json
import os
import shutil
import sys
from collections.abc import Iterator
from pathlib import Path

import pytest
from typer.testing import CliRunner

from conflictlens.cli import app

pq = pytest.importorskip("pyarrow.parquet", reason="pyarrow is not installed ('.[parquet]')")

REPO = Path(__file__).resolve().parent.parent
runner = CliRunner()

SAHEL = (
    "Gunmen on motorcycles attacked the village of Tondibi in Tillaberi region on Saturday, "
    "killing nine civilians and wounding four others, a local official said. The attackers "
    "burned granaries and stole cattle before fleeing toward the border with Mali. Residents "
    "said the army arrived several hours later. No group claimed the attack, which followed a "
    "series of raids on markets in the area over the past month, according to the official, "
    "who asked not to be named because he was not authorised to speak to the press."
)
ROWS = [
    {
        "id": "sahel-1",
        "text": SAHEL,
        "published": "2024-04-07",
        "title": "Gunmen kill nine in Niger village",
        "url": "https://sahel.example/tondibi",
        "outlet": "Sahel Monitor",
    },
    # The same report syndicated under another headline and id: a near-duplicate copy.
    {
        "id": "wire-9",
        "text": "NIAMEY (Wire) - " + SAHEL + " Reporting by the wire's West Africa desk.",
        "published": "2024-04-08",
        "title": "Niger: nine civilians killed",
        "url": "https://wire.example/niger-9",
        "outlet": "Wire",
    },
    # The same row again: an exact duplicate.
    {
        "id": "sahel-1b",
        "text": SAHEL,
        "published": "2024-04-07",
        "title": "Gunmen kill nine in Niger village",
        "url": "https://sahel.example/tondibi",
        "outlet": "Sahel Monitor",
    },
    {
        "id": "mx-2",
        "text": "Six police officers were killed when gunmen ambushed their patrol on a highway "
        "near Coyuca de Catalan in Guerrero state on Tuesday, the state prosecutor said.",
        "published": "2024-05-14",
        "title": "Six police killed in Guerrero ambush",
        "url": "https://mx.example/guerrero-ambush",
        "outlet": "Diario del Sur",
    },
    {
        "id": "biz-1",
        "text": "The regional airline reported a record summer, carrying 4.1 million passengers, "
        "and said it would add three routes to the coast next year.",
        "published": "2024-05-14",
        "title": "Airline posts record summer",
        "url": "https://biz.example/airline",
        "outlet": "Business Daily",
    },
]


@pytest.fixture(scope="module")
def inputs(tmp_path_factory: pytest.TempPathFactory) -> list[str]:
    """A JSON Lines dump (a copy, a duplicate, an off-topic report and a broken line) and a
    folder of text reports with a newer version of one story."""
    folder = tmp_path_factory.mktemp("batch-in")
    dump = folder / "dump.jsonl"
    lines = [json.dumps(row) for row in ROWS]
    lines.insert(3, '{"id": "broken", "text": ')
    dump.write_text("\n".join(lines) + "\n", encoding="utf-8")
    texts = folder / "texts"
    shutil.copytree(REPO / "tests" / "linking_articles", texts)
    return [str(dump), str(texts)]


@pytest.fixture(scope="module", autouse=True)
def fixed_export_time() -> Iterator[None]:
    """ACLED CSV's timestamp column is the export's time: one fixed time for every export here."""
    with pytest.MonkeyPatch.context() as patch:
        patch.setenv("SOURCE_DATE_EPOCH", "1767225600")
        yield


@pytest.fixture(scope="module")
def ingested(inputs: list[str], tmp_path_factory: pytest.TempPathFactory) -> dict[str, object]:
    """What `ingest` then `export` give for the inputs: the reference."""
    out = tmp_path_factory.mktemp("ingested")
    db = out / "events.db"
    result = runner.invoke(app, ["ingest", *inputs, "--db", str(db), "--json", "--jobs", "1"])
    assert result.exit_code == 1, result.output  # the broken line
    summary = json.loads(result.stdout)
    files = {}
    for fmt, name in (("parquet", "events.parquet"), ("acled-csv", "events.csv")):
        exported = runner.invoke(app, ["export", "--db", str(db), "-f", fmt, "-o", str(out / name)])
        assert exported.exit_code == 0, exported.output
        files[fmt] = (out / name).read_bytes()
    return {"summary": summary, **files}


def _batch(inputs: list[str], out: Path, *extra: str) -> dict[str, object]:
    result = runner.invoke(app, ["batch", *inputs, "-o", str(out), "--json", *extra])
    assert result.exit_code == 1, result.output  # the broken line is reported
    return json.loads(result.stdout)


def _same_summary(batch: dict[str, object], ingest: dict[str, object]) -> None:
    """The same counts, but for "events": ingest also codes a story's older version before the
    newer one replaces it, the batch only the version that stays."""
    keys = ("articles", "new", "duplicates", "copies", "updated", "skipped")
    assert {k: batch[k] for k in keys} == {k: ingest[k] for k in keys}
    assert len(batch["failures"]) == len(ingest["failures"]) == 1  # type: ignore[arg-type]


def test_local_engine_writes_what_ingest_and_export_give(
    inputs: list[str], ingested: dict[str, object], tmp_path: Path
) -> None:
    summary = _batch(inputs, tmp_path, "--engine", "local", "--jobs", "1", "-f", "acled-csv")
    _same_summary(summary, ingested["summary"])  # type: ignore[arg-type]
    assert summary["copies"] == 2 and summary["duplicates"] == 1 and summary["updated"] == 1
    assert (tmp_path / "events.parquet").read_bytes() == ingested["parquet"]
    assert (tmp_path / "events.csv").read_bytes() == ingested["acled-csv"]
    mentions = pq.read_table(tmp_path / "mentions.parquet").to_pylist()
    events = {row["event_id"] for row in pq.read_table(tmp_path / "events.parquet").to_pylist()}
    assert {m["linked_event_id"] for m in mentions} == events
    assert "wire-9" not in {m["article_id"] for m in mentions}  # the copy reports nothing


def test_local_engine_reads_parquet_dumps(tmp_path: Path) -> None:
    import pyarrow as pa

    dump = tmp_path / "dump.parquet"
    pq.write_table(pa.Table.from_pylist([ROWS[0], ROWS[3]]), dump)
    jsonl = tmp_path / "dump.jsonl"
    jsonl.write_text("".join(json.dumps(r) + "\n" for r in (ROWS[0], ROWS[3])), encoding="utf-8")
    from_parquet = runner.invoke(app, ["batch", str(dump), "-o", str(tmp_path / "p"), "-j", "1"])
    from_jsonl = runner.invoke(app, ["batch", str(jsonl), "-o", str(tmp_path / "j"), "-j", "1"])
    assert from_parquet.exit_code == from_jsonl.exit_code == 0, from_parquet.output
    parquet_events = (tmp_path / "p" / "events.parquet").read_bytes()
    assert parquet_events == (tmp_path / "j" / "events.parquet").read_bytes()
    assert pq.read_table(tmp_path / "p" / "events.parquet").num_rows >= 2


def _java_missing() -> str | None:
    if shutil.which("java") is None and not os.environ.get("JAVA_HOME"):
        return "no Java runtime: Spark cannot start (make install installs default-jre-headless)"
    return None


@pytest.fixture(scope="session")
def spark():  # type: ignore[no-untyped-def]
    """One local Spark (two cores) for every Spark test: a JVM starts once."""
    pytest.importorskip("pyspark", reason="pyspark is not installed ('.[spark]')")
    if reason := _java_missing():
        pytest.skip(reason)
    from conflictlens.batch.spark import session

    os.environ.setdefault("PYSPARK_PYTHON", sys.executable)
    spark = session("local[2]")
    spark.sparkContext.setLogLevel("ERROR")
    yield spark
    spark.stop()


def test_spark_engine_writes_what_ingest_and_export_give(
    spark: object, inputs: list[str], ingested: dict[str, object], tmp_path: Path
) -> None:
    summary = _batch(inputs, tmp_path, "--engine", "spark", "-f", "acled-csv")
    _same_summary(summary, ingested["summary"])  # type: ignore[arg-type]
    assert (tmp_path / "events.parquet").read_bytes() == ingested["parquet"]
    assert (tmp_path / "events.csv").read_bytes() == ingested["acled-csv"]

    # Spark reads the output back with the documented types.
    frame = spark.read.parquet(str(tmp_path / "events.parquet"))  # type: ignore[attr-defined]
    types = dict(frame.dtypes)
    assert types["event_date"] == "date"
    assert types["tags"] == "array<string>"
    assert types["fatalities_by_side"] == "map<string,int>"
    assert types["evidence"].startswith("array<struct<article_id:string")
    assert frame.count() == pq.read_table(tmp_path / "events.parquet").num_rows


def test_spark_engine_gives_the_sample_corpus_ingest_events(spark: object, tmp_path: Path) -> None:
    sample = str(REPO / "corpus" / "sample")
    db = tmp_path / "events.db"
    assert runner.invoke(app, ["ingest", sample, "--db", str(db), "-q", "-j", "2"]).exit_code == 0
    exported = tmp_path / "export.parquet"
    runner.invoke(app, ["export", "--db", str(db), "-f", "parquet", "-o", str(exported)])
    result = runner.invoke(app, ["batch", sample, "-o", str(tmp_path / "out"), "--engine", "spark"])
    assert result.exit_code == 0, result.output
    assert (tmp_path / "out" / "events.parquet").read_bytes() == exported.read_bytes()


def test_spark_spreads_a_dump_over_its_tasks_before_parsing(
    spark: object, tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    """A one-file dump is one split, or uneven ones; parsing and sketching are the Python work,
    so its rows are spread evenly over a few tasks per core before they are parsed, and over
    one task per ROWS_PER_TASK rows where that is more."""
    from conflictlens.batch.spark import read_items

    dump = tmp_path / "dump.jsonl"
    rows = [{**ROWS[3], "id": f"row-{i}", "url": f"https://mx.example/{i}"} for i in range(41)]
    dump.write_text("".join(json.dumps(r) + "\n" for r in rows), encoding="utf-8")
    items = read_items(spark, [str(dump)])  # type: ignore[arg-type]
    sizes = items.rdd.glom().map(len).collect()
    assert len(sizes) == 4 * 2  # four tasks for each of local[2]'s cores
    assert sum(sizes) == 41 and max(sizes) - min(sizes) <= 1
    assert sorted(r.id for r in items.collect()) == sorted(r["id"] for r in rows)
    monkeypatch.setattr("conflictlens.batch.spark.ROWS_PER_TASK", 4)
    sizes = read_items(spark, [str(dump)]).rdd.glom().map(len).collect()  # type: ignore[arg-type]
    assert len(sizes) == 11 and max(sizes) <= 4  # 41 rows, four a task


KOBOU = (
    "Gunmen on motorcycles attacked the weekly market at Kobou in northern Burkina Faso on "
    "Sunday, killing eleven traders and wounding six others, a regional official said. The "
    "attackers arrived shortly after dawn from the direction of the border with Mali, set fire "
    "to stalls and drove off with livestock and motorbikes. Survivors who reached the town of "
    "Djibo said the gunmen separated the men from the women before opening fire. Soldiers from "
    "a nearby detachment reached the market several hours later and found the bodies among the "
    "burned stalls. No group has claimed the attack, but jihadist fighters linked to al Qaeda "
    "have carried out similar raids across the region this year. The regional governor called "
    "for calm and said reinforcements had been sent to protect the road to Djibo. Aid workers "
    "said hundreds of families had fled the area since the start of the month, many of them "
    "sleeping in schools and churches in Djibo. A local councillor said the market had been "
    "attacked twice before and that traders had asked the army for protection. The government "
    "declared three days of mourning. Humanitarian groups warned that the closure of markets "
    "in the province was pushing prices of grain beyond the reach of displaced families, and "
    "called on all armed groups to spare civilians and let aid convoys through."
)


def test_spark_takes_a_brief_for_a_copy_only_where_ingest_does(
    spark: object, tmp_path: Path
) -> None:
    """A brief cut from the story (its first 80 words) is inside it, but the two share none of
    the LSH bands ingest looks copies up by, so ingest codes both; MinHashLSH alone pairs them."""
    from conflictlens.linking import is_near_duplicate
    from conflictlens.linking.near_duplicates import fingerprint

    brief = " ".join(KOBOU.split()[:80]) + "."
    assert is_near_duplicate(KOBOU, brief)
    assert not set(fingerprint(KOBOU).bands) & set(fingerprint(brief).bands)
    rows = [
        {"id": "story", "text": KOBOU, "published": "2024-06-10"},
        {"id": "brief", "text": brief, "published": "2024-06-10"},
    ]
    dump = tmp_path / "dump.jsonl"
    dump.write_text("".join(json.dumps(r) + "\n" for r in rows), encoding="utf-8")
    db = tmp_path / "events.db"
    ingested = runner.invoke(app, ["ingest", str(dump), "--db", str(db), "--json", "-j", "1"])
    batched = runner.invoke(
        app, ["batch", str(dump), "-o", str(tmp_path / "out"), "--json", "--engine", "spark"]
    )
    assert ingested.exit_code == batched.exit_code == 0, batched.output
    ingest_summary, batch_summary = json.loads(ingested.stdout), json.loads(batched.stdout)
    assert ingest_summary["copies"] == 0
    assert batch_summary["copies"] == ingest_summary["copies"]


def test_spark_tasks_hold_a_share_of_the_input_that_does_not_grow_with_it(spark: object) -> None:
    from conflictlens.batch.spark import ROWS_PER_TASK, _tasks

    for rows in (0, 50, 10_000, 100_000, 2_500_001):
        tasks = _tasks(spark, rows)  # type: ignore[arg-type]
        assert tasks >= 4 * 2  # every core busy: a few tasks for each of local[2]'s
        assert rows / tasks <= ROWS_PER_TASK


def test_spark_confirms_copies_on_the_pairs_ingest_compares(spark: object) -> None:
    """Copies are judged band by band, each pair once; the partners are exactly the pairs that
    share one of ingest's LSH bands and pass its rule on their shingles."""
    from conflictlens.batch.spark import copy_partners
    from conflictlens.linking.near_duplicates import fingerprint, shingles_near_duplicate

    texts = {
        "story": KOBOU,
        "wire": "OUAGADOUGOU (Wire) - " + KOBOU + " Reporting by the wire's Sahel desk.",
        "trimmed": KOBOU.rsplit(" Humanitarian groups", 1)[0],
        "brief": " ".join(KOBOU.split()[:80]) + ".",
        "sahel": SAHEL,
        "sahel-wire": ROWS[1]["text"],
        "guerrero": ROWS[3]["text"],
    }
    prints = {key: fingerprint(text) for key, text in texts.items()}
    expected: dict[str, set[str]] = {}
    for a, b in ((a, b) for a in texts for b in texts if a != b):
        share = set(prints[a].bands) & set(prints[b].bands)
        if share and shingles_near_duplicate(prints[a].shingles(), prints[b].shingles()):
            expected.setdefault(a, set()).add(b)
    assert expected["story"] == {"wire", "trimmed"} and expected["sahel"] == {"sahel-wire"}
    frame = spark.createDataFrame(list(texts.items()), "key string, text string")  # type: ignore[attr-defined]
    assert copy_partners(spark, frame, tasks=3) == expected  # type: ignore[arg-type]


def test_spark_joins_shared_bands_in_as_many_tasks_as_the_input_needs(spark: object) -> None:
    """The joins that gather each shared band's texts run in the tasks the run asks for; left to
    the session's shuffle partitions, Spark's adaptive plan coalesced them into one task per
    core, whose memory grew with the day (72 MB of sort at 10,000 rows, 292 MB at 100,000)."""
    from conflictlens.batch.spark import _shared_band_members, _sketches, shuffles_in
    from conflictlens.linking.near_duplicates import fingerprint

    texts = {f"market-{i}": f"Report {i}. " + KOBOU for i in range(40)}
    texts["guerrero"] = ROWS[3]["text"]  # shares no band: left out
    frame = spark.createDataFrame(list(texts.items()), "key string, text string")  # type: ignore[attr-defined]
    members = _shared_band_members(_sketches(spark, frame))  # type: ignore[arg-type]
    with shuffles_in(spark, 5):  # type: ignore[arg-type]
        sizes = members.rdd.glom().map(len).collect()
        rows = members.collect()
    assert len(sizes) == 5 and min(sizes) > 0
    outside = _shared_band_members(_sketches(spark, frame))  # type: ignore[arg-type]
    assert len(outside.rdd.glom().collect()) < 5  # the session's plan coalesces them
    bands = {
        key: {f"{band}:{value}" for band, value in fingerprint(text).bands}
        for key, text in texts.items()
    }
    shared = {
        (key, band)
        for key in texts
        for band in bands[key]
        if any(band in bands[other] for other in texts if other != key)
    }
    assert {(r.key, r.band) for r in rows} == shared and len(rows) == len(shared)
    assert "guerrero" not in {r.key for r in rows}


def test_spark_gives_ingests_events_on_the_benchmarks_day(
    spark: object, tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    """At the benchmark's scale: its synthetic 10,000-row day (templated incidents in a dozen
    provinces, off-topic reports, syndicated copies) gives the same events, byte for byte, from
    `batch` on Spark local[2] as from `ingest` then `export`, and the same run counts."""
    monkeypatch.syspath_prepend(str(REPO / "bench"))
    bench_scale = importlib.import_module("bench_scale")
    dump = tmp_path / "day.jsonl"
    kinds = bench_scale.synthetic_day(dump, 10_000)
    assert min(kinds.values()) >= 400  # copies, incidents and off-topic reports all in it
    db, exported = tmp_path / "events.db", tmp_path / "export.parquet"
    ingested = runner.invoke(app, ["ingest", str(dump), "--db", str(db), "--json", "-j", "2"])
    assert ingested.exit_code == 0, ingested.output
    runner.invoke(app, ["export", "--db", str(db), "-f", "parquet", "-o", str(exported)])
    out = tmp_path / "out"
    batched = runner.invoke(
        app, ["batch", str(dump), "-o", str(out), "--json", "--engine", "spark"]
    )
    assert batched.exit_code == 0, batched.output
    counts = ("articles", "new", "duplicates", "copies", "updated", "skipped")
    ingest_summary, batch_summary = json.loads(ingested.stdout), json.loads(batched.stdout)
    assert {k: batch_summary[k] for k in counts} == {k: ingest_summary[k] for k in counts}
    assert ingest_summary["copies"] > 0 and ingest_summary["skipped"]  # off-topic, by reason
    assert pq.read_table(exported).num_rows > 100
    assert (out / "events.parquet").read_bytes() == exported.read_bytes()
