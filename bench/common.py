"""Helpers shared by the benchmark scripts: where the shared development data lives, and how
a coder's district is compared with ours."""

from __future__ import annotations

import os
from pathlib import Path

from conflictlens.geo.districts import same_district
from conflictlens.geo.names import normalise_name

REPO = Path(__file__).resolve().parent.parent


def shared_dir() -> Path | None:
    """../shared beside the repository (or $CONFLICTLENS_SHARED); None when absent."""
    candidate = Path(os.environ.get("CONFLICTLENS_SHARED", REPO.parent / "shared"))
    return candidate if candidate.is_dir() else None


def same_admin2(ours: str, theirs: str) -> bool:
    """District names agree up to transliteration ("Muqdadiya", "Muqdadiyah"), division words
    (UCDP's "Mintaqat Markaz Homs", "Albu Kamal district") and the other names the project's
    district data gives ("Maarat al-Numaan" for Al Ma'ra): conflictlens.geo.districts."""
    return normalise_name(ours) == normalise_name(theirs) or same_district(ours, theirs)
