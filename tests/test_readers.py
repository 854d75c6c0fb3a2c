from __future__ import annotations

import json
from datetime import date
from pathlib import Path

from conflictlens.ingest import MAX_ARTICLE_BYTES, ReadFailure, read_sources
from conflictlens.models import Article

ARTICLE = """Title: Two soldiers killed in roadside blast
Outlet: Desert Wire
URL: https://desertwire.example/2022/03/07/blast
Published: 2022-03-07

Two soldiers were killed on Sunday when a roadside bomb hit their patrol near Mosul, police said.
"""


def _articles(results: list) -> list[Article]:
    return [r for r in results if isinstance(r, Article)]


def _failures(results: list) -> list[ReadFailure]:
    return [r for r in results if isinstance(r, ReadFailure)]


def test_text_file_with_header(tmp_path: Path) -> None:
    path = tmp_path / "a.txt"
    path.write_text(ARTICLE, encoding="utf-8")
    [article] = list(read_sources([path]))
    assert isinstance(article, Article)
    assert article.title == "Two soldiers killed in roadside blast"
    assert article.outlet == "Desert Wire"
    assert article.published == date(2022, 3, 7)
    assert article.text.startswith("Two soldiers were killed on Sunday")
    assert "Title:" not in article.text


def test_text_without_header_keeps_all_text(tmp_path: Path) -> None:
    path = tmp_path / "b.txt"
    path.write_text("Gunmen: who are they? Nobody knows.\nSecond line.", encoding="utf-8")
    [article] = list(read_sources([path]))
    assert isinstance(article, Article)
    assert article.text.startswith("Gunmen: who are they?")
    assert article.published is None


def test_same_text_same_id(tmp_path: Path) -> None:
    (tmp_path / "one.txt").write_text("Three people were killed in Kabul.", encoding="utf-8")
    (tmp_path / "two.txt").write_text("Three people were killed in Kabul.\n", encoding="utf-8")
    first, second = _articles(list(read_sources([tmp_path])))
    assert first.id == second.id
    assert first.content_hash == second.content_hash


def test_bad_inputs_each_give_one_clear_failure_and_the_batch_goes_on(tmp_path: Path) -> None:
    good = tmp_path / "good.txt"
    good.write_text(ARTICLE, encoding="utf-8")
    empty = tmp_path / "empty.txt"
    empty.write_text("  \n", encoding="utf-8")
    binary = tmp_path / "binary.txt"
    binary.write_bytes(b"\x89PNG\r\n\x1a\n\x00\x00\x00")
    latin = tmp_path / "latin1.txt"
    latin.write_bytes("caf\xe9 bombing".encode("latin-1"))
    huge = tmp_path / "huge.txt"
    huge.write_bytes(b"a" * (MAX_ARTICLE_BYTES + 1))
    bad_date = tmp_path / "bad_date.txt"
    bad_date.write_text("Published: someday soon\n\nText here.", encoding="utf-8")
    sources = [good, tmp_path / "missing.txt", empty, binary, latin, huge, bad_date, good]
    results = list(read_sources(sources))
    assert len(_articles(results)) == 2
    failures = {Path(f.source).name: f.reason for f in _failures(results)}
    assert failures["missing.txt"] == "no such file or folder"
    assert failures["empty.txt"] == "empty file"
    assert "binary" in failures["binary.txt"]
    assert "UTF-8" in failures["latin1.txt"]
    assert "too large" in failures["huge.txt"]
    assert "published date" in failures["bad_date.txt"]


def test_jsonl_dump_rows_keep_their_ids_and_bad_lines_fail_alone(tmp_path: Path) -> None:
    path = tmp_path / "dump.jsonl"
    rows = [
        json.dumps(
            {"id": "r1", "text": "Five civilians were killed in Gao.", "published": "2020-05-01"}
        ),
        "{not json",
        json.dumps({"id": "r3", "body": "wrong column"}),
        json.dumps(["a list"]),
        json.dumps({"id": "r5", "text": "Militants abducted ten farmers.", "outlet": "Sahel Post"}),
    ]
    path.write_text("\n".join(rows) + "\n", encoding="utf-8")
    results = list(read_sources([path]))
    articles = _articles(results)
    assert [a.id for a in articles] == ["r1", "r5"]
    assert articles[0].published == date(2020, 5, 1)
    assert articles[1].outlet == "Sahel Post"
    failures = _failures(results)
    assert [f.source for f in failures] == [f"{path}:2", f"{path}:3", f"{path}:4"]
    assert "invalid JSON" in failures[0].reason
    assert "'text'" in failures[1].reason


def test_csv_dump_and_wrong_columns(tmp_path: Path) -> None:
    good = tmp_path / "good.csv"
    good.write_text(
        'id,text,published,title,url,outlet\nc1,"Two policemen were shot dead.",2019-02-03,T,,Wire\n',
        encoding="utf-8",
    )
    wrong = tmp_path / "wrong.csv"
    wrong.write_text("headline,body\nx,y\n", encoding="utf-8")
    results = list(read_sources([good, wrong]))
    [article] = _articles(results)
    assert article.id == "c1" and article.published == date(2019, 2, 3)
    [failure] = _failures(results)
    assert failure.source == str(wrong) and "no 'text' column" in failure.reason


def test_folder_reads_text_and_dumps_sorted_and_ignores_other_files(tmp_path: Path) -> None:
    (tmp_path / "b.txt").write_text("Second article about shelling in Idlib.", encoding="utf-8")
    (tmp_path / "a.txt").write_text("First article about clashes in Hama.", encoding="utf-8")
    (tmp_path / "notes.md").write_text("# not an article", encoding="utf-8")
    (tmp_path / "gold.yaml").write_text("- article: a.txt", encoding="utf-8")
    texts = [a.text for a in _articles(list(read_sources([tmp_path])))]
    assert texts == [
        "First article about clashes in Hama.",
        "Second article about shelling in Idlib.",
    ]
