from __future__ import annotations

import pytest
import yaml
from hypothesis import given, settings
from hypothesis import strategies as st

from conflictlens.extraction.actors import ActorDictionary
from conflictlens.extraction.sources import (
    SOURCE_TYPES,
    SourceDictionary,
    SourceMention,
    find_outlet_line,
    find_sources,
)

CANONICAL_SOURCES = [
    "Syrian Observatory for Human Rights",
    "SANA",
    "AFP",
    "Reuters",
    "AP",
    "Amaq",
    "North Press",
    "Zaman al-Wasl",
    "Deir Ezzor 24",
    "Iraqi Security Media Cell",
    "Rudaw",
    "Kurdistan 24",
    "Shafaq News",
    "Al-Monitor",
    "Anadolu",
    "local officials",
    "military",
    "police",
    "hospital",
    "residents",
    "witnesses",
]


def cited(sentence: str) -> list[tuple[str, str, bool, str | None]]:
    return [(m.text, m.name, m.is_claim, m.claimant) for m in find_sources(sentence)]


def test_every_canonical_source_is_known_with_a_type() -> None:
    dictionary = SourceDictionary.default()
    for name in CANONICAL_SOURCES:
        info = dictionary.info(name)
        assert info is not None, name
        assert info.type in SOURCE_TYPES
    assert dictionary.info("Amaq").speaks_for == "Islamic State"


def test_attribution_verbs_after_and_before() -> None:
    assert cited("The Syrian Observatory for Human Rights said five fighters died.") == [
        (
            "The Syrian Observatory for Human Rights",
            "Syrian Observatory for Human Rights",
            False,
            None,
        )
    ]
    assert cited("Nine soldiers were killed, according to the Britain-based war monitor.") == [
        ("the Britain-based war monitor", "Syrian Observatory for Human Rights", False, None)
    ]
    assert [m[1] for m in cited("A car bomb exploded in Qamishli, reported SANA.")] == ["SANA"]
    assert [m[1] for m in cited("Two shells hit the town, state media SANA had reported.")] == [
        "SANA"
    ]
    # an appositive between the source and its verb
    assert [m[1] for m in cited("SOHR, a Britain-based monitor, said 12 died.")] == [
        "Syrian Observatory for Human Rights"
    ]


def test_a_mere_mention_is_not_a_citation() -> None:
    assert cited("Rudaw is a media network based in Erbil.") == []
    assert cited("Reporters from AFP visited the market on Tuesday.") == []
    # the verb belongs to another clause
    assert cited("He read SANA. Then he said nothing.") == []


def test_told_records_the_outlet_spoken_to() -> None:
    sentence = "Rami Abdel Rahman, head of the Observatory, told AFP that 27 fighters died."
    assert [m[1] for m in cited(sentence)] == ["Syrian Observatory for Human Rights", "AFP"]
    assert [m[1] for m in cited("Local sources confirmed to Zaman al-Wasl that three died.")] == [
        "local sources",
        "Zaman al-Wasl",
    ]


def test_speaker_affiliation_counts_when_the_sentence_attributes() -> None:
    sentence = (
        "“It is quiet,” said Rami, director of the UK-based Syrian Observatory for Human Rights."
    )
    assert [m[1] for m in cited(sentence)] == ["Syrian Observatory for Human Rights"]
    assert cited("Rami is the director of the Syrian Observatory for Human Rights.") == []


@pytest.mark.parametrize(
    ("sentence", "names"),
    [
        (
            "About 200 people were at prayers, said Faisal Rehman Khan, the district's top official.",
            ["Faisal Rehman Khan"],
        ),
        # A title and a body before the name are not part of it.
        (
            "Deputy Commissioner Bajaur Agency Imran Durrani said 12 people were killed.",
            ["Imran Durrani"],
        ),
        (
            "Borno State Governor Musa Ibrahim Kolo said the village was razed.",
            ["Musa Ibrahim Kolo"],
        ),
        (
            "Iraqi Interior Minister Hadi al-Saadi told reporters that 4 policemen died.",
            ["Hadi al-Saadi"],
        ),
        # A long appositive between the name and the verb.
        (
            "Amadou Diallo, the mayor of the rural commune of Tongo, told AFP that 19 men were shot.",
            ["Amadou Diallo", "local officials", "AFP"],
        ),
        (
            "According to Halima Yusuf, a nurse at the clinic, nine children were hurt.",
            ["Halima Yusuf"],
        ),
    ],
)
def test_people_quoted_by_name_are_sources(sentence: str, names: list[str]) -> None:
    assert [m[1] for m in cited(sentence)] == names


@pytest.mark.parametrize(
    "sentence",
    [
        "The Interior Ministry said five soldiers died.",
        "Officials in Khyber Pakhtunkhwa said ten were killed.",
        "Boko Haram said it carried out the raid.",
        "Mohammed Yusuf was among the dead, and his brother was wounded.",  # not a speaker
        "On Friday Hadi al-Saadi visited the wounded.",
        "AFGHAN OFFICIALS SAY ABDUL HAQ KILLED",  # a headline in capitals
        # Who was told is an outlet; a place or a body inside a longer phrase is no speaker.
        "Two farmers were shot, villagers told Sahel Wire on Sunday.",
        "The Kano Chronicle reported that six guards died.",
        "Nine died in a raid in northern Burkina Faso, security sources said.",
        "Salah al-Din authorities imposed a curfew, the army said.",
        "The London-based group said eight fighters died.",
    ],
)
def test_bodies_places_and_people_not_quoted_are_not_people_sources(sentence: str) -> None:
    unlisted = [name for _, name, claim, _ in cited(sentence) if not claim]
    assert [name for name in unlisted if SourceDictionary.default().info(name) is None] == []


