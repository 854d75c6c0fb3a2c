"""A dense gazetteer: thousands of villages without population, imported from a GeoNames-layout
dump, must make results better. Villages win only where the text writes them as places, among
namesakes the one inside the named province or nearest the article's places wins, districts are
derived (and marked so) where the dump gives none, imports survive rebuilds, and `gazetteer
download` fetches, verifies and imports on purpose. The dump rows here are made up."""

from __future__ import annotations

import http.server
import shutil
import sqlite3
import sys
import threading
import zipfile
from collections.abc import Iterator
from dataclasses import replace
from datetime import date
from functools import partial
from pathlib import Path

import pytest
from typer.testing import CliRunner

from conflictlens.cli import app
from conflictlens.extraction import extract_article
from conflictlens.geo import Gazetteer, GeoHit
from conflictlens.geo import index as geo_index
from conflictlens.geo.districts import same_district
from conflictlens.geo.download import DownloadError, download_and_import, files_for
from conflictlens.geo.importer import import_geonames_dump
from conflictlens.geo.names import light_key, normalise_name, spelling_similarity
from conflictlens.geo.sources import load_subdistrict_seats
from conflictlens.models import FLAG_PLACE_NOT_FOUND, Article

runner = CliRunner()


def geoname_row(
    geonames_id: int,
    name: str,
    alternates: str,
    point: tuple[float, float],
    feature: str = "PPL",
    admin: tuple[str, str] = ("12", ""),
    population: int = 0,
    ascii_form: str | None = None,
) -> str:
    """One line of a geoname table (19 columns) for a Syrian feature."""
    feature_class = "A" if feature.startswith("ADM") else "P"
    columns = [
        str(geonames_id), name, name if ascii_form is None else ascii_form, alternates,
        f"{point[0]:.5f}", f"{point[1]:.5f}", feature_class, feature, "SY", "", admin[0],
        admin[1], "", "", str(population), "", "", "Asia/Damascus", "2024-03-05",
    ]  # fmt: skip
    return "\t".join(columns) + "\n"


