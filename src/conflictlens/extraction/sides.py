"""Who did it: the attacker (actor1) and the side hit (actor2) of an incident.

The roles come from the parse of each clause (the words around a mention when the parse is
silent); a claim of responsibility or others' attribution anywhere in the article names an
attacker the incident's own words leave unnamed; one actor never stands on both sides.
"""

from __future__ import annotations

import re
from dataclasses import dataclass, field

from conflictlens.extraction.actors import ActorDictionary, ActorMention
from conflictlens.extraction.clauses import Clause
from conflictlens.extraction.incidents import Incident
from conflictlens.extraction.sources import Attribution, find_attributions
from conflictlens.geo import Gazetteer

# Verbs whose grammatical subject is the side that acted.
_ACTIVE_VERB = re.compile(
    r"^[\s,]*(?:\w+\s+){0,4}?(?:have |has |had )?(?:also )?(?:reportedly )?"
    r"(?:killed|kill|attacked|attack|ambushed|targeted|shelled|stormed|launched|carried out|detonated|"
    r"abducted|kidnapped|executed|wounded|struck|hit|raided|bombed|overran|captured|seized|fired|opened fire|"
    r"blew up|planted|claimed|said it was behind|arrested|detained)\b",
    re.I,
)
_AGENT_BEFORE = re.compile(
    r"(?:\bby|\bfrom|\bclaimed by|attack(?:s)? by|ambush(?:es)? by|carried out by|behind which (?:was|were))\s+(?:the\s+|an?\s+|suspected\s+)?$",
    re.I,
)
_TARGET_BEFORE = re.compile(
    r"(?:\bagainst|\bon|\btargeting|\btargeted|\bambushed|\battacked|\bkilled|\bkilling|\bhit|\bstormed|"
    # "clashed with X"; "in contact with X", "charged with links with X" name no side hit.
    r"\b(?:clash(?:es|ed)?|fight(?:ing)?|fought|battles?|engaged|skirmish(?:es|ed)?|fire) with|"
    r"\bbetween \w+ and|\bdeaths of|\bloss of)\s+(?:the\s+|an?\s+|\w+\s+)?$",
    re.I,
)
_POSSESSIVE_WEAPON = re.compile(
    r"^(?:['’]s?\s+|\s+group\s+)?(?:\w+\s+)?(?:land ?mines?|mines?|bombs?|ieds?|rockets?|drones?|warplanes?|"
    r"planes|jets|fighters|gunmen|militants|jihadists|suicide|attack|ambush|shelling|missiles?|artillery)\b",
    re.I,
)


@dataclass
class _Roles:
    actor1: ActorMention | None = None
    actor2: ActorMention | None = None
    assoc1: list[str] = field(default_factory=list)
    assoc2: list[str] = field(default_factory=list)
    actor1_clause: Clause | None = None
    actor2_clause: Clause | None = None
    actor1_guessed: bool = False  # read from the words around it, not from the parse
    # Named actors the incident mentions in no role ("a post of X", "X reported that ...").
    unplaced: list[tuple[ActorMention, Clause]] = field(default_factory=list)


def _role(clause: Clause, mention: ActorMention) -> str | None:
    """'attacker', 'victim' or None, from the words around an actor mention in its clause."""
    text = clause.text
    before, after = (
        text[max(0, mention.start - 40) : mention.start],
        text[mention.end : mention.end + 60],
    )
    for count in clause.counts:
        if count.start <= mention.start < count.end + 1 and count.category in (
            "killed",
            "wounded",
            "abducted",
            "arrested",
        ):
            return "victim"
    if _AGENT_BEFORE.search(before):
        return "attacker"
    if _TARGET_BEFORE.search(before):
        return "victim"
    if _POSSESSIVE_WEAPON.match(after) or _ACTIVE_VERB.match(after):
        return "attacker"
    if re.match(r"^\s*(?:were|was|have been|had been)\b", after, re.I):
        return "victim"
    return None


