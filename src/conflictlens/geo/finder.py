"""Where a text may name places: capitalised word sequences, found without NER.

spaCy's small model labels many Arabic place names PERSON or NORP, so the gazetteer scans for
capitalised sequences of one to five words instead ("Deir ez-Zor", "al-Bukamal", "Jabal
al-Bishri", "Dibsi Afnan") and lets the index decide which of them are places.
"""

from __future__ import annotations

import re
from collections.abc import Iterator
from dataclasses import dataclass

MAX_SPAN_WORDS = 5

_WORD = re.compile(r"[^\W\d_]+(?:[-'’ʼ‘`][^\W\d_]+)*")
_POSSESSIVE = re.compile(r"['’]s$")
# Articles and connectors inside place names: Arabic, Romance and Persian ("Deir ez-Zor",
# "Norte de Santander", "Mazar-i-Sharif", "Bab At Tub").
PARTICLES = frozenset(
    "al el il ul ad ar as az ash at an ath adh ed er es ez et en "
    "de del della di da do dos du des la le les los las y e i bin ibn bani".split()
)
# Those that may also stand alone in lowercase between two capitalised words of one name; the
# English words among them ("Syria as Turkey", "Homs at dawn") may not.
_STANDALONE_PARTICLES = PARTICLES - {"as", "at", "an", "en", "e", "i", "y", "do"}
# The nouns of a road named after the towns it joins ("the Hawija-Kirkuk road").
ROAD_NOUN = r"(?:[Rr]oad|[Hh]ighway|[Mm]otorway|[Rr]oute)\b"
_ROAD_FOLLOWS = re.compile(r"\s+" + ROAD_NOUN)
_SENTENCE_PUNCTUATION = ".!?:;\n"
_OPENING_MARKS = ' \t"“‘(['
_CLOSING_MARKS = '"”’)]'
_SPEECH_VERB = re.compile(
    r"\s+(?:said|says|told|added|stated|explained|wrote|claimed|confirmed|noted|reported|"
    r"announced|insisted|warned|denied)\b",
    re.IGNORECASE,
)


@dataclass(frozen=True)
class Word:
    start: int
    end: int
    text: str
    capitalised: bool  # starts with a capital, or is an article glued to one ("al-Bukamal")
    particle: bool  # a lowercase article or connector that may stand inside a name
    sentence_initial: bool


@dataclass(frozen=True)
class Span:
    """A candidate name: words[first:last] of one run of capitalised words."""

    start: int
    end: int
    text: str
    first: int
    last: int  # exclusive
    sentence_initial: bool
    before: Word | None  # the run's nearest word before the span, articles skipped
    after: Word | None  # the run's nearest word after the span, articles skipped
    next_word: Word | None  # the text's next word on the same line, capitalised or not
    speech_follows: bool  # "X said": a person (or a government) speaking

    @property
    def acronym(self) -> bool:
        """ "SDF", "JaS": short words with several capitals name organisations, not places."""
        return len(self.text) <= 4 and sum(ch.isupper() for ch in self.text) >= 2


def words_of(text: str) -> list[Word]:
    words = []
    for match in _WORD.finditer(text):
        start, token = match.start(), match.group()
        token = _POSSESSIVE.sub("", token)
        parts = token.split("-")
        # "Russia-backed", "US-led": a modifier, not a place name, so cut it to its head.
        if len(parts) > 1 and parts[-1].islower() and parts[-1] not in PARTICLES:
            token, capitalised = parts[0], False
        else:
            head = parts[1] if len(parts) > 1 and parts[0].lower() in PARTICLES else parts[0]
            capitalised = head[:1].isupper()
        initial = _starts_sentence(text, start)
        road = capitalised and len(parts) > 1 and _ROAD_FOLLOWS.match(text, match.end())
        for offset, part in _parts(token, parts) if road else ((0, token),):
            words.append(
                Word(
                    start=start + offset,
                    end=start + offset + len(part),
                    text=part,
                    capitalised=capitalised,
                    particle=part in _STANDALONE_PARTICLES,
                    sentence_initial=initial and offset == 0,
                )
            )
    return words


