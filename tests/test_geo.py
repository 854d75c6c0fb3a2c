"""The gazetteer: transliteration-tolerant names, places in text, resolution in context."""

from __future__ import annotations

import os
import shutil
import sqlite3
import zipfile
from datetime import date
from pathlib import Path

import pytest
from hypothesis import given
from hypothesis import strategies as st

from conflictlens.extraction import extract_article
from conflictlens.geo import (
    Gazetteer,
    GeoContext,
    GeoHit,
    distance_km,
    normalise_name,
    same_admin1,
)
from conflictlens.geo import index as geo_index
from conflictlens.geo.cues import cue_around
from conflictlens.geo.importer import import_geonames_dump
from conflictlens.geo.names import (
    dhal_form,
    elided_vowel_form,
    silent_e_form,
    spelling_similarity,
)
from conflictlens.geo.qualifiers import arabic_qualified_forms
from conflictlens.models import FLAG_PLACE_NOT_FOUND, Article


@pytest.fixture(scope="session")
def gazetteer(tmp_path_factory: pytest.TempPathFactory) -> Gazetteer:
    """The default gazetteer, compiled once per session into a temporary data dir."""
    if "CONFLICTLENS_DATA_DIR" not in os.environ:
        os.environ["CONFLICTLENS_DATA_DIR"] = str(tmp_path_factory.mktemp("geo-data"))
    return Gazetteer.default()


def only_hit(hits: list[GeoHit], text: str) -> GeoHit:
    matching = [h for h in hits if h.text == text]
    assert len(matching) == 1, hits
    return matching[0]


# -- normalise_name ------------------------------------------------------------------------


@pytest.mark.parametrize(
    "spellings",
    [
        ["Deir ez-Zor", "Deir Ezzor", "Deir al-Zour", "Dir al-Zur", "Deir Azzour", "Dayr az Zawr"],
        ["Raqqa", "Al-Raqqa", "Ar-Raqqah"],
        ["Hasakeh", "Al-Hasakah", "Hassakeh"],
        ["Idlib", "Idleb"],
        ["Suwayda", "Sweida", "As-Sweida"],
        ["Mazar-i-Sharif", "Mazar-e Sharif"],
        ["Dar'a", "Daraa", "Dar‘a"],
        # Iraqi Arabic says qaf as g.
        ["Garma", "Karma", "Al-Karmah"],
        ["Gayyara", "Qayyarah", "Al Qayyara"],
    ],
)
def test_transliterations_share_a_key(spellings: list[str]) -> None:
    assert len({normalise_name(s) for s in spellings}) == 1


def test_an_english_qualifier_is_written_the_arabic_way() -> None:
    assert arabic_qualified_forms("Upper Kharab") == [
        "Kharab Fawqani",
        "Kharab al Fawqa",
        "Kharab al Ulya",
    ]
    assert arabic_qualified_forms("western Tall Ahmar")[0] == "Tall Ahmar al Gharbiyah"
    # A qualifier alone, or a name without one, has no Arabic form.
    assert arabic_qualified_forms("Western") == []
    assert arabic_qualified_forms("Kharab Fawqani") == []


def test_a_vowel_colloquial_spellings_drop_is_put_back() -> None:
    assert elided_vowel_form("Mtareh") == "Matareh"
    assert normalise_name(elided_vowel_form("Mtareh") or "") == normalise_name("Matarah")
    assert elided_vowel_form("Tall Hbeish") == "Tall Habeish"
    # Pairs English words and digraphs begin with are spelled so, not shortened.
    for name in ("Street", "Shaykh Maqsud", "Tripoli", "Khan Shaykhun", "Idlib", "Spring"):
        assert elided_vowel_form(name) is None


def test_a_leading_th_is_also_read_as_a_dhal() -> None:
    assert dhal_form("Thiban") == "Dhiban"
    assert dhal_form("Thi Qar") == "Dhi Qar"
    assert dhal_form("al-Thawra") == "al-Dhawra"
    # Inside a word th is a tha ("Ethraya" is Ithriya), and most names have none.
    assert dhal_form("Ethraya") is None
    assert dhal_form("Idlib") is None


def test_a_silent_e_reading_drops_only_an_english_silent_e() -> None:
    assert silent_e_form("Hole") == "Hol"
    assert silent_e_form("al-Hole") == "al-Hol"
    assert normalise_name(silent_e_form("Hole") or "") == normalise_name("Al Hawl")
    # A doubled consonant before the e, or a longer word, is the Arabic feminine ending.
    for name in ("Fakke", "Hasake", "Kobane", "Sweide", "Hole camp"):
        assert silent_e_form(name) is None


