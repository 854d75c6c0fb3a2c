"""Storage: idempotent writes, filters, summaries, migrations and exact JSON round trips.

Runs on a SQLite file; set CONFLICTLENS_TEST_PG_URL (e.g. postgresql+psycopg://user@host/db, a
database the tests may wipe) to run every test on PostgreSQL too.
"""

from __future__ import annotations

import os
from collections.abc import Iterator
from datetime import UTC, date, datetime
from typing import Any

import pytest
from alembic import command
from alembic.autogenerate import compare_metadata
from alembic.runtime.migration import MigrationContext
from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st
from sqlalchemy import MetaData, create_engine, inspect, select, text

from conflictlens.linking import fingerprint
from conflictlens.models import Article, Event, Evidence
from conflictlens.store import UNKNOWN, ReviewError, Run, SchemaError, Store, Tally
from conflictlens.store.base import EVENT_ORDERS
from conflictlens.store.events import page_ids
from conflictlens.store.migrate import alembic_config, head_revision
from conflictlens.store.schema import is_declared, metadata

PG_URL_ENV = "CONFLICTLENS_TEST_PG_URL"
TABLES = {
    "alembic_version",
    "articles",
    "article_bands",
    "article_shingles",
    "event_aliases",
    "events",
    "mentions",
    "reviews",
    "runs",
}


def _drop_everything(url: str) -> None:
    engine = create_engine(url)
    try:
        existing = MetaData()
        existing.reflect(engine)
        existing.drop_all(engine)
    finally:
        engine.dispose()


PG_URL = os.environ.get(PG_URL_ENV)
# PostgreSQL joins the backends only when configured, so a run without it shows one skip, not dozens.
BACKENDS = ["sqlite"] + ([pytest.param("postgres", marks=pytest.mark.postgres)] if PG_URL else [])


@pytest.fixture(params=BACKENDS)
def db_url(request: pytest.FixtureRequest, tmp_path: Any) -> str:
    if request.param == "sqlite":
        return f"sqlite:///{tmp_path / 'events.db'}"
    assert PG_URL is not None
    _drop_everything(PG_URL)
    return PG_URL


@pytest.mark.postgres
@pytest.mark.skipif(not PG_URL, reason=f"set {PG_URL_ENV} to run the store tests on PostgreSQL")
def test_postgres_database_is_migrated_to_head() -> None:
    assert PG_URL is not None
    _drop_everything(PG_URL)
    with Store(PG_URL) as on_postgres:
        assert on_postgres.schema_version() == head_revision()
    engine = create_engine(PG_URL)
    assert set(inspect(engine).get_table_names()) == TABLES
    engine.dispose()


@pytest.fixture
def store(db_url: str) -> Iterator[Store]:
    with Store(db_url) as opened:
        yield opened


def dump(url: str) -> dict[str, list[tuple[Any, ...]]]:
    """Every row of every table, in primary-key order."""
    engine = create_engine(url)
    try:
        tables = MetaData()
        tables.reflect(engine)
        with engine.connect() as conn:
            return {
                name: [
                    tuple(row)
                    for row in conn.execute(select(table).order_by(*table.primary_key.columns))
                ]
                for name, table in sorted(tables.tables.items())
            }
    finally:
        engine.dispose()


def article(article_id: str = "a1", text_: str = "Gunmen attacked a checkpoint.", **fields: Any):
    return Article(id=article_id, text=text_, **fields)


def incident(event_id: str, **fields: Any) -> Event:
    return Event(event_id=event_id, articles=["a1"], **fields)


# Migrations


def test_fresh_file_is_migrated_to_head(tmp_path: Any) -> None:
    path = tmp_path / "nested" / "fresh.db"
    with Store(str(path)) as fresh:
        assert fresh.schema_version() == head_revision() == "0005"
        assert fresh.count_articles() == 0
    engine = create_engine(f"sqlite:///{path}")
    names = set(inspect(engine).get_table_names())
    assert {name for name in names if is_declared(name, "table")} == TABLES
    assert {"event_search", "events_fts"} <= names
    engine.dispose()


def test_migrations_build_the_schema_the_code_declares(store: Store) -> None:
    engine = create_engine(store.url)
    with engine.connect() as conn:
        context = MigrationContext.configure(
            conn, opts={"compare_type": True, "include_name": is_declared}
        )
        assert compare_metadata(context, metadata) == []
    engine.dispose()


