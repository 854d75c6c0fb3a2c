from __future__ import annotations

from itertools import pairwise

import pytest
from hypothesis import given, settings
from hypothesis import strategies as st

from conflictlens.extraction.actors import (
    INTER_TYPES,
    ActorDictionary,
    ActorMention,
    canonical_actor,
    tokenize,
)

# The canonical names every other part of the project relies on (brief: "Canonical names").
CANONICAL_NAMES = [
    "Islamic State",
    "Military Forces of Syria",
    "National Defence Forces",
    "Liwa al-Quds",
    "Iranian-backed Militias",
    "Hezbollah",
    "Military Forces of Russia",
    "Military Forces of Iran",
    "Military Forces of Turkey",
    "Syrian National Army",
    "Hayat Tahrir al-Sham",
    "Syrian Democratic Forces",
    "People's Protection Units",
    "US-led Coalition",
    "Military Forces of the United States",
    "Military Forces of Israel",
    "Military Forces of Iraq",
    "Police Forces of Iraq",
    "Counter Terrorism Service",
    "Popular Mobilization Forces",
    "Peshmerga",
    "Kurdistan Workers' Party",
    "JNIM",
    "Islamic State Sahel Province",
    "Military Forces of Mali",
    "Military Forces of Burkina Faso",
    "Military Forces of Niger",
    "Wagner Group",
    "Volunteers for the Defence of the Homeland",
    "Dozo Militia",
    "Boko Haram",
    "Islamic State West Africa Province",
    "Military Forces of Nigeria",
    "Police Forces of Nigeria",
    "Civilian Joint Task Force",
    "Bandits",
    "Al-Shabaab",
    "Military Forces of Somalia",
    "African Union Mission in Somalia",
    "Police Forces of Somalia",
    "Taliban",
    "Islamic State Khorasan Province",
    "National Resistance Front",
    "Military Forces of Pakistan",
    "Tehrik-i-Taliban Pakistan",
    "Military Forces of Myanmar",
    "People's Defence Force",
    "Arakan Army",
    "Kachin Independence Army",
    "Myanmar National Democratic Alliance Army",
    "Ta'ang National Liberation Army",
    "Sinaloa Cartel",
    "Jalisco New Generation Cartel",
    "Police Forces of Mexico",
    "Military Forces of Mexico",
    "National Guard of Mexico",
    "Military Forces of Colombia",
    "ELN",
    "FARC Dissidents",
    "Civilians",
    "Unidentified Armed Group",
    "Protesters",
    "Rioters",
]


@pytest.fixture(scope="module")
def actors() -> ActorDictionary:
    return ActorDictionary.default()


def names(mentions: list[ActorMention]) -> list[str | None]:
    return [m.name for m in mentions]


def only(actors: ActorDictionary, text: str, country: str | None = "SY") -> ActorMention:
    [mention] = actors.find(text, country)
    return mention


# ---------------------------------------------------------------- the dictionary itself


def test_every_canonical_name_is_known_with_a_valid_type(actors: ActorDictionary) -> None:
    for name in CANONICAL_NAMES:
        info = actors.info(name)
        assert info is not None and info.name == name, name
        assert info.inter in INTER_TYPES
    assert ActorDictionary.default() is actors  # cached


def test_every_alias_maps_back_to_its_actor(actors: ActorDictionary) -> None:
    for info in actors.actors():
        assert actors.canonical(info.name) == info.name
        for alias in info.aliases:
            resolved = actors.canonical(alias)
            # An alias two actors share ("SNA") resolves to one of them, never to nothing.
            assert resolved is not None, alias
            assert resolved == info.name or alias in actors.info(resolved).aliases, alias


