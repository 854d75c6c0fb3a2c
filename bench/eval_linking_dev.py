"""Linking on real reports: one event per incident across outlets (shared/bench/linking_dev).

Ingests the folder's reports into a fresh database (in a fixed shuffled order) and scores the events
against its `clusters.yaml`: pairwise precision and recall, the multi-report incidents merged whole
(every pair of their reports in one event), the merged events that mix incidents, and each missed
pair with the reason the linker gives for keeping it apart. The texts are third-party: they are read
here at run time and never copied into the repository.

    python bench/eval_linking_dev.py [--folder DIR] [--db FILE] [--json] [-v]
"""

from __future__ import annotations

import argparse
import json
import sys
import tempfile
from collections import Counter
from collections.abc import Sequence
from dataclasses import asdict, dataclass, field
from itertools import combinations
from pathlib import Path

import yaml

from common import shared_dir
from conflictlens.evaluate_linking import (
    LinkingGold,
    copies_of,
    event_articles,
    ingest_folder,
    linked_pairs,
    load_linking_gold,
    score_links,
)
from conflictlens.linking.linker import (
    LINK_THRESHOLD,
    Mention,
    compatible,
    content_disagreements,
    disagreements,
    similarity,
)
from conflictlens.store import Store, StoredMention


@dataclass
class DevScore:
    """What the dev set measures; `missed` maps 'a.txt b.txt' to the reason they stayed apart."""

    pairwise_precision: float
    pairwise_recall: float
    incidents: int
    incidents_merged_whole: int
    merged_events: int
    mixed_events: list[list[str]]
    missed: dict[str, str] = field(default_factory=dict)
    wrongly_linked: list[list[str]] = field(default_factory=list)

    @property
    def whole_share(self) -> float:
        return self.incidents_merged_whole / self.incidents if self.incidents else 1.0

    @property
    def purity(self) -> float:
        if not self.merged_events:
            return 1.0
        return 1 - len(self.mixed_events) / self.merged_events


def load_clusters(folder: Path) -> list[list[str]]:
    """The gold incidents: the file names of each one's reports (`clusters.yaml`, or a
    `gold.yaml` of kind linking such as corpus/linking)."""
    if not (folder / "clusters.yaml").is_file():
        return load_linking_gold(folder / "gold.yaml").clusters
    raw = yaml.safe_load((folder / "clusters.yaml").read_text(encoding="utf-8"))
    return [list(entry["articles"]) for entry in raw]


def evaluate(folder: Path, store: Store, *, seed: int = 0) -> tuple[DevScore, dict[str, str]]:
    """Ingest the folder into `store` and score it; also returns each file's article id."""
    clusters = load_clusters(folder)
    gold = LinkingGold(clusters)
    article_of_name = ingest_folder(store, folder, gold.articles, seed=seed)
    report = score_links(gold, article_of_name, linked_pairs(store))
    name_of = {article: name for name, article in article_of_name.items()}
    incident_of = {name: i for i, cluster in enumerate(clusters) for name in cluster}
    merged = [
        sorted(name_of[a] for a in articles if a in name_of)
        for articles in event_articles(store).values()
    ]
    merged = [names for names in merged if len(names) > 1]
    mixed = [names for names in merged if len({incident_of[n] for n in names}) > 1]
    missed_pairs = set(report.missed)
    multi = [c for c in clusters if len(c) > 1]
    whole = sum(
        1 for c in multi if not any(pair in missed_pairs for pair in combinations(sorted(c), 2))
    )
    mentions = _mentions_by_file(store, article_of_name)
    return (
        DevScore(
            pairwise_precision=round(report.precision, 3),
            pairwise_recall=round(report.recall, 3),
            incidents=len(multi),
            incidents_merged_whole=whole,
            merged_events=len(merged),
            mixed_events=sorted(mixed),
            missed={f"{a} {b}": why_apart(mentions[a], mentions[b]) for a, b in report.missed},
            wrongly_linked=[list(pair) for pair in report.wrongly_linked],
        ),
        article_of_name,
    )