def test_reopening_keeps_data_and_version(db_url: str) -> None:
    with Store(db_url) as first:
        first.add_article(article())
    before = dump(db_url)
    with Store(db_url) as second:
        assert second.schema_version() == head_revision()
        assert second.get_article("a1") is not None
    assert dump(db_url) == before


def test_database_at_an_older_revision_is_upgraded_on_open(db_url: str) -> None:
    Store(db_url).close()
    engine = create_engine(db_url)
    with engine.begin() as conn:
        command.downgrade(alembic_config(conn), "base")
    assert set(inspect(engine).get_table_names()) == {"alembic_version"}
    engine.dispose()
    with Store(db_url) as upgraded:
        assert upgraded.schema_version() == head_revision()
        assert upgraded.add_article(article()) == ("a1", True)


def test_a_0001_database_keeps_its_articles_through_the_linking_upgrade(db_url: str) -> None:
    with Store(db_url) as store:
        store.add_article(article())
    engine = create_engine(db_url)
    with engine.begin() as conn:
        command.downgrade(alembic_config(conn), "0001")
    engine.dispose()
    with Store(db_url) as upgraded:
        assert upgraded.schema_version() == head_revision()
        assert upgraded.get_article("a1") is not None
        assert upgraded.article_status("a1") == ("ok", None)


def test_database_from_a_newer_version_is_refused(db_url: str) -> None:
    Store(db_url).close()
    engine = create_engine(db_url)
    with engine.begin() as conn:
        conn.execute(text("UPDATE alembic_version SET version_num = '9999'"))
    engine.dispose()
    with pytest.raises(SchemaError, match="9999"):
        Store(db_url)


# Articles


def test_same_url_is_stored_once(store: Store) -> None:
    assert store.add_article(article("a1", url="https://example.org/x")) == ("a1", True)
    again = article("a2", "A later version of the page.", url="https://example.org/x")
    assert store.add_article(again) == ("a1", False)
    assert store.count_articles() == 1
    assert store.get_article("a2") is None


def test_same_text_with_other_whitespace_and_case_is_stored_once(store: Store) -> None:
    assert store.add_article(article("a1", "Gunmen  attacked\r\n a checkpoint.")) == ("a1", True)
    assert store.add_article(article("a2", "GUNMEN attacked\na checkpoint. ")) == ("a1", False)
    assert store.count_articles() == 1


def test_duplicate_write_changes_nothing(store: Store) -> None:
    store.add_article(article(url="https://example.org/x"))
    before = dump(store.url)
    store.add_article(article(url="https://example.org/x"))
    assert dump(store.url) == before


def test_taken_id_with_other_text_gets_the_text_id(store: Store) -> None:
    store.add_article(article("report", "First text."))
    stored_id, is_new = store.add_article(article("report", "A different text."))
    assert is_new
    assert stored_id == Article.id_for("A different text.")
    stored = store.get_article(stored_id)
    assert stored is not None and stored.text == "A different text."


def test_article_round_trips(store: Store) -> None:
    original = article(
        "a1",
        "Zwei Soldaten wurden getötet.\nSecond line.",
        title="Überfall",
        url="https://example.org/a",
        outlet="Example Wire",
        published=date(2021, 1, 9),
        language="de",
        source="/data/a.txt",
    )
    store.add_article(original)
    assert store.get_article("a1") == original
    assert store.get_article("missing") is None


def test_shingles_are_stored_and_made_from_the_text_where_none_were(store: Store) -> None:
    # A copy is confirmed on the candidates' stored shingles; an article fingerprinted before
    # shingles were stored (schema 0004) is shingled from its text, to the same hashes.
    texts = {
        "a1": "Gunmen killed four farmers near Gusau in Zamfara on Tuesday, police said. The "
        "attackers arrived on motorcycles and burned a granary before fleeing into the forest.",
        "a2": "Shares in a mining firm rose on Monday after it raised its yearly forecast. "
        "Analysts said copper prices and a weaker currency would lift earnings into next year.",
    }
    for article_id, body in texts.items():
        store.add_article(article(article_id, body))
        store.add_fingerprint(article_id, fingerprint(body))
    with store.engine.begin() as conn:
        conn.execute(text("DELETE FROM article_shingles WHERE article_id = 'a2'"))
    found = store.article_shingles(["a1", "a2", "missing"])
    assert sorted(found) == ["a1", "a2"]
    for article_id, body in texts.items():
        assert found[article_id].tobytes() == fingerprint(body).shingle_bytes
        assert len(found[article_id]) > 20  # one hash per distinct 5-gram


