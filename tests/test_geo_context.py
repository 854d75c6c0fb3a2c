"""Resolution in context: which country an article is about, provinces as containers, honest
precision for villages the gazetteer lacks, and the place each event takes."""

from __future__ import annotations

import os
from datetime import date

import pytest

from conflictlens.extraction import extract_article
from conflictlens.geo import Gazetteer, GeoHit
from conflictlens.models import FLAG_PLACE_NOT_FOUND, Article, Event


@pytest.fixture(scope="module")
def gazetteer(tmp_path_factory: pytest.TempPathFactory) -> Gazetteer:
    if "CONFLICTLENS_DATA_DIR" not in os.environ:
        os.environ["CONFLICTLENS_DATA_DIR"] = str(tmp_path_factory.mktemp("geo-data"))
    return Gazetteer.default()


def hit_for(hits: list[GeoHit], text: str) -> GeoHit:
    matching = [h for h in hits if h.text == text]
    assert len(matching) == 1, hits
    return matching[0]


def first_incident(text: str) -> Event:
    events = extract_article(Article(id="t", text=text, published=date(2023, 3, 14)))
    incidents = [e for e in events if e.kind == "incident"]
    assert incidents, events
    return incidents[0]


# -- the article's countries ----------------------------------------------------------------


def test_a_country_in_an_organisation_name_is_no_place(gazetteer: Gazetteer) -> None:
    text = (
        "A drone launched by the Islamic Resistance in Iraq struck a coalition base "
        "in the countryside of Hasakeh on Tuesday."
    )
    context = gazetteer.context(text)
    assert context.countries.most_common(1)[0][0] == "SY"
    hits = gazetteer.find(text, context)
    assert "Iraq" not in [h.text for h in hits]
    hasakeh = hit_for(hits, "Hasakeh")
    assert hasakeh.place is not None
    assert (hasakeh.place.kind, hasakeh.place.admin1, hasakeh.precision) == (
        "admin1",
        "Al-Hasakah",
        3,
    )


def test_a_country_as_a_modifier_is_no_place(gazetteer: Gazetteer) -> None:
    hits = gazetteer.find("Turkey backed factions shelled Tall Tamr in northeast Syria.")
    assert [h.text for h in hits] == ["Tall Tamr", "Syria"]


def test_a_country_where_things_happen_stays_a_place(gazetteer: Gazetteer) -> None:
    text = "The Government of Iraq said fighting in Iraq had eased."
    hits = gazetteer.find(text)
    assert [h.text for h in hits] == ["Iraq"]
    assert hits[0].start == text.rindex("Iraq")


# -- provinces as containers and honest precision --------------------------------------------


def test_an_unknown_village_before_its_province_is_not_found(gazetteer: Gazetteer) -> None:
    text = "Government artillery shelled Kfar Dabsha in Idlib, Syria, overnight."
    hits = gazetteer.find(text)
    village = hit_for(hits, "Kfar Dabsha")
    assert village.place is None and FLAG_PLACE_NOT_FOUND in village.flags
    province = hit_for(hits, "Idlib").place
    assert province is not None and (province.kind, province.admin1) == ("admin1", "Idlib")


def test_an_unknown_name_without_a_province_is_dropped(gazetteer: Gazetteer) -> None:
    hits = gazetteer.find("Government artillery shelled Kfar Dabsha overnight, Syrian media said.")
    assert hits == []


def test_a_person_before_a_city_is_not_a_village(gazetteer: Gazetteer) -> None:
    hits = gazetteer.find("Talks with Sergei Lavrov in Moscow ended on Friday.")
    assert [h.text for h in hits] == ["Moscow"]


@pytest.mark.parametrize(
    ("text", "name", "admin1"),
    [
        ("Shells fell in the southern countryside of Idleb, Syria.", "Idleb", "Idlib"),
        ("Two farmers died in Hama countryside, Syria.", "Hama", "Hama"),
        ("Airstrikes hit rural Damascus, Syria.", "Damascus", "Rif Dimashq"),
    ],
)
def test_the_countryside_of_a_seat_is_its_province(
    gazetteer: Gazetteer, text: str, name: str, admin1: str
) -> None:
    hit = hit_for(gazetteer.find(text), name)
    assert hit.place is not None
    assert (hit.place.kind, hit.place.admin1, hit.precision) == ("admin1", admin1, 3)


def test_a_direction_word_before_countryside_is_no_division(gazetteer: Gazetteer) -> None:
    hits = gazetteer.find("A car burned in the Eastern countryside of Deir ez-Zor, Syria.")
    assert "Eastern" not in [h.text for h in hits]


def test_a_town_missing_from_geonames_comes_from_the_supplement(gazetteer: Gazetteer) -> None:
    hit = hit_for(gazetteer.find("Mortars hit Zamalka in Eastern Ghouta, Syria."), "Zamalka")
    assert hit.place is not None
    assert (hit.place.kind, hit.place.admin1, hit.precision) == ("place", "Rif Dimashq", 1)


# -- the place each event takes --------------------------------------------------------------


def test_a_village_not_found_gives_its_province_and_a_flag() -> None:
    event = first_incident(
        "Gunmen killed two shepherds in the village of Al-Shola in Deir Ezzor on Sunday."
    )
    assert (event.country, event.admin1, event.geo_precision) == ("Syria", "Deir ez-Zor", 3)
    assert FLAG_PLACE_NOT_FOUND in event.flags


def test_where_fighters_come_from_is_not_where_they_fought() -> None:
    event = first_incident(
        "On Monday, fighters from Deir ez-Zor clashed with a rival faction in the town of "
        "Jarablus, killing four people."
    )
    assert event.admin1 == "Aleppo"


def test_an_incident_without_a_place_takes_the_scene_of_the_story() -> None:
    event = first_incident(
        "Militants stormed Tal Afar, Nineveh, Iraq on Tuesday. Police repelled the assault, "
        "killing six militants. Sources blamed the Islamic State of Iraq and the Levant."
    )
    assert (event.country, event.admin1) == ("Iraq", "Nineveh")
    assert event.location is not None and "Afar" in event.location


def test_a_region_across_provinces_takes_the_province_named() -> None:
    event = first_incident(
        "Airstrikes killed three militants hiding in caves in the Hamrin Mountains "
        "in Diyala province, Iraq, on Sunday."
    )
    assert event.admin1 == "Diyala"
