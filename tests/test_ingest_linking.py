"""Ingest links reports across outlets: one event per incident, copies and updates, any order."""

from __future__ import annotations

import json
import random
import sqlite3
from datetime import date, timedelta
from pathlib import Path

import pytest
from typer.testing import CliRunner

from conflictlens.cli import app
from conflictlens.ingest import read_sources
from conflictlens.linking import dataset as dataset_linking
from conflictlens.linking.dataset import link_stored
from conflictlens.linking.merge import FLAG_LINKED_WITHOUT_DATE
from conflictlens.models import Article, Event, Evidence
from conflictlens.pipeline import Ingestion, RunReport
from conflictlens.store import Store
from test_store import db_url  # noqa: F401  (the SQLite and, when configured, PostgreSQL store)

ARTICLES = Path(__file__).parent / "linking_articles"
TIGRIS = ARTICLES / "diyala_ambush_tigris.txt"
MESOPOTAMIA = ARTICLES / "diyala_ambush_mesopotamia.txt"
COPY = ARTICLES / "diyala_ambush_tigris_copy.txt"
UPDATE = ARTICLES / "diyala_ambush_tigris_update.txt"
MARKET = ARTICLES / "diyala_market_bomb.txt"
runner = CliRunner()


def read(path: Path) -> Article:
    (article,) = read_sources([str(path)])
    assert isinstance(article, Article)
    return article


def ingest(store: Store, paths: list[Path]) -> tuple[RunReport, list[str]]:
    """Ingest in one run: its report and the ids of the events it created or changed."""
    ingestion = Ingestion(store)
    for path in paths:
        ingestion.add(read(path))
    return ingestion.report, ingestion.finish()


def ambush(store: Store) -> str:
    (event,) = [e for e in store.events() if e.location and "Miqdadiyah" in e.location]
    return event.event_id


def dataset(db: Path) -> list[tuple]:
    """The events and who reports them; row ids and timestamps left out, as they follow arrival."""
    with sqlite3.connect(db) as conn:
        events = conn.execute("select * from events order by event_id").fetchall()
        mentions = conn.execute(
            "select article_id, position, event_id, record from mentions order by 1, 2"
        ).fetchall()
        articles = conn.execute(
            "select id, status, duplicate_of from articles order by id"
        ).fetchall()
    return [*events, *mentions, *articles]


def test_two_outlets_make_one_event_with_a_range(tmp_path: Path) -> None:
    with Store(tmp_path / "x.db") as store:
        ingest(store, [TIGRIS, MESOPOTAMIA, MARKET])
        event = store.get_event(ambush(store))
        assert event is not None
        assert len(event.articles) == 2
        assert event.fatalities_low == 7 and event.fatalities_high == 8
        assert set(event.outlets) == {"Tigris Tribune", "Mesopotamia Daily"}
        assert {e.article_id for e in event.evidence} == set(event.articles)
        # The market bomb the same day in the same province is another incident.
        assert store.count_events() == 2
        assert len(store.mentions_of(event.event_id)) == 2


def test_any_arrival_order_gives_the_same_dataset(tmp_path: Path) -> None:
    paths = [TIGRIS, MESOPOTAMIA, COPY, MARKET]
    snapshots = []
    for attempt, order in enumerate([paths, paths[::-1], random.Random(7).sample(paths, 4)]):
        db = tmp_path / f"{attempt}.db"
        with Store(db) as store:
            # One article per run: linking is incremental, not only within one batch.
            for path in order:
                ingest(store, [path])
        snapshots.append(dataset(db))
    assert snapshots[0] == snapshots[1] == snapshots[2]


def test_a_syndicated_copy_is_stored_as_a_copy_of_the_original(tmp_path: Path) -> None:
    with Store(tmp_path / "x.db") as store:
        report, _ = ingest(store, [COPY, TIGRIS])
        assert report.copies == 1
        copy_id, original_id = read(COPY).id, read(TIGRIS).id
        # Same publication day: the smaller id is the original, whichever came first.
        original, copy = sorted([copy_id, original_id])
        assert store.article_status(copy) == ("copy", f"copy of {original}")
        assert store.copies_of(original) == [copy]
        assert store.count_events() == 1
        (event,) = store.events()
        assert event.articles == [original]


