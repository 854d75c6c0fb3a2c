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

On Monday, Turkish warplanes struck suspected PKK hideouts in the Gara mountains of Duhok province
in northern Iraq, killing four militants, the defence ministry said.
"""


def test_others_attribution_names_the_attacker_as_suspected() -> None:
    bombing, strikes = sorted(_incidents(BLAMED), key=lambda e: e.event_date or date.min)[::-1]
    assert bombing.actor1 == "Kurdistan Workers' Party"
    assert FLAG_ACTOR_SUSPECTED in bombing.flags
    assert bombing.claimed_by is None  # blamed by officials, not claimed
    # "suspected PKK hideouts" is the place struck, not an attribution of the strikes.
    assert strikes.actor1 == "Military Forces of Turkey"
    assert strikes.actor2 == "Kurdistan Workers' Party"


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


CLASH = """Rival factions clash in Al-Bab
ALEPPO, March 7 - Clashes broke out on Tuesday between Ahrar al-Sham and Hayat Tahrir al-Sham on the
eastern edge of the city of Al-Bab in the northern countryside of Aleppo, after a dispute over a
checkpoint. Turkish jets were seen flying over the area during the fighting, residents said.
"""


def test_the_two_named_sides_of_a_clash_are_actor1_and_actor2() -> None:
    """Named sides beat an attacker known only by a role noun ("jets" seen overhead)."""
    [event] = _incidents(CLASH)
    assert {event.actor1, event.actor2} == {"Ahrar al-Sham", "Hayat Tahrir al-Sham"}


CONTACT = """SDF detains young men in Raqqa
RAQQA, March 7 - The Syrian Democratic Forces arrested six young men in the town of Al-Karamah in
the eastern countryside of Raqqa on Tuesday on charges of communicating with IS, activists said.
"""


def test_contact_with_a_group_does_not_make_it_the_side_hit() -> None:
    [event] = _incidents(CONTACT)
    assert event.actor1 == "Syrian Democratic Forces"
    assert event.actor2 == "Civilians"


DEPOT = """Israeli strikes hit depot near Homs
HOMS, March 7 - Israeli warplanes struck a weapons depot belonging to the Lebanese Hezbollah near
the town of Al-Qusayr in the southern countryside of Homs late on Tuesday, a war monitor said. No
casualties were reported.

Earlier on Tuesday, HTS executed an individual in the town of Sarmada in the northern countryside
of Idlib.
"""


def test_the_owner_of_what_was_hit_is_the_side_hit() -> None:
    strikes, execution = sorted(_incidents(DEPOT), key=lambda e: e.sub_event_type or "")
    assert strikes.actor1 == "Military Forces of Israel"
    assert strikes.actor2 == "Hezbollah"
    assert execution.actor2 == "Civilians"  # "an individual" is a civilian


GROUP_REPORTS = """Turkish jets pound Qandil, PKK says
ERBIL, March 7 - The HPG said on Tuesday that Turkish warplanes had carried out airstrikes on the
Qandil mountains in Erbil province overnight. It gave no word of casualties.

Separately, an explosive device planted by unknown assailants in an SDF vehicle went off near the
town of Shaddadi in the southern countryside of Al-Hasakah on Monday, a war monitor said. No
casualties were reported.
"""


def test_the_other_named_side_of_an_attack_is_the_side_hit() -> None:
    """An armed group named in no role beside a known attacker is the side hit."""
    events = sorted(_incidents(GROUP_REPORTS), key=lambda e: e.event_date or date.min)
    bomb, strikes = events
    assert strikes.actor1 == "Military Forces of Turkey"
    assert strikes.actor2 == "Kurdistan Workers' Party"
    assert bomb.actor2 == "Syrian Democratic Forces"


REGIME_VEHICLE = """Rebels destroy regime tank in Jabal al-Zawiya
IDLIB, March 7 - Opposition fighters destroyed a regime tank with a guided missile on the front
line of Jabal al-Zawiya in the southern countryside of Idlib on Tuesday.

On Monday, SDF fighters raided a house in the town of Al-Busayrah in Deir ez-Zor looking for a
wanted man and, when they could not find him, detained two of his brothers.
"""


def test_a_sides_vehicle_and_a_wanted_mans_relatives_name_the_side_hit() -> None:
    events = sorted(_incidents(REGIME_VEHICLE), key=lambda e: e.event_date or date.min)
    raid, tank = events
    assert tank.actor2 == "Military Forces of Syria"  # "a regime tank"
    assert raid.actor2 == "Civilians"  # "two of his brothers"


JOINT_CLAIM = """Drones target Russian base in Latakia
LATAKIA, March 7 - Assailants flew several explosives-laden drones at the Hmeimim air base near
Jableh in Latakia province on Tuesday; Russian air defences downed them, the defence ministry in
Moscow said. There were no casualties. Hayat Tahrir al-Sham and Ahrar al-Sham claimed
responsibility for the attack.

