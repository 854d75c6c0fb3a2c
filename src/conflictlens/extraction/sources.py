"""Cited sources: who a sentence attributes its facts to, claims of responsibility, and outlet lines.

A source counts only when it stands with an attribution cue in the same sentence ("X said",
"according to X", "told X"); a bare mention of an outlet is not a citation. The knowledge (source
names, cue words, outlet-line patterns) lives in data/sources.yaml.
"""

from __future__ import annotations

import re
from collections.abc import Mapping
from dataclasses import dataclass
from functools import cache
from importlib import resources
from typing import Any

import yaml

from conflictlens.extraction.actors import (
    ActorDictionary,
    ActorMention,
    PhraseIndex,
    Token,
    tokenize,
)
from conflictlens.extraction.people import PersonWords

SOURCE_TYPES = ("monitor", "state media", "news agency", "propaganda", "official", "local")
CUE_KINDS = (
    "after",
    "before",
    "told",
    "affiliation",
    "claim",
    "claim_by",
    "claim_negation",
    "blame",
    "blame_subject",
    "self_report",
)
# How far a cue may stand from the source it attributes, in tokens.
_AFTER_WINDOW = 8
_BEFORE_GAP = 2
_NEGATION_WINDOW = 4
# How far the actor others blame may stand from the words that blame it, in tokens.
_BLAME_GAP = 2
_BLAME_SUBJECT_WINDOW = 6
# Words that may stand between "suspected" and the actor suspected: "suspected that the IS".
_BLAME_FILLERS = frozenset({"the", "a", "an", "that", "members", "of"})
_DETERMINERS = frozenset({"the", "a", "an", "its", "their"})
# A verb after the source still attributes it across an appositive ("X, a monitor, said"), not
# across the end of a clause.
_CLAUSE_BREAKS = frozenset({".", ";", ":", "?", "!", "“", "”", '"'})
# How long an appositive may be between a person and the verb: "Tariq Hayat, the senior
# administrator of the tribal region, told the AP".
_APPOSITIVE_WINDOW = 14
_MAX_OUTLET_WORDS = 6
_MAX_OUTLET_CHARS = 60


@dataclass(frozen=True)
class SourceMention:
    start: int  # char offsets into the sentence passed to find_sources()
    end: int
    text: str
    name: str  # canonical source name; for an actor's own claim, the actor's canonical name
    is_claim: bool  # a claim of responsibility (Amaq claimed, "X claimed responsibility")
    claimant: str | None  # canonical ACTOR name that claims (for claims), via ActorDictionary


@dataclass(frozen=True)
class Attribution:
    """Who a sentence says carried out an attack: a group's own claim, or others' word for it
    (officials blamed it, sources suspected it, members were arrested and admitted it)."""

    start: int  # char offsets of the actor's mention in the sentence
    end: int
    text: str
    actor: str  # canonical actor name
    suspected: bool  # others' attribution, not the group's own claim


@dataclass(frozen=True)
class SourceInfo:
    name: str
    type: str
    speaks_for: str | None  # the actor whose voice it is: its reports are that actor's claims
    aliases: tuple[str, ...]


@dataclass(frozen=True)
class _Span:
    start: int  # token indices
    end: int