def test_a_newer_version_replaces_the_story_and_raises_the_toll(tmp_path: Path) -> None:
    with Store(tmp_path / "x.db") as store:
        ingest(store, [TIGRIS, MESOPOTAMIA])
        before = ambush(store)
        report, changed = ingest(store, [UPDATE])
        assert report.updated == 1
        event = store.get_event(ambush(store))
        assert event is not None and event.event_id in changed
        # The update is published later than the other report, which now names the event; the
        # old id still leads to it.
        assert store.resolve_event_id(before) == event.event_id
        assert event.fatalities == 11
        assert (event.fatalities_low, event.fatalities_high) == (8, 11)
        stored = store.get_article(read(TIGRIS).id)
        assert stored is not None and "killed 11 soldiers" in stored.text
        # The older version arriving again changes nothing.
        assert ingest(store, [TIGRIS]) == (RunReport(articles=1, duplicates=1), [])


def test_corrections_survive_relinking_and_follow_a_renamed_event(tmp_path: Path) -> None:
    with Store(tmp_path / "x.db") as store:
        ingest(store, [MESOPOTAMIA])
        first_id = ambush(store)
        store.review_event(first_id, "correct", reviewer="noor", fields={"fatalities": 10})
        # An earlier report arrives: the event now takes its id, and keeps the correction.
        ingest(store, [TIGRIS])
        event = store.get_event(first_id)
        assert event is not None and event.fatalities == 10
        assert len(event.articles) == 2
        assert store.review_status(event.event_id) == ("corrected", {"fatalities": 10})
        assert [r.action for r in store.reviews(event.event_id)] == ["correct"]


def test_events_id_mentions_shows_each_report_beside_the_merged_values(tmp_path: Path) -> None:
    db = str(tmp_path / "x.db")
    result = runner.invoke(app, ["ingest", str(TIGRIS), str(MESOPOTAMIA), "--db", db, "-q"])
    assert result.exit_code == 0, result.output
    with Store(db) as store:
        event_id = ambush(store)
    shown = runner.invoke(app, ["events", "--db", db, "--id", event_id, "--mentions"])
    payload = json.loads(shown.stdout)
    assert payload["event_id"] == event_id
    assert sorted(m["record"]["fatalities"] for m in payload["mentions"]) == [7, 8]
    assert payload["fatalities_low"] == 7


def test_linking_eval_scores_pairs_of_a_gold_file(tmp_path: Path) -> None:
    gold = tmp_path / "gold.yaml"
    gold.write_text(
        "kind: linking\n"
        "clusters:\n"
        "  - articles: [diyala_ambush_tigris.txt, diyala_ambush_mesopotamia.txt,"
        " diyala_ambush_tigris_copy.txt]\n"
        "  - articles: [diyala_market_bomb.txt]\n",
        encoding="utf-8",
    )
    result = runner.invoke(app, ["eval", str(gold), "--texts", str(ARTICLES), "--json"])
    assert result.exit_code == 0, result.output
    scores = json.loads(result.stdout)
    assert (scores["true_positives"], scores["false_positives"], scores["false_negatives"]) == (
        3,
        0,
        0,
    )
    # Putting the market bomb into the ambush's cluster makes three pairs the linker rightly misses.
    gold.write_text(
        "kind: linking\nclusters:\n  - articles: [diyala_ambush_tigris.txt,"
        " diyala_ambush_mesopotamia.txt, diyala_ambush_tigris_copy.txt, diyala_market_bomb.txt]\n",
        encoding="utf-8",
    )
    scores = json.loads(
        runner.invoke(app, ["eval", str(gold), "--texts", str(ARTICLES), "--json"]).stdout
    )
    assert scores["false_negatives"] == 3 and scores["pairwise_recall"] == 0.5


def test_a_linking_gold_with_an_article_twice_is_refused(tmp_path: Path) -> None:
    gold = tmp_path / "gold.yaml"
    gold.write_text(
        "kind: linking\nclusters:\n  - articles: [a.txt]\n  - articles: [a.txt]\n",
        encoding="utf-8",
    )
    result = runner.invoke(app, ["eval", str(gold)])
    assert result.exit_code == 2 and "in two clusters" in result.output


