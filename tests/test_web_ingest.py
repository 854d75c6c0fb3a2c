"""Ingest from the web: HTML files and URLs, RSS and Atom feeds, URL lists and WARC archives, against
a local server that also fails in every way a site can. Nothing leaves the machine."""

from __future__ import annotations

import io
import sqlite3
from datetime import date
from pathlib import Path

import pytest
from typer.testing import CliRunner
from warcio.statusandheaders import StatusAndHeaders
from warcio.warcwriter import WARCWriter

from conflictlens.clean import content_lines
from conflictlens.cli import app
from conflictlens.ingest import ReadFailure, read_sources
from conflictlens.ingest.fetch import Fetcher, FetchSettings, parse_networks
from conflictlens.models import Article
from webserver import PAGES, LocalWebServer, serve_news_site, web  # noqa: F401

runner = CliRunner()


@pytest.fixture
def site(web: LocalWebServer) -> LocalWebServer:  # noqa: F811
    serve_news_site(web)
    return web


@pytest.fixture
def fetcher(tmp_path: Path) -> Fetcher:
    settings = FetchSettings(
        timeout=0.5,
        retries=1,
        backoff=0.01,
        host_delay=0.0,
        cache_dir=tmp_path / "cache",
        allowed_networks=parse_networks(["127.0.0.1/32"]),  # the test server is on loopback
    )
    with Fetcher(settings) as client:
        yield client


def _read(sources: list[str], fetcher: Fetcher) -> tuple[list[Article], list[ReadFailure]]:
    results = list(read_sources(sources, fetcher=fetcher))
    articles = [r for r in results if isinstance(r, Article)]
    failures = [r for r in results if isinstance(r, ReadFailure)]
    return articles, failures


def test_an_html_file_gives_its_text_title_outlet_and_date(fetcher: Fetcher) -> None:
    [article], failures = _read([str(PAGES / "mopti_attack.html")], fetcher)
    assert failures == []
    assert article.title == "Gunmen kill nine villagers in central Mali raid"
    assert article.outlet == "Sahel Wire"
    assert article.published == date(2023, 3, 14)
    assert article.language == "en"
    assert article.text.startswith("Gunmen on motorbikes killed at least nine villagers")
    # Reader comments are not the article.
    assert "Reader42" not in article.text and "Pray for Mali" not in article.text
    # Furniture inside the body is kept in the text (offsets) but skipped as junk.
    kept = [line.text for line in content_lines(article.text)]
    assert "FOLLOW SAHEL WIRE ON TWITTER AND PRESS" in article.text
    assert not any(line.startswith(("FOLLOW", "Share this")) for line in kept)


def test_the_source_line_names_the_outlet_over_the_republishing_site(fetcher: Fetcher) -> None:
    page = PAGES / "mopti_attack.html"
    republished = page.read_text("utf-8").replace(
        '<meta property="og:site_name" content="Sahel Wire">',
        '<meta property="og:site_name" content="World News Digest">',
    )
    path = fetcher.settings.cache_dir.parent / "republished.html"  # type: ignore[union-attr]
    path.write_text(republished, encoding="utf-8")
    [article], _ = _read([str(path)], fetcher)
    assert article.outlet == "Sahel Wire"


def test_broken_html_gives_best_effort_text_and_garbage_one_failure(
    fetcher: Fetcher,
    site: LocalWebServer,
) -> None:
    [article], _ = _read([str(PAGES / "broken.html")], fetcher)
    assert "abducted fourteen worshippers" in article.text
    articles, [failure] = _read([site.url("/garbage")], fetcher)
    assert articles == []
    assert failure.source == site.url("/garbage")
    assert failure.reason == "no article text found in the page"


def test_a_url_is_fetched_and_read_as_a_page(fetcher: Fetcher, site: LocalWebServer) -> None:
    [article], failures = _read([site.url("/news/idlib.html")], fetcher)
    assert failures == []
    assert article.url == site.url("/news/idlib.html")
    assert article.source == site.url("/news/idlib.html")
    assert article.title == "Shelling kills three civilians in Idlib countryside"
    assert article.outlet == "Levant Observer"
    assert article.published == date(2022, 11, 2)


