"""Live preview in a real browser: a save reloads the page at the edited event, with the new text."""

from __future__ import annotations

import os
import re
import shutil
import subprocess
import sys

import pytest
from playwright.sync_api import expect

from .conftest import ROOT, watch_errors

pytestmark = pytest.mark.browser

WAIT = 20_000  # ms: a bound on waiting for an event, never a sleep


@pytest.fixture
def preview(tmp_path):
    """`chronicle serve --port 0` on a copy of the example, as an author starts it."""
    shutil.copytree(ROOT / "content", tmp_path / "content")
    proc = subprocess.Popen([sys.executable, str(ROOT / "build.py"), "serve", "--port", "0"], cwd=tmp_path,
                            stdout=subprocess.PIPE, stderr=subprocess.PIPE, text=True,
                            env={**os.environ, "PYTHONUNBUFFERED": "1"})
    line = proc.stdout.readline()
    line = proc.stdout.readline() if line.startswith("built ") else line  # the first build's summary
    match = re.search(r"http://127\.0\.0\.1:\d+/", line)
    if not match:
        proc.kill()
        pytest.fail(f"serve did not start: {line}{proc.communicate()[1]}")
    yield match.group(0), tmp_path / "content"
    proc.terminate()
    proc.communicate(timeout=10)


def save(path, text):
    temporary = path.with_name(f".{path.name}.tmp")
    temporary.write_text(text, encoding="utf-8")
    os.replace(temporary, path)


def test_a_save_reloads_the_page_at_the_edited_event(page, preview):
    url, content = preview
    errors = []
    watch_errors(page, errors)
    page.set_viewport_size({"width": 1280, "height": 700})
    page.goto(url)
    page.wait_for_function("window.__sseOpen === true")
    entry = content / "2024-10-31-foreign-and-defense-ministers-2-plus-2.md"
    slug = entry.stem
    text = entry.read_text(encoding="utf-8")
    with page.expect_event("load", timeout=WAIT):  # armed before the save
        save(entry, text.replace("Sixth US–ROK", "Edited sixth US–ROK", 1))
    article = page.locator(f"article[id=\"{slug}\"]")
    expect(article.locator(".p-name").first).to_contain_text("Edited sixth US–ROK", timeout=WAIT)
    expect(article).to_have_class(re.compile(r"\bchronicle-edited\b"), timeout=WAIT)
    expect(article).to_be_in_viewport()
    assert page.evaluate("window.scrollY") > 0  # the last event is below the fold: the page went to it
    # the reload stream is closed by the reload itself: that request is aborted by design
    assert [e for e in errors if "/__chronicle/live" not in e] == []


def test_on_another_page_the_scroll_position_is_kept(page, preview):
    url, content = preview
    page.set_viewport_size({"width": 360, "height": 500})
    page.goto(url + "events/2024-10-28-pentagon-no-new-limits/")
    page.wait_for_function("window.__sseOpen === true")
    page.evaluate("window.scrollTo(0, 300)")
    page.wait_for_function("window.scrollY === 300")
    settings = content / "_index.md"  # the timeline's title, on every page; no event of this page saved
    with page.expect_event("load", timeout=WAIT):
        save(settings, settings.read_text(encoding="utf-8").replace("North Korean troops", "North Korean soldiers", 1))
    page.wait_for_function("window.scrollY === 300", timeout=WAIT)
    assert "North Korean soldiers" in page.content()


def test_a_save_that_leaves_the_page_as_it_was_does_not_reload_it(page, preview):
    url, content = preview
    page.goto(url + "events/2024-10-28-pentagon-no-new-limits/")
    page.wait_for_function("window.__sseOpen === true")
    page.evaluate("window.__notReloaded = true")
    entry = content / "2024-10-30-security-consultative-meeting.md"  # not shown on this page
    save(entry, entry.read_text(encoding="utf-8").replace("56th", "Fifty-sixth", 1))
    other = page.context.new_page()  # the save is built and served …
    other.goto(url + "events/2024-10-30-security-consultative-meeting/")
    expect(other.locator("body")).to_contain_text("Fifty-sixth", timeout=WAIT)
    other.close()
    assert page.evaluate("window.__notReloaded") is True  # … and this page was not reloaded


def test_a_broken_save_shows_the_overlay_and_a_fix_clears_it(page, preview):
    url, content = preview
    page.goto(url)
    page.wait_for_function("window.__sseOpen === true")
    entry = content / "biden-if-they-cross-into-ukraine.md"
    good = entry.read_text(encoding="utf-8")
    with page.expect_event("load", timeout=WAIT):
        save(entry, good.replace("date: October 29, 2024", "date: October 32, 2024"))
    overlay = page.locator("#chronicle-errors")
    expect(overlay).to_be_visible(timeout=WAIT)
    expect(overlay).to_contain_text("content/biden-if-they-cross-into-ukraine.md:3: error: date:")
    expect(page.locator("article#biden-if-they-cross-into-ukraine")).to_be_visible()  # the last good page
    page.set_viewport_size({"width": 360, "height": 800})
    box = overlay.bounding_box()
    assert box["height"] <= 0.36 * 800, box  # on a phone it leaves most of the page to read
    overlay.locator("summary").click()  # folded away: only its one line is left
    assert overlay.bounding_box()["height"] < 80 and not overlay.locator("pre").is_visible()
    page.wait_for_function("window.__sseOpen === true")
    with page.expect_event("load", timeout=WAIT):
        save(entry, good)
    expect(overlay).to_have_count(0, timeout=WAIT)


def test_a_tall_edited_event_is_brought_in_with_its_title_in_view(page, preview):
    """A phone, an event taller than the screen: the reload keeps its title in view, not its middle."""
    url, content = preview
    page.set_viewport_size({"width": 360, "height": 500})
    page.goto(url)
    page.wait_for_function("window.__sseOpen === true")
    entry = content / "2024-10-31-foreign-and-defense-ministers-2-plus-2.md"
    slug = entry.stem
    text = entry.read_text(encoding="utf-8")
    long = "\n\n".join(["A long paragraph of the edited event, to make it taller than the screen."] * 30)
    with page.expect_event("load", timeout=WAIT):
        save(entry, text.replace("Sixth US–ROK", "Edited sixth US–ROK", 1) + "\n" + long + "\n")
    article = page.locator(f"article[id=\"{slug}\"]")
    expect(article).to_have_class(re.compile(r"\bchronicle-edited\b"), timeout=WAIT)
    expect(article.locator(".p-name").first).to_be_in_viewport()