def _mentions_by_file(
    store: Store, article_of_name: dict[str, str]
) -> dict[str, list[StoredMention]]:
    """Each file's stored records; a near-duplicate copy has its original's."""
    original_of = {c: o for o, copies in copies_of(store).items() for c in copies}
    stored = store.stored_mentions(article_ids=list(article_of_name.values()))
    by_article: dict[str, list[StoredMention]] = {}
    for s in stored:
        by_article.setdefault(s.article_id, []).append(s)
    return {
        name: by_article.get(original_of.get(article, article), [])
        for name, article in article_of_name.items()
    }


def why_apart(first: Sequence[StoredMention], second: Sequence[StoredMention]) -> str:
    """The linker's reason for two reports of one incident being in different events."""
    a_incidents = [_mention(s) for s in first if s.record.kind == "incident"]
    b_incidents = [_mention(s) for s in second if s.record.kind == "incident"]
    for label, found, stored in (("first", a_incidents, first), ("second", b_incidents, second)):
        if not found:
            return f"no record ({label} report: {'only tallies' if stored else 'nothing coded'})"
    if (undated := _why_undated_apart(a_incidents, b_incidents)) is not None:
        return undated
    for label, found in (("first", a_incidents), ("second", b_incidents)):
        if not any(m.linkable for m in found):
            return f"not linkable ({label} report: {_unlinkable_reason(found[0])})"
    pairs = [(a, b) for a in a_incidents for b in b_incidents if a.linkable and b.linkable]
    a, b = min(pairs, key=lambda p: (len(disagreements(*p)), -similarity(*p), p[0].key, p[1].key))
    reasons = disagreements(a, b)
    if reasons:
        return "; ".join(f"{r} ({_detail(r, a, b)})" for r in reasons)
    score = similarity(a, b)
    if score < LINK_THRESHOLD:
        return f"too little agreement (score {score:.2f} < {LINK_THRESHOLD})"
    others = [
        _mention(s)
        for s in (*first, *second)
        if s.record.kind == "incident" and s.event_id in {_event_of(first, a), _event_of(second, b)}
    ]
    blockers = [
        f"{x.key[:8]}/{y.key[:8]}: {', '.join(disagreements(x, y))}"
        for x, y in combinations(others, 2)
        if x.article_id != y.article_id and not compatible(x, y)
    ]
    return "kept apart by another member of the events" + (
        f" ({'; '.join(blockers)})" if blockers else ""
    )


def _why_undated_apart(first: Sequence[Mention], second: Sequence[Mention]) -> str | None:
    """For a report with no date beside a dated one: why its content did not join it (or that it
    did match, so another event it could be as well held it back); None for any other pair."""
    for undated_side, dated_side in ((first, second), (second, first)):
        if any(m.linkable for m in undated_side) or not any(m.undated for m in undated_side):
            continue
        pairs = [(u, d) for u in undated_side if u.undated for d in dated_side if d.linkable]
        if not pairs:
            if any(m.undated for m in dated_side) and not any(m.linkable for m in dated_side):
                return "no date: neither report has one (undated reports never link to each other)"
            return None
        u, d = min(pairs, key=lambda p: (len(content_disagreements(*p)), p[0].key, p[1].key))
        reasons = content_disagreements(u, d)
        if not reasons:
            return "no date: its content matches, but another event it could be is in its region"
        return "no date: " + "; ".join(reasons)
    return None


def _mention(stored: StoredMention) -> Mention:
    return Mention.of(stored.record, stored.article_id, stored.published)


def _event_of(stored: Sequence[StoredMention], mention: Mention) -> str:
    return next(s.event_id for s in stored if s.record.event_id == mention.key)


def _unlinkable_reason(m: Mention) -> str:
    if m.event_date is None:
        return "no date"
    if (m.time_precision or 1) > 3:
        return "date known only to the year"
    if m.country_code is None:
        return "no country"
    return "no first-level region"


