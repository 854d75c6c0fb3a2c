"""Words reports and gazetteers add to a village's name differently: twin villages qualified in
English ("Western Mulayha", "Upper Baghuz") where gazetteers write the Arabic word after the name
("Mulayhah al Gharbiyah", "Baghuz Fawqani"), and a mound's "Tall" that reports leave out."""

from __future__ import annotations

from conflictlens.geo.names import normalise_name
from conflictlens.geo.sources import load_name_prefixes, load_name_qualifiers


def arabic_qualified_forms(name: str) -> list[str]:
    """The name with its leading English qualifier written the Arabic way, one form per Arabic
    word for it; none when the name has no such qualifier or nothing after it."""
    first, _, rest = name.strip().partition(" ")
    forms = load_name_qualifiers().get(first.casefold(), ()) if rest.strip() else ()
    return [f"{rest.strip()} {form}" for form in forms]


def prefixed_forms(name: str) -> list[str]:
    """The name with each word gazetteers put before a village's name ("Tall Qabr al Kabir" for
    "Qabr al Kabir"); none when it begins with one already."""
    first = normalise_name(name).partition(" ")[0]
    prefixes = load_name_prefixes()
    if any(normalise_name(prefix) == first for prefix in prefixes):
        return []
    return [f"{prefix} {name.strip()}" for prefix in prefixes]