def test_different_places_keep_different_keys() -> None:
    assert normalise_name("Homs") != normalise_name("Hama")
    assert normalise_name("Raqqa") != normalise_name("Rutba")
    # Ghayn is no qaf.
    assert normalise_name("Ghazaliya") != normalise_name("Kazaliya")


_NAME_CHARS = st.characters(codec="utf-8", categories=("L", "M", "Zs", "Pd", "Po", "Nd"))


@given(st.text(alphabet=_NAME_CHARS, max_size=30))
def test_normalise_is_idempotent_and_plain(name: str) -> None:
    key = normalise_name(name)
    assert normalise_name(key) == key
    assert key == " ".join(key.split())
    assert all(ch.isascii() and (ch.isalnum() or ch == " ") for ch in key)


_WORD = st.text(alphabet="bcdfghklmnrstzaeiou", min_size=3, max_size=8).filter(
    lambda w: w not in {"ash", "ath", "adh", "esh"}
)


@given(_WORD)
def test_article_case_and_accents_do_not_change_the_key(word: str) -> None:
    key = normalise_name(word)
    assert normalise_name(f"al-{word}") == key
    assert normalise_name(word.upper()) == key
    assert normalise_name(word.replace("a", "á")) == key


def test_spelling_similarity_separates_variants_from_namesakes() -> None:
    assert spelling_similarity("Idleb", "Idlib") >= 0.8
    assert spelling_similarity("Al-Hasakeh", "Hasakah") >= 0.8
    assert spelling_similarity("Shola", "Shilla") < 0.8


def test_spellings_of_one_arabic_name_are_alike_whatever_the_transliteration() -> None:
    """The feminine ending (-eh, -ah), e for i, ee and ou for long vowels, ei for ay: each pair
    differs in several letters, and is one name."""
    for written, other in (
        ("al-Kendeh", "Kindah"),
        ("Qasemiyeh", "Al Qasimiyah"),
        ("Hajeen", "Hajin"),
        ("Ftireh", "Fatirah"),
    ):
        assert spelling_similarity(written, other) >= 0.8, (written, other)
    assert spelling_similarity("Kendeh", "Kandil") < 0.8


# -- distance ------------------------------------------------------------------------------


@given(
    st.floats(-80, 80),
    st.floats(-179, 179),
    st.floats(-80, 80),
    st.floats(-179, 179),
)
def test_distance_is_a_symmetric_non_negative_measure(
    lat1: float, lon1: float, lat2: float, lon2: float
) -> None:
    there = distance_km(lat1, lon1, lat2, lon2)
    assert there == pytest.approx(distance_km(lat2, lon2, lat1, lon1))
    assert 0 <= there <= 20_016
    assert distance_km(lat1, lon1, lat1, lon1) == pytest.approx(0, abs=1e-6)


def test_one_degree_of_latitude_is_about_111_km() -> None:
    assert distance_km(35.0, 38.0, 36.0, 38.0) == pytest.approx(111.2, abs=0.5)


# -- lookup --------------------------------------------------------------------------------


@pytest.mark.parametrize(
    ("name", "country", "admin1"),
    [
        ("Homs", "SY", "Homs"),
        ("Raqqa", "SY", "Ar-Raqqah"),
        ("Hasakeh", "SY", "Al-Hasakah"),
        ("Damascus", "SY", "Damascus"),
        ("Idlib", "SY", "Idlib"),
        ("Mosul", "IQ", "Nineveh"),
        ("Kirkuk", "IQ", "Kirkuk"),
        ("Gao", "ML", "Gao"),
        ("Maiduguri", "NG", "Borno"),
        ("Mogadishu", "SO", "Banadir"),
        ("Kabul", "AF", "Kabul"),
    ],
)
def test_places_resolve_in_their_country(
    gazetteer: Gazetteer, name: str, country: str, admin1: str
) -> None:
    best = gazetteer.lookup(name, [country])[0]
    assert (best.country_code, best.admin1) == (country, admin1)