def _assign_roles(incident: Incident) -> _Roles:
    """actor1 and actor2 from the parsed roles (the words around a mention when the parse is silent);
    a named actor beats a role noun ("members of the NDF" over "regime loyalists"), and two named
    sides of a clash ("clashes between X and Y") beat an attacker known only by a role noun."""
    found: dict[str, list[tuple[ActorMention, Clause]]] = {
        "attacker": [],
        "target": [],
        "opponent": [],
    }
    guessed: set[tuple[int, int]] = set()
    unplaced: list[tuple[ActorMention, Clause]] = []
    for clause in incident.clauses:
        parsed = clause.actor_roles or [None] * len(clause.actors)
        for mention, parsed_role in zip(clause.actors, parsed, strict=True):
            if mention.name is None:
                continue
            role = parsed_role or _role(clause, mention)
            if role == "attacker" and mention.inter == "Civilians":
                role = "victim"  # ACLED: civilians are always the side hit, never the attacker
            if role is not None:
                found["target" if role == "victim" else role].append((mention, clause))
                if parsed_role is None:
                    guessed.add((clause.index, mention.start))
            elif not mention.generic:
                unplaced.append((mention, clause))

    def best(
        candidates: list[tuple[ActorMention, Clause]], exclude: str | None
    ) -> tuple[ActorMention, Clause] | None:
        usable = [(m, c) for m, c in candidates if m.name != exclude]
        named = [(m, c) for m, c in usable if not m.generic]
        return (named or usable or [None])[0]

    roles = _Roles(unplaced=unplaced)
    attacker = best(found["attacker"], None)
    named_opponents = {m.name for m, _ in found["opponent"] if not m.generic}
    if attacker is None or (attacker[0].generic and len(named_opponents) > 1):
        first_target = best(found["target"], None)
        attacker = (
            best(found["opponent"], first_target[0].name if first_target else None) or attacker
        )
    target = best(found["target"], attacker[0].name if attacker else None)
    if target is None and attacker is not None:
        target = best(found["opponent"], attacker[0].name)
    if attacker is not None:
        roles.actor1, roles.actor1_clause = attacker
        roles.actor1_guessed = (attacker[1].index, attacker[0].start) in guessed
    if target is not None:
        roles.actor2, roles.actor2_clause = target
    return roles


def _state_forces_name(country: str | None, dictionary: ActorDictionary) -> str | None:
    gazetteer_country = Gazetteer.default().country(country) if country else None
    if gazetteer_country is None:
        return None
    return dictionary.canonical(f"Military Forces of {gazetteer_country.name}")


# Where a side's name stands in the report: (clause, start, end), clause-relative.
Cite = tuple[Clause, int, int]


@dataclass
class Sides:
    """The two sides: the names the record gives them, where the report says so, and whether
    the attacker is only attributed ("sources blamed X", "suspected X fighters")."""

    roles: _Roles
    actor1: str | None
    actor2: str | None
    actor1_cite: Cite | None = None
    actor2_cite: Cite | None = None
    suspected: bool = False


@dataclass(frozen=True)
class Attributed:
    """A claim of responsibility or others' attribution, with the clause it stands in."""

    clause: Clause
    attribution: Attribution


def attributions_by_incident(
    incidents: list[Incident], clauses: list[Clause]
) -> list[Attributed | None]:
    """Who each incident was carried out by, by the article's claims and attributions ("IS
    claimed responsibility", "police blamed the attack on X"), wherever they stand: one inside
    an incident is that incident's; one in a sentence of its own (or in a tally) covers the
    incidents told since the previous one (the first incident after it when none was). A claim
    beats others' word."""
    owners: list[Attributed | None] = [None] * len(incidents)
    previous = -1
    for clause in clauses:
        found = find_attributions(clause.text)
        if not found:
            continue
        best = Attributed(clause, min(found, key=lambda a: a.suspected))
        # A tally ("one of four bombings that day") does not keep a claim from the incident.
        inside = [
            i
            for i, inc in enumerate(incidents)
            if inc.kind == "incident" and any(c is clause for c in inc.clauses)
        ]
        covered = inside or [
            i for i, inc in enumerate(incidents) if previous < inc.first.index < clause.index
        ]
        if not covered:
            covered = [i for i, inc in enumerate(incidents) if inc.first.index > clause.index][:1]
        for i in covered:
            held = owners[i]
            if held is None or (held.attribution.suspected and not best.attribution.suspected):
                owners[i] = best
        previous = clause.index
    return owners


def find_sides(
    incident: Incident,
    dictionary: ActorDictionary,
    article_country: str | None,
    attributed: Attributed | None,
) -> Sides:
    """The attacker and the side hit, never one actor on both sides."""
    who = Sides(_assign_roles(incident), None, None)
    by_attribution = _attacker(who, attributed)
    _side_hit(who, incident, dictionary, article_country, by_attribution=by_attribution)
    if who.actor1 is not None and who.actor1 == who.actor2 and not _infighting(who, dictionary):
        _one_side(who, by_attribution=by_attribution)
    return who


