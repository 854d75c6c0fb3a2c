"""Resolution in context: which country an article is about, provinces as containers, honest
precision for villages the gazetteer lacks, and the place each event takes."""

from __future__ import annotations

import os
from datetime import date
from types import SimpleNamespace

import pytest

from conflictlens.extraction import extract_article
from conflictlens.extraction.assemble import (
    FLAG_COUNTRY_FROM_ACTOR,
    FLAG_PLACE_CAPITAL_INFERRED,
    _place,
)
from conflictlens.extraction.clauses import Clause
from conflictlens.geo import Gazetteer, GeoHit
from conflictlens.models import FLAG_PLACE_NEAR_UNNAMED, FLAG_PLACE_NOT_FOUND, Article, Event


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
        ("Shells fell in the countryside of Idleb, Syria.", "Idleb", "Idlib"),
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


@pytest.mark.parametrize(
    ("text", "name", "part", "admin1", "north", "east"),
    [
        (
            "Artillery pounded farms in the southern countryside of Idlib, Syria.",
            "Idlib",
            "Southern Idlib",
            "Idlib",
            -1,
            0,
        ),
        (
            "A drone hit a convoy in eastern Deir ez-Zor countryside, Syria.",
            "Deir ez-Zor",
            "Eastern Deir ez-Zor",
            "Deir ez-Zor",
            0,
            1,
        ),
        (
            "Militants raided a village in northwest Nineveh province, Iraq.",
            "Nineveh",
            "Northwestern Nineveh",
            "Nineveh",
            1,
            -1,
        ),
    ],
)
def test_a_part_of_a_province_is_located_at_that_part(
    gazetteer: Gazetteer, text: str, name: str, part: str, admin1: str, north: int, east: int
) -> None:
    hit = hit_for(gazetteer.find(text), name)
    assert hit.place is not None
    assert (hit.place.name, hit.place.kind, hit.place.admin1, hit.precision) == (
        part,
        "region",
        admin1,
        3,
    )
    whole = gazetteer.admin1(hit.place.country_code, admin1)
    assert whole is not None
    assert north * (hit.place.latitude - whole.latitude) >= 0
    assert east * (hit.place.longitude - whole.longitude) >= 0
    assert (hit.place.latitude, hit.place.longitude) != (whole.latitude, whole.longitude)


@pytest.mark.parametrize(
    ("text", "kind"),
    [
        ("Clashes went on in central Hama, Syria.", "place"),
        ("Shells fell in the countryside of Hama, Syria.", "admin1"),
        ("Troops moved through the eastern province of Hama, Syria.", "admin1"),
    ],
)
def test_a_province_without_a_compass_part_stays_whole(
    gazetteer: Gazetteer, text: str, kind: str
) -> None:
    place = hit_for(gazetteer.find(text), "Hama").place
    assert place is not None and (place.kind, place.admin1) == (kind, "Hama")


def test_a_village_not_found_in_part_of_a_province_takes_that_part() -> None:
    event = first_incident(
        "Regime artillery shelled Kfar Dabsha in the southern countryside of Idlib on Sunday, "
        "wounding two farmers."
    )
    assert (event.admin1, event.location, event.geo_precision) == ("Idlib", "Southern Idlib", 3)
    assert FLAG_PLACE_NOT_FOUND in event.flags


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


def test_an_incident_in_the_capital_is_placed_in_its_countrys_capital() -> None:
    event = first_incident(
        "A car bomb exploded on Tuesday outside the Somali trade ministry in the north of the "
        "capital, killing seven people, police in Somalia said."
    )
    assert (event.admin1, event.location, event.geo_precision) == ("Banadir", "Mogadishu", 1)
    assert FLAG_PLACE_CAPITAL_INFERRED in event.flags
    cited = [e.text for e in event.evidence if e.field == "location"]
    assert cited == ["in the north of the capital"]


def test_a_capital_named_by_its_demonym_needs_no_country_named() -> None:
    event = first_incident("Gunmen killed four guards near the Afghan capital on Sunday.")
    assert (event.location, event.geo_precision) == ("Kabul", 2)