# Made-up villages around Idlib province (code 12) and Hama (10): three namesakes "Tell
# Marzouk", villages named like a person and like a word, districts without codes.
DUMP_ROWS = [
    geoname_row(990001, "Tell Marzouk", "Tal Marzouk,Tell Marzuq", (35.60, 36.70)),
    geoname_row(990002, "Tell Marzouk", "Tal Marzouk", (35.20, 36.55), admin=("10", "")),
    geoname_row(990003, "Tell Marzouk", "Tal Marzouk", (35.90, 36.85)),
    geoname_row(990010, "Mahmoud", "", (35.70, 36.60)),
    geoname_row(990011, "Salvation", "", (35.75, 36.50)),
    geoname_row(990012, "Kafr Dabbous", "Kafr Dabbus", (35.62, 36.62)),
    geoname_row(990013, "Umm Sharshouh", "", (35.58, 36.74)),
    # Spelled like Kafr Dabbous but for one vowel: a namesake by key.
    geoname_row(990017, "Kafr Dabbas", "", (35.55, 36.75)),
    # No admin1 code: the nearest village's division is taken.
    geoname_row(990014, "Jubb Hamdan", "", (35.63, 36.66), admin=("", "")),
    # Only an Arabic name and Latin alternates: shown by its first Latin name.
    geoname_row(990015, "عين الزرقاء", "Ain al-Zarqa,Ayn az Zarqa", (35.66, 36.58), ascii_form=""),
    # GeoNames' "village of" prefix, which reports leave out.
    geoname_row(990016, "Qaryat Tall Sabikh", "", (35.68, 36.72)),
    # One of twin villages, listed the Arabic way; reports write "Eastern Jubb Sultan".
    geoname_row(990019, "Jubb Sultan ash Sharqiyah", "", (35.64, 36.70)),
    # A subdistrict's town, named the GeoNames way, and a village of the same name nearer
    # Idlib city: reports write both "Kafr Sajna".
    geoname_row(990020, "Nahiyat Kafr Sajna", "Kafr Sajna", (35.50, 36.70)),
    geoname_row(990021, "Kafr Sajna", "", (35.85, 36.60)),
    # Two villages spelled "Tell Haddiyah", one by Idlib city and one by Saraqib.
    geoname_row(990022, "Tell Haddiyah", "", (35.84, 36.78)),
    geoname_row(990023, "Tell Haddiyah", "", (35.90, 36.58)),
    # Written "Mtareh" in French-style and colloquial spellings, which drop the first vowel.
    geoname_row(990024, "Matarah", "", (35.66, 36.64)),
    # Written "Thahabiyah": English spellings write th for the dhal too.
    geoname_row(990025, "Dhahabiyah", "", (35.57, 36.69)),
    # Listed by its mound, "Tall Abu Sawwan"; reports write "Abu Sawwan".
    geoname_row(990026, "Tall Abu Sawwan", "", (35.67, 36.69)),
    # The only "Nahla" lies in Idlib's southwest, 50 km from Saraqib.
    geoname_row(990027, "Nahla", "", (35.50, 36.45)),
    # A village of Hama province.
    geoname_row(990028, "Jubb al Ghanam", "", (35.15, 36.90), admin=("10", "")),
    # Al-Hur, which English spellings write "Hure" (a silent e).
    geoname_row(990029, "Al Hur", "Al-Hur", (35.72, 36.55)),
    # A subdistrict's town of Maarra district, 38 km south of its seat.
    geoname_row(990035, "Nahiyat ash Shuwaykh", "Ash Shuwaykh,Shuwaykh", (35.30, 36.70)),
    # A village of the same district, as far south.
    geoname_row(990036, "Kafr Batikh", "", (35.30, 36.64)),
    # Districts without codes: named by their division features, with a seat named alike.
    geoname_row(990030, "Maarra District", "", (35.45, 36.85), feature="ADM2"),
    geoname_row(990031, "Idlib District", "", (35.93, 36.63), feature="ADM2"),
    geoname_row(990032, "Maarra", "", (35.64, 36.68), feature="PPLA2", population=0),
    geoname_row(990033, "Ariha District", "", (35.81, 36.61), feature="ADM2"),
    # A district named after no town: it has no seat, only its own point.
    geoname_row(990034, "Jabal Wastani District", "", (35.70, 36.45), feature="ADM2"),
]


@pytest.fixture(scope="module")
def packaged() -> Gazetteer:
    return Gazetteer.default()


@pytest.fixture(scope="module")
def dump(tmp_path_factory: pytest.TempPathFactory) -> Path:
    folder = tmp_path_factory.mktemp("dump")
    with zipfile.ZipFile(folder / "SY.zip", "w") as archive:
        archive.writestr("SY.txt", "".join(DUMP_ROWS))
    return folder / "SY.zip"


@pytest.fixture(scope="module")
def dense(packaged: Gazetteer, dump: Path, tmp_path_factory: pytest.TempPathFactory) -> Gazetteer:
    """The packaged index with the made-up dump imported."""
    index = tmp_path_factory.mktemp("dense") / geo_index.INDEX_FILE
    shutil.copy(packaged.index_path, index)
    import_geonames_dump([dump], index)
    return Gazetteer(index)


def place_of(hits: list[GeoHit], text: str) -> GeoHit | None:
    matching = [h for h in hits if h.text == text]
    return matching[0] if matching else None


def chosen_id(dense: Gazetteer, text: str, name: str) -> int | None:
    """The GeoNames id of the place `text` is geocoded to where it writes `name`."""
    hit = place_of(dense.find(text), name)
    return hit.place.geonames_id if hit is not None and hit.place is not None else None


def test_a_village_written_as_a_place_wins_and_a_name_alone_does_not(dense: Gazetteer) -> None:
    text = (
        "Gunmen killed Mahmoud, a shepherd, on Tuesday. Officials of the Salvation government "
        "said regime artillery shelled the village of Kafr Dabbous in Idlib."
    )
    hits = dense.find(text)
    assert place_of(hits, "Mahmoud") is None
    assert place_of(hits, "Salvation") is None
    village = place_of(hits, "Kafr Dabbous")
    assert village is not None and village.place is not None
    assert village.place.geonames_id == 990012