def test_article_status(store: Store) -> None:
    store.add_article(article("a1"))
    store.add_article(article("a2", "Not about violence."), status="skipped", reason="off topic")
    assert store.article_status("a1") == ("ok", None)
    assert store.article_status("a2") == ("skipped", "off topic")
    store.set_article_status("a1", "skipped", "extraction failed")
    assert store.article_status("a1") == ("skipped", "extraction failed")
    assert store.article_status("missing") is None
    with pytest.raises(KeyError):
        store.set_article_status("missing", "ok")


# Mentions and events


def test_same_mentions_twice_leave_the_database_identical(store: Store) -> None:
    store.add_article(article())
    found = [
        incident("e1", event_date=date(2021, 1, 9), fatalities=7, latitude=35.3, longitude=40.1),
        incident("e2", kind="aggregate", fatalities=61),
    ]
    store.set_mentions("a1", found)
    before = dump(store.url)
    store.set_mentions("a1", [e.model_copy(deep=True) for e in found])
    after = dump(store.url)
    assert after == before
    assert len(after["mentions"]) == 2 and len(after["events"]) == 2


def test_new_mentions_replace_old_ones(store: Store) -> None:
    store.add_article(article())
    store.set_mentions("a1", [incident("e1", fatalities=2), incident("e2"), incident("e3")])
    store.set_mentions("a1", [incident("e1", fatalities=3), incident("e4")])
    assert store.count_events() == 2
    updated = store.get_event("e1")
    assert updated is not None and updated.fatalities == 3
    assert store.get_event("e2") is None and store.get_event("e3") is None
    assert [e.event_id for _, e in store.mentions_of("e4")] == ["e4"]
    store.set_mentions("a1", [])
    assert store.count_events() == 0


def test_event_another_article_mentions_is_kept(store: Store) -> None:
    store.add_article(article("a1"))
    store.add_article(article("a2", "Another outlet's report."))
    store.set_mentions("a1", [incident("shared")])
    store.set_mentions("a2", [incident("shared")])
    store.set_mentions("a1", [])
    assert store.get_event("shared") is not None
    assert [article_id for article_id, _ in store.mentions_of("shared")] == ["a2"]


def test_mentions_of_gives_each_report_its_own_record(store: Store) -> None:
    store.add_article(article("a1"))
    store.add_article(article("a2", "Another outlet's report."))
    store.set_mentions("a1", [incident("e1", fatalities=7, sources=["Monitor"])])
    store.set_mentions("a2", [incident("e0"), incident("e1", fatalities=9)])
    reports = store.mentions_of("e1")
    assert [(article_id, e.fatalities) for article_id, e in reports] == [("a1", 7), ("a2", 9)]
    assert reports[0][1].sources == ["Monitor"]
    assert store.mentions_of("missing") == []


def test_mentions_need_a_stored_article_and_distinct_ids(store: Store) -> None:
    with pytest.raises(KeyError):
        store.set_mentions("missing", [incident("e1")])
    store.add_article(article())
    with pytest.raises(ValueError, match="twice"):
        store.set_mentions("a1", [incident("e1"), incident("e1")])
    assert store.count_events() == 0


FILTER_EVENTS = [
    incident(
        "deir-clash",
        event_date=date(2021, 1, 9),
        country="Syria",
        country_code="SY",
        admin1="Deir ez-Zor",
        event_type="Battles",
        actor1="Islamic State",
        actor2="National Defence Forces",
        fatalities=7,
    ),
    incident(
        "homs-ambush",
        event_date=date(2021, 1, 3),
        country="Syria",
        country_code="SY",
        admin1="Homs",
        event_type="Battles",
        actor1="Islamic State",
        actor2="Syrian Arab Army",
        fatalities=15,
    ),
    incident(
        "homs-strike",
        event_date=date(2020, 4, 9),
        country="Syria",
        country_code="SY",
        admin1="Homs",
        event_type="Explosions/Remote violence",
        actor1="Russian Air Force",
    ),
    incident("syria-tally", kind="aggregate", country="Syria", country_code="SY", fatalities=61),
    incident(
        "anbar-attack",
        event_date=date(2021, 2, 1),
        country="Iraq",
        country_code="IQ",
        admin1="Anbar",
        event_type="Violence against civilians",
        actor1="Islamic State",
        actor2="Civilians",
        fatalities=2,
    ),
]


