"""Linking: near-duplicate texts, which reports are one incident, and the merged record."""

from __future__ import annotations

import os
import random
import subprocess
import sys
from datetime import date
from typing import Any

import pytest
from hypothesis import given, settings
from hypothesis import strategies as st

from conflictlens.extraction.assemble import (
    FLAG_DATE_FROM_PUBLICATION,
    FLAG_PLACE_CAPITAL_INFERRED,
    FLAG_PUBLISHED_MONTH_FROM_URL,
)
from conflictlens.linking import (
    Mention,
    Report,
    cluster,
    cluster_id,
    compatible,
    fingerprint,
    is_near_duplicate,
    merge,
    near_duplicates,
    report_differences,
)
from conflictlens.linking.linker import (
    _Links,
    _links_by_component,
    disagreements,
    similarity,
)
from conflictlens.linking.merge import FLAG_LINKED_WITHOUT_DATE
from conflictlens.models import (
    FLAG_COUNT_VAGUE,
    FLAG_PLACE_NEAR_UNNAMED,
    FLAG_PLACE_NOT_FOUND,
    Event,
    Evidence,
)

STORY = """Gunmen ambush army convoy near Mayadin

Gunmen believed to belong to the Islamic State group attacked an army convoy on the road between
Mayadin and Deir ez-Zor on Monday evening, killing at least nine soldiers and wounding six, a war
monitor said. The attackers fired rocket-propelled grenades at a fuel truck before opening fire on
the soldiers who fled the burning vehicles. Reinforcements arrived after an hour and the attackers
withdrew into the desert to the south. The army later sent helicopters to search the area, residents
said. It was the deadliest attack on government forces in the province since the start of the year,
when a bus carrying soldiers was hit near Palmyra.
"""


def event(key: str, **fields: Any) -> Event:
    base: dict[str, Any] = {
        "event_id": key,
        "event_date": date(2023, 3, 13),
        "time_precision": 1,
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
        "fatalities": 9,
        "articles": [f"art-{key}"],
    }
    base.update(fields)
    return Event(**base)


def mention(key: str, published: date | None = date(2023, 3, 14), **fields: Any) -> Mention:
    return Mention.of(event(key, **fields), f"art-{key}", published)


# Near-duplicate articles


def test_syndicated_copy_with_new_headline_and_boilerplate_is_a_near_duplicate() -> None:
    copy = (
        "Nine soldiers killed in desert ambush\n\n"
        + STORY.split("\n", 2)[2]
        + "\nThis article is republished from Euphrates Wire under a Creative Commons licence.\n"
    )
    assert is_near_duplicate(STORY, copy)
    assert set(fingerprint(STORY).bands) & set(fingerprint(copy).bands)


def test_trimmed_ending_is_a_near_duplicate() -> None:
    trimmed = STORY.rsplit("It was the deadliest", 1)[0]
    assert is_near_duplicate(STORY, trimmed)


def test_a_paraphrase_of_the_same_incident_is_not_a_copy() -> None:
    paraphrase = """Nine Syrian soldiers die in attack east of Deir ez-Zor

At least nine government soldiers were killed and six others hurt when suspected Islamic State
militants attacked their convoy near the town of Mayadin late on Monday, according to the Syrian
Observatory for Human Rights. The monitor said a fuel tanker was set ablaze with rocket fire before
the gunmen targeted troops escaping the wreckage. Helicopters later combed the desert to the south.
"""
    assert not is_near_duplicate(STORY, paraphrase)


def test_shingles_are_the_same_in_every_process() -> None:
    # They are stored and compared with those of later runs, so they may not depend on Python's
    # per-process string hashing.
    script = (
        "import sys; from conflictlens.linking import shingles; "
        "print(shingles(sys.stdin.read()).tobytes().hex())"
    )
    made = {
        subprocess.run(
            [sys.executable, "-c", script],
            input=STORY,
            capture_output=True,
            text=True,
            check=True,
            env={**os.environ, "PYTHONHASHSEED": seed},
        ).stdout
        for seed in ("1", "2")
    }
    assert made == {near_duplicates.shingles(STORY).tobytes().hex() + "\n"}


def test_fingerprints_are_stable_across_calls() -> None:
    assert fingerprint(STORY) == fingerprint(STORY)
    assert len(fingerprint(STORY).bands) == 32


# Pairwise rules


