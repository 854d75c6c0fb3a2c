"""Text cleaning: find page furniture, datelines and the language, without changing the text.

The stored article text is never rewritten, so evidence offsets stay valid: cleaning returns the spans
of lines to ignore, and later stages skip them.
"""

from __future__ import annotations

import re
from dataclasses import dataclass
from datetime import date
from functools import lru_cache
from importlib import resources

import yaml

from conflictlens.models import normalise_text

_MONTHS = {
    m: i
    for i, names in enumerate(
        [
            ("january", "jan"),
            ("february", "feb"),
            ("march", "mar"),
            ("april", "apr"),
            ("may",),
            ("june", "jun"),
            ("july", "jul"),
            ("august", "aug"),
            ("september", "sep", "sept"),
            ("october", "oct"),
            ("november", "nov"),
            ("december", "dec"),
        ],
        start=1,
    )
    for m in names
}

_SCRIPTS = (
    ("ar", re.compile(r"[\u0600-\u06ff]")),
    ("ru", re.compile(r"[\u0400-\u04ff]")),
    ("zh", re.compile(r"[\u4e00-\u9fff]")),
    ("my", re.compile(r"[\u1000-\u109f]")),
)


@lru_cache(maxsize=1)
def _junk_pattern() -> re.Pattern[str]:
    """Every pattern of data/junk_patterns.txt as one alternation: a line is tested in one pass
    (a line is junk when one of them matches it whole, as the alternation's fullmatch does)."""
    raw = resources.files("conflictlens.data").joinpath("junk_patterns.txt").read_text("utf-8")
    lines = [ln.strip() for ln in raw.splitlines()]
    patterns = [ln for ln in lines if ln and not ln.startswith("#")]
    return re.compile("|".join(f"(?:{p})" for p in patterns), re.IGNORECASE)


def is_junk_line(line: str) -> bool:
    stripped = line.strip()
    if not stripped:
        return False
    if not re.search(r"\w", stripped):
        return True
    return _junk_pattern().fullmatch(stripped) is not None


@dataclass(frozen=True)
class Line:
    start: int
    end: int
    text: str


# A collapsible list of the page's sources ("Sources (18) [collapse]"): what follows is the page's
# apparatus (source lists, media, geolocation notes, the original reports quoted again), not the story.
_SOURCES_SECTION = re.compile(
    r"(?:sources|media from sources)\s*\(\d+\)\s*\[\s*collapse\s*\]", re.I
)


def content_lines(text: str, *, keep_junk: bool = False) -> list[Line]:
    """The non-empty lines of `text` (without page furniture unless `keep_junk`), offsets exact."""
    lines: list[Line] = []
    for match in re.finditer(r"[^\n]+", text):
        line = match.group()
        stripped = line.strip()
        if not keep_junk and _SOURCES_SECTION.fullmatch(stripped):
            break
        if stripped and (keep_junk or not is_junk_line(line)):
            start = match.start() + len(line) - len(line.lstrip())
            lines.append(Line(start, start + len(stripped), stripped))
    return lines


@lru_cache(maxsize=1)
def _function_words() -> dict[str, frozenset[str]]:
    """Function words by language code, from data/function_words.yaml."""
    raw = resources.files("conflictlens.data").joinpath("function_words.yaml").read_text("utf-8")
    return {code: frozenset(str(w) for w in words) for code, words in yaml.safe_load(raw).items()}


# Words of Latin script, accented letters included ("été", "según").
_LATIN_WORD = re.compile(r"[A-Za-z\u00c0-\u024f]+")


def detect_language(text: str) -> str:
    """ISO 639-1 code: "en", another language its function words or its script identify
    ("fr", "es", "de", "pt", "it"; "ar", "ru", "zh", "my"), or "und" when neither tells."""
    sample = text[:20000]
    words = [w.lower() for w in _LATIN_WORD.findall(sample)]
    letters = sum(1 for ch in sample if ch.isalpha())
    if words and letters:
        latin = sum(len(w) for w in words) / letters
        shares = {
            code: sum(1 for w in words if w in vocabulary) / len(words)
            for code, vocabulary in _function_words().items()
        }
        english = shares.pop("en")
        # Short texts are judged by which list they hit more: a share is unreliable in a dozen words.
        other = max(shares.values(), default=0.0)
        if latin > 0.6 and (english >= 0.12 or (len(words) < 40 and english >= other)):
            return "en"
        code, share = max(shares.items(), key=lambda item: item[1])
        if latin > 0.6 and share > english and share >= 0.08:
            return code
    for code, pattern in _SCRIPTS:
        if letters and len(pattern.findall(sample)) / letters > 0.3:
            return code
    return "und"