def test_acled_names_map_through_aliases_and_composition() -> None:
    assert canonical_actor("Military Forces of Syria (2000-)") == "Military Forces of Syria"
    assert canonical_actor("Islamic State (Syria)") == "Islamic State"
    assert canonical_actor("Islamic State (Iraq)") == "Islamic State"
    assert canonical_actor("NDF: National Defence Forces") == "National Defence Forces"
    assert canonical_actor("Liwa al Quds") == "Liwa al-Quds"
    assert canonical_actor("PMF: Popular Mobilization Forces") == "Popular Mobilization Forces"
    assert canonical_actor("SDF: Syrian Democratic Forces") == "Syrian Democratic Forces"
    assert canonical_actor("Unidentified Military Forces") == "Unidentified Military Forces"
    # year suffixes ACLED may add later, sub-units, country qualifiers, "ABBR: Name", " - Region"
    assert canonical_actor("Military Forces of Iraq (2026-)") == "Military Forces of Iraq"
    assert (
        canonical_actor("Military Forces of Iraq (2014-) Kurdistan Regional Government Peshmerga")
        == "Peshmerga"
    )
    assert canonical_actor("Military Forces of Syria (2000-) Prison Guards") == (
        "Military Forces of Syria"
    )
    assert canonical_actor("Unidentified Armed Group (Syria)") == "Unidentified Armed Group"
    assert canonical_actor("Civilians (Iraq)") == "Civilians"
    assert canonical_actor("Shepherds (Syria)") == "Civilians"
    assert canonical_actor("Refugees/IDPs (Syria)") == "Civilians"
    assert canonical_actor("Hamza Division - Aleppo") == "Syrian National Army"
    assert canonical_actor("Turkish Armed Forces (TSK)") == "Military Forces of Turkey"


def test_canonical_refuses_what_it_does_not_know() -> None:
    assert canonical_actor("is") is None
    assert canonical_actor("state") is None
    assert canonical_actor("soldiers") is None  # whose soldiers depends on the country
    assert canonical_actor("Karak Communal Militia (Syria)") is None
    assert canonical_actor("   ") is None


def test_acled_name_for_export_fills_the_country(actors: ActorDictionary) -> None:
    assert actors.acled_name("IS", "SY") == "Islamic State (Syria)"
    assert actors.acled_name("civilians", "IQ") == "Civilians (Iraq)"
    assert actors.acled_name("Civilians", None) == "Civilians"
    assert actors.acled_name("SDF") == "QSD: Syrian Democratic Forces"
    assert actors.acled_name("nobody we know") is None


def test_state_forces_abroad_are_external(actors: ActorDictionary) -> None:
    assert actors.inter_in("Turkish army", "SY") == "External/Other forces"
    assert actors.inter_in("Turkish army", "TR") == "State forces"
    assert actors.inter_in("Hezbollah", "SY") == "Political militia"
    assert actors.inter_in("nobody we know", "SY") is None


def test_data_errors_are_reported() -> None:
    base = {"countries": {"SY": {"name": "Syria", "adjectives": ["Syrian"]}}, "roles": []}
    words = {"followers": [], "suspicion_cues": [], "negating_prefixes": [], "patron_suffixes": []}
    bad_inter = {"name": "X", "inter": "Bandits", "country": None, "aliases": ["X"]}
    with pytest.raises(ValueError, match="inter"):
        ActorDictionary({**base, **words, "actors": [bad_inter]})
    bad_assoc = {"name": "X", "inter": "Rebel group", "country": "SY", "assoc": ["Y"]}
    with pytest.raises(ValueError, match="assoc"):
        ActorDictionary({**base, **words, "actors": [bad_assoc]})
    boolean_alias = {"name": "X", "inter": "Rebel group", "country": "SY", "aliases": [False]}
    with pytest.raises(TypeError):
        ActorDictionary({**base, **words, "actors": [boolean_alias]})


# ---------------------------------------------------------------- matching: the brief's edge cases


def test_named_actor_with_trailing_noun_is_one_mention(actors: ActorDictionary) -> None:
    mention = only(actors, "Islamic State group jihadists attacked the outpost.")
    assert (mention.text, mention.name, mention.generic) == (
        "Islamic State group jihadists",
        "Islamic State",
        False,
    )


def test_suspected_is_fighters(actors: ActorDictionary) -> None:
    mention = only(actors, "It was an ambush by suspected IS fighters.")
    assert mention.name == "Islamic State" and mention.suspected
    assert mention.text == "suspected IS fighters"
    assert not only(actors, "It was an ambush by IS fighters.").suspected


def test_believed_to_be_makes_the_named_actor_suspected(actors: ActorDictionary) -> None:
    mentions = actors.find("Witnesses said they were believed to be ISIS militants.", "SY")
    assert [(m.name, m.suspected) for m in mentions] == [("Islamic State", True)]
    assert mentions[0].text == "believed to be ISIS militants"