On Monday, drones struck a Russian patrol near Qardaha; the Free Alawite Movement claimed
responsibility for the incident.
"""


def test_the_first_of_joint_claimants_and_a_small_group_are_the_attackers() -> None:
    events = sorted(_incidents(JOINT_CLAIM), key=lambda e: e.event_date or date.min)
    patrol, base = events
    assert base.actor1 == "Hayat Tahrir al-Sham"
    assert base.claimed_by == "Hayat Tahrir al-Sham"
    assert patrol.actor1 == "Free Alawite Movement"


COUNTRY_BLAMED = """Air raids kill two in Idlib village
IDLIB, March 7 - Two civilians were killed and four wounded on Tuesday when warplanes struck the
village of Kafr Nabl in the southern countryside of Idlib. Local sources attributed the strikes
to Russia. Washington blames Iran-backed factions for a string of rocket attacks in Iraq.
"""


def test_a_country_blamed_stands_for_its_forces() -> None:
    """ "attributed the strikes to Russia": Russia's forces, suspected; "Iran-backed" is no blame
    of Iran."""
    events = _incidents(COUNTRY_BLAMED)
    raids = next(e for e in events if e.fatalities == 2)
    assert raids.actor1 == "Military Forces of Russia"
    assert FLAG_ACTOR_SUSPECTED in raids.flags
    assert all(e.actor1 != "Military Forces of Iran" for e in events)


def test_a_retaliation_is_its_own_record_with_its_own_attacker() -> None:
    text = (
        "Jihadists kill four soldiers in desert ambush\n"
        "HOMS, March 7 (AFP) - Islamic State group fighters ambushed an army convoy near "
        "Sukhnah on Sunday, killing four soldiers, a war monitor said.\n"
        "In response, Russian warplanes carried out dozens of airstrikes on the group's "
        "hideouts in the desert east of Palmyra, killing 12 militants, the monitor added.\n"
    )
    events = _incidents(text, published=date(2021, 3, 8))
    assert [(e.actor1, e.fatalities) for e in events] == [
        ("Islamic State", 4),
        ("Military Forces of Russia", 12),
    ]
    # "March 7" in the dateline is a date, not a protest march.
    assert all(e.event_type != "Protests" for e in events)


def test_two_factions_of_one_coalition_fighting_each_other_are_both_sides() -> None:
    text = (
        "Infighting in Afrin | Factions trade fire over a checkpoint\n\n"
        "Fighters of the Hamza Division and the Sultan Murad Division clashed in the town of "
        "Jindires in Afrin countryside on Thursday over a checkpoint, local activists said. "
        "No casualties were reported.\n"
    )
    [event] = _incidents(text)
    assert (event.actor1, event.actor2) == ("Syrian National Army", "Syrian National Army")


def test_a_coalition_member_killed_by_a_rival_faction_is_not_the_state() -> None:
    text = (
        "Factions clash in Al-Bab\n\n"
        "The Sultan Murad Division clashed with Ahrar al-Sharqiya in the city of Al-Bab in the "
        "countryside of Aleppo on Sunday, killing one member of the Sultan Murad Division, a "
        "war monitor said.\n"
    )
    [event] = _incidents(text)
    assert event.actor2 == "Syrian National Army"
    assert event.fatalities == 1


def test_the_bare_word_regime_in_a_syrian_report_is_the_syrian_army() -> None:
    text = (
        "Front lines\n\n"
        "Clashes erupted on Saturday between regime and Hayat Tahrir al-Sham fighters on the "
        "Kabani front in the countryside of Latakia, a war monitor said. Two HTS fighters were "
        "killed.\n"
    )
    [event] = _incidents(text)
    assert (event.actor1, event.actor2) == ("Military Forces of Syria", "Hayat Tahrir al-Sham")


def test_a_state_s_positions_hit_by_a_strike_are_its_forces() -> None:
    text = (
        "Strikes near Al-Bukamal\n\n"
        "Unidentified warplanes carried out several airstrikes at dawn on Tuesday on Iranian "
        "positions near the town of Al-Bukamal in the eastern countryside of Deir ez-Zor, a war "
        "monitor said. No casualties were reported.\n"
    )
    [event] = _incidents(text)
    assert (event.actor1, event.actor2) == (
        "Unidentified Military Forces",
        "Military Forces of Iran",
    )


SELF_REPORTED = """Frontline | Rebels say they overran army post in Rakhine
SITTWE, June 3 - Fighters of the Arakan Army attacked a military outpost near Kyauktaw in Rakhine
state on Sunday, killing six soldiers, the group said in a post on its channel. The claim could not
be independently verified.

Separately, the Kachin Independence Army said it killed four soldiers in an ambush on a supply
truck north of Myitkyina in Kachin state on Monday.

Advertisement
"""


def test_an_armed_group_reporting_its_own_attack_has_claimed_it() -> None:
    outpost, ambush = _incidents(SELF_REPORTED, date(2024, 6, 3))
    assert outpost.actor1 == outpost.claimed_by == "Arakan Army"
    assert any(e.text == "the group said" for e in outpost.evidence if e.field == "claimed_by")
    assert ambush.claimed_by == "Kachin Independence Army"


def test_a_state_reporting_its_own_operation_is_no_claim() -> None:
    text = (
        "The Iraqi army said it killed eight militants in a raid on a hideout near Hawija in "
        "Kirkuk province on Tuesday.\n"
    )
    [raid] = _incidents(text, date(2024, 6, 5))
    assert raid.actor1 == "Military Forces of Iraq"
    assert raid.claimed_by is None
