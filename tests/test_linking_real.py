"""Linking on reports written the way real outlets write them: a dump's header with no blank line,
no publication date, a toll that rises between outlets, a named group in one report and "gunmen" in
another, and a look-alike killing the same day in the same region that must stay apart.

The reports are written for these tests (place names are real, the events are not).
"""

from __future__ import annotations

import json
from datetime import date
from pathlib import Path

import pytest
from fastapi.testclient import TestClient
from typer.testing import CliRunner

from conflictlens.cli import app
from conflictlens.ingest import read_sources
from conflictlens.models import Article, Event
from conflictlens.pipeline import Ingestion
from conflictlens.store import Store
from conflictlens.web import create_app

# A wire report: the dump's "URL:" and "PUBLISHED:" lines run straight into the page.
FIRST_REPORT = """URL: https://horn-wire.example/2024/05/06/baidoa-checkpoint-bomb
PUBLISHED: 2024-05-06
Somalia: suicide car bomb hits army checkpoint in Baidoa
Share on Facebook | Share on X | Subscribe to our newsletter
A suicide car bomber struck a military checkpoint on the northern edge of Baidoa on Monday morning, killing four soldiers, a police officer told Horn Wire.
Al-Shabaab claimed the attack in a statement on a website it uses. The group has stepped up attacks on government forces in the Bay region this year.
Related: Drought displaces thousands in southern Somalia
"""

# Another outlet the same evening: a higher toll, the attackers only "gunmen".
UPDATE = """URL: https://bay-observer.example/news/baidoa-toll-rises
PUBLISHED: 2024-05-06
Toll from Baidoa checkpoint bombing rises to 15
Fifteen people were killed when a suicide bomber drove a car packed with explosives into an army checkpoint in Baidoa, in Somalia's Bay region, on Monday, local officials said.
Most of the dead were soldiers, the officials said, and several people waiting to pass the checkpoint were wounded. Gunmen opened fire on the troops after the blast before fleeing.
Advertisement
"""

# The same day and region, 60 km away: a different incident.
ELDERS = """URL: https://bay-observer.example/news/elders-killed-burhakaba
PUBLISHED: 2024-05-06
Two clan elders shot dead near Burhakaba
Gunmen shot dead two clan elders in a village near Burhakaba in Somalia's Bay region on Monday, residents said.
The elders had been mediating a land dispute, a relative said. No group claimed the killings.
"""

# A third outlet whose page has no date: "on Monday" cannot be resolved, so only its content
# (Baidoa, a suicide car bomb, Al-Shabaab, a toll between the others) can link it.
UNDATED = """URL: https://sahan-news.example/article/88213
PUBLISHED: unknown
Car bomb kills 12 at Baidoa checkpoint
Home | World | Africa
At least 12 people died on Monday when an Al-Shabaab suicide bomber rammed a car laden with explosives into a checkpoint in Baidoa, the main town of Somalia's Bay region, witnesses said.
The militants have carried out several attacks on the town's defences.
"""

runner = CliRunner()


@pytest.fixture(scope="module")
def db(tmp_path_factory: pytest.TempPathFactory) -> Path:
    """The three reports ingested, each from its own file (once: the tests only read)."""
    tmp_path = tmp_path_factory.mktemp("real")
    files = []
    for name, text in (("wire", FIRST_REPORT), ("update", UPDATE), ("elders", ELDERS)):
        files.append(tmp_path / f"{name}.txt")
        files[-1].write_text(text, encoding="utf-8")
    path = tmp_path / "events.db"
    with Store(path) as store:
        ingestion = Ingestion(store)
        for item in read_sources([str(f) for f in files]):
            ingestion.add(item)
        ingestion.finish()
    return path


def _bombing(store: Store) -> Event:
    (event,) = [e for e in store.events() if e.location == "Baidoa"]
    return event


def test_a_dump_header_without_a_blank_line_gives_the_publication_date(tmp_path: Path) -> None:
    path = tmp_path / "wire.txt"
    path.write_text(FIRST_REPORT, encoding="utf-8")
    (article,) = read_sources([str(path)])
    assert isinstance(article, Article)
    assert article.published == date(2024, 5, 6)
    assert article.url == "https://horn-wire.example/2024/05/06/baidoa-checkpoint-bomb"
    assert article.text.startswith("Somalia: suicide car bomb")


