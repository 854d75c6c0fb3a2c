"""Issue 18, a newcomer's first hour: one test per stumble (numbered as in the issue), plus the
docs' coverage of the Event record and the README's and docs' examples, run as written."""

from __future__ import annotations

import csv
import io
import json
import os
import re
import shlex
import shutil
import socket
import subprocess
import sys
from collections import Counter
from datetime import date
from pathlib import Path

import pytest
from typer.testing import CliRunner

from conflictlens.clean import detect_language
from conflictlens.cli import app
from conflictlens.export import write_acled_csv, write_geojson
from conflictlens.ingest import ReadFailure, known_article_count, read_sources
from conflictlens.models import Event, Evidence

ROOT = Path(__file__).resolve().parent.parent
DOCS = ROOT / "docs"
runner = CliRunner()

# Team-written reports (several countries, page noise) for the items below.
AIRSTRIKE = (
    "An airstrike by Myanmar's military killed 11 people in a village market in Sagaing region "
    "on Tuesday, residents said.\nShare this story!\n"
)
VILLAGE_NOT_FOUND = (
    "Published: 2024-03-12\n\nGunmen kill four farmers near Gao\n"
    "Gunmen killed four farmers on Sunday near the village of Tilwazan, northeast of Gao, "
    "local officials said.\nLeave a Reply\n"
)
TALLY_SINCE_JANUARY = (
    "Published: 2024-05-20\n\nArmed groups have killed more than 1,200 people in northwestern "
    "Nigeria since January, according to the Abuja-based Institute for Peace and Conflict "
    "Studies.\n"
)
INCIDENT_AND_TALLY = (
    "Published: 2024-05-20\n\nGunmen kill five in Maiduguri raid\n"
    "Gunmen killed five traders at a market in Maiduguri on Sunday, police said.\n"
    "Since January, at least 300 people have been killed in attacks in Borno State, according "
    "to local officials.\n"
)
FRENCH = (
    "Au moins douze civils ont été tués samedi dans l'attaque d'un village de la région de "
    "Mopti, au centre du Mali, selon des sources locales. Les assaillants sont arrivés à moto."
)


def _write(folder: Path, name: str, text: str) -> Path:
    path = folder / name
    path.write_text(text, encoding="utf-8")
    return path


def _extract_json(path: Path) -> list[dict]:
    result = runner.invoke(app, ["extract", str(path), "--format", "json", "--quiet"])
    assert result.exit_code == 0, result.output
    return json.loads(result.stdout)


# 1. The docs the README, `eval --help`, models.py and corpus/sample/README.md point to exist.


def _documented_fields(page: Path) -> set[str]:
    """Field names in the first column of the page's tables: "| `name` | ..."."""
    return set(re.findall(r"^\| `(\w+)` \|", page.read_text(encoding="utf-8"), re.M))


def test_1_every_field_of_the_event_record_is_documented() -> None:
    documented = _documented_fields(DOCS / "event-record.md")
    assert set(Event.model_fields) <= documented, set(Event.model_fields) - documented
    assert set(Evidence.model_fields) <= documented


def test_1_docs_pointed_to_exist_and_spec_md_is_no_longer_cited() -> None:
    readme = (ROOT / "README.md").read_text(encoding="utf-8")
    for link in re.findall(r"\]\((docs/[^)#]+)\)", readme):
        assert (ROOT / link).is_file(), link
    for page in ("event-record.md", "gold-format.md", "exports.md", "api.md"):
        assert (DOCS / page).is_file()
    pointers = [
        ROOT / "README.md",
        ROOT / "src/conflictlens/models.py",
        ROOT / "src/conflictlens/evaluate.py",
        ROOT / "src/conflictlens/cli.py",
        ROOT / "corpus/sample/README.md",
    ]
    assert [p.name for p in pointers if "SPEC.md" in p.read_text(encoding="utf-8")] == []
    help_text = runner.invoke(app, ["eval", "--help"]).output
    assert "docs/gold-format.md" in help_text


def test_1_the_api_page_lists_every_endpoint_of_the_openapi_document() -> None:
    result = subprocess.run(
        [sys.executable, str(ROOT / "scripts" / "api_docs.py"), "--check"],
        capture_output=True,
        text=True,
        check=False,
    )
    assert result.returncode == 0, result.stderr


# 2. with_postgres.sh: a port another checkout holds moves the throwaway server to a free one.


