"""The `conflictlens` command line: the same code as the Python API, with progress and clear errors.

Results go to stdout; problems go to stderr, one line each; a run that had any failure exits 1.
"""

from __future__ import annotations

import json
import sys
from datetime import date
from enum import StrEnum
from pathlib import Path
from typing import TYPE_CHECKING, Annotated

import typer
from rich.console import Console
from rich.progress import (
    BarColumn,
    MofNCompleteColumn,
    Progress,
    ProgressColumn,
    SpinnerColumn,
    Task,
    TextColumn,
    TimeElapsedColumn,
)
from rich.table import Table
from rich.text import Text

from conflictlens.ingest import ReadFailure, read_sources
from conflictlens.models import Article, Event
from conflictlens.pipeline import Ingestion, RunReport, extract_or_skip

if TYPE_CHECKING:
    from conflictlens.ingest.fetch import FetchSettings

app = typer.Typer(
    name="conflictlens",
    help="Turn news reports about political violence into an evidence-backed, geocoded event dataset.",
    no_args_is_help=True,
    rich_markup_mode="rich",
    pretty_exceptions_enable=False,
)
# Piped output keeps whole lines (one error per line) and tables a readable width.
out = Console(soft_wrap=True, width=None if sys.stdout.isatty() else 160)
err = Console(stderr=True, soft_wrap=True)

DbOption = Annotated[
    str,
    typer.Option(
        "--db",
        help="Database: a SQLAlchemy URL (sqlite:///x.db, postgresql://...) or a SQLite file path.",
    ),
]
DEFAULT_DB = "sqlite:///conflictlens.db"


class ExtractFormat(StrEnum):
    table = "table"
    json = "json"
    jsonl = "jsonl"
    csv = "csv"


class EventsFormat(StrEnum):
    table = "table"
    json = "json"
    jsonl = "jsonl"
    csv = "csv"
    geojson = "geojson"


class ExportFormat(StrEnum):
    acled_csv = "acled-csv"
    geojson = "geojson"
    jsonl = "jsonl"
    parquet = "parquet"


def _notify(level: str, source: str, message: str) -> None:
    colour = {"error": "red", "skipped": "yellow"}.get(level, "blue")
    err.print(f"[{colour}]{level}[/{colour}] {source}: {message}", highlight=False)


def _print_report(report: RunReport, *, as_json: bool = False) -> None:
    if as_json:
        out.print_json(json.dumps(report.to_dict()))
        return
    table = Table(title="Run summary", show_header=False)
    table.add_row("articles read", str(report.articles))
    if report.new or report.duplicates:
        table.add_row("new articles", str(report.new))
        table.add_row("already stored", str(report.duplicates))
    if report.copies or report.updated:
        table.add_row("near-duplicate copies", str(report.copies))
        table.add_row("newer versions", str(report.updated))
    table.add_row("events", str(report.events))
    for reason, n in sorted(report.skipped.items()):
        table.add_row(f"skipped: {reason}", str(n))
    table.add_row("failed", f"[red]{len(report.failures)}[/red]" if report.failures else "0")
    err.print(table)
    if report.failures:
        kinds = report.failure_kinds()
        err.print("failures by reason: " + ", ".join(f"{k} ({n})" for k, n in kinds.most_common()))


def _parse_date(value: str | None, option: str) -> date | None:
    if value is None:
        return None
    try:
        return date.fromisoformat(value)
    except ValueError:
        raise typer.BadParameter(
            f"{value!r} is not a date (YYYY-MM-DD)", param_hint=option
        ) from None


class _RateColumn(ProgressColumn):
    """Articles per second over the last seconds of the run."""

    def render(self, task: Task) -> Text:
        return Text(f"{task.speed:.1f}/s" if task.speed else "-/s")


def _progress(quiet: bool) -> Progress:
    return Progress(
        SpinnerColumn(),
        TextColumn("[bold]{task.description}"),
        BarColumn(),
        MofNCompleteColumn(),
        TextColumn("{task.fields[events]} events, {task.fields[errors]} errors"),
        _RateColumn(),
        TimeElapsedColumn(),
        console=err,
        disable=quiet or not err.is_terminal,
        transient=True,
    )


