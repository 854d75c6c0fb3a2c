"""The relevance gate: skip, before spaCy, the reports that hold nothing the extractor could code.

Most of a day's news is not about political violence, and the extractor spends most of its time in
spaCy. An article is extracted only when it holds a word that can make a clause a candidate (an
event trigger, a word for people killed, hurt, arrested or taken, a "no casualties" wording); the
words live in data/relevance.yaml and err on the side of keeping. The check is a set lookup over the
article's words plus a few literal-led phrases: no parse, tens of microseconds per article.
"""

from __future__ import annotations

import re
from dataclasses import dataclass
from functools import lru_cache
from importlib import resources

import yaml

# What the run summary counts an article the gate skipped under.
OFF_TOPIC = "off-topic (relevance gate)"

_WORD = re.compile(r"[A-Za-z]+")


@dataclass(frozen=True)
class _GateWords:
    stems: frozenset[str]
    stem_lengths: tuple[int, ...]
    words: frozenset[str]
    case_sensitive_words: frozenset[str]
    phrases: tuple[re.Pattern[str], ...]
    count_words: frozenset[str]
    count_phrase: re.Pattern[str]


@lru_cache(maxsize=1)
def _gate_words() -> _GateWords:
    data = resources.files("conflictlens.data")
    raw = yaml.safe_load(data.joinpath("relevance.yaml").read_text("utf-8"))
    counts = yaml.safe_load(data.joinpath("counts.yaml").read_text("utf-8"))
    stems = frozenset(s.lower() for s in raw["stems"])
    # "lost five soldiers": a count word, up to four words, then a noun for people (counts.yaml).
    people = sorted({n.lower() for n in [*counts["person_nouns"], *counts["one_person"]]})
    count_words = sorted(raw["count_words"], key=len, reverse=True)
    count_phrase = re.compile(
        rf"\b(?:{'|'.join(map(re.escape, count_words))})\W+(?:[\w'-]+\W+){{0,4}}?"
        rf"(?:{'|'.join(map(re.escape, people))})\b"
    )
    return _GateWords(
        stems=stems,
        stem_lengths=tuple(sorted({len(s) for s in stems})),
        words=frozenset(w.lower() for w in raw["words"]),
        case_sensitive_words=frozenset(raw["case_sensitive_words"]),
        phrases=tuple(re.compile(p) for p in raw["phrases"]),
        count_words=frozenset(w.split()[0] for w in count_words),
        count_phrase=count_phrase,
    )


def relevance_cue(text: str) -> str | None:
    """The first word or phrase found that makes the article worth extracting; None if none is."""
    gate = _gate_words()
    as_written = set(_WORD.findall(text))
    if found := as_written & gate.case_sensitive_words:
        return min(found)
    lowered_words = {w.lower() for w in as_written}
    if found := lowered_words & gate.words:
        return min(found)
    for word in lowered_words:
        for length in gate.stem_lengths:
            if length <= len(word) and word[:length] in gate.stems:
                return word
    lowered = text.lower()
    for phrase in gate.phrases:
        if match := phrase.search(lowered):
            return match.group()
    if lowered_words & gate.count_words and (match := gate.count_phrase.search(lowered)):
        return match.group()
    return None


def is_relevant(text: str) -> bool:
    """Could the extractor code anything in this text? False only when it certainly cannot."""
    return relevance_cue(text) is not None