def test_2_with_postgres_moves_off_a_taken_port() -> None:
    if shutil.which("initdb") is None and not list(
        Path("/usr/lib/postgresql").glob("*/bin/initdb")
    ):
        pytest.skip("no PostgreSQL binaries on this machine")
    env = {k: v for k, v in os.environ.items() if k != "CONFLICTLENS_TEST_PG_URL"}
    with socket.socket() as holder:
        holder.bind(("127.0.0.1", 0))
        holder.listen()
        taken = holder.getsockname()[1]
        env["CONFLICTLENS_PG_PORT"] = str(taken)
        result = subprocess.run(
            [
                str(ROOT / "scripts" / "with_postgres.sh"),
                sys.executable,
                "-c",
                "import os; print(os.environ['CONFLICTLENS_TEST_PG_URL'])",
            ],
            capture_output=True,
            text=True,
            env=env,
            timeout=120,
            check=False,
        )
    assert result.returncode == 0, result.stderr
    port = int(result.stdout.strip().rsplit(":", 1)[1].split("/")[0])
    assert port != taken
    assert f"port {taken} is taken" in result.stderr


# 3. Commands that only read never create a database at a mistyped path.


@pytest.mark.parametrize(
    "command",
    [["events"], ["events", "--summary"], ["export", "--format", "jsonl"], ["serve"]],
)
def test_3_read_only_commands_refuse_a_missing_database(tmp_path: Path, command: list[str]) -> None:
    missing = tmp_path / "typo" / "conflictlens.db"
    result = runner.invoke(app, [*command, "--db", str(missing)])
    assert result.exit_code == 2
    assert f"no database at {missing}" in result.stderr
    assert "exported" not in result.stderr
    assert not missing.exists() and not missing.parent.exists()


def _words(output: str) -> str:
    """Rich output as plain words: the panel's borders and line breaks left out."""
    return " ".join(re.sub(r"[│╭╮╰╯─]", " ", output).split())


def test_3_the_default_database_is_documented_in_the_help() -> None:
    help_text = _words(runner.invoke(app, ["events", "--help"]).output)
    assert "default is the file conflictlens.db in the current folder" in help_text


# 4. The evidence sentence that starts the text is printed whole.


def test_4_extract_table_keeps_the_first_character_of_the_evidence(tmp_path: Path) -> None:
    path = _write(tmp_path, "sagaing.txt", AIRSTRIKE)
    result = runner.invoke(
        app, ["extract", str(path), "--published", "2024-02-14", "--format", "table", "-q"]
    )
    assert result.exit_code == 0, result.output
    assert re.search(r"│ An airstrike by", result.stdout), result.stdout


# 5. A village not found, located from a town, is flagged, never silently the town.


def test_5_a_village_not_found_near_a_town_is_flagged(tmp_path: Path) -> None:
    [event] = _extract_json(_write(tmp_path, "gao.txt", VILLAGE_NOT_FOUND))
    assert (event["location"], event["geo_precision"]) == ("Gao", 2)
    assert "place_not_found" in event["flags"]
    assert "was not found" in event["notes"]


# 6. A tally "since January" is a period, keeps the institute it cites, counts no civilians.


def test_6_a_tally_since_january_is_a_period_with_its_source(tmp_path: Path) -> None:
    [tally] = _extract_json(_write(tmp_path, "nigeria.txt", TALLY_SINCE_JANUARY))
    assert tally["kind"] == "aggregate"
    assert (tally["event_date"], tally["time_precision"]) == ("2024-01-01", 4)
    assert "In January 2024" not in tally["notes"]
    assert "Over a period from January 2024" in tally["notes"]
    assert tally["sources"] == ["Institute for Peace and Conflict Studies"]
    assert tally["actor2"] is None  # "people", not civilians


# 7. The ingest summary counts events after linking.


def test_7_ingest_summary_counts_events_after_linking(tmp_path: Path) -> None:
    reports = ROOT / "tests" / "linking_articles"
    db = tmp_path / "x.db"
    sources = [
        str(reports / "diyala_ambush_mesopotamia.txt"),
        str(reports / "diyala_ambush_tigris.txt"),
    ]
    result = runner.invoke(app, ["ingest", *sources, "--db", str(db), "--json"])
    assert result.exit_code == 0, result.output
    linking = json.loads(result.stdout)["linking"]
    listed = runner.invoke(app, ["events", "--db", str(db), "--format", "json"])
    in_dataset = len(json.loads(listed.stdout))
    assert linking["events_in_dataset"] == linking["new_events"] == in_dataset
    assert linking["records"] == linking["new_events"] + linking["records_linked_into_other_events"]
    assert linking["records_linked_into_other_events"] >= 1
    table = runner.invoke(app, ["ingest", *sources, "--db", str(tmp_path / "y.db")])
    assert "new events after linking" in table.stderr


# 8. ACLED CSV fills what it can, writes no actor name out of its period, and says what it leaves.

