"""Numbers as reports write them: digits ("387,000", "3 thousand") and words ("twenty-five",
"two hundred"), read as counts of people, never above a bound that no report reaches."""

from __future__ import annotations

import re

_UNITS = {
    "zero": 0,
    "no": 0,
    "one": 1,
    "a": 1,
    "an": 1,
    "two": 2,
    "three": 3,
    "four": 4,
    "five": 5,
    "six": 6,
    "seven": 7,
    "eight": 8,
    "nine": 9,
    "ten": 10,
    "eleven": 11,
    "twelve": 12,
    "thirteen": 13,
    "fourteen": 14,
    "fifteen": 15,
    "sixteen": 16,
    "seventeen": 17,
    "eighteen": 18,
    "nineteen": 19,
}
_TENS = {
    "twenty": 20,
    "thirty": 30,
    "forty": 40,
    "fifty": 50,
    "sixty": 60,
    "seventy": 70,
    "eighty": 80,
    "ninety": 90,
}
WORD_NUMBER = (
    r"(?:(?:" + "|".join(_TENS) + r")(?:[- ](?:one|two|three|four|five|six|seven|eight|nine))?"
    r"|(?:one|two|three|four|five|six|seven|eight|nine|ten|eleven|twelve|thirteen|fourteen|fifteen|"
    r"sixteen|seventeen|eighteen|nineteen))(?:\s+hundred(?:\s+and\s+\w+)?)?(?:\s+thousand)?"
)
DIGITS = r"\d{1,3}(?:,\d{3})+|\d+(?:\.\d+)?(?:\s*(?:thousand|million))?"
# The largest number read as a count of people.
MAX_COUNT = 10_000_000


def parse_number(text: str) -> int | None:
    """'387,000' -> 387000, 'twenty-five' -> 25, 'two hundred' -> 200, '3 thousand' -> 3000."""
    t = text.lower().replace(",", "").strip()
    multiplier = 1
    for word, factor in (("thousand", 1000), ("million", 1_000_000)):
        if t.endswith(word):
            multiplier, t = factor, t[: -len(word)].strip()
    try:
        number = float(t) * multiplier
    except ValueError:
        pass
    else:
        # No report counts more people than this; 1e100 or 1e308 is noise (and overflows a column).
        return int(number) if 0 <= number <= MAX_COUNT else None
    total, current = 0, 0
    for word in re.split(r"[\s-]+", t):
        if word in _UNITS:
            current += _UNITS[word]
        elif word in _TENS:
            current += _TENS[word]
        elif word == "hundred":
            current *= 100
        elif word == "and":
            continue
        else:
            return None
    number = (total + current) * multiplier
    return number if number <= MAX_COUNT else None
