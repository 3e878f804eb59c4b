"""search: true (docs/search.md): the build writes a Pagefind index of the event pages into the site,
as part of its one-whole write, by either writer; without Pagefind it stops with a clear error,
exit status 1, and writes nothing; serve serves the index it wrote."""

from __future__ import annotations

import gzip
import json
import re
import sys
from pathlib import Path

import pytest

from chronicle import search
from chronicle.cli import main
from chronicle.config import read_settings
from chronicle.diagnostics import Report
from chronicle.incremental import engine

pytest.importorskip("pagefind", reason="pip install -e '.[search]'")

ENTRY = "---\ntitle: {title}\ndate: 2024-10-{day:02d}\nsources: [https://example.org/{day}]\n---\n{body}\n"


def project(tmp_path: Path, events: int = 3, search_on: bool = True) -> Path:
    content = tmp_path / "content"
    content.mkdir()
    setting = "search: true\n" if search_on else ""
    (content / "_index.md").write_text(f"---\ntitle: Test timeline\n{setting}---\nThe intro.\n")
    for day in range(1, events + 1):
        (content / f"e{day}.md").write_text(ENTRY.format(title=f"Event number {day}", day=day % 28 + 1,
                                                         body=f"Body of event {day}, word{day}."))
    return content


def build(tmp_path: Path, *extra: str) -> int:
    return main(["build", "--content", str(tmp_path / "content"), "--output", str(tmp_path / "out"),
                 "--cache-dir", str(tmp_path / "cache"), *extra])


def indexed_pages(out: Path) -> dict[str, str]:
    """The pages in the index, by URL: the text Pagefind keeps of each (its fragments)."""
    pages = {}
    for fragment in (out / "pagefind" / "fragment").iterdir():
        data = gzip.decompress(fragment.read_bytes())
        record = json.loads(data[data.index(b"{"):])
        pages[record["url"]] = record["content"]
    return pages


@pytest.mark.parametrize("how", [["--no-cache"], [], ["parallel"]])
def test_the_build_writes_an_index_of_the_event_pages_only(tmp_path, monkeypatch, how):
    if how == ["parallel"]:  # the engine's path for a large timeline: written as the workers render
        monkeypatch.setattr(engine, "PARALLEL_EVENTS", 1)
        how = []
    project(tmp_path)
    assert build(tmp_path, *how) == 0
    out = tmp_path / "out"
    entry = json.loads((out / "pagefind" / "pagefind-entry.json").read_text())
    assert entry["languages"]["en"]["page_count"] == 3
    pages = indexed_pages(out)
    assert sorted(pages) == [f"/events/e{day}/index.html" for day in (1, 2, 3)]
    assert "word2" in pages["/events/e2/index.html"]
    assert "Event number 2" in pages["/events/e2/index.html"]
    assert not any("Event number 1" in pages[f"/events/e{d}/index.html"] for d in (2, 3))  # no pager in it
    for name in ("pagefind-component-ui.js", "pagefind-component-ui.css", "pagefind.js"):
        assert (out / "pagefind" / name).is_file()
    html = (out / "index.html").read_text()
    assert 'class="site-search"' in html and "data-pagefind-body" not in html
    assert 'data-pagefind-body' in (out / "events" / "e1" / "index.html").read_text()
    assert not any(p.name.startswith(".chronicle-staging-") for p in tmp_path.iterdir())


def test_an_edit_is_in_the_next_index_and_an_unchanged_build_keeps_it(tmp_path, monkeypatch):
    monkeypatch.setattr(engine, "PARALLEL_EVENTS", 1)
    content = project(tmp_path)
    assert build(tmp_path) == 0
    out = tmp_path / "out"
    before = {p: p.stat().st_ino for p in (out / "pagefind").rglob("*") if p.is_file()}
    assert build(tmp_path) == 0  # nothing changed: output/ is left as it is, index and all
    assert {p: p.stat().st_ino for p in (out / "pagefind").rglob("*") if p.is_file()} == before
    (content / "e2.md").write_text(ENTRY.format(title="Event number 2", day=3, body="Now about a zeppelin."))
    assert build(tmp_path) == 0
    pages = indexed_pages(out)
    assert "zeppelin" in pages["/events/e2/index.html"] and len(pages) == 3
    (content / "_index.md").write_text("---\ntitle: Test timeline\n---\nThe intro.\n")  # search off again
    assert build(tmp_path) == 0
    assert not (out / "pagefind").exists()
    assert 'class="site-search"' not in (out / "index.html").read_text()


def test_without_search_no_index_and_no_box(tmp_path):
    project(tmp_path, search_on=False)
    assert build(tmp_path, "--no-cache") == 0
    assert not (tmp_path / "out" / "pagefind").exists()
    html = (tmp_path / "out" / "events" / "e1" / "index.html").read_text()
    assert "site-search" not in html and "pagefind" not in html


@pytest.fixture
def no_pagefind(monkeypatch):
    """As if Pagefind were not installed: its package cannot be imported."""
    monkeypatch.setitem(sys.modules, "pagefind", None)
    monkeypatch.setitem(sys.modules, "pagefind.service", None)


