"""Counts as a careful coder reads them in whole news articles: descriptions and ages are not
people, dead and hurt together are no number of dead, the body's split beats the headline's round
figure, and each side's dead are told apart. The articles are written for these tests."""

from __future__ import annotations

from datetime import date

from conflictlens.extraction import extract_article
from conflictlens.extraction.clauses import split_clauses
from conflictlens.extraction.counts import find_counts
from conflictlens.extraction.incidents import Incident
from conflictlens.models import Article, Event


def incidents(text: str, published: date) -> list[Event]:
    events = extract_article(Article(id="t", text=text, published=published))
    return [e for e in events if e.kind == "incident"]


def killed(text: str) -> list[int | None]:
    return [c.best for c in find_counts(text) if c.category == "killed"]


def test_an_appositive_describes_the_people_counted_and_adds_no_one() -> None:
    text = (
        "Deir Ezzor | Militiamen killed in desert ambush\n"
        "Share this article\n"
        "BEIRUT (Reuters) - Six members of the National Defence Forces, a pro-government militia, "
        "were killed on Thursday when jihadists ambushed their convoy near Al Mayadin in the "
        "province of Deir Ezzor, a war monitor said.\n"
        "In a separate incident in Idlib, at least one civilian, a teenage girl, was killed by "
        "shelling on Saturday.\n"
    )
    events = incidents(text, date(2024, 5, 11))
    assert [e.fatalities for e in events] == [6, 1]
    assert killed("Gunmen killed one soldier, a young conscript, near the border.") == [1]


def test_ages_family_sizes_and_names_are_not_counts() -> None:
    text = (
        "Sniper kills boy in Taiz\n"
        "TAIZ, Yemen (AP) - A 14-year-old boy was killed by a sniper on Route 3 east of the city "
        "on Monday, local officials said. The boy's uncle, a father of six, was wounded.\n"
        "Fighters of Brigade 35 said they returned fire.\n"
    )
    [event] = incidents(text, date(2024, 2, 6))
    assert (event.fatalities, event.wounded) == (1, 1)
    assert killed("A man aged 62 was killed when the shell hit his house.") == [1]


def test_killed_and_injured_together_is_no_number_of_dead() -> None:
    text = (
        "Drone strike on Tel Tamr leaves eight dead and wounded\n"
        "A drone struck a military council post near Tel Tamr in Hasakah province on Sunday, "
        "leaving eight dead and wounded, local sources said.\n"
    )
    [event] = incidents(text, date(2024, 7, 8))
    assert event.fatalities is None
    assert event.fatalities_high == 8
    assert "count_vague" in event.flags
    [count] = find_counts("Ten soldiers were killed and injured in the ambush.")
    assert (count.best, count.high, count.vague) == (None, 10, True)


def test_people_joined_without_a_number_belong_to_the_count() -> None:
    text = (
        "Jihadists kill 14 soldiers in Hama desert attack\n"
        "The attack on army posts east of Salamiyah in Hama province began late on Tuesday, the "
        "monitor said. 14 soldiers and allied militiamen were killed in the attack.\n"
    )
    [event] = incidents(text, date(2024, 1, 10))
    assert event.fatalities == 14
    assert killed("Gunmen left five police officers and some of their relatives dead.") == [5]
    assert killed("Gunmen left five police officers and their driver dead.") == [6]


def test_a_number_inside_the_noun_is_not_a_count() -> None:
    text = (
        "Tribal feud in Daraa countryside\n"
        "DARAA - Three men of the two clans were killed on Friday in a gunfight in the town of "
        "Tafas in western Daraa, residents said.\n"
    )
    [event] = incidents(text, date(2024, 3, 2))
    assert event.fatalities == 3


def test_people_who_shot_are_not_the_dead() -> None:
    text = (
        "Gunmen kill policeman in Kirkuk\n"
        "KIRKUK, Iraq - Two gunmen on a motorcycle shot dead a policeman at a checkpoint in Kirkuk "
        "on Wednesday, police said.\n"
    )
    [event] = incidents(text, date(2024, 4, 4))
    assert event.fatalities == 1
    assert killed("Russian jets carried out over 70 airstrikes executed on the area.") == []


def test_the_bodys_split_beats_the_headlines_round_figure_which_gives_the_range() -> None:
    text = (
        "Homs desert | Clashes leave nearly 20 dead among regime forces and ISIS\n"
        "Fierce clashes broke out on Tuesday near Al-Sukhnah in the Homs desert between regime "
        "forces and ISIS cells, the Syrian Observatory said. Seven members of regime forces were "
        "killed, while ISIS lost 11 members in the clashes and in Russian airstrikes.\n"
        "Since 2019, the monitor has documented the killing of at least 1,400 soldiers in the "
        "desert.\n"
    )
    [event] = incidents(text, date(2024, 1, 17))
    assert event.fatalities == 18
    assert (event.fatalities_low, event.fatalities_high) == (18, 20)
    assert sorted(event.fatalities_by_side.values()) == [7, 11]


