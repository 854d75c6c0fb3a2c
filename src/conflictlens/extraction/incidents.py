"""Incidents: group clauses into one record per incident, the way a coder reads a report.

A clause with a count, or a trigger and a time or place, starts an incident unless it is compatible with
one already open (the headline, the lede and the body naming the same attack); a clause with nothing new
("The attack came as ...", "IS claimed responsibility") continues the current incident, and so does
another source's toll for it ("the governor, however, said two were killed"); the body's first report joins the headline's incident whatever the tolls; tallies over a period are aggregates,
and the sentences and list lines that go on about a tally ("These attacks claimed the lives of ...",
"Of the total, ...") are part of it, never incidents; a headline total that equals the sum of the
incidents below it is a summary, not an incident of its own.
"""

from __future__ import annotations

import re
from dataclasses import dataclass, field
from datetime import date

from conflictlens.extraction.clauses import Clause
from conflictlens.extraction.counts import CountMention
from conflictlens.extraction.dates import DateMention
from conflictlens.geo import GeoHit, distance_km

PLACE_CONFLICT_KM = 50.0
# Only connectives stand before a date that opens a sentence ("On February 11, ...", "While on
# February 7, ...", "Also in April 2020, ...").
_OPENING = re.compile(
    r"\W*(?:(?:and|but|while|whereas|also|meanwhile|earlier|later|then|on|in|during|since|by|of)"
    r"\b[\W]*)*",
    re.I,
)
# A day this many days before the report is never an undated lede's, wherever the sentence names it.
_RECAP_DAYS = 7
_PERIOD_END = re.compile(r"\b(?:until|till|up to|through)\s+$", re.I)
_ALSO = re.compile(r"\b(?:also|as well(?! as)|in addition|besides)\b", re.I)
GENERIC_TRIGGER_PRIORITY = 10  # the catch-all rule of data/event_types.yaml
# A single report of this many dead is a tally over a war or a year, not one incident.
TALLY_THRESHOLD = 1000
# Sub-event types that a reporter would never use for the same incident.
_EXCLUSIVE_FAMILIES = (
    {"Air/drone strike"},
    {"Remote explosive/landmine/IED", "Suicide bomb", "Grenade"},
    {"Shelling/artillery/missile attack"},
    {"Abduction/forced disappearance"},
    {"Arrests"},
)


@dataclass
class Incident:
    kind: str  # "incident" | "aggregate"
    clauses: list[Clause] = field(default_factory=list)
    # The report's date: an incident told without a date of its own happened around then.
    reported_on: date | None = None

    @property
    def first(self) -> Clause:
        return self.clauses[0]

    def counts(self, category: str) -> list[CountMention]:
        """Every count of one category; "no casualties" yields to any report of people hit, and a
        group's claimed toll to the report's own figure."""
        reported = [cl for cl in self.clauses if not cl.claimed_toll] or self.clauses
        mentions = [c for cl in reported for c in cl.counts if c.category == category]
        if any(c.best != 0 for c in mentions):
            mentions = [c for c in mentions if c.best != 0]
        return mentions

    def main_count(self, category: str) -> CountMention | None:
        """The count the record reports: precise over vague, body over headline, the latest toll
        when the report revises it ("the death toll rose to 19"), else split by side first."""
        mentions = self.counts(category)
        precise = [c for c in mentions if not c.vague]
        body = [c for c in precise if not _in_headline(self, c)]
        revised = [c for c in body if c.revised]
        if revised:
            return revised[-1]
        detailed = [c for c in body if len(c.members) > 1]
        return (detailed or body or precise or mentions or [None])[0]

    def clause_of(self, count: CountMention) -> Clause:
        """The clause a count was read in."""
        return next(cl for cl in self.clauses if count in cl.counts)

    def main_killed(self) -> CountMention | None:
        """The precise death toll, if the incident has one. Vague tolls are not compared, nor is a
        ceiling alone: "nearly 20 killed" in a headline is the body's 7 and 11 rounded up."""
        count = self.main_count("killed")
        if count is None or count.vague or (count.low is None and count.high is not None):
            return None
        return count

    def dates(self) -> list[DateMention]:
        return [d for cl in self.clauses for d in cl.dates]

    def specific_places(self) -> list[GeoHit]:
        return [h for cl in self.clauses for h in cl.places if h.place is not None]

    def sub_event_types(self) -> set[str]:
        return {
            t.rule.sub_event_type
            for cl in self.clauses
            for t in cl.triggers
            if t.rule.priority >= 40
        }


