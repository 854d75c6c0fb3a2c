"""The `conflictlens` command line: the same code as the Python API, with progress and clear errors.

Results go to stdout; problems go to stderr, one line each; a run that had any failure exits 1.
"""

from __future__ import annotations

import json
import socket
import sys
from collections import Counter
from dataclasses import dataclass
from datetime import date
from enum import StrEnum
from pathlib import Path
from typing import TYPE_CHECKING, Annotated, Any

import typer
from rich.console import Console
from rich.progress import (
    BarColumn,
    MofNCompleteColumn,
    Progress,
    ProgressColumn,
    SpinnerColumn,
    Task,
    TaskID,
    TextColumn,
    TimeElapsedColumn,
)
from rich.table import Table
from rich.text import Text
from typer.core import TyperCommand, TyperGroup

from conflictlens.ingest import ReadFailure, known_article_count, read_sources
from conflictlens.models import Article, Event, Evidence
from conflictlens.pipeline import Ingestion, Notify, RunReport, extract_or_skip

if TYPE_CHECKING:
    from conflictlens.ingest.fetch import FetchSettings, IPNetwork
    from conflictlens.store import Store


def _flags_take_no_value(params: list) -> list:
    """Show on/off flags as flags: typer prints `<bool>` after them otherwise, which reads as if
    `--quiet` took a value (and `--quiet true` then reads "true" as an input)."""
    for param in params:
        if getattr(param, "is_flag", False) and param.metavar is None:
            param.metavar = ""
    return params


class _Command(TyperCommand):
    def get_params(self, ctx: typer.Context) -> list:
        return _flags_take_no_value(super().get_params(ctx))


class _Group(TyperGroup):
    def get_params(self, ctx: typer.Context) -> list:
        return _flags_take_no_value(super().get_params(ctx))


class _Typer(typer.Typer):
    """Every command of the CLI shows its flags as flags (see `_flags_take_no_value`)."""

    def command(self, *args: Any, **kwargs: Any) -> Any:
        kwargs.setdefault("cls", _Command)
        return super().command(*args, **kwargs)


app = _Typer(
    name="conflictlens",
    cls=_Group,
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
        envvar="CONFLICTLENS_DB",
        help="Database: a SQLAlchemy URL (sqlite:///x.db, postgresql://...) or a SQLite file path. "
        "The default is the file conflictlens.db in the current folder.",
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
    ucdp_csv = "ucdp-csv"
    geojson = "geojson"
    jsonl = "jsonl"
    parquet = "parquet"


def _notify(level: str, source: str, message: str) -> None:
    colour = {"error": "red", "skipped": "yellow"}.get(level, "blue")
    err.print(f"[{colour}]{level}[/{colour}] {source}: {message}", highlight=False)


def _notify_errors(level: str, source: str, message: str) -> None:
    """`--quiet`: failures only (a day's feed has thousands of copies and skips to tell of)."""
    if level == "error":
        _notify(level, source, message)


def _notifier(quiet: bool) -> Notify:
    return _notify_errors if quiet else _notify


@dataclass(frozen=True)
class _LinkingOutcome:
    """What an ingest's records became once linked: the summary counts events, not records (a
    report of an incident already stored, or told twice in the batch, adds a record, no event)."""

    records: int
    events_before: int
    events_after: int

    @property
    def new_events(self) -> int:
        return max(self.events_after - self.events_before, 0)

    @property
    def records_linked(self) -> int:
        """Records that joined another report's event instead of making one of their own."""
        return max(self.records - self.new_events, 0)

    def to_dict(self) -> dict[str, int]:
        return {
            "records": self.records,
            "new_events": self.new_events,
            "records_linked_into_other_events": self.records_linked,
            "events_in_dataset": self.events_after,
        }


def _print_report(
    report: RunReport, *, as_json: bool = False, linking: _LinkingOutcome | None = None
) -> None:
    if as_json:
        payload = report.to_dict()
        if linking is not None:
            payload["linking"] = linking.to_dict()
        out.print_json(json.dumps(payload))
        return
    table = Table(title="Run summary", show_header=False)
    table.add_row("articles read", str(report.articles))
    if report.new or report.duplicates:
        table.add_row("new articles", str(report.new))
        table.add_row("already stored", str(report.duplicates))
    if report.copies or report.updated:
        table.add_row("near-duplicate copies", str(report.copies))
        table.add_row("newer versions", str(report.updated))
    if linking is None:
        table.add_row("events", str(report.events))
    else:
        table.add_row("records extracted", str(linking.records))
        table.add_row("new events after linking", str(linking.new_events))
        table.add_row("records linked into other events", str(linking.records_linked))
        table.add_row("events in the dataset", str(linking.events_after))
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
        bool, typer.Option("--quiet/--no-quiet", "-q", help="No progress bar or summary.")
    ] = False,
) -> None:
    """Code articles into events without storing anything (no linking across articles)."""
    default_published = _parse_date(published, "--published")
    report = RunReport()
    results: list[tuple[Article, list[Event]]] = []
    with _progress(quiet) as progress:
        task = progress.add_task("extracting", total=known_article_count(files), events=0, errors=0)
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
    """The sentence (or line) holding text[start:end]; one at the start of the text begins at 0."""
    full_stop = text.rfind(". ", 0, start)
    left = max(full_stop + 2 if full_stop != -1 else 0, text.rfind("\n", 0, start) + 1)
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
        sentence = _evidence_text(evidence, article)
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


