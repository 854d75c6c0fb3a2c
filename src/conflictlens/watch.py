"""Follow feeds and pages: poll each on its own schedule, ingest what is new, raise alerts by rule.

The sources and alert rules live in a YAML file (format in README, example in examples/sources.yaml).
What watch has done lives in a JSON state file next to it, rewritten atomically after every round:
per source the server's ETag and Last-Modified, the time of the last poll and the items already
ingested; and the alerts already fired. A restart therefore neither re-ingests nor re-alerts.
Storing, extracting and linking go through `pipeline.Ingestion`, like `ingest`.
"""

from __future__ import annotations

import hashlib
import json
import re
import time
from collections.abc import Callable
from dataclasses import dataclass, field
from datetime import UTC, datetime
from pathlib import Path
from typing import Any

import httpx
import yaml
from pydantic import BaseModel, ConfigDict, Field, ValidationError, field_validator

from conflictlens.ingest.fetch import Fetcher, FetchError, write_atomically
from conflictlens.ingest.readers import ReadFailure, is_url, read_feed_item
from conflictlens.models import Event
from conflictlens.pipeline import Ingestion, Notify, RunReport
from conflictlens.store import Store

STATE_VERSION = 1
DEFAULT_INTERVAL = 15 * 60.0
# Items a source keeps as "seen": a feed lists its latest items, so older ids are never needed again.
MAX_SEEN_PER_SOURCE = 2000
_DURATION = re.compile(r"^\s*(\d+(?:\.\d+)?)\s*([smhd]?)\s*$")
_UNIT_SECONDS = {"": 1, "s": 1, "m": 60, "h": 3600, "d": 86400}


class WatchConfigError(ValueError):
    """SOURCES.yaml cannot be used; the message says where and why."""


def parse_interval(value: object) -> float:
    """Seconds from 90, "90s", "15m", "2h" or "1d"."""
    match = _DURATION.match(str(value))
    if not match or float(match.group(1)) <= 0:
        raise ValueError(f"{value!r} is not an interval (a number of seconds, or 30s, 15m, 2h, 1d)")
    return float(match.group(1)) * _UNIT_SECONDS[match.group(2)]


class SourceConfig(BaseModel):
    model_config = ConfigDict(extra="forbid")

    url: str
    interval: float | None = None

    @field_validator("url")
    @classmethod
    def _http_url(cls, value: str) -> str:
        if not is_url(value):
            raise ValueError(f"{value!r} is not an http(s) URL")
        return value.strip()

    @field_validator("interval", mode="before")
    @classmethod
    def _interval(cls, value: object) -> float | None:
        return None if value is None else parse_interval(value)


class AlertRule(BaseModel):
    """An alert fires for an event that meets every condition given (no condition: every event)."""

    model_config = ConfigDict(extra="forbid")

    name: str
    country: str | None = None  # name or ISO code
    admin1: str | None = None
    actor: str | None = None  # canonical name, as actor1, actor2 or an associated actor
    event_type: str | None = None  # ACLED event type or sub-event type
    min_fatalities: int | None = Field(default=None, ge=0)
    sinks: list[str | dict[str, str]] = Field(default_factory=lambda: ["stdout"])

    @field_validator("sinks")
    @classmethod
    def _known_sinks(cls, sinks: list[str | dict[str, str]]) -> list[str | dict[str, str]]:
        for sink in sinks:
            kind = sink if isinstance(sink, str) else next(iter(sink), "")
            if kind not in ("stdout", "jsonl", "webhook") or (
                isinstance(sink, dict) and (len(sink) != 1 or kind == "stdout")
            ):
                raise ValueError(
                    f"unknown sink {sink!r}: use stdout, {{jsonl: FILE}} or {{webhook: URL}}"
                )
            if kind == "webhook" and isinstance(sink, dict) and not is_url(sink["webhook"]):
                raise ValueError(f"webhook {sink['webhook']!r} is not an http(s) URL")
        return sinks

    def matches(self, event: Event) -> bool:
        if self.country and self.country.casefold() not in {
            (event.country or "").casefold(),
            (event.country_code or "").casefold(),
        }:
            return False
        if self.admin1 and self.admin1.casefold() != (event.admin1 or "").casefold():
            return False
        if self.actor:
            actors = {event.actor1, event.actor2, *event.assoc_actor_1, *event.assoc_actor_2}
            if self.actor.casefold() not in {a.casefold() for a in actors if a}:
                return False
        if self.event_type and self.event_type.casefold() not in {
            (event.event_type or "").casefold(),
            (event.sub_event_type or "").casefold(),
        }:
            return False
        return self.min_fatalities is None or (event.fatalities or 0) >= self.min_fatalities