def test_named_groups_dead_are_a_side_of_their_own() -> None:
    text = (
        "Clashes in the desert south of Raqqa\n"
        "RAQQA - Fighting flared on Monday near the town of Maadan in Raqqa province, the "
        "Observatory said. Nine members of regime forces were killed, while six members of the "
        "Islamic State group were killed.\n"
    )
    [event] = incidents(text, date(2024, 6, 4))
    assert event.fatalities == 15
    assert sorted(event.fatalities_by_side.values()) == [6, 9]


def test_more_ways_of_saying_someone_was_killed() -> None:
    assert killed("The monitor documented the killing of three soldiers.") == [3]
    assert killed("Guards found the body of a young man near the camp gate.") == [1]
    assert killed("The group executes four men accused of spying") == [4]
    assert killed("Officials reported the death of a young female in the strike.") == [1]


def test_a_revised_toll_replaces_the_earlier_one() -> None:
    text = (
        "Market bombing in Mogadishu\n"
        "MOGADISHU - A car bomb exploded in the Bakara market on Saturday, killing 13 people, "
        "police said.\n"
        "The death toll rose to 19 as several of the wounded died, a hospital official said.\n"
    )
    clauses = split_clauses(text, date(2024, 8, 4))
    incident = Incident("incident", [c for c in clauses if c.counts])
    main = incident.main_count("killed")
    assert main is not None and (main.best, main.revised) == (19, True)


def test_a_named_groups_dead_go_to_its_own_column() -> None:
    text = (
        "Taliban and resistance fighters clash in Andarab\n"
        "KABUL - Fighting broke out on Saturday in the Andarab district of Baghlan province, "
        "officials said. The NRF said seven Taliban fighters were killed. Two NRF fighters were "
        "also killed, a resistance spokesman said.\n"
    )
    [event] = incidents(text, date(2024, 5, 13))
    assert event.fatalities == 9
    assert {event.actor1, event.actor2} == {"Taliban", "National Resistance Front"}
    assert _dead_by_actor(event) == {"Taliban": 7, "National Resistance Front": 2}


def test_the_dead_of_them_are_the_group_named_before() -> None:
    text = (
        "Kurdish fighters ambush convoy near Jindayris\n"
        "AFRIN, Syria - Late on Friday, YPG fighters ambushed a convoy of the Syrian National Army "
        "near Jindayris, killing seven of them, a war monitor said. Three YPG fighters were also "
        "killed.\n"
    )
    [event] = incidents(text, date(2024, 3, 17))
    assert event.fatalities == 10
    assert _dead_by_actor(event) == {"Syrian National Army": 7, "People's Protection Units": 3}


def _dead_by_actor(event: Event) -> dict[str | None, int]:
    column = {"actor1": event.actor1, "actor2": event.actor2}
    return {column.get(k, k): n for k, n in event.fatalities_by_side.items()}


def test_one_number_over_two_sides_is_no_sides() -> None:
    [count] = find_counts("Over ten regime soldiers and ISIS members killed in desert attack")
    assert count.by_side() == {"unknown": 10}
    [count] = find_counts(
        "The attack left at least eight members of regime forces and “Al-Quds Brigade” dead."
    )
    assert (count.best, count.by_side()) == (8, {"state_forces": 8})


def test_another_person_and_injuries_sustained() -> None:
    assert killed("Unknown gunmen killed another displaced man in the camp.") == [1]
    [wounded] = find_counts("Nine others sustained serious injuries in the blast.")
    assert (wounded.category, wounded.best) == ("wounded", 9)


def test_a_source_that_also_reports_the_dead_adds_no_one() -> None:
    text = (
        "Shelling kills civilian in Jisr al-Shughur\n"
        "At least one civilian was killed and four others were wounded in shelling on Jisr "
        "al-Shughur in Idlib province on Monday. The White Helmets also reported that one civilian "
        "was killed, adding that four others were wounded.\n"
    )
    [event] = incidents(text, date(2024, 4, 9))
    assert event.fatalities == 1


def test_the_perpetrators_and_one_person_named_by_role_are_counted() -> None:
    text = (
        "Suicide bombing at Ramadi checkpoint\n"
        "RAMADI, Iraq - A suicide bomber detonated an explosives-laden car at an army checkpoint "
        "in Ramadi on Monday. In addition to the bomber, three soldiers were killed and five "
        "others were injured, officials said.\n"
    )
    [event] = incidents(text, date(2024, 9, 3))
    assert (event.fatalities, event.wounded) == (4, 5)
    assert killed("A sniper shot dead a colonel near the base. The sniper was also killed.") == [
        1,
        1,
    ]
    assert killed("The officer and two of his relatives were killed in the raid.") == [3]
    assert killed("Eight soldiers and the driver were killed in the ambush.") == [9]


