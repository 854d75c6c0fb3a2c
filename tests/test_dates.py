from __future__ import annotations

from datetime import date, timedelta

from hypothesis import given
from hypothesis import strategies as st

from conflictlens.extraction.dates import WEEKDAYS, find_dates
from conflictlens.models import FLAG_DATE_UNRESOLVED

SATURDAY = date(2021, 1, 9)


def resolve(text: str, published: date | None = SATURDAY) -> list[tuple[date | None, int]]:
    return [(m.value, m.precision) for m in find_dates(text, published)]


def test_weekdays_resolve_to_the_latest_such_day_on_or_before_publication() -> None:
    assert resolve("killed on Saturday") == [(date(2021, 1, 9), 1)]
    assert resolve("the ambush late last Sunday") == [(date(2021, 1, 3), 1)]
    assert resolve("three were killed at Monday dawn") == [(date(2021, 1, 4), 1)]
    assert resolve("soldiers died Friday east of the town") == [(date(2021, 1, 8), 1)]
    assert resolve("last Saturday's raid") == [(date(2021, 1, 2), 1)]


def test_relative_days() -> None:
    assert resolve("yesterday") == [(date(2021, 1, 8), 1)]
    assert resolve("two days ago") == [(date(2021, 1, 7), 1)]
    assert resolve("over the past 48 hours") == [(date(2021, 1, 7), 2)]
    assert resolve("last week") == [(date(2021, 1, 2), 2)]
    assert resolve("a few days ago") == [(date(2021, 1, 6), 2)]


def test_month_day_is_in_the_past_so_the_previous_year_when_needed() -> None:
    assert resolve("a December 30 bus ambush") == [(date(2020, 12, 30), 1)]
    assert resolve("on January 5") == [(date(2021, 1, 5), 1)]
    assert resolve("on 3 March") == [(date(2020, 3, 3), 1)]


def test_month_precision() -> None:
    assert resolve("in October") == [(date(2020, 10, 1), 3)]
    assert resolve("Earlier in January, nine soldiers") == [(date(2021, 1, 1), 3)]
    assert resolve("in early February") == [(date(2020, 2, 1), 3)]
    assert resolve("in October last year") == [(date(2020, 10, 1), 3)]
    assert resolve("last month") == [(date(2020, 12, 1), 3)]
    assert resolve("last year") == [(date(2020, 1, 1), 4)]


def test_absolute_dates_resolve_without_publication_date() -> None:
    assert resolve("On 9 May 2020, warplanes struck", None) == [(date(2020, 5, 9), 1)]
    assert resolve("on March 3, 2019", None) == [(date(2019, 3, 3), 1)]
    assert resolve("in March 2017", None) == [(date(2017, 3, 1), 3)]


def test_relative_dates_without_publication_date_stay_null_and_flagged() -> None:
    mentions = find_dates("killed on Monday, two days ago, on April 9", None)
    assert [m.value for m in mentions] == [None, None, None]
    assert all(FLAG_DATE_UNRESOLVED in m.flags for m in mentions)


def test_years_alone_are_not_days() -> None:
    assert resolve("proclaimed a caliphate in 2014") == [(date(2014, 1, 1), 4)]


@given(
    st.dates(min_value=date(2000, 1, 1), max_value=date(2030, 12, 31)), st.sampled_from(WEEKDAYS)
)
def test_weekday_is_never_after_publication_nor_a_week_before(
    published: date, weekday: str
) -> None:
    [mention] = find_dates(f"on {weekday.title()}", published)
    assert mention.value is not None
    assert published - timedelta(days=6) <= mention.value <= published
    assert WEEKDAYS[mention.value.weekday()] == weekday


def test_days_counted_from_the_day_told_last() -> None:
    told = date(2021, 1, 5)
    found = [
        (m.value, m.precision) for m in find_dates("A day earlier, gunmen shot", SATURDAY, told)
    ]
    assert found == [(date(2021, 1, 4), 1)]
    same = find_dates("On the same day, a bomb exploded near the market", SATURDAY, told)
    assert [m.value for m in same] == [told]
    assert [m.value for m in find_dates("on the following day.", SATURDAY, told)] == [
        date(2021, 1, 6)
    ]
    # Without a day told before, they count from the report's date.
    assert [m.value for m in find_dates("the previous day", SATURDAY)] == [date(2021, 1, 8)]
    # "A day after the attack" counts from an event, not from a date.
    assert find_dates("a day after communication was lost with him", SATURDAY, told) == []


def test_a_page_dated_to_its_month_dates_weekdays_to_that_month_only() -> None:
    august = date(2011, 8, 1)  # a page filed under /2011/08/
    found = find_dates(
        "The bomber struck on Friday; a day earlier police said on August 18 they feared it.",
        august,
        published_precision=3,
    )
    assert [(m.text, m.value, m.precision) for m in found] == [
        ("on Friday", august, 3),
        ("a day earlier", august, 3),
        ("August 18", date(2011, 8, 18), 1),
    ]
    [today] = find_dates("killed 40 people today", august, published_precision=3)
    assert (today.value, today.precision) == (august, 3)
    [november] = find_dates("targeted in November", date(2013, 9, 1), published_precision=3)
    assert (november.value, november.precision) == (date(2012, 11, 1), 3)