@app.command()
def extract(
    files: Annotated[
        list[str],
        typer.Argument(help="Article files, folders or JSONL/CSV dumps; '-' reads stdin."),
    ],
    published: Annotated[
        str | None,
        typer.Option(
            help="Publication date (YYYY-MM-DD) for articles that carry none; overrides none."
        ),
    ] = None,
    fmt: Annotated[
        ExtractFormat, typer.Option("--format", "-f", help="Output format.")
    ] = ExtractFormat.table,
    quiet: Annotated[
        bool, typer.Option("--quiet", "-q", help="No progress bar or summary.")
    ] = False,
) -> None:
    """Code articles into events without storing anything (no linking across articles)."""
    default_published = _parse_date(published, "--published")
    report = RunReport()
    results: list[tuple[Article, list[Event]]] = []
    with _progress(quiet) as progress:
        task = progress.add_task("extracting", total=None, events=0, errors=0)
        for item in read_sources(files):
            if isinstance(item, ReadFailure):
                report.failures.append((item.source, item.reason))
                _notify("error", item.source, item.reason)
                continue
            report.articles += 1
            if item.published is None and default_published is not None:
                item.published = default_published
            events = extract_or_skip(item, report, _notify)
            if events is not None:
                results.append((item, events))
                report.events += len(events)
            progress.update(task, advance=1, events=report.events, errors=len(report.failures))
    _print_events(results, fmt)
    if not quiet or report.failures:
        _print_report(report)
    if report.failures:
        raise typer.Exit(1)


def _print_events(results: list[tuple[Article, list[Event]]], fmt: ExtractFormat) -> None:
    events = [e for _, events in results for e in events]
    if fmt is ExtractFormat.json:
        sys.stdout.write(
            json.dumps([e.to_json_dict() for e in events], ensure_ascii=False, indent=2) + "\n"
        )
    elif fmt is ExtractFormat.jsonl:
        from conflictlens.export import write_jsonl

        write_jsonl(events, sys.stdout)
    elif fmt is ExtractFormat.csv:
        from conflictlens.export import write_acled_csv

        write_acled_csv(events, sys.stdout)
    else:
        for article, article_events in results:
            out.print(_events_table(article_events, article))


def _sentence_around(text: str, start: int, end: int) -> str:
    left = max(text.rfind(". ", 0, start) + 2, text.rfind("\n", 0, start) + 1, 0)
    stops = [i for i in (text.find(". ", end), text.find("\n", end)) if i != -1]
    right = min(stops) + 1 if stops else len(text)
    return text[left:right].strip()


def _fatalities_text(event: Event) -> str:
    if event.fatalities is None:
        if event.fatalities_low is not None:
            return f"? ({event.fatalities_low}-{event.fatalities_high or ''})"
        return "-"
    if event.fatalities_low == event.fatalities_high or (
        event.fatalities_low is None and event.fatalities_high is None
    ):
        return str(event.fatalities)
    return f"{event.fatalities} ({event.fatalities_low or ''}-{event.fatalities_high or ''})"


def _events_table(events: list[Event], article: Article | None = None) -> Table:
    title = None
    if article is not None:
        title = f"{article.title or article.source or article.id} — {len(events)} event(s)"
    table = Table(title=title, show_lines=True, expand=True)
    for column in (
        "date",
        "type",
        "where",
        "actor1",
        "actor2",
        "killed",
        "wounded",
        "sources",
        "evidence",
    ):
        table.add_column(column, overflow="fold")
    for event in events:
        when = event.event_date.isoformat() if event.event_date else "unresolved"
        if event.time_precision and event.time_precision > 1:
            when += f" (p{event.time_precision})"
        kind = "[dim]aggregate[/dim]\n" if event.kind == "aggregate" else ""
        where = (
            ", ".join(dict.fromkeys(x for x in (event.location, event.admin1, event.country) if x))
            or "-"
        )
        evidence = next((e for e in event.evidence if e.field == "fatalities"), None) or next(
            iter(event.evidence), None
        )
        sentence = (
            _sentence_around(article.text, evidence.start, evidence.end)
            if evidence and article
            else ""
        )
        flags = f"\n[yellow]{', '.join(event.flags)}[/yellow]" if event.flags else ""
        table.add_row(
            when,
            f"{kind}{event.sub_event_type or '-'}",
            where,
            event.actor1 or "-",
            event.actor2 or "-",
            _fatalities_text(event),
            str(event.wounded) if event.wounded is not None else "-",
            ", ".join(event.sources) or "-",
            sentence + flags,
        )
    return table


