"""Helpers shared by the benchmark scripts: where the shared development data lives."""

from __future__ import annotations

import os
from pathlib import Path

REPO = Path(__file__).resolve().parent.parent


def shared_dir() -> Path | None:
    """../shared beside the repository (or $CONFLICTLENS_SHARED); None when absent."""
    candidate = Path(os.environ.get("CONFLICTLENS_SHARED", REPO.parent / "shared"))
    return candidate if candidate.is_dir() else None
