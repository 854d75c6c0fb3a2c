from __future__ import annotations

from datetime import date

from conflictlens.clean import (
    content_lines,
    date_from_url,
    detect_language,
    find_dateline,
    is_junk_line,
    month_from_url,
)


def test_page_furniture_is_junk_and_reporting_is_not() -> None:
    for line in (
        "FOLLOW INDEPENDENT PRESS:",
        "TWITTER (CLICK HERE)",
        "Leave a Reply",
        "Share this story!",
        "https://example.org/x",
        "This article is republished from – Some Site – Read the original.",
        ".",
    ):
        assert is_junk_line(line), line
    for line in ("Five soldiers were killed in an ambush.", "Source: Rudaw"):
        assert not is_junk_line(line), line


def test_content_lines_keep_offsets_into_the_original_text() -> None:
    text = "Headline here\n\nLeave a Reply\n  Body sentence one.  \n"
    lines = content_lines(text)
    assert [ln.text for ln in lines] == ["Headline here", "Body sentence one."]
    assert all(text[ln.start : ln.end] == ln.text for ln in lines)
    kept = content_lines(text, keep_junk=True)
    assert [ln.text for ln in kept] == ["Headline here", "Leave a Reply", "Body sentence one."]
    assert all(text[ln.start : ln.end] == ln.text for ln in kept)


def test_dateline_gives_a_publication_date() -> None:
    assert find_dateline("Big headline\n\nSat 09 January 2021:\n\nBody.")[0] == date(2021, 1, 9)
    assert find_dateline("Headline\nLast Update: 2019-04-20 00:00:00 - Source: Wire\nBody")[
        0
    ] == date(2019, 4, 20)
    assert find_dateline("No date in this text at all.\nJust words.") is None


def test_a_page_stamp_after_a_clock_time_or_a_byline_is_found() -> None:
    page = "Gunmen kill five in Kano\n\n14:05, 12 March 2019 Tuesday\n\nFive men were shot dead on Tuesday."
    assert find_dateline(page)[0] == date(2019, 3, 12)
    byline = (
        "Convoy ambushed near Gao\nReuters , Friday 8 Nov 2019\nSoldiers were killed on Friday."
    )
    assert find_dateline(byline)[0] == date(2019, 11, 8)


def test_a_stamp_inside_a_headline_is_not_a_page_stamp() -> None:
    assert find_dateline("Attack on 12 March 2019 kills five\nThe attack was on Tuesday.") is None


def test_a_stamp_whose_printed_weekday_is_wrong_is_ignored() -> None:
    # 12 March 2019 was a Tuesday: a page printing "Monday" beside it is stamped wrongly.
    assert find_dateline("Headline\nMonday 12 March 2019\nBody on Monday.") is None


def test_of_two_page_stamps_the_one_on_the_day_the_text_names_wins() -> None:
    # A site header stamps the day the page was last rendered; the agency byline the day the
    # story ran, which is the "Monday" of its text.
    page = (
        "Last Update 11:57\nWednesday, 04 August 2021\n\nBomb kills 12 at a wedding in Kirkuk\n\n"
        "AFP , Monday 29 Feb 2016\n\nA bomb struck a wedding party in Kirkuk on Monday, police said."
    )
    assert find_dateline(page)[0] == date(2016, 2, 29)
    without_weekday = page.replace(" on Monday", "")
    assert find_dateline(without_weekday)[0] == date(2021, 8, 4)  # the first stamp


def test_a_full_date_in_the_url_path_dates_the_page() -> None:
    assert date_from_url("https://news.example.org/2019/03/14/gunmen-kill-five/") == date(
        2019, 3, 14
    )
    assert date_from_url("https://news.example.org/world/2019-3-4-bomb-kills-two") == date(
        2019, 3, 4
    )
    assert date_from_url("https://news.example.org/2020/01/village-attack.html") is None
    assert date_from_url("https://news.example.org/2019/13/40/x") is None
    assert date_from_url(None) is None


def test_a_year_and_month_in_the_url_path_date_the_page_to_its_month() -> None:
    assert month_from_url("https://blog.example.net/2020/01/ten-killed-in-village.html") == date(
        2020, 1, 1
    )
    assert month_from_url("https://example.org/archives/2011/08/mosque_attack.php") == date(
        2011, 8, 1
    )
    # A full date is a day, not a month; a thirteenth month is no month.
    assert month_from_url("https://news.example.org/2019/03/14/gunmen-kill-five/") is None
    assert month_from_url("https://news.example.org/2019/13/x.html") is None
    assert month_from_url("https://news.example.org/story/12345") is None


def test_language_detection() -> None:
    assert (
        detect_language(
            "Five soldiers were killed in an attack on their post, officials said on Monday."
        )
        == "en"
    )
    assert detect_language("قتل خمسة جنود في هجوم على موقعهم شرق البلاد") == "ar"
    assert (
        detect_language(
            "Cinq soldats ont été tués lors d'une attaque contre leur poste, selon des responsables."
        )
        == "fr"
    )