def _evidence_text(evidence: Evidence | None, article: Article | None) -> str:
    """The evidence sentence when the article is at hand (extract), else the evidence's own words
    (a stored event's listing), so the column is never empty while the record has evidence."""
    if evidence is None:
        return ""
    if article is not None and article.id == evidence.article_id:
        return _sentence_around(article.text, evidence.start, evidence.end)
    return evidence.text


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
AllowNetOpt = Annotated[
    list[str] | None,
    typer.Option(
        "--allow-net",
        metavar="CIDR",
        help="A non-public network URLs may be fetched from (e.g. 10.20.0.0/16); repeatable. "
        "Loopback, private, link-local and metadata addresses are refused otherwise.",
    ),
]


def _allowed_networks(allow_net: list[str] | None) -> tuple[IPNetwork, ...]:
    from conflictlens.ingest.fetch import parse_networks

    try:
        return parse_networks(allow_net or [])
    except ValueError as exc:
        raise typer.BadParameter(str(exc), param_hint="--allow-net") from None


def _fetch_settings(
    timeout: float, delay: float, retries: int, cache: Path | None, allow_net: list[str] | None
) -> FetchSettings:
    from conflictlens.ingest.fetch import FetchSettings, default_cache_dir

    return FetchSettings(
        timeout=timeout,
        host_delay=delay,
        retries=retries,
        backoff=min(1.0, timeout),
        cache_dir=cache or default_cache_dir(),
        allowed_networks=_allowed_networks(allow_net),
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
        bool, typer.Option("--quiet/--no-quiet", "-q", help="No progress bar; failures only.")
    ] = False,
    as_json: Annotated[bool, typer.Option("--json", help="Print the run summary as JSON.")] = False,
    timeout: TimeoutOpt = 20.0,
    delay: DelayOpt = 1.0,
    retries: RetriesOpt = 3,
    cache: CacheOpt = None,
    allow_net: AllowNetOpt = None,
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

    settings = _fetch_settings(timeout, delay, retries, cache, allow_net)
    with (
        Store(db) as store,
        Fetcher(settings) as fetcher,
        _progress(quiet or as_json) as progress,
    ):
        ingestion = Ingestion(store, sources=sources, notify=_notifier(quiet))
        report = ingestion.report
        task = progress.add_task(
            "ingesting", total=known_article_count(sources), events=0, errors=0
        )
        events_before = store.count_events()
        items = read_sources(sources, fetcher=fetcher)
        for item, coded in code_ahead(items, jobs or default_jobs()):
            ingestion.add(item, coded)
            progress.update(task, advance=1, events=report.events, errors=len(report.failures))
        ingestion.finish()
        linking = _LinkingOutcome(report.events, events_before, store.count_events())
    if not quiet or report.failures:
        _print_report(report, as_json=as_json, linking=linking)
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
    quiet: Annotated[
        bool, typer.Option("--quiet/--no-quiet", "-q", help="Alerts and failures only.")
    ] = False,
    as_json: Annotated[
        bool, typer.Option("--json", help="Alerts and round summaries as JSON lines.")
    ] = False,
    timeout: TimeoutOpt = 20.0,
    delay: DelayOpt = 1.0,
    retries: RetriesOpt = 3,
    cache: CacheOpt = None,
    allow_net: AllowNetOpt = None,
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
        settings = _fetch_settings(timeout, delay, retries, cache, allow_net)
        with Store(db) as store, Fetcher(settings) as fetcher:
            watcher = Watcher(
                config,
                config_path=sources_file,
                store=store,
                fetcher=fetcher,
                state_path=state_path,
                notify=_notifier(quiet),
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
    with _open_existing_store(db) as store:
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
                from conflictlens.linking import report_differences

                reports = store.mentions_of(event_id)
                payload["mentions"] = [
                    {"article_id": a, "record": m.to_json_dict()} for a, m in reports
                ]
                payload["differences"] = report_differences([m for _, m in reports]).model_dump(
                    mode="json"
                )
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

        # A listing writes every event it lists (tallies and undated events tagged in CSV);
        # GeoJSON cannot hold events without coordinates, and says how many it left out.
        left_out: Counter[str] = Counter()
        options: dict[str, Any] = {
            EventsFormat.csv: {"include_aggregates": True, "include_undated": True},
            EventsFormat.geojson: {"left_out": left_out},
        }.get(fmt, {})
        FORMATS[{"jsonl": "jsonl", "csv": "acled-csv", "geojson": "geojson"}[fmt.value]](
            found, sys.stdout, **options
        )
        if left_out:
            err.print(_left_out_message(left_out), highlight=False)


def _missing_sqlite_file(db: str) -> Path | None:
    """The SQLite file `db` names when it does not exist; None for other databases."""
    from sqlalchemy.engine import make_url

    url = make_url(db if "://" in db else f"sqlite:///{Path(db).expanduser()}")
    database = url.database or ""
    if url.get_backend_name() != "sqlite" or database in ("", ":memory:"):
        return None
    if database.startswith("file:"):
        return None
    path = Path(database)
    return None if path.exists() else path.resolve()


def _require_existing_database(db: str) -> None:
    """Commands that only read never create a database: a mistyped --db (or a run from another
    folder, since the default is relative) is an error, not an empty dataset."""
    missing = _missing_sqlite_file(db)
    if missing is None:
        return
    err.print(
        f"[red]error[/red] no database at {missing} (nothing was created). --db defaults to "
        "conflictlens.db in the current folder; give the path of one `conflictlens ingest` wrote, "
        "or set CONFLICTLENS_DB.",
        highlight=False,
    )
    raise typer.Exit(2)


def _open_existing_store(db: str) -> Store:
    """The Store of a database that exists; a clear error (exit 2) when it cannot be opened."""
    from sqlalchemy.exc import OperationalError

    from conflictlens.store import Store

    _require_existing_database(db)
    try:
        return Store(db)
    except OperationalError as exc:
        err.print(f"[red]error[/red] cannot open the database {db}: {exc.orig}", highlight=False)
        raise typer.Exit(2) from None


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
    include_aggregates: Annotated[
        bool,
        typer.Option(
            "--include-aggregates/--no-include-aggregates",
            help="acled-csv: keep tallies over many incidents (tagged 'aggregate').",
        ),
    ] = False,
    include_undated: Annotated[
        bool,
        typer.Option(
            "--include-undated/--no-include-undated",
            help="acled-csv: keep events without a date (tagged 'date unknown').",
        ),
    ] = False,
) -> None:
    """Export stored events: ACLED-compatible CSV, UCDP GED CSV, GeoJSON, JSON Lines or Parquet
    (streamed). What a format cannot hold (tallies and undated events in ACLED and UCDP CSV, events
    without coordinates in GeoJSON) is counted and reported."""
    from conflictlens.export import FORMATS

    if fmt is ExportFormat.parquet and output is None:
        raise typer.BadParameter(
            "Parquet is a binary file: give one with -o", param_hint="--output"
        )
    writer = FORMATS.get(fmt.value)
    left_out: Counter[str] = Counter()
    options: dict[str, Any] = {
        ExportFormat.acled_csv: {
            "include_aggregates": include_aggregates,
            "include_undated": include_undated,
            "left_out": left_out,
        },
        ExportFormat.ucdp_csv: {"left_out": left_out},
        ExportFormat.geojson: {"left_out": left_out},
    }.get(fmt, {})
    with _open_existing_store(db) as store:
        rows = store.iter_events(
            **_filters(country, admin1, since, until, event_type, kind, actor, min_fatalities)
        )
        if fmt is ExportFormat.parquet:
            from conflictlens.parquet import write_parquet

            n = write_parquet(rows, output)
        elif output is None:
            n = writer(rows, sys.stdout, **options)
        else:
            with output.open("w", encoding="utf-8", newline="") as fp:
                n = writer(rows, fp, **options)
    err.print(f"exported {n} events as {fmt.value}" + (f" to {output}" if output else ""))
    if left_out:
        err.print(_left_out_message(left_out), highlight=False)


