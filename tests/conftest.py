"""Shared fixtures: every test gets its own gazetteer data dir unless a session one is set up."""

from __future__ import annotations

import os
from pathlib import Path

import pytest


@pytest.fixture(scope="session", autouse=True)
def _isolated_data_dir(tmp_path_factory: pytest.TempPathFactory) -> None:
    """Compile the gazetteer index once per test session, in a temporary folder, never in $HOME."""
    if "CONFLICTLENS_DATA_DIR" not in os.environ:
        os.environ["CONFLICTLENS_DATA_DIR"] = str(tmp_path_factory.mktemp("conflictlens-data"))


@pytest.fixture
def corpus_dir() -> Path:
    return Path(__file__).resolve().parent.parent / "corpus" / "sample"
