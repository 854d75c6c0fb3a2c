"""The batch plan on Spark: reading, sketching, coding and linking run on the executors; the
driver only replays ingest's storing rules on the rows' keys (`ArticlePlan`) and writes the files.

- Reading: JSON Lines, CSV and Parquet dumps through Spark's own readers (any path Spark reads);
  anything else (WARC, text files) as whole files, parsed by conflictlens' readers. Each row keeps
  its place in the input (argument, file, position), so ids and copies come out as with `ingest`.
- Near-duplicates: each row's fingerprint, the very sketch `ingest` stores (MinHash LSH bands and
  shingles); rows sharing a band are candidates, confirmed on their shingles with ingest's rule
  by one task per band.
- Coding: `mapPartitions` over the chosen rows (the relevance gate, then the extractor; the models
  load once per Python worker and stay for its next tasks).
- Linking: grouped by block (country, first-level division), ingest's clustering per group.

Python functions run through RDD `mapPartitions` (rows as tuples), not pandas UDFs: nothing on
the way depends on the pandas version the executors have.
"""

from __future__ import annotations

import json
import os
import sys
import tempfile
from collections import defaultdict
from collections.abc import Iterator, Sequence
from contextlib import contextmanager
from datetime import date
from itertools import combinations, groupby
from operator import attrgetter
from pathlib import Path
from typing import TYPE_CHECKING

from conflictlens.batch.local import count_outcome
from conflictlens.batch.plan import ArticlePlan, RowKey, StoredMention, block_of, link_block
from conflictlens.models import Article, Event
from conflictlens.parallel import uncodable
from conflictlens.pipeline import RunReport

if TYPE_CHECKING:
    from pyspark import RDD
    from pyspark.sql import DataFrame, Row, SparkSession

# A task's share of the input. Smaller shares cost time: a Python task costs about 0.2 s on its
# own (PySpark ships its function, rows and results), 22 s more to parse 100,000 rows in 100
# tasks than in 4. Memory is mostly Spark's sort pages (16 MB) until a share outgrows them: the
# sort that groups bands held 16.1 MB at 2,500 rows a task and 49.0 MB at 5,000.
ROWS_PER_TASK = 5_000
DUMP_SUFFIXES = (".jsonl", ".ndjson", ".json", ".csv", ".parquet")

ITEM_SCHEMA = (
    "key string, failure string, id string, text string, title string, url string, "
    "outlet string, published date, language string, source string, content_hash string, "
    "text_id string, skipped string"
)
# The parts of an item's place in the input (argument, file, position, item in file), joined so
# that text order is input order.
_KEY_SEPARATOR = "\x01"
CODED_SCHEMA = (
    "article_id string, published date, off_topic boolean, language string, error string, "
    "source string, mentions int, events string"
)


def session(master: str | None = None) -> SparkSession:
    """The active Spark session, or a new one on `master` (default local[*])."""
    from pyspark.sql import SparkSession

    os.environ.setdefault("PYSPARK_PYTHON", sys.executable)
    active = SparkSession.getActiveSession()
    if active is not None:
        return active
    builder = SparkSession.builder.appName("conflictlens batch").config("spark.ui.enabled", "false")
    # Under spark-submit (which starts the gateway) the master comes from its command line.
    if master or "PYSPARK_GATEWAY_PORT" not in os.environ:
        master = master or "local[*]"
        builder = builder.master(master)
    return builder.getOrCreate()


@contextmanager
def shuffles_in(spark: SparkSession, tasks: int) -> Iterator[None]:
    """Spark SQL's shuffles (joins, aggregates) cut into `tasks` partitions while inside.

    Left to the session's shuffle partitions, which the adaptive plan coalesces into about one a
    core, one task joined a whole day's shingles: 72 MB of sort at 10,000 rows, 292 MB at
    100,000. `tasks` already follows the rows, so coalescing is off too."""
    conf = spark.conf
    settings = {
        "spark.sql.shuffle.partitions": str(tasks),
        "spark.sql.adaptive.coalescePartitions.enabled": "false",
    }
    before = {name: conf.get(name) for name in settings}
    for name, value in settings.items():
        conf.set(name, value)
    try:
        yield
    finally:
        for name, value in before.items():
            conf.set(name, value)