class SourceDictionary:
    """Canonical cited sources, attribution cues and outlet-line patterns."""

    def __init__(self, data: Mapping[str, Any], actors: ActorDictionary) -> None:
        self._actors = actors
        self._sources: dict[str, SourceInfo] = {}
        self._names: PhraseIndex[str] = PhraseIndex()
        for entry in data["sources"]:
            info = self._source_info(entry)
            self._sources[info.name] = info
            for alias in info.aliases:
                self._names.add(alias, info.name)
                # "The Syrian Observatory for Human Rights" must not stop at "the Syrian Observatory".
                if alias.split()[0].casefold() not in _DETERMINERS:
                    self._names.add(f"the {alias}", info.name)
        self._outlets: PhraseIndex[str] = PhraseIndex()
        for entry in data["outlets"]:
            for alias in (entry["name"], *entry["aliases"]):
                self._outlets.add(alias, entry["name"])
        self._outlet_lines = [re.compile(p, re.IGNORECASE) for p in data["outlet_lines"]]
        self._organisation = _organisation_pattern(data["organisation_words"])
        self._people = PersonWords.from_data(data["people"])
        self._cues: PhraseIndex[str] = PhraseIndex()
        for kind, phrases in data["attribution"].items():
            if kind not in CUE_KINDS:
                raise ValueError(f"unknown attribution cue kind {kind!r}")
            for phrase in phrases:
                self._cues.add(phrase, kind)

    def _source_info(self, entry: Mapping[str, Any]) -> SourceInfo:
        name, source_type = entry["name"], entry["type"]
        if source_type not in SOURCE_TYPES:
            raise ValueError(f"{name}: unknown source type {source_type!r}")
        speaks_for = entry.get("speaks_for")
        if speaks_for is not None and self._actors.canonical(speaks_for) != speaks_for:
            raise ValueError(f"{name}: speaks_for {speaks_for!r} is not a canonical actor")
        return SourceInfo(name, source_type, speaks_for, tuple(entry.get("aliases") or ()))

    @classmethod
    def default(cls) -> SourceDictionary:
        """The dictionary shipped in data/sources.yaml, loaded once."""
        return _default_dictionary()

    def info(self, name: str) -> SourceInfo | None:
        return self._sources.get(name)

    # ------------------------------------------------------------------ attributions

    def find(self, sentence: str) -> list[SourceMention]:
        tokens = tokenize(sentence)
        cues = self._cue_spans(tokens)
        any_verb = any(kind in cues for kind in ("after", "before", "told", "claim"))
        # (cue, whether the claimant follows it: "claimed by IS")
        claims = [
            (cue, kind == "claim_by")
            for kind in ("claim", "claim_by")
            for cue in cues.get(kind, [])
            if not self._negated(cue, cues)
        ]
        # The actor finder is costly: only a claim of responsibility needs to know who claims.
        actors = (
            [m for m in self._actors.find(sentence) if m.name and not m.generic] if claims else []
        )

        mentions: list[SourceMention] = []
        for start, end, names in self._names.scan(tokens):
            span = _Span(start, end)
            attributed = self._attributed(tokens, span, cues) or (
                any_verb and self._cue_ends_before(tokens, cues.get("affiliation", []), span)
            )
            if not attributed:
                continue
            info = self._sources[names[0]]
            claimant = None
            if info.speaks_for:  # "Amaq reported": the group speaking through its outlet
                subject = self._claimant(tokens, *claims[0], actors) if claims else None
                claimant = subject.name if subject and subject.name else info.speaks_for
            mentions.append(self._mention(sentence, tokens, span, info.name, claimant))

        mentions.extend(self._named_organisations(sentence, tokens, cues, mentions))
        mentions.extend(self._named_people(sentence, tokens, cues, mentions))
        if not any(m.is_claim for m in mentions):
            mentions.extend(self._actor_claims(tokens, claims, actors))
        return sorted(mentions, key=lambda m: m.start)

    def _named_organisations(
        self,
        sentence: str,
        tokens: list[Token],
        cues: dict[str, list[_Span]],
        known: list[SourceMention],
    ) -> list[SourceMention]:
        """Organisations the dictionary does not list, cited by their own name ("according to
        the Institute for Peace and Conflict Studies"): kept under that name."""
        found = []
        for match in self._organisation.finditer(sentence):
            start, end = match.span("name")
            if any(m.start < end and start < m.end for m in known):
                continue
            # Attributed as a whole: "according to the Abuja-based Institute ..."
            covered = [i for i, t in enumerate(tokens) if match.start() <= t.start and t.end <= end]
            if covered and self._attributed(tokens, _Span(covered[0], covered[-1] + 1), cues):
                found.append(SourceMention(start, end, match["name"], match["name"], False, None))
        return found

    def _named_people(
        self,
        sentence: str,
        tokens: list[Token],
        cues: dict[str, list[_Span]],
        known: list[SourceMention],
    ) -> list[SourceMention]:
        """People the sentence quotes by name ("said Tariq Hayat Khan, the region's top
        administrator"), kept under the name as written. A listed source, an outlet or an armed
        group's name is not a person, and a person speaking for a listed source ("Rami Abdel
        Rahman, head of the Observatory", "Observatory chief Rami Abdel Rahman") is that source's
        voice, cited under its name."""
        if not any(kind in cues for kind in ("after", "before", "told")):
            return []
        listed = [(s, e) for s, e, _ in self._names.scan(tokens)]
        affiliations = cues.get("affiliation", [])
        if any(self._cue_ends_before(tokens, affiliations, _Span(*span)) for span in listed):
            return []
        listed += [(s, e) for s, e, _ in self._outlets.scan(tokens)]
        known_ends = {m.end for m in known}
        source_ends = {e for _, e in listed} | {
            k + 1 for k, t in enumerate(tokens) if t.end in known_ends
        }
        actors: list[ActorMention] | None = None
        found = []
        for start, end in self._people.name_spans(tokens):
            span = _Span(start, end)
            if (
                any(s < end and start < e for s, e in listed)
                or self._people.voice_of(tokens, start, source_ends)
                # "locals told Myanmar Now": who was told is an outlet, not a speaker.
                or self._cue_ends_before(tokens, cues.get("told", []), span)
                or not (
                    self._attributed(tokens, span, cues)
                    or _speaks_after_appositive(tokens, span, cues)
                )
            ):
                continue
            char_start, char_end = tokens[start].start, tokens[end - 1].end
            if actors is None:
                actors = self._actors.find(sentence)
            if any(m.start < char_end and char_start < m.end for m in [*known, *actors]):
                continue
            name = " ".join(sentence[char_start:char_end].split())
            found.append(SourceMention(char_start, char_end, name, name, False, None))
        return found

    def _cue_spans(self, tokens: list[Token]) -> dict[str, list[_Span]]:
        spans: dict[str, list[_Span]] = {}
        for start, end, kinds in self._cues.scan(tokens):
            for kind in kinds:
                spans.setdefault(kind, []).append(_Span(start, end))
        return spans

    def _attributed(self, tokens: list[Token], span: _Span, cues: dict[str, list[_Span]]) -> bool:
        if self._cue_ends_before(tokens, cues.get("told", []), span):
            return True
        for cue in cues.get("before", []):
            gap = tokens[cue.end : span.start]
            if (
                cue.end <= span.start
                and len(gap) <= _BEFORE_GAP
                and all(t.text.isalnum() for t in gap)
            ):
                return True
        # "X told Y", "X claimed responsibility": the speaker before these is a source too.
        for cue in cues.get("after", []) + cues.get("told", []) + cues.get("claim", []):
            between = tokens[span.end : cue.start]
            if span.end <= cue.start <= span.end + _AFTER_WINDOW and not any(
                t.text in _CLAUSE_BREAKS for t in between
            ):
                return True
        return False

    @staticmethod
    def _cue_ends_before(tokens: list[Token], cues: list[_Span], span: _Span) -> bool:
        """A cue right before the source, only determiners between: "told the VOA"."""
        return any(
            cue.end <= span.start
            and all(t.folded in _DETERMINERS for t in tokens[cue.end : span.start])
            for cue in cues
        )

    @staticmethod
    def _negated(claim: _Span, cues: dict[str, list[_Span]]) -> bool:
        return any(
            claim.start - _NEGATION_WINDOW <= negation.start < claim.start
            for negation in cues.get("claim_negation", [])
        )

    @staticmethod
    def _claimant(
        tokens: list[Token], claim: _Span, claimant_follows: bool, actors: list[ActorMention]
    ) -> ActorMention | None:
        """The actor that claims: the last named actor before "claimed responsibility", or the
        first after "claimed by"."""
        if claimant_follows:
            claim_end = tokens[claim.end - 1].end
            return next((a for a in actors if a.start >= claim_end), None)
        claim_start = tokens[claim.start].start
        before = [a for a in actors if a.end <= claim_start]
        # "X and Y claimed responsibility": the first of the joint claimants leads.
        while len(before) > 1 and _only_joiners(tokens, before[-2].end, before[-1].start):
            before.pop()
        return before[-1] if before else None

    def _actor_claims(
        self, tokens: list[Token], claims: list[tuple[_Span, bool]], actors: list[ActorMention]
    ) -> list[SourceMention]:
        found: dict[tuple[int, int], SourceMention] = {}
        for claim, claimant_follows in claims:
            actor = self._claimant(tokens, claim, claimant_follows, actors)
            if actor is not None and actor.name is not None:
                found[(actor.start, actor.end)] = SourceMention(
                    actor.start, actor.end, actor.text, actor.name, True, actor.name
                )
        return list(found.values())

    @staticmethod
    def _mention(
        sentence: str, tokens: list[Token], span: _Span, name: str, claimant: str | None
    ) -> SourceMention:
        start, end = tokens[span.start].start, tokens[span.end - 1].end
        return SourceMention(start, end, sentence[start:end], name, claimant is not None, claimant)

    # ------------------------------------------------------------------ responsibility

    def self_report(self, sentence: str) -> tuple[int, int] | None:
        """The span of a cue that the acting side itself reported the attack, if any."""
        tokens = tokenize(sentence)
        cues = self._cue_spans(tokens)
        cue = next(iter(cues.get("self_report", [])), None)
        if cue is None or self._negated(cue, cues):
            return None
        return tokens[cue.start].start, tokens[cue.end - 1].end

    def attributions(self, sentence: str) -> list[Attribution]:
        """The actors a sentence says carried out an attack: claimants of a claim of
        responsibility, and the actors others blame for it (suspected)."""
        tokens = tokenize(sentence)
        cues = self._cue_spans(tokens)
        live = {
            kind: [cue for cue in cues.get(kind, []) if not self._negated(cue, cues)]
            for kind in ("claim", "claim_by", "blame", "blame_subject")
        }
        if not any(live.values()):
            return []
        actors = [m for m in self._actors.find(sentence) if m.name and not m.generic]
        found: list[Attribution] = []
        for kind in ("claim", "claim_by"):
            for cue in live[kind]:
                actor = self._claimant(tokens, cue, kind == "claim_by", actors)
                if actor is not None:
                    found.append(_attribution(actor, suspected=False))
        # Others blame a country for its forces' acts: "attributed the strikes to Turkey".
        blamable = actors + self._actors.countries_as_forces(sentence) if live["blame"] else []
        for cue in live["blame"]:
            actor = self._blamed_after(tokens, cue, blamable)
            if actor is not None:
                found.append(_attribution(actor, suspected=True))
        for cue in live["blame_subject"]:
            actor = self._blamed_before(tokens, cue, actors)
            if actor is not None:
                found.append(_attribution(actor, suspected=True))
        return found

    @staticmethod
    def _blamed_after(
        tokens: list[Token], cue: _Span, actors: list[ActorMention]
    ) -> ActorMention | None:
        """ "attributed the attack to the IS", "suspected that IS": the actor right after."""
        if cue.end >= len(tokens):
            return None
        for gap in range(_BLAME_GAP + 1):
            i = cue.end + gap
            if i >= len(tokens):
                return None
            # The mention may start at the cue itself: "suspected X" reads as a suspected actor.
            actor = next((a for a in actors if a.start <= tokens[i].start < a.end), None)
            if actor is not None:
                return actor
            if tokens[i].folded not in _BLAME_FILLERS:
                return None
        return None

    @staticmethod
    def _blamed_before(
        tokens: list[Token], cue: _Span, actors: list[ActorMention]
    ) -> ActorMention | None:
        """ "IS was behind the attack", "members of IS were arrested and admitted carrying out
        the attack": the last actor shortly before, in the same clause."""
        cue_start = tokens[cue.start].start
        for actor in reversed(actors):
            if actor.end > cue_start:
                continue
            between = [t for t in tokens[: cue.start] if t.start >= actor.end]
            if len(between) <= _BLAME_SUBJECT_WINDOW and not any(
                t.text in _CLAUSE_BREAKS or t.text == "," for t in between
            ):
                return actor
            return None
        return None

    # ------------------------------------------------------------------ outlets

    def outlet_line(self, text: str) -> str | None:
        for line in text.splitlines():
            for pattern in self._outlet_lines:
                match = pattern.search(line)
                if match:
                    outlet = self._outlet_name(match.group("name"))
                    if outlet:
                        return outlet
        return None

    def _outlet_name(self, raw: str) -> str | None:
        raw = " ".join(raw.split()).strip(" .,;:-–—")
        if not raw or len(raw) > _MAX_OUTLET_CHARS or len(raw.split()) > _MAX_OUTLET_WORDS:
            return None
        tokens = tokenize(raw)
        known = self._outlets.full_match(tokens) or self._names.full_match(tokens)
        return known[0] if known else raw


