"""The command line end to end: bad input in a batch, idempotent ingest, exports and eval."""

from __future__ import annotations

import json
import sqlite3
from pathlib import Path

import pytest
from typer.testing import CliRunner

from conflictlens.cli import app
from conflictlens.store import Store

ARTICLES = Path(__file__).parent / "articles"
runner = CliRunner()


def _dump(db: Path) -> list[tuple]:
    """Every row of the dataset; the run log is left out, since every run adds its own line."""
    with sqlite3.connect(db) as conn:
        rows: list[tuple] = []
        for (table,) in conn.execute(
            "select name from sqlite_master where type='table' and name != 'runs' order by name"
        ):
            rows += [(table, *row) for row in conn.execute(f"select * from {table} order by 1")]
        return rows


def test_extract_json_lists_every_row_of_a_dump_with_its_id(tmp_path: Path) -> None:
    text = (ARTICLES / "iraq_multi.txt").read_text().split("\n\n", 1)[1]
    dump = tmp_path / "dump.jsonl"
    rows = [
        {"id": "row-1", "text": text, "published": "2022-05-18"},
        {"id": "row-2", "text": text, "published": "2022-05-18"},
    ]
    dump.write_text("\n".join(json.dumps(r) for r in rows), encoding="utf-8")
    result = runner.invoke(app, ["extract", str(dump), "--format", "json", "--quiet"])
    assert result.exit_code == 0, result.output
    events = json.loads(result.stdout)
    assert {e["articles"][0] for e in events} == {"row-1", "row-2"}
    assert all(len(e["articles"]) == 1 for e in events)


def test_extract_reads_stdin() -> None:
    text = "Gunmen shot dead three farmers near Gao on Monday, local officials said."
    result = runner.invoke(
        app, ["extract", "-", "--published", "2020-05-06", "--format", "json", "-q"], input=text
    )
    assert result.exit_code == 0, result.output
    [event] = json.loads(result.stdout)
    assert (event["fatalities"], event["event_date"], event["country_code"]) == (
        3,
        "2020-05-04",
        "ML",
    )


def test_bad_input_gives_one_line_per_problem_and_exit_1(tmp_path: Path) -> None:
    (tmp_path / "empty.txt").write_text("", encoding="utf-8")
    (tmp_path / "binary.txt").write_bytes(b"\x00\x01\x02binary")
    (tmp_path / "broken.jsonl").write_text(
        '{"id": "x", "text": "ok text about a clash"}\n{broken\n', encoding="utf-8"
    )
    (tmp_path / "wrong.csv").write_text("headline,body\na,b\n", encoding="utf-8")
    good = ARTICLES / "iraq_multi.txt"
    result = runner.invoke(
        app,
        ["extract", str(tmp_path / "missing.txt"), str(tmp_path), str(good), "--format", "jsonl"],
    )
    assert result.exit_code == 1
    errors = [line for line in result.stderr.splitlines() if line.startswith("error")]
    assert len(errors) == 5, result.stderr
    assert any("missing.txt: no such file" in e for e in errors)
    assert any("empty.txt: empty file" in e for e in errors)
    assert any("binary" in e for e in errors)
    assert any("broken.jsonl:2: invalid JSON" in e for e in errors)
    assert any("wrong.csv" in e and "'text'" in e for e in errors)
    # The good article was still coded.
    assert any(
        json.loads(line)["fatalities"] == 4 for line in result.stdout.splitlines() if line.strip()
    )


def test_ingest_twice_leaves_the_database_unchanged(tmp_path: Path) -> None:
    db = tmp_path / "events.db"
    first = runner.invoke(app, ["ingest", str(ARTICLES), "--db", str(db), "--quiet"])
    assert first.exit_code == 0, first.output
    before = _dump(db)
    assert any(row[0] == "events" for row in before)
    second = runner.invoke(app, ["ingest", str(ARTICLES), "--db", str(db), "--json"])
    assert second.exit_code == 0, second.output
    summary = json.loads(second.stdout)
    assert summary["new"] == 0 and summary["duplicates"] == summary["articles"] > 0
    assert _dump(db) == before
    with Store(db) as store:
        runs = store.recent_runs()
    assert [(r.articles_new, r.articles_seen - r.articles_new) for r in runs] == [
        (0, summary["articles"]),
        (summary["articles"], 0),
    ]


def test_non_english_is_stored_skipped_and_counted(tmp_path: Path) -> None:
    folder = tmp_path / "in"
    folder.mkdir()
    (folder / "fr.txt").write_text(
        "Cinq soldats ont été tués lors d'une attaque contre leur poste, selon des responsables locaux.",
        encoding="utf-8",
    )
    result = runner.invoke(app, ["ingest", str(folder), "--db", str(tmp_path / "x.db"), "--json"])
    assert result.exit_code == 0, result.output
    assert json.loads(result.stdout)["skipped"] == {"not English (fr)": 1}


def test_events_export_and_summary(tmp_path: Path) -> None:
    db = str(tmp_path / "events.db")
    assert runner.invoke(app, ["ingest", str(ARTICLES), "--db", db, "--quiet"]).exit_code == 0
    listed = runner.invoke(app, ["events", "--db", db, "--format", "json", "--country", "IQ"])
    events = json.loads(listed.stdout)
    assert events and all(e["country_code"] == "IQ" for e in events)
    summary = runner.invoke(app, ["events", "--db", db, "--summary"])
    assert "Iraq" in summary.stdout
    out = tmp_path / "out.csv"
    exported = runner.invoke(app, ["export", "--db", db, "--format", "acled-csv", "-o", str(out)])
    assert exported.exit_code == 0
    assert out.read_text().startswith("event_id_cnty,")
    ged = tmp_path / "ged.csv"
    exported = runner.invoke(app, ["export", "--db", db, "--format", "ucdp-csv", "-o", str(ged)])
    assert exported.exit_code == 0
    assert ged.read_text().startswith("id,year,type_of_violence,")
    one = runner.invoke(app, ["events", "--db", db, "--id", events[0]["event_id"], "--mentions"])
    assert json.loads(one.stdout)["mentions"][0]["record"]["event_id"] == events[0]["event_id"]


@pytest.mark.slow
def test_eval_on_the_sample_corpus_reports_scores(corpus_dir: Path) -> None:
    result = runner.invoke(app, ["eval", str(corpus_dir / "gold.yaml"), "--json"])
    assert result.exit_code == 0, result.output
    report = json.loads(result.stdout)
    assert 0.0 <= report["f1"] <= 1.0
    assert report["tp"] + report["fn"] > 30  # the corpus has well over 30 gold incidents
