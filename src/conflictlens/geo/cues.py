"""The English phrases around a place name that say how an event relates to it.

"near X", "15 km south of X", "the outskirts of X" -> near/part of the place (precision 2);
"the province of X", "X governorate" -> X is a first-level division; "the town of X", "X village"
-> X is a populated place (so an unknown X is worth reporting as not found). This is a small
closed grammar, so it lives here as patterns rather than in a data file.
"""

from __future__ import annotations

import re
from dataclasses import dataclass

from conflictlens.geo.finder import ROAD_NOUN

# Relations whose place is a landmark the text gives, not where the event happened: where people
# came from ("fighters from Deir ez-Zor") and the towns a road is named after.
ORIGIN = "from"
ROAD_END = "road end"
LANDMARK_RELATIONS = frozenset((ORIGIN, ROAD_END))

_DIRECTION = r"(?:north|south)(?:[- ]?(?:east|west))?|east|west"
_DIRECTION_ADJECTIVE = r"(?:north|south)(?:[- ]?(?:east|west))?ern|eastern|western|central"
# A capitalised name of up to four words ("Kahil", "Tall al-Ahmar"), whatever the pattern's flags.
_NAME = r"(?-i:[A-Z])[\w'’-]*(?:\s+[\w'’-]+){0,3}?"
_DISTANCE_UNIT = r"km|kms|kilometers|kilometres|kilometer|kilometre|miles|mile|mi"
_SETTLEMENT = (
    r"town|village|city|hamlet|settlement|locality|camp|suburb|neighbou?rhood|quarter|"
    r"area|district|sub-?district|municipality"
)
_ADMIN1 = r"province|governorate|state|region|wilayah?|department|prefecture|division"
# Up to two lowercase words between a cue and the place: "near the ancient city of Palmyra";
# not prepositions, which start a new phrase ("north of the city in Hama").
_FILLER = r"(?:the\s+)?(?:(?!(?:in|at|on|from|to|and|or|by|with|of)\s)[a-z][a-z'-]*\s+){0,2}?"

# Each pattern ends where the place name begins.
_ADMIN1_BEFORE = re.compile(rf"\b(?:{_ADMIN1})\s+of\s+(?:the\s+)?$", re.IGNORECASE)
_SETTLEMENT_BEFORE = re.compile(
    rf"\b(?P<noun>{_SETTLEMENT})\s+of\s+(?:the\s+)?$|\bcapital\s+(?:city\s+)?$", re.IGNORECASE
)
_RELATION_BEFORE = re.compile(
    r"(?:"
    rf"(?P<distance>\d+(?:[.,]\d+)?)\s*-?\s*(?P<unit>{_DISTANCE_UNIT})\s+(?:to\s+the\s+)?"
    rf"(?P<dir_far>{_DIRECTION})\s+of"
    rf"|(?P<distance_from>\d+(?:[.,]\d+)?)\s*-?\s*(?P<unit_from>{_DISTANCE_UNIT})\s+(?:away\s+)?from"
    rf"|(?:to\s+the\s+)?(?P<dir>{_DIRECTION})\s+of"
    r"|(?P<outskirts>outskirts|edge|suburbs|environs)\s+of"
    r"|(?P<countryside>countryside|hinterland|rural\s+areas)\s+of"
    r"|(?P<vicinity>vicinity)\s+of"
    r"|(?P<road>road|highway|route)\s+(?:to|from|between|linking|connecting)"
    # the second end of the road: "the road between Kahil and Mseifra"
    rf"(?:\s+{_NAME}\s+(?:and|to))?"
    r"|(?P<desert>desert)\s+of"
    r"|(?P<near>near|nearby|close\s+to|next\s+to|outside|around)"
    r"|(?P<rural>rural)"
    rf"|(?P<adjective>{_DIRECTION_ADJECTIVE})"
    r")\s+" + _FILLER + "$",
    re.IGNORECASE,
)
# "a town north of", "a small village near": the place is an unnamed settlement the text gives
# only by where it lies from the name that follows, not that place itself.
_UNNAMED_SETTLEMENT_BEFORE = re.compile(
    r"\b(?:an?|one)\s+(?:[a-z]+\s+)?(?:town|village|hamlet|settlement|city|locality)\s+$",
    re.IGNORECASE,
)
# Words after which a capitalised name is where something happened ("shelled Kafr Nabl in Idlib"),
# so an unknown name there followed by its province is a place not found, not a person.
_LOCATIVE_BEFORE = re.compile(
    r"\b(?:in|at|near|on|into|towards?|outside|around|shelled|targeted|attacked|struck|hit|"
    r"bombed|raided|stormed|captured|seized|entered|besieged|recaptured|shelling|raid|attack)"
    r"\s+$",
    re.IGNORECASE,
)
# "fighters from Deir ez-Zor", "a man from Afrin": where people come from, not where it happened;
# "near the border with Raqqa": the other side of a line, not the scene either.
_ORIGIN_BEFORE = re.compile(
    r"\bfrom\s+(?:the\s+)?$|\bborders?\s+(?:with|of)\s+(?:the\s+)?$", re.IGNORECASE
)
# "the area stretching from Mayadin to Bukamal": a range, not an origin.
_RANGE_AFTER = re.compile(r"^\s+to\s+(?:the\s+)?[A-Z]")
# "the Hawija-Kirkuk road", "the Aleppo-Latakia highway": each town is an end of the road, a
# landmark rather than the scene (ROAD_END).
_ROAD_AFTER = re.compile(r"^(?:-[A-Z][\w'’]*)*\s+" + ROAD_NOUN)
_ROAD_TOWN_BEFORE = re.compile(r"[A-Z][\w'’]*-$")
_ADMIN1_AFTER = re.compile(rf"^\s+(?:{_ADMIN1})\b", re.IGNORECASE)
# "X village", but not "Syrian city of Y": there the name follows the noun.
_SETTLEMENT_AFTER = re.compile(rf"^\s+(?P<noun>{_SETTLEMENT})\b(?!\s+of\b)", re.IGNORECASE)
_RELATION_AFTER = re.compile(
    r"^\s+(?P<relation>countryside|outskirts|suburbs|environs|desert)\b", re.IGNORECASE
)
# "the southern countryside of X", "eastern X countryside", "northern X province", "northeast X":
# the part of a division the event happened in.
_PART_BEFORE = re.compile(
    rf"\b(?P<direction>{_DIRECTION_ADJECTIVE}|{_DIRECTION})\s+"
    r"(?:(?:countryside|rural\s+areas|parts?|areas?|desert)\s+of\s+(?:the\s+)?|rural\s+)?$",
    re.IGNORECASE,
)
_RURAL_BEFORE = re.compile(r"\b(?P<relation>rural)\s+$", re.IGNORECASE)
# Settlement nouns that make the place a part of something larger.
_PART_NOUNS = {"area", "district", "subdistrict", "sub-district", "quarter", "neighbourhood"}
_WINDOW = 80