@pytest.fixture
def filled(store: Store) -> Store:
    store.add_article(article())
    store.set_mentions("a1", FILTER_EVENTS)
    return store


@pytest.mark.parametrize(
    ("filters", "expected"),
    [
        ({}, ["homs-strike", "homs-ambush", "deir-clash", "anbar-attack", "syria-tally"]),
        ({"country": "Syria"}, ["homs-strike", "homs-ambush", "deir-clash", "syria-tally"]),
        ({"country": "iq"}, ["anbar-attack"]),
        ({"admin1": "Homs"}, ["homs-strike", "homs-ambush"]),
        ({"since": date(2021, 1, 3)}, ["homs-ambush", "deir-clash", "anbar-attack"]),
        ({"until": date(2021, 1, 3)}, ["homs-strike", "homs-ambush"]),
        ({"event_type": "Battles"}, ["homs-ambush", "deir-clash"]),
        ({"kind": "aggregate"}, ["syria-tally"]),
        ({"actor": "Civilians"}, ["anbar-attack"]),
        ({"actor": "Islamic State", "country": "SY"}, ["homs-ambush", "deir-clash"]),
        ({"min_fatalities": 7}, ["homs-ambush", "deir-clash", "syria-tally"]),
        ({"limit": 2, "offset": 1}, ["homs-ambush", "deir-clash"]),
        ({"country": "Atlantis"}, []),
        ({"text": "defence"}, ["deir-clash"]),
        ({"text": "100%"}, []),
        (
            {"order": "-fatalities", "kind": "incident"},
            ["homs-ambush", "deir-clash", "anbar-attack", "homs-strike"],
        ),
    ],
)
def test_filters(filled: Store, filters: dict[str, Any], expected: list[str]) -> None:
    assert [e.event_id for e in filled.events(**filters)] == expected
    assert [e.event_id for e in filled.iter_events(**filters)] == expected


def test_counts_and_summary(filled: Store) -> None:
    assert filled.count_articles() == 1
    assert filled.count_events() == 5
    summary = filled.summary()
    assert summary.articles == 1
    # The tally's 61 is not an incident's: it stays out of every fatality sum.
    assert summary.total == Tally(events=5, incidents=4, fatalities=24)
    assert summary.by_country == {
        "Iraq": Tally(events=1, incidents=1, fatalities=2),
        "Syria": Tally(events=4, incidents=3, fatalities=22),
    }
    assert summary.by_event_type == {
        "Battles": Tally(events=2, incidents=2, fatalities=22),
        "Explosions/Remote violence": Tally(events=1, incidents=1, fatalities=0),
        "Violence against civilians": Tally(events=1, incidents=1, fatalities=2),
        UNKNOWN: Tally(events=1, incidents=0, fatalities=0),
    }
    assert summary.by_month == {
        "2020-04": Tally(events=1, incidents=1, fatalities=0),
        "2021-01": Tally(events=2, incidents=2, fatalities=22),
        "2021-02": Tally(events=1, incidents=1, fatalities=2),
        UNKNOWN: Tally(events=1, incidents=0, fatalities=0),
    }


# Review


def test_correction_is_applied_audited_and_filterable(filled: Store) -> None:
    corrected = filled.review_event(
        "deir-clash", "correct", reviewer="amal", fields={"fatalities": 9}, note="per SOHR update"
    )
    assert corrected.fatalities == 9
    assert filled.get_event("deir-clash") == corrected
    assert filled.review_status("deir-clash") == ("corrected", {"fatalities": 9})
    assert [e.event_id for e in filled.events(min_fatalities=9, kind="incident")] == [
        "homs-ambush",
        "deir-clash",
    ]
    (entry,) = filled.reviews("deir-clash")
    assert (entry.reviewer, entry.action, entry.note) == ("amal", "correct", "per SOHR update")
    assert entry.before == {"fatalities": 7, "review_status": "unreviewed"}
    assert entry.after == {"fatalities": 9, "review_status": "corrected"}