def test_a_dump_that_does_not_know_the_date_says_so_and_the_report_is_kept(tmp_path: Path) -> None:
    path = tmp_path / "undated.txt"
    path.write_text(
        FIRST_REPORT.replace("PUBLISHED: 2024-05-06", "PUBLISHED: unknown"), encoding="utf-8"
    )
    (article,) = read_sources([str(path)])
    assert isinstance(article, Article)
    assert article.published is None
    assert "PUBLISHED" not in article.text


def test_two_outlets_one_bombing_one_event_and_the_look_alike_apart(db: Path) -> None:
    with Store(db) as store:
        bombing = _bombing(store)
        others = [e for e in store.events() if e.event_id != bombing.event_id]
    assert len(bombing.articles) == 2
    assert (bombing.fatalities_low, bombing.fatalities_high) == (4, 15)
    assert bombing.actor1 == "Al-Shabaab"  # the named group, not the unnamed gunmen
    assert [len(e.articles) for e in others] == [1]
    assert others[0].location != "Baidoa"


def test_events_id_mentions_shows_where_the_reports_differ(db: Path) -> None:
    with Store(db) as store:
        event_id = _bombing(store).event_id
    result = runner.invoke(app, ["events", "--db", str(db), "--id", event_id, "--mentions"])
    assert result.exit_code == 0, result.output
    differences = json.loads(result.output)["differences"]
    assert (differences["toll_low"], differences["toll_high"]) == (4, 15)
    assert differences["tolls"] == [4, 15]
    assert differences["attackers"] == ["Al-Shabaab", "Unidentified Armed Group"]
    assert differences["places"] == ["Baidoa, Bay"]


def test_the_event_page_api_gives_the_differences(db: Path) -> None:
    with Store(db) as store:
        event_id = _bombing(store).event_id
    with TestClient(create_app(f"sqlite:///{db}")) as client:
        detail = client.get(f"/api/events/{event_id}").json()
    assert len(detail["mentions"]) == 2
    assert detail["differences"]["tolls"] == [4, 15]
    assert detail["differences"]["dates"] == ["2024-05-06"]


def test_the_linking_dev_scorer_counts_whole_incidents_and_says_why_a_pair_missed(
    tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    # A gold that (wrongly) calls the elders' killing part of the bombing: the scorer must count
    # the incident as not merged whole and name the rule that kept the elders apart.
    monkeypatch.syspath_prepend(str(Path(__file__).parent.parent / "bench"))
    from eval_linking_dev import evaluate

    folder = tmp_path / "dev"
    folder.mkdir()
    for name, text in (("1.txt", FIRST_REPORT), ("2.txt", UPDATE), ("3.txt", ELDERS)):
        (folder / name).write_text(text, encoding="utf-8")
    (folder / "clusters.yaml").write_text(
        "- incident: a bombing\n  articles: [1.txt, 2.txt, 3.txt]\n", encoding="utf-8"
    )
    with Store(tmp_path / "dev.db") as store:
        score, _ = evaluate(folder, store)
    assert (score.incidents, score.incidents_merged_whole) == (1, 0)
    assert (score.merged_events, score.mixed_events) == (1, [])
    assert score.pairwise_precision == 1.0 and score.pairwise_recall == pytest.approx(1 / 3, 0.01)
    assert set(score.missed) == {"1.txt 3.txt", "2.txt 3.txt"}
    assert all(reason.startswith("places apart") for reason in score.missed.values())


@pytest.mark.parametrize("undated_first", [True, False])
def test_a_report_with_no_date_joins_the_only_bombing_it_can_be(
    tmp_path: Path, undated_first: bool
) -> None:
    texts = [("wire", FIRST_REPORT), ("update", UPDATE), ("elders", ELDERS)]
    texts.insert(0 if undated_first else 3, ("undated", UNDATED))
    files = []
    for name, text in texts:
        files.append(tmp_path / f"{name}.txt")
        files[-1].write_text(text, encoding="utf-8")
    with Store(tmp_path / "events.db") as store:
        ingestion = Ingestion(store)
        for item in read_sources([str(f) for f in files]):
            ingestion.add(item)
        ingestion.finish()
        bombing = _bombing(store)
        assert len(bombing.articles) == 3
        assert bombing.event_date == date(2024, 5, 6)
        assert "linked_without_date" in bombing.flags
        assert (bombing.fatalities_low, bombing.fatalities_high) == (4, 15)
        elders = [e for e in store.events() if e.event_id != bombing.event_id]
        assert all(len(e.articles) == 1 for e in elders)