@pytest.mark.slow
def test_the_sample_corpus_shuffled_gives_identical_event_tables(tmp_path: Path) -> None:
    files = sorted((Path(__file__).parent.parent / "corpus" / "sample").glob("*.txt"))
    snapshots = []
    for seed in (1, 2):
        order = random.Random(seed).sample(files, len(files))
        db = tmp_path / f"{seed}.db"
        with Store(db) as store:
            ingest(store, order)
        snapshots.append(dataset(db))
    assert snapshots[0] == snapshots[1]
    assert len(snapshots[0]) > 100


@pytest.mark.parametrize("country_only_first", [True, False])
def test_a_country_only_report_joins_its_event_whichever_arrives_first(
    tmp_path: Path, country_only_first: bool
) -> None:
    """'An army camp in central Mali' (no region) and the same raid placed in Mopti: one event."""
    from datetime import date

    from conflictlens.linking.dataset import link_stored
    from conflictlens.models import Event

    raid = {
        "time_precision": 1,
        "event_type": "Battles",
        "sub_event_type": "Armed clash",
        "actor1": "JNIM",
        "actor2": "Military Forces of Mali",
        "country": "Mali",
        "country_code": "ML",
        "fatalities": 16,
    }
    placed = Event(
        event_id="ev-placed",
        event_date=date(2019, 3, 16),
        admin1="Mopti",
        location="Mopti",
        latitude=14.49,
        longitude=-4.19,
        geo_precision=3,
        articles=["placed"],
        **raid,
    )
    country_only = Event(
        event_id="ev-country", event_date=date(2019, 3, 17), articles=["country"], **raid
    )
    arrivals = [("placed", placed), ("country", country_only)]
    if country_only_first:
        arrivals.reverse()
    with Store(tmp_path / "events.db") as store:
        for article_id, record in arrivals:
            store.add_article(
                Article(id=article_id, text=f"Report {article_id}.", published=date(2019, 3, 18))
            )
            store.set_mentions(article_id, [record])
            link_stored(store, [article_id])
        (event,) = store.events()
    assert sorted(event.articles) == ["country", "placed"]
    assert event.admin1 == "Mopti"  # the more precise report's place


def _ambush_record(key: str, day: date | None, fatalities: int, **fields: object) -> Event:
    """One outlet's record of an ambush at Mayadin; `day` None is a page with no date whose
    "on Monday" stayed unresolved (cited as the date's evidence)."""
    evidence = (
        []
        if day
        else [Evidence(article_id=key, field="event_date", start=0, end=9, text="on Monday")]
    )
    values: dict[str, object] = {
        "event_id": f"ev-{key}",
        "event_date": day,
        "time_precision": 1 if day else None,
        "event_type": "Battles",
        "sub_event_type": "Armed clash",
        "actor1": "Islamic State",
        "actor2": "Military Forces of Syria",
        "country": "Syria",
        "country_code": "SY",
        "admin1": "Deir ez-Zor",
        "location": "Mayadin",
        "latitude": 35.0158,
        "longitude": 40.4517,
        "geo_precision": 1,
        "fatalities": fatalities,
        "articles": [key],
        "evidence": evidence,
    }
    return Event(**(values | fields))  # type: ignore[arg-type]


def _link_in_order(store: Store, records: list[Event]) -> list[list[str]]:
    """Store and link each record's article in turn; the events' articles."""
    for record in records:
        article_id = record.articles[0]
        published = record.event_date + timedelta(days=1) if record.event_date else None
        store.add_article(Article(id=article_id, text=f"Report {article_id}.", published=published))
        store.set_mentions(article_id, [record])
        link_stored(store, [article_id])
    return sorted(sorted(e.articles) for e in store.events())