TimeoutOpt = Annotated[
    float, typer.Option("--timeout", help="Seconds to wait for a web server.", min=0.01)
]
DelayOpt = Annotated[
    float, typer.Option("--delay", help="Seconds between two requests to the same host.", min=0)
]
RetriesOpt = Annotated[
    int, typer.Option("--retries", help="Retries on connection errors, 5xx and 429.", min=0)
]
CacheOpt = Annotated[
    Path | None,
    typer.Option("--cache", help="HTTP cache folder (default: <data dir>/http-cache)."),
]


def _fetch_settings(
    timeout: float, delay: float, retries: int, cache: Path | None
) -> FetchSettings:
    from conflictlens.ingest.fetch import FetchSettings, default_cache_dir

    return FetchSettings(
        timeout=timeout,
        host_delay=delay,
        retries=retries,
        backoff=min(1.0, timeout),
        cache_dir=cache or default_cache_dir(),
    )


@app.command()
def ingest(
    sources: Annotated[
        list[str],
        typer.Argument(
            help="Files, folders, JSONL/CSV dumps, HTML pages, RSS/Atom feeds, WARC files, "
            "http(s) URLs and URL lists (.urls, or a .txt of URLs only); '-' reads stdin."
        ),
    ],
    db: DbOption = DEFAULT_DB,
    quiet: Annotated[
        bool, typer.Option("--quiet", "-q", help="No progress bar; failures only.")
    ] = False,
    as_json: Annotated[bool, typer.Option("--json", help="Print the run summary as JSON.")] = False,
    timeout: TimeoutOpt = 20.0,
    delay: DelayOpt = 1.0,
    retries: RetriesOpt = 3,
    cache: CacheOpt = None,
    jobs: Annotated[
        int | None,
        typer.Option(
            "--jobs",
            "-j",
            min=1,
            help="Worker processes that extract (default: the machine's cores); "
            "one process stores and links, so the result is the same for any N.",
        ),
    ] = None,
) -> None:
    """Store articles, extract their events and keep them. Safe to run twice on the same input."""
    from conflictlens.ingest.fetch import Fetcher
    from conflictlens.parallel import code_ahead, default_jobs
    from conflictlens.store import Store

    settings = _fetch_settings(timeout, delay, retries, cache)
    with (
        Store(db) as store,
        Fetcher(settings) as fetcher,
        _progress(quiet or as_json) as progress,
    ):
        ingestion = Ingestion(store, sources=sources, notify=_notify)
        report = ingestion.report
        task = progress.add_task("ingesting", total=None, events=0, errors=0)
        items = read_sources(sources, fetcher=fetcher)
        for item, coded in code_ahead(items, jobs or default_jobs()):
            ingestion.add(item, coded)
            progress.update(task, advance=1, events=report.events, errors=len(report.failures))
        ingestion.finish()
    if not quiet or report.failures:
        _print_report(report, as_json=as_json)
    if report.failures:
        raise typer.Exit(1)