def test_an_rss_feed_fetches_teasers_and_uses_full_text_items(
    fetcher: Fetcher, site: LocalWebServer
) -> None:
    articles, failures = _read([site.url("/feeds/desk.rss")], fetcher)
    assert failures == []
    mopti, afgoye = articles
    assert mopti.url == site.url("/news/mopti.html")
    assert "village of Kopa" in mopti.text
    assert site.hits["/news/mopti.html"] == 1
    # The second item carries the whole report: its link is not fetched.
    assert "Afgoye" in afgoye.text and "Al-Shabaab" in afgoye.text
    assert site.hits["/news/afgoye.html"] == 0
    assert afgoye.url == site.url("/news/afgoye.html")
    assert afgoye.title == "Car bomb kills four near Mogadishu checkpoint"
    # The feed's dates are the publication dates.
    assert (mopti.published, afgoye.published) == (date(2023, 3, 14), date(2023, 4, 19))


def test_an_atom_feed_file_fetches_its_links(
    fetcher: Fetcher, site: LocalWebServer, tmp_path: Path
) -> None:
    feed = tmp_path / "syria.atom"
    feed.write_text((PAGES / "atom.xml").read_text().replace("{base}", site.base))
    [article], failures = _read([str(feed)], fetcher)
    assert failures == []
    assert article.published == date(2022, 11, 2)
    assert "Kafr Nabl" in article.text


def test_a_malformed_feed_is_one_failure(fetcher: Fetcher, site: LocalWebServer) -> None:
    articles, [failure] = _read([site.url("/feeds/broken.rss")], fetcher)
    assert articles == []
    assert failure.source == site.url("/feeds/broken.rss")
    assert failure.reason.startswith("malformed feed (")


def test_url_lists_read_each_url_and_name_bad_lines(
    fetcher: Fetcher, site: LocalWebServer, tmp_path: Path
) -> None:
    listed = tmp_path / "reading.urls"
    listed.write_text(
        f"# morning reading\n{site.url('/news/idlib.html')}\n\nnot a url\n{site.url('/error')}\n"
    )
    articles, failures = _read([str(listed)], fetcher)
    assert [a.title for a in articles] == ["Shelling kills three civilians in Idlib countryside"]
    assert [(f.source, f.reason) for f in failures] == [
        (f"{listed}:4", "not an http(s) URL: 'not a url'"),
        (site.url("/error"), "HTTP 500 Internal Server Error"),
    ]
    # A .txt file of URLs only is a URL list too; a .txt article that mentions a URL is not.
    urls_txt = tmp_path / "links.txt"
    urls_txt.write_text(site.url("/news/idlib.html") + "\n")
    assert [a.title for a in _read([str(urls_txt)], fetcher)[0]] == [articles[0].title]
    article_txt = tmp_path / "report.txt"
    article_txt.write_text("Two police officers were shot dead in Kandahar.\nhttps://example.org\n")
    [plain], _ = _read([str(article_txt)], fetcher)
    assert plain.text.startswith("Two police officers")


def _warc(path: Path, pages: list[tuple[str, str, bytes]]) -> None:
    with path.open("wb") as handle:
        writer = WARCWriter(handle, gzip=True)
        for url, content_type, body in pages:
            headers = StatusAndHeaders(
                "200 OK", [("Content-Type", content_type)], protocol="HTTP/1.1"
            )
            writer.write_record(
                writer.create_warc_record(
                    url, "response", payload=io.BytesIO(body), http_headers=headers
                )
            )
            request = StatusAndHeaders("GET / HTTP/1.1", [], is_http_request=True)
            writer.write_record(
                writer.create_warc_record(
                    url, "request", payload=io.BytesIO(b""), http_headers=request
                )
            )


