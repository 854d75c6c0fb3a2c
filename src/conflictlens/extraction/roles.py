"""Who acted and who was hit, from the dependency parse of a clause (not from word order).

"Seven soldiers were killed by IS" and "IS killed seven soldiers" give the same roles: the agent of a
passive verb and the subject of an active attack verb are the attacker; the passive subject, the
object, and the complement of "on/against/targeting" are the target. Nested nouns take the role of
the noun they belong to ("members of the NDF", "IS landmines", "an attack by suspected IS fighters").
"""

from __future__ import annotations

import re
from collections.abc import Sequence
from typing import Literal

from spacy.tokens import Doc, Span, Token

from conflictlens.nlp import parser

Role = Literal["attacker", "target", "opponent"]

# Verbs whose subject acts against their object.
_ACT_VERBS = frozenset(
    "kill attack ambush target shell strike hit raid storm launch carry execute behead abduct kidnap "
    "wound injure bomb detonate plant fire shoot gun capture seize overrun arrest detain claim torch "
    "burn loot assault besiege clash fight engage open blow massacre slaughter down ambush overrun "
    "behead conduct perform mount stage wage assassinate destroy neutralise neutralize".split()
)
# Verbs whose subject defends: "soldiers repelled an IS attack" - the attack's author acted first.
_DEFENCE_VERBS = frozenset("repel repulse foil thwart intercept defend counter".split())
# Verbs whose subject suffers: "soldiers died", "troops came under attack", "the patrol was hit".
_SUFFER_VERBS = frozenset("die perish lose come suffer sustain".split())
# Nouns of an act: their "by" complement is the attacker, their "on/against" complement the target.
_ACT_NOUNS = frozenset(
    "attack ambush assault raid strike airstrike bombing shelling offensive operation explosion blast "
    "landmine mine bomb ied clash clashes fighting battle killing massacre execution abduction kidnapping "
    "arrest targeting fire".split()
)
# Nouns of what strikes: "Israeli airstrikes were reported", "killed by Turkish drones".
_WEAPON_NOUNS = frozenset(
    "airstrike strike warplane jet plane aircraft helicopter drone artillery bombardment".split()
)
_TARGET_PREPS = frozenset(("on", "against", "targeting", "at", "upon"))
_OPPONENT_PREPS = frozenset(("with", "between"))


# The parser reads the acronym "IS" as the verb "is" ("IS militants attacked" -> "IS" the root).
# A same-length stand-in it reads as a name keeps every character offset valid.
_MISREAD_ACRONYMS = re.compile(r"\bIS\b")
_ACRONYM_STAND_IN = "IZ"


def parse_clauses(texts: Sequence[str]) -> list[Doc]:
    """Parse many clauses in one batch (the costly step: only for clauses that name actors)."""
    return list(parser().pipe(_MISREAD_ACRONYMS.sub(_ACRONYM_STAND_IN, t) for t in texts))


def role_of(doc: Doc, start: int, end: int) -> Role | None:
    """The role of the words at character offsets [start, end) of the clause `doc`."""
    span = doc.char_span(start, end, alignment_mode="expand")
    if span is None or len(span) == 0:
        return None
    head = _span_head(span)
    # A mention that names the act or the weapon itself ("Israeli airstrikes", "Turkish drones")
    # is the side that struck, unless something acted on it ("air defences downed Turkish drones").
    if head.lemma_.lower() in _ACT_NOUNS | _WEAPON_NOUNS and head.dep_ not in ("dobj", "obj"):
        return "attacker"
    return _role_of_token(head, depth=0)


def _span_head(span: Span) -> Token:
    """The mention's own head: the token whose parent lies outside the mention."""
    for token in span:
        if token.head.i < span.start or token.head.i >= span.end or token.head == token:
            return token
    return span.root


def _role_of_token(token: Token, depth: int) -> Role | None:
    if depth > 4:
        return None
    dep, head = token.dep_, token.head
    lemma = head.lemma_.lower()
    if dep == "nsubjpass":
        return "target"
    if dep in ("nsubj", "csubj"):
        if lemma in _SUFFER_VERBS or _is_passive(head):
            return "target"
        if lemma in _DEFENCE_VERBS:
            return "opponent"
        if lemma in _ACT_VERBS:
            return "attacker"
        return None  # "officials said", "the group operates": no part in the act
    if dep in ("dobj", "obj") and lemma in _ACT_VERBS:
        return "target"
    if dep == "pobj":
        prep = head
        prep_word = prep.lower_
        governor = prep.head
        if prep.dep_ == "agent" or prep_word == "by":
            return "attacker"
        if prep_word in _TARGET_PREPS and (governor.lemma_.lower() in _ACT_NOUNS | _ACT_VERBS):
            return "target"
        if prep_word in _OPPONENT_PREPS and governor.lemma_.lower() in _ACT_NOUNS | _ACT_VERBS:
            return "opponent"
        if prep_word == "between":  # "clashes took place between X and Y"
            return "opponent"
        if prep_word == "to" and governor.lemma_.lower() == "belong" and governor.head != governor:
            # "a depot belonging to X" is hit as the depot is; "gunmen belonging to X" act as they do.
            return _role_of_token(governor.head, depth + 1)
        if prep_word == "of":
            # "members of the NDF" -> the role of "members"; "an attack of IS" is rare in news.
            if governor.lemma_.lower() in _ACT_NOUNS:
                return "attacker"
            return _role_of_token(governor, depth + 1)
        if prep_word == "from" and governor.lemma_.lower() in (
            "soldier",
            "troop",
            "fighter",
            "member",
            "officer",
        ):
            return _role_of_token(governor, depth + 1)
    if dep in ("compound", "poss", "amod", "nmod") and head.pos_ in ("NOUN", "PROPN"):
        # "IS landmines", "Islamic State's attack" -> the actor did it; "IS fighters" -> as the fighters.
        if head.lemma_.lower() in _ACT_NOUNS:
            return "attacker"
        return _role_of_token(head, depth + 1)
    if dep in ("appos", "conj") and head != token:
        return _role_of_token(head, depth + 1)
    return None


def _is_passive(verb: Token) -> bool:
    return any(child.dep_ in ("auxpass", "nsubjpass") for child in verb.children)