# A page stamp: a publication date alone on a short line, perhaps after a label, a clock time or
# an agency byline ("Last Update: 2019-04-20", "21:53, 11 June 2018 Monday", "AFP , Monday 29 Feb
# 2016"), never inside a sentence ("Attack on 12 March 2019 kills five" is a headline).
_WEEKDAY = r"(?:mon|tue|wed|thu|fri|sat|sun)[a-z]*"
_DATELINE = re.compile(
    r"(?:(?:last update|updated|published|posted|date)\b|(?-i:[A-Z][A-Za-z]*)\b|\d{1,2}:\d{2}|[\s,:|/·-])*?"
    rf"(?:(?P<wd_before>{_WEEKDAY}),?\s+)?"
    r"(?:(?P<iso>\d{4}-\d{2}-\d{2})"
    r"|(?P<day>\d{1,2})\s+(?P<month>[a-z]+)\.?,?\s+(?P<year>\d{4})"
    r"|(?P<month2>[a-z]+)\.?\s+(?P<day2>\d{1,2}),?\s+(?P<year2>\d{4}))\b"
    rf"(?:,?\s+(?P<wd_after>{_WEEKDAY})\b)?",
    re.IGNORECASE,
)
# A weekday the text names ("on Monday"): what a page stamp is checked against.
_NAMED_WEEKDAY = re.compile(r"\b(monday|tuesday|wednesday|thursday|friday|saturday|sunday)\b", re.I)
WEEKDAY_NAMES = ("monday", "tuesday", "wednesday", "thursday", "friday", "saturday", "sunday")
# A full date in a URL path: /2019/03/14/ or /2019-03-14-
_URL_DATE = re.compile(r"/(?P<y>(?:19|20)\d\d)[/-](?P<m>\d{1,2})[/-](?P<d>\d{1,2})(?:[/-]|$)")
# A year and month with no day after them: /2011/08/slug or /archives/2011/08/slug.php
_URL_MONTH = re.compile(r"/(?P<y>(?:19|20)\d\d)/(?P<m>\d{1,2})/(?!\d{1,2}(?:[/-]|$))")


def find_dateline(text: str, max_lines: int = 8) -> tuple[date, int, int] | None:
    """A publication date printed at the top of a page ("Sat 09 January 2021:", "Last Update:
    2019-04-20").

    A page may carry several stamps (a site header "Wednesday, 04 August 2021" over an agency
    byline "Monday 29 Feb 2016"); a stamp whose printed weekday is not its date's is wrong, and
    among the rest the first whose weekday the text names ("on Monday") wins: news says "on
    Monday" of the day it is published far more than any other.
    """
    stamps = _page_stamps(text, max_lines)
    if len(stamps) > 1:
        named = {
            m.group(1).lower()
            for m in _NAMED_WEEKDAY.finditer(text)
            if not any(start <= m.start() < end for _, start, end in stamps)
        }
        same_day = [s for s in stamps if WEEKDAY_NAMES[s[0].weekday()] in named]
        stamps = same_day or stamps
    return stamps[0] if stamps else None


def _page_stamps(text: str, max_lines: int) -> list[tuple[date, int, int]]:
    """Every page stamp in the first lines, in text order, less those whose weekday is wrong."""
    stamps = []
    for line in content_lines(text, keep_junk=True)[:max_lines]:
        match = _DATELINE.match(line.text)
        if not match or len(line.text) > 80:
            continue
        found = _stamp_date(match)
        printed = [match.group(g) for g in ("wd_before", "wd_after") if match.group(g)]
        if found is None or any(
            not WEEKDAY_NAMES[found.weekday()].startswith(w.lower()[:3]) for w in printed
        ):
            continue
        stamps.append((found, line.start + match.start(), line.start + match.end()))
    return stamps


def _stamp_date(match: re.Match[str]) -> date | None:
    try:
        if match.group("iso"):
            return date.fromisoformat(match.group("iso"))
        day, month, year = (
            (match.group("day"), match.group("month"), match.group("year"))
            if match.group("day")
            else (match.group("day2"), match.group("month2"), match.group("year2"))
        )
        number = _MONTHS.get(month.lower())
        return date(int(year), number, int(day)) if number else None
    except ValueError:
        return None


def date_from_url(url: str | None) -> date | None:
    """The publication date a page's address carries in its path (/2019/03/14/), if any: sites
    file articles under the day they publish them."""
    match = _URL_DATE.search(url or "")
    if match is None:
        return None
    try:
        return date(int(match.group("y")), int(match.group("m")), int(match.group("d")))
    except ValueError:
        return None


def month_from_url(url: str | None) -> date | None:
    """The first day of the month a page's address files it under (/2011/08/slug), when the
    address names no day: blogs and archives file by month, so the page was published in that
    month, on a day nobody knows."""
    if date_from_url(url) is not None:
        return None
    match = _URL_MONTH.search(url or "")
    if match is None or not 1 <= int(match.group("m")) <= 12:
        return None
    return date(int(match.group("y")), int(match.group("m")), 1)


def month_number(name: str) -> int | None:
    return _MONTHS.get(name.lower().rstrip("."))


__all__ = [
    "Line",
    "content_lines",
    "date_from_url",
    "detect_language",
    "find_dateline",
    "is_junk_line",
    "month_from_url",
    "month_number",
    "normalise_text",
]