def test_a_warc_archive_gives_its_html_responses(fetcher: Fetcher, tmp_path: Path) -> None:
    archive = tmp_path / "crawl.warc.gz"
    _warc(
        archive,
        [
            (
                "https://sahel.example/mopti",
                "text/html",
                (PAGES / "mopti_attack.html").read_bytes(),
            ),
            ("https://sahel.example/logo.png", "image/png", b"\x89PNG\r\n\x1a\n"),
            (
                "https://levant.example/idlib",
                "text/html",
                (PAGES / "idlib_shelling.html").read_bytes(),
            ),
        ],
    )
    articles, failures = _read([str(archive)], fetcher)
    assert failures == []
    assert [a.url for a in articles] == [
        "https://sahel.example/mopti",
        "https://levant.example/idlib",
    ]
    assert articles[0].source == f"{archive}#https://sahel.example/mopti"
    assert articles[1].outlet == "Levant Observer"


def test_a_truncated_warc_is_one_failure(fetcher: Fetcher, tmp_path: Path) -> None:
    archive = tmp_path / "cut.warc"
    archive.write_bytes(b"WARC/1.0\r\nWARC-Type: response\r\nContent-Length: 900\r\n\r\n<html>")
    articles, [failure] = _read([str(archive)], fetcher)
    assert articles == []
    assert failure.source == str(archive)


def _stored(db: Path) -> dict[str, tuple]:
    with sqlite3.connect(db) as conn:
        rows = conn.execute("select url, title, outlet, published, language, status from articles")
        return {row[0]: row[1:] for row in rows}


@pytest.mark.slow
def test_ingest_stores_the_good_pages_and_reports_each_bad_url(
    site: LocalWebServer, tmp_path: Path
) -> None:
    bad = ["/private/mopti.html", "/slow", "/error", "/loop/a", "/huge.html", "/report.pdf"]
    good = ["/news/mopti.html", "/feeds/syria.atom", "/news/tongomayel.html"]
    db = tmp_path / "web.db"
    args = [site.url(p) for p in good + bad]
    fast = ["--timeout", "0.5", "--delay", "0", "--retries", "1", "--cache", str(tmp_path / "c")]
    fast += ["--allow-net", "127.0.0.1/32"]  # the test server is on loopback
    result = runner.invoke(app, ["ingest", *args, "--db", str(db), *fast])
    assert result.exit_code == 1, result.output
    errors = [line for line in result.stderr.splitlines() if line.startswith("error ")]
    assert [line.split(" ", 2)[1].rstrip(":") for line in errors] == [site.url(p) for p in bad]
    reasons = [line.split(": ", 1)[1] for line in errors]
    assert reasons == [
        "disallowed by robots.txt",
        "timed out after 0.5 s",
        "HTTP 500 Internal Server Error",
        "redirect loop: " + " -> ".join(site.url(p) for p in ("/loop/a", "/loop/b", "/loop/a")),
        "too large (more than 5 MB)",
        "not an article: content-type application/pdf",
    ]
    stored = _stored(db)
    assert stored[site.url("/news/mopti.html")][:4] == (
        "Gunmen kill nine villagers in central Mali raid",
        "Sahel Wire",
        "2023-03-14",
        "en",
    )
    assert stored[site.url("/news/idlib.html")][:3] == (
        "Shelling kills three civilians in Idlib countryside",
        "Levant Observer",
        "2022-11-02",
    )
    # The French report is stored, and skipped by the English extractor with its reason counted.
    assert stored[site.url("/news/tongomayel.html")][-1] == "skipped"
    assert "skipped: not English (fr)" in result.stderr

    # A second run stores nothing new and fetches no page again (the cache).
    hits = site.hits["/news/mopti.html"]
    again = runner.invoke(app, ["ingest", *args[:3], "--db", str(db), "--json", *fast])
    assert again.exit_code == 0, again.output
    assert '"duplicates": 3' in again.stdout
    assert site.hits["/news/mopti.html"] == hits