def test_palmyra_is_in_syria_when_the_article_is(gazetteer: Gazetteer) -> None:
    tadmur = gazetteer.lookup("Tadmur", ["SY"])[0]
    assert gazetteer.lookup("Palmyra", ["SY"])[0] == tadmur
    assert tadmur.country_code == "SY"
    text = "Two soldiers were killed near Palmyra in central Syria on Monday."
    palmyra = only_hit(gazetteer.find(text), "Palmyra").place
    assert palmyra is not None
    assert (palmyra.country_code, palmyra.admin1, palmyra.kind) == ("SY", "Homs", "place")
    assert distance_km(palmyra.latitude, palmyra.longitude, 34.56, 38.27) < 10


def test_homs_is_the_syrian_city_not_the_libyan_one(gazetteer: Gazetteer) -> None:
    text = "Shells fell on Homs, Syria's third city, the army said."
    homs = only_hit(gazetteer.find(text), "Homs").place
    assert homs is not None
    assert homs.country_code == "SY"


def test_admin1_by_alias(gazetteer: Gazetteer) -> None:
    cases = {
        ("SY", "Idleb"): "Idlib",
        ("SY", "Rural Damascus"): "Rif Dimashq",
        ("SY", "Dimashq"): "Damascus",
        ("SY", "Deir-ez-Zor"): "Deir ez-Zor",
        ("IQ", "Mayorality of Baghdad"): "Baghdad",
        ("IQ", "Ninewa"): "Nineveh",
        ("IQ", "Arbil"): "Erbil",
        ("SO", "Lower Shabeelle"): "Lower Shabelle",
    }
    for (country, alias), canonical in cases.items():
        division = gazetteer.admin1(country, alias)
        assert division is not None, alias
        assert (division.kind, division.name, division.admin1) == ("admin1", canonical, canonical)
    assert gazetteer.admin1("IQ", "Idleb") is None


def test_every_syrian_and_iraqi_governorate_has_its_canonical_name(gazetteer: Gazetteer) -> None:
    syria = (
        "Aleppo|Idlib|Hama|Homs|Latakia|Tartus|Damascus|Daraa|Quneitra|Deir ez-Zor|"
        "Ar-Raqqah|Al-Hasakah|Rif Dimashq|As-Suwayda"
    ).split("|")
    iraq = (
        "Baghdad|Anbar|Nineveh|Salah ad Din|Kirkuk|Diyala|Erbil|Duhok|Sulaymaniyah|Babil|"
        "Basra|Karbala|Najaf|Wasit|Maysan|Dhi Qar|Muthanna|Al-Qadisiyyah"
    ).split("|")
    for country, names in (("SY", syria), ("IQ", iraq)):
        for name in names:
            division = gazetteer.admin1(country, name)
            assert division is not None and division.name == name, name


def test_same_admin1_knows_the_aliases(gazetteer: Gazetteer) -> None:
    assert same_admin1("Deir-ez-Zor", "Deir ez-Zor", "SY")
    assert same_admin1("Al Hasakeh", "Al-Hasakah")
    assert same_admin1("Salah al-Din", "Saladin", "IQ")
    assert not same_admin1("Homs", "Hama")


def test_country_by_code_name_and_alias(gazetteer: Gazetteer) -> None:
    syria = gazetteer.country("SY")
    assert syria is not None and (syria.kind, syria.name) == ("country", "Syria")
    burma = gazetteer.country("Burma")
    assert burma is not None and burma.country_code == "MM"
    assert gazetteer.country("Atlantis") is None


# -- finding places in text ----------------------------------------------------------------


def test_south_of_palmyra_is_near_palmyra(gazetteer: Gazetteer) -> None:
    text = "A landmine exploded on a road south of Palmyra in the Syrian desert."
    hit = only_hit(gazetteer.find(text), "Palmyra")
    assert hit.place is not None and hit.place.country_code == "SY"
    assert (hit.precision, hit.relation) == (2, "south of")
    assert text[hit.start : hit.end] == "Palmyra"


def test_distance_and_direction_cues(gazetteer: Gazetteer) -> None:
    text = "The convoy was hit 15 km north-east of Mosul, in northern Iraq."
    hit = only_hit(gazetteer.find(text), "Mosul")
    assert (hit.precision, hit.relation) == (2, "15 km northeast of")


@pytest.mark.parametrize(
    ("before", "name", "after", "part", "relation"),
    [
        ("shelled a farm in the southern countryside of ", "Idlib", ".", "south", "countryside"),
        ("a raid in north-eastern rural ", "Hama", ".", "northeast", "countryside"),
        ("a convoy hit in eastern ", "Deir ez-Zor", " countryside.", "east", "countryside"),
        ("a patrol ambushed in northern ", "Diyala", " province.", "north", "northern"),
        ("fighting in central ", "Hama", ".", None, "central"),
        ("fighters from ", "Raqqa", " countryside joined.", None, "from"),
        ("15 km south of ", "Mosul", ".", None, "15 km south of"),
    ],
)
def test_cues_name_the_part_of_a_place(
    before: str, name: str, after: str, part: str | None, relation: str
) -> None:
    cue = cue_around(before + name + after, len(before), len(before) + len(name))
    assert (cue.part, cue.relation) == (part, relation)