def _in_headline(incident: Incident, count: CountMention) -> bool:
    return any(cl.headline and count in cl.counts for cl in incident.clauses)


def group_incidents(clauses: list[Clause], published: date | None = None) -> list[Incident]:
    incidents: list[Incident] = []
    current: Incident | None = None
    tally: Incident | None = None  # the running total the next clauses may go on about
    for clause in clauses:
        if tally is not None and _continues_tally(tally, clause):
            _add_to_tally(tally, clause, incidents)
            continue
        if clause.is_candidate or clause.dates:
            tally = None
        if clause.quoted and current is not None:
            # A witness quoted right after the lede speaks of that incident ("without a fight").
            if not clause.dates and _compatible(current, clause):
                current.clauses.append(clause)
            continue
        if current is not None and _speaks_of(current, clause):
            current.clauses.append(clause)
            continue
        if not clause.is_candidate:
            if clause.aggregate_cue:
                # "Since early June 2019, activists have documented more than 800 attacks.": the
                # tally's toll follows ("These attacks claimed the lives of ...").
                tally = Incident("aggregate", [clause])
            elif current is not None and _continues(current, clause):
                current.clauses.append(clause)
            continue
        if clause.habitual and not clause.counts:
            if clause.aggregate_cue:  # "As more deaths are recorded regularly, the number ..."
                tally = Incident("aggregate", [clause])
            continue
        if clause.claimed_toll and current is not None:
            current.clauses.append(clause)
            continue
        huge = any(
            c.category == "killed" and (c.best or c.low or 0) >= TALLY_THRESHOLD
            for c in clause.counts
        )
        one_day = any(d.precision == 1 for d in clause.dates)
        if (clause.aggregate_cue or huge) and (clause.counts or not one_day):
            tally = Incident("aggregate", [clause])
            if clause.counts:
                incidents.append(tally)
            elif current is not None and _continues(current, clause):
                # "This was one of 43 coordinated attacks, all claimed by AQI": the claim is the
                # incident's.
                current.clauses.append(clause)
                tally = None
            continue
        # A report of no casualties starts an incident only when nothing before it did.
        if not _starts_incident(clause) and not (
            current is None and any(c.best == 0 for c in clause.counts)
        ):
            if (
                current is not None
                and not clause.new_incident_cue
                and not _only_background_dates(clause)
                and (_compatible(current, clause) or current is _headline_of(incidents, clause))
            ):
                current.clauses.append(clause)
            elif _reports_an_act(clause):
                current = Incident("incident", [clause], reported_on=published)
                incidents.append(current)
            continue
        target = (
            None
            if clause.new_incident_cue
            else _headline_of(incidents, clause)
            or _other_account_of(current, clause)
            or _find_compatible(incidents, current, clause)
        )
        if target is None:
            target = Incident("incident", [], reported_on=published)
            incidents.append(target)
        target.clauses.append(clause)
        current = target
    return _drop_summaries(incidents)


def _continues_tally(tally: Incident, clause: Clause) -> bool:
    """A clause that goes on about the tally just before it: "These attacks claimed the lives of
    ...", "Of the total number, ...", "in the same period", or a line of the list it introduced;
    and a tally still without a toll takes a dateless count over several provinces, which no one
    incident has. A clause naming a day of its own reports an incident, whatever its wording; the
    day that ends the period ("from March 2019 until today") is no such day."""
    if any(d.precision == 1 and not _ends_period(clause.text, d) for d in clause.dates):
        return False
    if clause.tally_continuation or clause.list_item:
        return True
    provinces = {h.place.admin1 for h in clause.places if h.place is not None and h.place.admin1}
    return (
        tally.main_killed() is None
        and not clause.dates
        and len(provinces) > 1
        and any(c.category == "killed" for c in clause.counts)
    )


