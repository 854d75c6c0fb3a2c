"""Twin villages: reports qualify them in English ("Western Mulayha", "Upper Baghuz") where
gazetteers write the Arabic word after the name ("Mulayhah al Gharbiyah", "Baghuz Fawqani")."""

from __future__ import annotations

from conflictlens.geo.sources import load_name_qualifiers


def arabic_qualified_forms(name: str) -> list[str]:
    """The name with its leading English qualifier written the Arabic way, one form per Arabic
    word for it; none when the name has no such qualifier or nothing after it."""
    first, _, rest = name.strip().partition(" ")
    forms = load_name_qualifiers().get(first.casefold(), ()) if rest.strip() else ()
    return [f"{rest.strip()} {form}" for form in forms]
