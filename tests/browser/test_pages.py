"""The sources page, the tags index and the tag pages in a real Chromium: contract markup, landmarks,
accessibility (axe, WCAG 2.1 A/AA, light and dark, 360 and 1280 px), HTML validity (Nu checker),
no sideways scroll at 320 px, and tag links that lead where they say.

The site is the example timeline plus a few entries that make these pages work hard: a URL cited
twice, a briefing without URL, unsourced events, tags with accents, symbols and other scripts.
"""
import shutil
import textwrap

import pytest
from playwright.sync_api import expect

from .conftest import build_content, ROOT, back, follow, open_page, serve, stop
from .test_site import _DAY_HEADINGS, _MARKUP_PROBLEMS, _OVERFLOW, SCHEMES, WIDTHS

pytestmark = pytest.mark.browser

EXTRA = {
    "2024-10-29-briefing.md": """
        title: Seoul briefs lawmakers on the deployment
        date: 2024-10-29T10:00+09:00
        location: Seoul
        tags: [South Korea, "Élysée", "C++", "東京"]
        sources:
          - publisher: National Intelligence Service
            title: Closed-door briefing to the intelligence committee
          - url: https://kyivindependent.com/biden-north-korean-troops-ukraine
            publisher: The Kyiv Independent
        ---
        Lawmakers were told about troops and training.
        """,
    "2024-10-30-unsourced.md": """
        title: Reports of a second contingent
        date: 2024-10-30
        tags: ["a/b", "C", "../x", "two words"]
        ---
        Unconfirmed.
        """,
    "2024-10-31-month.md": """
        title: Rotation expected later in the month
        date: 2024-10
        tags: ["Élysée"]
        ---
        No source yet.
        """,
}
TAG_PAGES = ["/tags/elysee/", "/tags/c-2/", "/tags/東京/", "/tags/x/"]
NEW_PAGES = ["/sources/", "/tags/", *TAG_PAGES]


@pytest.fixture(scope="module")
def pages_site(tmp_path_factory):
    """The example plus EXTRA, built once for this module into a temporary folder."""
    root = tmp_path_factory.mktemp("pages")
    content = root / "content"
    shutil.copytree(ROOT / "content", content)
    for name, text in EXTRA.items():
        (content / name).write_text("---\n" + textwrap.dedent(text).lstrip("\n"), encoding="utf-8")
    out = root / "site"
    build_content(content, out, timeout=300)
    return out


@pytest.fixture(scope="module")
def site_url(pages_site):
    httpd, url = serve(pages_site)
    yield url
    stop(httpd)


def test_new_pages_open_with_one_h1_landmarks_and_a_skip_link(page, console_errors, site_url):
    for path in NEW_PAGES:
        open_page(page, site_url + path)
        expect(page.locator("h1")).to_have_count(1)
        for landmark in ("header", "main#main", "footer", "nav.site-nav"):
            expect(page.locator(landmark)).to_have_count(1)
        skip = page.locator("a[href]").first
        assert skip.get_attribute("href") == "#main", path
        page.keyboard.press("Tab")
        assert page.evaluate("document.activeElement.getAttribute('href')") == "#main", path
        assert console_errors == [], f"{path}: {console_errors}"


@pytest.mark.parametrize("path", TAG_PAGES)
def test_tag_pages_keep_the_h_event_contract(page, site_url, path):
    open_page(page, site_url + path)
    problems = page.evaluate(_MARKUP_PROBLEMS)
    # An unsourced event has no h-cite; the contract asks only that those present be complete.
    problems = [p for p in problems if p != "no .h-cite a.u-url anywhere on the page"]
    assert problems == [], "\n".join(problems)
    for row in page.evaluate(_DAY_HEADINGS):
        heading = row["heading"]
        assert heading and heading["tag"] == "H2", row
        assert heading["datetime"] == row["start"][:len(heading["datetime"])], row


def test_tag_links_lead_to_pages_listing_the_event(page, console_errors, site_url):
    open_page(page, site_url + "/")
    event = page.locator('article.h-event[id="2024-10-29-briefing"]')
    for name, path in [("東京", "/tags/東京/index.html"), ("C++", "/tags/c-2/index.html"),
                       ("Élysée", "/tags/elysee/index.html")]:
        follow(page, event.get_by_role("link", name=name, exact=True))
        assert page.evaluate("decodeURIComponent(location.pathname)") == path
        expect(page.locator("h1")).to_have_text(name)
        expect(page.locator('article.h-event[id="2024-10-29-briefing"]')).to_have_count(1)
        back(page)
    assert console_errors == []


def test_sources_page_links_back_to_every_citing_event(page, console_errors, site_url):
    open_page(page, site_url + "/sources/")
    shared = page.locator("li.h-cite", has=page.locator(
        'a.u-url[href="https://kyivindependent.com/biden-north-korean-troops-ukraine"]'))
    expect(shared).to_have_count(1)
    links = shared.locator(".event-list a")
    expect(links).to_have_count(2)
    expect(page.locator("#unsourced .event-list li")).to_have_count(2)
    briefing = page.locator("li.h-cite", has_text="Closed-door briefing")
    expect(briefing.locator(".cite-title a")).to_have_count(0)
    expect(briefing.locator(".cite-title")).to_contain_text("(not online)")
    expect(links.first).to_have_text("Seoul briefs lawmakers on the deployment")  # 28 October, 21:00 EDT
    follow(page, links.first)
    expect(page.locator("h1")).to_have_text("Seoul briefs lawmakers on the deployment")
    assert console_errors == []


@pytest.mark.parametrize("width", WIDTHS)
@pytest.mark.parametrize("scheme", SCHEMES)
@pytest.mark.parametrize("path", ["/sources/", "/tags/", "/tags/elysee/"])
def test_wcag_aa(page, axe, site_url, path, scheme, width):
    page.set_viewport_size({"width": width, "height": 800})
    page.emulate_media(color_scheme=scheme)
    open_page(page, site_url + path)
    violations = axe()
    assert violations == [], f"{path} {scheme} {width}px: {violations}"


def test_html_valid(pages_site, vnu):
    for path in NEW_PAGES:
        assert (pages_site / path.strip("/") / "index.html").is_file(), path
    errors = vnu([pages_site])  # the event pages too: their JSON-LD and metadata
    assert errors == [], errors


@pytest.mark.parametrize("width", [320, 360])
@pytest.mark.parametrize("path", NEW_PAGES)
def test_no_horizontal_scroll(page, site_url, path, width):
    page.set_viewport_size({"width": width, "height": 640})
    open_page(page, site_url + path)
    m = page.evaluate(_OVERFLOW)
    assert m["scrollWidth"] <= m["innerWidth"], f"{path} at {width}px scrolls sideways: {m}"
