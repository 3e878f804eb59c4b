"""Eras (issue 18, item 4) in a real Chromium: each era's heading shown before the days it spans, its
band beside them in its colour (overlapping eras side by side), the overview's list leading to the
period where each starts; axe (WCAG 2.1 A/AA, light and dark, 360 and 1280 px) and the Nu checker
clean; and the real TimelineJS draws timeline.json's eras without an error."""

import pytest

from .conftest import build_content, follow, open_page, serve, stop
from .test_timelinejs import show, slides

pytestmark = pytest.mark.browser

INDEX = """\
---
title: The Cold War in space
sources: optional
page_events: 10
eras:
  - name: Cold War
    start: 1947
    end: 1991
    colour: "#2a6f97"
  - name: Space Race
    start: 4 October 1957
    end: July 1975
  - name: Space stations
    start: 1971
    end: now
    color: "#a63"
---
The race to space, and what came after.
"""
EVENTS = [("1945-05-08", "Victory in Europe"), ("1957-10-04", "Sputnik 1"), ("1957-11-03", "Sputnik 2"),
          ("1961-04-12", "Gagarin"), ("1962-02-20", "Glenn"), ("1965-03-18", "First spacewalk"),
          ("1969-07-20", "Apollo 11"), ("1971-04-19", "Salyut 1"), ("1975-07-17", "Apollo–Soyuz"),
          ("1986-02-19", "Mir"), ("1989-11-09", "The Wall falls"), ("1998-11-20", "Zarya"),
          ("2000-11-02", "Expedition 1")]


@pytest.fixture(scope="module")
def eras_site(tmp_path_factory):
    root = tmp_path_factory.mktemp("eras")
    content = root / "content"
    content.mkdir()
    (content / "_index.md").write_text(INDEX, encoding="utf-8")
    for number, (date, title) in enumerate(EVENTS):
        (content / f"{date}-event-{number}.md").write_text(f"---\ntitle: {title}\ndate: {date}\n---\nWhat happened.\n",
                                            encoding="utf-8")
    return build_content(content, root / "site")


@pytest.fixture(scope="module")
def eras_url(eras_site):
    httpd, url = serve(eras_site)
    yield url
    stop(httpd)


def test_each_era_is_shown_before_its_days_with_its_band_and_listed_in_the_overview(page, console_errors, eras_url):
    open_page(page, eras_url + "/")
    listed = page.locator(".era-list li")
    assert listed.all_inner_texts() == ["Cold War, 1947–1991", "Space Race, 4 October 1957 – July 1975",
                                        "Space stations, from 1971"]
    follow(page, listed.nth(1).locator("a"))  # to the period page where the Space Race starts, at its heading
    assert page.evaluate("location.pathname") == "/1950s/index.html"
    heading = page.locator("#era--space-race")
    assert page.evaluate("location.hash") == "#era--space-race"
    assert heading.is_visible() and heading.locator(".era-kicker").inner_text().startswith("ERA")
    assert heading.evaluate("h => h.textContent.replace(/\\s+/g, ' ').trim()") == \
        "Era: Space Race, 4 October 1957 – July 1975"
    # The day after the heading lies in two eras: two bands, left of it, in the eras' colours.
    day = page.locator("section.day").first
    shadow = day.evaluate("d => getComputedStyle(d).boxShadow")
    assert "rgb(42, 111, 151)" in shadow and shadow.count("rgb(") == 2
    box, text = day.bounding_box(), day.locator("h2").bounding_box()
    assert box["x"] >= 8 and text["x"] == box["x"]  # the bands lie in the margin, the text where it was
    assert console_errors == []


@pytest.mark.parametrize("width", [360, 1280])
@pytest.mark.parametrize("scheme", ["light", "dark"])
@pytest.mark.parametrize("path", ["/", "/1950s/", "/1970s/"])
def test_wcag_aa(page, axe, eras_url, path, scheme, width):
    page.set_viewport_size({"width": width, "height": 800})
    page.emulate_media(color_scheme=scheme)
    open_page(page, eras_url + path)
    assert page.locator(".era-heading, .era-list").count() >= 1  # the overview lists them
    assert axe() == [], f"{path} {scheme} {width}px"


def test_html_valid(eras_site, vnu):
    assert vnu([eras_site]) == []


def test_timelinejs_draws_the_eras(page, eras_site, timelinejs, tmp_path):
    errors = []
    expected = show(page, tmp_path, eras_site / "timeline.json", timelinejs, errors)
    assert [era["text"]["headline"] for era in expected["eras"]] == ["Cold War", "Space Race", "Space stations"]
    assert len(slides(page)) == len(EVENTS) + 1
    assert page.locator(".tl-timeera").count() == 3
    assert sorted(page.locator(".tl-timeera-text").all_text_contents()) == ["Cold War", "Space Race",
                                                                           "Space stations"]
    assert errors == []