def test_two_reports_of_one_ambush_are_compatible() -> None:
    assert compatible(mention("a"), mention("b", fatalities=11, location="Al Mayadin"))


@pytest.mark.parametrize(
    ("change", "why"),
    [
        ({"event_date": date(2023, 3, 20)}, "a week later"),
        ({"admin1": "Raqqa"}, "another province"),
        ({"latitude": 34.4536, "longitude": 40.9367, "location": "Al-Bukamal"}, "70 km away"),
        ({"actor1": "Hay'at Tahrir al-Sham", "actor2": "Syrian Democratic Forces"}, "other actors"),
        ({"fatalities": 60}, "a toll no report of nine becomes"),
        ({"event_type": "Protests", "sub_event_type": "Peaceful protest"}, "a protest"),
        ({"kind": "aggregate"}, "a tally"),
        ({"event_date": None}, "no date"),
    ],
)
def test_look_alikes_are_not_compatible(change: dict[str, Any], why: str) -> None:
    assert not compatible(mention("a"), mention("b", **change)), why


def test_two_incidents_of_one_article_never_link() -> None:
    first = Mention.of(event("a"), "same-article", date(2023, 3, 14))
    second = Mention.of(event("b"), "same-article", date(2023, 3, 14))
    assert not compatible(first, second)


def test_province_only_report_links_to_a_village_report() -> None:
    vague = mention("b", location="Deir ez-Zor", geo_precision=3, latitude=35.0, longitude=40.5)
    assert [len(g) for g in cluster([mention("a"), vague])] == [2]


def test_a_place_named_like_its_province_is_only_the_province() -> None:
    # "Deir ez-Zor" in a report may be the city or the province: no 30 km limit from it.
    city = mention("b", location="Deir ez-Zor", latitude=35.336, longitude=40.141)
    assert city.regional and compatible(mention("a"), city)
    village = mention("c", location="Al-Bukamal", latitude=34.4536, longitude=40.9367)
    assert not village.regional and not compatible(mention("a"), village)


def test_a_chain_of_near_matches_does_not_glue_distinct_incidents() -> None:
    # b is compatible with a and with c, but a and c (70 km apart) are two ambushes.
    a = mention("a")
    c = mention("c", latitude=34.4536, longitude=40.9367, location="Al-Bukamal")
    b = mention("b", location="Deir ez-Zor", geo_precision=3, latitude=35.0, longitude=40.5)
    groups = cluster([a, b, c])
    assert sorted(len(g) for g in groups) == [1, 2]
    assert not any({m.key for m in g} >= {"a", "c"} for g in groups)


def test_a_toll_that_rises_between_reports_still_links() -> None:
    # A first wire report counts 4 dead; by evening another outlet counts 15.
    assert compatible(mention("a", fatalities=4), mention("b", fatalities=15))
    assert compatible(mention("a", fatalities=43), mention("b", fatalities_high=70))
    assert disagreements(mention("a", fatalities=4), mention("b", fatalities=40)) == [
        "tolls differ"
    ]


STRIKE = {
    "event_type": "Explosions/Remote violence",
    "sub_event_type": "Air/drone strike",
    "actor2": "Civilians",
    "admin1": "Idlib",
    "location": "Ariha",
    "latitude": 35.8126,
    "longitude": 36.6106,
}


def test_outlets_naming_different_state_forces_for_one_air_strike_agree() -> None:
    russian = mention("a", actor1="Military Forces of Russia", **STRIKE)
    regime = mention("b", actor1="Military Forces of Syria", **STRIKE)
    assert compatible(russian, regime)
    # On the ground, an army is not a rebel group: those names still contradict.
    ground = {**STRIKE, "event_type": "Battles", "sub_event_type": "Armed clash"}
    rebels = mention("c", actor1="Hay'at Tahrir al-Sham", **STRIKE)
    assert not compatible(russian, rebels)
    assert not compatible(
        mention("d", actor1="Military Forces of Russia", **ground),
        mention("e", actor1="Military Forces of Syria", **ground),
    )


def test_a_named_group_and_unnamed_gunmen_are_compatible() -> None:
    gunmen = mention("b", actor1="Unidentified Armed Group", actor2="Military Forces of Syria")
    assert compatible(mention("a"), gunmen)