def _tasks(spark: SparkSession, rows: int = 0) -> int:
    """Tasks for a stage of Python work on `rows` input rows: a few per core, so that no core
    waits on the last one, and one per ROWS_PER_TASK rows, so that what one task holds (a sort's
    buffers, a worker's groups) does not grow with the input."""
    return max(1, spark.sparkContext.defaultParallelism * 4, -(-rows // ROWS_PER_TASK))


def _item(arg: int, file: str, pos: int, sub: int, item: object) -> tuple:
    """One parsed item as a tuple of ITEM_SCHEMA: an Article's fields, or a read failure."""
    from conflictlens.ingest import ReadFailure

    key = _KEY_SEPARATOR.join((f"{arg:06d}", file, f"{pos:020d}", f"{sub:09d}"))
    if isinstance(item, ReadFailure):
        return (key, item.reason, *[None] * 7, item.source, None, None, None)
    assert isinstance(item, Article)
    skipped = uncodable(item)
    return (
        key,
        None,
        item.id,
        item.text,
        item.title,
        item.url,
        item.outlet,
        item.published,
        item.language,
        item.source,
        item.content_hash,
        Article.id_for(item.text),
        skipped.skip_reason() if skipped is not None else None,
    )


def _parse_lines(rows: Iterator[Row]) -> Iterator[tuple]:
    """JSON lines to articles, with ingest's reader (one bad line is one read failure)."""
    from conflictlens.ingest import ReadFailure
    from conflictlens.ingest.readers import _row_to_article

    for r in rows:
        if not r.value.strip():
            continue
        where = f"{r.file}:{r.pos}"
        try:
            row = json.loads(r.value)
        except json.JSONDecodeError as exc:
            item: object = ReadFailure(where, f"invalid JSON ({exc.msg})")
        else:
            item = (
                _row_to_article(row, where)
                if isinstance(row, dict)
                else ReadFailure(where, "a JSON Lines row must be an object with a 'text' key")
            )
        yield _item(r.arg, r.file, r.pos, 0, item)


def _parse_columns(rows: Iterator[Row]) -> Iterator[tuple]:
    """CSV or Parquet rows (the dump columns) to articles, with ingest's reader."""
    from conflictlens.ingest.readers import _row_to_article

    for r in rows:
        fields = {k: _plain(v) for k, v in r.asDict().items() if k not in ("arg", "file", "pos")}
        yield _item(r.arg, r.file, r.pos, 0, _row_to_article(fields, f"{r.file}:{r.pos}"))


def _plain(value: object) -> object:
    """A dump cell as the JSON Lines reader would see it (dates as ISO text)."""
    return value.isoformat() if isinstance(value, date) else value


def _parse_files(rows: Iterator[Row]) -> Iterator[tuple]:
    """Whole files (WARC, text, HTML) parsed by conflictlens' readers from a local copy."""
    from conflictlens.ingest import read_sources
    from conflictlens.ingest.readers import _READABLE_SUFFIXES, _suffix

    for r in rows:
        name = Path(str(r.path)).name
        if name.startswith(".") or _suffix(Path(name)) not in _READABLE_SUFFIXES:
            continue  # what ingest's folder reading leaves out (notes, gold files, hidden files)
        with tempfile.TemporaryDirectory() as folder:
            local = Path(folder) / name
            local.write_bytes(r.content)
            for sub, item in enumerate(read_sources([str(local)])):
                yield _item(r.arg, r.path, 0, sub, item)


def read_items(spark: SparkSession, inputs: Sequence[str]) -> DataFrame:
    """Every input's items (ITEM_SCHEMA); their `key`s sort in ingest's reading order."""
    from pyspark.sql import functions as F

    parts = []
    for arg, path in enumerate(inputs):
        lowered = path.lower()
        if lowered.endswith(DUMP_SUFFIXES):
            if lowered.endswith(".parquet"):
                raw, parse = spark.read.parquet(path), _parse_columns
            elif lowered.endswith(".csv"):
                raw = spark.read.csv(path, header=True, multiLine=True, escape='"')
                raw, parse = raw.toDF(*[c.strip().lower() for c in raw.columns]), _parse_columns
            else:
                raw, parse = spark.read.text(path), _parse_lines
            raw = raw.select(
                F.lit(arg).alias("arg"),
                F.input_file_name().alias("file"),
                F.monotonically_increasing_id().alias("pos"),
                *raw.columns,
            )
        else:
            raw = spark.read.format("binaryFile").option("recursiveFileLookup", "true").load(path)
            raw, parse = raw.select(F.lit(arg).alias("arg"), "path", "content"), _parse_files
        # Spark splits files by size with a fixed cost per file, and not at all where a file
        # cannot be split (multi-line CSV, compressed text), so a dump's splits can be one or
        # uneven: spread the rows before parsing, since parsing and sketching are the Python work,
        # and as many tasks as the rows need, so that a task's share does not grow with the dump.
        raw = raw.repartition(max(_tasks(spark, raw.count()), raw.rdd.getNumPartitions()))
        parts.append(raw.rdd.mapPartitions(parse))
    return spark.createDataFrame(spark.sparkContext.union(parts), ITEM_SCHEMA)


def _sorted_groups(rows: DataFrame, column: str, tasks: int) -> RDD[Row]:
    """The rows with each value of `column` in one task, in a run: Spark sorts them (spilling
    as it needs), so a Python task holds one group at a time, not its whole share of the data,
    as an RDD groupByKey would (up to spark.python.worker.memory, 512 MB, before spilling)."""
    return rows.repartition(tasks, column).sortWithinPartitions(column).rdd


def _sketched(rows: Iterator[Row]) -> Iterator[tuple[str, list[str], bytes]]:
    """Each text's fingerprint as `ingest` stores it: its LSH bands ("band:hash") and shingles."""
    from conflictlens.linking.near_duplicates import fingerprint

    for r in rows:
        sketch = fingerprint(r.text)
        yield r.key, [f"{band}:{value}" for band, value in sketch.bands], sketch.shingle_bytes


def _copies_by_band(rows: Iterator[Row]) -> Iterator[tuple[str, str]]:
    """The pairs of copies among the texts that share a band. Rows come sorted by band, so one
    band's texts are in memory at a time; a pair sharing several bands is judged in the first."""
    from conflictlens.linking.near_duplicates import shingles_from_bytes, shingles_near_duplicate

    for band, group in groupby(rows, key=attrgetter("band")):
        members = sorted(group, key=attrgetter("key"))
        bands = [frozenset(m.bands) for m in members]
        shingles = [shingles_from_bytes(m.shingles) for m in members]
        for i, j in combinations(range(len(members)), 2):
            if min(bands[i] & bands[j]) != band:
                continue
            if shingles_near_duplicate(shingles[i], shingles[j]):
                yield members[i].key, members[j].key


def _sketches(spark: SparkSession, articles: DataFrame) -> DataFrame:
    """(key, bands, shingles) for each article (key, text)."""
    return spark.createDataFrame(
        articles.select("key", "text").rdd.mapPartitions(_sketched),
        "key string, bands array<string>, shingles binary",
    )


def _shared_band_members(sketches: DataFrame) -> DataFrame:
    """(key, band, bands, shingles) for each band a text shares with another text."""
    from pyspark.sql import functions as F

    in_band = sketches.select("key", F.explode("bands").alias("band"))
    shared = in_band.groupBy("band").count().where("count > 1").select("band")
    return in_band.join(shared, "band").join(sketches, "key")


def copy_partners(spark: SparkSession, articles: DataFrame, tasks: int) -> dict[str, set[str]]:
    """Item -> the items it is a near-duplicate of, either way, by item key.

    The candidates are exactly those `ingest` looks up in its band table (texts sharing one of
    its LSH bands), confirmed with its rule on the shingles it stores. Each text is sketched once
    and the texts of one band are compared in one task: no text travels once per candidate pair,
    for on templated news a day's candidate pairs grow with the square of its size (35,697 at
    10,000 rows, 309,435 at 30,000). Spark ML's MinHashLSH is not used: its tables are single
    hashes (OR-amplification only), whose pairs are not ingest's, and on templated news its
    self-join paired most of a day's reports with each other."""
    sketches = _sketches(spark, articles).persist()
    copies = _sorted_groups(_shared_band_members(sketches), "band", tasks)
    copies = copies.mapPartitions(_copies_by_band)
    partners: dict[str, set[str]] = defaultdict(set)
    for a, b in copies.collect():
        partners[a].add(b)
        partners[b].add(a)
    sketches.unpersist()
    return partners


def plan_items(
    spark: SparkSession, items: DataFrame, tasks: int
) -> tuple[ArticlePlan, list[str], list[tuple[str, str]]]:
    """The driver's replay of ingest's storing rules over the items' keys, in input order:
    (the plan, each row's item key, the read failures)."""
    codable = items.where("failure IS NULL AND skipped IS NULL")
    partner_keys = copy_partners(spark, codable, tasks)
    keys = items.select(
        "key", "failure", "source", "id", "text_id", "url", "content_hash", "published", "skipped"
    ).collect()
    keys.sort(key=lambda r: r.key)
    row_of_key = {r.key: row for row, r in enumerate(keys)}
    partners = {row_of_key[k]: {row_of_key[p] for p in near} for k, near in partner_keys.items()}
    row_of_id: dict[str, int] = {}
    id_of_row: dict[int, str] = {}
    plan = ArticlePlan(
        # Only a confirmed pair makes a copy, so the candidates that matter are a row's partners;
        # ingest's others are compared and found different.
        neighbours=lambda key: {id_of_row[r] for r in partners.get(key.row, ()) if r in id_of_row},
        confirm=lambda key, other: plan.stored[other].row in partners.get(key.row, ()),
    )
    failures = []
    for row, r in enumerate(keys):
        if r.failure is not None:
            failures.append((r.source, r.failure))
            continue
        key = RowKey(row, r.id, r.text_id, r.url, r.content_hash, r.published, r.skipped)
        stored_id = plan.add(key)
        if stored_id is not None:
            id_of_row.pop(row_of_id.get(stored_id, -1), None)
            id_of_row[key.row], row_of_id[stored_id] = stored_id, key.row
    return plan, [r.key for r in keys], failures


def _code_rows(rows: Iterator[Row]) -> Iterator[tuple]:
    """Code each chosen article (models stay loaded in this Python worker between tasks)."""
    from conflictlens.parallel import code_article

    for r in rows:
        article = Article(
            id=r.stored_id,
            text=r.text,
            title=r.title,
            url=r.url,
            outlet=r.outlet,
            published=r.published,
            language=r.language,
            content_hash=r.content_hash,
        )
        coded = code_article(article)
        yield (
            article.id,
            article.published,
            coded.off_topic,
            coded.language,
            coded.error,
            r.source,
            len(coded.events),
            json.dumps([e.to_json_dict() for e in coded.events]),
        )


MENTION_SCHEMA = "block string, article_id string, published date, record string"


def _mentions_of(row: Row) -> Iterator[tuple[str, str, date | None, str]]:
    """(block, article id, published, record) for each mention of a coded article."""
    for raw in json.loads(row.events):
        mention = StoredMention(row.article_id, row.published, Event.model_validate(raw))
        yield block_of(mention), row.article_id, row.published, json.dumps(raw)


def _link_blocks(rows: Iterator[Row]) -> Iterator[tuple[str, str]]:
    """(merged record, its mentions' keys) for each event; rows come sorted by block."""
    for _block, group in groupby(rows, key=attrgetter("block")):
        mentions = [
            StoredMention(r.article_id, r.published, Event.model_validate_json(r.record))
            for r in group
        ]
        for merged, keys in link_block(mentions):
            yield merged.model_dump_json(), json.dumps(keys)


def link_coded(
    spark: SparkSession, coded: DataFrame, tasks: int
) -> tuple[list[Event], list[tuple[str, str, Event]]]:
    """Every block linked with ingest's rules: (events, mentions as (article, event, record))."""
    rows = coded.select("article_id", "published", "events").rdd.flatMap(_mentions_of)
    mentions = spark.createDataFrame(rows, MENTION_SCHEMA).persist()  # read twice below
    linked = _sorted_groups(mentions, "block", tasks).mapPartitions(_link_blocks)
    events, linked_to = [], {}
    for record, members in linked.collect():
        merged = Event.model_validate_json(record)
        events.append(merged)
        linked_to.update(dict.fromkeys(json.loads(members), merged.event_id))
    mention_rows = []
    for article_id, record in mentions.select("article_id", "record").collect():
        mention = Event.model_validate_json(record)
        mention_rows.append((article_id, linked_to[mention.event_id], mention))
    mentions.unpersist()
    return events, mention_rows


def run_spark(
    inputs: Sequence[str], *, master: str | None = None
) -> tuple[RunReport, list[Event], list[tuple[str, str, Event]]]:
    """The whole plan on Spark: (run summary, events, mentions as (article, event, record))."""
    spark = session(master)
    items = read_items(spark, inputs).persist()
    try:
        tasks = _tasks(spark, items.count())  # read once: later steps read the cached items
        with shuffles_in(spark, tasks):
            return _plan_code_link(spark, items, tasks)
    finally:
        items.unpersist()


def _plan_code_link(
    spark: SparkSession, items: DataFrame, tasks: int
) -> tuple[RunReport, list[Event], list[tuple[str, str, Event]]]:
    """The read items planned as ingest would store them, the chosen ones coded, then linked."""
    plan, item_keys, failures = plan_items(spark, items, tasks)
    report = plan.report
    report.failures.extend(failures)
    chosen = spark.createDataFrame(
        [(item_keys[row], stored_id) for row, stored_id in plan.coded()],
        "key string, stored_id string",
    )
    to_code = items.join(chosen, "key").repartition(tasks, "key")
    coded = spark.createDataFrame(to_code.rdd.mapPartitions(_code_rows), CODED_SCHEMA)
    coded = coded.persist()
    coded.count()  # coded once: every later step reads the cached outcomes
    for outcome in sorted(coded.drop("events").collect(), key=lambda o: o.article_id):
        count_outcome(
            report,
            source=outcome.source or outcome.article_id,
            off_topic=outcome.off_topic,
            language=outcome.language,
            error=outcome.error,
            mentions=outcome.mentions,
        )
    events, mention_rows = link_coded(spark, coded, tasks)
    coded.unpersist()
    return report, events, mention_rows
