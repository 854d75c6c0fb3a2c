"""Actor dictionary and matcher: canonical actor names, their aliases and the role nouns that name a side.

The knowledge lives in data/actors.yaml; this module compiles it into token tries and finds mentions
without spaCy. Matching is token by token (intra-word hyphens and apostrophes are ignored) and
case-aware: a phrase token written in capitals ("IS", "SDF") matches only in capitals, so "is" and
"state" never become Islamic State; other tokens match whatever their case or accents.
"""

from __future__ import annotations

import re
import unicodedata
from collections.abc import Iterator, Mapping
from dataclasses import dataclass, field
from functools import cache, lru_cache
from importlib import resources
from typing import Any, Generic, TypeVar

import yaml

INTER_TYPES = (
    "State forces",
    "Rebel group",
    "Political militia",
    "Identity militia",
    "Rioters",
    "Protesters",
    "Civilians",
    "External/Other forces",
)
STATE_FORCES = "State forces"
EXTERNAL_FORCES = "External/Other forces"
ROLES = ("state_forces", "police", "civilians", "armed_group", "protesters", "rioters")
ADJECTIVE_USES = ("allowed", "required", "never")

T = TypeVar("T")

_TOKEN = re.compile(r"\w+|[^\w\s]")
# Characters that join two words into one ("al-Quds", "Hay'at"): dropped, so spellings with and
# without them match each other.
_JOINERS = frozenset("-'’‐‑")
_APOSTROPHES = str.maketrans({"’": "'", "‘": "'"})
# A line this upper-case is a headline in capitals, where "IS" may be the verb "is".
_SHOUTING_RATIO = 0.8
_SHOUTING_MIN_LETTERS = 8
_SHORT_ACRONYM = 2
_MAX_EXTENSIONS = 3
# ACLED's composed names: "Military Forces of Syria (2000-) Prison Guards", "Civilians (Syria)".
_QUALIFIED = re.compile(r"^(?P<base>.+?)\s*\((?P<qualifier>[^()]*)\)\s*(?P<rest>.*)$")
_YEARS = re.compile(r"^\d{4}\s*-\s*(?:\d{4})?$")
_ABBREVIATED = re.compile(r"^(?P<abbr>[^:]{1,12}):\s+(?P<name>.+)$")  # "PKK: Kurdistan ..."
_REGIONAL = re.compile(r"^(?P<base>.+?)\s+[-–]\s+[^-–]+$")  # "Hamza Division - Aleppo"


@dataclass(frozen=True)
class Token:
    start: int
    end: int
    text: str  # as written, apostrophes unified
    folded: str  # case- and accent-free
    joined: bool  # attached to the previous word by a hyphen or apostrophe
    shouting: bool  # on a line written in capitals


def fold(text: str) -> str:
    """The case- and accent-free form used to compare words."""
    decomposed = unicodedata.normalize("NFKD", text)
    return "".join(c for c in decomposed if not unicodedata.combining(c)).casefold()


def _shouting_lines(text: str) -> list[tuple[int, bool]]:
    """(end offset, is shouting) for each line."""
    lines = []
    offset = 0
    for line in text.splitlines(keepends=True):
        letters = [c for c in line if c.isalpha()]
        upper = sum(c.isupper() for c in letters)
        shouting = len(letters) >= _SHOUTING_MIN_LETTERS and upper >= _SHOUTING_RATIO * len(letters)
        offset += len(line)
        lines.append((offset, shouting))
    return lines


def tokenize(text: str) -> list[Token]:
    """Words and punctuation with character offsets; joiners inside words are dropped."""
    return list(_tokens(text))


