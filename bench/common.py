"""Helpers shared by the benchmark scripts: where the shared development data lives, and how
a coder's district is compared with ours."""

from __future__ import annotations

import os
import re
from pathlib import Path

from conflictlens.geo.names import normalise_name, spelling_similarity

REPO = Path(__file__).resolve().parent.parent


def shared_dir() -> Path | None:
    """../shared beside the repository (or $CONFLICTLENS_SHARED); None when absent."""
    candidate = Path(os.environ.get("CONFLICTLENS_SHARED", REPO.parent / "shared"))
    return candidate if candidate.is_dir() else None


# UCDP writes "Albu Kamal district" and "Markaz Daraa district" (the centre district), ACLED
# "Abu Kamal" and "Dar'a".
_DIVISION_WORD = re.compile(
    r"^markaz\s+|\s+(?:district|sub-?district|qadaa|kaza|nahiya|nahia)$", re.I
)


def same_admin2(ours: str, theirs: str) -> bool:
    """District names agree up to transliteration ("Muqdadiya", "Muqdadiyah") and a trailing
    "district"."""
    theirs = _DIVISION_WORD.sub("", theirs.strip()).strip()
    return (
        normalise_name(ours) == normalise_name(theirs) or spelling_similarity(ours, theirs) >= 0.8
    )
