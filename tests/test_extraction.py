"""The extractor on an article the team wrote: several incidents, a tally, history and page junk."""

from __future__ import annotations

from datetime import date
from pathlib import Path

import pytest

import conflictlens
from conflictlens.ingest import read_sources
from conflictlens.models import FLAG_DATE_UNRESOLVED, Article, Event

ARTICLE_PATH = Path(__file__).parent / "articles" / "iraq_multi.txt"


@pytest.fixture(scope="module")
def article() -> Article:
    [item] = list(read_sources([ARTICLE_PATH]))
    assert isinstance(item, Article)
    return item


@pytest.fixture(scope="module")
def events(article: Article) -> list[Event]:
    from conflictlens.extraction import extract_article

    return extract_article(article)


def test_one_record_per_incident_and_the_tally_is_an_aggregate(events: list[Event]) -> None:
    incidents = [e for e in events if e.kind == "incident"]
    aggregates = [e for e in events if e.kind == "aggregate"]
    assert len(incidents) == 2, [e.notes for e in incidents]
    assert len(aggregates) == 1
    assert aggregates[0].fatalities == 61


def test_the_bombing(events: list[Event]) -> None:
    bombing = next(e for e in events if e.kind == "incident" and e.fatalities == 4)
    assert bombing.event_date == date(2022, 5, 17)  # "on Tuesday", published Wednesday 18 May
    assert bombing.time_precision == 1
    assert bombing.sub_event_type == "Remote explosive/landmine/IED"
    assert bombing.wounded == 3
    assert bombing.admin1 == "Diyala"
    assert bombing.country_code == "IQ"
    assert bombing.actor1 == "Islamic State"
    assert bombing.actor2 == "Military Forces of Iraq"
    assert bombing.claimed_by is None  # "No group immediately claimed responsibility"
    assert "Iraqi Security Media Cell" in bombing.sources
    assert bombing.outlets == ["Tigris Wire"]


def test_the_shooting_of_civilians(events: list[Event]) -> None:
    shooting = next(e for e in events if e.kind == "incident" and e.fatalities == 2)
    assert shooting.event_date == date(2022, 5, 15)
    assert shooting.event_type == "Violence against civilians"
    assert shooting.civilian_targeting
    assert shooting.actor2 == "Civilians"
    assert "AFP" in shooting.sources


def test_evidence_points_at_the_words(events: list[Event], article: Article) -> None:
    for event in events:
        assert event.evidence, event.notes
        for ev in event.evidence:
            assert article.text[ev.start : ev.end] == ev.text
            assert ev.article_id == article.id
    bombing = next(e for e in events if e.fatalities == 4)
    fields = {ev.field for ev in bombing.evidence}
    assert {"event_date", "fatalities", "wounded", "location", "event_type", "actor1"} <= fields


def test_ids_are_stable(article: Article) -> None:
    from conflictlens.extraction import extract_article

    first = [e.event_id for e in extract_article(article)]
    second = [e.event_id for e in extract_article(article.model_copy())]
    assert first == second and len(set(first)) == len(first)


def test_without_publication_date_relative_dates_stay_null_and_flagged(article: Article) -> None:
    events = conflictlens.extract(article.text)
    incidents = [e for e in events if e.kind == "incident"]
    assert incidents
    for event in incidents:
        assert event.event_date is None
        assert FLAG_DATE_UNRESOLVED in event.flags


def test_page_junk_and_history_make_no_events() -> None:
    text = "FOLLOW INDEPENDENT PRESS:\nShare this story!\nLeave a Reply\nThe group seized large parts of Iraq in 2014."
    assert conflictlens.extract(text, published="2022-05-18") == []


def test_notes_are_generated_from_fields(events: list[Event]) -> None:
    bombing = next(e for e in events if e.fatalities == 4)
    assert bombing.notes.startswith("On 17 May 2022, Islamic State")
    assert "4 fatalities" in bombing.notes


