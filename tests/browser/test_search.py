"""Search (search: true, docs/search.md) in Chromium: Pagefind's box in the header of the example
plus one event, found by a word of its title and of its body, by keyboard alone, announced to a
screen reader, axe-clean; without JavaScript no box at all and the page reads as before."""

from __future__ import annotations

import re
import shutil

import pytest
from playwright.sync_api import expect

from .conftest import build_content, ROOT, open_page, serve, settle, stop, watch_errors

pytestmark = pytest.mark.browser

SLUG = "2024-11-02-lighthouse"
EVENT = """---
title: Harbour lighthouse keepers report a zeppelin
date: 2 November 2024
sources: [https://example.org/lighthouse]
---
The keepers logged a quokka on the breakwater at dawn.
"""
# Records what the page's live regions say (Pagefind's announcer), from before the search.
ANNOUNCED = """() => {
  window.__announced = [];
  new MutationObserver(() => {
    for (const region of document.querySelectorAll("[data-pagefind-announcer] [role=status]"))
      if (region.textContent.trim()) window.__announced.push(region.textContent.trim());
  }).observe(document.body, {subtree: true, childList: true, characterData: true});
}"""


@pytest.fixture(scope="module")
def search_site(tmp_path_factory):
    pytest.importorskip("pagefind", reason="pip install -e '.[search]'")
    root = tmp_path_factory.mktemp("search")
    content = root / "content"
    shutil.copytree(ROOT / "content", content)
    index = content / "_index.md"
    index.write_text(re.sub(r"\n---\n", "\nsearch: true\n---\n", index.read_text(encoding="utf-8"), count=1),
                     encoding="utf-8")
    (content / f"{SLUG}.md").write_text(EVENT, encoding="utf-8")
    out = root / "site"
    build_content(content, out, timeout=300)
    assert (out / "pagefind" / "pagefind-component-ui.js").is_file()
    return out


@pytest.fixture(scope="module")
def site_url(search_site):
    httpd, url = serve(search_site)
    yield url
    stop(httpd)


def search_box(page):
    return page.get_by_role("combobox", name="Search the events")


@pytest.mark.parametrize("word", ["zeppelin", "quokka"])  # one of its title, one of its body only
def test_a_word_of_an_event_finds_it_and_the_result_links_to_its_page(page, console_errors, site_url, axe, word):
    open_page(page, site_url + "/")
    page.evaluate(ANNOUNCED)
    box = search_box(page)
    expect(box).to_be_visible()
    box.fill(word)
    result = page.get_by_role("option", name=re.compile("Harbour lighthouse keepers"))
    expect(result).to_have_count(1)
    assert result.get_attribute("href").endswith(f"/events/{SLUG}/index.html")
    expect(page.get_by_role("option")).to_have_count(1)  # the timeline and other pages are not indexed
    page.wait_for_function("window.__announced.some(t => /1 result/i.test(t))")
    found = axe()
    assert found == [], found  # with the results open
    with page.expect_navigation():
        result.click()
    settle(page)
    assert page.url == f"{site_url}/events/{SLUG}/index.html"
    expect(page.locator("h1")).to_have_text("Harbour lighthouse keepers report a zeppelin")
    assert console_errors == []


def test_keyboard_only_from_the_skip_link_to_the_event(page, console_errors, site_url, axe):
    open_page(page, site_url + "/events/2024-10-28-pentagon-no-new-limits/index.html")
    assert axe() == []
    box = search_box(page)
    for _ in range(15):  # Tab from the top of the page: the skip link, the site's links, the box
        page.keyboard.press("Tab")
        if box.evaluate("e => e === document.activeElement"):
            break
    else:
        pytest.fail("Tab never reached the search box")
    focus = box.evaluate("""e => { const s = getComputedStyle(e);
        return {outline: s.outlineStyle !== 'none' && parseFloat(s.outlineWidth) > 0, shadow: s.boxShadow,
                border: s.borderColor}; }""")
    assert focus["outline"] or focus["shadow"] != "none", focus  # focus is visible
    page.keyboard.type("zeppelin")
    expect(page.get_by_role("option")).to_have_count(1)
    page.keyboard.press("ArrowDown")
    expect(box).to_have_attribute("aria-activedescendant", re.compile(".+"))
    with page.expect_navigation():
        page.keyboard.press("Enter")
    settle(page)
    assert page.url.endswith(f"/events/{SLUG}/index.html")
    assert console_errors == []


def test_without_javascript_there_is_no_box_and_the_pages_read_as_before(new_context, site_url):
    context = new_context(java_script_enabled=False)
    page = context.new_page()
    errors = watch_errors(page, [])
    asked = []
    page.on("request", lambda r: "/pagefind/" in r.url and asked.append(r.url))
    for path in ["/", f"/events/{SLUG}/index.html"]:
        open_page(page, site_url + path)
        expect(page.locator(".site-search")).to_be_hidden()
        expect(page.locator("input, [role=combobox]")).to_have_count(0)
        expect(page.locator("article.h-event").first).to_be_visible()
        expect(page.locator("article.h-event .e-content").first).to_be_visible()
    assert asked == [] and errors == []


def test_opened_from_disk_there_is_no_box(page, search_site):
    """file://: a page cannot fetch the index, so the script shows no box that could not work."""
    errors = watch_errors(page, [])
    page.goto(search_site.joinpath("index.html").as_uri())
    settle(page)
    expect(page.locator(".site-search")).to_be_hidden()
    assert [e for e in errors if "pagefind" in e] == []


def test_the_box_and_its_results_in_dark_mode_and_at_320_px(page, console_errors, site_url, axe):
    page.set_viewport_size({"width": 320, "height": 640})
    page.emulate_media(color_scheme="dark")
    open_page(page, site_url + "/")
    search_box(page).fill("quokka")
    expect(page.get_by_role("option")).to_have_count(1)
    found = axe()
    assert found == [], found
    # nothing of the box or its results scrolls the page sideways
    assert page.evaluate("document.documentElement.scrollWidth <= innerWidth")
    assert console_errors == []