@lru_cache(maxsize=2048)
def _tokens(text: str) -> tuple[Token, ...]:
    """Cached: the source, claim and actor finders all read the same clause."""
    lines = _shouting_lines(text)
    line_index = 0
    tokens: list[Token] = []
    joined = False
    for match in _TOKEN.finditer(text):
        piece = match.group()
        if piece in _JOINERS:
            previous_end = tokens[-1].end if tokens else -1
            follows_word = previous_end == match.start() and tokens[-1].text[-1:].isalnum()
            next_char = text[match.end() : match.end() + 1]
            if follows_word and next_char.isalnum():
                joined = True
                continue
        while line_index < len(lines) - 1 and match.start() >= lines[line_index][0]:
            line_index += 1
        written = piece.translate(_APOSTROPHES)
        shouting = bool(lines) and lines[line_index][1]
        tokens.append(Token(match.start(), match.end(), written, fold(written), joined, shouting))
        joined = False
    return tuple(tokens)


def _is_acronym(word: str) -> bool:
    return len(word) >= 2 and word.isalpha() and word.isupper()


@dataclass
class _Node(Generic[T]):
    exact: dict[str, _Node[T]] = field(default_factory=dict)  # acronyms: case matters
    folded: dict[str, _Node[T]] = field(default_factory=dict)
    values: list[T] = field(default_factory=list)


class PhraseIndex(Generic[T]):
    """A trie over tokens: finds every phrase that starts at a token, case-aware."""

    def __init__(self) -> None:
        self._root: _Node[T] = _Node()

    def add(self, phrase: str, value: T) -> None:
        if not isinstance(phrase, str):  # YAML reads a bare `no` or `on` as a boolean
            raise TypeError(f"phrase must be text, not {phrase!r}")
        node = self._root
        for token in tokenize(phrase):
            if _is_acronym(token.text):
                node = node.exact.setdefault(token.text, _Node())
            else:
                node = node.folded.setdefault(token.folded, _Node())
        if node is self._root:
            raise ValueError(f"empty phrase: {phrase!r}")
        if value not in node.values:
            node.values.append(value)

    def matches_at(self, tokens: list[Token], start: int) -> Iterator[tuple[int, list[T]]]:
        """(end token index, values) for every phrase that starts at `start`."""
        frontier = [(self._root, start)]
        while frontier:
            node, i = frontier.pop()
            if node.values and i > start:
                yield i, node.values
            if i >= len(tokens):
                continue
            token = tokens[i]
            exact = node.exact.get(token.text)
            if exact and not (token.shouting and len(token.text) <= _SHORT_ACRONYM):
                frontier.append((exact, i + 1))
            folded = node.folded.get(token.folded)
            if folded:
                frontier.append((folded, i + 1))

    def longest_at(self, tokens: list[Token], start: int) -> tuple[int, list[T]] | None:
        return max(self.matches_at(tokens, start), key=lambda m: m[0], default=None)

    def full_match(self, tokens: list[Token]) -> list[T]:
        """Values of the phrase that spans all of `tokens`."""
        return next((v for end, v in self.matches_at(tokens, 0) if end == len(tokens)), [])

    def scan(self, tokens: list[Token]) -> list[tuple[int, int, list[T]]]:
        """Non-overlapping leftmost-longest matches: (start, end, values) in token indices."""
        found = []
        i = 0
        while i < len(tokens):
            longest = self.longest_at(tokens, i)
            if longest is None:
                i += 1
                continue
            found.append((i, longest[0], longest[1]))
            i = longest[0]
        return found


@dataclass(frozen=True)
class ActorMention:
    start: int  # char offsets into the text passed to find()
    end: int
    text: str
    name: str | None  # canonical name; None for a generic mention not yet resolved
    inter: str | None
    country: str | None
    suspected: bool  # "suspected IS fighters", "believed to be", "alleged"
    generic: bool  # matched by a role noun/pattern ("gunmen", "soldiers"), not a proper name
    role: str | None  # one of ROLES for generic mentions; None for named actors


@dataclass(frozen=True)
class ActorInfo:
    name: str
    inter: str
    country: str | None
    acled_name: str | None  # may hold "{country}": see ActorDictionary.acled_name
    aliases: tuple[str, ...]  # every name that maps to the actor: aliases, members, local aliases
    assoc: tuple[str, ...] = ()  # actors it typically fights alongside
    de_facto_authority: bool = False  # a non-state group that polices the land it holds