US_STRIKE = Event(
    event_id="ev-us-2015",
    event_date=date(2015, 6, 2),
    time_precision=1,
    event_type="Explosions/Remote violence",
    sub_event_type="Air/drone strike",
    actor1="Military Forces of the United States",
    actor2="Islamic State",
    country="Syria",
    country_code="SY",
    admin1="Raqqa",
    admin2="Al Thawrah",
    location="Al Thawrah",
    latitude=35.84,
    longitude=38.55,
    geo_precision=1,
    fatalities=4,
    sources=["Syrian Observatory for Human Rights", "AFP"],
)


def test_8_acled_csv_fills_region_scale_timestamp_and_respects_actor_periods() -> None:
    out = io.StringIO(newline="")
    assert write_acled_csv([US_STRIKE], out, exported_at=1_700_000_000) == 1
    [row] = list(csv.DictReader(io.StringIO(out.getvalue())))
    assert row["region"] == "Middle East"
    assert row["admin2"] == "Al Thawrah"
    assert row["source_scale"] == "International-Other"
    assert row["timestamp"] == "1700000000"
    # The dictionary's ACLED name for these forces is "(2017-)": not for a 2015 event.
    assert row["actor1"] == "Military Forces of the United States"
    later = US_STRIKE.model_copy(update={"event_date": date(2019, 6, 2)})
    out = io.StringIO(newline="")
    write_acled_csv([later], out)
    assert "Military Forces of the United States (2017-)" in out.getvalue()


def test_8_exports_say_what_they_leave_out(tmp_path: Path) -> None:
    tally = Event(event_id="tally", kind="aggregate", event_date=date(2024, 1, 1), country="Mali")
    undated = Event(event_id="undated", country="Mali", fatalities=2)
    left_out: Counter[str] = Counter()
    assert write_acled_csv([tally, undated, US_STRIKE], io.StringIO(), left_out=left_out) == 1
    assert left_out == {"aggregates": 1, "undated": 1}
    kept = io.StringIO(newline="")
    write_acled_csv([tally, undated], kept, include_aggregates=True, include_undated=True)
    tags = [row["tags"] for row in csv.DictReader(io.StringIO(kept.getvalue()))]
    assert ["aggregate" in t for t in tags] == [True, False]
    assert ["date unknown" in t for t in tags] == [False, True]
    left_out.clear()
    assert write_geojson([tally, US_STRIKE], io.StringIO(), left_out=left_out) == 1
    assert left_out == {"without coordinates": 1}

    report = _write(tmp_path, "nigeria.txt", TALLY_SINCE_JANUARY)
    db = str(tmp_path / "x.db")
    assert runner.invoke(app, ["ingest", str(report), "--db", db, "-q"]).exit_code == 0
    exported = runner.invoke(app, ["export", "--db", db, "--format", "acled-csv"])
    assert "left out 1 aggregates: --include-aggregates to keep them" in exported.stderr
    geojson = runner.invoke(app, ["export", "--db", db, "--format", "geojson"])
    assert json.loads(geojson.stdout)["skipped_without_coordinates"] == 1  # nationwide tally
    assert "left out 1 without coordinates" in geojson.stderr
    listed = runner.invoke(app, ["events", "--db", db, "--format", "geojson"])
    assert "left out 1 without coordinates" in listed.stderr
    as_csv = runner.invoke(app, ["events", "--db", db, "--format", "csv"])
    assert "aggregate" in as_csv.stdout  # a listing writes what it lists, tagged


# 9. The desk tells tallies from incidents (tests/browser/test_desk.py drives it in Chromium).


def test_9_map_features_say_whether_they_are_tallies(tmp_path: Path) -> None:
    from fastapi.testclient import TestClient

    from conflictlens.web import create_app

    db = str(tmp_path / "x.db")
    report = _write(tmp_path, "borno.txt", INCIDENT_AND_TALLY)
    assert runner.invoke(app, ["ingest", str(report), "--db", db, "-q"]).exit_code == 0
    with TestClient(create_app(f"sqlite:///{db}")) as client:
        features = client.get("/api/events.geojson", params={"brief": "true"}).json()["features"]
    assert sorted(f["properties"]["kind"] for f in features) == ["aggregate", "incident"]
    desk = ROOT / "src/conflictlens/web/static/desk"
    assert 'name="kind" value="incident"' in (desk / "index.html").read_text(encoding="utf-8")


# 10. The command line: flags, evidence, progress, a busy port, French, a broken JSON line.


def test_10_flags_are_shown_as_flags() -> None:
    for command in (["extract"], ["ingest"], ["watch"], ["export"], ["events"]):
        help_text = runner.invoke(app, [*command, "--help"]).output
        assert "<bool>" not in help_text, command
    assert "--no-quiet" in runner.invoke(app, ["ingest", "--help"]).output