def test_islamic_state_spellings_and_case(actors: ActorDictionary) -> None:
    text = "ISIS, Daesh and IS fighters, but this is not the state of Isis alone."
    found = [(m.text, m.name) for m in actors.find(text, "SY")]
    assert ("ISIS", "Islamic State") in found
    assert ("Daesh", "Islamic State") in found
    assert ("IS fighters", "Islamic State") in found
    assert not any(m.text in ("is", "state") for m in actors.find(text, "SY"))


def test_short_acronym_is_ignored_in_a_headline_in_capitals(actors: ActorDictionary) -> None:
    text = "WHY THIS IS THE WORST ATTACK BY ISIS\nIS claimed the attack."
    found = [(m.text, m.start) for m in actors.find(text, "SY")]
    assert found == [("ISIS", text.index("ISIS")), ("IS", text.index("\nIS") + 1)]


def test_pro_regime_militia_and_ndf(actors: ActorDictionary) -> None:
    text = "Members of the National Defence Forces, a pro-regime militia, also called NDF, died."
    mentions = actors.find(text, "SY")
    assert names(mentions) == ["National Defence Forces"] * 3
    assert [m.generic for m in mentions] == [False, True, False]
    # outside Syria the same noun names no known actor
    assert only(actors, "a pro-government militia", "NG").name is None


def test_state_forces_by_adjective_and_context(actors: ActorDictionary) -> None:
    soldiers = only(actors, "Two Syrian government soldiers were killed.", None)
    assert (soldiers.name, soldiers.role, soldiers.generic) == (
        "Military Forces of Syria",
        "state_forces",
        True,
    )
    assert only(actors, "Iraqi soldiers were killed.", "SY").name == "Military Forces of Iraq"
    assert only(actors, "Two soldiers were killed.", "IQ").name == "Military Forces of Iraq"
    bare = only(actors, "Two soldiers were killed.", None)
    assert (bare.name, bare.generic, bare.role) == (None, True, "state_forces")
    police = only(actors, "Policemen manned the checkpoint.", "NG")
    assert (police.name, police.role) == ("Police Forces of Nigeria", "police")


def test_foreign_state_forces_are_external(actors: ActorDictionary) -> None:
    turkish = only(actors, "Turkish soldiers were killed in Idlib.", "SY")
    assert (turkish.name, turkish.inter, turkish.country) == (
        "Military Forces of Turkey",
        "External/Other forces",
        "TR",
    )
    unknown = only(actors, "Lebanese soldiers were deployed.", "SY")
    assert (unknown.name, unknown.country, unknown.inter) == (None, "LB", "External/Other forces")
    assert only(actors, "Russian jets struck the town.", "SY").name == "Military Forces of Russia"


def test_sub_units_map_to_their_army(actors: ActorDictionary) -> None:
    mention = only(actors, "An outpost of the Fourth Division was hit.")
    assert (mention.text, mention.name) == ("Fourth Division", "Military Forces of Syria")
    assert only(actors, "Fatemiyoun fighters withdrew.").name == "Iranian-backed Militias"


def test_patrons_are_not_parties(actors: ActorDictionary) -> None:
    text = "the US-backed Syrian Democratic Forces (SDF) and the Kurdish-led SDF"
    mentions = actors.find(text, "SY")
    assert [(m.text, m.name) for m in mentions] == [
        ("Syrian Democratic Forces (SDF)", "Syrian Democratic Forces"),
        ("Kurdish-led SDF", "Syrian Democratic Forces"),
    ]
    assert names(actors.find("Hezbollah-backed fighters", "SY")) == [None]  # the fighters only
    assert only(actors, "Turkish-backed groups shelled the village.").name == "Syrian National Army"
    assert only(actors, "the Russia-backed Liwa al-Quds militia").name == "Liwa al-Quds"


def test_stances_are_not_actors(actors: ActorDictionary) -> None:
    assert actors.find("anti-IS operations continued", "SY") == []
    assert names(actors.find("the anti-IS coalition", "IQ")) == ["US-led Coalition"]


def test_militias(actors: ActorDictionary) -> None:
    assert only(actors, "Iranian-backed militias withdrew.").name == "Iranian-backed Militias"
    assert only(actors, "Three militiamen died.", "SY").name == "Iranian-backed Militias"
    assert only(actors, "Three militiamen died.", "NG").name is None
    assert only(actors, "pro-Iran militants").name == "Iranian-backed Militias"


