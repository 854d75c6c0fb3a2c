"""Evaluation against gold: matching rules, scores, gold-file errors, report output."""

from __future__ import annotations

import datetime as dt
import io
import itertools
import json
import textwrap
from pathlib import Path

import pytest
from hypothesis import given
from hypothesis import strategies as st
from rich.console import Console

from conflictlens.evaluate import (
    DetectionScore,
    FieldScore,
    GoldArticle,
    GoldFormatError,
    best_assignment,
    evaluate,
    load_gold,
    render_report,
)
from conflictlens.models import Event

# Two invented articles: a clash and a roadside bomb in one, a monthly tally and an airstrike in the other.
GOLD_YAML = """
- article: clash.txt
  published: 2022-03-10
  events:
    - kind: incident
      date: 2022-03-08
      tol: 0
      event_type: Battles
      sub_event_type: Armed clash
      actor1: Islamic State
      actor2: Military Forces of Syria
      admin1: Homs
      location: Tadmur
      lat: 34.56
      lon: 38.28
      fatalities: 4
      wounded: 2
      fatalities_by_side: {actor1: 0, actor2: 4}
      source: Syrian Observatory for Human Rights
    - kind: incident
      date: 2022-03-09
      tol: 1
      event_type: Explosions/Remote violence
      sub_event_type: Remote explosive/landmine/IED
      actor1: Unidentified Armed Group
      actor2: Civilians
      admin1: Deir ez-Zor
      location: Al-Mayadin
      lat: 35.02
      lon: 40.45
      fatalities: 2
      claimed_by: null
- article: tally.txt
  published: null
  events:
    - kind: aggregate
      date: 2022-02
      tol: 0
      event_type: Battles
      sub_event_type: Armed clash
      actor1: Islamic State
      actor2: null
      admin1: null
      location: null
      lat: null
      lon: null
      fatalities: 30
    - kind: incident
      date: 2022-02
      tol: 0
      event_type: Explosions/Remote violence
      sub_event_type: Air/drone strike
      actor1: Military Forces of Russia
      actor2: Islamic State
      admin1: Homs
      location: Al-Sukhnah
      lat: 34.89
      lon: 38.87
      fatalities: 5
      claimed_by: Military Forces of Russia
"""


def write_gold(tmp_path: Path, text: str) -> Path:
    path = tmp_path / "gold.yaml"
    path.write_text(textwrap.dedent(text), encoding="utf-8")
    return path


@pytest.fixture
def gold(tmp_path: Path) -> list[GoldArticle]:
    return load_gold(write_gold(tmp_path, GOLD_YAML))


def perfect_events() -> dict[str, list[Event]]:
    """Predictions that agree with GOLD_YAML on every field."""
    return {
        "clash.txt": [
            Event(
                event_id="c1",
                event_date=dt.date(2022, 3, 8),
                time_precision=1,
                event_type="Battles",
                sub_event_type="Armed clash",
                actor1="Islamic State",
                actor2="Military Forces of Syria",
                admin1="Homs",
                location="Tadmur",
                latitude=34.56,
                longitude=38.28,
                fatalities=4,
                wounded=2,
                fatalities_by_side={"actor2": 4},
                sources=["Syrian Observatory for Human Rights", "SANA"],
            ),
            Event(
                event_id="c2",
                event_date=dt.date(2022, 3, 9),
                time_precision=1,
                event_type="Explosions/Remote violence",
                sub_event_type="Remote explosive/landmine/IED",
                actor1="Unidentified Armed Group",
                actor2="Civilians",
                admin1="Deir ez-Zor",
                location="Al-Mayadin",
                latitude=35.02,
                longitude=40.45,
                fatalities=2,
            ),
        ],
        "tally.txt": [
            Event(
                event_id="t1",
                kind="aggregate",
                event_date=dt.date(2022, 2, 1),
                time_precision=3,
                event_type="Battles",
                sub_event_type="Armed clash",
                actor1="Islamic State",
                fatalities=30,
            ),
            Event(
                event_id="t2",
                event_date=dt.date(2022, 2, 1),
                time_precision=3,
                event_type="Explosions/Remote violence",
                sub_event_type="Air/drone strike",
                actor1="Military Forces of Russia",
                actor2="Islamic State",
                admin1="Homs",
                location="Al-Sukhnah",
                latitude=34.89,
                longitude=38.87,
                fatalities=5,
                claimed_by="Military Forces of Russia",
            ),
        ],
    }


