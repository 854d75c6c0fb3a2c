"""Near-duplicate articles: syndicated copies, new headlines, trimmed endings, added boilerplate.

An article's fingerprint is a MinHash (datasketch) of its word 5-grams, cut into LSH bands, and
the 5-grams themselves as 64-bit hashes (its shingles); the store keeps both, the band hashes in an
indexed table, so finding candidates is a lookup, not an in-memory index. Candidates are then
confirmed on the shingles: a copy shares most of its 5-grams with the original (Jaccard), or almost
all of the shorter text is inside the longer one (containment: a trimmed ending, or a brief cut from
the full story). Stored shingles spare shingling every candidate's text again: templated reports
and wire boilerplate make a new report a candidate of hundreds of stored ones in a busy day.
"""

from __future__ import annotations

import hashlib
import re
from dataclasses import dataclass

import numpy as np
from datasketch import MinHash

from conflictlens.clean import content_lines

SHINGLE_WORDS = 5
NUM_PERM = 128
# 32 bands of 4 rows: texts with Jaccard 0.5 become candidates 87% of the time, 0.6 over 99%.
BANDS = 32
ROWS = NUM_PERM // BANDS
# Confirmation thresholds on the exact 5-gram sets.
MIN_JACCARD = 0.6
MIN_CONTAINMENT = 0.85
# Below this many 5-grams a text is too short to call anything a copy of it.
MIN_SHINGLES = 20

_WORD = re.compile(r"\w+")
# Fixed seed: fingerprints stored by one run must match those computed by the next.
_SEED = 20210109


@dataclass(frozen=True)
class Fingerprint:
    """What finding copies of one text needs: its LSH band hashes ((band number, signed 64-bit
    hash) pairs) to look candidates up, and its `shingles` (as bytes) to confirm them."""

    bands: tuple[tuple[int, int], ...]
    shingle_bytes: bytes

    def shingles(self) -> np.ndarray:
        return shingles_from_bytes(self.shingle_bytes)


def _grams(text: str) -> set[str]:
    """Lower-cased word 5-grams of the article body, page furniture left out."""
    words = [w for line in content_lines(text) for w in _WORD.findall(line.text.lower())]
    if len(words) < SHINGLE_WORDS:
        return {" ".join(words)} if words else set()
    return {" ".join(words[i : i + SHINGLE_WORDS]) for i in range(len(words) - SHINGLE_WORDS + 1)}


def shingles(text: str) -> np.ndarray:
    """The text's 5-grams as sorted 64-bit hashes: 8 bytes a gram where the strings take about
    100. The hashes are the same in every process (unlike Python's `hash`), so they can be stored
    and compared with those of a later run."""
    return _shingles_of(_grams(text))


def shingles_from_bytes(stored: bytes) -> np.ndarray:
    """Shingles kept as bytes (`Fingerprint.shingle_bytes`, the store) as an array again."""
    return np.frombuffer(stored, dtype=np.int64)


def _shingles_of(grams: set[str]) -> np.ndarray:
    return np.unique(
        np.fromiter((_hash64(g.encode("utf-8")) for g in grams), dtype=np.int64, count=len(grams))
    )


def _hash64(data: bytes) -> int:
    """A signed 64-bit hash, the same in every process (a 5-gram's, a band's)."""
    return int.from_bytes(hashlib.blake2b(data, digest_size=8).digest(), "little", signed=True)


def fingerprint(text: str) -> Fingerprint:
    grams = _grams(text)
    return Fingerprint(bands=_bands_of(grams), shingle_bytes=_shingles_of(grams).tobytes())


def _bands_of(grams: set[str]) -> tuple[tuple[int, int], ...]:
    minhash = MinHash(num_perm=NUM_PERM, seed=_SEED)
    minhash.update_batch([g.encode("utf-8") for g in sorted(grams)])
    values = minhash.hashvalues
    bands = []
    for band in range(BANDS):
        chunk = values[band * ROWS : (band + 1) * ROWS].astype("<u8").tobytes()
        bands.append((band, _hash64(chunk)))
    return tuple(bands)


def is_near_duplicate(text_a: str, text_b: str) -> bool:
    """Whether one text is a copy of the other (confirmed on the texts, not on the sketch)."""
    return shingles_near_duplicate(shingles(text_a), shingles(text_b))


def shingles_near_duplicate(a: np.ndarray, b: np.ndarray) -> bool:
    """`is_near_duplicate` on the texts' `shingles`: one text's are computed once when it is
    compared with each of its candidates."""
    if min(len(a), len(b)) < MIN_SHINGLES:
        return False
    shared = len(np.intersect1d(a, b, assume_unique=True))
    union = len(a) + len(b) - shared
    return shared / union >= MIN_JACCARD or shared / min(len(a), len(b)) >= MIN_CONTAINMENT
