"""Calibrated confidence: the shipped model's behaviour, the model file, and the reliability table
that `conflictlens eval` prints."""

from __future__ import annotations

import datetime as dt
import io
import json
import math
import textwrap
from pathlib import Path

import pytest
from hypothesis import given
from hypothesis import strategies as st
from rich.console import Console
from typer.testing import CliRunner

from conflictlens.cli import app
from conflictlens.evaluate import (
    GoldArticle,
    evaluate,
    load_gold,
    record_is_right,
    reliability,
    render_report,
)
from conflictlens.extraction.confidence import (
    ConfidenceModel,
    ConfidenceModelError,
    confidence,
    default_model,
    features,
)
from conflictlens.models import Event, Evidence

# Flags about the fields a record is judged on (date, place, count): each must lower confidence.
FIELD_DOUBT_FLAGS = (
    "place_not_found",
    "place_region_only",
    "place_from_article",
    "date_unresolved",
    "date_from_publication",
    "count_vague",
)
ALL_FLAGS = (*FIELD_DOUBT_FLAGS, "no_publication_date", "actor_suspected", "actor_unknown")


def roadside_bomb(**changes: object) -> Event:
    """A well-evidenced record of a bombing in Kirkuk: day-precise, located, with a toll."""
    evidence = [
        Evidence(article_id="a1", field=name, start=i * 10, end=i * 10 + 8, text="evidence")
        for i, name in enumerate(("event_date", "location", "actor1", "fatalities", "sources"))
    ]
    event = Event(
        event_id="ev1",
        event_date=dt.date(2023, 4, 11),
        time_precision=1,
        event_type="Explosions/Remote violence",
        sub_event_type="Remote explosive/landmine/IED",
        actor1="Islamic State",
        actor2="Military Forces of Iraq",
        admin1="Kirkuk",
        location="Rashad",
        latitude=35.13,
        longitude=44.05,
        geo_precision=1,
        fatalities=3,
        sources=["Security Media Cell"],
        evidence=evidence,
    )
    return event.model_copy(update=changes)


# --- the shipped model ------------------------------------------------------------------------


@pytest.mark.parametrize("flag", FIELD_DOUBT_FLAGS)
def test_a_doubt_about_a_judged_field_never_raises_confidence(flag: str) -> None:
    # The fit holds a doubt's weight at 0 when the data would make it positive.
    sure = roadside_bomb()
    doubtful = roadside_bomb(flags=[flag])
    model = default_model()
    assert model.probability(features(doubtful)) <= model.probability(features(sure))
    assert confidence(doubtful) <= confidence(sure)


def test_a_village_not_found_is_less_sure_than_one_found() -> None:
    # What the extractor does when the village is missing: the province's centre, flagged.
    fallback = roadside_bomb(location="Kirkuk", geo_precision=3, flags=["place_not_found"])
    assert confidence(fallback) < confidence(roadside_bomb())


def test_a_record_without_day_or_place_is_less_sure_than_a_precise_one() -> None:
    vague = roadside_bomb(
        time_precision=3, latitude=None, longitude=None, geo_precision=None, flags=["count_vague"]
    )
    assert confidence(vague) < confidence(roadside_bomb())


@given(
    flags=st.lists(st.sampled_from(ALL_FLAGS), unique=True),
    time_precision=st.sampled_from([None, 1, 2, 3]),
    geo_precision=st.sampled_from([None, 1, 2, 3]),
    fatalities=st.one_of(st.none(), st.integers(0, 500)),
    evidence_items=st.integers(0, 40),
    kind=st.sampled_from(["incident", "aggregate"]),
)
def test_confidence_is_a_probability_with_two_decimals(
    flags: list[str],
    time_precision: int | None,
    geo_precision: int | None,
    fatalities: int | None,
    evidence_items: int,
    kind: str,
) -> None:
    base = roadside_bomb()
    event = roadside_bomb(
        flags=flags,
        kind=kind,
        time_precision=time_precision,
        event_date=base.event_date if time_precision else None,
        geo_precision=geo_precision,
        latitude=base.latitude if geo_precision else None,
        fatalities=fatalities,
        evidence=(base.evidence * 10)[:evidence_items],
    )
    value = confidence(event)
    assert 0.0 < value < 1.0
    assert value == round(value, 2)