def test_python_api_and_dataframe() -> None:
    frame = conflictlens.to_dataframe(
        conflictlens.extract(ARTICLE_PATH.read_text().split("\n\n", 1)[1], "2022-05-18")
    )
    assert list(frame.columns)[:3] == ["event_id", "kind", "event_date"]
    assert len(frame) >= 2


def test_hard_wrapped_lines_are_read_as_one_sentence() -> None:
    text = (
        "Gunmen killed at least nine villagers and wounded four others in an attack on Sunday on the\n"
        "village of Kopa in Mopti region, local officials said.\n"
    )
    [event] = conflictlens.extract(text, published="2023-03-14")
    assert (event.fatalities, event.wounded, event.admin1) == (9, 4, "Mopti")
    assert "place_not_found" in event.flags  # Kopa was read, and is not in the packaged gazetteer


def test_an_act_on_another_day_is_its_own_incident() -> None:
    text = (
        "Gunmen shot dead two police officers at a checkpoint outside Kirkuk on Monday, "
        "residents said.\n\n"
        "Police raided a house in Kirkuk on Tuesday and arrested five men suspected of the killing.\n\n"
        "Late on Thursday, Islamic State militants attacked army positions near Tuz Khurmatu.\n\n"
        "Two of the attackers were killed, the army said."
    )
    events = conflictlens.extract(text, published="2024-04-12")
    by_date = {str(e.event_date): e for e in events}
    assert set(by_date) == {"2024-04-08", "2024-04-09", "2024-04-11"}
    assert by_date["2024-04-08"].fatalities == 2
    assert by_date["2024-04-09"].sub_event_type == "Arrests"
    assert by_date["2024-04-09"].arrested == 5
    assert by_date["2024-04-11"].actor1 == "Islamic State"
    assert by_date["2024-04-11"].fatalities == 2


def test_no_one_killed_is_zero_not_one() -> None:
    [event] = conflictlens.extract(
        "A roadside bomb hit an army patrol near Baiji on Sunday. No one was killed.",
        published="2024-04-08",
    )
    assert event.fatalities == 0


def test_plural_acts_on_one_day_are_an_incident_and_history_does_not_date_it() -> None:
    text = (
        "Suspected jihadists killed at least 12 villagers in attacks on two hamlets near Tessit "
        "on Saturday, officials said.\n\n"
        "The blast came a day after gunmen on motorbikes opened fire on a market near Gao, killing "
        "four traders.\n\n"
        "Officials blamed the group for Friday's shooting.\n\n"
        "The group first appeared in the region in 2015, when it attacked army posts."
    )
    events = conflictlens.extract(text, published="2024-03-11")
    incidents = {e.fatalities: e for e in events if e.kind == "incident"}
    assert incidents[12].event_date == date(2024, 3, 9)
    assert incidents[4].event_date == date(2024, 3, 8)  # from "Friday's shooting", not 2015
    assert not [e for e in events if e.kind == "aggregate"]


def test_the_acronym_is_read_as_the_attacker_not_the_verb() -> None:
    [event] = conflictlens.extract(
        "On Thursday, IS militants attacked Peshmerga positions near Makhmur, a ministry said.",
        published="2025-03-08",
    )
    assert (event.actor1, event.actor2) == ("Islamic State", "Peshmerga")


def test_the_attackers_dead_reported_apart_add_to_the_toll_by_side() -> None:
    text = (
        "Jihadists killed nine soldiers in an attack on an army post near Diffa on Sunday, the "
        "defence ministry said.\n\n"
        'About 30 assailants were "neutralised" in the counter-attack, it added.'
    )
    [event] = conflictlens.extract(text, published="2024-05-14")
    assert event.fatalities == 39
    assert event.fatalities_by_side == {"actor1": 30, "actor2": 9}