@app.command()
def watch(
    sources_file: Annotated[
        Path,
        typer.Argument(
            metavar="SOURCES.yaml",
            help="Feeds and pages to follow, with intervals and alert rules (see README).",
        ),
    ],
    db: DbOption = DEFAULT_DB,
    once: Annotated[
        bool, typer.Option("--once", help="Poll every source once, then exit.")
    ] = False,
    state: Annotated[
        Path | None,
        typer.Option(help="Watch state file (default: SOURCES.state.json next to SOURCES.yaml)."),
    ] = None,
    quiet: Annotated[bool, typer.Option("--quiet", "-q", help="Alerts and failures only.")] = False,
    as_json: Annotated[
        bool, typer.Option("--json", help="Alerts and round summaries as JSON lines.")
    ] = False,
    timeout: TimeoutOpt = 20.0,
    delay: DelayOpt = 1.0,
    retries: RetriesOpt = 3,
    cache: CacheOpt = None,
) -> None:
    """Follow feeds and pages: poll on schedule, ingest what is new, link it, raise alerts."""
    import time

    from conflictlens.ingest.fetch import Fetcher
    from conflictlens.store import Store
    from conflictlens.watch import (
        Alert,
        RoundReport,
        WatchConfigError,
        Watcher,
        default_state_path,
        load_config,
    )

    def print_alert(alert: Alert) -> None:
        if as_json:
            sys.stdout.write(json.dumps(alert.payload(), ensure_ascii=False) + "\n")
        else:
            out.print(alert.summary(), highlight=False)
        sys.stdout.flush()

    def print_round(round_report: RoundReport) -> None:
        if as_json:
            sys.stdout.write(json.dumps({"round": round_report.to_dict()}) + "\n")
        elif once:
            _print_report(round_report.ingest)
            err.print(f"alerts fired: {round_report.alerts}")
        else:
            ingest_report = round_report.ingest
            err.print(
                f"{time.strftime('%H:%M:%S')} polled {round_report.polled} "
                f"({round_report.unchanged} unchanged): {ingest_report.new} new articles, "
                f"{ingest_report.events} events, {round_report.alerts} alerts, "
                f"{len(ingest_report.failures)} errors",
                highlight=False,
            )

    try:
        config = load_config(sources_file)
        state_path = state or default_state_path(sources_file)
        settings = _fetch_settings(timeout, delay, retries, cache)
        with Store(db) as store, Fetcher(settings) as fetcher:
            watcher = Watcher(
                config,
                config_path=sources_file,
                store=store,
                fetcher=fetcher,
                state_path=state_path,
                notify=_notify,
                print_alert=print_alert,
            )
            if once:
                round_report = watcher.poll(every_source=True)
                if not quiet or round_report.ingest.failures:
                    print_round(round_report)
                if round_report.ingest.failures:
                    raise typer.Exit(1)
                return
            while True:
                time.sleep(watcher.seconds_until_due())
                round_report = watcher.poll()
                if not quiet:
                    print_round(round_report)
    except WatchConfigError as exc:
        err.print(f"[red]error[/red] {exc}", highlight=False)
        raise typer.Exit(2) from None
    except KeyboardInterrupt:
        err.print("watch stopped; the next start resumes from the state file")


def _filters(
    country: str | None,
    admin1: str | None,
    since: str | None,
    until: str | None,
    event_type: str | None,
    kind: str | None,
    actor: str | None,
    min_fatalities: int | None,
) -> dict:
    return {
        "country": country,
        "admin1": admin1,
        "since": _parse_date(since, "--since"),
        "until": _parse_date(until, "--until"),
        "event_type": event_type,
        "kind": kind,
        "actor": actor,
        "min_fatalities": min_fatalities,
    }


CountryOpt = Annotated[str | None, typer.Option(help="Country name or ISO code.")]
Admin1Opt = Annotated[
    str | None, typer.Option(help="First-level region (province, governorate, state).")
]
SinceOpt = Annotated[str | None, typer.Option(help="From this date (YYYY-MM-DD), inclusive.")]
UntilOpt = Annotated[str | None, typer.Option(help="Up to this date (YYYY-MM-DD), inclusive.")]
TypeOpt = Annotated[str | None, typer.Option("--type", help="ACLED event type, e.g. 'Battles'.")]
KindOpt = Annotated[str | None, typer.Option(help="'incident' or 'aggregate'.")]
ActorOpt = Annotated[str | None, typer.Option(help="Canonical actor name (actor1 or actor2).")]
MinFatalOpt = Annotated[
    int | None, typer.Option("--min-fatalities", help="At least this many fatalities.")
]