def test_extracted_records_carry_the_models_confidence() -> None:
    from conflictlens.extraction import extract_article
    from conflictlens.models import Article

    text = (
        "KIRKUK, Iraq (Tigris Wire) - Three Iraqi soldiers were killed on Tuesday when a roadside "
        "bomb struck their patrol near Rashad, south-west of Kirkuk, security officials said."
    )
    events = extract_article(Article(id="t1", text=text, published=dt.date(2023, 4, 12)))
    assert events
    assert all(event.confidence == confidence(event) for event in events)


# --- the model file ---------------------------------------------------------------------------


def test_a_model_file_gives_the_logistic_of_its_weights() -> None:
    model = ConfidenceModel.from_yaml(
        "intercept: 0.5\nweights:\n  flag:place_not_found: -1.5\n  date_day: 1.0\n", "test.yaml"
    )
    event = roadside_bomb(flags=["place_not_found"])  # date_day 1: logit 0.5 - 1.5 + 1.0 = 0
    assert model.probability(features(event)) == pytest.approx(0.5)
    assert model.confidence(roadside_bomb()) == round(1 / (1 + math.exp(-1.5)), 2)


@pytest.mark.parametrize(
    ("text", "message"),
    [
        ("- 1\n", "expected a mapping"),
        ("intercept: high\nweights: {}\n", "'intercept'"),
        ("intercept: 1\nweights: {date_day: yes}\n", "'weights'"),
        ("intercept: 1\nweights: {moon_phase: 0.3}\n", "unknown feature 'moon_phase'"),
    ],
)
def test_a_bad_model_file_is_named_with_its_key(text: str, message: str) -> None:
    with pytest.raises(ConfidenceModelError, match=r"^bad\.yaml: ") as error:
        ConfidenceModel.from_yaml(text, "bad.yaml")
    assert message in str(error.value)


# --- what "right" means -----------------------------------------------------------------------


def test_a_record_is_right_when_every_judged_core_field_is() -> None:
    core = {"date": True, "event_type": True, "admin1": True, "fatalities": True}
    assert record_is_right(core | {"actor1": False, "sub_event_type": False})
    assert not record_is_right(core | {"fatalities": False})
    assert not record_is_right(core | {"date": False})
    assert record_is_right({"date": True, "admin1": True})  # a gold row that states no type or toll


# --- the reliability table --------------------------------------------------------------------


def test_reliability_bins_ece_and_brier_on_known_records() -> None:
    records = [
        (0.10, False),
        (0.15, True),
        (0.50, True),
        (0.55, False),
        (0.90, True),
        (0.95, True),
        (1.00, True),  # the last bin is closed
    ]
    table = reliability(records, bin_count=5)
    assert [b.count for b in table.bins] == [2, 0, 2, 0, 3]
    assert [(b.low, b.high) for b in table.bins][1] == (0.2, 0.4)
    assert table.bins[0].mean_confidence == pytest.approx(0.125)
    assert table.bins[0].fraction_right == pytest.approx(0.5)
    assert table.bins[1].mean_confidence is None and table.bins[1].fraction_right is None
    assert table.bins[2].mean_confidence == pytest.approx(0.525)
    assert table.bins[4].fraction_right == pytest.approx(1.0)
    assert table.ece == pytest.approx((2 * 0.375 + 2 * 0.025 + 3 * 0.05) / 7)
    assert table.brier == pytest.approx(1.2975 / 7)
    assert table.fraction_right == pytest.approx(5 / 7)


def test_confidence_that_says_how_often_records_are_right_has_no_calibration_error() -> None:
    records = [(0.75, True)] * 3 + [(0.75, False)] + [(0.25, False)] * 3 + [(0.25, True)]
    table = reliability(records)
    assert table.ece == pytest.approx(0.0)
    assert table.brier == pytest.approx(0.1875)
    overconfident = reliability([(0.95, r) for _, r in records])
    assert overconfident.ece == pytest.approx(0.45)