@pytest.mark.parametrize(
    ("text", "actor1"),
    [
        (
            "On Tuesday, Israeli airstrikes were reported to have hit army positions near Quneitra.",
            "Military Forces of Israel",
        ),
        (
            "On Tuesday, Turkish forces conducted airstrikes against PKK hideouts near Amadiya.",
            "Military Forces of Turkey",
        ),
    ],
)
def test_the_side_that_struck_is_actor1(text: str, actor1: str) -> None:
    [event] = conflictlens.extract(text, published="2024-05-08")
    assert event.actor1 == actor1


def test_a_groups_claimed_toll_does_not_split_or_override_the_incident() -> None:
    text = (
        "Al-Shabaab fighters attacked an army base near Baidoa on Sunday. Three soldiers were "
        "killed and five militants died in the fighting, a local official said.\n\n"
        "Al-Shabaab claimed it had killed 20 soldiers, a figure the army denied.\n\n"
        "Late on Sunday, a grenade was thrown at a police post in Afgooye, wounding two officers."
    )
    events = [e for e in conflictlens.extract(text, published="2018-09-11") if e.kind == "incident"]
    assert [e.fatalities for e in events] == [8, None]
    assert events[0].fatalities_by_side == {"actor1": 5, "actor2": 3}
    assert events[0].claimed_by == "Al-Shabaab"
    assert events[1].wounded == 2


def test_an_earlier_incident_this_month_and_a_zero_toll_stay_apart() -> None:
    text = (
        "Rockets struck near the airport in Erbil late on Monday, officials said. One rocket "
        "fell short and another landed in an empty lot, adding there were no casualties.\n\n"
        "Earlier this month, two rockets hit a base near Balad, wounding a soldier."
    )
    events = conflictlens.extract(text, published="2020-06-30")
    by_date = {str(e.event_date): e for e in events if e.kind == "incident"}
    assert by_date["2020-06-29"].fatalities == 0
    assert by_date["2020-06-01"].wounded == 1


def test_a_strike_hours_after_an_attack_is_its_own_incident() -> None:
    text = (
        "A car bomb killed seven civilians at a market in Jarabulus on Saturday, the local council "
        "said.\n\n"
        "Hours after the blast, artillery shelled positions near Manbij, killing three SDF "
        "fighters, a monitor said."
    )
    events = [e for e in conflictlens.extract(text, published="2022-05-16") if e.kind == "incident"]
    assert sorted(e.fatalities for e in events) == [3, 7]


def test_a_quotation_is_comment_not_an_incident() -> None:
    text = (
        "Gunmen killed 11 villagers near Bankass in central Mali on Sunday, officials said.\n\n"
        '"Each attack brings new fear to Mopti," said an aid worker in Mopti.'
    )
    events = [e for e in conflictlens.extract(text, published="2019-06-24") if e.kind == "incident"]
    assert [e.fatalities for e in events] == [11]


def test_counts_of_dead_on_both_sides_in_one_sentence_are_summed() -> None:
    text = (
        "On Monday, ISWAP fighters attacked a base in Damasak, the army said. Twelve terrorists "
        "were killed and three soldiers lost their lives, a spokesman said."
    )
    [event] = [
        e for e in conflictlens.extract(text, published="2021-10-05") if e.kind == "incident"
    ]
    assert event.fatalities_by_side == {"actor1": 12, "actor2": 3}


def test_a_tally_that_names_no_place_covers_the_country_not_the_articles_town() -> None:
    text = (
        "Soldiers shot dead six protesters in Mandalay on Sunday, witnesses said.\n\n"
        "More than 1,200 people have been killed by the security forces since the coup in "
        "February, according to a rights group."
    )
    events = conflictlens.extract(text, published="2021-08-02")
    [tally] = [e for e in events if e.kind == "aggregate"]
    assert tally.fatalities == 1200
    assert (tally.country, tally.admin1, tally.latitude) == ("Myanmar", None, None)
    [incident] = [e for e in events if e.kind == "incident"]
    assert incident.location == "Mandalay"


