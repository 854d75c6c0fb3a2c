"""UCDP GED-style export: GED's sides, types and death estimates, from articles the team wrote."""

from __future__ import annotations

import csv
import io
from collections import Counter
from datetime import date

from conflictlens.export_ucdp import (
    NON_STATE,
    ONE_SIDED,
    STATE_BASED,
    TAG_LEGACY_ORDNANCE,
    UCDP_COLUMNS,
    type_of_violence,
    ucdp_deaths,
    write_ucdp_csv,
)
from conflictlens.extraction import extract_article
from conflictlens.models import FLAG_COUNT_VAGUE, Article, Event

PUBLISHED = date(2022, 4, 11)


def _incidents(text: str) -> list[Event]:
    events = extract_article(Article(id="t", text=text, published=PUBLISHED))
    return [e for e in events if e.kind == "incident"]


def _the_incident(text: str) -> Event:
    (event,) = _incidents(text)
    return event


OLD_MINE_CIVILIANS = """Leftover ordnance | Boy killed by old landmine near Tall Kayf
Nineveh province – Monitor desk: Local sources said on Monday that a 12-year-old boy was killed when
an old landmine left over from the war exploded while he was herding sheep near the village of
Tall Kayf, north of Mosul. Share this: Facebook Twitter WhatsApp"""

OLD_MINE_SOLDIERS = """Desert sweep | Old landmine kills three soldiers in eastern Homs
Three Syrian army soldiers were killed on Monday when an old landmine planted earlier by Islamic
State militants exploded under their vehicle during a sweep of the desert near Palmyra, in the
eastern countryside of Homs, a war monitor said."""

BOTH_SIDES = """Frontline | Clashes between SDF and Turkish-backed factions near Ain Issa
Raqqa province: Clashes erupted on Monday between the Syrian Democratic Forces and the Syrian
National Army on the frontlines of the village of Saida near Ain Issa in the northern countryside of
Raqqa, amid reports of casualties on both sides. Related: Weather in Raqqa this week"""

SEVERAL_DEAD = """Ceasefire violations | Rebels shell army post in southern Idlib
Opposition factions fired rockets on Monday at a Syrian army post on the frontline of Kafr Nabl
in the southern countryside of Idlib, leaving several soldiers dead and wounded, a monitor said."""


def test_civilians_killed_by_ordnance_from_earlier_fighting_count_in_the_high_estimate_only() -> (
    None
):
    event = _the_incident(OLD_MINE_CIVILIANS)
    assert TAG_LEGACY_ORDNANCE in event.tags
    assert event.fatalities == 1  # the Event record keeps the death: ACLED counts it
    deaths = ucdp_deaths(event)
    assert deaths is not None
    assert (deaths.best, deaths.low, deaths.high) == (0, 0, 1)


def test_soldiers_killed_by_an_old_mine_of_the_group_they_fight_count_in_full() -> None:
    event = _the_incident(OLD_MINE_SOLDIERS)
    assert TAG_LEGACY_ORDNANCE in event.tags
    deaths = ucdp_deaths(event)
    assert deaths is not None
    assert (deaths.best, deaths.low, deaths.high) == (3, 3, 3)
    assert deaths.side_a == 3  # GED's side a is the government, here the side that lost them


def test_a_fresh_roadside_bomb_is_not_legacy_ordnance() -> None:
    text = (
        "A roadside bomb planted by militants killed two policemen on Monday on the road between "
        "Kirkuk and Hawija, police sources said."
    )
    event = _the_incident(text)
    assert TAG_LEGACY_ORDNANCE not in event.tags
    deaths = ucdp_deaths(event)
    assert deaths is not None and deaths.best == 2


def test_a_year_old_child_killed_by_a_bomb_is_not_an_old_bomb() -> None:
    text = (
        "A 10-year-old girl was killed by a bomb dropped by a drone on Monday in Kafr Nabl, Idlib."
    )
    assert TAG_LEGACY_ORDNANCE not in _the_incident(text).tags


def test_casualties_on_both_sides_are_two_dead_per_side_in_the_export_only() -> None:
    event = _the_incident(BOTH_SIDES)
    assert event.fatalities is None  # the record keeps the toll unknown, flagged
    assert FLAG_COUNT_VAGUE in event.flags
    assert any("both sides" in e.text for e in event.evidence if e.field == "fatalities")
    deaths = ucdp_deaths(event)
    assert deaths is not None
    assert (deaths.side_a, deaths.side_b, deaths.best, deaths.low) == (2, 2, 4, 4)


def test_several_dead_on_one_side_is_two_dead() -> None:
    event = _the_incident(SEVERAL_DEAD)
    assert event.fatalities is None and FLAG_COUNT_VAGUE in event.flags
    deaths = ucdp_deaths(event)
    assert deaths is not None and deaths.best == 2


def test_no_toll_at_all_gives_no_estimate() -> None:
    event = Event(event_id="e", event_date=PUBLISHED, actor1="Islamic State")
    assert ucdp_deaths(event) is None


def test_type_of_violence_and_sides() -> None:
    attack = Event(
        event_id="a",
        event_date=PUBLISHED,
        actor1="Islamic State",
        inter1="Rebel group",
        actor2="Military Forces of Iraq (2014-)",
        inter2="State forces",
        fatalities=5,
        fatalities_by_side={"actor2": 4, "actor1": 1},
    )
    assert type_of_violence(attack) == STATE_BASED
    deaths = ucdp_deaths(attack)
    assert deaths is not None and (deaths.side_a, deaths.side_b) == (4, 1)
    civilians = attack.model_copy(
        update={"actor2": "Civilians", "inter2": "Civilians", "civilian_targeting": True}
    )
    assert type_of_violence(civilians) == ONE_SIDED
    groups = attack.model_copy(update={"actor2": "Ansar al-Sunna", "inter2": "Rebel group"})
    assert type_of_violence(groups) == NON_STATE


def test_csv_rows_leave_out_aggregates_and_undated_records() -> None:
    attack = Event(
        event_id="a",
        event_date=PUBLISHED,
        time_precision=1,
        actor1="Islamic State",
        inter1="Rebel group",
        actor2="Military Forces of Iraq (2014-)",
        inter2="State forces",
        country="Iraq",
        admin1="Kirkuk",
        fatalities=5,
        fatalities_by_side={"actor2": 5},
        articles=["r1", "r2"],
    )
    tally = Event(event_id="t", kind="aggregate", event_date=PUBLISHED, fatalities=300)
    undated = Event(event_id="u", fatalities=1)
    out = io.StringIO()
    left_out: Counter[str] = Counter()
    assert write_ucdp_csv([attack, tally, undated], out, left_out=left_out) == 1
    assert left_out == {"aggregates": 1, "undated": 1}
    rows = list(csv.DictReader(io.StringIO(out.getvalue())))
    assert list(rows[0]) == list(UCDP_COLUMNS)
    (row,) = rows
    assert row["side_a"] == "Government of Iraq"
    assert row["side_b"] == "Islamic State"
    assert row["dyad_name"] == "Government of Iraq - Islamic State"
    assert (row["deaths_a"], row["deaths_b"], row["best"], row["low"], row["high"]) == (
        "5",
        "0",
        "5",
        "5",
        "5",
    )
    assert (row["date_prec"], row["number_of_sources"], row["type_of_violence"]) == ("1", "2", "1")