def _ends_period(text: str, mention: DateMention) -> bool:
    """ "until today", "up to January 5": the day a period ends, not the day of an incident."""
    return _PERIOD_END.search(text[max(0, mention.start - 10) : mention.start]) is not None


def _add_to_tally(tally: Incident, clause: Clause, incidents: list[Incident]) -> None:
    """The tally's toll is the first one told: a tally opened without one takes the continuation's
    ("claimed the lives of 545 persons") and becomes a record; later parts of it ("Of the total,
    112 ...", "- 152 civilians") break the toll down and add nothing."""
    if tally.main_killed() is not None:
        return
    tally.clauses.append(clause)
    if clause.counts and not any(i is tally for i in incidents):
        incidents.append(tally)


def _speaks_of(current: Incident, clause: Clause) -> bool:
    """A clause about the dated incident just told, with no toll or place of its own ("IS claimed
    responsibility for the attack in a statement on Saturday"): a day it names is when it was said,
    not a second incident."""
    return bool(
        current.kind == "incident"
        and current.dates()
        and clause.follow_up_cue
        and clause.dates
        and not clause.counts
        and not any(h.place is not None for h in clause.places)
        and not clause.new_incident_cue
        and not clause.aggregate_cue
    )


def _continues(current: Incident, clause: Clause) -> bool:
    """A clause with nothing new that goes on about the current incident: who said so, "the attack
    came as ...", or "Friday's attack" when the incident has no date yet."""
    return bool(
        ((clause.sources or clause.follow_up_cue) and not clause.dates)
        or (clause.back_reference and not current.dates())
    )


def _starts_incident(clause: Clause) -> bool:
    """A clause that reports an incident by itself: people counted, or an act with a time or place."""
    # "There were no casualties" adds to an incident; it does not report one by itself.
    people = [c for c in clause.counts if c.best != 0]
    if any(c.category in ("killed", "wounded", "abducted", "arrested") for c in people):
        return bool(clause.triggers) or any(c.category == "killed" for c in people)
    # Any specific act (not the catch-all "attacked"/"killed") with a time or a place starts one:
    # arrests, abductions and looting are incidents too.
    specific = any(t.rule.priority > GENERIC_TRIGGER_PRIORITY for t in clause.triggers)
    return specific and bool(clause.dates or clause.places)


def _only_background_dates(clause: Clause) -> bool:
    """ "IS lost its last territory in 2019": a year alone dates history, never the incident."""
    return bool(clause.dates) and all(d.precision == 4 for d in clause.dates)


def _reports_an_act(clause: Clause) -> bool:
    """A clause that names who did a generic act, and when or where ("Late last Thursday, IS
    militants attacked Peshmerga positions near Makhmur"): an incident even without a count."""
    return bool(
        clause.triggers
        and (clause.dates or clause.places)
        and "attacker" in clause.actor_roles
        and not clause.habitual
    )


def _headline_of(incidents: list[Incident], clause: Clause) -> Incident | None:
    """The headline's incident, while the body has not yet given its own toll: the lede tells the
    attack the headline names, though the headline rounds its toll or counts the dead and wounded
    together ("Five soldiers killed and wounded" over "The attack left one soldier dead and four
    injured"). Only a date, a place or a kind of attack apart makes them two."""
    if clause.headline or not incidents:
        return None
    headline = incidents[-1]
    if headline.kind != "incident" or not headline.first.headline:
        return None
    elsewhere = (cl for other in incidents if other is not headline for cl in other.clauses)
    body_toll = (c for cl in headline.clauses if not cl.headline for c in cl.counts)
    if any(not cl.headline for cl in elsewhere) or any(c.category == "killed" for c in body_toll):
        return None
    return headline if _compatible(headline, clause, counts=False) else None