def test_an_undated_page_is_dated_by_its_address_and_says_so() -> None:
    from conflictlens.extraction import extract_article
    from conflictlens.extraction.assemble import FLAG_PUBLISHED_FROM_URL

    text = (
        "Gunmen kill six at a market in Borno\n\n"
        "Gunmen on motorcycles killed six traders at a market in Konduga, Borno State, on Tuesday,"
        " residents said. The attackers set stalls on fire before fleeing into the bush.\n"
    )
    dated = Article(id="borno-url", text=text, url="https://news.example.org/2019/03/14/market/")
    (event,) = [e for e in extract_article(dated) if e.kind == "incident"]
    assert event.event_date == date(2019, 3, 12)  # the Tuesday before Thursday 14 March
    assert FLAG_PUBLISHED_FROM_URL in event.flags
    (undated,) = [
        e for e in extract_article(dated.model_copy(update={"url": None})) if e.kind == "incident"
    ]
    assert undated.event_date is None and FLAG_DATE_UNRESOLVED in undated.flags


def test_a_province_across_the_border_does_not_set_the_incidents_province() -> None:
    """ "near the border with Aleppo governorate" names the far side of a line: the shelling
    that killed the farmer was around Saraqib in Idlib, not at the Aleppo villages shelled too."""
    text = (
        "A farmer was killed by regime shelling in the countryside of Saraqib, near the border "
        "with Aleppo governorate. Regime forces shelled Al-Eis and Khan Tuman in the southern "
        "countryside of Aleppo."
    )
    from conflictlens.extraction import extract_article

    event = extract_article(Article(id="border", text=text, published=date(2021, 1, 24)))[0]
    assert (event.location, event.admin1, event.fatalities) == ("Saraqib", "Idlib", 1)


def test_another_sources_toll_for_the_same_bombing_is_one_record_with_a_range() -> None:
    text = (
        "Suicide bomber strikes hotel gate in Kismayo\n\n"
        "Four people were killed when a suicide bomber blew himself up near a hotel in "
        "Kismayo on Tuesday, ambulance staff said.\n\n"
        "The regional governor, however, said two people were killed when the bomber, stopped at "
        "the gate, detonated his vest.\n\n"
        "In a separate attack in Baidoa, a roadside bomb killed two soldiers on Tuesday."
    )
    events = [e for e in conflictlens.extract(text, published="2021-02-10") if e.kind == "incident"]
    kismayo = [e for e in events if e.location == "Kismayo"]
    assert len(kismayo) == 1, [(e.location, e.fatalities) for e in events]
    assert (kismayo[0].fatalities_low, kismayo[0].fatalities_high) == (2, 4)
    assert any(e.location == "Baidoa" and e.fatalities == 2 for e in events)


def test_a_page_filed_under_its_month_dates_its_incidents_to_that_month_and_says_so() -> None:
    from conflictlens.extraction import extract_article
    from conflictlens.extraction.assemble import FLAG_PUBLISHED_MONTH_FROM_URL

    text = (
        "Bomber kills 12 at a mosque in Landi Kotal\n\n"
        "A suicide bomber killed 12 worshippers at a mosque in Landi Kotal on Friday, officials "
        "said. Police said the attacker was on foot.\n"
    )
    page = Article(id="blog", text=text, url="https://blog.example.net/2012/05/mosque-attack.html")
    (event,) = [e for e in extract_article(page) if e.kind == "incident"]
    assert (event.event_date, event.time_precision) == (date(2012, 5, 1), 3)
    assert FLAG_PUBLISHED_MONTH_FROM_URL in event.flags
    assert event.fatalities == 12


def test_a_record_with_no_place_of_its_own_stays_in_the_articles_country() -> None:
    text = (
        "Car bomb kills 11 at a Kismayo hotel\n\n"
        "A car bomb killed 11 people at the gate of a hotel in Kismayo on Tuesday, police said.\n\n"
        "The hotel belongs to a businessman who came back to Somalia from London to open it. "
        "Only one guard was killed in that attack by gunmen."
    )
    events = [e for e in conflictlens.extract(text, published="2021-02-10") if e.kind == "incident"]
    assert {(e.country_code, e.location) for e in events} == {("SO", "Kismayo")}