def test_rejected_events_leave_listings_but_stay_reachable(filled: Store) -> None:
    filled.review_event("homs-strike", "reject", reviewer="amal")
    assert "homs-strike" not in [e.event_id for e in filled.events()]
    assert [e.event_id for e in filled.events(review_status="rejected")] == ["homs-strike"]
    assert len(filled.events(include_rejected=True)) == 5
    assert filled.get_event("homs-strike") is not None
    filled.review_event("homs-strike", "reopen", reviewer="amal")
    assert filled.review_status("homs-strike") == ("unreviewed", {})
    assert [e.action for e in filled.reviews()] == ["reopen", "reject"]


@pytest.mark.parametrize(
    ("action", "fields", "message"),
    [
        ("correct", {"event_id": "x"}, "cannot correct event_id"),
        ("correct", {"fatalities": "many"}, "fatalities"),
        ("correct", {}, "needs at least one field"),
        ("confirm", {"fatalities": 3}, "takes no fields"),
    ],
)
def test_bad_reviews_are_refused_and_change_nothing(
    filled: Store, action: Any, fields: dict[str, Any], message: str
) -> None:
    with pytest.raises(ReviewError, match=message):
        filled.review_event("deir-clash", action, reviewer="amal", fields=fields)
    assert filled.reviews() == []
    assert filled.get_event("deir-clash") == FILTER_EVENTS[0]


def test_review_of_an_unknown_event_is_a_key_error(filled: Store) -> None:
    with pytest.raises(KeyError):
        filled.review_event("nope", "confirm", reviewer="amal")


# Linking


def test_linking_merges_reports_and_keeps_an_alias_for_the_retired_id(store: Store) -> None:
    from conflictlens.linking.dataset import link_stored

    clash = FILTER_EVENTS[0]
    store.add_article(article("a1", "First report of the clash.", published=date(2021, 1, 10)))
    store.add_article(article("a2", "Second report of the clash.", published=date(2021, 1, 10)))
    second = clash.model_copy(update={"event_id": "second-report", "fatalities": 9})
    store.set_mentions("a2", [second])
    store.review_event("second-report", "confirm", reviewer="amal")
    store.set_mentions("a1", [clash])
    changed = link_stored(store, ["a1", "a2"])
    # Same publication date: the smaller key names the event.
    assert changed == ["deir-clash"]
    merged = store.get_event("second-report")
    assert merged is not None and merged.event_id == "deir-clash"
    assert (merged.fatalities_low, merged.fatalities_high) == (7, 9)
    assert store.count_events() == 1
    assert store.review_status("deir-clash") == ("confirmed", {})
    assert [r.event_id for r in store.reviews("second-report")] == ["deir-clash"]
    # Linking again reports the same event and rewrites nothing.
    before = dump(store.url)
    assert link_stored(store, ["a1", "a2"]) == ["deir-clash"]
    assert dump(store.url) == before


def test_a_link_write_holds_the_sqlite_write_lock_before_it_checks_what_it_read(
    tmp_path: Any,
) -> None:
    # write_links checks that the mentions it links are where linking read them; on SQLite the
    # check is only worth something once the transaction holds the write lock, which Python's
    # sqlite3 takes at a transaction's first write, not at its first read.
    import sqlite3

    from conflictlens.store.base import _hold_write_lock

    path = tmp_path / "events.db"
    with Store(path) as store, store.engine.begin() as conn:
        _hold_write_lock(conn)
        other = sqlite3.connect(path, timeout=0)
        with pytest.raises(sqlite3.OperationalError, match="locked"):
            other.execute("DELETE FROM event_aliases")
        other.close()


def test_runs_round_trip(store: Store) -> None:
    first = Run(
        started_at=datetime(2021, 1, 9, 8, 0, tzinfo=UTC),
        finished_at=datetime(2021, 1, 9, 8, 5, tzinfo=UTC),
        sources=["feeds.txt"],
        articles_seen=10,
        articles_new=8,
        articles_skipped=1,
        events=12,
        failures=["https://example.org/broken: HTTP 500"],
    )
    second = Run(
        datetime(2021, 1, 10, 8, 0, tzinfo=UTC), datetime(2021, 1, 10, 8, 1), [], 0, 0, 0, 0
    )
    first_id = store.add_run(first)
    assert store.add_run(second) > first_id
    assert store.recent_runs() == [
        Run(second.started_at, datetime(2021, 1, 10, 8, 1, tzinfo=UTC), [], 0, 0, 0, 0),
        first,
    ]
    assert store.recent_runs(limit=1)[0].started_at == second.started_at