def _other_account_of(current: Incident | None, clause: Clause) -> Incident | None:
    """The incident just told, when the clause gives another source's toll for it ("The governor,
    however, said two people were killed"): sources disagree on one attack's dead far more often
    than a report tells two attacks alike in all but the toll. A date, place or kind of attack
    apart still makes two."""
    if current is None or current.kind != "incident" or not clause.other_account:
        return None
    return current if _compatible(current, clause, counts=False) else None


def _find_compatible(
    incidents: list[Incident], current: Incident | None, clause: Clause
) -> Incident | None:
    ordered = ([current] if current is not None else []) + [
        i for i in reversed(incidents) if i is not current
    ]
    for incident in ordered:
        if incident.kind == "incident" and _compatible(incident, clause):
            return incident
    return None


def _date_key(mention: DateMention) -> str:
    return mention.value.isoformat() if mention.value else mention.text.lower().removeprefix("on ")


def _dates_conflict(a: list[DateMention], b: list[DateMention]) -> bool:
    if not a or not b:
        return False
    best_a, best_b = min(a, key=lambda d: d.precision), min(b, key=lambda d: d.precision)
    if best_a.value and best_b.value:
        if best_a.precision >= 3 or best_b.precision >= 3:
            coarse = max(best_a.precision, best_b.precision)
            same = best_a.value.year == best_b.value.year and (
                coarse == 4 or best_a.value.month == best_b.value.month
            )
            return not same
        # Two different days named in one report are two incidents ("on Monday" / "on Tuesday").
        return best_a.value != best_b.value
    return _date_key(best_a) != _date_key(best_b)


def _places_conflict(a: list[GeoHit], b: list[GeoHit], *, headline: bool) -> bool:
    """Two sets of places that cannot be one incident's. Headlines name the nearest well-known city,
    and "40 km north of X" is far from X, so those only conflict across countries or very far apart."""
    a_hits = [h for h in a if h.place is not None and h.place.kind != "country"]
    b_hits = [h for h in b if h.place is not None and h.place.kind != "country"]
    if not a_hits or not b_hits:
        return False
    # The province around a named town adds nothing: two towns far apart in one province conflict.
    a_hits, b_hits = _most_specific(a_hits), _most_specific(b_hits)
    for ha in a_hits:
        for hb in b_hits:
            pa, pb = ha.place, hb.place
            assert pa is not None and pb is not None
            if pa.country_code != pb.country_code:
                continue
            if headline:
                return False
            if pa.kind in ("admin1", "region") or pb.kind in ("admin1", "region"):
                if pa.admin1 == pb.admin1 or "region" in (pa.kind, pb.kind):
                    return False
                continue
            directional = any(h.relation and h.relation.endswith(" of") for h in (ha, hb))
            limit = PLACE_CONFLICT_KM * (3 if directional else 1)
            if distance_km(pa.latitude, pa.longitude, pb.latitude, pb.longitude) <= limit:
                return False
    return True


def _most_specific(hits: list[GeoHit]) -> list[GeoHit]:
    local = [h for h in hits if h.place is not None and h.place.kind not in ("admin1", "region")]
    return local or hits


def _counts_conflict(incident: Incident, clause: Clause) -> bool:
    mine = incident.main_killed()
    theirs = next((c for c in clause.counts if c.category == "killed" and not c.vague), None)
    if mine is None or theirs is None:
        return False
    if is_other_sides_toll(theirs, mine, clause.text):
        return False
    return (
        mine.best != theirs.best
        and not _within(theirs.best, mine)
        and not _within(mine.best, theirs)
    )