def test_villages_in_a_list_of_places_stand_with_the_cued_one(dense: Gazetteer) -> None:
    text = "Regime shelling hit Kafr Dabbous, Umm Sharshouh and Tell Marzouk in southern Idlib."
    hits = dense.find(text)
    found = {h.text: h.place.geonames_id for h in hits if h.place is not None}
    assert found["Kafr Dabbous"] == 990012
    assert found["Umm Sharshouh"] == 990013
    assert found["Tell Marzouk"] == 990001


def test_namesakes_inside_the_named_province_then_nearest_the_articles_towns(
    dense: Gazetteer,
) -> None:
    assert (
        chosen_id(dense, "A landmine exploded in Tell Marzouk in Hama.", "Tell Marzouk") == 990002
    )
    # Idlib holds two: the one nearest Saraqib, the other town the report names.
    text = "Drones struck Tell Marzouk on Monday, a day after shelling on Saraqib in Idlib."
    assert chosen_id(dense, text, "Tell Marzouk") == 990003


def test_a_village_outside_the_named_province_and_far_from_its_places_is_not_found(
    dense: Gazetteer,
) -> None:
    hit = place_of(dense.find("Clashes erupted in Umm Sharshouh in Latakia."), "Umm Sharshouh")
    assert hit is not None and hit.place is None
    assert FLAG_PLACE_NOT_FOUND in hit.flags


def test_districts_come_from_codes_or_the_nearest_district_and_are_marked_derived(
    dense: Gazetteer,
) -> None:
    village = dense.lookup("Kafr Dabbus", ["SY"])[0]
    assert (village.admin1, village.admin2, village.admin2_derived) == (
        "Idlib",
        "Maarra District",  # its seat Maarra is nearer than any district's own point
        True,
    )
    north = next(p for p in dense.lookup("Tell Marzouk", ["SY"]) if p.geonames_id == 990003)
    assert north.admin2 == "Idlib District"
    # District features name districts; they are no places a report is put at.
    assert not [p for p in dense.lookup("Ariha District") if p.country_code == "SY"]


def test_a_subdistrict_seat_takes_the_district_listed_and_its_neighbours_the_nearest(
    packaged: Gazetteer, tmp_path: Path
) -> None:
    """Al Busayrah governs a subdistrict of Deir-ez-Zor district (data/subdistrict_seats.yaml)
    though Al Mayadin's seat is nearer: it takes its own district, as known, not derived; a
    village beside it still takes the nearest district's, marked derived."""
    deir_ez_zor = ("07", "")
    rows = [
        geoname_row(991001, "Deir-ez-Zor District", "", (35.45, 40.17), "ADM2", deir_ez_zor),
        geoname_row(991002, "Al Mayadin District", "", (34.91, 40.44), "ADM2", deir_ez_zor),
        geoname_row(991003, "Tall Bustan", "", (35.15, 40.40), admin=deir_ez_zor),
    ]
    (tmp_path / "SY.txt").write_text("".join(rows), encoding="utf-8")
    index = tmp_path / geo_index.INDEX_FILE
    shutil.copy(packaged.index_path, index)
    report = import_geonames_dump([tmp_path / "SY.txt"], index)
    assert report.admin2_seats >= 1
    gazetteer = Gazetteer(index)
    seat = gazetteer.lookup("Al Busayrah", ["SY"])[0]
    assert (seat.admin2, seat.admin2_derived) == ("Deir-ez-Zor District", False)
    beside = gazetteer.lookup("Tall Bustan", ["SY"])[0]
    assert (beside.admin2, beside.admin2_derived) == ("Al Mayadin District", True)


