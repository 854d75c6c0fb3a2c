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
def _junk_patterns() -> tuple[re.Pattern[str], ...]:
    raw = resources.files("conflictlens.data").joinpath("junk_patterns.txt").read_text("utf-8")
    lines = [ln.strip() for ln in raw.splitlines()]
    return tuple(re.compile(ln, re.IGNORECASE) for ln in lines if ln and not ln.startswith("#"))


def is_junk_line(line: str) -> bool:
    stripped = line.strip()
    if not stripped:
        return False
    if not re.search(r"\w", stripped):
        return True
    return any(p.fullmatch(stripped) for p in _junk_patterns())


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


_DATELINE = re.compile(
    r"(?:last update|updated|published|posted)?:?\s*"
    r"(?:(?P<iso>\d{4}-\d{2}-\d{2})"
    r"|(?:(?:mon|tue|wed|thu|fri|sat|sun)[a-z]*,?\s+)?(?P<day>\d{1,2})\s+(?P<month>[a-z]+)\.?,?\s+(?P<year>\d{4})"
    r"|(?P<month2>[a-z]+)\.?\s+(?P<day2>\d{1,2}),?\s+(?P<year2>\d{4}))",
    re.IGNORECASE,
)


def find_dateline(text: str, max_lines: int = 6) -> tuple[date, int, int] | None:
    """A publication date printed at the top of a page ("Sat 09 January 2021:", "Last Update: 2019-04-20")."""
    for line in content_lines(text, keep_junk=True)[:max_lines]:
        match = _DATELINE.match(line.text)
        if not match or len(line.text) > 80:
            continue
        try:
            if match.group("iso"):
                found = date.fromisoformat(match.group("iso"))
            elif match.group("day"):
                month = _MONTHS.get(match.group("month").lower())
                if month is None:
                    continue
                found = date(int(match.group("year")), month, int(match.group("day")))
            else:
                month = _MONTHS.get(match.group("month2").lower())
                if month is None:
                    continue
                found = date(int(match.group("year2")), month, int(match.group("day2")))
        except ValueError:
            continue
        return found, line.start + match.start(), line.start + match.end()
    return None


def month_number(name: str) -> int | None:
    return _MONTHS.get(name.lower().rstrip("."))


__all__ = [
    "Line",
    "content_lines",
    "detect_language",
    "find_dateline",
    "is_junk_line",
    "month_number",
    "normalise_text",
]