def test_10_events_table_shows_the_evidence(tmp_path: Path) -> None:
    db = str(tmp_path / "x.db")
    report = _write(tmp_path, "sagaing.txt", "Published: 2024-02-14\n\n" + AIRSTRIKE)
    assert runner.invoke(app, ["ingest", str(report), "--db", db, "-q"]).exit_code == 0
    listed = runner.invoke(app, ["events", "--db", db])
    assert "11 people" in listed.stdout  # the evidence of the toll, not an empty column


def test_10_progress_has_a_total_for_files_and_folders(tmp_path: Path) -> None:
    folder = tmp_path / "reports"
    folder.mkdir()
    for n in range(3):
        _write(folder, f"r{n}.txt", AIRSTRIKE)
    _write(folder, "page.html", "<html><body><p>text</p></body></html>")
    assert known_article_count([folder, folder / "r0.txt"]) == 5
    _write(tmp_path, "dump.jsonl", '{"text": "x"}\n')
    assert known_article_count([folder, tmp_path / "dump.jsonl"]) is None
    assert known_article_count(["-"]) is None


def test_10_serve_on_a_busy_port_fails_before_announcing_the_desk(tmp_path: Path) -> None:
    db = tmp_path / "x.db"
    report = _write(tmp_path, "sagaing.txt", AIRSTRIKE)
    assert runner.invoke(app, ["ingest", str(report), "--db", str(db), "-q"]).exit_code == 0
    with socket.socket() as holder:
        holder.bind(("127.0.0.1", 0))
        holder.listen()
        port = holder.getsockname()[1]
        result = runner.invoke(app, ["serve", "--db", str(db), "--port", str(port)])
    assert result.exit_code == 1
    assert "desk on" not in result.stderr
    assert f"cannot listen on 127.0.0.1:{port}" in result.stderr


def test_10_a_french_article_is_detected_as_french() -> None:
    assert detect_language(FRENCH) == "fr"
    assert detect_language(AIRSTRIKE) == "en"


def test_10_a_broken_json_line_is_reported_at_its_line_and_column(tmp_path: Path) -> None:
    line = '{"id": "r2", "text": "Gunmen killed three"'
    dump = _write(tmp_path, "dump.jsonl", '{"id": "r1", "text": "ok"}\n' + line + "\n")
    failures = [r for r in read_sources([dump]) if isinstance(r, ReadFailure)]
    assert [f.source for f in failures] == [f"{dump}:2"]
    assert f"at column {len(line) + 1}" in failures[0].reason


# The README's and the docs' examples, run as written.

# Commands that need the network, a running server or the developer's tools are not run here.
_NOT_RUN = re.compile(
    r"^(?:make|export|curl)\b|^\.\s|\bserve\b|https?://|\.urls\b|gazetteer (?:import|download)|bench/"
)


def _examples(page: Path) -> tuple[list[str], list[str]]:
    """The `$ ` commands of the page's console blocks and its python blocks."""
    text = page.read_text(encoding="utf-8")
    commands = []
    for block in re.findall(r"```console\n(.*?)```", text, re.S):
        for line in block.splitlines():
            stripped = line.strip()
            if stripped.startswith("$ "):
                command = stripped[2:].split("  #", 1)[0].strip()
                if not _NOT_RUN.search(command):
                    commands.append(command)
    return commands, re.findall(r"```python\n(.*?)```", text, re.S)


@pytest.mark.slow
@pytest.mark.parametrize(
    "page",
    [ROOT / "README.md", *sorted(DOCS.glob("*.md"))],
    ids=lambda p: str(p.relative_to(ROOT)),
)
def test_the_examples_run_as_written(page: Path, tmp_path: Path) -> None:
    commands, programs = _examples(page)
    if not commands and not programs:
        pytest.skip(f"{page.relative_to(ROOT)} has no example to run")
    for folder in ("examples", "corpus"):
        (tmp_path / folder).symlink_to(ROOT / folder)
    env = {**os.environ, "PATH": f"{Path(sys.executable).parent}{os.pathsep}{os.environ['PATH']}"}
    env.pop("CONFLICTLENS_DB", None)
    if env.get("PYTHONPATH"):  # a checkout run with PYTHONPATH=src: keep its sources first
        env["PYTHONPATH"] = os.pathsep.join(
            str(Path(entry).resolve()) for entry in env["PYTHONPATH"].split(os.pathsep) if entry
        )
    for command in commands:
        result = subprocess.run(
            shlex.split(command), cwd=tmp_path, env=env, capture_output=True, text=True, check=False
        )
        assert result.returncode == 0, f"{page.name}: `{command}` failed:\n{result.stderr}"
    for program in programs:
        result = subprocess.run(
            [sys.executable, "-c", program],
            cwd=tmp_path,
            env=env,
            capture_output=True,
            text=True,
            check=False,
        )
        assert result.returncode == 0, f"{page.name}: python example failed:\n{result.stderr}"
