"""timeline.json in the real TimelineJS (@knight-lab/timelinejs from npm), offline in Chromium.

As docs/testing.md says: the package's dist/js and dist/css beside a small page, `font: null` so
TimelineJS asks no CDN for its fonts, served on 127.0.0.1. Every event must become a
slide (plus the title slide) with its headline, and the console must stay clean.
"""
import html
import json
from urllib.parse import unquote
import re
import shutil
from pathlib import Path

import pytest

from .conftest import ROOT, serve, stop, watch_errors

pytestmark = pytest.mark.browser

WAIT = 20_000  # ms: a bound on waiting for TimelineJS to lay out, never a sleep
PAGE = """<!doctype html>
<html lang="en">
<head><meta charset="utf-8"><title>TimelineJS</title>
<link rel="icon" href="data:,"><link rel="stylesheet" href="css/timeline.css"></head>
<body>
<div id="tl" style="width: 1000px; height: 650px"></div>
<script src="js/timeline.js"></script>
<script>
  window.timeline = new TL.Timeline('tl', 'timeline.json', {font: null});
</script>
</body>
</html>
"""


def show(page, folder: Path, data: Path, dist: Path, errors: list) -> dict:
    """Serve timeline.json beside TimelineJS and a page that loads it; wait for every slide."""
    shutil.copytree(dist / "js", folder / "js")
    shutil.copytree(dist / "css", folder / "css")
    shutil.copyfile(data, folder / "timeline.json")
    (folder / "index.html").write_text(PAGE, encoding="utf-8")
    expected = json.loads(data.read_text(encoding="utf-8"))
    httpd, url = serve(folder)
    try:
        watch_errors(page, errors)
        # A site with a base_url gives its pictures' absolute URLs (media.url): they are answered from the
        # built site beside timeline.json, as its host would, so the test needs no network.
        canonical = re.search(r'<link rel="canonical" href="([^"]+)">',
                              (data.parent / "index.html").read_text(encoding="utf-8")) \
            if (data.parent / "index.html").is_file() else None
        if canonical:
            base = canonical.group(1)
            page.route(re.compile("^" + re.escape(base)),
                       lambda route: route.fulfill(path=data.parent / unquote(route.request.url[len(base):])))
        page.set_viewport_size({"width": 1280, "height": 800})
        page.goto(f"{url}/index.html")
        page.wait_for_function("n => document.querySelectorAll('.tl-slide').length === n",
                               arg=len(expected["events"]) + 1, timeout=WAIT)
        page.wait_for_load_state("networkidle")
    finally:
        stop(httpd)
    return expected


def slides(page) -> list[tuple[str, str]]:
    """(id, headline text) of every slide, in the order TimelineJS laid them out."""
    return page.eval_on_selector_all(
        ".tl-slide", "els => els.map(e => [e.id, (e.querySelector('.tl-headline') || {}).textContent || ''])")


def test_the_example_becomes_one_slide_per_event(page, built_site, site_events, timelinejs, tmp_path):
    errors = []
    expected = show(page, tmp_path, built_site / "timeline.json", timelinejs, errors)
    assert [event["unique_id"] for event in expected["events"]] == [slug for slug, _ in site_events]
    shown = dict(slides(page))
    assert len(shown) == len(expected["events"]) + 1
    for event in expected["events"]:
        assert shown[event["unique_id"]] == html.unescape(event["text"]["headline"])  # HTML to TimelineJS
    assert shown[expected["title"]["unique_id"]] == html.unescape(expected["title"]["text"]["headline"])
    assert errors == []


MIXED = {
    "year.md": "title: A year\ndate: 2023",
    "month.md": "title: A month\ndate: 2024-09\nend: 2024-10\ntags: [Talks]",
    "day.md": "title: A day\ndate: 2024-10-28\ntags: [NATO]",
    "timed.md": "title: A time\ndate: 2024-10-28T14:30\nend: 2024-10-28T16:00",
    "hostile.md": "title: '<img src=x onerror=\"window.hacked=1\"> & <b>bold</b>'\ndate: 2024-10-29\n"
                  "tags: ['<i>tag</i>']",
}