def run(gold: list[GoldArticle], events: dict[str, list[Event]], **comparators):
    return evaluate(gold, lambda article: events.get(article.article, []), **comparators)


def edited(event: Event, **changes: object) -> Event:
    return event.model_copy(update=changes)


# --- loading gold ---------------------------------------------------------------------------


def test_load_gold_parses_types_and_month_precision(gold: list[GoldArticle]) -> None:
    assert [a.article for a in gold] == ["clash.txt", "tally.txt"]
    assert gold[0].published == dt.date(2022, 3, 10)
    assert gold[1].published is None
    clash, bomb = gold[0].events
    assert (clash.date, clash.month_precision, clash.tol) == (dt.date(2022, 3, 8), False, 0)
    assert (clash.lat, clash.lon, clash.wounded) == (34.56, 38.28, 2)
    assert clash.fatalities_by_side == {"actor1": 0, "actor2": 4}
    assert clash.sources == ("Syrian Observatory for Human Rights",)
    assert bomb.wounded is None and bomb.sources == ()
    tally = gold[1].events[0]
    assert (tally.kind, tally.date, tally.month_precision) == (
        "aggregate",
        dt.date(2022, 2, 1),
        True,
    )
    assert tally.date_text == "2022-02"


BAD_EVENT_CASES = [
    ("      fatalities: 4\n", "", "missing key 'fatalities'"),
    ("      date: 2022-03-08\n", "      date: 2022-13-40\n", "key 'date': bad date"),
    ("      date: 2022-03-08\n", "      date: March 8\n", "key 'date': bad date"),
    ("      fatalities: 4\n", "      fatalities: four\n", "key 'fatalities'"),
    ("      wounded: 2\n", "      woundd: 2\n", "unknown key 'woundd'"),
    ("    - kind: incident\n", "    - kind: incidnet\n", "key 'kind'"),
    ("      lon: 38.28\n", "      lon: null\n", "'lat'/'lon'"),
    ("      tol: 0\n", "      tol: -1\n", "key 'tol'"),
]


@pytest.mark.parametrize(("old", "new", "message"), BAD_EVENT_CASES)
def test_bad_gold_event_names_article_event_and_key(
    tmp_path: Path, old: str, new: str, message: str
) -> None:
    # Each case spoils a line of the first event of clash.txt only.
    broken = GOLD_YAML.replace(old, new, 1)
    assert broken != GOLD_YAML
    with pytest.raises(GoldFormatError) as error:
        load_gold(write_gold(tmp_path, broken))
    assert "article 'clash.txt', event #1" in str(error.value)
    assert message in str(error.value)


def test_bad_published_date_names_article(tmp_path: Path) -> None:
    broken = GOLD_YAML.replace("published: null", "published: 2022-02-30")
    with pytest.raises(GoldFormatError, match=r"article 'tally.txt': key 'published': bad date"):
        load_gold(write_gold(tmp_path, broken))


@pytest.mark.parametrize(
    ("text", "message"),
    [
        ("article: x.txt\n", "expected a list of articles"),
        ("- article: x.txt\n  published: null\n", "article 'x.txt': missing key 'events'"),
        ("- published: null\n  events: []\n", "article #1: key 'article'"),
        (
            "- {article: x.txt, published: null, events: []}\n" * 2,
            "article 'x.txt' appears twice",
        ),
        ("- [unclosed\n", "not valid YAML"),
    ],
)
def test_bad_gold_file_structure(tmp_path: Path, text: str, message: str) -> None:
    with pytest.raises(GoldFormatError, match=message):
        load_gold(write_gold(tmp_path, text))


# --- event scores ---------------------------------------------------------------------------


def test_perfect_prediction_scores_one(gold: list[GoldArticle]) -> None:
    report = run(gold, perfect_events())
    assert (report.precision, report.recall, report.f1) == (1.0, 1.0, 1.0)
    assert (report.tp, report.fp, report.fn) == (3, 0, 0)
    assert (report.aggregates.precision, report.aggregates.recall) == (1.0, 1.0)
    assert report.aggregates.tp == 1
    for name, score in report.fields.items():
        assert score.accuracy in (1.0, None), name
    assert report.fields["date"] == FieldScore(3, 3, 1.0)
    assert report.fields["wounded"] == FieldScore(1, 1, 1.0)
    assert report.fields["claimed_by"] == FieldScore(1, 1, 1.0)
    assert report.coordinates_missing == 0
    assert all(not r.missed and not r.spurious for r in report.per_article)