@pytest.mark.parametrize("how", [["--no-cache"], []])
def test_without_pagefind_the_build_stops_with_how_to_install_it_and_writes_nothing(
        tmp_path, capsys, no_pagefind, how):
    project(tmp_path)
    assert build(tmp_path, *how) == 1
    err = capsys.readouterr().err
    assert re.search(r"_index\.md: error: search: true needs Pagefind, .* pip install 'chronicle-timeline\[search\]'",
                     err), err
    assert "build failed: 1 error" in err
    assert not (tmp_path / "out").exists()


def test_without_pagefind_a_site_built_before_stays_as_it_was(tmp_path, capsys, monkeypatch):
    content = project(tmp_path)
    assert build(tmp_path) == 0
    out = tmp_path / "out"
    before = {p.relative_to(out): p.read_bytes() for p in out.rglob("*") if p.is_file()}
    (content / "e1.md").write_text(ENTRY.format(title="Changed", day=2, body="Changed."))
    monkeypatch.setitem(sys.modules, "pagefind", None)
    monkeypatch.setitem(sys.modules, "pagefind.service", None)
    assert build(tmp_path) == 1
    assert {p.relative_to(out): p.read_bytes() for p in out.rglob("*") if p.is_file()} == before


@pytest.mark.parametrize("writer", ["reference", "engine"])
def test_the_writers_refuse_too_when_pagefind_went_missing_after_the_check(tmp_path, no_pagefind, writer):
    """The writers look for Pagefind themselves (a build run without the command line's check):
    an error of the build, nothing written."""
    from chronicle import pipeline
    from chronicle.config import Options

    project(tmp_path)
    options = Options(content=tmp_path / "content", output=tmp_path / "out", cwd=tmp_path,
                      cache_dir=tmp_path / "cache")
    if writer == "reference":
        result = pipeline.build(options)
    else:
        result = engine.Engine(options).build()
    assert [d.message for d in result.report.errors if "needs Pagefind" in d.message], result.report.items
    assert not (tmp_path / "out").exists()


def test_a_failing_pagefind_fails_the_build_and_keeps_the_site(tmp_path, monkeypatch, capsys):
    project(tmp_path)
    assert build(tmp_path, "--no-cache") == 0
    before = (tmp_path / "out" / "pagefind" / "pagefind-entry.json").read_bytes()

    def broken(folder):
        raise search.SearchError("Pagefind could not index the site: out of disk")

    monkeypatch.setattr(search, "index_site", broken)
    (tmp_path / "content" / "e1.md").write_text(ENTRY.format(title="Changed", day=2, body="Changed."))
    assert build(tmp_path, "--no-cache") == 1
    assert "out of disk" in capsys.readouterr().err
    assert (tmp_path / "out" / "pagefind" / "pagefind-entry.json").read_bytes() == before
    assert "Changed" not in (tmp_path / "out" / "index.html").read_text()


@pytest.mark.parametrize("written, ok", [("true", True), ("false", False), ("yes", "'yes'"), ("1", "1")])
def test_the_setting_is_true_or_false(written, ok):
    report = Report()
    settings = read_settings(Path("content/_index.md"), f"---\nsearch: {written}\n---\n", report)
    if isinstance(ok, str):
        assert [d.message for d in report.errors] == [f"search must be true or false, not {ok}"]
    else:
        assert report.items == [] and settings.search is ok


def test_serve_without_pagefind_does_not_start(tmp_path, no_pagefind):
    import io

    from chronicle.config import Options
    from chronicle.serve import serve

    project(tmp_path)
    options = Options(content=tmp_path / "content", output=tmp_path / "out", cwd=tmp_path)
    err = io.StringIO()
    assert serve(options, port=0, out=io.StringIO(), err=err) == 1
    assert "search: true needs Pagefind" in err.getvalue()
    assert not (tmp_path / "out").exists()


def test_serve_serves_the_index_and_brings_it_up_to_date_once_the_author_pauses(tmp_path):
    """serve: the first build writes output/ with its index, served beside the pages in memory; a
    save is in the preview at once, and in the index once output/ is written again (OutputWriter)."""
    import time

    from test_serve import WAIT, Preview, save

    content = project(tmp_path)
    server = Preview(tmp_path)
    try:
        status, headers, body = server.get("/pagefind/pagefind-entry.json")
        assert status == 200 and json.loads(body)["languages"]["en"]["page_count"] == 3
        assert server.get("/pagefind/pagefind-component-ui.js")[0] == 200
        assert 'class="site-search"' in server.get("/")[2]
        server.listen()
        save(content / "e2.md", ENTRY.format(title="Event number 2", day=3, body="Now about a zeppelin."))
        server.until(lambda page: "zeppelin" in page, "/events/e2/")
        deadline = time.monotonic() + WAIT
        out = tmp_path / "output"
        while "zeppelin" not in indexed_pages(out)["/events/e2/index.html"] or \
                server.get("/pagefind/pagefind-entry.json")[2] != (out / "pagefind" / "pagefind-entry.json").read_text():
            assert time.monotonic() < deadline, "the index was not brought up to date"
            time.sleep(0.1)
        fragments = sorted((out / "pagefind" / "fragment").iterdir())
        assert all(server.get(f"/pagefind/fragment/{f.name}")[0] == 200 for f in fragments)
    finally:
        code, err = server.stop()
    assert code == 0 and "Traceback" not in err, err