def test_an_unnamed_village_near_a_town_is_not_that_towns_spot() -> None:
    # "a village near Mayadin": not Mayadin's own spot, nor a town named by an undated report.
    near = mention("a", geo_precision=2, flags=[FLAG_PLACE_NEAR_UNNAMED])
    assert near.near_unnamed
    assert similarity(near, mention("c")) < similarity(mention("a", geo_precision=2), mention("c"))
    assert groups_of([near, undated("u", "on Monday", actor1="Unidentified Armed Group")]) == [
        ["a"],
        ["u"],
    ]


def test_one_report_naming_the_attacker_and_another_the_side_hit_agree() -> None:
    # "IS fighters ambushed a convoy" and "gunmen killed nine soldiers of the army": each names
    # the side the other leaves unnamed.
    attacker_only = mention("a", actor2="Civilians")
    hit_only = mention("b", actor1="Unidentified Armed Group")
    assert compatible(attacker_only, hit_only)
    other_side_hit = mention("c", actor1="Unidentified Armed Group", actor2="Hezbollah")
    assert not compatible(mention("a"), other_side_hit)
    assert not compatible(attacker_only, mention("d", actor1="Hay'at Tahrir al-Sham"))


def test_in_the_capital_agrees_with_a_place_in_it_only_as_a_province_does() -> None:
    # An article recalls "a bombing in the capital in March that killed 20": somewhere in the
    # city that month, not the ambush at its spot on the 13th; the town named would agree.
    recalled = {
        "event_date": date(2023, 3, 1),
        "time_precision": 3,
        "event_type": "Explosions/Remote violence",
        "sub_event_type": "Remote explosive/landmine/IED",
        "fatalities": 20,
    }
    named = mention("b", **recalled)
    inferred = mention("b", **recalled, flags=[FLAG_PLACE_CAPITAL_INFERRED])
    assert inferred.capital_inferred and not named.capital_inferred
    assert groups_of([mention("a"), named]) == [["a", "b"]]
    assert groups_of([mention("a"), inferred]) == [["a"], ["b"]]


def test_a_country_only_report_links_through_a_named_actor_in_common() -> None:
    # "an army camp in central Syria": no province, but the same attackers, day and toll.
    country_only = mention("b", admin1=None, location=None, latitude=None, longitude=None)
    assert country_only.linkable and country_only.country_only
    assert [len(g) for g in cluster([mention("a"), country_only])] == [2]
    unnamed = mention(
        "c",
        admin1=None,
        location=None,
        latitude=None,
        longitude=None,
        actor1="Unidentified Armed Group",
        actor2="Civilians",
    )
    assert not compatible(mention("a"), unnamed)
    assert "country-only report without a named actor in common" in disagreements(
        mention("a"), unnamed
    )


def test_a_country_only_report_never_glues_two_provinces_together() -> None:
    raqqa = mention("r", admin1="Raqqa", location="Raqqa", latitude=35.95, longitude=39.01)
    country_only = mention("b", admin1=None, location=None, latitude=None, longitude=None)
    groups = cluster([mention("a"), raqqa, country_only])
    assert sorted(len(g) for g in groups) == [1, 2]
    assert not any({m.key for m in g} >= {"a", "r"} for g in groups)


def test_a_monitors_assassinations_on_consecutive_days_stay_apart() -> None:
    # Daily monitor bulletins: one man shot dead by unknown gunmen each day in the province.
    def killing(key: str, day: int) -> Mention:
        return mention(
            key,
            event_date=date(2023, 3, day),
            event_type="Violence against civilians",
            sub_event_type="Attack",
            actor1="Unidentified Armed Group",
            actor2="Civilians",
            location="Deir ez-Zor",
            geo_precision=3,
            fatalities=1,
        )

    assert [len(g) for g in cluster([killing("a", 13), killing("b", 14)])] == [1, 1]
    # A third bulletin with no date ("on Monday") tells only the province and "unknown gunmen":
    # nothing in it is evidence of either killing, so it joins neither.
    bulletin = undated(
        "u",
        "on Monday",
        event_type="Violence against civilians",
        sub_event_type="Attack",
        actor1="Unidentified Armed Group",
        actor2="Civilians",
        location="Deir ez-Zor",
        geo_precision=3,
        fatalities=1,
    )
    assert groups_of([killing("a", 13), killing("b", 14), bulletin]) == [["a"], ["b"], ["u"]]


def test_running_totals_never_link() -> None:
    totals = [mention(k, kind="aggregate", fatalities=n) for k, n in (("a", 632), ("b", 647))]
    assert [len(g) for g in cluster(totals)] == [1, 1]