def test_a_breakdown_after_a_comma_is_the_count_and_an_unknown_number_is_no_number() -> None:
    assert killed(
        "Six people, two militiamen and four police officers, were killed in the assault."
    ) == [6]
    assert killed("The attack killed 8 soldiers, 4 militiamen and 4 civilians.") == [16]
    [count] = find_counts("An unknown number of assailants were killed in the clash.")
    assert (count.best, count.vague) == (None, True)


def test_where_the_people_came_from_may_stand_before_the_verb() -> None:
    text = (
        "Airstrike near the Iranian border\n"
        "ERBIL, Iraq - Turkish jets struck the Sidakan area near the Iranian border on Tuesday. "
        "Two shepherds from a village across the border were reportedly killed in the strikes, "
        "local officials said.\n"
    )
    [event] = incidents(text, date(2024, 6, 12))
    assert event.fatalities == 2
    assert killed("A fighter of the tribal militia was shot and killed by snipers.") == [1]
    assert killed("A member of the local council was found dead in his house.") == [1]
    assert killed("A detainee from Inkhil died under torture in a prison.") == [1]


def test_between_two_figures_is_the_lower_within_the_range() -> None:
    text = (
        "Airstrikes on Maarat Misrin\n"
        "Between two and three civilians, including a child, were killed and up to eight others "
        "were wounded in alleged Russian airstrikes on Maarat Misrin in Idlib on May 4, 2024.\n"
    )
    [event] = incidents(text, date(2024, 5, 5))
    assert (event.fatalities, event.fatalities_low, event.fatalities_high) == (2, 2, 3)
    assert event.fatalities_by_side == {"civilians": 2}


def test_a_toll_over_several_attacks_is_shared_evenly_and_flagged() -> None:
    text = (
        "Wave of bombings hits northern Iraq\n"
        "Advertisement\n"
        "KIRKUK, Iraq (AP) - A car bomb exploded near a police station in the Rahimawa district of "
        "Kirkuk on Sunday morning, officials said. It was one of four coordinated attacks in the "
        "city that day. At least 14 people were killed and another 30 were wounded across all "
        "four assaults, a health official said.\n"
        "Nobody claimed the bombings, which bore the hallmarks of the Islamic State group.\n"
    )
    [event] = incidents(text, date(2024, 3, 4))
    assert (event.fatalities, event.wounded) == (4, 8)
    assert event.fatalities_low == 0
    assert "toll_shared" in event.flags
    assert killed("Gunmen killed 21 village elders in both towns over two days.") == [11]
    assert killed("One person was killed across the three blasts.") == [1]
    [unknown] = find_counts("At least 40 people were killed across all the raids.")
    assert (unknown.best, unknown.low, unknown.vague) == (None, 0, True)


def test_one_person_named_by_title_name_or_pronoun_is_one_dead() -> None:
    text = (
        "Police officer assassinated in Baqubah\n"
        "Menu | Search\n"
        "BAQUBAH, Iraq - Gunmen in a white sedan opened fire on the car of a police officer in the "
        "Tahrir neighbourhood of Baqubah on Tuesday evening, killing him instantly, a security "
        "source said.\n"
        "In a separate incident in Mosul, Lieutenant Colonel Hamid al-Jabouri, a border guard "
        "commander, was killed on Wednesday when a bomb went off under his vehicle.\n"
    )
    events = incidents(text, date(2024, 10, 3))
    assert [e.fatalities for e in events] == [1, 1]
    assert events[1].fatalities_by_side == {"actor2": 1}
    assert killed("Militants abducted and executed the mayor of the village.") == [1]
    assert killed("Assailants shot and killed Captain Omar Saleh near his home.") == [1]
    assert killed("The shell hit Zakho, a town near the border, and nobody was killed.") == [0]


def test_captives_later_killed_are_the_number_abducted() -> None:
    text = (
        "Bodies of abducted shepherds found in Anbar desert\n"
        "Related: Iraq | Security\n"
        "RUTBA, Iraq (Reuters) - Gunmen abducted six shepherds grazing their flocks near Rutba "
        "in western Anbar on Thursday, and the captives were executed a few hours later, a local "
        "official told Reuters. Security forces launched a search of the area.\n"
    )
    [event] = incidents(text, date(2024, 11, 9))
    assert event.fatalities == 6
    assert "count_vague" not in event.flags
    assert killed("A policeman tackled the bomber, who blew himself up, killing both of them.") == [
        2
    ]
    [taken, dead] = find_counts("Militants kidnapped four teachers and burned them alive.")
    assert (taken.best, dead.best, dead.of_earlier) == (4, None, True)