def is_other_sides_toll(count: CountMention, main: CountMention, text: str) -> bool:
    """A second toll that adds to the first: it says so ("two attackers were also killed") or it
    counts the attackers when the first counted their victims ("more than 50 assailants were killed")."""
    also = _ALSO.search(text[max(0, count.start - 20) : count.end + 25])
    other_side = set(count.by_side()) == {"armed_group"} and "armed_group" not in main.by_side()
    return bool(also or other_side)


def _within(value: int | None, count: CountMention) -> bool:
    if value is None or count.low is None:
        return False
    return count.low <= value and count.high is None and value <= count.low * 1.5


def _types_conflict(incident: Incident, clause: Clause) -> bool:
    mine = incident.sub_event_types()
    theirs = {t.rule.sub_event_type for t in clause.triggers if t.rule.priority >= 40}
    if not mine or not theirs or mine & theirs:
        return False  # "clashes" in the headline and "exchange of fire" in the lede: one fight
    return not any(mine & fam and theirs & fam for fam in _EXCLUSIVE_FAMILIES)


def _compatible(incident: Incident, clause: Clause, *, counts: bool = True) -> bool:
    """Whether `clause` can tell the same incident: no date, place or kind of attack apart, nor
    (unless `counts` is off) two tolls that cannot be one."""
    return not (
        _dates_conflict(incident.dates(), clause.dates)
        or _recaps_an_earlier_day(incident, clause)
        or _places_conflict(
            incident.specific_places(),
            [h for h in clause.places if h.place is not None],
            headline=clause.headline or all(cl.headline for cl in incident.clauses),
        )
        or (counts and _counts_conflict(incident, clause))
        or _types_conflict(incident, clause)
    )


def _recaps_an_earlier_day(incident: Incident, clause: Clause) -> bool:
    """ "On February 11, activists documented ..." after a lede that gives no date: a monitor's
    recap of an earlier incident, not today's told again. An incident without a date of its own
    happened on the report's date; a sentence that opens with an earlier day ("Yesterday, ...") or
    with a month already over ("In April 2020, ..."), or that names a day a week or more before the
    report anywhere, tells another one. (The headline names no date either: it stays with the
    lede.)"""
    if (
        incident.reported_on is None
        or incident.dates()
        or all(c.headline for c in incident.clauses)
    ):
        return False
    return any(
        _before_report(d, incident.reported_on, opening=_opens(clause.text, d))
        for d in clause.dates
    )


def _opens(text: str, mention: DateMention) -> bool:
    """Whether the date opens its sentence: only connectives stand before it."""
    return _OPENING.fullmatch(text[: mention.start]) is not None


def _before_report(mention: DateMention, reported_on: date, *, opening: bool) -> bool:
    """An opening day before the report, or a month that ended before it; elsewhere in the
    sentence ("the attack, which took place on Monday"), only a day a week or more before it."""
    if mention.value is None or mention.precision not in (1, 3):
        return False
    if mention.precision == 3:
        return opening and _month_index(mention.value) < _month_index(reported_on)
    return (reported_on - mention.value).days >= (1 if opening else _RECAP_DAYS)


def _month_index(day: date) -> int:
    return day.year * 12 + day.month


def _drop_summaries(incidents: list[Incident]) -> list[Incident]:
    """Drop a headline/lede total that only sums the incidents reported below it."""
    kept: list[Incident] = []
    for i, incident in enumerate(incidents):
        main = incident.main_killed()
        own_day = any(d.precision == 1 for d in incident.dates())
        if incident.kind == "incident" and main is not None and main.best and not own_day:
            later = [
                m.best
                for other in incidents[i + 1 :]
                if other.kind == "incident" and (m := other.main_killed()) is not None and m.best
            ]
            if _is_sum_of_some(main.best, later):
                continue
        kept.append(incident)
    return kept


def _is_sum_of_some(total: int, parts: list[int]) -> bool:
    """Whether two or more consecutive later counts add up to `total` (the lede's "five killed")."""
    for start in range(len(parts)):
        running = 0
        for end in range(start, len(parts)):
            running += parts[end]
            if running == total and end > start:
                return True
            if running > total:
                break
    return False