def test_cluster_id_is_the_earliest_report() -> None:
    late = mention("a", published=date(2023, 3, 15))
    early = mention("z", published=date(2023, 3, 13))
    (group,) = cluster([late, early])
    assert cluster_id(group) == "z"


@settings(max_examples=30, deadline=None)
@given(st.randoms(use_true_random=False))
def test_clusters_do_not_depend_on_input_order(rnd: random.Random) -> None:
    mentions = [
        mention("a"),
        mention("b", fatalities=10),
        mention("c", latitude=34.4536, longitude=40.9367, location="Al-Bukamal"),
        mention("d", latitude=34.46, longitude=40.93, location="Al-Bukamal", fatalities=4),
        mention("e", location="Deir ez-Zor", geo_precision=3, latitude=35.0, longitude=40.5),
        mention("f", event_date=date(2023, 3, 20)),
        mention("g", published=None, fatalities=8),
        mention("h", admin1=None, location=None, latitude=None, longitude=None),
        mention("i", admin1="Raqqa", location="Raqqa", latitude=35.95, longitude=39.01),
        undated("j", "on Monday"),
        undated("k", "on Monday", event_date=date(2023, 3, 20), time_precision=1),
    ]
    expected = [[m.key for m in g] for g in cluster(mentions)]
    shuffled = list(mentions)
    rnd.shuffle(shuffled)
    assert [[m.key for m in g] for g in cluster(shuffled)] == expected


# Reports with no date: linked by content, only to the one event they can be


def undated(
    key: str, when: str | None, published: date | None = None, article: str = "", **fields: Any
) -> Mention:
    """A report whose page gives no publication date: its "on Monday" stays unresolved (`when`
    is the date evidence the extractor cites, or None when the text names no day at all); one of
    `article`'s records if given."""
    evidence = [
        Evidence(article_id=f"art-{key}", field="event_date", start=0, end=len(when), text=when)
        for when in [when]
        if when
    ]
    values = {"event_date": None, "time_precision": None, "evidence": evidence}
    return Mention.of(event(key, **(values | fields)), article or f"art-{key}", published)


def groups_of(mentions: list[Mention]) -> list[list[str]]:
    return sorted(sorted(m.key for m in g) for g in cluster(mentions))


def test_an_undated_report_joins_the_only_event_it_can_be() -> None:
    # 13 March 2023 is a Monday; the undated outlet says "on Monday", counts 13 of the first 9,
    # and calls the attackers "gunmen".
    gunmen = undated("u", "on Monday", fatalities=13, actor1="Unidentified Armed Group")
    assert gunmen.undated and not gunmen.linkable and gunmen.weekdays == {0}
    assert groups_of([mention("a"), mention("b", fatalities=11), gunmen]) == [["a", "b", "u"]]


@pytest.mark.parametrize(
    ("when", "change", "why"),
    [
        ("on Tuesday", {}, "the event was on a Monday"),
        (None, {}, "no day named: nothing ties it to the Monday event"),
        ("on Monday", {"fatalities": 40}, "a toll no report of nine becomes"),
        ("on Monday", {"sub_event_type": "Remote explosive/landmine/IED"}, "another kind"),
        ("on Monday", {"fatalities": None}, "no toll: nothing but the kind and the region"),
        ("on Monday", {"admin1": "Raqqa", "location": "Raqqa"}, "another province"),
        (
            "on Monday",
            {"actor1": "Unidentified Armed Group", "location": "Deir ez-Zor", "geo_precision": 3},
            "neither the attacker nor the town in common: only the province",
        ),
    ],
)
def test_an_undated_report_stays_alone_unless_its_content_matches(
    when: str | None, change: dict[str, Any], why: str
) -> None:
    assert groups_of([mention("a"), undated("u", when, **change)]) == [["a"], ["u"]], why


def test_late_on_a_day_may_be_the_next_days_event() -> None:
    # A night raid: "late on Sunday" in one report, dated Monday 13 March by another.
    assert groups_of([mention("a"), undated("u", "late on Sunday")]) == [["a", "u"]]
    assert groups_of([mention("a"), undated("u", "early Tuesday")]) == [["a", "u"]]
    assert groups_of([mention("a"), undated("u", "late on Tuesday")]) == [["a"], ["u"]]


