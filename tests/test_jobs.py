"""`ingest --jobs N`: extraction in worker processes, one writer, the same dataset for any N."""

from __future__ import annotations

import shutil
import signal
import subprocess
import sys
import time
from dataclasses import replace
from pathlib import Path

import pytest
from typer.testing import CliRunner

from conflictlens.cli import app
from conflictlens.ingest import ReadFailure
from conflictlens.linking import fingerprint
from conflictlens.models import Article
from conflictlens.parallel import CHUNK, Coded, code_ahead, code_article
from conflictlens.relevance import OFF_TOPIC

REPO = Path(__file__).resolve().parent.parent
runner = CliRunner()


@pytest.fixture(scope="module")
def mixed_folder(tmp_path_factory: pytest.TempPathFactory) -> Path:
    """Reports of one incident from several outlets, copies, a newer version, an off-topic
    report, one in French and an empty file: every path the storing process takes."""
    folder = tmp_path_factory.mktemp("mixed")
    for source in (REPO / "tests" / "linking_articles", REPO / "corpus" / "linking"):
        for path in sorted(source.glob("*.txt")):
            shutil.copy(path, folder / f"{source.name}_{path.name}")
    (folder / "zz_markets.txt").write_text(
        "Title: Shares edge higher\nPublished: 2024-03-02\n\nShares rose for a third day as "
        "investors welcomed lower energy prices; the index closed 0.4 percent up.\n",
        encoding="utf-8",
    )
    (folder / "zz_fr.txt").write_text(
        "Cinq soldats ont été tués lors d'une attaque contre leur poste, selon des responsables.",
        encoding="utf-8",
    )
    (folder / "zz_empty.txt").write_text("", encoding="utf-8")
    return folder


@pytest.fixture(autouse=True)
def fixed_export_time(monkeypatch: pytest.MonkeyPatch) -> None:
    """ACLED CSV's timestamp column is the export's time: one fixed time for every export here."""
    monkeypatch.setenv("SOURCE_DATE_EPOCH", "1767225600")


def _ingest_and_export(folder: Path, db: Path, jobs: int) -> dict[str, bytes]:
    result = runner.invoke(app, ["ingest", str(folder), "--db", str(db), "--jobs", str(jobs)])
    assert result.exit_code == 1, result.output  # the empty file is reported as a failure
    assert OFF_TOPIC in result.output and "not English" in result.output
    exports = {}
    for fmt in ("jsonl", "acled-csv", "geojson"):
        out = db.with_suffix(f".{fmt}")
        exported = runner.invoke(app, ["export", "--db", str(db), "-f", fmt, "-o", str(out)])
        assert exported.exit_code == 0, exported.output
        exports[fmt] = out.read_bytes()
    return exports


def test_two_jobs_give_the_same_export_byte_for_byte(mixed_folder: Path, tmp_path: Path) -> None:
    one = _ingest_and_export(mixed_folder, tmp_path / "one.db", jobs=1)
    two = _ingest_and_export(mixed_folder, tmp_path / "two.db", jobs=2)
    assert one["jsonl"].count(b"\n") > 10
    assert one == two


def test_outcomes_come_back_in_input_order_and_match_in_process_coding() -> None:
    texts = [
        "Gunmen killed three farmers near Gusau in Zamfara state on Tuesday, police said.",
        "The orchestra opens its season with two symphonies and a new piano concerto.",
        "Two soldiers were wounded when a roadside bomb exploded near Baiji on Friday.",
    ]
    items: list[Article | ReadFailure] = [
        Article(id=f"a{i}", text=t, published="2024-02-01") for i, t in enumerate(texts)
    ]
    items.insert(1, ReadFailure("broken.json", "broken JSON line"))
    coded = list(code_ahead(items, jobs=2))
    assert [item for item, _ in coded] == items
    outcomes = [outcome for _, outcome in coded]
    assert outcomes[1] is None  # nothing to code for a read failure
    assert [o.article_id for o in outcomes if o is not None] == ["a0", "a1", "a2"]
    articles = [item for item in items if isinstance(item, Article)]
    expected = [code_article(article) for article in articles]
    ahead = [o for o in outcomes if o is not None]
    assert [replace(o, fingerprint=None) for o in ahead] == expected
    assert expected[1].off_topic and expected[0].events and expected[2].events
    # The fingerprint comes with the articles the storing process will extract, not the skipped.
    assert [o.fingerprint for o in ahead] == [
        fingerprint(articles[0].text),
        None,
        fingerprint(articles[2].text),
    ]


def test_articles_are_sent_in_chunks_and_come_back_in_order() -> None:
    texts = [f"Gunmen killed {n} traders at a market in Gusau on Monday." for n in range(2, 40)]
    items = [Article(id=f"a{i}", text=t, published="2024-02-01") for i, t in enumerate(texts)]
    coded = list(code_ahead(items, jobs=2))
    assert len(items) > 2 * CHUNK
    assert [item for item, _ in coded] == items
    assert all(o is not None and o.is_for(item) for item, o in coded)


def test_one_job_codes_nothing_ahead() -> None:
    article = Article(id="x", text="Gunmen killed two guards at a bank.")
    assert list(code_ahead([article], jobs=1)) == [(article, None)]


def test_an_outcome_is_used_only_for_the_article_it_was_coded_for() -> None:
    article = Article(id="x", text="Gunmen killed two guards at a bank.")
    coded = Coded(article.id, article.content_hash)
    assert coded.is_for(article)
    assert not coded.is_for(article.model_copy(update={"id": "stored-under-another-id"}))
    newer = Article(id="x", text="Gunmen killed three guards at a bank.")
    assert not coded.is_for(newer)


def _children(pid: int) -> set[int]:
    """The processes whose parent is `pid` (Linux /proc)."""
    found = set()
    for status in Path("/proc").glob("[0-9]*/status"):
        try:
            fields = dict(
                line.split(":\t", 1) for line in status.read_text().splitlines() if ":\t" in line
            )
        except OSError:  # the process ended while we looked
            continue
        if fields.get("PPid", "").strip() == str(pid):
            found.add(int(status.parent.name))
    return found


def _alive(pid: int) -> bool:
    """Running, not a zombie waiting for a container's init to reap it."""
    try:
        return "\tZ" not in (Path(f"/proc/{pid}/status").read_text().split("State:", 1)[1][:4])
    except (OSError, IndexError):
        return False


@pytest.mark.skipif(not sys.platform.startswith("linux"), reason="/proc and PDEATHSIG are Linux's")
def test_workers_die_with_a_killed_ingest(mixed_folder: Path, tmp_path: Path) -> None:
    command = [sys.executable, "-c", "from conflictlens.cli import app; app()"]
    args = ["ingest", str(mixed_folder), "--db", str(tmp_path / "x.db"), "--jobs", "2", "-q"]
    process = subprocess.Popen([*command, *args], stdout=subprocess.DEVNULL)
    deadline = time.monotonic() + 120
    workers: set[int] = set()
    while len(workers) < 2 and process.poll() is None and time.monotonic() < deadline:
        workers = _children(process.pid)
        time.sleep(0.05)
    assert len(workers) >= 2, "the ingest never started its two workers"
    process.send_signal(signal.SIGKILL)
    process.wait()
    deadline = time.monotonic() + 30
    while any(_alive(pid) for pid in workers) and time.monotonic() < deadline:
        time.sleep(0.1)
    alive = [pid for pid in workers if _alive(pid)]
    assert alive == [], f"workers {alive} outlived the killed ingest"