def test_one_missed_incident_lowers_recall_only(gold: list[GoldArticle]) -> None:
    events = perfect_events()
    events["clash.txt"] = events["clash.txt"][:1]
    report = run(gold, events)
    assert (report.tp, report.fp, report.fn) == (2, 0, 1)
    assert report.precision == 1.0
    assert report.recall == pytest.approx(2 / 3)
    assert report.f1 == pytest.approx(0.8)
    assert [g.index for g in report.per_article[0].missed] == [2]


def test_aggregate_predicted_as_incident_is_a_false_positive(gold: list[GoldArticle]) -> None:
    events = perfect_events()
    events["tally.txt"][0] = edited(events["tally.txt"][0], kind="incident")
    report = run(gold, events)
    assert (report.tp, report.fp, report.fn) == (3, 1, 0)
    assert report.precision == pytest.approx(0.75)
    assert (report.aggregates.tp, report.aggregates.fn) == (0, 1)
    assert report.aggregates.recall == 0.0
    assert [e.event_id for e in report.per_article[1].spurious] == ["t1"]


def test_month_precision_gold_matches_any_day_of_that_month(gold: list[GoldArticle]) -> None:
    events = perfect_events()
    strike = events["tally.txt"][1]
    events["tally.txt"][1] = edited(strike, event_date=dt.date(2022, 2, 20), time_precision=1)
    report = run(gold, events)
    assert report.tp == 3
    assert report.fields["date"] == FieldScore(3, 3, 1.0)

    events["tally.txt"][1] = edited(strike, event_date=dt.date(2022, 3, 1), time_precision=3)
    report = run(gold, events)
    assert (report.tp, report.fp, report.fn) == (2, 1, 1)


def test_tolerance_widens_matching_but_date_accuracy_wants_the_day(
    gold: list[GoldArticle],
) -> None:
    events = perfect_events()
    bomb = events["clash.txt"][1]  # gold 2022-03-09, tol 1
    events["clash.txt"][1] = edited(bomb, event_date=dt.date(2022, 3, 10))
    report = run(gold, events)
    assert report.tp == 3
    assert report.fields["date"] == FieldScore(2, 3, pytest.approx(2 / 3))
    assert report.per_article[0].matched[1].disagreements == ["date"]

    events["clash.txt"][1] = edited(bomb, event_date=dt.date(2022, 3, 11))
    report = run(gold, events)
    assert (report.tp, report.fn) == (2, 1)

    clash = events["clash.txt"][0]  # gold 2022-03-08, tol 0
    events["clash.txt"][0] = edited(clash, event_date=dt.date(2022, 3, 7))
    assert run(gold, events).tp == 1


def test_null_gold_date_matches_only_a_null_predicted_date(tmp_path: Path) -> None:
    gold = load_gold(write_gold(tmp_path, GOLD_YAML.replace("date: 2022-03-08", "date: null")))
    events = perfect_events()
    assert run(gold, events).fn == 1
    events["clash.txt"][0] = edited(events["clash.txt"][0], event_date=None)
    report = run(gold, events)
    assert (report.tp, report.fn) == (3, 0)
    assert report.fields["date"].correct == 3


def exact_names(a: str, b: str) -> bool:
    return a == b


def test_places_within_50_km_match_despite_different_admin1_spelling(
    gold: list[GoldArticle],
) -> None:
    events = perfect_events()
    bomb = events["clash.txt"][1]  # gold Deir ez-Zor at 35.02, 40.45
    # About 33 km away: a match, but coordinates (25 km) and admin1 (exact names here) are wrong.
    events["clash.txt"][1] = edited(bomb, admin1="Dayr az Zawr", latitude=35.32)
    report = run(gold, events, same_admin1=exact_names)
    assert report.tp == 3
    assert report.per_article[0].matched[1].disagreements == ["admin1", "coordinates"]
    assert report.fields["coordinates"] == FieldScore(2, 3, pytest.approx(2 / 3))

    # About 67 km away with another admin1: no match.
    events["clash.txt"][1] = edited(bomb, admin1="Dayr az Zawr", latitude=35.62)
    assert run(gold, events, same_admin1=exact_names).fn == 1