def _organisation_pattern(words: list[str]) -> re.Pattern[str]:
    """A capitalised name holding an organisation word, with its lower-case joiners ("for",
    "of", "and"); a "Lagos-based" or "the" before it is not part of the name."""
    capitalised = r"(?!The\b)[A-Z][\w'’&-]*"
    joiners = r"(?:(?:for|of|on|and|the|in)\s+)*"
    head = "|".join(map(re.escape, words))
    return re.compile(
        rf"(?:\b[A-Z][\w-]*-based\s+)?(?P<name>(?:(?!\w+-based\b){capitalised}\s+{joiners})*?"
        rf"(?:{head})\b(?:\s+{joiners}{capitalised})*)"
    )


def _speaks_after_appositive(
    tokens: list[Token], span: _Span, cues: dict[str, list[_Span]]
) -> bool:
    """A verb right after an appositive set off by commas, longer than the usual window: "Tariq
    Hayat, the senior administrator of the tribal region, told the AP"."""
    if span.end >= len(tokens) or tokens[span.end].text != ",":
        return False
    for k in range(span.end + 1, min(len(tokens), span.end + 1 + _APPOSITIVE_WINDOW)):
        if tokens[k].text in _CLAUSE_BREAKS:
            return False
        if tokens[k].text == ",":
            verbs = cues.get("after", []) + cues.get("told", [])
            return any(cue.start == k + 1 for cue in verbs)
    return False