class WatchConfig(BaseModel):
    model_config = ConfigDict(extra="forbid")

    interval: float = DEFAULT_INTERVAL
    sources: list[SourceConfig]
    alerts: list[AlertRule] = Field(default_factory=list)

    @field_validator("interval", mode="before")
    @classmethod
    def _interval(cls, value: object) -> float:
        return parse_interval(value)

    def interval_of(self, source: SourceConfig) -> float:
        return source.interval or self.interval


def load_config(path: Path) -> WatchConfig:
    try:
        raw = yaml.safe_load(path.read_text("utf-8"))
    except OSError as exc:
        raise WatchConfigError(f"{path}: cannot read: {exc.strerror or exc}") from None
    except yaml.YAMLError as exc:
        raise WatchConfigError(f"{path}: not valid YAML: {str(exc).splitlines()[0]}") from None
    if not isinstance(raw, dict):
        raise WatchConfigError(f"{path}: expected a mapping with 'sources' (and 'alerts')")
    try:
        config = WatchConfig.model_validate(raw)
    except ValidationError as exc:
        first = exc.errors()[0]
        where = ".".join(str(part) for part in first["loc"])
        raise WatchConfigError(f"{path}: {where}: {first['msg']}") from None
    names = [rule.name for rule in config.alerts]
    if len(names) != len(set(names)):
        raise WatchConfigError(f"{path}: alert names must be unique (they key the fired alerts)")
    return config


def default_state_path(config_path: Path) -> Path:
    return config_path.with_name(config_path.stem + ".state.json")


@dataclass
class SourceState:
    etag: str | None = None
    last_modified: str | None = None
    last_poll: float | None = None  # Unix time
    seen: list[str] = field(default_factory=list)  # feed item ids, or the page's content digest


@dataclass
class WatchState:
    sources: dict[str, SourceState] = field(default_factory=dict)
    fired: dict[str, list[str]] = field(default_factory=dict)  # alert name -> event ids

    @classmethod
    def load(cls, path: Path) -> WatchState:
        if not path.exists():
            return cls()
        try:
            raw = json.loads(path.read_text("utf-8"))
            return cls(
                sources={url: SourceState(**values) for url, values in raw["sources"].items()},
                fired={name: list(ids) for name, ids in raw["fired"].items()},
            )
        except (OSError, ValueError, KeyError, TypeError) as exc:
            raise WatchConfigError(
                f"{path}: unreadable watch state ({exc}); move it away to start afresh"
            ) from None

    def save(self, path: Path) -> None:
        payload = {
            "version": STATE_VERSION,
            "saved": datetime.now(UTC).isoformat(timespec="seconds"),
            "sources": {url: state.__dict__ for url, state in self.sources.items()},
            "fired": self.fired,
        }
        write_atomically(path, json.dumps(payload, indent=1).encode("utf-8"))


@dataclass
class Alert:
    rule: AlertRule
    event: Event

    def payload(self) -> dict[str, Any]:
        return {
            "alert": self.rule.name,
            "fired_at": datetime.now(UTC).isoformat(timespec="seconds"),
            "event": self.event.to_json_dict(),
        }

    def summary(self) -> str:
        event = self.event
        where = ", ".join(
            dict.fromkeys(x for x in (event.location, event.admin1, event.country) if x)
        )
        killed = f", {event.fatalities} killed" if event.fatalities is not None else ""
        return (
            f"ALERT {self.rule.name}: {event.event_date or 'date unresolved'} "
            f"{event.sub_event_type or event.event_type or 'event'} in {where or 'unknown place'}"
            f"{killed} ({event.event_id})"
        )


@dataclass
class RoundReport:
    """One polling round: the ingest report, how many sources were polled and alerts fired."""

    ingest: RunReport
    polled: int = 0
    unchanged: int = 0
    alerts: int = 0

    def to_dict(self) -> dict[str, object]:
        return {
            **self.ingest.to_dict(),
            "sources_polled": self.polled,
            "sources_unchanged": self.unchanged,
            "alerts": self.alerts,
        }