@pytest.mark.parametrize("undated_first", [True, False])
def test_an_undated_report_joins_its_only_event_whichever_arrives_first(
    tmp_path: Path, undated_first: bool
) -> None:
    dated = [
        _ambush_record("wire", date(2023, 3, 13), 9),
        _ambush_record("paper", date(2023, 3, 13), 11),
    ]
    undated = _ambush_record("blog", None, 13)
    records = [undated, *dated] if undated_first else [*dated, undated]
    with Store(tmp_path / "events.db") as store:
        assert _link_in_order(store, records) == [["blog", "paper", "wire"]]
        (event,) = store.events()
    assert event.event_date == date(2023, 3, 13)
    assert FLAG_LINKED_WITHOUT_DATE in event.flags


@pytest.mark.parametrize("undated_at", [0, 1, 2])
def test_an_undated_report_with_a_look_alike_years_apart_stays_alone(
    db_url: str,  # noqa: F811  (the fixture imported above)
    undated_at: int,
) -> None:
    # Two Monday ambushes at Mayadin two years apart, nine dead each: the report with no date
    # could be either, however far apart their dates, whatever the order they arrive in.
    records = [
        _ambush_record("first", date(2021, 3, 15), 9),
        _ambush_record("second", date(2023, 3, 13), 9),
    ]
    records.insert(undated_at, _ambush_record("blog", None, 9))
    with Store(db_url) as store:  # on PostgreSQL too: the query reads JSON records
        assert _link_in_order(store, records) == [["blog"], ["first"], ["second"]]


def test_a_new_version_whose_text_is_already_stored_is_a_duplicate(tmp_path: Path) -> None:
    with Store(tmp_path / "x.db") as store:
        ingest(store, [TIGRIS, MARKET])
        market = read(MARKET)
        # The page at the ambush's address now shows the market story, already stored.
        moved = read(TIGRIS).model_copy(
            update={"text": market.text, "content_hash": market.content_hash, "id": "moved"}
        )
        later = moved.model_copy(update={"published": date(2030, 1, 1)})
        ingestion = Ingestion(store)
        ingestion.add(later)
        ingestion.finish()
        assert ingestion.report.duplicates == 1
        assert store.count_articles() == 2
        stored = store.get_article(read(TIGRIS).id)
        assert stored is not None and stored.content_hash == read(TIGRIS).content_hash