def test_people_killed_as_well_as_others_are_no_addition_to_another_toll() -> None:
    text = (
        "Nine soldiers killed in Tafas clashes\n"
        "Share on Facebook\n"
        "DARAA, Syria - Nine soldiers of the army's 4th Division were killed in clashes with "
        "former rebels in the town of Tafas on Sunday, the Syrian Observatory for Human Rights "
        "said.\n"
        "The fighting followed a feud between two clans in the town, during which four people "
        "were killed as well as a woman hit by a stray bullet.\n"
    )
    events = incidents(text, date(2024, 2, 12))
    assert events[0].fatalities == 9


def test_a_relative_clause_may_stand_between_the_people_and_the_verb() -> None:
    text = (
        "Farmers shot dead at roadside in Diyala\n"
        "BAQUBAH, Iraq - Gunmen stopped five farmers on a road near Muqdadiyah on Friday. The "
        "five farmers, who the gunmen accused of informing for the army, were killed on the "
        "spot, police said.\n"
    )
    [event] = incidents(text, date(2024, 6, 8))
    assert event.fatalities == 5


def test_a_place_after_a_preposition_is_not_one_person_killed() -> None:
    # "outside Dhiban died": the wounded died, not a man called Dhiban.
    assert killed("Two soldiers wounded in Monday's ambush outside Dhiban died in hospital.") == []
    assert killed("Captain al-Jubouri died of his wounds on Monday.") == [1]


def test_one_more_of_the_people_just_counted_is_one() -> None:
    text = "A roadside bomb hit the patrol, killing two soldiers and wounding a third."
    assert [(c.category, c.best) for c in find_counts(text)] == [("killed", 2), ("wounded", 1)]
    assert [c.best for c in find_counts("Gunmen killed one guard and wounded another.")] == [1, 1]
    # A share is no person: "a third of the homes".
    assert killed("Shelling destroyed a third of the homes and killed two farmers.") == [2]


def test_another_of_a_second_group_is_one_more_person() -> None:
    text = (
        "Two fighters killed in shelling on Jabal al-Zawiya\n"
        "A war monitor documented on Tuesday the killing of a member of Hayat Tahrir al-Sham and "
        "another of the Ansar al-Tawhid faction in army shelling on frontlines near Kafr Nabl, in "
        "the southern countryside of Idlib.\n"
    )
    [event] = incidents(text, date(2024, 1, 9))
    assert event.fatalities == 2
    assert killed("Gunmen killed a policeman and another of his colleagues in Kirkuk.") == [2]


def test_an_execution_by_firing_squad_and_an_assassination_count_their_dead() -> None:
    assert killed("The group executed three young men by firing squad in Sarmada.") == [3]
    assert killed("The court carried out its sentence on two men by firing squad.") == [2]
    assert killed(
        "Activists monitored an assassination targeting a member of the local police in Nawa."
    ) == [1]


def test_a_days_count_of_an_offensive_is_a_tally_not_part_of_the_ambush() -> None:
    text = (
        "Desert ambush | Four soldiers killed in attack on army buses near Palmyra\n"
        "Four soldiers were killed and nine wounded on Monday when jihadists ambushed two army buses "
        "on the road east of Palmyra, in the eastern countryside of Homs, a war monitor said.\n"
        "The monitor documented heavy losses in the first week of the army's campaign in the "
        "desert, as 31 soldiers and allied militiamen were killed in explosions and clashes with "
        "the jihadists.\n"
    )
    events = extract_article(Article(id="t", text=text, published=date(2024, 3, 4)))
    [ambush] = [e for e in events if e.kind == "incident"]
    assert ambush.fatalities == 4
    assert ambush.fatalities_by_side == {"actor2": 4}


def test_an_attack_the_sentence_compares_with_is_not_the_incident() -> None:
    text = (
        "At least nine fighters of the Popular Mobilization Forces were killed in an ambush by "
        "Islamic State militants near Tuz Khurmatu on Saturday, security sources said.\n"
        "The militants used the cover of darkness to attack the post east of Tuz Khurmatu, in "
        "Salahaddin province, three days after a double car bombing claimed by the group killed "
        "21 people in a Baghdad market.\n"
    )
    events = incidents(text, date(2024, 1, 20))
    assert sorted(e.fatalities for e in events) == [9, 21]
    [bombing] = [e for e in events if e.fatalities == 21]
    assert bombing.admin1 == "Baghdad"
    [ambush] = [e for e in events if e.fatalities == 9]
    assert ambush.admin1 == "Salah ad Din"