def test_an_undated_report_with_two_look_alikes_stays_alone() -> None:
    # Two ambushes at Mayadin, each on a Monday a week apart, each with nine dead: the undated
    # report could be either.
    a_week_later = mention("b", event_date=date(2023, 3, 20), published=date(2023, 3, 21))
    assert groups_of([mention("a"), a_week_later, undated("u", "on Monday")]) == [
        ["a"],
        ["b"],
        ["u"],
    ]


def test_an_undated_report_is_not_the_incident_its_article_recalls() -> None:
    # Two Monday ambushes at Mayadin with nine dead, in November and in March. The undated
    # report recalls "an ambush near Mayadin in November that killed eight" in a record of its
    # own: its undated ambush is therefore the March one.
    november = mention("old", event_date=date(2022, 11, 14), published=date(2022, 11, 15))
    recalled = Mention.of(
        event("u-recalled", event_date=date(2022, 11, 1), time_precision=3, fatalities=8),
        "art-u",
        None,
    )
    report = undated("u", "on Monday")
    assert groups_of([mention("a"), november, report]) == [["a"], ["old"], ["u"]]
    assert groups_of([mention("a"), november, recalled, report]) == [
        ["a", "u"],
        ["old", "u-recalled"],
    ]


def gunmen_a_week_later(**fields: Any) -> Mention:
    """Unnamed gunmen's attack at Mayadin the Monday after `mention`'s, with twelve dead."""
    return mention(
        "b",
        event_date=date(2023, 3, 20),
        published=date(2023, 3, 21),
        actor1="Unidentified Armed Group",
        fatalities=12,
        **fields,
    )


def test_an_undated_report_joins_the_event_it_agrees_with_on_clearly_more() -> None:
    # Two Monday attacks at Mayadin a week apart: the first by Islamic State with nine dead,
    # the second by unnamed gunmen with twelve. A report naming Islamic State and nine dead
    # agrees with the first on attacker, town and toll, with the second on the town alone.
    gunmen = gunmen_a_week_later()
    assert groups_of([mention("a"), gunmen, undated("u", "on Monday")]) == [["a", "u"], ["b"]]
    # Eleven dead is neither toll: attacker and town against the town alone is too close.
    doubtful = undated("u", "on Monday", fatalities=11)
    assert groups_of([mention("a"), gunmen, doubtful]) == [["a"], ["b"], ["u"]]


def test_an_official_both_quote_tells_look_alikes_apart() -> None:
    # Two Monday ambushes at Mayadin a week apart by unnamed gunmen, nine dead then twelve. An
    # undated report of fifteen dead agrees with each on the town alone, so it stays alone,
    # unless it quotes the governor the first event's report quoted (under a longer name).
    first = mention("a", actor1="Unidentified Armed Group", sources=["Khalid Mahmoud al-Ahmad"])
    second = gunmen_a_week_later(sources=["Yusuf Haddad"])
    fields = {"fatalities": 15, "actor1": "Unidentified Armed Group"}
    assert groups_of([first, second, undated("u", "on Monday", **fields)]) == [["a"], ["b"], ["u"]]
    quoting = undated("u", "on Monday", sources=["Khalid Mahmoud", "AFP"], **fields)
    assert quoting.named_sources == {"Khalid Mahmoud"}
    assert groups_of([first, second, quoting]) == [["a", "u"], ["b"]]
    # A news agency both cite is no such sign: every outlet quotes it.
    agency = undated("u", "on Monday", sources=["AFP"], **fields)
    assert groups_of(
        [mention("a", actor1="Unidentified Armed Group", sources=["AFP"]), second, agency]
    ) == [
        ["a"],
        ["b"],
        ["u"],
    ]


def test_of_one_articles_undated_records_the_whole_toll_joins() -> None:
    # The undated article tells the ambush as "14 killed" and, in a second record, "4 among the
    # dead were drivers": both fit the dated event of nine dead; the whole toll is the incident,
    # whichever record's key sorts first.
    whole = undated("z-whole", "on Monday", article="art-u", fatalities=14)
    part = undated("a-part", "on Monday", article="art-u", fatalities=4)
    assert groups_of([mention("a"), whole, part]) == [["a", "z-whole"], ["a-part"]]


def test_a_second_undated_report_never_joins_the_first() -> None:
    # With no date on either side nothing tells a second incident apart.
    assert groups_of([undated("u", "on Monday"), undated("v", "on Monday")]) == [["u"], ["v"]]