@dataclass(frozen=True)
class Country:
    code: str
    name: str  # as in actor names: "Syria", "the United States"


@dataclass(frozen=True)
class _Alias:
    actor: str
    local: bool  # only in articles about the actor's own country


@dataclass(frozen=True)
class _RoleRule:
    role: str
    target: str | tuple[tuple[str, str], ...] | None  # actor, "{country}" template, or country map
    inter: str | None
    adjective: str  # "allowed" | "required" | "never"


@dataclass(frozen=True)
class _Candidate:
    start: int  # token indices
    end: int
    name: str | None
    inter: str | None
    country: str | None
    role: str | None


class ActorDictionary:
    """Canonical actors with their aliases, and a matcher for actor mentions in text."""

    def __init__(self, data: Mapping[str, Any]) -> None:
        self._countries: dict[str, Country] = {}
        self._adjectives: PhraseIndex[str] = PhraseIndex()
        self._country_names: dict[str, str] = {}
        self._country_phrases: PhraseIndex[str] = PhraseIndex()
        for code, entry in data["countries"].items():
            self._countries[code] = Country(code, entry["name"])
            self._country_names[fold(entry["name"].removeprefix("the "))] = code
            self._country_phrases.add(entry["name"].removeprefix("the "), code)
            for adjective in entry["adjectives"]:
                self._adjectives.add(adjective, code)

        self._actors: dict[str, ActorInfo] = {}
        self._names: PhraseIndex[_Alias] = PhraseIndex()  # what find() matches in text
        self._lookup: PhraseIndex[_Alias] = PhraseIndex()  # what canonical() accepts
        self._members: PhraseIndex[str] = PhraseIndex()  # factions inside a coalition
        for entry in data["actors"]:
            self._add_actor(entry)
        for info in self._actors.values():
            unknown = [a for a in info.assoc if a not in self._actors]
            if unknown:
                raise ValueError(f"{info.name}: unknown assoc {unknown}")

        self._roles: PhraseIndex[_RoleRule] = PhraseIndex()
        for entry in data["roles"]:
            rule = self._role_rule(entry)
            for pattern in entry["patterns"]:
                self._roles.add(pattern, rule)

        self._followers: PhraseIndex[bool] = self._word_index(data["followers"])
        self._suspicion: PhraseIndex[bool] = self._word_index(data["suspicion_cues"])
        self._negating_prefixes = frozenset(fold(w) for w in data["negating_prefixes"])
        self._patron_suffixes = frozenset(fold(w) for w in data["patron_suffixes"])

    @classmethod
    def from_yaml(cls, text: str) -> ActorDictionary:
        return cls(yaml.safe_load(text))

    @classmethod
    def default(cls) -> ActorDictionary:
        """The dictionary shipped in data/actors.yaml, loaded once."""
        return _default_dictionary()

    # ------------------------------------------------------------------ loading

    def _add_actor(self, entry: Mapping[str, Any]) -> None:
        name = entry["name"]
        if name in self._actors:
            raise ValueError(f"duplicate actor {name!r}")
        if entry["inter"] not in INTER_TYPES:
            raise ValueError(f"{name}: unknown inter {entry['inter']!r}")
        country = entry.get("country")
        if country is not None and country not in self._countries:
            raise ValueError(f"{name}: unknown country {country!r}")
        everywhere = list(entry.get("aliases") or []) + list(entry.get("members") or [])
        local = list(entry.get("local_aliases") or [])
        if local and country is None:
            raise ValueError(f"{name}: local aliases need a country")
        for member in entry.get("members") or []:
            self._members.add(member, fold(member))
        for alias in everywhere:
            self._names.add(alias, _Alias(name, local=False))
            self._lookup.add(alias, _Alias(name, local=False))
        for alias in local:
            self._names.add(alias, _Alias(name, local=True))
            self._lookup.add(alias, _Alias(name, local=True))
        for alias in [name, *(entry.get("dataset_names") or [])]:
            self._lookup.add(alias, _Alias(name, local=False))
        self._actors[name] = ActorInfo(
            name=name,
            inter=entry["inter"],
            country=country,
            acled_name=entry.get("acled_name"),
            aliases=tuple(dict.fromkeys(everywhere + local)),
            assoc=tuple(entry.get("assoc") or ()),
            de_facto_authority=bool(entry.get("de_facto_authority")),
        )

    def _role_rule(self, entry: Mapping[str, Any]) -> _RoleRule:
        role, target, inter = entry["role"], entry["target"], entry.get("inter")
        if role not in ROLES or entry["adjective"] not in ADJECTIVE_USES:
            raise ValueError(f"bad role entry: {role!r}, adjective {entry['adjective']!r}")
        if inter is not None and inter not in INTER_TYPES:
            raise ValueError(f"role {role}: unknown inter {inter!r}")
        if isinstance(target, Mapping):
            for code, actor in target.items():
                if code not in self._countries or actor not in self._actors:
                    raise ValueError(f"role {role}: bad target {code}: {actor}")
            target = tuple(sorted(target.items()))
        elif isinstance(target, str) and "{country}" not in target and target not in self._actors:
            raise ValueError(f"role {role}: unknown target {target!r}")
        return _RoleRule(role, target, inter, entry["adjective"])

    @staticmethod
    def _word_index(phrases: list[str]) -> PhraseIndex[bool]:
        index: PhraseIndex[bool] = PhraseIndex()
        for phrase in phrases:
            index.add(phrase, True)
        return index

    # ------------------------------------------------------------------ lookups

    def canonical(self, name: str) -> str | None:
        """Any alias, member, ACLED or GTD name, or canonical name -> the canonical name."""
        name = " ".join(name.split())
        if not name:
            return None
        tokens = tokenize(name)
        aliases = sorted(self._lookup.full_match(tokens), key=lambda a: a.local)  # global first
        if aliases:
            return aliases[0].actor
        return self._canonical_composed(name) or self._resolve_role_name(tokens, None)

    def _canonical_composed(self, name: str) -> str | None:
        """ACLED's and GTD's composed names, taken apart."""
        qualified = _QUALIFIED.match(name)
        if qualified:
            base, qualifier, rest = (
                qualified.group(k).strip() for k in ("base", "qualifier", "rest")
            )
            # "Military Forces of Iraq (2018-) Popular Mobilization Forces": the sub-unit, if known
            if _YEARS.match(qualifier):
                return (self.canonical(rest) if rest else None) or self.canonical(base)
            country = self._country_names.get(fold(qualifier))
            if country is not None or fold(qualifier) == "international":  # "Civilians (Syria)"
                return self.canonical(base) or self._resolve_role_name(tokenize(base), country)
            return self.canonical(base) or self.canonical(qualifier)  # "... (ISIL)", "... (TSK)"
        abbreviated = _ABBREVIATED.match(name)
        if abbreviated:
            return self.canonical(abbreviated.group("name")) or self.canonical(
                abbreviated.group("abbr")
            )
        regional = _REGIONAL.match(name)
        if regional:
            return self.canonical(regional.group("base"))
        if "/" in name:  # "Refugees/IDPs"
            return next(filter(None, (self.canonical(part) for part in name.split("/"))), None)
        return None

    def _resolve_role_name(self, tokens: list[Token], country: str | None) -> str | None:
        for rule in self._roles.full_match(tokens):
            if rule.adjective != "required":
                resolved = self._resolve(rule, country)
                if resolved is not None:
                    return resolved
        return None

    def member(self, text: str) -> str | None:
        """The coalition member a mention's whole text names ("Hamza Division" in the Syrian
        National Army), folded; None for the coalition itself or anything else. Two members of
        one coalition fighting each other are two sides, though both map to the coalition."""
        values = self._members.full_match(tokenize(text))
        return values[0] if values else None

    def info(self, name: str) -> ActorInfo | None:
        canonical = self.canonical(name)
        return self._actors.get(canonical) if canonical else None

    def inter_in(self, name: str, country_code: str | None) -> str | None:
        """The actor's type in an event in `country_code`: state forces abroad are external forces."""
        info = self.info(name)
        return self._inter_in(info.inter, info.country, country_code) if info else None

    def acled_name(self, name: str, country_code: str | None = None) -> str | None:
        """ACLED's name for an actor in an event in `country_code`: "Civilians (Syria)"."""
        info = self.info(name)
        if info is None or info.acled_name is None:
            return None
        template = info.acled_name
        if "{country}" not in template:
            return template
        country = self._countries.get(country_code or "")
        if country is None:
            return template.replace(" ({country})", "").replace("{country}", "").strip()
        return template.format(country=country.name.removeprefix("the "))

    def countries_as_forces(self, text: str) -> list[ActorMention]:
        """Country names standing for their state's forces, where a sentence blames a country
        ("attributed the strikes to Turkey"): only where the dictionary knows those forces."""
        tokens = tokenize(text)
        mentions = []
        for start, end, codes in self._country_phrases.scan(tokens):
            if self._is_patron(tokens, end):
                continue  # "Iran-backed factions" are not Iran's forces
            country = self._countries[codes[0]]
            name = f"Military Forces of {country.name}"
            info = self._actors.get(name)
            if info is None:
                continue
            a, b = tokens[start].start, tokens[end - 1].end
            mentions.append(
                ActorMention(a, b, text[a:b], name, info.inter, info.country, False, False, None)
            )
        return mentions

    def actors(self) -> list[ActorInfo]:
        return list(self._actors.values())

    # ------------------------------------------------------------------ matching

    def find(self, text: str, country: str | None = None) -> list[ActorMention]:
        """Actor mentions: non-overlapping, longest first, sorted by start.

        `country` (ISO2, the article's main country) resolves role nouns ("soldiers" -> Military
        Forces of <country>), enables aliases that are only safe there ("SNA" in Somalia), and
        makes foreign state forces "External/Other forces".
        """
        tokens = tokenize(text)
        candidates = [
            c for i in range(len(tokens)) for c in self._candidates_at(tokens, i, country)
        ]
        # Longest first; on a tie the proper name wins over a role noun.
        candidates.sort(
            key=lambda c: (
                tokens[c.start].start - tokens[c.end - 1].end,
                c.start,
                c.role is not None,
            )
        )
        taken = [False] * len(tokens)
        chosen: list[_Candidate] = []
        for candidate in candidates:
            if not any(taken[candidate.start : candidate.end]):
                taken[candidate.start : candidate.end] = [True] * (candidate.end - candidate.start)
                chosen.append(candidate)
        mentions = []
        for candidate in sorted(chosen, key=lambda c: c.start):
            cue_start = self._suspicion_cue_before(tokens, candidate.start, taken)
            start = tokens[cue_start if cue_start is not None else candidate.start].start
            end = tokens[candidate.end - 1].end
            mentions.append(
                ActorMention(
                    start=start,
                    end=end,
                    text=text[start:end],
                    name=candidate.name,
                    inter=candidate.inter,
                    country=candidate.country,
                    suspected=cue_start is not None,
                    generic=candidate.role is not None,
                    role=candidate.role,
                )
            )
        return mentions

    def _candidates_at(
        self, tokens: list[Token], i: int, context: str | None
    ) -> Iterator[_Candidate]:
        token = tokens[i]
        if token.joined and i > 0 and tokens[i - 1].folded in self._negating_prefixes:
            return  # "anti-IS", "counter-ISIS": a stance, not an actor
        for end, aliases in self._names.matches_at(tokens, i):
            actor = self._pick_alias(aliases, context)
            if actor is None or self._is_patron(tokens, end):
                continue
            info = self._actors[actor]
            yield _Candidate(
                i,
                self._extend(tokens, end, actor, context),
                actor,
                self._inter_in(info.inter, info.country, context),
                info.country,
                None,
            )
        for end, rules in self._roles.matches_at(tokens, i):
            for rule in rules:
                if rule.adjective != "required":
                    yield self._role_candidate(rule, i, end, None, context)
        for adjective_end, codes in self._adjectives.matches_at(tokens, i):
            if adjective_end < len(tokens) and tokens[adjective_end].joined:
                continue  # "US-backed", "Turkish-led"
            for end, rules in self._roles.matches_at(tokens, adjective_end):
                for rule in rules:
                    if rule.adjective != "never":
                        yield self._role_candidate(rule, i, end, codes[0], context)

    def _role_candidate(
        self, rule: _RoleRule, start: int, end: int, adjective: str | None, context: str | None
    ) -> _Candidate:
        name = self._resolve(rule, adjective or context)
        info = self._actors.get(name) if name else None
        country = (info.country if info else None) or adjective
        inter = self._inter_in(info.inter if info else rule.inter, country, context)
        return _Candidate(start, end, name, inter, country, rule.role)

    def _resolve(self, rule: _RoleRule, country: str | None) -> str | None:
        target = rule.target
        if target is None:
            return None
        if isinstance(target, tuple):
            return dict(target).get(country or "")
        if "{country}" in target:
            if country not in self._countries:
                return None
            name = target.format(country=self._countries[country].name)
            return name if name in self._actors else None
        return target

    def _pick_alias(self, aliases: list[_Alias], context: str | None) -> str | None:
        usable = [a for a in aliases if not a.local or self._actors[a.actor].country == context]
        at_home = [a for a in usable if context and self._actors[a.actor].country == context]
        chosen = (at_home or usable)[:1]
        return chosen[0].actor if chosen else None

    def _is_patron(self, tokens: list[Token], end: int) -> bool:
        return (
            end < len(tokens) and tokens[end].joined and tokens[end].folded in self._patron_suffixes
        )

    def _extend(self, tokens: list[Token], end: int, actor: str, context: str | None) -> int:
        """Grow a named mention over "(SDF)" and trailing nouns: "IS fighters", "Islamic State group"."""
        for _ in range(_MAX_EXTENSIONS):
            grown = self._abbreviation_after(tokens, end, actor, context)
            if grown is None:
                follower = self._followers.longest_at(tokens, end)
                grown = follower[0] if follower else None
            if grown is None:
                break
            end = grown
        return end

    def _abbreviation_after(
        self, tokens: list[Token], end: int, actor: str, context: str | None
    ) -> int | None:
        if end >= len(tokens) or tokens[end].text != "(":
            return None
        for inner_end, aliases in self._names.matches_at(tokens, end + 1):
            closes = inner_end < len(tokens) and tokens[inner_end].text == ")"
            if closes and self._pick_alias(aliases, context) == actor:
                return inner_end + 1
        return None

    def _suspicion_cue_before(
        self, tokens: list[Token], start: int, taken: list[bool]
    ) -> int | None:
        """Index of the token starting a suspicion cue right before `start`, if any."""
        for cue_start in range(max(0, start - 4), start):
            if any(taken[cue_start:start]):
                continue
            if any(end == start for end, _ in self._suspicion.matches_at(tokens, cue_start)):
                return cue_start
        return None

    @staticmethod
    def _inter_in(inter: str | None, country: str | None, context: str | None) -> str | None:
        """State forces abroad are external forces there (ACLED's coding rule)."""
        if inter == STATE_FORCES and country and context and country != context:
            return EXTERNAL_FORCES
        return inter


@cache
def _default_dictionary() -> ActorDictionary:
    text = resources.files("conflictlens.data").joinpath("actors.yaml").read_text("utf-8")
    return ActorDictionary.from_yaml(text)


def canonical_actor(name: str) -> str | None:
    """The canonical name of any actor name, on the default dictionary."""
    return ActorDictionary.default().canonical(name)