def test_every_listed_subdistrict_seat_is_placed_in_a_real_gazetteer(
    packaged: Gazetteer, tmp_path: Path
) -> None:
    """The seats of data/subdistrict_seats.yaml, entered by hand, are spelled so that a real
    gazetteer (../shared/geo's Syrian extract) finds each in its district."""
    sys.path.insert(0, str(Path(__file__).resolve().parents[1] / "bench"))
    from common import shared_dir

    shared = shared_dir()
    if shared is None or not (shared / "geo" / "SY.txt").is_file():
        pytest.skip("the shared gazetteer extracts are absent (set CONFLICTLENS_SHARED)")
    index = tmp_path / geo_index.INDEX_FILE
    shutil.copy(packaged.index_path, index)
    import_geonames_dump([shared / "geo" / "SY.txt"], index)
    gazetteer = Gazetteer(index)
    unplaced = [
        (record.names[0], seat)
        for record in load_subdistrict_seats()["SY"]
        for seat in record.seats
        if not any(
            not p.admin2_derived and spelling_similarity(p.admin2 or "", record.names[0]) >= 0.8
            for p in gazetteer.lookup(seat, ["SY"])
        )
    ]
    assert unplaced == []


def test_names_other_sources_give_a_district_are_the_same_district() -> None:
    assert same_district("Homs", "Mintaqat Markaz Homs")  # division words dropped
    assert same_district("Abu Kamal", "Albu Kamal district")
    assert same_district("Al Ma'ra", "Maarat al-Numaan district")  # listed as its other name
    assert not same_district("Dar'a", "Darayya")  # one key, two districts
    assert not same_district("Al Ma'ra", "Ariha")


def test_a_village_is_found_without_its_generic_prefix_and_loosely_spelled_only_inside(
    dense: Gazetteer,
) -> None:
    assert chosen_id(dense, "Gunmen attacked Tall Sabikh in Idlib.", "Tall Sabikh") == 990016
    # "Kafr Dabous" is a loose spelling of Kafr Dabbous: fine inside Idlib, not with no province.
    assert chosen_id(dense, "Regime forces shelled Kafr Dabous in Idlib.", "Kafr Dabous") == 990012
    loose = place_of(dense.find("Regime forces shelled Kafr Dabous on Monday."), "Kafr Dabous")
    assert loose is None or loose.place is None


def test_a_village_written_without_its_first_vowel_or_with_th_for_dh_is_found(
    dense: Gazetteer,
) -> None:
    text = "Regime artillery shelled Mtareh and the outskirts of Kafr Dabbous in rural Idlib."
    assert chosen_id(dense, text, "Mtareh") == 990024
    text = "A drone struck a car in the village of Thahabiyah in the southern Idlib countryside."
    assert chosen_id(dense, text, "Thahabiyah") == 990025


def test_a_village_listed_by_its_mound_is_found_without_it_only_inside_the_province(
    dense: Gazetteer,
) -> None:
    text = "Turkish artillery shelled Abu Sawwan in the Idlib countryside."
    assert chosen_id(dense, text, "Abu Sawwan") == 990026
    assert chosen_id(dense, "Turkish artillery shelled Abu Sawwan on Monday.", "Abu Sawwan") is None


def test_a_village_put_west_of_a_town_is_not_a_namesake_far_from_it(dense: Gazetteer) -> None:
    """ "the Nahla area west of Saraqib": the only Nahla the gazetteer knows is 50 km away, so
    the village is not found and the event is near Saraqib, flagged as such."""
    assert chosen_id(dense, "Regime forces shelled Nahla in rural Idlib.", "Nahla") == 990027
    hits = dense.find("A mine exploded in the Nahla area west of Saraqib in rural Idlib.")
    nahla, saraqib = place_of(hits, "Nahla"), place_of(hits, "Saraqib")
    assert nahla is not None and nahla.place is None
    assert saraqib is not None and saraqib.place is not None and saraqib.place.name == "Saraqib"
    assert FLAG_PLACE_NOT_FOUND in saraqib.flags