def test_province_of_names_the_admin1(gazetteer: Gazetteer) -> None:
    text = "Seven militiamen were killed in the eastern province of Deir Ezzor, Syria."
    hit = only_hit(gazetteer.find(text), "Deir Ezzor")
    assert hit.place is not None
    assert (hit.place.kind, hit.place.admin1, hit.precision) == ("admin1", "Deir ez-Zor", 3)


def test_province_after_the_name_names_the_admin1(gazetteer: Gazetteer) -> None:
    text = "Fighting spread across Idleb province in Syria."
    hit = only_hit(gazetteer.find(text), "Idleb")
    assert hit.place is not None and hit.place.kind == "admin1" and hit.place.name == "Idlib"


def test_bare_capital_name_is_the_city(gazetteer: Gazetteer) -> None:
    text = "Rebels shelled Idlib and Aleppo in Syria."
    idlib = only_hit(gazetteer.find(text), "Idlib").place
    assert idlib is not None and (idlib.kind, idlib.admin1) == ("place", "Idlib")


def test_unknown_town_is_reported_not_found(gazetteer: Gazetteer) -> None:
    # Al-Shola (Ash Shula) is a village in Deir ez-Zor missing from GeoNames' cities500.
    assert not [p for p in gazetteer.lookup("Al-Shola", ["SY"]) if p.country_code == "SY"]
    text = "The militia was sweeping the town of Al-Shola in eastern Syria for jihadists."
    hit = only_hit(gazetteer.find(text), "Al-Shola")
    assert hit.place is None
    assert FLAG_PLACE_NOT_FOUND in hit.flags


def test_village_after_an_unknown_name_is_reported_too(gazetteer: Gazetteer) -> None:
    text = "Gunmen raided Qarqoush village in Hama countryside, Syria."
    hit = only_hit(gazetteer.find(text), "Qarqoush")
    assert hit.place is None and FLAG_PLACE_NOT_FOUND in hit.flags


@pytest.mark.parametrize(
    "text",
    [
        "The Army said on Monday that the State would respond.",
        "Said the spokesman: Monday was quiet.",
        "Islamic State claimed the attack, Reuters reported on Friday.",
    ],
)
def test_common_words_are_not_places(gazetteer: Gazetteer, text: str) -> None:
    assert gazetteer.find(text, GeoContext()) == []


def test_person_and_group_names_are_not_places(gazetteer: Gazetteer) -> None:
    text = (
        "President Bashar al-Assad said Hayat Tahrir al-Sham and Liwa al-Quds fighters "
        "met in Syria."
    )
    assert [h.text for h in gazetteer.find(text)] == ["Syria"]


def test_demonyms_set_the_context_but_are_not_places(gazetteer: Gazetteer) -> None:
    text = "Malian soldiers and Wagner fighters were ambushed near Gao."
    context = gazetteer.context(text)
    assert context.countries.most_common(1)[0][0] == "ML"
    hits = gazetteer.find(text, context)
    assert [h.text for h in hits] == ["Gao"]
    assert hits[0].place is not None and hits[0].place.country_code == "ML"


def test_context_counts_divisions_of_the_named_country(gazetteer: Gazetteer) -> None:
    context = gazetteer.context("Clashes in Deir ez-Zor province and in Raqqa, Syria.")
    assert context.countries.most_common(1)[0][0] == "SY"
    assert context.admin1[("SY", "Deir ez-Zor")] > 0


def test_regions_and_sites_from_the_supplement(gazetteer: Gazetteer) -> None:
    text = "Landmines killed five soldiers in the Syrian desert, east of Shayrat airbase."
    hits = gazetteer.find(text)
    desert = only_hit(hits, "Syrian desert")
    assert desert.place is not None and (desert.place.kind, desert.precision) == ("region", 3)
    base = only_hit(hits, "Shayrat airbase")
    assert base.place is not None and (base.place.kind, base.place.admin1) == ("site", "Homs")
    assert (base.precision, base.relation) == (2, "east of")


