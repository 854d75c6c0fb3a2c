from __future__ import annotations

import pytest

import conflictlens
from conflictlens.extraction.event_types import classify, find_tags, find_triggers


@pytest.mark.parametrize(
    ("text", "civilians", "expected"),
    [
        (
            "Seven fighters were killed in clashes with a sleeper cell",
            False,
            ("Battles", "Armed clash"),
        ),
        (
            "Landmines left by the group killed five soldiers",
            False,
            ("Explosions/Remote violence", "Remote explosive/landmine/IED"),
        ),
        (
            "Warplanes carried out airstrikes on the hideouts",
            False,
            ("Explosions/Remote violence", "Air/drone strike"),
        ),
        (
            "A suicide bomber blew himself up at the checkpoint",
            False,
            ("Explosions/Remote violence", "Suicide bomb"),
        ),
        (
            "Rebels shelled the town with mortars",
            False,
            ("Explosions/Remote violence", "Shelling/artillery/missile attack"),
        ),
        (
            "Gunmen attacked the village and shot dead 12 villagers",
            True,
            ("Violence against civilians", "Attack"),
        ),
        (
            "Bandits kidnapped 30 students",
            True,
            ("Violence against civilians", "Abduction/forced disappearance"),
        ),
        ("Security forces arrested 14 suspects", False, ("Strategic developments", "Arrests")),
        ("A grenade was thrown at the market", True, ("Explosions/Remote violence", "Grenade")),
        (
            "A kamikaze drone hit an army post near Sinjar",
            False,
            ("Explosions/Remote violence", "Air/drone strike"),
        ),
        (
            "Air defences shot down a drone over the airbase",
            False,
            ("Strategic developments", "Disrupted weapons use"),
        ),
        (
            "Rebels fired a rocket-propelled grenade at a patrol",
            False,
            ("Explosions/Remote violence", "Shelling/artillery/missile attack"),
        ),
        (
            "The two sides traded an exchange of shelling across the river",
            False,
            ("Battles", "Armed clash"),
        ),
        (
            "Gunmen assassinated a colonel of the Air Force Intelligence in Daraa",
            False,
            ("Battles", "Armed clash"),
        ),
    ],
)
def test_classify(text: str, civilians: bool, expected: tuple[str, str]) -> None:
    decision = classify(
        find_triggers(text), civilians_hit=civilians, state_actor_first=False, victims_counted=False
    )
    assert decision is not None
    assert (decision.event_type, decision.sub_event_type) == expected


def test_civilian_targeting_only_when_civilians_are_hit() -> None:
    triggers = find_triggers("Gunmen ambushed a convoy")
    assert not classify(
        triggers, civilians_hit=False, state_actor_first=False, victims_counted=True
    ).civilian_targeting
    assert classify(
        triggers, civilians_hit=True, state_actor_first=False, victims_counted=True
    ).civilian_targeting


def test_grenade_launchers_are_weapons_not_grenade_attacks() -> None:
    assert all(
        t.rule.sub_event_type != "Grenade"
        for t in find_triggers("they used hand grenade launchers")
    )


def test_tags() -> None:
    assert find_tags("an IS sleeper cell ambushed a car bomb convoy") >= {
        "sleeper cell",
        "ambush",
        "vehicle-borne",
    }
    assert find_tags("peaceful day") == set()


def test_arrests_by_an_armed_group_are_abductions() -> None:
    triggers = find_triggers("The militia arrested four young men at a checkpoint")

    def decided(armed_group_first: bool) -> str | None:
        decision = classify(
            triggers,
            civilians_hit=False,
            state_actor_first=False,
            victims_counted=False,
            armed_group_first=armed_group_first,
        )
        return decision.sub_event_type if decision else None

    assert decided(False) == "Arrests"
    assert decided(True) == "Abduction/forced disappearance"


def test_a_month_in_a_dateline_is_no_protest_march() -> None:
    text = (
        "Highway reopened\n"
        "DAMASCUS, March 8 (AFP) - Government forces reopened the highway linking the capital "
        "to Homs on Monday, state media said.\n"
    )
    assert [e.event_type for e in conflictlens.extract(text, published="2021-03-08")] == []