def test_background_records_are_no_evidence_for_an_undated_report() -> None:
    # A report of 14 March recalls "a similar ambush at Mayadin last November": that record is
    # neither a candidate for the undated report nor a rival to the real one.
    recalled = Mention.of(event("old", event_date=date(2022, 11, 14)), "art-a", date(2023, 3, 14))
    assert recalled.background
    assert groups_of([mention("a"), recalled, undated("u", "on Monday")]) == [
        ["a", "u"],
        ["old"],
    ]
    assert groups_of([recalled, undated("u", "on Monday")]) == [["old"], ["u"]]


def test_one_articles_split_record_is_no_rival() -> None:
    # The dated article told the ambush in two records (9 soldiers, then 2 drivers): both are
    # that article's, so the undated report still has only one incident to join.
    split = Mention.of(event("a2", fatalities=2, actor1=None), "art-a", date(2023, 3, 14))
    assert groups_of([mention("a"), split, undated("u", "on Monday")]) == [["a", "u"], ["a2"]]


def test_an_event_joined_without_a_date_is_flagged() -> None:
    dated = event("a")
    without = event("u", event_date=None, time_precision=None)
    merged = merge("a", [Report(dated, date(2023, 3, 14)), Report(without, None)])
    assert FLAG_LINKED_WITHOUT_DATE in merged.flags
    assert merged.event_date == date(2023, 3, 13)
    alone = merge("a", [Report(dated, date(2023, 3, 14)), Report(event("b"), None)])
    assert FLAG_LINKED_WITHOUT_DATE not in alone.flags


# Merged values


def test_merge_spans_the_reports_and_takes_the_most_credible_best() -> None:
    state_media = event(
        "a", fatalities=7, fatalities_low=7, sources=["SANA"], outlets=["SANA"], wounded=3
    )
    monitor = event(
        "b",
        fatalities=11,
        sources=["Syrian Observatory for Human Rights"],
        outlets=["Euphrates Wire"],
        location="Al Mayadin",
    )
    vague = event(
        "c", fatalities=None, fatalities_low=12, fatalities_high=99, flags=[FLAG_COUNT_VAGUE]
    )
    merged = merge(
        "a",
        [
            Report(state_media, date(2023, 3, 13)),
            Report(monitor, date(2023, 3, 14)),
            Report(vague, date(2023, 3, 14)),
        ],
    )
    assert merged.event_id == "a"
    assert merged.fatalities == 11  # the monitor's exact number
    assert (merged.fatalities_low, merged.fatalities_high) == (7, 99)
    assert merged.wounded == 3  # only the state media report gives one
    assert merged.sources == ["SANA", "Syrian Observatory for Human Rights"]
    assert merged.outlets == ["Euphrates Wire", "SANA"]
    assert merged.articles == ["art-a", "art-b", "art-c"]
    assert FLAG_COUNT_VAGUE not in merged.flags
    assert "11 fatalities" in merged.notes


def test_merge_takes_date_and_place_from_the_most_precise_report() -> None:
    vague = event(
        "a",
        event_date=date(2023, 3, 1),
        time_precision=3,
        location="Deir ez-Zor",
        geo_precision=3,
        flags=[FLAG_PLACE_NOT_FOUND],
    )
    precise = event("b", fatalities=None)
    merged = merge("a", [Report(vague, date(2023, 3, 20)), Report(precise, date(2023, 3, 14))])
    assert (merged.event_date, merged.time_precision) == (date(2023, 3, 13), 1)
    assert (merged.location, merged.geo_precision) == ("Mayadin", 1)
    assert merged.flags == []
    assert merged.fatalities == 9  # the only report that gives a number


def test_a_later_higher_toll_from_the_same_kind_of_source_becomes_the_best() -> None:
    first = event("a", fatalities=9, sources=["Syrian Observatory for Human Rights"])
    update = event("b", fatalities=14, sources=["Syrian Observatory for Human Rights"])
    merged = merge("a", [Report(first, date(2023, 3, 13)), Report(update, date(2023, 3, 15))])
    assert (merged.fatalities, merged.fatalities_low, merged.fatalities_high) == (14, 9, 14)


def test_a_single_report_merges_to_itself() -> None:
    only = event("a", fatalities_low=9)
    assert merge("a", [Report(only, None)]) == only