def test_other_conflicts(actors: ActorDictionary) -> None:
    for text, country, name in [
        ("al-Shabaab fighters", "SO", "Al-Shabaab"),
        ("Al Shabab", None, "Al-Shabaab"),
        ("Boko Haram", None, "Boko Haram"),
        ("ISWAP", None, "Islamic State West Africa Province"),
        ("the Islamic State West Africa Province", None, "Islamic State West Africa Province"),
        ("JNIM", None, "JNIM"),
        ("Jama'at Nusrat al-Islam wal-Muslimin", None, "JNIM"),
        ("Jama’at Nusrat al-Islam wal-Muslimin", None, "JNIM"),
        ("ISIS-K", None, "Islamic State Khorasan Province"),
        ("the Pakistani Taliban", None, "Tehrik-i-Taliban Pakistan"),
        ("Burkinabè army", None, "Military Forces of Burkina Faso"),
        ("CJNG gunmen", "MX", "Jalisco New Generation Cartel"),
    ]:
        assert only(actors, text, country).name == name, text


def test_local_aliases_need_their_country(actors: ActorDictionary) -> None:
    assert only(actors, "the SNA shelled the village", "SY").name == "Syrian National Army"
    assert only(actors, "the SNA shelled the village", "SO").name == "Military Forces of Somalia"
    assert actors.find("two KIA in the assault", "SY") == []
    assert only(actors, "the KIA took the post", "MM").name == "Kachin Independence Army"


def test_unidentified_and_generic_armed_groups(actors: ActorDictionary) -> None:
    gunmen = only(actors, "Unidentified gunmen opened fire.")
    assert (gunmen.name, gunmen.generic, gunmen.role) == (
        "Unidentified Armed Group",
        True,
        "armed_group",
    )
    militants = only(actors, "The militants fled.")
    assert (militants.name, militants.generic, militants.role) == (None, True, "armed_group")
    assert only(actors, "unidentified warplanes struck").name == "Unidentified Military Forces"
    assert only(actors, "A drone targeted a car.").name == "Unidentified Military Forces"
    assert only(actors, "A Turkish drone targeted a car.").name == "Military Forces of Turkey"
    assert only(actors, "An IS drone targeted a car.").name == "Islamic State"


def test_civilians(actors: ActorDictionary) -> None:
    for text in ["three truffle hunters", "two shepherds", "worshippers", "bus passengers"]:
        mention = only(actors, text)
        assert (mention.name, mention.role, mention.inter) == (
            "Civilians",
            "civilians",
            "Civilians",
        )


def test_longest_match_wins(actors: ActorDictionary) -> None:
    # "Syrian Democratic Forces" is not "Syrian" + "forces"; "Army of Islam" is not "army".
    assert names(actors.find("Syrian Democratic Forces", "SY")) == ["Syrian Democratic Forces"]
    assert names(actors.find("the Army of Islam", "SY")) == ["Syrian National Army"]
    assert names(actors.find("police officers", "IQ")) == ["Police Forces of Iraq"]


# ---------------------------------------------------------------- properties

WORDS = st.sampled_from(
    [
        "IS",
        "is",
        "ISIS",
        "soldiers",
        "Syrian",
        "army",
        "the",
        "suspected",
        "gunmen",
        "US",
        "-",
        "backed",
        "SDF",
        "(",
        ")",
        "anti",
        "Fourth",
        "Division",
        "civilians",
        "state",
        "Islamic",
        "State",
        "group",
        "fighters",
        ",",
        "Turkish",
        "troops",
        "’",
        "s",
        "\n",
    ]
)


@settings(max_examples=200, deadline=None)
@given(st.lists(WORDS, max_size=25), st.sampled_from([None, "SY", "IQ", "SO"]))
def test_mentions_are_sorted_disjoint_and_point_into_the_text(
    words: list[str], country: str | None
) -> None:
    text = " ".join(words).replace(" - ", "-").replace(" ’ ", "’")
    mentions = ActorDictionary.default().find(text, country)
    for mention in mentions:
        assert text[mention.start : mention.end] == mention.text
        assert mention.name is not None or mention.generic
        assert mention.inter is None or mention.inter in INTER_TYPES
    for left, right in pairwise(mentions):
        assert left.end <= right.start


@given(st.text(max_size=80))
def test_tokens_point_into_the_text(text: str) -> None:
    for token in tokenize(text):
        assert text[token.start : token.end].replace("’", "'").replace("‘", "'") == token.text
