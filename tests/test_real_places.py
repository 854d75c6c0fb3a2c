"""Places consistent with the article, on reports written the way wire services and monitors
write them: governments named as actors are no places, Arabic-article village names do not land on
foreign namesakes, distances put the event away from the reference town, datelines are not scenes."""

from __future__ import annotations

import os
from datetime import date

import pytest

from conflictlens.extraction import extract_article
from conflictlens.geo import Gazetteer, GeoHit, same_admin1
from conflictlens.models import Article, Event


@pytest.fixture(scope="module")
def gazetteer(tmp_path_factory: pytest.TempPathFactory) -> Gazetteer:
    if "CONFLICTLENS_DATA_DIR" not in os.environ:
        os.environ["CONFLICTLENS_DATA_DIR"] = str(tmp_path_factory.mktemp("geo-data"))
    return Gazetteer.default()


def incidents(text: str, published: date = date(2024, 5, 7)) -> list[Event]:
    events = extract_article(Article(id="t", text=text, published=published))
    return [e for e in events if e.kind == "incident"]


def hits_named(hits: list[GeoHit], text: str) -> list[GeoHit]:
    return [h for h in hits if h.text == text]


ATTRIBUTION_REPORT = """Airwars assessment | Share this page

At least two civilians were killed when warplanes struck the village of Al Tanda at dawn on
May 6, rescuers said.

Local monitors blamed Russia for the strikes, while a regional outlet attributed them to
Russia and the regime. The Kremlin did not comment. Russia and the regime have carried out dozens
of such raids this spring.

Sources (12) [collapse]
"""


def test_a_government_named_as_acting_is_no_place(gazetteer: Gazetteer) -> None:
    context = gazetteer.context(ATTRIBUTION_REPORT)
    assert "RU" not in context.named
    assert not hits_named(gazetteer.find(ATTRIBUTION_REPORT, context), "Russia")


def test_a_country_after_a_locative_word_is_still_a_place(gazetteer: Gazetteer) -> None:
    text = (
        "Turkish jets struck PKK hideouts in northern Iraq on Sunday. Turkey said the raids "
        "answered an attack on a border post. The president spoke at a rally in Ankara, Turkey."
    )
    context = gazetteer.context(text)
    assert {"IQ", "TR"} <= set(context.named)
    found = [h.place.country_code for h in gazetteer.find(text, context) if h.place is not None]
    assert "IQ" in found and "TR" in found
    # "Turkey said ..." is the government speaking: two hits for Turkey would mean it was read
    # as a place; only "Ankara, Turkey" is one.
    assert len(hits_named(gazetteer.find(text, context), "Turkey")) == 1


def test_a_village_with_an_arabic_article_never_lands_on_a_foreign_namesake(
    gazetteer: Gazetteer,
) -> None:
    hits = gazetteer.find(ATTRIBUTION_REPORT)
    village = hits_named(hits, "Al Tanda")
    assert len(village) == 1 and village[0].place is None  # not found, never Tynda in Russia
    assert all(h.place is None or h.place.country_code != "RU" for h in hits)
    [event] = incidents(ATTRIBUTION_REPORT)
    assert event.country != "Russia"


def test_a_village_named_after_a_settlement_noun_is_one_name(gazetteer: Gazetteer) -> None:
    text = "Shelling hit the village of Al Sheykh overnight, wounding three farmers, medics said."
    hits = gazetteer.find(text)
    assert [h.text for h in hits] == ["Al Sheykh"]  # not "Al" (a Belgian town) and "Sheykh"
    assert hits[0].place is None


def test_a_named_desert_inside_a_province_takes_the_namesake_inside_it(
    gazetteer: Gazetteer,
) -> None:
    text = (
        "Coalition drones struck a car on the road to Al-Rawdah desert in the eastern "
        "countryside of Deir ez-Zor, killing its two occupants."
    )
    [rawdah] = hits_named(gazetteer.find(text), "Al-Rawdah")
    # The Rawdah the gazetteer knows is in Tartus, 300 km away: the province named wins.
    assert rawdah.place is None or rawdah.place.admin1 == "Deir ez-Zor"
    assert rawdah.container is not None and rawdah.container.admin1 == "Deir ez-Zor"


DISTANCE_REPORT = """IRAQ | Security

Roadside bomb kills three policemen south-west of Kirkuk

A roadside bomb struck a police patrol 45 km south-west of Kirkuk on Monday, killing three
policemen, a security source said.

In a separate attack, gunmen killed a shepherd 240 km north of Baghdad, police said.
"""


def test_a_distance_puts_the_event_away_from_the_reference_town(gazetteer: Gazetteer) -> None:
    kirkuk = gazetteer.find("a patrol in Kirkuk")[0].place
    assert kirkuk is not None
    events = incidents(DISTANCE_REPORT)
    patrol = next(e for e in events if e.fatalities == 3)
    assert patrol.latitude is not None and patrol.longitude is not None
    assert patrol.geo_precision == 2
    assert (patrol.latitude, patrol.longitude) != (kirkuk.latitude, kirkuk.longitude)
    assert patrol.latitude < kirkuk.latitude and patrol.longitude < kirkuk.longitude


def test_a_far_distance_never_puts_the_event_in_the_reference_city() -> None:
    events = incidents(DISTANCE_REPORT)
    shepherd = next(e for e in events if e.fatalities == 1)
    assert shepherd.admin1 != "Baghdad"
    assert shepherd.geo_precision == 3