def test_report_differences_show_the_toll_range_places_and_attackers() -> None:
    records = [
        event("a", fatalities=13, actor1="Islamic State"),
        event("b", fatalities=19, location="Deir ez-Zor", actor1="Unidentified Armed Group"),
        event("c", fatalities=None, fatalities_low=15, fatalities_high=70),
        event("d", kind="aggregate", fatalities=647),
    ]
    differences = report_differences(records)
    assert (differences.toll_low, differences.toll_high) == (13, 70)
    assert differences.tolls == [13, 19]
    assert differences.places == ["Deir ez-Zor", "Mayadin, Deir ez-Zor"]
    assert differences.attackers == ["Islamic State", "Unidentified Armed Group"]
    assert differences.disagree
    assert not report_differences([event("a"), event("b")]).disagree


def month_dated(key: str, when: str | None, **fields: Any) -> Mention:
    """A report on a page filed under /2023/03/ only: its "on Saturday" is dated to March 2023
    (precision 3), or, when it names no day, the record is dated from that month alone."""
    evidence = [
        Evidence(article_id=f"art-{key}", field="event_date", start=0, end=len(when), text=when)
        for when in [when]
        if when
    ]
    flags = [FLAG_PUBLISHED_MONTH_FROM_URL] + ([] if when else [FLAG_DATE_FROM_PUBLICATION])
    values = {"event_date": date(2023, 3, 1), "time_precision": 3, "evidence": evidence}
    return Mention.of(event(key, **(values | {"flags": flags} | fields)), f"art-{key}", None)


def test_a_look_alike_dated_to_its_month_on_another_weekday_is_no_rival() -> None:
    # The Monday ambush told by "a" and by the undated "u"; a blog filed under /2023/03/ tells a
    # Saturday ambush at Mayadin: it could not be the Monday one, so "u" still joins "a".
    saturday = month_dated("s", "on Saturday", fatalities=8)
    assert saturday.weekdays == {5}
    assert groups_of([mention("a"), saturday, undated("u", "on Monday")]) == [
        ["a", "u"],
        ["s"],
    ]
    # Told on a Monday, the blog's ambush is the event's: the same month, the same weekday.
    monday = month_dated("m", "on Monday", fatalities=8)
    assert groups_of([mention("a"), monday]) == [["a", "m"]]


def test_a_record_dated_only_by_its_pages_month_is_undated_for_linking() -> None:
    # "Only one person was killed in that attack": no date of its own, the page filed under
    # /2023/03/: it may be any earlier attack, so it neither rivals "a" nor joins it by date.
    recalled = month_dated("r", None, fatalities=1)
    assert recalled.event_date is None and recalled.undated
    assert groups_of([mention("a"), recalled, undated("u", "on Monday")]) == [
        ["a", "u"],
        ["r"],
    ]


def test_links_are_held_one_linked_set_at_a_time() -> None:
    # Two ambushes the same day in one province, far apart: the links of each come alone, so a
    # region with thousands of reports never holds every link of the region at once.
    mayadin = [mention(k) for k in ("a", "b", "c")]
    far = {"location": "Abu Kamal", "latitude": 34.45, "longitude": 40.92, "fatalities": 30}
    abu_kamal = [mention(k, **far) for k in ("d", "e")]
    ordered = sorted([*mayadin, *abu_kamal], key=lambda m: m.key)
    sets = [
        sorted({ordered[k].key for pair in links.strongest_first() for k in pair})
        for links in _links_by_component(ordered)
    ]
    assert sorted(sets) == [["a", "b", "c"], ["d", "e"]]
    assert [len(g) for g in cluster(ordered)] == [3, 2]


@settings(max_examples=200, deadline=None)
@given(
    st.lists(
        st.tuples(
            st.sampled_from([0.55, 0.6, 0.7149999999999999, 0.715, 0.8, 1.0]),
            st.integers(0, 40),
            st.integers(0, 40),
        ).filter(lambda t: t[1] != t[2]),
        unique_by=lambda t: (min(t[1], t[2]), max(t[1], t[2])),
    )
)
def test_links_come_strongest_first_then_by_their_mentions(
    scored: list[tuple[float, int, int]],
) -> None:
    """The arrays of a linked set give its pairs in the order sorting (-score, i, j) tuples
    does, to the last bit of a score: merging along them stays what it was."""
    links = _Links()
    for score, i, j in scored:
        links.add(score, i, j)
    expected = sorted((-score, min(i, j), max(i, j)) for score, i, j in scored)
    assert list(links.strongest_first()) == [(i, j) for _, i, j in expected]