def test_a_named_container_overrules_a_foreign_namesake(gazetteer: Gazetteer) -> None:
    # Karaj is an Iranian city; "Karaj, Nineveh, Iraq" is a village that cities500 lacks.
    hits = gazetteer.find("A drone exploded in Karaj, Nineveh, Iraq.")
    karaj = only_hit(hits, "Karaj")
    assert karaj.place is None and FLAG_PLACE_NOT_FOUND in karaj.flags
    nineveh = only_hit(hits, "Nineveh").place
    assert nineveh is not None and nineveh.admin1 == "Nineveh"


def test_english_function_words_do_not_join_names(gazetteer: Gazetteer) -> None:
    hits = gazetteer.find("Strikes hit targets in Russia as in Syria and in Turkey, Reuters said.")
    assert [h.text for h in hits] == ["Russia", "Syria", "Turkey"]


def test_hits_are_sorted_and_point_into_the_text(gazetteer: Gazetteer) -> None:
    text = "Clashes near Raqqa and in Homs left dozens dead in Syria, AFP said."
    hits = gazetteer.find(text)
    assert [h.text for h in hits] == ["Raqqa", "Homs", "Syria"]
    assert all(text[h.start : h.end] == h.text for h in hits)


# -- the index -----------------------------------------------------------------------------


def test_index_keeps_latin_names_only(gazetteer: Gazetteer) -> None:
    with sqlite3.connect(gazetteer.index_path) as connection:
        (arabic,) = connection.execute(
            "SELECT COUNT(*) FROM name WHERE light = '' OR light GLOB '*[^a-z0-9 ]*'"
        ).fetchone()
    assert arabic == 0
    assert not geo_index.usable_name("تدمر")
    assert not geo_index.usable_name("PMS")
    assert geo_index.usable_name("Tadmur")


def test_a_changed_build_version_rebuilds(
    gazetteer: Gazetteer, monkeypatch: pytest.MonkeyPatch, tmp_path: Path
) -> None:
    built: list[Path] = []
    monkeypatch.setattr(geo_index, "build_index", built.append)
    assert geo_index.ensure_index(gazetteer.index_path) == gazetteer.index_path
    assert built == []
    monkeypatch.setattr(geo_index, "build_version", lambda: "another version")
    geo_index.ensure_index(gazetteer.index_path)
    assert built == [gazetteer.index_path]
    geo_index.ensure_index(tmp_path / "missing.sqlite")
    assert built[-1] == tmp_path / "missing.sqlite"


# -- GeoNames dump import ------------------------------------------------------------------


def _geoname_row(
    geonames_id: int,
    name: str,
    alternates: str,
    lat: float,
    lon: float,
    feature: tuple[str, str],
    admin: tuple[str, str, str],
    population: int = 0,
) -> str:
    """One line of a GeoNames geoname table: 19 tab-separated columns."""
    cc, admin1, admin2 = admin
    columns = [
        str(geonames_id), name, name, alternates, f"{lat:.5f}", f"{lon:.5f}", *feature, cc, "",
        admin1, admin2, "", "", str(population), "", "250", "Asia/Damascus", "2024-01-01",
    ]  # fmt: skip
    return "\t".join(columns) + "\n"


