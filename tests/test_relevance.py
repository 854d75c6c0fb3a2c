"""The relevance gate: off-topic reports skipped before spaCy, no report with an incident lost."""

from __future__ import annotations

from datetime import date
from pathlib import Path

import pytest

from conflictlens.extraction import extract_article
from conflictlens.extraction.clauses import split_clauses
from conflictlens.ingest import read_sources
from conflictlens.models import Article
from conflictlens.pipeline import Ingestion
from conflictlens.relevance import OFF_TOPIC, is_relevant, relevance_cue
from conflictlens.store import Store

REPO = Path(__file__).resolve().parent.parent

OFF_TOPIC_REPORTS = {
    "central bank": "Central bank holds rates as inflation eases\n\nThe central bank kept its benchmark "
    "rate at 4.5 percent on Tuesday, saying inflation had slowed for a third month. Economists had "
    "expected the decision. The currency firmed slightly against the dollar in afternoon trading, "
    "and the governor said the committee would look again at the data in March.",
    "football": "City edge past United in five-goal thriller\n\nA late header from the captain gave "
    "City a 3-2 win on Saturday. The visitors led twice before the break, but the home side pressed "
    "higher after half-time and the substitute levelled with a low shot from the edge of the box. "
    "The manager praised his players' energy and said the title race was far from over.",
    "weather": "Heatwave to ease by the weekend\n\nTemperatures above 38C are expected in the south "
    "until Thursday, forecasters said, before cooler air arrives from the west. Residents were "
    "advised to drink water, avoid the midday sun and check on elderly neighbours.",
    "earnings": "Chipmaker's profit beats forecasts\n\nThe company reported quarterly revenue of $4.2 "
    "billion, up 18 percent, helped by demand for data-centre processors. Its chief executive said "
    "the firm would build a second plant and hire 2,000 engineers over three years.",
}

VIOLENT_REPORTS = {
    "count only": "Police said three people died when unknown men opened a gate at the depot.",
    "lost soldiers": "The army lost five soldiers near the border on Monday, officials said.",
    "protest march": "Thousands of teachers marched to parliament demanding higher pay.",
    "no fight": "Government forces entered the town without a fight on Sunday.",
    "arrests": "Security forces detained 14 suspects in the capital overnight.",
    "airstrike": "Unidentified warplanes carried out airstrikes on a depot near the river.",
    "nobody hurt": "A device went off near a checkpoint; nobody was hurt, police said.",
    "abduction": "Gunmen kidnapped two engineers working on a road project in the north.",
}


@pytest.mark.parametrize("name", sorted(OFF_TOPIC_REPORTS))
def test_reports_with_nothing_to_code_are_off_topic(name: str) -> None:
    assert relevance_cue(OFF_TOPIC_REPORTS[name]) is None


@pytest.mark.parametrize("name", sorted(VIOLENT_REPORTS))
def test_reports_of_violence_are_kept(name: str) -> None:
    assert is_relevant(VIOLENT_REPORTS[name])


def test_march_the_month_is_no_protest_but_a_march_is() -> None:
    assert not is_relevant("Figures for March will be published next week.")
    assert is_relevant("Hundreds march through the city centre.")


def _articles(*folders: Path) -> list[Article]:
    items = read_sources([str(f) for f in folders])
    return [item for item in items if isinstance(item, Article)]


def test_every_candidate_clause_of_the_corpora_is_kept_on_its_own() -> None:
    """Recall at the finest grain: each clause that can report an event (a trigger or a count) is
    kept by the gate even without the rest of its article."""
    lost = []
    for article in _articles(REPO / "corpus" / "sample", REPO / "corpus" / "linking"):
        for clause in split_clauses(article.text, article.published):
            if clause.is_candidate and not is_relevant(clause.text):
                lost.append(clause.text)
    assert lost == []


def _recall(articles: list[Article]) -> tuple[int, list[str]]:
    """(articles that yield a record without the gate, ids of those the gate would skip)."""
    yielding = [a for a in articles if extract_article(a)]
    return len(yielding), [a.id for a in yielding if not is_relevant(a.text)]


def test_no_article_of_the_sample_corpus_that_yields_an_event_is_skipped() -> None:
    yielding, lost = _recall(_articles(REPO / "corpus" / "sample"))
    assert yielding == 35 and lost == []


def test_no_seed_article_that_yields_an_event_is_skipped() -> None:
    import sys

    sys.path.insert(0, str(REPO / "bench"))
    from common import shared_dir

    shared = shared_dir()
    if shared is None or not (shared / "seeds").is_dir():
        pytest.skip("the shared seed articles are absent (set CONFLICTLENS_SHARED)")
    yielding, lost = _recall(_articles(shared / "seeds"))
    assert yielding > 0 and lost == []


def test_ingest_skips_off_topic_reports_before_extraction_and_counts_them(
    tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    import conflictlens.extraction as extraction

    extracted: list[str] = []
    real_extract = extraction.extract_article

    def spy(article: Article) -> list:
        extracted.append(article.id)
        return real_extract(article)

    monkeypatch.setattr(extraction, "extract_article", spy)
    published = date(2024, 5, 6)
    off_topic = Article(id="biz", text=OFF_TOPIC_REPORTS["earnings"], published=published)
    violent = Article(
        id="att",
        text="Gunmen killed four farmers in an attack on a village in Zamfara state on Sunday, "
        "police said.",
        published=published,
    )
    with Store(tmp_path / "gate.db") as store:
        ingestion = Ingestion(store)
        ingestion.add(off_topic)
        ingestion.add(violent)
        ingestion.finish()
        assert extracted == ["att"]
        assert ingestion.report.skipped == {OFF_TOPIC: 1}
        assert ingestion.report.events >= 1
        assert store.article_status("biz") == ("skipped", OFF_TOPIC)
        assert store.article_status("att") == ("ok", None)
