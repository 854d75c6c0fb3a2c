"""Event type and sub-event type (ACLED taxonomy) from what a clause says happened."""

from __future__ import annotations

import re
from dataclasses import dataclass
from functools import lru_cache
from importlib import resources

import yaml


@dataclass(frozen=True)
class TriggerRule:
    pattern: re.Pattern[str]
    event_type: str
    sub_event_type: str
    priority: int
    tags: tuple[str, ...]
    needs_civilian_target: bool
    needs_state_actor: bool


@dataclass(frozen=True)
class Trigger:
    start: int  # offsets into the clause text
    end: int
    text: str
    rule: TriggerRule


@dataclass(frozen=True)
class _TypeLexicon:
    rules: tuple[TriggerRule, ...]
    civilian_overrides: dict[str, tuple[str, str]]
    armed_group_arrests: tuple[str, str]
    tags: dict[str, re.Pattern[str]]


@lru_cache(maxsize=1)
def _lexicon() -> _TypeLexicon:
    raw = yaml.safe_load(
        resources.files("conflictlens.data").joinpath("event_types.yaml").read_text("utf-8")
    )
    rules = tuple(
        TriggerRule(
            re.compile(r["pattern"], re.I),
            r["type"],
            r["sub"],
            int(r["priority"]),
            tuple(r.get("tags", ())),
            bool(r.get("needs_civilian_target")),
            bool(r.get("needs_state_actor")),
        )
        for r in raw["rules"]
    )
    overrides = {k: (v["type"], v["sub"]) for k, v in raw["civilian_target_overrides"].items()}
    tags = {name: re.compile(p, re.I) for name, p in raw["tags"].items()}
    by_group = raw["armed_group_arrests"]
    return _TypeLexicon(rules, overrides, (by_group["type"], by_group["sub"]), tags)


def find_triggers(text: str) -> list[Trigger]:
    """Every event trigger in a clause, in text order (overlaps kept: the classifier weighs them)."""
    found = [
        Trigger(m.start(), m.end(), m.group(), rule)
        for rule in _lexicon().rules
        for m in rule.pattern.finditer(text)
    ]
    return sorted(found, key=lambda t: (t.start, -t.rule.priority))


def find_tags(text: str) -> set[str]:
    return {name for name, pattern in _lexicon().tags.items() if pattern.search(text)}


@dataclass(frozen=True)
class TypeDecision:
    event_type: str
    sub_event_type: str
    trigger: Trigger
    tags: frozenset[str]
    civilian_targeting: bool


def classify(
    triggers: list[Trigger],
    *,
    civilians_hit: bool,
    state_actor_first: bool,
    victims_counted: bool,
    armed_group_first: bool = False,
) -> TypeDecision | None:
    """The incident's type from its triggers: the highest-priority trigger whose conditions hold.

    `armed_group_first`: the acting side is a non-state armed group that holds no de facto authority;
    ACLED codes its "arrests" as abductions."""
    usable = [
        t
        for t in triggers
        if (not t.rule.needs_civilian_target or civilians_hit)
        and (not t.rule.needs_state_actor or state_actor_first)
    ]
    if not usable:
        return None
    best = max(usable, key=lambda t: (t.rule.priority, -t.start))
    event_type, sub = best.rule.event_type, best.rule.sub_event_type
    # A clause that reports killings but only names arrests is still about the arrests; a count of
    # dead with only an arrest trigger is more likely an armed raid.
    if sub == "Arrests" and victims_counted:
        event_type, sub = "Battles", "Armed clash"
    elif sub == "Arrests" and armed_group_first:
        event_type, sub = _lexicon().armed_group_arrests
    if civilians_hit and sub in _lexicon().civilian_overrides:
        event_type, sub = _lexicon().civilian_overrides[sub]
    civilian_targeting = civilians_hit and event_type in (
        "Violence against civilians",
        "Explosions/Remote violence",
    )
    tags = frozenset(tag for t in usable for tag in t.rule.tags)
    return TypeDecision(event_type, sub, best, tags, civilian_targeting)