def _infighting(who: Sides, dictionary: ActorDictionary) -> bool:
    """Whether the two sides are different members of one coalition."""
    attacker, hit = who.actor1_cite, who.actor2_cite
    if attacker is None or hit is None:
        return False
    own = dictionary.member(attacker[0].text[attacker[1] : attacker[2]])
    rival = dictionary.member(hit[0].text[hit[1] : hit[2]])
    return own is not None and rival is not None and own != rival


def _attacker(who: Sides, attributed: Attributed | None) -> bool:
    """The attacker the roles give; a claim or attribution names the one the incident's own
    words leave unnamed, give only a role noun for, or hint at only by word order. True when
    the attribution named it."""
    roles = who.roles
    if roles.actor1 is not None:
        who.actor1, who.suspected = roles.actor1.name, roles.actor1.suspected
        if roles.actor1_clause is not None:
            who.actor1_cite = (roles.actor1_clause, roles.actor1.start, roles.actor1.end)
    if attributed is None or not (
        roles.actor1 is None or roles.actor1.generic or roles.actor1_guessed
    ):
        return False
    claim = attributed.attribution
    who.actor1, who.suspected = claim.actor, claim.suspected
    who.actor1_cite = (attributed.clause, claim.start, claim.end)
    return True


def _side_hit(
    who: Sides,
    incident: Incident,
    dictionary: ActorDictionary,
    article_country: str | None,
    *,
    by_attribution: bool,
) -> None:
    """The side the roles name as hit (never the attributed attacker: "members of X were
    arrested"); else a rival member of the attacker's coalition; else the side whose dead the
    toll counts ("seven civilians were killed"); else the other armed actor the incident names."""
    roles, killed = who.roles, incident.main_count("killed")
    if roles.actor2 is not None and not (by_attribution and roles.actor2.name == who.actor1):
        who.actor2 = roles.actor2.name
        if roles.actor2_clause is not None:
            who.actor2_cite = (roles.actor2_clause, roles.actor2.start, roles.actor2.end)
    elif who.actor1 is not None:
        _rival_member(who, incident, dictionary)
    if who.actor2 is None and killed is not None:
        side = max(killed.by_side().items(), key=lambda kv: kv[1], default=("unknown", 0))[0]
        if side == "civilians":
            who.actor2 = dictionary.canonical("Civilians")
        elif side == "state_forces":
            who.actor2 = _state_forces_name(article_country, dictionary)
        if who.actor2:
            who.actor2_cite = (incident.clause_of(killed), killed.start, killed.end)
    if who.actor2 is None and who.actor1 is not None:
        _other_named_side(who)


def _rival_member(who: Sides, incident: Incident, dictionary: ActorDictionary) -> None:
    """Infighting in a coalition ("clashes between Hamza Division and Sultan Murad Division"):
    another named member of the attacker's coalition is the side hit, under the same name."""
    attacker = who.roles.actor1
    own = dictionary.member(attacker.text) if attacker is not None else None
    if own is None:
        return
    for clause in incident.clauses:
        for mention in clause.actors:
            if mention.name != who.actor1 or mention.generic:
                continue
            rival = dictionary.member(mention.text)
            if rival is not None and rival != own:
                who.actor2, who.actor2_cite = mention.name, (clause, mention.start, mention.end)
                return


def _other_named_side(who: Sides) -> None:
    """With the attacker known and no side named as hit, the other armed actor the incident
    names is the side hit: "Turkish jets struck HPG areas, the HPG reported", "an IED planted
    in an SDF vehicle"."""
    for mention, clause in who.roles.unplaced:
        if mention.name != who.actor1 and mention.inter not in ("Civilians", None):
            who.actor2, who.actor2_cite = mention.name, (clause, mention.start, mention.end)
            return


def _one_side(who: Sides, *, by_attribution: bool) -> None:
    """One actor never stands on both sides: a claim or attribution keeps it the attacker; else
    the side whose dead are counted keeps it as the target, and the attacker is left unnamed."""
    if by_attribution:
        who.actor2, who.actor2_cite = None, None
    else:
        who.actor1, who.actor1_cite, who.suspected = None, None, False