@app.command()
def events(
    db: DbOption = DEFAULT_DB,
    country: CountryOpt = None,
    admin1: Admin1Opt = None,
    since: SinceOpt = None,
    until: UntilOpt = None,
    event_type: TypeOpt = None,
    kind: KindOpt = None,
    actor: ActorOpt = None,
    min_fatalities: MinFatalOpt = None,
    limit: Annotated[int | None, typer.Option(help="At most this many events.")] = None,
    fmt: Annotated[EventsFormat, typer.Option("--format", "-f")] = EventsFormat.table,
    summary: Annotated[
        bool, typer.Option("--summary", help="Counts by country, type and month instead.")
    ] = False,
    event_id: Annotated[str | None, typer.Option("--id", help="Show one event.")] = None,
    mentions: Annotated[
        bool, typer.Option("--mentions", help="With --id: each report's own values.")
    ] = False,
) -> None:
    """List stored events, one event, or a summary of the dataset."""
    from conflictlens.store import Store

    with Store(db) as store:
        if summary:
            _print_summary(store.summary())
            return
        if event_id is not None:
            event = store.get_event(event_id)
            if event is None:
                err.print(f"[red]error[/red] no event with id {event_id!r}")
                raise typer.Exit(1)
            payload = event.to_json_dict()
            if mentions:
                payload["mentions"] = [
                    {"article_id": a, "record": m.to_json_dict()}
                    for a, m in store.mentions_of(event_id)
                ]
            sys.stdout.write(json.dumps(payload, ensure_ascii=False, indent=2) + "\n")
            return
        found = store.events(
            **_filters(country, admin1, since, until, event_type, kind, actor, min_fatalities),
            limit=limit,
        )
    if fmt is EventsFormat.table:
        out.print(_events_table(found))
    elif fmt is EventsFormat.json:
        sys.stdout.write(
            json.dumps([e.to_json_dict() for e in found], ensure_ascii=False, indent=2) + "\n"
        )
    else:
        from conflictlens.export import FORMATS

        FORMATS[{"jsonl": "jsonl", "csv": "acled-csv", "geojson": "geojson"}[fmt.value]](
            found, sys.stdout
        )


def _print_summary(summary: object) -> None:
    from conflictlens.store import Summary

    assert isinstance(summary, Summary)
    out.print(
        f"[bold]{summary.articles}[/bold] articles, [bold]{summary.total.events}[/bold] events "
        f"({summary.total.incidents} incidents), [bold]{summary.total.fatalities}[/bold] fatalities in incidents"
    )
    for title, tallies in (
        ("By country", summary.by_country),
        ("By event type", summary.by_event_type),
        ("By month", summary.by_month),
    ):
        table = Table(title=title)
        for column in (title.split()[-1], "events", "incidents", "fatalities"):
            table.add_column(column, justify="left" if column == title.split()[-1] else "right")
        for key, tally in tallies.items():
            table.add_row(key, str(tally.events), str(tally.incidents), str(tally.fatalities))
        out.print(table)