def _parts(token: str, parts: list[str]) -> Iterator[tuple[int, str]]:
    """The towns of a road's name with their offsets ("Hawija-Kirkuk road", "Aleppo-Latakia
    highway"): two words, so each can be found, that the dash still joins into one run. Any
    other dashed name stays one word ("Kubar-Makhmur" is one village)."""
    if not all(_name_part(p) for p in parts):
        yield 0, token
        return
    offset = 0
    for part in parts:
        yield offset, part
        offset += len(part) + 1


def _name_part(part: str) -> bool:
    return len(part) > 2 and part[:1].isupper() and part.lower() not in PARTICLES


def _starts_sentence(text: str, start: int) -> bool:
    window = text[max(0, start - 8) : start].rstrip(_OPENING_MARKS)
    if not window:
        return True  # the text's start, or a long run of blanks
    last = window[-1]
    if last in _CLOSING_MARKS and len(window) > 1:
        last = window[-2]
    return last in _SENTENCE_PUNCTUATION


def _joined(text: str, left: Word, right: Word) -> bool:
    """Two words belong to one name only when nothing but spaces (no line break) or the dash
    of a split word (`_parts`) is between."""
    gap = text[left.end : right.start]
    return gap == "-" or (0 < len(gap) <= 2 and gap.strip(" ") == "")


def runs_of(text: str, words: list[Word]) -> Iterator[tuple[int, int]]:
    """(first, last) word indices of maximal capitalised runs, particles allowed inside."""
    index = 0
    while index < len(words):
        if not words[index].capitalised:
            index += 1
            continue
        last = index + 1
        while last < len(words) and _joined(text, words[last - 1], words[last]):
            following = words[last]
            if following.capitalised:
                last += 1
            elif (
                following.particle
                and last + 1 < len(words)
                and words[last + 1].capitalised
                and _joined(text, following, words[last + 1])
            ):
                last += 2
            else:
                break
        yield index, last
        index = last


def _neighbour(words: list[Word], indices: range) -> Word | None:
    """The first word at `indices` that is not an article or connector, in any case."""
    return next((words[i] for i in indices if words[i].text.lower() not in PARTICLES), None)


def _dashed_from(text: str, words: list[Word], first: int, run_first: int) -> int:
    """Where the words before `first` stop counting as the same name (exclusive): at a split
    word's dash ("Hawija" ends at "-Kirkuk"), else the run's start."""
    if first > run_first and text[words[first - 1].end : words[first].start] == "-":
        return first - 1
    return run_first - 1


def _dashed_to(text: str, words: list[Word], last: int, run_last: int) -> int:
    """Where the words after a span ending before `last` stop counting as the same name."""
    if 0 < last < run_last and text[words[last - 1].end : words[last].start] == "-":
        return last
    return run_last


def spans_of(text: str, words: list[Word], run: tuple[int, int], first: int) -> Iterator[Span]:
    """Spans of the run starting at word `first`, longest first."""
    run_first, run_last = run
    for last in range(min(run_last, first + MAX_SPAN_WORDS), first, -1):
        if words[last - 1].particle:
            continue
        start, end = words[first].start, words[last - 1].end
        next_index = last if last < len(words) else None
        next_word = words[next_index] if next_index is not None else None
        if next_word is not None and not _joined(text, words[last - 1], next_word):
            next_word = None
        yield Span(
            start=start,
            end=end,
            text=text[start:end],
            first=first,
            last=last,
            sentence_initial=words[first].sentence_initial,
            before=_neighbour(
                words, range(first - 1, _dashed_from(text, words, first, run_first), -1)
            ),
            after=_neighbour(words, range(last, _dashed_to(text, words, last, run_last))),
            next_word=next_word,
            speech_follows=bool(_SPEECH_VERB.match(text, end)),
        )