@pytest.mark.parametrize(
    "where",
    ["in the provincial capital", "120 km north of the capital", "from the capital"],
)
def test_another_city_than_the_capital_is_not_the_capital(where: str) -> None:
    event = first_incident(
        f"A roadside bomb killed three soldiers on Monday {where}, officials in Somalia said."
    )
    assert event.location != "Mogadishu"
    assert FLAG_PLACE_CAPITAL_INFERRED not in event.flags


def test_the_capital_yields_to_a_district_of_it_the_story_names() -> None:
    event = first_incident(
        "Police closed the roads into Sadr City after clashes on Sunday. A bomb killed five "
        "people in the capital on Monday."
    )
    assert event.location == "Sadr City"
    assert FLAG_PLACE_CAPITAL_INFERRED not in event.flags


def test_a_town_given_only_relative_to_a_city_is_not_that_city() -> None:
    event = first_incident(
        "A suicide bomber attacked a wedding party on Monday in a town north of Baghdad, "
        "killing 20 guests. The blast in Baqubah also wounded 40 people, police said."
    )
    assert (event.admin1, event.location) == ("Diyala", "Baqubah")
    assert FLAG_PLACE_NEAR_UNNAMED not in event.flags


def test_a_village_known_only_by_a_city_near_it_is_coded_near_the_city_and_flagged() -> None:
    event = first_incident("Gunmen killed six farmers in a village near Kirkuk on Friday.")
    assert (event.location, event.geo_precision) == ("Kirkuk", 2)
    assert FLAG_PLACE_NEAR_UNNAMED in event.flags
    named = first_incident("Gunmen killed six farmers near Kirkuk on Friday.")
    assert FLAG_PLACE_NEAR_UNNAMED not in named.flags


def test_a_region_across_provinces_takes_the_province_named() -> None:
    event = first_incident(
        "Airstrikes killed three militants hiding in caves in the Hamrin Mountains "
        "in Diyala province, Iraq, on Sunday."
    )
    assert event.admin1 == "Diyala"


# -- countries: where it happened, not who took part ---------------------------------------


@pytest.mark.parametrize(
    ("text", "country"),
    [
        (
            "Russian-backed fighters attacked an army post near Menaka on Sunday, killing five "
            "soldiers.",
            "Mali",
        ),
        (
            "Turkey backed factions shelled the outskirts of Tal Tamr in Hasakah on Friday, "
            "wounding two civilians.",
            "Syria",
        ),
        (
            "A drone launched from Lebanon struck a house in Kiryat Shmona on Monday, injuring "
            "three people.",
            "Israel",
        ),
    ],
)
def test_backers_and_launch_sites_are_not_where_it_happened(text: str, country: str) -> None:
    assert first_incident(text).country == country


def test_a_demonym_does_not_rule_out_a_place_abroad(gazetteer: Gazetteer) -> None:
    text = "A Russian drone fired a missile at the town of Zamalka, killing a fighter."
    hit = hit_for(gazetteer.find(text), "Zamalka")
    assert hit.place is not None and hit.place.country_code == "SY"
    assert gazetteer.context(text).named == {}


@pytest.mark.parametrize(
    ("text", "country"),
    [
        ("A member of the Sharqiya Army shot dead a rival commander over an old dispute.", "Syria"),
        ("Al-Shabaab fighters ambushed a supply convoy, killing four soldiers.", "Somalia"),
    ],
)
def test_without_a_place_the_local_group_gives_the_country(text: str, country: str) -> None:
    event = first_incident(text)
    assert (event.country, event.admin1) == (country, None)
    assert FLAG_COUNTRY_FROM_ACTOR in event.flags


def test_a_foreign_force_never_gives_the_country() -> None:
    event = first_incident("Turkish forces shelled a village, killing two fighters on Monday.")
    assert event.country != "Turkey"


# -- regions and provinces -------------------------------------------------------------------


