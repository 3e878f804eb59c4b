"""A timeline past page_events events in a real Chromium (issue 17): the front page's overview of
every period, period pages, a tag's periods, the publishers' pages; accessible (axe, WCAG 2.1 A/AA,
light and dark, 360 and 1280 px), valid (Nu checker), without sideways scroll, usable without JavaScript.
"""
import re
import subprocess
import sys

import pytest

from .conftest import build_content, ROOT, follow, open_page, serve, stop
from .test_site import _OVERFLOW, SCHEMES, WIDTHS

pytestmark = pytest.mark.browser

EVENTS = 400  # bench/corpus.py over five years, with page_events: 40


@pytest.fixture(scope="module")
def large_site(tmp_path_factory):
    root = tmp_path_factory.mktemp("large")
    subprocess.run([sys.executable, str(ROOT / "bench" / "corpus.py"), str(EVENTS), str(root / "content")],
                   check=True, capture_output=True)
    index = root / "content" / "_index.md"  # pages of 40 events: tags and publishers split too
    index.write_text(index.read_text().replace("---\n", "---\npage_events: 40\n", 1))
    out = root / "site"
    build_content(root / "content", out, timeout=600)
    return out


@pytest.fixture(scope="module")
def large_url(large_site):
    httpd, url = serve(large_site)
    yield url
    stop(httpd)


def pages_of(site):
    """A period page, a split tag's page and one of its periods, the publishers' index and a publisher."""
    period = next(p for p in sorted(site.glob("20*/index.html")))
    tag = next(p.parent for p in sorted(site.glob("tags/*/20*/index.html")))
    publisher = next(p for p in sorted(site.glob("sources/*/index.html")))
    return ["/", "/" + period.relative_to(site).parent.as_posix() + "/", "/" + tag.relative_to(site).as_posix() + "/",
            "/sources/", "/" + publisher.relative_to(site).parent.as_posix() + "/"]


def test_the_overview_counts_every_event_and_leads_to_each_period(page, console_errors, large_site, large_url):
    open_page(page, large_url + "/")
    links = page.locator("nav.periods > ol > li > a")
    counts = [int(re.match(r"(\d+) event", text)[1]) for text in page.locator("nav.periods .period-count").all_inner_texts()]
    parts = page.locator("nav.periods .period-parts a")  # each period's own parts: an event page is 3 clicks away
    assert parts.count() >= len(counts)
    assert sum(counts) == EVENTS and links.count() == len(counts) >= 2
    label = page.locator("nav.periods .period-label").first.inner_text()
    follow(page, links.first)
    assert page.locator("h1").inner_text() == label
    assert page.locator("nav.crumbs a").first.inner_text()  # its place in the whole
    shown = page.locator("article.h-event").count() + sum(
        int(re.match(r"(\d+) event", t)[1]) for t in page.locator("nav.periods .period-count").all_inner_texts())
    assert shown == counts[0]  # the period shows or leads to all its events
    assert console_errors == []


@pytest.mark.parametrize("width", WIDTHS)
@pytest.mark.parametrize("scheme", SCHEMES)
def test_wcag_aa(page, axe, large_site, large_url, scheme, width):
    page.set_viewport_size({"width": width, "height": 800})
    page.emulate_media(color_scheme=scheme)
    for path in pages_of(large_site):
        open_page(page, large_url + path)
        assert axe() == [], f"{path} {scheme} {width}px"


def test_html_valid(large_site, vnu):
    assert vnu([large_site / "index.html", *(large_site / p.strip("/") / "index.html"
                                             for p in pages_of(large_site)[1:])]) == []


def test_no_horizontal_scroll(page, large_site, large_url):
    page.set_viewport_size({"width": 320, "height": 640})
    for path in pages_of(large_site):
        open_page(page, large_url + path)
        m = page.evaluate(_OVERFLOW)
        assert m["scrollWidth"] <= m["innerWidth"], f"{path} scrolls sideways at 320 px: {m}"


def test_without_javascript_every_period_is_a_link(browser, large_url):
    context = browser.new_context(java_script_enabled=False)
    try:
        page = context.new_page()
        page.goto(large_url + "/")
        assert page.locator("nav.periods a").count() >= 2
        page.locator("nav.periods a").first.click()
        page.wait_for_load_state("load")
        assert page.locator("h1").count() == 1 and page.locator("nav.crumbs").count() == 1
    finally:
        context.close()