def test_import_geonames_dump(gazetteer: Gazetteer, tmp_path: Path) -> None:
    index_path = tmp_path / "gazetteer.sqlite"
    shutil.copy(gazetteer.index_path, index_path)
    (tmp_path / "admin1CodesASCII.txt").write_text(
        "SY.07\tDeir ez-Zor\tDeir ez-Zor\t900001\nSY.99\tTest Governorate\tTest Governorate\t"
        "900002\n",
        encoding="utf-8",
    )
    (tmp_path / "admin2Codes.txt").write_text(
        "SY.07.SY0703\tAl Mayadin District\tAl Mayadin District\t900003\n", encoding="utf-8"
    )
    rows = [
        _geoname_row(900010, "Qaryat Zubaydah", "Zubaida,قرية", 35.1, 40.3, ("P", "PPL"),
                     ("SY", "07", "SY0703"), 2500),
        _geoname_row(900011, "Kharab Tishk Airfield", "", 36.6, 40.9, ("S", "AIRF"),
                     ("SY", "01", "")),
        _geoname_row(900012, "Wadi Nowhere", "", 35.0, 39.0, ("H", "WAD"), ("SY", "07", "")),
        _geoname_row(900002, "Test Governorate", "", 34.0, 37.0, ("A", "ADM1"), ("SY", "99", "")),
        _geoname_row(900013, "Testville", "", 34.1, 37.1, ("P", "PPLA"), ("SY", "99", ""), 9000),
        _geoname_row(163808, "Tadmur", "Palmyra,Tudmur", 34.56, 38.28, ("P", "PPLA2"),
                     ("SY", "11", ""), 51015),
    ]  # fmt: skip
    with zipfile.ZipFile(tmp_path / "SY.zip", "w") as archive:
        archive.writestr("SY.txt", "".join(rows))
        archive.writestr("readme.txt", "not a table\n")
    (tmp_path / "alternateNamesV2.txt").write_text(
        "1\t900010\ten\tZubaydah Village\t\t\t\t\t\t\n"
        "2\t900010\tlink\thttps://example.org/Zubaydah\t\t\t\t\t\t\n"
        "3\t900010\tar\tزبيدة\t\t\t\t\t\t\n",
        encoding="utf-8",
    )

    report = import_geonames_dump(
        [
            tmp_path / "SY.zip",
            tmp_path / "alternateNamesV2.txt",
            tmp_path / "admin2Codes.txt",
            tmp_path / "admin1CodesASCII.txt",
        ],
        index_path,
    )
    assert (report.places, report.admin1, report.admin2, report.alternate_names) == (4, 2, 1, 1)

    imported = Gazetteer(index_path)
    village = imported.lookup("Zubaidah", ["SY"])[0]
    assert (village.name, village.admin1, village.admin2) == (
        "Qaryat Zubaydah",
        "Deir ez-Zor",
        "Al Mayadin District",
    )
    assert imported.lookup("Zubaydah Village", ["SY"])[0].geonames_id == 900010
    assert not [p for p in imported.lookup("Wadi Nowhere") if p.geonames_id == 900012]
    airfield = imported.lookup("Kharab Tishk Airfield", ["SY"])[0]
    assert (airfield.kind, airfield.admin1) == ("site", "Al-Hasakah")
    deir = imported.admin1("SY", "Deir ez-Zor")
    assert deir is not None and deir.geonames_id == 900001
    new_division = imported.admin1("SY", "Test Governorate")
    assert new_division is not None and (new_division.latitude, new_division.longitude) == (34, 37)
    assert imported.lookup("Testville", ["SY"])[0].admin1 == "Test Governorate"
    # A place already in the index is replaced, not duplicated, and keeps its names.
    palmyras = [p for p in imported.lookup("Tudmur", ["SY"]) if p.geonames_id == 163808]
    assert len(palmyras) == 1
    assert imported.lookup("Palmyra", ["SY"])[0].geonames_id == 163808
    text = "Gunmen attacked Qaryat Zubaydah in Deir ez-Zor, Syria."
    hit = only_hit(imported.find(text), "Qaryat Zubaydah")
    assert hit.place is not None and hit.place.geonames_id == 900010


def test_an_imported_village_beats_the_province_fallback_in_extraction(
    gazetteer: Gazetteer, tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    text = "Gunmen killed three shepherds in the village of Tell Zarbuniyah in Hasakah on Monday."
    before = extract_article(Article(id="a", text=text, published=date(2024, 5, 6)))[0]
    assert (before.admin1, before.geo_precision) == ("Al-Hasakah", 3)
    assert FLAG_PLACE_NOT_FOUND in before.flags

    data = tmp_path / "data"
    data.mkdir()
    shutil.copy(gazetteer.index_path, data / gazetteer.index_path.name)
    row = _geoname_row(900020, "Tall Zarbuniyah", "Tell Zarbuniyah,Tal Zarbuniya", 36.71, 40.93,
                       ("P", "PPL"), ("SY", "01", ""), 800)  # fmt: skip
    with zipfile.ZipFile(tmp_path / "SY.zip", "w") as archive:
        archive.writestr("SY.txt", row)
    import_geonames_dump([tmp_path / "SY.zip"], data / gazetteer.index_path.name)
    monkeypatch.setenv("CONFLICTLENS_DATA_DIR", str(data))

    after = extract_article(Article(id="a", text=text, published=date(2024, 5, 6)))[0]
    assert (after.location, after.admin1, after.geo_precision) == (
        "Tall Zarbuniyah",
        "Al-Hasakah",
        1,
    )
    assert (after.latitude, after.longitude, after.geonames_id) == (36.71, 40.93, 900020)
    assert FLAG_PLACE_NOT_FOUND not in after.flags