@pytest.mark.parametrize(
    ("text", "name", "admin1"),
    [
        ("Artillery hit several villages in the Ghab plain in Hama.", "Ghab Plain", "Hama"),
        ("Turkish jets struck hideouts in the Haftanin region of Duhok.", "Haftanin", "Duhok"),
        ("Clashes broke out in the Qalamoon mountains on Sunday.", "Qalamoun Mountains", None),
        ("Rebels downed a drone over East Ghuta.", "Eastern Ghouta", "Rif Dimashq"),
    ],
)
def test_conflict_regions_resolve_at_precision_3(
    gazetteer: Gazetteer, text: str, name: str, admin1: str | None
) -> None:
    regions = [h for h in gazetteer.find(text) if h.place is not None and h.place.kind == "region"]
    assert [h.place.name for h in regions if h.place] == [name]
    assert regions[0].precision == 3
    divisions = [h.place for h in gazetteer.find(text) if h.place and h.place.kind == "admin1"]
    assert [d.name for d in divisions] == ([admin1] if admin1 and admin1 in text else [])


@pytest.mark.parametrize(
    ("text", "name", "admin1"),
    [
        ("Jets bombed Kani Zirk (Kani Zerk) region of Erbil at dawn.", "Kani Zirk", "Erbil"),
        ("Gunmen raided Tungan Dutse (Tunga Dutse) area of Zamfara.", "Tungan Dutse", "Zamfara"),
    ],
)
def test_a_place_before_its_aside_and_container_lies_in_the_container(
    gazetteer: Gazetteer, text: str, name: str, admin1: str
) -> None:
    hit = hit_for(gazetteer.find(text), name)
    assert hit.place is None and FLAG_PLACE_NOT_FOUND in hit.flags
    assert hit.container is not None and hit.container.admin1 == admin1


@pytest.mark.parametrize(
    ("text", "name", "country", "admin1"),
    [
        # A Golan settlement GeoNames files under Israel, placed by the text in Syria's Quneitra.
        ("Rockets landed near Katzrin (Quneitra) late on Friday.", "Katzrin", "SY", "Quneitra"),
        (
            "Militants stormed Kharbat Sudani (Diyala) before dawn.",
            "Kharbat Sudani",
            "IQ",
            "Diyala",
        ),
    ],
)
def test_a_division_in_parentheses_after_a_place_contains_it(
    gazetteer: Gazetteer, text: str, name: str, country: str, admin1: str
) -> None:
    hit = hit_for(gazetteer.find(text), name)
    assert hit.place is None and FLAG_PLACE_NOT_FOUND in hit.flags
    assert hit.container is not None
    assert (hit.container.country_code, hit.container.admin1) == (country, admin1)


def test_a_town_in_parentheses_is_no_container(gazetteer: Gazetteer) -> None:
    hits = gazetteer.find("A bomb went off near Kharbat Sudani (Khanaqin) on Sunday.")
    assert "Kharbat Sudani" not in [h.text for h in hits]
    khanaqin = hit_for(hits, "Khanaqin")
    assert khanaqin.place is not None and khanaqin.place.admin1 == "Diyala"


def test_inside_its_province_a_looser_spelling_finds_the_town(gazetteer: Gazetteer) -> None:
    text = "A car bomb went off in Hajjan in the eastern countryside of Deir ez-Zor, Syria."
    hit = hit_for(gazetteer.find(text), "Hajjan")
    assert hit.place is not None
    assert (hit.place.name, hit.place.admin1, hit.precision, hit.flags) == (
        "Hajin",
        "Deir ez-Zor",
        1,
        (),
    )
    # Without the province to vouch for it, the same spelling is too far from "Hajin"; "Hajeen"
    # is only Hajin written with "ee" for its long i.
    assert gazetteer.find("A car bomb went off in Hajjan, Syria.")[0].place is None
    hajeen = gazetteer.find("A car bomb went off in Hajeen, Syria.")[0].place
    assert hajeen is not None and hajeen.name == "Hajin"


def test_inside_its_province_a_different_name_is_still_not_found(gazetteer: Gazetteer) -> None:
    # "Quriyeh" folds like Qarah, a town of Rif Dimashq, but the spellings hardly agree.
    hit = hit_for(gazetteer.find("Shells hit Quriyeh in Rif Dimashq, Syria."), "Quriyeh")
    assert hit.place is None and FLAG_PLACE_NOT_FOUND in hit.flags