def _left_out_message(left_out: Counter[str]) -> str:
    """ "left out 3 aggregates, 1 undated: --include-aggregates, --include-undated keep them"."""
    from conflictlens.export import LEFT_OUT_AGGREGATE, LEFT_OUT_UNDATED

    counts = ", ".join(f"{n} {reason}" for reason, n in sorted(left_out.items()))
    keep = [
        option
        for reason, option in (
            (LEFT_OUT_AGGREGATE, "--include-aggregates"),
            (LEFT_OUT_UNDATED, "--include-undated"),
        )
        if left_out[reason]
    ]
    if not keep:
        return f"left out {counts}"
    return f"left out {counts}: {', '.join(keep)} to keep them"


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
            help="Gold annotations (YAML; format in docs/gold-format.md).",
            exists=True,
            dir_okay=False,
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
    allow_net: AllowNetOpt = None,
    writes_per_minute: Annotated[
        float,
        typer.Option(
            min=1,
            help="Writes (ingest, review) each client address may make a minute, in bursts of a "
            "third of that (at least 20); more are answered 429 with Retry-After.",
        ),
    ] = 60.0,
) -> None:
    """Serve the JSON API (documented at /docs) and the analysts' desk on the database."""
    import uvicorn

    from conflictlens.ingest.fetch import FetchSettings, default_cache_dir
    from conflictlens.web import create_app
    from conflictlens.web.app import missing_vendor_files
    from conflictlens.web.limits import WriteRateLimit

    _require_existing_database(db)
    _require_free_port(host, port)
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
        create_app(
            db,
            token=token,
            fetch_settings=FetchSettings(
                cache_dir=default_cache_dir(), allowed_networks=_allowed_networks(allow_net)
            ),
            write_limit=WriteRateLimit(
                per_minute=writes_per_minute, burst=max(20, int(writes_per_minute // 3))
            ),
        ),
        host=host,
        port=port,
        log_level="warning",
        timeout_keep_alive=30,
    )


def _require_free_port(host: str, port: int) -> None:
    """Fail before announcing the desk when the address is taken (another server, another desk)."""
    try:
        infos = socket.getaddrinfo(host, port, type=socket.SOCK_STREAM)
    except socket.gaierror as exc:
        err.print(f"[red]error[/red] cannot listen on {host}: {exc.strerror}", highlight=False)
        raise typer.Exit(2) from None
    family, _, _, _, address = infos[0]
    with socket.socket(family, socket.SOCK_STREAM) as probe:
        probe.setsockopt(socket.SOL_SOCKET, socket.SO_REUSEADDR, 1)
        try:
            probe.bind(address)
        except OSError as exc:
            err.print(
                f"[red]error[/red] cannot listen on {host}:{port}: {exc.strerror} "
                "(another server holds it? try --port)",
                highlight=False,
            )
            raise typer.Exit(1) from None


gazetteer_app = _Typer(
    cls=_Group,
    help="The offline gazetteer: village-level places from a GeoNames dump.",
    no_args_is_help=True,
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
        f"{report.alternate_names} alternate names into {index}; districts: "
        f"{report.admin2_seats} subdistrict seats placed in theirs, {report.admin2_derived} "
        "derived from the nearest district"
    )


@gazetteer_app.command("download")
def gazetteer_download(
    countries: Annotated[
        list[str], typer.Argument(help="ISO country codes whose GeoNames extracts to fetch: SY IQ")
    ],
    base_url: Annotated[
        str, typer.Option(help="Where the GeoNames dump files are served.")
    ] = "https://download.geonames.org/export/dump/",
    admin_codes: Annotated[
        bool, typer.Option(help="Also fetch admin1CodesASCII.txt and admin2Codes.txt.")
    ] = True,
    keep: Annotated[
        Path | None,
        typer.Option(help="Keep the downloaded files in this directory (default: the data dir)."),
    ] = None,
) -> None:
    """Download GeoNames' country extracts (and division names), verify and import them."""
    from conflictlens.geo import Gazetteer
    from conflictlens.geo.download import DownloadError, download_and_import
    from conflictlens.geo.index import data_dir

    index = Gazetteer.default().index_path
    target = keep or data_dir() / "downloads"
    with Progress(
        TextColumn("[bold]{task.description}"),
        BarColumn(),
        TextColumn("{task.completed:,.0f} bytes"),
        TimeElapsedColumn(),
        console=err,
        disable=not err.is_terminal,
        transient=True,
    ) as progress:
        tasks: dict[str, TaskID] = {}

        def advance(name: str, received: int, total: int | None) -> None:
            if name not in tasks:
                tasks[name] = progress.add_task(name, total=total)
            progress.update(tasks[name], completed=received)

        try:
            result = download_and_import(
                countries, target, index, base_url, admin_codes, progress=advance
            )
        except DownloadError as error:
            err.print(f"download failed: {error}")
            raise typer.Exit(1) from None
    report = result.report
    for path in result.files:
        err.print(f"verified {path.name} ({path.stat().st_size:,} bytes) in {path.parent}")
    err.print(
        f"imported {report.places} places, {report.admin1} admin1 and {report.admin2} admin2 names"
        f" ({report.admin2_seats} subdistrict seats placed in their district,"
        f" {report.admin2_derived} districts derived from the nearest district) into {index}"
    )


@gazetteer_app.command("status")
def gazetteer_status() -> None:
    """What the gazetteer holds: packaged and imported places, and each import's source and date."""
    from conflictlens.geo import Gazetteer
    from conflictlens.geo.index import index_status

    status = index_status(Gazetteer.default().index_path)
    print(f"index: {status.path} (build {status.build_version})")
    kinds = ", ".join(f"{n:,} {kind}" for kind, n in sorted(status.places_by_kind.items()))
    print(f"places: {kinds}")
    if not status.imports:
        print("imported: nothing (packaged places only; see `conflictlens gazetteer download`)")
        return
    counts = ", ".join(f"{cc} {n:,}" for cc, n in status.imported_by_country.items())
    print(f"imported places by country: {counts}")
    print(f"districts derived from the nearest district's point or seat: {status.admin2_derived:,}")
    print("imports (UTC time, file, size, sha256, places in that import, source):")
    for file, source, size, sha256, places, when in status.imports:
        print(f"  {when}  {file}  {size or 0:,} bytes  {(sha256 or '')[:16]}  {places:,}  {source}")
