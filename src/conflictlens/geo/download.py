"""Fetch GeoNames' country extracts on purpose (`conflictlens gazetteer download SY IQ`), verify
them and import them. Nothing else in conflictlens downloads gazetteer data.

GeoNames publishes no checksums, so a download is checked three ways before it is imported: the
bytes received must match the server's Content-Length, every member of a zip must pass its CRC-32
check, and a country archive must hold that country's table in GeoNames' 19-column layout. The
SHA-256 of each file goes to the import log (`gazetteer status`).
"""

from __future__ import annotations

import re
import zipfile
from collections.abc import Callable, Iterable
from dataclasses import dataclass
from pathlib import Path

import httpx

from conflictlens.geo.importer import ImportReport, import_geonames_dump

GEONAMES_DUMP_URL = "https://download.geonames.org/export/dump/"
# The division names that go with the country tables (admin1 and admin2 codes to names).
ADMIN_CODE_FILES = ("admin1CodesASCII.txt", "admin2Codes.txt")
_COUNTRY_CODE = re.compile(r"^[A-Z]{2}$")
_GEONAMES_COLUMNS = 19
_CHUNK = 1 << 16

# Called with (file name, bytes so far, total bytes or None) as a download proceeds.
ProgressCallback = Callable[[str, int, int | None], None]


class DownloadError(RuntimeError):
    """A file could not be fetched, or what arrived is not what was asked for."""


@dataclass(frozen=True)
class DownloadResult:
    files: list[Path]
    report: ImportReport


def files_for(countries: Iterable[str], admin_codes: bool = True) -> list[str]:
    """The dump files to fetch: one archive per country ("SY" -> "SY.zip"), then the admin code
    tables. Country codes are ISO 3166-1 alpha-2, as GeoNames names its extracts."""
    names = []
    for country in countries:
        code = country.strip().upper()
        if not _COUNTRY_CODE.match(code):
            raise DownloadError(f"{country!r} is not a two-letter country code (SY, IQ, ...)")
        names.append(f"{code}.zip")
    return names + (list(ADMIN_CODE_FILES) if admin_codes else [])


def download_and_import(
    countries: Iterable[str],
    target: Path,
    index: Path,
    base_url: str = GEONAMES_DUMP_URL,
    admin_codes: bool = True,
    progress: ProgressCallback | None = None,
) -> DownloadResult:
    """Download the countries' extracts (and the admin code tables) into `target`, verify each
    file, then import them all into the index at `index`."""
    target.mkdir(parents=True, exist_ok=True)
    base = base_url if base_url.endswith("/") else base_url + "/"
    files = []
    with httpx.Client(follow_redirects=True, timeout=60.0) as client:
        for name in files_for(countries, admin_codes):
            path = _fetch(client, base + name, target / name, progress)
            verify(path)
            files.append(path)
    return DownloadResult(files, import_geonames_dump(files, index, origin=base))


def _fetch(client: httpx.Client, url: str, path: Path, progress: ProgressCallback | None) -> Path:
    """Stream `url` to `path` (through a partial file, so a broken transfer leaves nothing that
    looks complete), checking the byte count against Content-Length."""
    partial = path.with_name(path.name + ".partial")
    try:
        with client.stream("GET", url) as response:
            if response.status_code != 200:
                raise DownloadError(f"{url}: HTTP {response.status_code}")
            length = response.headers.get("content-length")
            total = int(length) if length and length.isdigit() else None
            received = 0
            with partial.open("wb") as handle:
                for chunk in response.iter_bytes(_CHUNK):
                    handle.write(chunk)
                    received += len(chunk)
                    if progress is not None:
                        progress(path.name, received, total)
    except httpx.HTTPError as error:
        partial.unlink(missing_ok=True)
        raise DownloadError(f"{url}: {error}") from error
    if total is not None and received != total:
        partial.unlink(missing_ok=True)
        raise DownloadError(f"{url}: received {received} bytes of {total}")
    partial.replace(path)
    return path


def verify(path: Path) -> None:
    """Check a downloaded file: a zip's members pass their CRC-32 check and a country archive
    ("SY.zip") holds "SY.txt" in GeoNames' layout; a text table has tab-separated rows."""
    if path.suffix.lower() != ".zip":
        with path.open(encoding="utf-8") as handle:
            first = handle.readline()
        if "\t" not in first:
            raise DownloadError(f"{path.name}: not a GeoNames table")
        return
    try:
        with zipfile.ZipFile(path) as archive:
            broken = archive.testzip()
            if broken is not None:
                raise DownloadError(f"{path.name}: {broken} fails its CRC check")
            member = f"{path.stem}.txt"
            if member not in archive.namelist():
                raise DownloadError(f"{path.name}: no {member} inside")
            with archive.open(member) as raw:
                first = raw.readline().decode("utf-8")
    except zipfile.BadZipFile as error:
        raise DownloadError(f"{path.name}: not a zip archive ({error})") from error
    if first and len(first.rstrip("\n").split("\t")) != _GEONAMES_COLUMNS:
        raise DownloadError(f"{path.name}: {member} is not in GeoNames' 19-column layout")