# Exact JSON round trip of any Event record

# No NUL (PostgreSQL text cannot hold it) and no lone surrogates (not encodable as UTF-8).
_text = st.text(
    alphabet=st.characters(exclude_categories=("Cs",), exclude_characters="\x00"), max_size=12
)
_optional_text = st.none() | _text
_count = st.none() | st.integers(min_value=0, max_value=10**6)

event_records = st.builds(
    Event,
    event_id=st.text(alphabet="abcdef0123456789", min_size=1, max_size=8).map(lambda s: "ev" + s),
    kind=st.sampled_from(["incident", "aggregate"]),
    event_date=st.none() | st.dates(),
    time_precision=st.none() | st.integers(min_value=1, max_value=4),
    event_type=_optional_text,
    actor1=_optional_text,
    assoc_actor_1=st.lists(_text, max_size=3),
    inter2=_optional_text,
    civilian_targeting=st.booleans(),
    country_code=_optional_text,
    latitude=st.none() | st.floats(min_value=-90, max_value=90),
    longitude=st.none() | st.floats(min_value=-180, max_value=180),
    geonames_id=st.none() | st.integers(min_value=0, max_value=2**40),
    fatalities=_count,
    fatalities_low=_count,
    fatalities_by_side=st.dictionaries(
        _text, st.integers(min_value=0, max_value=10**6), max_size=3
    ),
    tags=st.lists(_text, max_size=3),
    notes=_text,
    evidence=st.lists(
        st.builds(
            Evidence,
            article_id=_text,
            field=_text,
            start=st.integers(min_value=0, max_value=10**6),
            end=st.integers(min_value=0, max_value=10**6),
            text=_text,
        ),
        max_size=2,
    ),
    confidence=st.floats(min_value=0, max_value=1),
    flags=st.lists(_text, max_size=2),
)


@settings(
    max_examples=40, deadline=None, suppress_health_check=[HealthCheck.function_scoped_fixture]
)
@given(record=event_records)
def test_event_json_round_trips_exactly(store: Store, record: Event) -> None:
    store.add_article(article())
    store.set_mentions("a1", [record])
    stored = store.get_event(record.event_id)
    assert stored is not None
    assert stored.to_json_dict() == record.to_json_dict()
    assert store.mentions_of(record.event_id) == [("a1", record)]
    assert store.events() == [record]


def test_counts_follow_writes_of_other_connections_and_stores(db_url: str) -> None:
    """Counts are kept between calls, but never outlive a write, whoever made it."""
    with Store(db_url) as reader, Store(db_url) as writer:
        writer.add_article(article("a1", "Gunmen attacked a checkpoint."))
        writer.set_mentions("a1", [incident("e1", country="Mali")])
        assert reader.count_events(country="Mali") == 1
        writer.set_mentions("a1", [incident("e1", country="Mali"), incident("e2", country="Mali")])
        assert reader.count_events(country="Mali") == 2
        reader.review_event("e2", "reject", reviewer="ana")
        assert reader.count_events(country="Mali", include_rejected=False) == 1
        assert writer.count_events(country="Mali", include_rejected=False) == 1


@pytest.mark.parametrize("order", EVENT_ORDERS)
def test_every_listing_order_reads_its_page_off_an_index(store: Store, order: str) -> None:
    """A page in any order, ascending or descending, needs no sort of the matching events (on
    PostgreSQL a descending order with NULLs last needs its own index: migration 0004)."""
    statement = page_ids(order, 50, 200)
    sql = str(statement.compile(store.engine, compile_kwargs={"literal_binds": True}))
    with store.engine.connect() as conn:
        if store.engine.dialect.name == "postgresql":
            # Forbid sorting, so the plan shows a Sort only when no index can give the order.
            conn.exec_driver_sql("SET enable_sort = off")
            plan = [row[0] for row in conn.exec_driver_sql(f"EXPLAIN {sql}")]
            assert not any("Sort" in line for line in plan), plan
        else:
            plan = [row[-1] for row in conn.exec_driver_sql(f"EXPLAIN QUERY PLAN {sql}")]
            assert not any("TEMP B-TREE" in line for line in plan), plan
