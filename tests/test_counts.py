from __future__ import annotations

from hypothesis import given
from hypothesis import strategies as st

from conflictlens.extraction.counts import find_counts
from conflictlens.extraction.numbers import parse_number


def killed(text: str) -> list[tuple[int | None, int | None, int | None]]:
    return [(c.best, c.low, c.high) for c in find_counts(text) if c.category == "killed"]


def test_qualifiers_map_to_bounds() -> None:
    assert killed("Gunmen killed at least seven villagers.") == [(7, 7, None)]
    assert killed("More than 15 soldiers were killed in an ambush.") == [(15, 15, None)]
    assert killed("Nearly 100 people were killed.") == [(100, None, 100)]
    assert killed("About 20 fighters were killed.") == [(20, 20, 20)]


def test_a_lone_attacker_before_an_approximate_toll_is_the_agent_not_a_death() -> None:
    assert killed("A suicide bomber killed more than 40 worshippers in Landi Kotal.") == [
        (40, 40, None)
    ]
    assert killed("A gunman killed at least three guards at the gate.") == [(3, 3, None)]
    assert killed("A guard was killed at the gate.") == [(1, 1, 1)]


def test_vague_words_get_a_range_and_no_best() -> None:
    [count] = find_counts("Dozens of soldiers were killed in the desert.")
    assert (count.best, count.low, count.high, count.vague) == (None, 24, 99, True)
    [wounded] = find_counts("The gunmen wounded several other militia fighters.")
    assert wounded.category == "wounded" and wounded.best is None and wounded.vague


def test_subsets_are_not_added() -> None:
    counts = find_counts(
        "On Sunday, 15 army forces, including 5 officers and 10 troops were killed and 18 others, "
        "including three officers, were wounded."
    )
    assert [(c.category, c.best) for c in counts] == [("killed", 15), ("wounded", 18)]


def test_a_part_of_the_dead_is_no_count_of_its_own() -> None:
    assert find_counts("Police said nine among the dead were policemen guarding the gate.") == []
    assert find_counts("Four of those killed came from the village of Mamash Khel.") == []
    # Victims of a kidnapping may be counted dying.
    assert killed("Four of the victims were executed by the kidnappers.") == [(4, 4, 4)]


def test_lists_are_summed_and_split_by_side() -> None:
    [count] = find_counts(
        "The ambush resulted in the deaths of eight soldiers, four allied fighters and three civilians."
    )
    assert count.best == 15
    assert count.by_side() == {"state_forces": 12, "civilians": 3}


def test_attackers_dead_are_a_side_of_their_own() -> None:
    [count] = find_counts(
        "According to the monitor, 19 regime loyalists and 11 jihadists were killed."
    )
    assert count.best == 30
    assert count.by_side() == {"state_forces": 19, "armed_group": 11}


def test_left_dead_toll_and_bodies() -> None:
    assert killed("Another attack left a general and four soldiers dead.") == [(5, 5, 5)]
    assert killed("A week of fighting left more than 370 dead.") == [(370, 370, None)]
    assert killed("The death toll rose to 23, officials said.") == [(23, 23, 23)]
    assert killed("Police found 9 bodies near the road.") == [(9, 9, 9)]


def test_active_and_passive_with_several_categories() -> None:
    counts = find_counts("Gunmen killed 12 villagers and wounded 5 others on Tuesday.")
    assert [(c.category, c.best) for c in counts] == [("killed", 12), ("wounded", 5)]
    counts = find_counts("Police arrested 51 suspects and freed two hostages.")
    assert [(c.category, c.best) for c in counts] == [("arrested", 51)]
    assert [
        (c.category, c.best) for c in find_counts("Bandits abducted 30 students from a school.")
    ] == [("abducted", 30)]


def test_numbers_that_are_not_people() -> None:
    assert find_counts("Russian planes carried out at least 15 airstrikes on Monday.") == []
    assert find_counts("In October, 21 operations were conducted over 48 hours.") == []
    assert find_counts("The war began in 2011 and IS rose in 2014.") == []


def test_headline_capitals() -> None:
    assert killed("7 REGIME LOYALISTS KILLED IN AMBUSH IN SYRIA") == [(7, 7, 7)]


def test_evidence_span_covers_the_count() -> None:
    text = "Officials said 4 policemen were killed overnight."
    [count] = find_counts(text)
    assert text[count.start : count.end] == count.text
    assert count.text.startswith("4 policemen")