def test_a_subdistricts_town_put_south_of_its_districts_seat_may_lie_beyond_its_countryside(
    dense: Gazetteer,
) -> None:
    """ "al-Shuwaykh south of Maarat al-Numan" is 38 km out, beyond a town's countryside, but it
    is a subdistrict's town of Maarat al-Numan's own district: no namesake. A plain village as
    far out is one (the event is near Maarat al-Numan, flagged)."""
    town = "Maarat al-Numan in Idlib on Friday."
    assert chosen_id(dense, f"A mortar shell hit al-Shuwaykh south of {town}", "al-Shuwaykh") == (
        990035
    )
    assert (
        chosen_id(dense, f"A mortar shell hit Kafr Batikh south of {town}", "Kafr Batikh") is None
    )


def test_a_silent_e_is_dropped_only_inside_the_named_province(dense: Gazetteer) -> None:
    text = "Security forces searched the tents of Hure camp in rural Idlib."
    assert chosen_id(dense, text, "Hure") == 990029
    assert chosen_id(dense, "Security forces searched the tents of Hure camp.", "Hure") is None


def test_a_province_narrowed_to_its_part_still_sets_the_scene(
    dense: Gazetteer, monkeypatch: pytest.MonkeyPatch
) -> None:
    """The body was found between two villages "in the southern countryside of Idlib"; where
    he had been kidnapped, in Hama, is another scene, though "Hama" is named whole."""
    monkeypatch.setenv("CONFLICTLENS_DATA_DIR", str(dense.index_path.parent))
    text = (
        "On 3 May 2024, the body of a fighter with gunshot wounds was found on the road between "
        "Kafr Dabbous and Umm Sharshouh in the southern countryside of Idlib. He had been "
        "kidnapped near Jubb al Ghanam in the countryside of Hama."
    )
    event = extract_article(Article(id="p", text=text, published=date(2024, 5, 4)))[0]
    assert (event.location, event.admin1) == ("Kafr Dabbous", "Idlib")


def test_a_twin_village_qualified_in_english_is_found_by_its_arabic_name(
    dense: Gazetteer,
) -> None:
    text = "Unknown gunmen attacked a checkpoint in Eastern Jubb Sultan in the Idlib countryside."
    assert chosen_id(dense, text, "Eastern Jubb Sultan") == 990019


def test_missing_divisions_and_non_latin_names_are_filled_from_the_dump(dense: Gazetteer) -> None:
    no_code = dense.lookup("Jubb Hamdan", ["SY"])[0]
    assert no_code.admin1 == "Idlib"
    arabic = dense.lookup("Ayn az Zarqa", ["SY"])
    assert arabic and arabic[0].name == "Ain al-Zarqa"


def test_a_packaged_place_merged_with_a_dump_row_keeps_its_name_and_population(
    packaged: Gazetteer, tmp_path: Path
) -> None:
    saraqib = packaged.lookup("Saraqib", ["SY"])[0]
    assert saraqib.geonames_id is not None and saraqib.population > 0
    index = tmp_path / geo_index.INDEX_FILE
    shutil.copy(packaged.index_path, index)
    row = geoname_row(
        saraqib.geonames_id, "سراقب", "Saraqeb", (35.86, 36.80), ascii_form="", population=0
    )
    (tmp_path / "SY.txt").write_text(row, encoding="utf-8")
    import_geonames_dump([tmp_path / "SY.txt"], index)
    merged = Gazetteer(index).lookup("Saraqeb", ["SY"])[0]
    assert (merged.name, merged.population) == ("Saraqib", saraqib.population)
    assert Gazetteer(index).lookup("Saraqib", ["SY"])[0].geonames_id == saraqib.geonames_id


def test_an_event_in_an_imported_village_gets_its_district(
    dense: Gazetteer, monkeypatch: pytest.MonkeyPatch
) -> None:
    monkeypatch.setenv("CONFLICTLENS_DATA_DIR", str(dense.index_path.parent))
    text = "Regime forces shelled the village of Kafr Dabbous in Idlib, killing two civilians."
    event = extract_article(Article(id="d", text=text, published=date(2024, 5, 6)))[0]
    assert (event.location, event.admin1, event.admin2, event.geo_precision) == (
        "Kafr Dabbous",
        "Idlib",
        "Maarra District",
        1,
    )
    assert "admin2_derived" in event.flags  # the dump gave no district: it is the nearest one