def test_default_admin1_comparison_ignores_spelling_details(gold: list[GoldArticle]) -> None:
    events = perfect_events()
    bomb = events["clash.txt"][1]
    events["clash.txt"][1] = edited(bomb, admin1="Deir Ezzor", latitude=None, longitude=None)
    report = run(gold, events)
    assert report.tp == 3
    assert report.fields["admin1"].correct == 3
    assert report.coordinates_missing == 1
    assert report.fields["coordinates"].total == 2


def test_field_accuracy_counts(gold: list[GoldArticle]) -> None:
    events = perfect_events()
    clash, bomb = events["clash.txt"]
    events["clash.txt"] = [
        edited(clash, fatalities=5, wounded=None, actor1="IS", sources=["SANA"]),
        edited(bomb, fatalities=None, event_type="Battles", fatalities_by_side={"actor2": 2}),
    ]
    strike = events["tally.txt"][1]
    events["tally.txt"][1] = edited(strike, claimed_by=None, latitude=None, longitude=None)
    report = run(gold, events, same_actor=exact_names)
    fields = report.fields
    assert report.tp == 3
    assert fields["fatalities"] == FieldScore(1, 3, pytest.approx(1 / 3))
    assert fields["event_type"] == FieldScore(2, 3, pytest.approx(2 / 3))
    assert fields["actor1"] == FieldScore(2, 3, pytest.approx(2 / 3))
    assert fields["wounded"] == FieldScore(0, 1, 0.0)
    assert fields["source"] == FieldScore(0, 1, 0.0)
    assert fields["claimed_by"] == FieldScore(0, 1, 0.0)
    # Only the clash has sides in gold: the bomb's extra split is not judged.
    assert fields["fatalities_by_side"] == FieldScore(1, 1, 1.0)
    assert fields["coordinates"] == FieldScore(2, 2, 1.0)
    assert report.coordinates_missing == 1


TWO_INCIDENTS_YAML = """
- article: pair.txt
  published: null
  events:
    - {kind: incident, date: 2022-03-08, tol: 1, event_type: Battles, sub_event_type: Armed clash,
       actor1: Islamic State, actor2: Military Forces of Syria, admin1: Homs, location: Tadmur,
       lat: null, lon: null, fatalities: 4}
    - {kind: incident, date: 2022-03-09, tol: 0, event_type: Explosions/Remote violence,
       sub_event_type: Air/drone strike, actor1: Military Forces of Russia, actor2: Islamic State,
       admin1: Homs, location: Al-Sukhnah, lat: null, lon: null, fatalities: 1}
"""


def test_one_to_one_matching_maximises_matches_before_score(tmp_path: Path) -> None:
    # "close" fits gold #1 best (all but the day) but is gold #2's only candidate; "far" fits
    # only gold #1, and poorly. Greedy by score would pair close with #1 and leave #2 unmatched.
    gold = load_gold(write_gold(tmp_path, TWO_INCIDENTS_YAML))
    close = Event(
        event_id="close",
        event_date=dt.date(2022, 3, 9),
        event_type="Battles",
        sub_event_type="Armed clash",
        actor1="Islamic State",
        actor2="Military Forces of Syria",
        admin1="Homs",
        fatalities=4,
    )
    far = Event(event_id="far", event_date=dt.date(2022, 3, 7), admin1="Homs")
    report = run(gold, {"pair.txt": [close, far]})
    assert (report.tp, report.fp, report.fn) == (2, 0, 0)
    pairs = {p.gold.index: p.predicted.event_id for p in report.per_article[0].matched}
    assert pairs == {1: "far", 2: "close"}


def test_tie_between_candidates_goes_to_the_better_agreement(gold: list[GoldArticle]) -> None:
    clash = perfect_events()["clash.txt"][0]
    worse = edited(clash, event_id="worse", fatalities=9, actor2="Civilians")
    events = {"clash.txt": [worse, clash]}
    report = run(gold, events)
    assert [p.predicted.event_id for p in report.per_article[0].matched] == ["c1"]
    assert [e.event_id for e in report.per_article[0].spurious] == ["worse"]