def _only_joiners(tokens: list[Token], start: int, end: int) -> bool:
    """Only "and" or a comma between two character offsets: two names in one subject."""
    between = [t.folded for t in tokens if start <= t.start < end]
    return bool(between) and all(t in ("and", ",", "&") for t in between)


def _attribution(actor: ActorMention, *, suspected: bool) -> Attribution:
    assert actor.name is not None
    return Attribution(actor.start, actor.end, actor.text, actor.name, suspected)


@cache
def _default_dictionary() -> SourceDictionary:
    text = resources.files("conflictlens.data").joinpath("sources.yaml").read_text("utf-8")
    return SourceDictionary(yaml.safe_load(text), ActorDictionary.default())


def find_sources(sentence: str) -> list[SourceMention]:
    """Sources the sentence attributes something to, with claims of responsibility."""
    return SourceDictionary.default().find(sentence)


def find_self_report(sentence: str) -> tuple[int, int] | None:
    """Where the sentence says the side that acted reported it ("..., the group said"), if it does."""
    return SourceDictionary.default().self_report(sentence)


def find_attributions(sentence: str) -> list[Attribution]:
    """Who the sentence says carried out an attack: claimants, and actors others blame."""
    return SourceDictionary.default().attributions(sentence)


def find_outlet_line(text: str) -> str | None:
    """The publisher named by a line such as "Source: Rudaw" or "This story originated in the
    VOA's Kurdish service", normalised to a known outlet or source name when there is one."""
    return SourceDictionary.default().outlet_line(text)