def test_an_arabic_article_rules_out_namesakes_that_never_carry_one(gazetteer: Gazetteer) -> None:
    # Georgia's Baghdati and Iran's Baghdadeh are also "Baghdadi"; Anbar's town is "Al Baghdadi".
    hits = gazetteer.find("Militants shot down a surveillance drone over Al Baghdadi on Monday.")
    place = hit_for(hits, "Al Baghdadi").place
    assert place is not None and (place.country_code, place.admin1) == ("IQ", "Anbar")
    assert gazetteer.lookup("Baghdati")[0].country_code == "GE"


def test_a_report_naming_no_country_takes_its_actors_home_for_namesakes() -> None:
    # "Shirqat" is a close variant of Iraq's Ash Sharqat: only the PMU says the report is Iraq's.
    event = first_incident(
        "Drones dropped bombs on a PMU post south of Shirqat on Tuesday, killing two fighters."
    )
    assert (event.country, event.admin1, event.location) == ("Iraq", "Salah ad Din", "Ash Sharqat")
    without_actor = first_incident(
        "Drones dropped bombs on a post south of Shirqat on Tuesday, killing two fighters."
    )
    assert without_actor.location != "Ash Sharqat"


def test_a_place_named_in_parentheses_locates_the_one_before() -> None:
    event = first_incident(
        "Turkish jets carried out airstrikes on Monday in Bazirk (Soran) area of Erbil."
    )
    assert (event.admin1, event.location, event.geo_precision) == ("Erbil", "Soran", 2)


def test_the_first_place_sets_the_province_of_the_event(gazetteer: Gazetteer) -> None:
    texts = [
        "The body of a farmer was found near Dogon Tsaiko in Kaduna State.",
        "He had been kidnapped near Gusau in Zamfara.",
    ]
    clauses = [
        Clause(start=0, end=len(text), text=text, index=index, headline=False)
        for index, text in enumerate(texts)
    ]
    for clause in clauses:
        clause.places = gazetteer.find(clause.text)
    flags: list[str] = []
    hit, clause = _place(SimpleNamespace(clauses=clauses), flags)  # type: ignore[arg-type]
    assert hit is not None and hit.place is not None and clause is clauses[0]
    assert (hit.place.kind, hit.place.admin1) == ("admin1", "Kaduna")
    assert FLAG_PLACE_NOT_FOUND in flags


def test_a_range_from_one_place_to_another_starts_at_the_first() -> None:
    event = first_incident(
        "Warplanes carried out raids on Monday in the area stretching from Tikrit to Samarra."
    )
    assert event.location == "Tikrit"


def test_a_feature_named_after_a_dash_is_the_site() -> None:
    event = first_incident(
        "Rockets hit a coalition base in Omar - Oil Fields in rural Deir ez-Zor on Friday."
    )
    assert (event.location, event.admin1) == ("Al-Omar Oil Field", "Deir ez-Zor")


def test_a_town_just_across_the_named_provinces_line_counts_in_that_province(
    gazetteer: Gazetteer,
) -> None:
    """GeoNames puts At Tarmiyah in Baghdad governorate, a few km from Salah ad Din; a report of
    "Tarmiyah, Saladin" means that town, counted where the text (and its coders) put it."""
    hits = gazetteer.find("A suicide bomber struck a checkpoint in Tarmiyah, Saladin, Iraq.")
    hit = hit_for(hits, "Tarmiyah")
    assert hit.place is not None
    assert (hit.place.name, hit.place.admin1, hit.precision) == (
        "At Tarmiyah",
        "Salah ad Din",
        1,
    )


def test_the_towns_of_a_road_are_landmarks_not_the_scene(gazetteer: Gazetteer) -> None:
    """ "the Kirkuk-Baghdad road in Diyala": the ambush was in Diyala, on the road; neither
    Kirkuk nor Baghdad, each a road end, is where it happened."""
    event = first_incident(
        "Gunmen ambushed a minibus on the Kirkuk-Baghdad road in Diyala on Monday, killing "
        "three passengers, police said."
    )
    assert event.admin1 == "Diyala"
    assert event.location not in ("Kirkuk", "Baghdad")
    ends = [h for h in gazetteer.find("a minibus on the Kirkuk-Baghdad road") if h.place]
    assert [(h.text, h.relation) for h in ends] == [
        ("Kirkuk", "road end"),
        ("Baghdad", "road end"),
    ]