@pytest.mark.parametrize(
    "sentence",
    [
        "Rami Abdel Rahman, head of the Observatory, told AFP that 27 fighters died.",
        "Observatory chief Rami Abdel Rahman told AFP that 27 fighters died.",
    ],
)
def test_a_person_speaking_for_a_listed_source_is_cited_as_that_source(sentence: str) -> None:
    assert "Rami Abdel Rahman" not in [m[1] for m in cited(sentence)]


def test_generic_sources() -> None:
    assert [m[1] for m in cited("Local officials said the bridge was destroyed.")] == [
        "local officials"
    ]
    assert [m[1] for m in cited("A military source said mortars were used.")] == ["military"]
    assert [m[1] for m in cited("Police said four bodies were found.")] == ["police"]
    assert [m[1] for m in cited("Hospital sources said nine were wounded.")] == ["hospital"]
    assert [m[1] for m in cited("Residents said the shelling lasted hours.")] == ["residents"]
    assert [m[1] for m in cited("Witnesses told Reuters that gunmen fled.")] == [
        "witnesses",
        "Reuters",
    ]


def test_propaganda_outlet_reports_are_claims() -> None:
    assert cited("ISIS, through its Amaq propaganda outlet, has claimed responsibility.") == [
        ("its Amaq propaganda outlet", "Amaq", True, "Islamic State")
    ]
    assert cited("Amaq said the group's fighters killed 12 soldiers.") == [
        ("Amaq", "Amaq", True, "Islamic State")
    ]


def test_an_actor_claiming_responsibility_is_its_own_source() -> None:
    assert cited("Al-Shabaab claimed responsibility for the bombing.") == [
        ("Al-Shabaab", "Al-Shabaab", True, "Al-Shabaab")
    ]
    assert cited("It was the worst since a bombing claimed by IS in March.") == [
        ("IS", "Islamic State", True, "Islamic State")
    ]
    assert cited("Last month IS said it was behind the bus ambush.") == [
        ("IS", "Islamic State", True, "Islamic State")
    ]


def test_negated_or_figurative_claims_are_not_claims() -> None:
    assert cited("IS did not immediately claim responsibility for the attack.") == []
    assert cited("No group has claimed responsibility for the blast.") == []
    assert cited("The Taliban denied responsibility and claimed nothing.") == []
    # "claimed the lives" is a death toll, and the source is SANA, not a claimant
    assert cited("The blast claimed the lives of 14 people, SANA reported.") == [
        ("SANA", "SANA", False, None)
    ]


def test_claimant_must_be_a_canonical_actor() -> None:
    actors = ActorDictionary.default()
    for mention in find_sources("The Islamic State group claimed responsibility via Amaq."):
        assert mention.claimant is None or actors.canonical(mention.claimant) == mention.claimant


def test_speaks_for_must_name_a_canonical_actor() -> None:
    data = yaml.safe_load(
        """
sources: [{name: Amaq, type: propaganda, speaks_for: the caliphate, aliases: [Amaq]}]
outlets: []
outlet_lines: []
attribution: {}
"""
    )
    with pytest.raises(ValueError, match="speaks_for"):
        SourceDictionary(data, ActorDictionary.default())


@pytest.mark.parametrize(
    ("text", "outlet"),
    [
        ("Headline\n\nLast Update: 2019-04-20 00:00:00 - Source: Rudaw\n\nBody.", "Rudaw"),
        ("Body text.\n\nSource: Zamanalwsl", "Zaman al-Wasl"),
        ("Body text.\nSource: Some Small Outlet", "Some Small Outlet"),
        ("Body.\nThis story originated in the VOA’s Kurdish service.\n", "VOA"),
        (
            "Body.\nThis article is republished from – Voa News – Read the – original article.",
            "VOA",
        ),
        ("No outlet line here.\nOfficials said the source of the blast was unclear.", None),
    ],
)
def test_outlet_lines(text: str, outlet: str | None) -> None:
    assert find_outlet_line(text) == outlet


def test_an_outlet_line_that_is_really_a_sentence_is_ignored() -> None:
    text = "Source: one of the officials who spoke on condition of anonymity told us this much"
    assert find_outlet_line(text) is None


WORDS = st.sampled_from(
    [
        "SANA",
        "said",
        "the",
        "Observatory",
        "according",
        "to",
        "told",
        "AFP",
        "claimed",
        "responsibility",
        "IS",
        "not",
        ",",
        ".",
        "police",
        "by",
        "Amaq",
        "reported",
        "residents",
    ]
)


@settings(max_examples=200, deadline=None)
@given(st.lists(WORDS, max_size=20))
def test_mentions_point_into_the_sentence(words: list[str]) -> None:
    sentence = " ".join(words)
    mentions: list[SourceMention] = find_sources(sentence)
    for mention in mentions:
        assert sentence[mention.start : mention.end] == mention.text
        assert mention.is_claim == (mention.claimant is not None)
    assert [m.start for m in mentions] == sorted(m.start for m in mentions)