def test_a_link_pass_merges_only_the_events_it_changes(
    tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    # Two ambushes in one province and week (far apart in place and toll): a third report of
    # the first rebuilds that event alone; the second, whose reports did not change, is not
    # merged or written again, yet the dataset is what linking all three at once gives.
    near = _ambush_record("wire", date(2023, 3, 13), 9)
    far = _ambush_record(
        "local", date(2023, 3, 14), 40, location="Abu Kamal", latitude=34.45, longitude=40.92
    )
    late = _ambush_record("paper", date(2023, 3, 13), 11)
    merged: list[list[str]] = []

    def spy(event_id: str, reports: list) -> Event:
        merged.append(sorted(r.event.articles[0] for r in reports))
        return real_merge(event_id, reports)

    real_merge = dataset_linking.merge
    with Store(tmp_path / "events.db") as store:
        _link_in_order(store, [near, far])
        monkeypatch.setattr(dataset_linking, "merge", spy)
        assert _link_in_order(store, [late]) == [["local"], ["paper", "wire"]]
    assert merged == [["paper", "wire"]]
    with Store(tmp_path / "at-once.db") as store:
        for record in (near, far, late):
            store.add_article(Article(id=record.articles[0], text=f"Report {record.articles[0]}."))
            store.set_mentions(record.articles[0], [record])
        link_stored(store, ["wire", "local", "paper"])
        assert sorted(sorted(e.articles) for e in store.events()) == [["local"], ["paper", "wire"]]


@pytest.mark.parametrize("with_country_only", [False, True])
def test_a_link_pass_clusters_one_province_at_a_time(
    tmp_path: Path, monkeypatch: pytest.MonkeyPatch, with_country_only: bool
) -> None:
    # A batch of reports from two provinces: each province's neighbourhood is read and clustered
    # alone (a pass holds its busiest province, not all of them), with the events that clustering
    # everything at once gives. A report placed only in the country may join either province, so
    # then the country is clustered whole, and the report still joins its event.
    idlib = {
        "admin1": "Idlib",
        "location": "Maarat al-Numan",
        "latitude": 35.64,
        "longitude": 36.67,
    }
    records = [
        _ambush_record("wire", date(2023, 3, 13), 9),
        _ambush_record("paper", date(2023, 3, 13), 11),
        _ambush_record("radio", date(2023, 3, 13), 5, **idlib),
        _ambush_record("blog", date(2023, 3, 13), 6, **idlib),
    ]
    expected = [["blog", "radio"], ["paper", "wire"]]
    if with_country_only:
        unplaced = {"admin1": None, "location": None, "latitude": None, "longitude": None}
        records.append(_ambush_record("agency", date(2023, 3, 13), 9, **unplaced))
        expected = [["agency", "paper", "wire"], ["blog", "radio"]]
    clustered: list[set[str | None]] = []

    def spy(mentions: list) -> list:
        clustered.append({m.admin1 for m in mentions})
        return real_cluster(mentions)

    real_cluster = dataset_linking.cluster
    monkeypatch.setattr(dataset_linking, "cluster", spy)
    with Store(tmp_path / "events.db") as store:
        for record in records:
            article_id = record.articles[0]
            store.add_article(Article(id=article_id, text=f"Report {article_id}."))
            store.set_mentions(article_id, [record])
        link_stored(store, [r.articles[0] for r in records])
        assert sorted(sorted(e.articles) for e in store.events()) == expected
    if with_country_only:
        assert clustered == [{"Deir ez-Zor", "Idlib", None}]
    else:
        assert sorted(clustered, key=sorted) == [{"Deir ez-Zor"}, {"Idlib"}]


@pytest.mark.parametrize("meanwhile", ["copy", "link"])
def test_a_link_pass_reads_again_what_another_writer_changed_meanwhile(
    db_url: str,  # noqa: F811  (the fixture imported above)
    monkeypatch: pytest.MonkeyPatch,
    meanwhile: str,
) -> None:
    # A late report of the ambush is linked while another process, between this pass's reading
    # of the neighbourhood and its writing, either finds one stored report to be a copy (its
    # mention goes) or links a fourth report into the event (the mentions move). The pass must
    # not fail nor write links from what it read: it reads again and links with what is stored.
    wire = _ambush_record("wire", date(2023, 3, 13), 9)
    paper = _ambush_record("paper", date(2023, 3, 13), 11)
    late = _ambush_record("late", date(2023, 3, 13), 10)
    blog = _ambush_record("blog", date(2023, 3, 13), 12)
    real_cluster = dataset_linking.cluster
    interfered: list[str] = []

    def other_writer(store: Store) -> None:
        if meanwhile == "copy":
            store.mark_copy("paper", "wire")
        else:
            store.add_article(Article(id="blog", text="Report blog."))
            store.set_mentions("blog", [blog])
            link_stored(store, ["blog"])

    with Store(db_url) as store:
        _link_in_order(store, [wire, paper])
        store.add_article(Article(id="late", text="Report late."))
        store.set_mentions("late", [late])

        def cluster_then_interfere(mentions: list) -> list:
            groups = real_cluster(mentions)
            if not interfered:
                interfered.append(meanwhile)
                other_writer(store)
            return groups

        monkeypatch.setattr(dataset_linking, "cluster", cluster_then_interfere)
        link_stored(store, ["late"])
        events = sorted(sorted(e.articles) for e in store.events())
    assert interfered == [meanwhile]
    if meanwhile == "copy":
        assert events == [["late", "wire"]]
    else:
        assert events == [["blog", "late", "paper", "wire"]]


@pytest.mark.parametrize("quiet", [True, False])
def test_quiet_ingest_tells_failures_only(tmp_path: Path, quiet: bool) -> None:
    """A day's feed holds thousands of copies: `-q` keeps their notices off stderr, never errors."""
    missing = tmp_path / "missing.txt"
    args = ["ingest", str(TIGRIS), str(COPY), str(missing), "--db", str(tmp_path / "x.db")]
    result = runner.invoke(app, [*args, *(["-q"] if quiet else [])])
    assert result.exit_code == 1
    lines = result.stderr.splitlines()
    assert any(line.startswith("error") and "missing.txt" in line for line in lines)
    assert any(line.startswith("copy") for line in lines) is not quiet