@dataclass(frozen=True)
class Cue:
    relation: str | None = None  # "near", "south of", "12 km north of", "outskirts", "from", ...
    near: bool = False  # the event is near or in part of the place: precision 2
    admin1: bool = False  # the name is a first-level division's
    settlement: bool = False  # the name is a populated place's (or an area's)
    locative: bool = False  # the name follows a word that introduces where something happened
    part: str | None = None  # "south", "northeast": the part of the place the text names
    # The event is at an unnamed settlement given only relative to this place ("a town north
    # of Baghdad"): it may lie in another province, and another name may be the town's own.
    unnamed: bool = False

    @property
    def division(self) -> bool:
        """The name stands for a first-level division: named as one, or "the countryside of
        Idlib", "rural Hama" (the province outside its seat, as ACLED reads it)."""
        return self.admin1 or self.relation == "countryside"


def cue_around(text: str, start: int, end: int) -> Cue:
    """What the words before text[start:end] and after it say about the place named there."""
    # Cues never cross a line break: a dateline or heading is not part of the previous line.
    before = text[max(0, start - _WINDOW) : start].rsplit("\n", 1)[-1]
    locative = bool(_LOCATIVE_BEFORE.search(before))
    after = text[end : end + _WINDOW].split("\n", 1)[0]
    relation: str | None = None
    near = admin1 = settlement = False

    if _ADMIN1_BEFORE.search(before) or _ADMIN1_AFTER.match(after):
        admin1 = True
    part_before = _PART_BEFORE.search(before)
    part = _compass(part_before.group("direction")) if part_before else None
    settlement_before = _SETTLEMENT_BEFORE.search(before)
    if settlement_before:
        settlement = True
        before = before[: settlement_before.start()]
        noun = (settlement_before.group("noun") or "").lower()
        if noun in _PART_NOUNS:
            relation, near = noun, True
    settlement_after = _SETTLEMENT_AFTER.match(after)
    if settlement_after:
        settlement = True
        noun = settlement_after.group("noun").lower()
        if noun in _PART_NOUNS:
            relation, near = noun, True

    found = _RELATION_BEFORE.search(before)
    following = _RELATION_AFTER.match(after) or _RURAL_BEFORE.search(before)
    # "eastern Deir ez-Zor countryside", "north-eastern rural Hama": the adjective qualifies
    # the countryside.
    unnamed = False
    if found and not (found.group("adjective") and following):
        relation, near = _relation_name(found), True
        unnamed = bool(_UNNAMED_SETTLEMENT_BEFORE.search(before[: found.start()]))
    elif _ORIGIN_BEFORE.search(before) and not _RANGE_AFTER.match(after):
        relation = ORIGIN
    elif following:
        relation, near = following.group("relation").lower().replace("rural", "countryside"), True
    elif _ROAD_AFTER.match(after) and (after.startswith("-") or _ROAD_TOWN_BEFORE.search(before)):
        relation, near = ROAD_END, True
    return Cue(
        relation=relation,
        near=near,
        admin1=admin1,
        settlement=settlement,
        locative=locative,
        part=part,
        unnamed=unnamed,
    )


def _relation_name(found: re.Match[str]) -> str:
    if found.group("distance"):
        direction = _direction(found.group("dir_far"))
        return f"{found.group('distance')} {found.group('unit').lower()} {direction} of"
    if found.group("distance_from"):
        return f"{found.group('distance_from')} {found.group('unit_from').lower()} from"
    if found.group("dir"):
        return f"{_direction(found.group('dir'))} of"
    if found.group("adjective"):
        return found.group("adjective").lower()
    if found.group("rural"):
        return "countryside"
    return next(
        name
        for name in ("outskirts", "countryside", "vicinity", "road", "desert", "near")
        if found.group(name)
    )


def _direction(word: str) -> str:
    return re.sub(r"[- ]", "", word.lower())


def _compass(word: str) -> str | None:
    """ "south", "north-eastern", "Eastern" -> "south", "northeast", "east"; "central" -> None."""
    direction = _direction(word).removesuffix("ern")
    return direction if direction != "central" else None