def _detail(reason: str, a: Mention, b: Mention) -> str:
    """The two values behind a failed rule, for a reader checking the extraction."""
    if reason == "regions apart":
        return f"{a.block} vs {b.block}"
    if reason == "dates apart":
        return f"{a.event_date} p{a.time_precision} vs {b.event_date} p{b.time_precision}"
    if reason == "places apart":
        return f"{a.latitude},{a.longitude} vs {b.latitude},{b.longitude}"
    if reason == "attackers differ":
        return f"{sorted(a.actors)} vs {sorted(b.actors)}"
    if reason == "event types differ":
        return f"{a.event_type} vs {b.event_type}"
    if reason == "tolls differ":
        return f"{_toll(a)} vs {_toll(b)}"
    return ""


def _toll(m: Mention) -> str:
    return f"{m.fatalities} [{m.fatalities_low}-{m.fatalities_high}]"


def print_records(mentions: dict[str, list[StoredMention]]) -> None:
    """Each file's records as the linker sees them (for -v)."""
    for name in sorted(mentions):
        for s in mentions[name]:
            e = s.record
            print(
                f"{name} pub={s.published} {e.kind[:3]} {e.event_date} p{e.time_precision}"
                f" {e.country_code}/{e.admin1} {e.location!r} g{e.geo_precision}"
                f" {e.sub_event_type} [{e.actor1} | {e.actor2}] toll={_toll(_mention(s))}"
                f" -> {s.event_id[:10]}"
            )


def main(argv: Sequence[str] | None = None) -> int:
    parser = argparse.ArgumentParser(description=__doc__.split("\n")[0])
    parser.add_argument("--folder", type=Path, help="default: shared/bench/linking_dev")
    parser.add_argument("--db", type=Path, help="keep the database here (default: a scratch file)")
    parser.add_argument("--seed", type=int, default=0, help="order the reports arrive in")
    parser.add_argument("--json", action="store_true", help="print the scores as JSON")
    parser.add_argument("-v", "--verbose", action="store_true", help="print every record")
    args = parser.parse_args(argv)
    shared = shared_dir()
    folder = args.folder or (shared / "bench" / "linking_dev" if shared else None)
    if folder is None or not any((folder / n).is_file() for n in ("clusters.yaml", "gold.yaml")):
        print("skipped: no linking_dev folder (set CONFLICTLENS_SHARED or pass --folder)")
        return 0
    with tempfile.TemporaryDirectory() as scratch:
        db = args.db or Path(scratch) / "linking_dev.db"
        db.unlink(missing_ok=True)
        with Store(db) as store:
            score, article_of_name = evaluate(folder, store, seed=args.seed)
            if args.verbose:
                print_records(_mentions_by_file(store, article_of_name))
    if args.json:
        print(json.dumps(asdict(score) | {"whole": score.whole_share, "purity": score.purity}))
        return 0
    print(f"linking_dev: {folder}")
    print(f"pairwise precision {score.pairwise_precision:.3f}  recall {score.pairwise_recall:.3f}")
    print(
        f"multi-report incidents merged whole: {score.incidents_merged_whole} of"
        f" {score.incidents} ({score.whole_share:.2f})"
    )
    print(
        f"merged events: {score.merged_events}, mixing incidents: {len(score.mixed_events)}"
        f" (pure {score.purity:.2f})"
    )
    for names in score.mixed_events:
        print(f"  mixed: {' '.join(names)}")
    for pair in score.wrongly_linked:
        print(f"  wrongly linked: {' '.join(pair)}")
    for pair, reason in score.missed.items():
        print(f"  missed {pair}: {reason}")
    causes = Counter(_cause(reason) for reason in score.missed.values())
    print("missed pairs by cause: " + ", ".join(f"{c} {n}" for c, n in causes.most_common()))
    return 0


def _cause(reason: str) -> str:
    """A miss's reason without the values: 'not linkable (first report: no date)' -> 'no date'."""
    if reason.startswith(("not linkable", "no record")):
        return reason.split(": ", 1)[1].rstrip(")")
    if reason.startswith("no date: "):
        return reason.split("; ", 1)[0]  # the first content rule that failed
    return "; ".join(part.split(" (", 1)[0] for part in reason.split("; "))


if __name__ == "__main__":
    sys.exit(main())