class Watcher:
    """Polls the sources of a config into a store; `poll()` runs one round."""

    def __init__(
        self,
        config: WatchConfig,
        *,
        config_path: Path,
        store: Store,
        fetcher: Fetcher,
        state_path: Path,
        notify: Notify,
        print_alert: Callable[[Alert], None],
    ) -> None:
        self.config = config
        self.base = config_path.parent
        self.store = store
        self.fetcher = fetcher
        self.state_path = state_path
        self.state = WatchState.load(state_path)
        self.notify = notify
        self.print_alert = print_alert

    def seconds_until_due(self, now: float | None = None) -> float:
        now = time.time() if now is None else now
        waits = []
        for source in self.config.sources:
            last = self.state.sources.get(source.url, SourceState()).last_poll
            waits.append(0.0 if last is None else last + self.config.interval_of(source) - now)
        return max(0.0, min(waits))

    def poll(self, *, every_source: bool = False) -> RoundReport:
        """Poll the sources that are due (or all of them), ingest new items, fire alerts, save."""
        now = time.time()
        due = [
            s
            for s in self.config.sources
            if every_source
            or (last := self.state.sources.get(s.url, SourceState()).last_poll) is None
            or now - last >= self.config.interval_of(s)
        ]
        ingestion = Ingestion(self.store, sources=[s.url for s in due], notify=self.notify)
        report = RoundReport(ingestion.report)
        for source in due:
            state = self.state.sources.setdefault(source.url, SourceState())
            try:
                changed = self._poll_source(source, state, ingestion)
            except Exception as exc:  # one broken source never stops the others
                ingestion.add(ReadFailure(source.url, f"poll failed: {type(exc).__name__}: {exc}"))
                changed = True
            state.last_poll = time.time()
            report.polled += 1
            report.unchanged += int(not changed)
        event_ids = ingestion.finish()
        report.alerts = self._fire_alerts(event_ids)
        self.state.save(self.state_path)
        return report

    def _poll_source(self, source: SourceConfig, state: SourceState, ingestion: Ingestion) -> bool:
        """Ingest what is new at one source; False when the server said nothing changed."""
        from conflictlens.ingest.web import article_from_html, looks_like_feed, parse_feed

        try:
            fetched = self.fetcher.get(
                source.url, max_age=0, etag=state.etag, last_modified=state.last_modified
            )
        except FetchError as exc:
            ingestion.add(ReadFailure(source.url, exc.reason, exc.transient))
            return True
        if fetched.not_modified:
            return False
        state.etag, state.last_modified = fetched.etag, fetched.last_modified
        if not looks_like_feed(fetched.body, fetched.content_type):
            digest = hashlib.sha256(fetched.body).hexdigest()
            if digest in state.seen:
                return False
            ingestion.add(article_from_html(fetched.body, source=source.url, url=fetched.url))
            state.seen = [digest]
            return True
        items = parse_feed(fetched.body, source.url)
        if isinstance(items, ReadFailure):
            ingestion.add(items)
            return True
        seen = set(state.seen)
        for item in items:
            if item.item_id in seen:
                continue
            result = read_feed_item(
                item, source=source.url, base_url=fetched.url, fetcher=lambda: self.fetcher
            )
            ingestion.add(result)
            if not (isinstance(result, ReadFailure) and result.transient):
                state.seen.append(item.item_id)
        state.seen = state.seen[-MAX_SEEN_PER_SOURCE:]
        return True

    # Alerts

    def _fire_alerts(self, event_ids: list[str]) -> int:
        if not self.config.alerts:
            return 0
        fired = 0
        for event_id in event_ids:
            event = self.store.get_event(event_id)
            if event is None:  # merged away by linking later in the same run
                continue
            for rule in self.config.alerts:
                already = self.state.fired.setdefault(rule.name, [])
                if event_id in already or not rule.matches(event):
                    continue
                self._deliver(Alert(rule, event))
                already.append(event_id)
                fired += 1
        return fired

    def _deliver(self, alert: Alert) -> None:
        for sink in alert.rule.sinks:
            if sink == "stdout":
                self.print_alert(alert)
            elif isinstance(sink, dict) and "jsonl" in sink:
                target = self.base / sink["jsonl"]
                try:
                    target.parent.mkdir(parents=True, exist_ok=True)
                    with target.open("a", encoding="utf-8") as handle:
                        handle.write(json.dumps(alert.payload(), ensure_ascii=False) + "\n")
                except OSError as exc:
                    self.notify("error", str(target), f"alert not written: {exc.strerror or exc}")
            elif isinstance(sink, dict) and "webhook" in sink:
                self._post(sink["webhook"], alert)

    def _post(self, url: str, alert: Alert) -> None:
        settings = self.fetcher.settings
        try:
            response = httpx.post(
                url,
                json=alert.payload(),
                timeout=settings.timeout,
                headers={"User-Agent": settings.user_agent},
            )
            response.raise_for_status()
        except httpx.HTTPError as exc:
            reason = str(exc).splitlines()[0] if str(exc) else type(exc).__name__
            self.notify("error", url, f"alert {alert.rule.name!r} not delivered: {reason}")