@app.command()
def export(
    fmt: Annotated[
        ExportFormat, typer.Option("--format", "-f", help="Export format.")
    ] = ExportFormat.jsonl,
    output: Annotated[
        Path | None, typer.Option("--output", "-o", help="File to write (default: stdout).")
    ] = None,
    db: DbOption = DEFAULT_DB,
    country: CountryOpt = None,
    admin1: Admin1Opt = None,
    since: SinceOpt = None,
    until: UntilOpt = None,
    event_type: TypeOpt = None,
    kind: KindOpt = None,
    actor: ActorOpt = None,
    min_fatalities: MinFatalOpt = None,
) -> None:
    """Export stored events: ACLED-compatible CSV, GeoJSON, JSON Lines or Parquet (streamed)."""
    from conflictlens.export import FORMATS
    from conflictlens.store import Store

    if fmt is ExportFormat.parquet and output is None:
        raise typer.BadParameter(
            "Parquet is a binary file: give one with -o", param_hint="--output"
        )
    with Store(db) as store:
        rows = store.iter_events(
            **_filters(country, admin1, since, until, event_type, kind, actor, min_fatalities)
        )
        if fmt is ExportFormat.parquet:
            from conflictlens.parquet import write_parquet

            n = write_parquet(rows, output)
        elif output is None:
            n = FORMATS[fmt.value](rows, sys.stdout)
        else:
            with output.open("w", encoding="utf-8", newline="") as fp:
                n = FORMATS[fmt.value](rows, fp)
    err.print(f"exported {n} events as {fmt.value}" + (f" to {output}" if output else ""))


class BatchEngine(StrEnum):
    local = "local"
    spark = "spark"


class BatchExtra(StrEnum):
    acled_csv = "acled-csv"
    geojson = "geojson"


@app.command()
def batch(
    inputs: Annotated[
        list[str],
        typer.Argument(
            help="JSON Lines, CSV or Parquet dumps (columns id, text, published, title, url, "
            "outlet), WARC files or folders; with Spark, any path Spark reads (hdfs://, s3a://)."
        ),
    ],
    output: Annotated[Path, typer.Option("--output", "-o", help="Folder to write into.")],
    engine: Annotated[
        BatchEngine, typer.Option("--engine", help="local: this machine; spark: a Spark cluster.")
    ] = BatchEngine.local,
    master: Annotated[
        str | None,
        typer.Option("--master", help="Spark master URL (default: spark-submit's, or local[*])."),
    ] = None,
    jobs: Annotated[
        int | None,
        typer.Option(
            "--jobs", "-j", min=1, help="Local engine's worker processes (default: cores)."
        ),
    ] = None,
    also: Annotated[
        list[BatchExtra] | None,
        typer.Option("--format", "-f", help="Also write events.csv (acled-csv) or events.geojson."),
    ] = None,
    as_json: Annotated[bool, typer.Option("--json", help="Print the run summary as JSON.")] = False,
) -> None:
    """Code a whole dump at once and write events.parquet and mentions.parquet: the events
    `ingest` then `export` give for the same input, on this machine or on a Spark cluster."""
    from conflictlens.batch import run_batch
    from conflictlens.parallel import default_jobs

    report, files = run_batch(
        inputs,
        output,
        engine=engine.value,
        master=master,
        jobs=jobs or default_jobs(),
        formats=[f.value for f in also or []],
    )
    _print_report(report, as_json=as_json)
    for name, path in files.items():
        err.print(f"{name}: {path}")
    if report.failures:
        raise typer.Exit(1)


@app.command("eval")
def evaluate_command(
    gold: Annotated[
        Path,
        typer.Argument(
            help="Gold annotations (YAML, the spec's format).", exists=True, dir_okay=False
        ),
    ],
    texts: Annotated[
        Path | None, typer.Option(help="Folder of the articles (default: the gold file's folder).")
    ] = None,
    as_json: Annotated[bool, typer.Option("--json", help="Print the report as JSON.")] = False,
    verbose: Annotated[
        bool, typer.Option("--verbose", "-v", help="List missed and spurious events.")
    ] = False,
) -> None:
    """Score against gold: the extractor (event P/R/F1, per-field accuracy) or, for a gold file
    of `kind: linking`, cross-report linking (pairwise precision and recall)."""
    from conflictlens.evaluate_linking import is_linking_gold

    if is_linking_gold(gold):
        _evaluate_linking(gold, texts or gold.parent, as_json=as_json, verbose=verbose)
        return
    from conflictlens.evaluate import (
        GoldFormatError,
        evaluate,
        gold_article_extractor,
        load_gold,
        render_report,
    )

    try:
        gold_articles = load_gold(gold)
    except GoldFormatError as exc:
        err.print(f"[red]error[/red] {exc}")
        raise typer.Exit(2) from None

    report = evaluate(gold_articles, gold_article_extractor(texts or gold.parent))
    if as_json:
        sys.stdout.write(json.dumps(report.to_dict(), indent=2, default=str) + "\n")
    else:
        render_report(report, out, verbose=verbose)