def test_no_records_give_an_empty_table() -> None:
    table = reliability([])
    assert table.count == 0 and table.ece is None and table.brier is None
    assert all(b.count == 0 for b in table.bins)


GOLD = """
- article: hasakah.txt
  published: 2021-08-03
  events:
    - {kind: incident, date: 2021-08-02, tol: 0, event_type: Violence against civilians,
       sub_event_type: Attack, actor1: Islamic State, actor2: Civilians, admin1: Al-Hasakah,
       location: Al-Hol, lat: 36.38, lon: 41.15, fatalities: 2}
    - {kind: incident, date: 2021-08-01, tol: 0, event_type: Battles,
       sub_event_type: Armed clash, actor1: Islamic State, actor2: Syrian Democratic Forces,
       admin1: Al-Hasakah, location: Al-Shaddadi, lat: 36.05, lon: 40.73, fatalities: 4}
"""


def test_eval_report_judges_matched_and_spurious_records(tmp_path: Path) -> None:
    path = tmp_path / "gold.yaml"
    path.write_text(textwrap.dedent(GOLD), encoding="utf-8")
    gold = load_gold(path)

    def record(event_id: str, confidence: float, **fields: object) -> Event:
        return Event(event_id=event_id, confidence=confidence, time_precision=1, **fields)

    attack = dict(
        event_date=dt.date(2021, 8, 2),
        event_type="Violence against civilians",
        admin1="Al-Hasakah",
        latitude=36.38,
        longitude=41.15,
        fatalities=2,
    )
    clash = attack | {"event_date": dt.date(2021, 8, 1), "event_type": "Battles"}
    predicted = [
        record("right", 0.9, **attack, actor1="Somebody Else"),  # actors are not judged
        record("wrong toll", 0.7, **clash),  # gold says 4
        record("spurious", 0.3, **(attack | {"event_date": dt.date(2021, 7, 20)})),
    ]

    def predict(article: GoldArticle) -> list[Event]:
        return predicted

    report = evaluate(gold, predict)
    table = report.reliability
    assert table.count == 3
    assert table.fraction_right == pytest.approx(1 / 3)
    assert table.brier == pytest.approx((0.1**2 + 0.7**2 + 0.3**2) / 3)
    assert json.loads(json.dumps(report.to_dict()))["reliability"]["count"] == 3
    console = Console(file=io.StringIO(), width=140, color_system=None)
    render_report(report, console)
    output = console.file.getvalue()
    assert "Confidence of predicted incidents" in output
    assert f"ECE {table.ece:.3f}  Brier {table.brier:.3f}" in output


def test_eval_command_prints_the_reliability_table(tmp_path: Path) -> None:
    (tmp_path / "kirkuk.txt").write_text(
        "KIRKUK, Iraq (Tigris Wire) - Three Iraqi soldiers were killed on Tuesday when a roadside "
        "bomb struck their patrol near Rashad, south-west of Kirkuk, security officials said.\n",
        encoding="utf-8",
    )
    (tmp_path / "gold.yaml").write_text(
        textwrap.dedent(
            """
            - article: kirkuk.txt
              published: 2023-04-12
              events:
                - {kind: incident, date: 2023-04-11, tol: 0,
                   event_type: Explosions/Remote violence,
                   sub_event_type: Remote explosive/landmine/IED, actor1: null,
                   actor2: Military Forces of Iraq, admin1: Kirkuk, location: Rashad,
                   lat: 35.13, lon: 44.05, fatalities: 3}
            """
        ),
        encoding="utf-8",
    )
    runner = CliRunner()
    shown = runner.invoke(app, ["eval", str(tmp_path / "gold.yaml")])
    assert shown.exit_code == 0, shown.output
    assert "Confidence of predicted incidents" in shown.stdout and "ECE" in shown.stdout
    as_json = runner.invoke(app, ["eval", str(tmp_path / "gold.yaml"), "--json"])
    report = json.loads(as_json.stdout)
    assert report["reliability"]["count"] == report["tp"] + report["fp"] >= 1
    assert sum(b["count"] for b in report["reliability"]["bins"]) == report["reliability"]["count"]