def test_an_agency_dateline_is_not_the_scene() -> None:
    text = (
        "Two soldiers killed in roadside bombing in southern Syria\n\n"
        "Beirut, May 6 (Reuters) - A roadside bomb killed two soldiers in Daraa province on "
        "Monday, a war monitor said.\n"
    )
    [event] = incidents(text)
    assert (event.country, event.admin1) == ("Syria", "Daraa")
    assert not any(e.text == "Beirut" for e in event.evidence if e.field == "location")


def test_a_coder_style_division_name_matches_ours() -> None:
    assert same_admin1("Diyala", "Diyālá province")
    assert same_admin1("Hama", "Hamah governorate")
    assert not same_admin1("Hama", "Homs governorate")


def test_a_headline_of_two_stories_does_not_set_the_scene_of_the_body() -> None:
    text = (
        "Landmine blasts | Shepherd killed in Homs countryside and children hurt near Manbij\n\n"
        "Activists said an old landmine went off under a shepherd near Al-Qaryatayn in the "
        "eastern countryside of Homs on Sunday, killing him.\n"
        "On the other hand, a mine exploded near Manbij in Aleppo countryside, which wounded "
        "three children who were taken to hospital.\n"
    )
    events = incidents(text)
    assert events[0].admin1 == "Homs"


def test_a_foreign_capital_in_the_scene_sentence_is_not_the_scene() -> None:
    text = (
        "Drone strike kills two PKK fighters in northern Iraq\n\n"
        "A drone strike on a vehicle on the outskirts of Zakho killed two fighters of the PKK "
        "on Friday, local officials said, as Ankara pressed on with its air campaign in "
        "northern Iraq.\n"
    )
    [event] = incidents(text)
    assert (event.country, event.admin1) == ("Iraq", "Duhok")


def test_a_front_named_after_a_village_sits_in_the_province_that_follows() -> None:
    text = (
        "Front lines\n\n"
        "Clashes erupted on Saturday between regime and Hayat Tahrir al-Sham fighters on the "
        "Kabani front in the countryside of Latakia, a war monitor said. Two HTS fighters were "
        "killed.\n"
    )
    [event] = incidents(text)
    assert event.admin1 == "Latakia"


def test_the_far_end_of_a_road_between_two_villages_is_in_the_division_that_follows() -> None:
    text = (
        "Body found in Daraa\n\n"
        "Residents found the body of a young man with gunshot wounds on Tuesday on the road "
        "between Umm Walad and Saida in the eastern countryside of Daraa, activists said.\n"
    )
    hits = Gazetteer.default().find(text)
    assert any(h.text == "Saida" and h.relation == "road" for h in hits)
    [event] = incidents(text)
    assert event.admin1 == "Daraa"


def test_a_village_located_in_a_named_plain_takes_the_plains_province(
    gazetteer: Gazetteer,
) -> None:
    text = (
        "A guided missile hit a farmer's car in the village of Mansoura, located in the Ghab "
        "plain, on Tuesday."
    )
    [village] = hits_named(gazetteer.find(text), "Mansoura")
    # Never Raqqa's Al Mansurah: the plain vouches for a village in Hama or none at all.
    assert village.place is None or village.place.admin1 == "Hama"
    assert (village.place or village.container) is not None
    assert (village.place or village.container).admin1 == "Hama"


def test_the_other_side_of_a_border_is_not_the_scene() -> None:
    text = (
        "Jihadists attack army posts in the desert\n"
        "IS fighters attacked army posts in the Deir ez-Zor desert near the administrative "
        "border with Raqqa on Monday, killing six soldiers, a war monitor said.\n"
    )
    [event] = incidents(text)
    assert event.admin1 == "Deir ez-Zor"


def test_a_dateline_is_never_the_scene_an_incident_borrows() -> None:
    text = (
        "https://example.org/s/8f2k\n"
        "- Clashes have spread across the region since the army seized power\n"
        "NAIROBI: A drone strike on a market killed twelve civilians, residents said on Thursday.\n"
        "The strike hit the weekly market in the north of Somalia's Bay region as traders "
        "gathered, according to a local elder.\n"
    )
    events = extract_article(Article(id="t", text=text, published=date(2024, 5, 9)))
    [strike] = [e for e in events if e.kind == "incident"]
    assert strike.fatalities == 12
    assert strike.location != "Nairobi"
    assert strike.country == "Somalia"


def test_a_site_named_after_its_holder_is_still_the_site(gazetteer: Gazetteer) -> None:
    """Reports put the holder before a base's name ("the Russian Hmeimim Air Base", "the
    Coalition Kharab al-Jir airbase"); a longer name that is no place's still hides its parts."""
    text = (
        "Drones launched from Idlib attacked the Russian Hmeimim Air Base in Latakia on Monday, "
        "hours after rockets hit the Coalition Kharab al-Jir airbase in Hasakah province."
    )
    found = {h.text: h.place.name for h in gazetteer.find(text) if h.place is not None}
    assert found.get("Hmeimim Air Base") == "Hmeimim Air Base"
    assert found.get("Kharab al-Jir airbase") == "Kharab al-Jir"
    hidden = "Fighters of the Liwa Homs al-Adiya brigade clashed with the army near Rastan."
    assert not hits_named(gazetteer.find(hidden), "Homs")
