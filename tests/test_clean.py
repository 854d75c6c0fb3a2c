from __future__ import annotations

from datetime import date

from conflictlens.clean import content_lines, detect_language, find_dateline, is_junk_line


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