def _evaluate_linking(gold: Path, folder: Path, *, as_json: bool, verbose: bool) -> None:
    from conflictlens.evaluate import GoldFormatError
    from conflictlens.evaluate_linking import evaluate_linking, load_linking_gold

    try:
        report = evaluate_linking(load_linking_gold(gold), folder)
    except GoldFormatError as exc:
        err.print(f"[red]error[/red] {exc}")
        raise typer.Exit(2) from None
    if as_json:
        sys.stdout.write(json.dumps(report.to_dict(), indent=2) + "\n")
        return
    table = Table(title=f"Linking: {gold}")
    for column in ("pairwise precision", "pairwise recall", "linked right", "wrongly", "missed"):
        table.add_column(column, justify="right")
    table.add_row(
        f"{report.precision:.3f}",
        f"{report.recall:.3f}",
        str(report.true_positives),
        str(report.false_positives),
        str(report.false_negatives),
    )
    out.print(table)
    if verbose:
        for a, b in report.wrongly_linked:
            out.print(f"[red]wrongly linked[/red] {a} + {b}")
        for a, b in report.missed:
            out.print(f"[yellow]missed[/yellow] {a} + {b}")


@app.command()
def serve(
    db: DbOption = DEFAULT_DB,
    host: Annotated[
        str, typer.Option(help="Address to listen on; the default keeps the desk on this machine.")
    ] = "127.0.0.1",
    port: Annotated[int, typer.Option(help="Port to listen on.")] = 8000,
    token: Annotated[
        str | None,
        typer.Option(
            envvar="CONFLICTLENS_TOKEN",
            help="Token that writes (ingest, review) must send as 'Authorization: Bearer ...'; "
            "without one the server is read-only.",
        ),
    ] = None,
) -> None:
    """Serve the JSON API (documented at /docs) and the analysts' desk on the database."""
    import uvicorn

    from conflictlens.web import create_app
    from conflictlens.web.app import missing_vendor_files

    missing = missing_vendor_files()
    if missing:
        err.print(
            f"[yellow]warning[/yellow] desk: front-end files missing ({', '.join(missing)}); "
            "run `make install` to copy them in"
        )
    mode = "writes need the token" if token else "read-only (no --token)"
    err.print(f"desk on http://{host}:{port}/ , API docs on http://{host}:{port}/docs ; {mode}")
    # Idle connections are kept 30 s (uvicorn's default is 5): a busy desk or a reader under load
    # would otherwise find its pooled connection closed as it sends the next request.
    uvicorn.run(
        create_app(db, token=token),
        host=host,
        port=port,
        log_level="warning",
        timeout_keep_alive=30,
    )


gazetteer_app = typer.Typer(
    help="The offline gazetteer: village-level places from a GeoNames dump.", no_args_is_help=True
)
app.add_typer(gazetteer_app, name="gazetteer")


@gazetteer_app.command("import")
def gazetteer_import(
    files: Annotated[
        list[Path],
        typer.Argument(
            help="GeoNames dump files you downloaded: allCountries.zip, a country file (SY.zip), "
            "cities1000.zip, admin1CodesASCII.txt, admin2Codes.txt, alternateNamesV2.zip.",
            exists=True,
            dir_okay=False,
        ),
    ],
) -> None:
    """Load a GeoNames dump into the gazetteer index (streamed; nothing is downloaded)."""
    from conflictlens.geo import Gazetteer
    from conflictlens.geo.importer import import_geonames_dump

    index = Gazetteer.default().index_path
    report = import_geonames_dump(files, index)
    err.print(
        f"imported {report.places} places, {report.admin1} admin1 and {report.admin2} admin2 names, "
        f"{report.alternate_names} alternate names into {index}"
    )
