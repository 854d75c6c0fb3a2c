"""Who did it, from the whole article: claims of responsibility, others' attributions, arrests,
and one actor never on both sides. Articles written by the team for these tests."""

from __future__ import annotations

from datetime import date

from conflictlens.extraction import extract_article
from conflictlens.models import FLAG_ACTOR_SUSPECTED, FLAG_ACTOR_UNKNOWN, Article, Event


def _incidents(text: str, published: date = date(2023, 3, 8)) -> list[Event]:
    events = extract_article(Article(id="t", text=text, published=published))
    return [e for e in events if e.kind == "incident"]


def _actor1_evidence(event: Event) -> list[str]:
    return [e.text for e in event.evidence if e.field == "actor1"]


CLAIMED = """Checkpoint attack in Kirkuk | Northern Iraq Desk
Share this story  Print

KIRKUK, March 7 - Unknown assailants attacked an army checkpoint near Hawija in Kirkuk province
on Tuesday night, killing three soldiers and wounding two others, a security source said.

The Islamic State group later claimed responsibility for the incident in a statement.

Related: Oil prices steady as OPEC meets in Vienna
"""


def test_a_claim_in_its_own_sentence_names_the_attacker() -> None:
    [event] = _incidents(CLAIMED)
    assert event.actor1 == "Islamic State"
    assert FLAG_ACTOR_SUSPECTED not in event.flags
    assert FLAG_ACTOR_UNKNOWN not in event.flags
    assert _actor1_evidence(event) == ["Islamic State group"]
    assert event.actor2 == "Military Forces of Iraq"


BLAMED = """Bomb kills two police officers in Diyarbakir
Published 8 March 2023

A roadside bomb struck a police vehicle in the Lice district of Diyarbakir province in
southeastern Turkey on Tuesday, killing two police officers, the governor's office said. No group
claimed responsibility for the blast; however, officials blamed the attack on the PKK.
"""


def test_others_attribution_names_the_attacker_as_suspected() -> None:
    [event] = _incidents(BLAMED)
    assert event.actor1 == "Kurdistan Workers' Party"
    assert FLAG_ACTOR_SUSPECTED in event.flags
    assert event.claimed_by is None  # blamed by officials, not claimed


ARRESTED = """Gunmen kill shop owner in Deir ez-Zor
DEIR EZ-ZOR, March 7 (Local Wire) - Gunmen on a motorcycle shot dead two civilians in the town of
al-Busayrah in the eastern countryside of Deir ez-Zor on Monday, residents said.

The Asayish later said that members of Hayat Tahrir al-Sham had been caught and admitted carrying
out the attack.
"""


def test_members_arrested_for_the_attack_name_the_attacker() -> None:
    [event] = _incidents(ARRESTED)
    assert event.actor1 == "Hayat Tahrir al-Sham"
    assert FLAG_ACTOR_SUSPECTED in event.flags
    assert event.actor2 == "Civilians"


TWO_CLAIMS = """Two attacks in northern Syria
Published: 8 March 2023

Unidentified gunmen ambushed a Syrian army patrol near Palmyra in Homs on Monday, killing five
soldiers. The Islamic State group claimed responsibility for the ambush.

In a separate attack on Tuesday, a car bomb exploded at a checkpoint of the Syrian Democratic
Forces in Manbij in Aleppo province, killing two fighters. Kurdish officials blamed the bombing on
the Turkish-backed Syrian National Army.
"""


def test_each_claim_covers_the_incident_told_before_it() -> None:
    events = sorted(_incidents(TWO_CLAIMS), key=lambda e: e.event_date or date.min)
    assert [e.actor1 for e in events] == ["Islamic State", "Syrian National Army"]
    assert FLAG_ACTOR_SUSPECTED not in events[0].flags
    assert FLAG_ACTOR_SUSPECTED in events[1].flags


SAME_SIDE = """Mine blast on Aleppo front line
ALEPPO, March 7 - Two Syrian army soldiers died on Tuesday near Kafr Halab, west of Aleppo, when a
mine blew up as army soldiers planted explosives on the front line, a war monitor said.
"""


def test_one_actor_is_never_on_both_sides() -> None:
    """The dead are the side hit: the soldiers planting the mine are not also its attacker."""
    [event] = _incidents(SAME_SIDE)
    assert event.actor2 == "Military Forces of Syria"
    assert event.actor1 == "Unidentified Armed Group"
    assert FLAG_ACTOR_UNKNOWN in event.flags


CIVILIANS_HIT = """Girl killed in Turkish shelling on Tel Rifaat villages
ALEPPO, March 7 - At least one civilian, a girl, was killed and two others were wounded in
shelling on the village of Kalota near Tel Rifaat in the northern countryside of Aleppo on
Tuesday, local activists said.
"""


def test_civilians_are_never_the_attacker() -> None:
    """ACLED codes civilians only as the side hit, whatever the parse of a headline says."""
    [event] = _incidents(CIVILIANS_HIT)
    assert event.actor1 != "Civilians"
    assert event.actor2 == "Civilians"
