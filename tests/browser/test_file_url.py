"""The built site opened from disk (file://): every in-site link opens a page, not a folder listing."""

from __future__ import annotations

import re

import pytest
from playwright.sync_api import expect

from .conftest import follow, settle

pytestmark = pytest.mark.browser


def test_the_site_is_browsable_from_disk(page, built_site):
    page.goto((built_site / "index.html").as_uri())
    settle(page)
    expect(page.locator("h1")).to_have_count(1)
    links = page.eval_on_selector_all(
        "a[href]", "links => links.map(a => a.href).filter(h => h.startsWith('file:'))")
    assert links, "the timeline links to its own pages"
    for href in sorted(set(h.split("#")[0] for h in links)):
        if href.endswith((".xml", ".ics", ".json", ".css", ".svg")):
            continue
        assert href.endswith(".html"), f"{href} would open a folder listing from disk"
    follow(page, page.locator("article.h-event .p-name a").first)
    expect(page).to_have_url(re.compile(r"/events/[^/]+/index\.html$"))
    expect(page.locator("article.h-event h1.p-name")).to_have_count(1)
    follow(page, page.get_by_role("link", name="Sources").first)
    expect(page).to_have_url(re.compile(r"/sources/index\.html$"))
    expect(page.locator("h1")).to_have_count(1)
