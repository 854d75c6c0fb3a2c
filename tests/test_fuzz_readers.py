"""Every reader and the extractor on generated hostile input: no crash, only ReadFailure.

A bounded run here (a few dozen inputs per reader); bench/bench_fuzz.py runs 10,000 and more and
measures CPU time per input. The pathological inputs below (100k-character lines, deep nesting,
zero-width and RTL text, numbers like 10^100) are checked for answers here and for time there.
"""

from __future__ import annotations

import json
from pathlib import Path

import pytest
from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st

from conflictlens.ingest import ReadFailure
from conflictlens.models import Article
from fuzz_inputs import READERS, articles, extract, read_file

BOUNDED = settings(
    max_examples=40,
    deadline=None,
    database=None,
    suppress_health_check=[HealthCheck.too_slow, HealthCheck.data_too_large],
)


@pytest.mark.parametrize("reader", sorted(READERS))
def test_a_reader_answers_any_input_with_articles_or_read_failures(
    reader: str, tmp_path_factory: pytest.TempPathFactory
) -> None:
    inputs, suffix = READERS[reader]
    folder = tmp_path_factory.mktemp(reader)

    @BOUNDED
    @given(data=inputs)
    def check(data: bytes) -> None:
        read_file(data, suffix, folder)

    check()


@BOUNDED
@given(article=articles)
def test_extract_codes_any_text_or_refuses_it_as_not_english(article: Article) -> None:
    for event in extract(article):
        assert event.event_id.startswith("ev")
        assert event.fatalities is None or 0 <= event.fatalities < 10**7


@BOUNDED
@given(depth=st.integers(1, 50_000))
def test_deeply_nested_json_rows_are_a_read_failure(depth: int, tmp_path_factory) -> None:
    data = ("[" * depth + "]" * depth + "\n").encode()
    results = read_file(data, ".jsonl", tmp_path_factory.mktemp("deep"))
    assert len(results) == 1 and isinstance(results[0], ReadFailure)


LONG_LINE = "Gunmen killed 12 villagers near Kidal in Mali on Tuesday " * 1_800
PATHOLOGICAL = {
    "100k-character line": (LONG_LINE[:100_000] + "\n").encode(),
    "100k characters without a space": ("a" * 100_000).encode(),
    "zero-width and RTL": (
        "Gunmen\u200b killed\u202e 12\u200f villagers\u2060 near\u061c Kidal\ufeff " * 2_000
    ).encode(),
    "10^100 dead": ("Gunmen killed " + "1" + "0" * 100 + " people in Kidal, Mali.").encode(),
}


@pytest.mark.parametrize("name", sorted(PATHOLOGICAL))
def test_pathological_text_is_read_and_coded(name: str, tmp_path: Path) -> None:
    [article] = read_file(PATHOLOGICAL[name], ".txt", tmp_path)
    assert isinstance(article, Article)
    for event in extract(article):
        assert event.fatalities is None or event.fatalities < 10**7, name


def test_deep_html_nesting_is_an_article_or_a_read_failure(tmp_path: Path) -> None:
    page = "<html><body>" + "<div>" * 20_000 + "Gunmen killed 12 villagers in Kidal, Mali."
    results = read_file(page.encode(), ".html", tmp_path)
    assert len(results) == 1


def test_a_jsonl_row_with_a_huge_number_is_read_as_text(tmp_path: Path) -> None:
    row = {"text": "Gunmen killed 12 villagers in Kidal, Mali.", "id": 10**100}
    [article] = read_file((json.dumps(row) + "\n").encode(), ".jsonl", tmp_path)
    assert isinstance(article, Article)
    assert article.id == str(10**100)