def test_every_precision_and_hostile_text_show_as_written(page, timelinejs, tmp_path, monkeypatch):
    from chronicle.cli import main

    content = tmp_path / "content"
    content.mkdir()
    (content / "_index.md").write_text("---\ntitle: Mixed <dates>\ntimezone: America/New_York\n---\nIntro.\n")
    for name, front in MIXED.items():
        (content / name).write_text(f"---\n{front}\nsources: [https://example.org/{name}]\n---\nBody.\n")
    monkeypatch.chdir(tmp_path)
    assert main(["build", "--content", str(content), "--output", str(tmp_path / "site")]) == 0
    errors = []
    (tmp_path / "tl").mkdir()
    show(page, tmp_path / "tl", tmp_path / "site" / "timeline.json", timelinejs, errors)
    shown = dict(slides(page))
    hostile = '<img src=x onerror=”window.hacked=1”> & <b>bold</b>'  # a title's quotes are curled as it is read
    assert sorted(shown.values()) == sorted(["Mixed <dates>", "A year", "A month", "A day", "A time", hostile])
    assert page.locator(".tl-slide img[src='x']").count() == 0
    assert page.evaluate("window.hacked") is None
    assert errors == []


def own_dates(page) -> dict[str, str]:
    """The date TimelineJS shows on each slide."""
    return dict(page.eval_on_selector_all(
        ".tl-slide", "els => els.map(e => [e.id, (e.querySelector('.tl-headline-date') || {}).textContent || ''])"))


def test_timelinejs_reads_every_date_of_a_history_as_chronicle_does(page, timelinejs, tmp_path, monkeypatch):
    """The history of writing and deep time: TimelineJS, reading timeline.json's numbers by itself (no
    display_date), puts every slide in Chronicle's order and names the same years; with display_date
    it shows Chronicle's words (c. 3400 BCE)."""
    from chronicle.cli import main

    content = tmp_path / "content"
    shutil.copytree(ROOT / "examples" / "history-of-writing" / "content", content)
    for name, date in [("big-bang", "-13800000000"), ("dinosaurs", "66 million years ago"),
                       ("humans", "300,000 years ago")]:
        (content / f"{name}.md").write_text(f"---\ntitle: {name}\ndate: {date}\n---\nText.\n")
    monkeypatch.chdir(tmp_path)
    assert main(["build", "--content", str(content), "--output", str(tmp_path / "site")]) == 0
    data = json.loads((tmp_path / "site" / "timeline.json").read_text(encoding="utf-8"))
    order = [event["unique_id"] for event in data["events"]]
    bare = json.loads(json.dumps(data))
    for event in bare["events"]:
        event.pop("display_date", None)
        for key in ("start_date", "end_date"):
            event.get(key, {}).pop("display_date", None)
    (tmp_path / "bare.json").write_text(json.dumps(bare), encoding="utf-8")
    errors = []
    (tmp_path / "own").mkdir()
    show(page, tmp_path / "own", tmp_path / "bare.json", timelinejs, errors)
    own = own_dates(page)
    assert [slide for slide, _ in slides(page)][1:] == order  # TimelineJS sorts by date: the same order
    assert [own[slug] for slug in order[:6]] == [
        "13.80 billion years ago", "66.0 million years ago", "300.0 thousand years ago",
        "3400 BCE — 3100 BCE", "3250 BCE", "1250 BCE"]
    assert (own["rosetta-decree"], own["cai-lun"], own["champollion"]) == ("196 BCE", "105", "September 27, 1822")
    (tmp_path / "words").mkdir()
    show(page, tmp_path / "words", tmp_path / "site" / "timeline.json", timelinejs, errors)
    words = own_dates(page)
    assert (words["proto-cuneiform"], words["gutenberg-press"], words["big-bang"], words["cai-lun"]) == (
        "c. 3400 BCE – c. 3100 BCE", "c. 1440", "13.8 billion years ago", "AD 105")
    assert errors == []