@given(st.integers(min_value=1, max_value=999_999))
def test_digits_round_trip(n: int) -> None:
    assert parse_number(f"{n:,}") == n
    assert killed(f"{n:,} soldiers were killed.") == [(n, n, n)]


def test_number_words() -> None:
    assert parse_number("twenty-five") == 25
    assert parse_number("two hundred") == 200
    assert parse_number("seven") == 7
    assert parse_number("a dozen") is None


def test_a_single_person_is_a_count_of_one() -> None:
    assert killed("Gunmen shot dead a shopkeeper in the old market of Gao.") == [(1, 1, 1)]
    assert killed("A police officer was killed at the gate.") == [(1, 1, 1)]
    assert killed("Two men assassinated a tribal elder near Kirkuk.") == [(1, 1, 1)]
    # "a" before a thing is not a person: the bomb did the killing.
    assert killed("A bomb killed three herders outside Menaka.") == [(3, 3, 3)]


def test_quoted_nouns_and_military_euphemisms_are_counted() -> None:
    assert killed('Twenty "terrorists" were neutralised near the border.') == [(20, 20, 20)]


def test_a_bracketed_acronym_does_not_break_a_list() -> None:
    [count] = find_counts(
        "At least 9 Malian Armed Forces (FAMa) soldiers and two drivers were killed near Gao."
    )
    assert (count.best, count.text.endswith("were killed")) == (11, True)
    assert count.by_side() == {"state_forces": 9, "civilians": 2}


def test_an_attribution_after_a_count_is_not_a_person_counted() -> None:
    assert killed(
        "A drone strike hit a wedding near Kunduz, killing seven guests, a doctor said."
    ) == [(7, 7, 7)]
    assert killed("Shelling killed four farmers, a village elder told reporters.") == [(4, 4, 4)]


def test_of_a_inside_a_noun_does_not_end_the_list() -> None:
    [count] = find_counts("Gunmen killed six members of a tribal militia and a herder near Gao.")
    assert count.best == 7
    assert count.by_side() == {"state_forces": 6, "civilians": 1}


def test_one_of_a_place_is_no_count_but_an_elided_noun_is() -> None:
    counts = find_counts(
        "Shelling on Douma, one of the largest towns of the region, killed five civilians and "
        "wounded 14, medics said."
    )
    assert [(c.category, c.best) for c in counts] == [("killed", 5), ("wounded", 14)]


def test_active_verb_before_and_passive_after_are_two_counts() -> None:
    counts = find_counts(
        "Police returned fire, killing four of the attackers, and one officer was wounded."
    )
    assert [(c.category, c.best) for c in counts] == [("killed", 4), ("wounded", 1)]
    assert counts[0].by_side() == {"armed_group": 4}


def test_a_pronoun_after_of_counts_people() -> None:
    assert killed("Rebels ambushed a convoy near Lashio, killing nine of them.") == [(9, 9, 9)]


def test_a_relative_clause_after_including_is_not_a_subset() -> None:
    text = (
        "The group was blamed for several raids, including a May 3 attack near Kidal in which "
        "eight soldiers were killed."
    )
    assert killed(text) == [(8, 8, 8)]


def test_headline_verbs_in_the_present_and_no_fight() -> None:
    counts = find_counts("Army detains nine suspects in Mosul raid")
    assert [(c.category, c.best) for c in counts] == [("arrested", 9)]
    assert killed("The rebels entered the town without a fight, residents said.") == [(0, 0, 0)]


def test_a_part_of_the_people_just_counted_is_not_added() -> None:
    assert killed("The ambush killed 11 soldiers, four of whom died later in hospital.")[0] == (
        11,
        11,
        11,
    )
    assert killed("Jets struck a camp, killing 20 fighters, five of them commanders.") == [
        (20, 20, 20)
    ]


def test_a_headline_says_how_many_die() -> None:
    assert killed("54 Die As Mosque Targeted in Landi Kotal") == [(54, 54, 54)]
    assert killed("Five die in Maiduguri market blast") == [(5, 5, 5)]


def test_the_names_of_the_counted_people_stand_between_them_and_the_verb() -> None:
    assert killed("A customs officer, Captain Idris Mwangi, was shot dead at the depot.") == [
        (1, 1, 1)
    ]
    counts = find_counts(
        "Two teachers, Halima Yusuf and Bello Danjuma, were killed and three pupils were wounded."
    )
    assert [(c.category, c.best) for c in counts] == [("killed", 2), ("wounded", 3)]