def test_an_event_at_a_town_or_only_in_a_province_gets_the_district_of_its_point(
    dense: Gazetteer, monkeypatch: pytest.MonkeyPatch
) -> None:
    """ACLED and UCDP code a district for every event: the town's, or for an event known only by
    its province, its capital's. Neither the packaged town nor the province has a code."""
    monkeypatch.setenv("CONFLICTLENS_DATA_DIR", str(dense.index_path.parent))
    town = "Gunmen killed two policemen at a checkpoint in Ariha, Syria, on Monday night."
    province = "Regime forces shelled several villages in Idlib province, Syrian media said."
    events = [
        extract_article(Article(id=str(i), text=text, published=date(2024, 5, 6)))[0]
        for i, text in enumerate((town, province))
    ]
    assert [(e.location, e.admin2, e.geo_precision) for e in events] == [
        ("Ariha", "Ariha District", 1),
        ("Idlib", "Idlib District", 3),
    ]
    assert all("admin2_derived" in e.flags for e in events)
    assert dense.with_district(dense.lookup("Ariha", ["SY"])[0]).admin2 == "Ariha District"


def test_a_rebuilt_index_keeps_what_was_imported(
    packaged: Gazetteer, dump: Path, tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    index = tmp_path / geo_index.INDEX_FILE
    shutil.copy(packaged.index_path, index)
    import_geonames_dump([dump], index)
    monkeypatch.setattr(geo_index, "build_version", lambda: "an upgrade")
    # The upgrade's packaged places do not matter here: build none, quickly.
    monkeypatch.setattr(geo_index, "_write_sources", lambda connection: None)
    geo_index.ensure_index(index)
    assert geo_index.index_version(index) == "an upgrade"
    village = Gazetteer(index).lookup("Kafr Dabbus", ["SY"])[0]
    assert (village.geonames_id, village.admin2, village.admin2_derived) == (
        990012,
        "Maarra District",
        True,
    )
    status = geo_index.index_status(index)
    assert [row[0] for row in status.imports] == ["SY.zip"]
    assert status.imported_by_country["SY"] >= 10


def test_an_index_of_the_previous_format_hands_on_its_imported_villages(
    packaged: Gazetteer, tmp_path: Path
) -> None:
    """Format 2 marked nothing as imported: places it has beyond the packaged ones were."""
    old = tmp_path / "old.sqlite"
    with sqlite3.connect(old) as connection:
        connection.executescript(
            "CREATE TABLE place (id INTEGER PRIMARY KEY, name TEXT, kind TEXT, cc TEXT,"
            " admin1 TEXT, admin2 TEXT, lat REAL, lon REAL, geonames_id INTEGER,"
            " population INTEGER);"
            "CREATE TABLE name (key TEXT, light TEXT, place_id INTEGER);"
            "CREATE TABLE admin1 (cc TEXT, code TEXT, name TEXT, place_id INTEGER);"
            "INSERT INTO place VALUES (7, 'Tell Marzouk', 'place', 'SY', 'Idlib', NULL,"
            " 35.6, 36.7, 990001, 0);"
        )
        # Keyed by the folding rules of its day: the carried name is keyed again by today's.
        connection.execute(
            "INSERT INTO name VALUES (?, ?, 7)", ("tol morzok old", light_key("Tell Marzouk"))
        )
    new = tmp_path / geo_index.INDEX_FILE
    shutil.copy(packaged.index_path, new)
    with sqlite3.connect(new) as connection:
        assert geo_index.carry_imports(connection, old) == 1
        keys = connection.execute("SELECT key FROM name WHERE light = 'tell marzouk'").fetchall()
    assert keys == [(normalise_name("Tell Marzouk"),)]
    assert Gazetteer(new).lookup("Tell Marzouk", ["SY"])[0].geonames_id == 990001


# -- gazetteer download ------------------------------------------------------------------


class _Handler(http.server.SimpleHTTPRequestHandler):
    def log_message(self, format: str, *args: object) -> None:
        """Quiet: the test output is not the server's log."""

    def do_GET(self) -> None:
        if self.path.endswith("/short.zip"):  # announces more bytes than it sends
            self.send_response(200)
            self.send_header("Content-Length", "1000")
            self.end_headers()
            self.wfile.write(b"PK")
            return
        super().do_GET()


@pytest.fixture
def server(tmp_path: Path, dump: Path) -> Iterator[tuple[str, Path]]:
    """A local HTTP server on 127.0.0.1 serving a small dump like GeoNames' export folder."""
    served = tmp_path / "served"
    served.mkdir()
    shutil.copy(dump, served / "SY.zip")
    (served / "admin1CodesASCII.txt").write_text("SY.12\tIdlib\tIdlib\t169388\n", encoding="utf-8")
    (served / "admin2Codes.txt").write_text("SY.12.SY1203\tMaarra\tMaarra\t990040\n")
    (served / "XX.zip").write_bytes(b"this is not an archive")
    httpd = http.server.ThreadingHTTPServer(
        ("127.0.0.1", 0), partial(_Handler, directory=str(served))
    )
    thread = threading.Thread(target=httpd.serve_forever, daemon=True)
    thread.start()
    try:
        yield f"http://127.0.0.1:{httpd.server_address[1]}/", served
    finally:
        httpd.shutdown()
        httpd.server_close()
        thread.join()


def test_download_fetches_verifies_and_imports(
    packaged: Gazetteer, server: tuple[str, Path], tmp_path: Path
) -> None:
    base_url, _ = server
    index = tmp_path / geo_index.INDEX_FILE
    shutil.copy(packaged.index_path, index)
    seen: list[tuple[str, int, int | None]] = []
    result = download_and_import(
        ["sy"], tmp_path / "downloads", index, base_url, progress=lambda *p: seen.append(p)
    )
    assert [p.name for p in result.files] == ["SY.zip", "admin1CodesASCII.txt", "admin2Codes.txt"]
    assert result.report.places == 25  # the villages and the seats; districts are not places
    assert seen and seen[-1][1] == seen[-1][2]  # progress ends at the announced size
    status = geo_index.index_status(index)
    assert {row[1] for row in status.imports} == {f"{base_url}{p.name}" for p in result.files}
    assert all(len(row[3]) == 64 for row in status.imports)  # sha256 of each file
    assert Gazetteer(index).lookup("Kafr Dabbus", ["SY"])[0].geonames_id == 990012


@pytest.mark.parametrize(
    ("country", "message"),
    [("XX", "not a zip archive"), ("ZZ", "HTTP 404"), ("Syria", "two-letter country code")],
)
def test_download_refuses_what_is_not_a_country_extract(
    packaged: Gazetteer, server: tuple[str, Path], tmp_path: Path, country: str, message: str
) -> None:
    base_url, _ = server
    index = tmp_path / geo_index.INDEX_FILE
    shutil.copy(packaged.index_path, index)
    with pytest.raises(DownloadError, match=message):
        download_and_import([country], tmp_path / "downloads", index, base_url)
    assert geo_index.index_status(index).imports == []
    assert not list((tmp_path / "downloads").glob("*.partial"))


def test_a_truncated_download_is_refused(server: tuple[str, Path], tmp_path: Path) -> None:
    import httpx

    from conflictlens.geo.download import _fetch

    base_url, _ = server
    with httpx.Client() as client, pytest.raises(DownloadError):
        _fetch(client, base_url + "short.zip", tmp_path / "short.zip", None)
    assert not (tmp_path / "short.zip").exists()


def test_files_for_names_country_archives_then_the_admin_codes() -> None:
    assert files_for(["sy", "IQ"]) == [
        "SY.zip",
        "IQ.zip",
        "admin1CodesASCII.txt",
        "admin2Codes.txt",
    ]
    assert files_for(["TR"], admin_codes=False) == ["TR.zip"]


def test_cli_download_then_status(
    packaged: Gazetteer,
    server: tuple[str, Path],
    tmp_path: Path,
    monkeypatch: pytest.MonkeyPatch,
) -> None:
    base_url, _ = server
    data = tmp_path / "data"
    data.mkdir()
    shutil.copy(packaged.index_path, data / geo_index.INDEX_FILE)
    monkeypatch.setenv("CONFLICTLENS_DATA_DIR", str(data))
    before = runner.invoke(app, ["gazetteer", "status"])
    assert before.exit_code == 0, before.output
    assert "imported: nothing" in before.output
    result = runner.invoke(app, ["gazetteer", "download", "SY", "--base-url", base_url])
    assert result.exit_code == 0, result.output
    assert (data / "downloads" / "SY.zip").exists()
    status = runner.invoke(app, ["gazetteer", "status"])
    assert status.exit_code == 0, status.output
    assert "imported places by country: SY" in status.output
    assert f"{base_url}SY.zip" in status.output


def test_a_district_seat_pulls_harder_than_the_districts_own_point(dense: Gazetteer) -> None:
    """A point a little nearer Jabal Wastani District's own point than Maarra's seat lies in
    Maarra's district: towns cluster round their seat, a district's point drifts to its empty
    land."""
    ariha = dense.lookup("Ariha", ["SY"])[0]
    between = replace(ariha, admin2=None, latitude=35.65, longitude=36.55)
    assert dense.with_district(between).admin2 == "Maarra District"
    beside = replace(between, latitude=35.69, longitude=36.47)
    assert dense.with_district(beside).admin2 == "Jabal Wastani District"


def test_among_villages_spelled_loosely_the_closer_spelling_wins(dense: Gazetteer) -> None:
    """Two villages of Idlib share the key of "Kafr Dabbass", neither has a population: the one
    spelled closer to the text is meant."""
    assert (
        chosen_id(dense, "Regime forces shelled Kafr Dabbass in Idlib.", "Kafr Dabbass") == 990017
    )
    assert chosen_id(dense, "Regime forces shelled Kafr Dabous in Idlib.", "Kafr Dabous") == 990012


def test_a_place_named_as_a_subdistricts_town_comes_before_a_village(
    dense: Gazetteer,
) -> None:
    """GeoNames codes "Nahiyat Kafr Sajna", the town that governs a nahiya, PPL like a village:
    its name says what it is, and a report's "Kafr Sajna" means it before the village."""
    assert chosen_id(dense, "Regime artillery shelled Kafr Sajna in Idlib.", "Kafr Sajna") == 990020


def test_villages_spelled_loosely_in_the_named_province_are_chosen_by_the_articles_towns(
    dense: Gazetteer,
) -> None:
    """ "Tal Hadiya" is neither village's own spelling: among the namesakes so spelled inside
    Idlib, the one by Saraqib, the town the report also names, is meant."""
    text = "Gunmen killed a man in Tal Hadiya, Idlib, a day after a drone struck Saraqib."
    assert chosen_id(dense, text, "Tal Hadiya") == 990022


def test_a_roads_towns_are_landmarks_and_choose_among_namesakes(dense: Gazetteer) -> None:
    """ "the Hama-Salamiyah road" names two towns, each found; the road's towns are not the
    scene, but they tell which Tell Marzouk is meant: the one near Hama."""
    text = "A bomb hit a car in Tell Marzouk village on the Hama-Salamiyah road."
    hits = dense.find(text)
    ends = [h for h in hits if h.text in ("Hama", "Salamiyah")]
    assert [h.relation for h in ends] == ["road end", "road end"]
    assert all(h.place is not None and h.place.kind == "place" for h in ends)
    village = place_of(hits, "Tell Marzouk")
    assert village is not None and village.place is not None
    assert village.place.geonames_id == 990002
    # A dashed name that is no road's stays one name.
    assert place_of(dense.find("Shelling hit Kafr-Sajna in Idlib."), "Kafr") is None
