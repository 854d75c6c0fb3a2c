"""People a report quotes by name: "said Tariq Hayat Khan, the region's top administrator",
"Police chief Ahmed Khan said". The officials and witnesses behind a report's figures are the
most specific part of "according to whom", and two outlets quoting the same official are most
likely telling the same incident.

A name is a run of two or three capitalised words (with particles such as "al" or "bin" inside).
A run that holds a title, an institution, a place or a calendar word ("Political Agent",
"Interior Ministry", "Khyber Agency", "Friday") names a person only in the words after it. Which
runs a sentence attributes a statement to is the caller's business
(`conflictlens.extraction.sources`). Knowledge lives in data/sources.yaml (`people`).
"""

from __future__ import annotations

import re
from collections.abc import Iterable, Mapping
from dataclasses import dataclass
from typing import Any

from conflictlens.extraction.actors import Token, fold

# Words of a name, particles ("al", "bin") not counted.
_MAX_NAME_WORDS = 3
_MIN_NAME_WORDS = 2
_CAPITALISED = re.compile(r"[A-Z][a-z]+")


@dataclass(frozen=True)
class PersonWords:
    """The words that tell a person's name from its surroundings."""

    not_names: frozenset[str]  # titles, bodies, places, calendar words: "governor", "ministry"
    # Bodies and places: the name before one is theirs ("Dhi Qar authorities").
    place_nouns: frozenset[str]
    particles: frozenset[str]  # inside a name: "al", "bin"
    before_place: frozenset[str]  # a run after these is a place or a body: "in", "the", "northern"

    @classmethod
    def from_data(cls, data: Mapping[str, Any]) -> PersonWords:
        def words(words: Iterable[str]) -> frozenset[str]:
            return frozenset(fold(w) for w in words)

        kinds: Mapping[str, Iterable[str]] = data["not_names"]
        return cls(
            not_names=words(w for kind in kinds.values() for w in kind),
            place_nouns=words([*kinds["bodies"], *kinds["places"]]),
            particles=words(data["particles"]),
            before_place=words(data["before_place"]),
        )

    def name_spans(self, tokens: list[Token]) -> list[tuple[int, int]]:
        """(start, end) token indices of the person names among `tokens`."""
        spans = []
        for start, end in self._capitalised_runs(tokens):
            name_start = start
            for k in range(start, end):
                if tokens[k].folded in self.not_names:
                    name_start = k + 1
            if tokens[end - 1].folded in self.particles:
                continue
            # A longer run is an unlisted title or body with a name at its end: keep the end.
            while self._words(tokens[name_start:end]) > _MAX_NAME_WORDS:
                name_start += 1
            if self._words(tokens[name_start:end]) >= _MIN_NAME_WORDS and not self._in_a_phrase(
                tokens, start, end
            ):
                spans.append((name_start, end))
        return spans

    def voice_of(self, tokens: list[Token], start: int, source_ends: set[int]) -> bool:
        """The name at `start` follows a source's name and a title only ("Observatory chief Rami
        Abdel Rahman"): the person speaks for that source."""
        k = start
        while k > 0 and start - k < _MAX_NAME_WORDS and tokens[k - 1].folded in self.not_names:
            k -= 1
            if k in source_ends:
                return True
        return False

    def _in_a_phrase(self, tokens: list[Token], start: int, end: int) -> bool:
        """The run names a place or a body within a longer phrase: "officials in Khyber
        Pakhtunkhwa", "northern Burkina Faso", "The Express Tribune", "the Khor Maksar district",
        "Dhi Qar authorities", "the New York-based group"."""
        if tokens[start].folded in self.before_place:
            return True
        if start > 0 and tokens[start - 1].folded in self.before_place:
            return True
        return end < len(tokens) and (tokens[end].joined or tokens[end].folded in self.place_nouns)

    def _words(self, tokens: list[Token]) -> int:
        return sum(t.folded not in self.particles for t in tokens)

    def _capitalised_runs(self, tokens: list[Token]) -> list[tuple[int, int]]:
        runs = []
        i = 0
        while i < len(tokens):
            if not self._capitalised(tokens[i]):
                i += 1
                continue
            j = i + 1
            while j < len(tokens) and (
                self._capitalised(tokens[j])
                or (
                    tokens[j].folded in self.particles
                    and j + 1 < len(tokens)
                    and self._capitalised(tokens[j + 1])
                )
            ):
                j += 1
            runs.append((i, j))
            i = j
        return runs

    @staticmethod
    def _capitalised(token: Token) -> bool:
        # Capitals-only words ("AFP", "HMC") are acronyms, and a headline in capitals names no one.
        return not token.shouting and _CAPITALISED.fullmatch(token.text) is not None


def same_person(a: str, b: str) -> bool:
    """Two written names of one person: one's words all among the other's, at least two of them
    ("Tariq Hayat" and "Tariq Hayat Khan")."""
    words_a, words_b = _name_words(a), _name_words(b)
    if min(len(words_a), len(words_b)) < _MIN_NAME_WORDS:
        return False
    return words_a <= words_b or words_b <= words_a


def _name_words(name: str) -> frozenset[str]:
    return frozenset(re.findall(r"\w+", fold(name)))