def test_predict_errors_name_the_article(gold: list[GoldArticle]) -> None:
    def failing(article: GoldArticle) -> list[Event]:
        raise RuntimeError("extractor broke")

    with pytest.raises(RuntimeError) as error:
        evaluate(gold, failing)
    assert any("clash.txt" in note for note in error.value.__notes__)


# --- output ---------------------------------------------------------------------------------


def test_to_dict_is_json_and_lists_misses(gold: list[GoldArticle]) -> None:
    events = perfect_events()
    events["clash.txt"] = events["clash.txt"][1:]
    data = json.loads(json.dumps(run(gold, events).to_dict()))
    assert (data["tp"], data["fn"]) == (2, 1)
    assert data["fields"]["fatalities"] == {"correct": 2, "total": 2, "accuracy": 1.0}
    assert data["aggregates"]["tp"] == 1
    clash = data["per_article"][0]
    assert clash["missed"][0]["date"] == "2022-03-08"
    assert clash["matched"][0]["predicted"]["event_id"] == "c2"
    assert "evidence" not in clash["matched"][0]["predicted"]


def test_render_report_shows_scores_and_verbose_details(gold: list[GoldArticle]) -> None:
    events = perfect_events()
    events["clash.txt"] = [edited(events["clash.txt"][0], fatalities=9)]
    report = run(gold, events)

    def rendered(verbose: bool) -> str:
        console = Console(file=io.StringIO(), width=120, color_system=None)
        render_report(report, console, verbose=verbose)
        return console.file.getvalue()

    brief = rendered(verbose=False)
    assert "P 1.000  R 0.667  F1 0.800" in brief
    assert "fatalities" in brief and "1 / 2" in brief
    assert "missed" not in brief
    detailed = rendered(verbose=True)
    assert "missed   #2 incident 2022-03-09" in detailed
    assert "wrong: fatalities" in detailed


# --- properties -----------------------------------------------------------------------------

counts = st.integers(min_value=0, max_value=10_000)


@given(tp=counts, fp=counts, fn=counts)
def test_detection_scores_are_bounded_and_f1_is_the_harmonic_mean(
    tp: int, fp: int, fn: int
) -> None:
    score = DetectionScore.from_counts(tp, fp, fn)
    for value in (score.precision, score.recall, score.f1):
        assert 0.0 <= value <= 1.0
    if score.precision and score.recall:
        assert score.f1 == pytest.approx(2 / (1 / score.precision + 1 / score.recall))
    else:
        assert score.f1 == 0.0
    if tp:
        assert score.f1 == pytest.approx(2 * tp / (2 * tp + fp + fn))


score_matrices = st.integers(1, 4).flatmap(
    lambda rows: st.integers(1, 4).flatmap(
        lambda columns: st.lists(
            st.lists(st.one_of(st.none(), st.integers(0, 9)), min_size=columns, max_size=columns),
            min_size=rows,
            max_size=rows,
        )
    )
)


def pairing_value(scores: list[list[int | None]], pairs: list[tuple[int, int]]) -> tuple[int, int]:
    """What best_assignment maximises: the number of pairs, then their total score."""
    return len(pairs), sum(scores[r][c] or 0 for r, c in pairs)


def brute_force_best(scores: list[list[int | None]]) -> tuple[int, int]:
    columns = len(scores[0])
    best = (0, 0)
    # Every way to give each row a distinct allowed column or none (-1).
    for choice in itertools.product(range(-1, columns), repeat=len(scores)):
        pairs = [(r, c) for r, c in enumerate(choice) if c >= 0]
        if len({c for _, c in pairs}) == len(pairs) and all(
            scores[r][c] is not None for r, c in pairs
        ):
            best = max(best, pairing_value(scores, pairs))
    return best


@given(score_matrices)
def test_best_assignment_is_optimal(scores: list[list[int | None]]) -> None:
    pairs = best_assignment(scores)
    assert len({r for r, _ in pairs}) == len({c for _, c in pairs}) == len(pairs)
    assert all(scores[r][c] is not None for r, c in pairs)
    assert pairing_value(scores, pairs) == brute_force_best(scores)
