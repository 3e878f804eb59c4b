"""The build cache and the worker processes never show (issue 5, items 4 and 5).

The same content gives the same bytes with and without .chronicle-cache/, cold
or warm, in one process or in workers; a cache that is corrupted, stale,
planted or unusable is ignored, never trusted; `check` adds nothing to it; a
long build shows a counter on a terminal only, and ends with one summary line.
"""

from __future__ import annotations

import contextlib
import errno
import io
import os
import pickle
import pty
import random
import re
import select
import shutil
import sqlite3
import subprocess
import sys
import tracemalloc
import tty
from pathlib import Path
from types import SimpleNamespace
from typing import Callable

import pytest

from chronicle import cli, pages, pipeline as reference, render
from chronicle.incremental import (CACHE_DIR, engine, feeds as engine_feeds, index as engine_index, pages as engine_pages,
                                   store as cache_module, workers, writer as output_module)
from chronicle.diagnostics import Report
from conftest import ROOT

BIG = 250  # events: above engine.PARALLEL_ENTRIES (64) and PARALLEL_EVENTS (200), so workers parse and render
TAGS = ["Diplomacy", "Defence", "Economy", "Energy", "Élections", "Health", "Courts", "Climate", "Sport"]
MONTHS = ["January", "February", "March", "April", "May", "June", "July", "August", "September", "October",
          "November", "December"]
ENV = {**os.environ, "PYTHONDONTWRITEBYTECODE": "1"}


def tree(folder: Path) -> dict[str, bytes]:
    """Map every file below folder, by its path relative to it, to its bytes."""
    return {p.relative_to(folder).as_posix(): p.read_bytes() for p in sorted(folder.rglob("*")) if p.is_file()}


def same_tree(got: Path, expected: dict[str, bytes]) -> None:
    """Assert that a built folder has exactly the expected files and bytes, naming what differs."""
    files = tree(got)
    extra, missing = sorted(files.keys() - expected.keys()), sorted(expected.keys() - files.keys())
    differing = [name for name in expected if name in files and files[name] != expected[name]]
    assert (extra, missing, differing) == ([], [], []), f"{got}: files extra, missing, with other bytes"


def copy_example(content: Path) -> None:
    """Copy the repository's example timeline, without its base_url: a build of it then warns
    once, so that the cache keeps a message to tell again (the tests that spoil it need one)."""
    shutil.copytree(ROOT / "content", content, dirs_exist_ok=True)
    index = content / "_index.md"
    index.write_text("".join(line for line in index.read_text().splitlines(keepends=True)
                             if not line.startswith("base_url:")))


def example(project) -> int:
    """Copy the repository's example timeline into the project; return its number of entries."""
    copy_example(project.content)
    return sum(1 for p in project.content.glob("*.md") if not p.name.startswith("_"))


def generated(project, count: int = BIG) -> int:
    """Write a varied, warning-free timeline of count events (always the same one); return count."""
    rng = random.Random(5)
    project.write("_index.md", """\
        ---
        title: A generated timeline
        description: Many events, to take the paths of a large build.
        base_url: https://example.org/timeline/
        timezone: Europe/Berlin
        year: 2023
        # One page however many events: these tests take the engine's paths for long pages
        # (spliced days and citations), which a timeline past page_events no longer has.
        page_events: 100000
        ---
        Written by *tests/test_cache.py*, [always the same](https://example.org/about).
        """)
    for n in range(count):
        year = 2020 + rng.randrange(5)
        month = rng.randrange(1, 13)
        day = rng.randrange(1, 29)
        kind = n % 7
        if kind == 0:
            date = f"{year}-{month:02d}-{day:02d}"
        elif kind == 1:
            date = f"{year}-{month:02d}-{day:02d}T{rng.randrange(24):02d}:{rng.randrange(60):02d}-04:00"
        elif kind == 2:
            date = f"'{year}-{month:02d}'"  # month precision
        elif kind == 3:
            date = f"{day} {MONTHS[month - 1]} {year}"
        elif kind == 4:
            date = f"'{year}-{month:02d}-{day:02d} {rng.randrange(24):02d}:{rng.randrange(60):02d}'"  # the timezone's
        elif kind == 5:
            date = f"{MONTHS[month - 1][:3]} {day}, {year} {rng.randrange(1, 13)}:{rng.randrange(60):02d} PM"
        else:
            date = f"{day} {MONTHS[month - 1]}"  # the timeline's year
        lines = [f'title: "Event {n}: {rng.choice(["talks", "vote", "report", "ruling", "strike"])} in '
                 f'{rng.choice(["Berlin", "Kyiv", "Seoul", "Lagos", "Lima"])}"', f"date: {date}"]
        if kind == 0 and n % 3 == 0:
            lines.append(f"end: {year}-{month:02d}-{day + rng.randrange(0, 3):02d}")
        if n % 5 == 0:
            lines.append(f"weight: {rng.randrange(-2, 3)}")
        if n % 4 == 1:
            lines.append(f"location: {rng.choice(['Geneva', 'New York', 'Brussels'])}")
        tags = rng.sample(TAGS, rng.randrange(0, 4))
        if tags:
            lines.append(f"tags: [{', '.join(tags)}]")
        lines.append("sources:")
        for s in range(rng.randrange(1, 4)):
            number = rng.randrange(1000)
            if s == 1:
                lines += [f"  - url: https://example.org/{number}", f"    title: Report number {number}",
                          f"    publisher: {rng.choice(['Wire', 'Gazette', 'Herald'])}"]
            else:
                lines.append(f"  - https://example.org/{number}")
        body = (f"What happened on **day {day}**, in *brief*.\n\n"
                f"- first point, with `code` {n}\n- second point, see [the record](https://example.org/r/{n})\n\n"
                f"> A quotation number {rng.randrange(100)}.\n")
        project.entry(f"{year}-{n:03d}-event.md" if n % 2 else f"event-{n:03d}.md", "\n".join(lines), body)
    return count


CONTENTS = {"example": example, "generated": generated}


@pytest.fixture(scope="module")
def example_site(tmp_path_factory) -> tuple[dict[str, bytes], list[str]]:
    """The example built once without a cache: its files and diagnostics, for the tests that spoil a cache."""
    root = tmp_path_factory.mktemp("example-without-cache")
    copy_example(root / "content")
    with pytest.MonkeyPatch.context() as patch, contextlib.redirect_stdout(io.StringIO()), \
            contextlib.redirect_stderr(io.StringIO()) as err:
        patch.chdir(root)
        patch.delenv(cli.WORKERS_VARIABLE, raising=False)
        assert cli.main(["build", "--no-cache"]) == 0
    assert not (root / CACHE_DIR).exists()
    return tree(root / "output"), err.getvalue().splitlines()


def summary(run) -> str:
    """Return the one summary line of a build (on standard output), checking there is only one."""
    lines = run.out.splitlines()
    assert len(lines) == 1 and lines[0].startswith("built "), run.out + run.err
    return lines[0]


def hits(run, n: int, total: int) -> None:
    entries = "entry" if total == 1 else "entries"
    assert f"cache: {n} of {total} {entries})" in summary(run), summary(run)


@pytest.fixture
def ways(monkeypatch):
    """Record how many processes each map of the build used, to prove the workers ran (or not)."""
    used: list[int] = []
    real = workers._usable_workers

    def spy(count, least, wanted=None, method="fork"):
        used.append(real(count, least, wanted, method))
        return used[-1]

    monkeypatch.setattr(workers, "_usable_workers", spy)
    return used


@pytest.fixture(autouse=True)
def few_at_once(monkeypatch):
    """A build run once writes the long files as their parts are made, looked up in the cache a
    thousand at a time: a few at a time here, so that every test takes those steps many times."""
    monkeypatch.setattr(engine_feeds, "_STREAMED", 3)
    monkeypatch.setattr(engine_pages, "_AT_ONCE", 5)
    monkeypatch.setattr(engine_index, "_DAYS_AT_ONCE", 7)


def build(project, monkeypatch, *argv: str, workers_wanted: str | None = None):
    if workers_wanted is None:
        monkeypatch.delenv(cli.WORKERS_VARIABLE, raising=False)
    else:
        monkeypatch.setenv(cli.WORKERS_VARIABLE, workers_wanted)
    run = project.run("build", *argv)
    assert run.code == 0, run.err
    return run


def rows(project) -> dict[bytes, tuple[bytes, bytes]]:
    """Return what the cache file holds: checksum and value by key."""
    with sqlite3.connect(project.root / CACHE_DIR / "cache.sqlite") as db:
        found = {key: (checksum, value) for key, checksum, value in db.execute("SELECT key, sum, value FROM blobs")}
    db.close()
    return found


def stored_entries(project) -> list[tuple]:
    """Return the entries the cache holds, loaded as the cache loads them: each a pair of an event
    and its diagnostics. Its other values are records (output/'s manifest, the build that wrote it)."""
    values = [cache_module.loads(value) for _, value in rows(project).values()]
    return [value for value in values if type(value) is tuple and len(value) == 2]


def fresh(project, monkeypatch) -> tuple[dict[str, bytes], list[str]]:
    """Build the project's content as it is now without the cache; return the files and diagnostics."""
    run = build(project, monkeypatch, "--no-cache", "--output", "fresh")
    files = tree(project.root / "fresh")
    shutil.rmtree(project.root / "fresh")
    return files, run.lines


# 1. Every way gives the same bytes.

@pytest.mark.parametrize("content", CONTENTS)
def test_every_way_of_building_gives_the_same_bytes(project, monkeypatch, ways, content):
    count = CONTENTS[content](project) + 1
    # An entry with warnings: a build from the cache tells them again, the same.
    project.entry("warned.md", "title: Warned\ndate: 2024-01-01\nsorces: [https://example.org/w]")
    cache = project.root / CACHE_DIR
    # The plainest way is the measure: no cache, one process, every page by Builder.render (as serve does).
    with monkeypatch.context() as plain:
        plain.setattr(engine, "PARALLEL_ENTRIES", 10 ** 9)
        plain.setattr(engine, "PARALLEL_EVENTS", 10 ** 9)
        reference = build(project, monkeypatch, "--no-cache", "--output", "plain", workers_wanted="1")
    assert summary(reference).endswith("no cache)")
    assert not cache.exists(), "--no-cache leaves .chronicle-cache/ as it was: absent"
    expected = tree(project.root / "plain")
    assert len(expected) > count
    assert sum("content/warned.md" in line for line in reference.lines) == 1

    def way(output: str, workers_wanted: str | None, found: int | None, forked: list[int] | None = None,
            argv: tuple[str, ...] = ()) -> None:
        """Build into output; check the bytes, the diagnostics, the cache hits and the processes used."""
        ways.clear()
        run = build(project, monkeypatch, "--output", output, *argv, workers_wanted=workers_wanted)
        same_tree(project.root / output, expected)
        assert run.lines == reference.lines, output
        if found is not None:
            hits(run, found, count)
        if forked is not None:
            assert ways == forked, f"{output}: processes used by each map of the build"

    big = content == "generated"
    way("no-cache", None, None, argv=("--no-cache",))
    assert not cache.exists()
    way("cold-one", "1", 0, [1, 1] if big else [1])
    assert (cache / "cache.sqlite").is_file()
    way("warm-two", "2", count, [2] if big else [])  # nothing to parse; two workers render
    shutil.rmtree(cache)
    way("cold-two", "2", 0, [2, 2] if big else [1])  # two workers parse and render, the cache gets their values
    way("warm-one", "1", count, [1] if big else [])
    way("warm-one", "2", count, [])  # again into the same folder: nothing to make again

    # Another process reads what this one wrote, and renders with the cores it finds.
    done = subprocess.run([sys.executable, "-m", "chronicle", "build", "--output", "other"], cwd=project.root,
                          capture_output=True, text=True, env=ENV, timeout=120)
    assert done.returncode == 0, done.stderr
    assert done.stderr.splitlines() == reference.lines
    assert f"cache: {count} of {count} entries)" in done.stdout
    same_tree(project.root / "other", expected)


def watched_rendering(project, monkeypatch):
    """Return the project's timeline, the theme's environment, the timeline's own values, and the
    list every template rendered from now on is named in, in order."""
    builder = engine.Engine(cli.Options(content=project.content))
    timeline, _ = builder.assemble(Report())
    env = builder._theme(reference.theme_for(builder.options))
    made: list[str] = []

    def spy(template, context):
        made.append(template.name)
        return real(template, context)

    real = render._render_template
    for module in (render, pages, engine_pages):
        monkeypatch.setattr(module, "_render_template", spy)
    return timeline, env, render.site_of(timeline), made


def test_a_build_run_once_makes_the_long_files_as_they_are_written(project, monkeypatch):
    """The index, the sources and tag pages and the feeds come as their pieces, each part made when
    the writer asks for it, a few at a time (few_at_once), never all held: a build's memory stays
    flat however long they are. Joined, the pieces are the files serve makes."""
    generated(project, 2 * BIG)
    timeline, env, common, made = watched_rendering(project, monkeypatch)
    assert b"".join(engine_index.render_index(env, timeline, common, joined=False)) == engine_index.render_index(env, timeline, common)
    made.clear()
    pieces = engine_index.render_index(env, timeline, common, joined=False)
    assert next(pieces) and made == ["index.html"]  # the page's head: no day made yet
    assert [next(pieces) for _ in range(engine_index._DAYS_AT_ONCE)] and made.count("day.html") == engine_index._DAYS_AT_ONCE
    tracemalloc.start()
    size = sum(map(len, pieces))  # the rest, each piece let go once counted, as a writer does
    held = tracemalloc.get_traced_memory()[1]
    tracemalloc.stop()
    assert made.count("day.html") == len(timeline.days)
    assert size > 500_000 and held < size / 3, "the index's pieces are let go once written, not kept"

    made.clear()
    files = engine_pages.render_pages(env, timeline, common, {}, joined=False)
    assert set(made) == {"sources.html", "tags.html", "tag.html"}  # the pages' heads and tails, no part
    assert all(not isinstance(data, bytes) for name, data in files.items() if name != "tags/index.html")
    joined = engine_pages.render_pages(env, timeline, common, {})
    assert {name: b"".join(data) if not isinstance(data, bytes) else data for name, data in files.items()} == joined

    made_feeds: list[object] = []
    real_fragments = engine_feeds.event_fragments
    monkeypatch.setattr(engine_feeds, "event_fragments", lambda *a: made_feeds.append(a) or real_fragments(*a))
    plan = engine_feeds.AtomPlan(timeline)
    streamed = engine_feeds.stream_feeds(timeline, None, plan=plan)
    heads = [next(streamed) for _ in range(3)]  # calendar, TimelineJS, sitemap (the Atom feeds: atom_files)
    assert [name for name, _ in heads] == ["calendar.ics", "timeline.json", "sitemap.xml"]
    assert not made_feeds
    heads.append(next(streamed))
    assert len(made_feeds) == engine_feeds._STREAMED
    by_name: dict[str, list[bytes]] = {}
    for name, piece in [*heads, *streamed]:
        by_name.setdefault(name, []).append(piece)
    made = len(made_feeds)
    by_name.update(engine_feeds.atom_files(timeline, None, plan=plan))
    assert len(made_feeds) == made  # the Atom feeds' entries, kept as the stream made them
    assert {name: b"".join(p) for name, p in by_name.items()} == engine_feeds.render_feeds(timeline, None, {})


def test_a_build_run_once_makes_each_tag_and_publisher_page_as_it_is_written(project, monkeypatch):
    """Past page_events, a tag's pages (its overview and a page a period) and the publishers' pages
    are many: a build run once gets each as a piece made when the writer comes to it, not all of
    them made first (100,000 events: a tag's pages are 100 MB). Joined, they are the files serve makes."""
    generated(project, BIG)
    index = project.content / "_index.md"
    index.write_text(index.read_text().replace("page_events: 100000", "page_events: 12"))
    timeline, env, common, made = watched_rendering(project, monkeypatch)
    files = engine_pages.render_pages(env, timeline, common, {}, joined=False)
    later = [name for name, data in files.items() if not isinstance(data, bytes)]
    assert any(name.startswith("tags/") and name.count("/") > 3 for name in later)  # tags/SLUG/2023/05/index.html
    assert any(name.startswith("sources/") for name in later)  # a publisher's pages
    assert "period.html" not in made and pages.PUBLISHER_PAGE not in made and pages.TAG_PAGE not in made
    joined = {name: b"".join(data) if name in later else data for name, data in files.items()}
    assert made.count("period.html") > 10 and pages.PUBLISHER_PAGE in made
    assert joined == engine_pages.render_pages(env, timeline, common, {})


def test_a_pages_job_makes_only_the_half_of_the_catalogue_its_pages_show(project):
    """A worker makes the sources page from the catalogue's sources alone and the tag pages from its
    tags alone; a job asking for the other half in the same process makes that half, keeping the
    first. Either way the pages are those of the whole catalogue."""
    generated(project)
    builder = engine.Engine(cli.Options(content=project.content))
    timeline, _ = builder.assemble(Report())
    env = builder._theme(reference.theme_for(builder.options))
    common = render.site_of(timeline)
    whole = engine_pages.render_pages(env, timeline, common, {})
    store: dict[str, object] = {}
    sources = engine_pages.render_pages(env, timeline, common, store, tags=False, tag_pages=False)
    cited = store["catalogue of sources"]
    assert list(sources) == [pages.SOURCES_NAME] and "catalogue of tags" not in store
    assert cited.publishers and cited.tags == ()
    tag_pages = engine_pages.render_pages(env, timeline, common, store, sources=False)
    assert store["catalogue of sources"] is cited and store["catalogue of tags"].publishers == ()
    assert store["catalogue of tags"].tags
    assert {**sources, **tag_pages} == whole


def test_a_no_cache_build_leaves_the_cache_as_it_was(project, monkeypatch):
    count = example(project)
    build(project, monkeypatch)
    before = rows(project)
    project.write("2024-10-28-pentagon-no-new-limits.md",
                  (project.content / "2024-10-28-pentagon-no-new-limits.md").read_text().replace("Pentagon:", "DoD:"),
                  dedent=False)
    build(project, monkeypatch, "--no-cache")
    assert rows(project) == before
    assert len(stored_entries(project)) == count


# 2 and 3. An edit is seen; nothing stale is reused.

def test_one_edited_entry_is_read_again_and_the_rest_come_from_the_cache(project, monkeypatch):
    """Its title, and also its date and tags: it moves to another day, between other neighbours,
    onto another tag's page; every page that shows it or them is made again, in the same output/."""
    count = generated(project)
    build(project, monkeypatch)
    entry = project.content / "event-100.md"
    text = entry.read_text()
    assert 'title: "Event 100:' in text and "date: '2022-01'\n" in text and "tags:" not in text
    entry.write_text(text.replace('title: "Event 100:', 'title: "Event 100, edited:')
                     .replace("date: '2022-01'\n", "date: 2021-06-15T10:00:00+02:00\ntags: [Sport]\n"))
    edited = build(project, monkeypatch)
    expected, lines = fresh(project, monkeypatch)
    assert b"Event 100, edited:" in expected["events/event-100/index.html"]
    assert b"Event 100, edited:" in expected["tags/sport/index.html"]
    same_tree(project.root / "output", expected)
    assert edited.lines == lines
    hits(edited, count - 1, count)
    # The next build finds the edited entry in the cache too, and leaves output/ as it is.
    hits(build(project, monkeypatch), count, count)
    same_tree(project.root / "output", expected)


def test_a_changed_setting_reads_every_entry_again(project, monkeypatch):
    count = generated(project, 100)  # enough for workers to parse them again
    build(project, monkeypatch)
    index = project.content / "_index.md"
    # The year and the timezone change the events themselves (dates without a year or a zone).
    index.write_text(index.read_text().replace("title: A generated timeline", "title: Another title")
                     .replace("year: 2023", "year: 2019").replace("Europe/Berlin", "Asia/Seoul"))
    changed = build(project, monkeypatch)
    expected, lines = fresh(project, monkeypatch)
    assert b"Another title" in expected["index.html"]
    same_tree(project.root / "output", expected)
    assert changed.lines == lines
    hits(changed, 0, count)


def test_an_entry_moved_to_another_name_is_not_the_cached_one(project, monkeypatch):
    """The file name gives the slug and, for undated entries, the date: the path is part of the key."""
    example(project)
    build(project, monkeypatch)
    old = project.content / "2024-10-28-pentagon-no-new-limits.md"
    text = old.read_text().replace("date: 28 October 2024\n", "")
    old.write_text(text)
    build(project, monkeypatch)
    old.rename(project.content / "2024-10-30-pentagon-no-new-limits-again.md")
    moved = build(project, monkeypatch)
    expected, lines = fresh(project, monkeypatch)
    assert b'datetime="2024-10-30"' in expected["events/2024-10-30-pentagon-no-new-limits-again/index.html"]
    same_tree(project.root / "output", expected)
    assert moved.lines == lines


def test_files_in_output_that_no_build_made_are_gone_and_changed_ones_are_made_again(project, monkeypatch):
    """A warm build into the same output/ gives the bytes of a build from scratch, whatever was done
    to output/ since: a file added, a page changed, one deleted (a build from scratch drops them)."""
    generated(project, engine.PARALLEL_EVENTS)  # the smallest timeline whose files are kept between builds
    build(project, monkeypatch)
    output = project.root / "output"
    (output / "stray.html").write_text("no build made this\n")
    index = (output / "index.html").read_bytes()
    (output / "index.html").write_bytes(index.replace(b"<main", b"<MAIN"))  # as long as before
    (output / "events" / "event-010" / "index.html").unlink()
    with open(output / "events" / "event-012" / "index.html", "ab") as page:
        page.write(b"<!-- changed -->")
    for n in (20, 40):  # two builds that each read one entry again
        entry = project.content / f"event-{n:03d}.md"
        entry.write_text(entry.read_text().replace(f'title: "Event {n}:', f'title: "Event {n}, edited:'))
        build(project, monkeypatch)
    expected, _ = fresh(project, monkeypatch)
    same_tree(output, expected)


# The quick look: a build whose inputs are all as the last build read them leaves output/ alone.

def signatures(folder: Path) -> dict[str, tuple[int, int]]:
    """Each file's inode and mtime: what a build that did not touch folder leaves as it was."""
    return {p.relative_to(folder).as_posix(): (p.stat().st_ino, p.stat().st_mtime_ns)
            for p in sorted(folder.rglob("*")) if p.is_file()}


def no_assembling(monkeypatch) -> None:
    """Make reading the content fail: a build that passes did not read a single entry."""
    def refused(*args, **kwargs):
        raise AssertionError("the build read the content although nothing changed")
    monkeypatch.setattr(engine.Engine, "assemble", refused)


SMALL = 40  # events: below engine.PARALLEL_EVENTS, so rendered in the build's own process


@pytest.mark.parametrize("size", [SMALL, BIG])
def test_nothing_changed_reads_nothing_and_tells_the_same(project, monkeypatch, size):
    count = generated(project, size) + 1
    project.entry("warned.md", "title: Warned\ndate: 2024-01-01\nsorces: [https://example.org/w]")
    first = build(project, monkeypatch)
    output = project.root / "output"
    before, files = signatures(output), tree(output)
    with monkeypatch.context() as patch:
        no_assembling(patch)
        again = build(project, monkeypatch)
    assert again.lines == first.lines and sum("warned.md" in line for line in again.lines) == 1
    assert summary(again).split(" in ")[0] == summary(first).split(" in ")[0]  # the same events and pages
    hits(again, count, count)
    assert signatures(output) == before and tree(output) == files


@pytest.mark.parametrize("size", [SMALL, BIG])
@pytest.mark.parametrize("change", ["entry", "added", "removed", "theme", "option", "settings", "media", "output",
                                    "stray"])
def test_any_changed_input_or_output_file_is_a_full_build(project, monkeypatch, change, size):
    generated(project, size)
    media_file = project.content / "files" / "2024" / "notes.txt"  # any file below content/ that is not an entry
    media_file.parent.mkdir(parents=True)
    media_file.write_text("as first written\n")
    if change == "theme":
        shutil.copytree(render.default_theme(), project.root / "theme")
    build(project, monkeypatch)
    argv: tuple[str, ...] = ()
    output = project.root / "output"
    if change == "entry":
        entry = project.content / "event-010.md"
        entry.write_text(entry.read_text().replace('title: "Event 10:', 'title: "Event 10, edited:'))
    elif change == "added":
        project.entry("late.md", "title: Late\ndate: 2024-02-02\nsources: [https://example.org/late]")
    elif change == "removed":
        (project.content / "event-012.md").unlink()
    elif change == "theme":
        day = project.root / "theme" / "templates" / "day.html"
        day.write_text(day.read_text() + "<!-- a theme of one's own -->\n")
    elif change == "option":
        argv = ("--base-url", "https://example.org/elsewhere/")
    elif change == "settings":
        index = project.content / "_index.md"
        index.write_text(index.read_text().replace("title: A generated timeline", "title: Retitled"))
    elif change == "media":
        media_file.write_text("as written again, longer\n")
    elif change == "output":
        (output / "tags" / "sport" / "index.html").unlink()
    else:  # a file no build made: a build from scratch has none, so neither may this one
        (output / "events" / "stray.html").write_text("put here by hand\n")
    with monkeypatch.context() as patch:
        calls: list[int] = []
        real = engine.Engine.assemble
        patch.setattr(engine.Engine, "assemble", lambda self, *a, **k: calls.append(1) or real(self, *a, **k))
        build(project, monkeypatch, *argv)
    assert calls == [1]
    expected, _ = fresh(project, monkeypatch) if not argv else (None, None)
    if expected is None:
        run = build(project, monkeypatch, "--no-cache", "--output", "fresh", *argv)
        assert run.code == 0
        expected = tree(project.root / "fresh")
    same_tree(output, expected)


def test_a_changed_static_file_is_copied_alone(project, monkeypatch):
    """A theme's static files are linked to, not shown, by the pages: one changed, added or removed
    (a style sheet being worked on) is copied or removed alone, every page kept as it is."""
    generated(project)
    theme = project.root / "theme"
    shutil.copytree(render.default_theme(), theme)
    build(project, monkeypatch)
    output = project.root / "output"
    kept = ["index.html", "feed.xml", "sources/index.html", "events/event-010/index.html"]
    before = {name: (output / name).stat().st_ino for name in kept}
    style = theme / "static" / "chronicle.css"
    steps = [lambda: style.write_text(style.read_text() + "\n.day { outline: 1px solid; }\n"),
             lambda: (theme / "static" / "print.css").write_text("@media print { .skip { display: none } }\n"),
             lambda: (theme / "static" / "print.css").unlink()]
    for step in steps:
        step()
        with monkeypatch.context() as patch:
            no_rendering(patch)
            build(project, monkeypatch)
        expected, _ = fresh(project, monkeypatch)
        same_tree(output, expected)
        assert {name: (output / name).stat().st_ino for name in kept} == before
    assert b"outline: 1px solid" in (output / "static" / "chronicle.css").read_bytes()


def test_serve_renders_nothing_again_for_a_changed_static_file(project, monkeypatch):
    generated(project, SMALL)
    theme = project.root / "theme"
    shutil.copytree(render.default_theme(), theme)
    monkeypatch.chdir(project.root)
    builder = engine.Engine(cli.Options(content=Path("content")))
    builder.build(write=False)
    style = theme / "static" / "chronicle.css"
    style.write_text(style.read_text() + "\n.day { outline: 1px solid; }\n")
    with monkeypatch.context() as patch:
        no_rendering(patch)
        again = builder.build(write=False)
    assert again.files == engine.Engine(cli.Options(content=Path("content"))).build(write=False).files
    assert b"outline: 1px solid" in again.files["static/chronicle.css"]
    day = theme / "templates" / "day.html"
    day.write_text(day.read_text() + "<!-- a theme of one's own -->\n")
    rendered = builder.build(write=False)  # a template changed: every page made again
    assert rendered.files["index.html"].count(b"a theme of one's own") == len(rendered.timeline.days)


def no_rendering(patch) -> None:
    """Make any template rendered fail the build (in this process and in workers forked from it)."""
    def refuse(template, context):
        raise AssertionError(f"{template.name} rendered")
    patch.setattr(render, "_render_template", refuse)
    patch.setattr(pages, "_render_template", refuse)
    patch.setattr(engine_pages, "_render_template", refuse)


def opened_by_the_look(monkeypatch) -> list[str]:
    """Record the entries the quick look reads (the build's own reads go through read_text)."""
    opened: list[str] = []
    monkeypatch.setattr(engine, "open", lambda path, *a, **k: opened.append(path) or open(path, *a, **k),
                        raising=False)
    return opened


def test_the_look_reads_only_the_entries_changed_since_it_last_saw_them(project, monkeypatch):
    """An entry whose lstat (times, size, inode) is as the last look recorded is keyed as then,
    unread; an entry changed too recently to be sure of its times is not recorded, so is read."""
    count = generated(project)
    opened = opened_by_the_look(monkeypatch)
    build(project, monkeypatch)
    build(project, monkeypatch)  # the files were written just now: none has settled, each is read
    assert len(opened) == 2 * count and len(set(opened)) == count
    monkeypatch.setattr(engine, "_SETTLED_NS", 0)  # as if they had been written long ago
    build(project, monkeypatch)
    del opened[:]
    hits(build(project, monkeypatch), count, count)
    assert opened == []
    entry = project.content / "event-010.md"
    text = entry.read_text()
    entry.write_text(text.replace('title: "Event 10:', 'title: "Event 10, edited:'))
    build(project, monkeypatch)
    assert opened == ["content/event-010.md"]
    expected, _ = fresh(project, monkeypatch)
    same_tree(project.root / "output", expected)
    # The same size and the same mtime, put back by hand: the change time still tells.
    stat = entry.stat()
    entry.write_text(text.replace('title: "Event 10:', 'title: "Event 10, EDITED:'))
    os.utime(entry, ns=(stat.st_atime_ns, stat.st_mtime_ns))
    assert (entry.stat().st_size, entry.stat().st_mtime_ns, entry.stat().st_ino) == (stat.st_size, stat.st_mtime_ns,
                                                                                   stat.st_ino)
    del opened[:]
    build(project, monkeypatch)
    assert opened == ["content/event-010.md"]
    assert b"Event 10, EDITED:" in (project.root / "output" / "index.html").read_bytes()
    expected, _ = fresh(project, monkeypatch)
    same_tree(project.root / "output", expected)


@pytest.mark.parametrize("setting", ["timezone: Asia/Seoul", "year: 2019", "date_order: MDY"])
def test_a_look_record_made_with_other_settings_is_not_used(project, monkeypatch, setting):
    """The entries' keys depend on the settings their dates are read with (entries.EntryRules):
    a record made before one of those changed is not read."""
    count = generated(project)
    monkeypatch.setattr(engine, "_SETTLED_NS", 0)
    build(project, monkeypatch)
    index = project.content / "_index.md"
    name = setting.split(":")[0]
    text = index.read_text()
    text = re.sub(rf"^{name}: .*$", setting, text, flags=re.M) if f"\n{name}:" in text else \
        text.replace("\n---\n", f"\n{setting}\n---\n", 1)  # the closing line of the front matter
    assert setting in text
    index.write_text(text)
    opened = opened_by_the_look(monkeypatch)
    build(project, monkeypatch)
    assert len(opened) == count
    expected, _ = fresh(project, monkeypatch)
    same_tree(project.root / "output", expected)


@pytest.mark.parametrize("count", [SMALL, BIG])
def test_settings_no_entry_depends_on_read_no_entry_again(project, monkeypatch, count):
    """A new title, description, intro, base URL, language or order in _index.md changes pages, not
    events: every entry comes from the cache (the look opens none), and the site is a fresh build's."""
    generated(project, count)
    monkeypatch.setattr(engine, "_SETTLED_NS", 0)
    build(project, monkeypatch)
    index = project.content / "_index.md"
    index.write_text(index.read_text().replace("title: A generated timeline", "title: Retitled")
                     .replace("description: Many", "description: So many")
                     .replace("https://example.org/timeline/", "https://example.net/")
                     .replace("year: 2023", "year: 2023\nlanguage: en-GB\nsort: newest-first")
                     .replace("always the same", "never changed"))
    opened = opened_by_the_look(monkeypatch)
    retitled = build(project, monkeypatch)
    assert opened == []
    hits(retitled, count, count)
    expected, lines = fresh(project, monkeypatch)
    assert b"Retitled" in expected["index.html"] and b"never changed" in expected["index.html"]
    same_tree(project.root / "output", expected)
    assert retitled.lines == lines


def test_serve_reads_entries_again_only_for_the_settings_they_depend_on(project):
    """serve's builder keeps its entries in memory: a new title or base URL keeps them all, a new
    timezone reads them all again (their dates move); each time the site is a fresh builder's (a
    time given with its offset is shown in the new timezone in every file, the feeds included)."""
    generated(project, SMALL)
    builder = engine.Engine(cli.Options(content=project.content))
    first = builder.build(write=False)
    assert len(first.changed) == SMALL
    index = project.content / "_index.md"
    for old, new, read in [("title: A generated timeline", "title: Retitled", 0),
                           ("timezone: Europe/Berlin", "timezone: Asia/Seoul", SMALL),
                           ("https://example.org/timeline/", "https://example.net/", 0)]:
        index.write_text(index.read_text().replace(old, new))
        again = builder.build(write=False)
        assert len(again.changed) == read
        assert again.files == engine.Engine(cli.Options(content=project.content)).build(write=False).files


def test_an_edit_remakes_the_tag_pages_of_its_event_and_links_the_others(project, monkeypatch):
    """A tag page is kept while its tag's events and the timeline's own values are; the tag pages
    of an edited event are made again, and a tag it is given gets its page, as a fresh build has."""
    generated(project)
    build(project, monkeypatch)
    output = project.root / "output"
    tagged = {path: re.search(r"^tags: \[(.*)\]$", path.read_text(), re.M) for path in project.content.glob("event-*.md")}
    entry, tags = next((path, found.group(1).split(", ")) for path, found in sorted(tagged.items())
                       if found and "Sport" not in found.group(1))
    text = entry.read_text()
    number = int(entry.stem.split("-")[1])
    slug = {"Élections": "elections"}
    pages = {tag: output / "tags" / slug.get(tag, tag.lower()) / "index.html" for tag in TAGS}
    before = {tag: page.stat().st_ino for tag, page in pages.items()}
    entry.write_text(text.replace(f'title: "Event {number}:', f'title: "Event {number}, edited:'))
    build(project, monkeypatch)
    expected, _ = fresh(project, monkeypatch)
    same_tree(output, expected)
    after = {tag: page.stat().st_ino for tag, page in pages.items()}
    assert sorted(tag for tag in TAGS if after[tag] != before[tag]) == sorted(tags)
    entry.write_text(text.replace("tags: [", "tags: [Sport, "))
    build(project, monkeypatch)
    expected, _ = fresh(project, monkeypatch)
    same_tree(output, expected)
    assert f"Event {number}:".encode() in pages["Sport"].read_bytes()


def test_an_edit_of_a_split_timeline_remakes_only_the_pages_that_show_its_event(project, monkeypatch):
    """Past page_events, every period page, tag period page and publisher page is kept while what it
    is given is the same: one edited title makes again the pages listing its event (and the pages of
    periods above them, which count it), and links every other from output/ as it is."""
    generated(project)
    index = project.content / "_index.md"
    index.write_text(index.read_text().replace("page_events: 100000", "page_events: 12"))
    build(project, monkeypatch)
    output = project.root / "output"
    entry = sorted(project.content.glob("event-*.md"))[7]
    text = entry.read_text()
    number = int(entry.stem.split("-")[1])
    url = f"events/{entry.stem}/".encode()
    before = {name: ((output / name).stat().st_ino, data) for name, data in tree(output).items()}
    entry.write_text(text.replace(f'title: "Event {number}:', f'title: "Event {number}, edited:'))
    build(project, monkeypatch)
    expected, _ = fresh(project, monkeypatch)
    same_tree(output, expected)
    whole = {"index.html", "tags/index.html", "sources/index.html"}
    remade, kept = [], []
    for name, (inode, data) in before.items():
        if not name.endswith("index.html") or name.startswith("events/") or name in whole:
            continue
        shows = url in data or b'class="periods"' in data  # its event, or counts of periods holding it
        if shows:
            remade.append(name) if (output / name).stat().st_ino != inode else None
        else:
            kept.append(name)
            assert (output / name).stat().st_ino == inode, f"{name} was made again"
    assert any(name.startswith("sources/publisher-") for name in kept) and \
        any(name.startswith("tags/") for name in kept) and any(name[0].isdigit() for name in kept)
    assert any(name.startswith("sources/publisher-") for name in remade) and any(name[0].isdigit() for name in remade)
    # Pages taken out of output/ by hand, nothing else changed: made again, and only they.
    gone = [kept[0], next(name for name in kept if name.startswith("sources/publisher-")),
            next(name for name in kept if name.startswith("tags/"))]
    others = {name: (output / name).stat().st_ino for name in kept if name not in gone}
    for name in gone:
        (output / name).unlink()
    build(project, monkeypatch)
    same_tree(output, expected)
    assert {name: (output / name).stat().st_ino for name in others} == others


# The long files of an edited timeline are spliced: unchanged parts copied from output/'s files.

LONG_FILES = ["index.html", "feed.xml", "calendar.ics", "timeline.json", "sitemap.xml", "sources/index.html"]


def spliced(monkeypatch) -> tuple[list[bytes], list[int]]:
    """Record the keys looked up in the cache by the long files' makers, and each range of bytes
    copied from a file of output/."""
    looked: list[bytes] = []
    copied: list[int] = []
    get, copy = cache_module.Fragments._get, output_module._copy_range
    monkeypatch.setattr(cache_module.Fragments, "_get", lambda self, keys, *a: looked.extend(keys) or get(self, keys, *a))
    monkeypatch.setattr(output_module, "_copy_range", lambda *a: copied.append(a[-1]) or copy(*a))
    return looked, copied


def test_an_edit_copies_the_unchanged_parts_of_the_long_files_from_output(project, monkeypatch):
    count = generated(project)
    build(project, monkeypatch)
    entry = project.content / "event-006.md"  # tagged Diplomacy, Courts, Economy
    assert "tags: [" in entry.read_text()
    entry.write_text(entry.read_text().replace('title: "Event 6:', 'title: "Event 6, edited:'))
    looked, copied = spliced(monkeypatch)
    build(project, monkeypatch, workers_wanted="1")  # in this process, where the spies are
    output = project.root / "output"
    expected, _ = fresh(project, monkeypatch)
    same_tree(output, expected)
    # Its day, its citations, its feeds' share and the tag pages' days that show it, and each
    # long file's layout (each tag's feed has one): a few keys, where a build that does not splice
    # looks up every part.
    assert 0 < len(looked) < 30 + len(TAGS) < count
    tag_pages = [name for name, data in expected.items() if name.startswith("tags/") and b"Event 6, edited:" in data]
    assert tag_pages and "tags/index.html" not in tag_pages
    size = sum(len(expected[name]) for name in LONG_FILES + tag_pages)
    assert sum(copied) > 0.9 * size  # the rest: heads, tails, and the parts that show the edit
    # Spliced from files that were spliced themselves: their layouts place every part.
    entry = project.content / "event-020.md"
    entry.write_text(entry.read_text().replace('title: "Event 20:', 'title: "Event 20, edited:'))
    del looked[:], copied[:]
    build(project, monkeypatch, workers_wanted="1")
    expected, _ = fresh(project, monkeypatch)
    same_tree(output, expected)
    assert 0 < len(looked) < 30 + len(TAGS) and sum(copied) > 0.9 * size


@pytest.mark.parametrize("way", ["copy_file_range", "read and write"])
def test_a_long_file_is_written_from_its_pieces_some_copied_from_the_file_before(tmp_path, monkeypatch, way):
    if way == "read and write":  # another system, or files on two file systems
        def refused(*args):
            raise OSError(errno.EXDEV, "Invalid cross-device link")
        monkeypatch.setattr(os, "copy_file_range", refused)
    one, two, three, four = (bytes([n]) * cache_module.DIGEST_SIZE for n in (1, 2, 3, 4))
    Part = output_module.Part
    before = output_module.put_file(tmp_path, "old/long.html", iter(
        [b"<head>", Part(one, b"one"), b"|", Part(two, b"two"), Part(three, b"three"), b"<tail>"]))
    previous = before.previous(tmp_path / "old" / "long.html", cache_module.DIGEST_SIZE)
    # Looked for from the last part found on: one is behind two, four is in no place.
    assert [previous.find(key) for key in (two, one, three, four)] == [1, None, 2, None]
    assert previous.span(1) == (10, 3)
    after = output_module.put_file(tmp_path, "new/long.html", iter(
        [b"<HEAD>", Part(two, None, 1), Part(three, None, 2), Part(one, b"ONE"), Part(two, None, 1), b"<TAIL>"]),
        previous)
    assert (tmp_path / "new" / "long.html").read_bytes() == b"<HEAD>twothreeONEtwo<TAIL>"
    placed = after.previous(tmp_path / "new" / "long.html", cache_module.DIGEST_SIZE)
    assert [placed.find(key) for key in (two, three, one)] == [0, 1, 2]
    assert [placed.span(place) for place in (0, 1, 2, 3)] == [(6, 3), (9, 5), (14, 3), (17, 3)]
    os.utime(tmp_path / "new" / "long.html", ns=(0, 0))  # touched since: no longer the file written
    assert after.previous(tmp_path / "new" / "long.html", cache_module.DIGEST_SIZE) is None


def test_a_part_is_found_in_the_file_before_only_at_a_key_of_its_own(tmp_path):
    """Keys are looked for in the joined keys of the layout: a match across two keys is none."""
    size = cache_module.DIGEST_SIZE
    first, second = bytes(range(size)), bytes(range(100, 100 + size))
    straddling = first[size // 2:] + second[:size // 2]
    layout = output_module.put_file(tmp_path, "long.html", iter(
        [output_module.Part(first, b"a"), output_module.Part(second, b"b")]))
    previous = layout.previous(tmp_path / "long.html", size)
    assert previous.find(straddling) is None and previous.find(second) == 1


def test_a_long_file_changed_in_output_is_not_spliced_from(project, monkeypatch):
    """Its layout names ranges of the file as it was written: a file with another signature since
    (here: bytes overwritten in place, the same size and inode) is made from the cache instead."""
    generated(project)
    build(project, monkeypatch)
    index = project.root / "output" / "index.html"
    middle = index.stat().st_size // 2
    with open(index, "r+b") as file:
        file.seek(middle)
        file.write(b"<!-- by hand -->")
    entry = project.content / "event-010.md"
    entry.write_text(entry.read_text().replace('title: "Event 10:', 'title: "Event 10, edited:'))
    looked, copied = spliced(monkeypatch)
    build(project, monkeypatch, workers_wanted="1")
    expected, _ = fresh(project, monkeypatch)
    same_tree(project.root / "output", expected)
    assert copied and len(looked) > 30  # the other long files were spliced; the index's days looked up


def test_output_written_by_another_build_is_not_taken_for_the_recorded_one(project, monkeypatch):
    """Built from A with the cache; from B without it (the record still says A); back to A: the
    files of output/ are B's, so the quick look must not vouch for them."""
    generated(project)
    build(project, monkeypatch)
    entry = project.content / "event-020.md"
    text = entry.read_text()
    entry.write_text(text.replace('title: "Event 20:', 'title: "Event 20, B:'))
    build(project, monkeypatch, "--no-cache")
    assert b"Event 20, B:" in (project.root / "output" / "index.html").read_bytes()
    entry.write_text(text)
    build(project, monkeypatch)
    expected, _ = fresh(project, monkeypatch)
    assert b"Event 20, B:" not in expected["index.html"]
    same_tree(project.root / "output", expected)


def test_an_entry_that_is_no_longer_utf8_fails_the_build_and_keeps_output(project, monkeypatch):
    generated(project)
    build(project, monkeypatch)
    output = project.root / "output"
    before = tree(output)
    (project.content / "event-030.md").write_bytes(b"---\ntitle: caf\xe9\n---\n")
    run = project.run("build")
    assert run.code == 1
    assert any(line.startswith("content/event-030.md:2: error: is not UTF-8") for line in run.lines), run.lines
    assert tree(output) == before


# 4 and 5. A corrupted, forged or planted cache is never trusted.

def corrupt_garbage(path: Path) -> None:
    path.write_bytes(b"this is not a database\n" * 500)


def corrupt_truncated(path: Path) -> None:
    data = path.read_bytes()
    path.write_bytes(data[: len(data) // 2])


def corrupt_values(path: Path, change: Callable[[bytes, bytes], tuple[object, object]]) -> None:
    """Replace every stored value and checksum by change(value, checksum)."""
    with sqlite3.connect(path) as db:
        for key, checksum, value in list(db.execute("SELECT key, sum, value FROM blobs")):
            new_value, new_sum = change(value, checksum)
            db.execute("UPDATE blobs SET value = ?, sum = ? WHERE key = ?", (new_value, new_sum, key))
    db.close()


checksum = cache_module.checksum


def still_a_pickle(value: bytes, old: bytes) -> tuple[bytes, bytes]:
    """Change every source link inside a stored event (in a record of output/: every page's name, or
    every path a message names; in a media file's: its drawing), keeping a pickle that loads; keep the
    old checksum."""
    # As long as before: the pickle's lengths still hold.
    was, now = next((was, now) for was, now in ((b"https://", b"hxxps://"), (b".html", b".htmx"),
                                                (b"content/", b"kontent/"), (b"<svg", b"<svG")) if was in value)
    changed = value.replace(was, now)
    assert changed != value and pickle.loads(changed)  # only the checksum can tell
    return changed, old


def a_pickle_of(something) -> Callable[[bytes, bytes], tuple[bytes, bytes]]:
    """Return a change that stores a pickle of something, with its right checksum."""
    data = pickle.dumps(something)
    return lambda value, old: (data, checksum(data))


CORRUPTIONS = {
    "garbage file": corrupt_garbage,
    "truncated to half": corrupt_truncated,
    "a changed byte, old checksum": lambda path: corrupt_values(path, still_a_pickle),
    "null value and checksum": lambda path: corrupt_values(path, lambda value, old: (None, None)),
    "value stored as text": lambda path: corrupt_values(path, lambda value, old: (value.hex(), old)),
    "truncated pickle, new checksum": lambda path: corrupt_values(
        path, lambda value, old: (value[: len(value) // 2], checksum(value[: len(value) // 2]))),
    "a pickle of a string, new checksum": lambda path: corrupt_values(path, a_pickle_of("not an event")),
    "a pickle of a pair of strings, new checksum": lambda path: corrupt_values(
        path, a_pickle_of(("not an event", ["not a diagnostic"]))),
}


@pytest.mark.parametrize("corruption", CORRUPTIONS)
def test_a_corrupted_cache_is_ignored(project, monkeypatch, example_site, corruption):
    count = example(project)
    expected, lines = example_site
    build(project, monkeypatch)
    database = project.root / CACHE_DIR / "cache.sqlite"
    assert len(stored_entries(project)) == count
    CORRUPTIONS[corruption](database)
    run = project.run("build")
    assert run.code == 0, run.err
    assert run.lines == lines
    same_tree(project.root / "output", expected)
    # Nothing bad was counted as a hit, and what the build read anew took the bad values' place.
    if corruption in ("garbage file", "truncated to half") and "cache unusable" in summary(run):
        return  # a file that is no database: this build ran without a cache (the next test: not for good)
    hits(run, 0, count)
    values = [cache_module.loads(value) for _, value in rows(project).values()]  # every one loads
    assert all(type(value) in (tuple, dict) for value in values), "a bad value was left in the cache"
    assert sorted(type(event).__name__ for event, _ in stored_entries(project)) == ["Event"] * count


def test_a_corrupted_cache_is_mended_by_the_next_build(project, monkeypatch):
    """A broken file is started anew, so that a cache spoilt once is not spoilt for good."""
    count = example(project)
    build(project, monkeypatch)
    corrupt_truncated(project.root / CACHE_DIR / "cache.sqlite")
    build(project, monkeypatch)
    hits(build(project, monkeypatch), count, count)


def test_a_cache_of_another_version_of_chronicle_is_not_used(project, monkeypatch, example_site):
    count = example(project)
    expected, lines = example_site
    build(project, monkeypatch)
    monkeypatch.setattr(cache_module, "code_version", lambda: b"another release of chronicle")
    run = build(project, monkeypatch)
    hits(run, 0, count)
    assert run.lines == lines
    same_tree(project.root / "output", expected)


@pytest.mark.parametrize("table, row", [("blobs (key BLOB PRIMARY KEY, value BLOB)", "x'00', x'00'"),
                                        ("blobs (key BLOB PRIMARY KEY, sum BLOB, value BLOB) WITHOUT ROWID",
                                         "x'00', x'00', x'00'")])
def test_a_cache_of_another_layout_is_started_anew(project, monkeypatch, example_site, table, row):
    """A cache.sqlite written by another version (a table of other columns; the table without
    rowids of Chronicle before schema 3, slower to read) is replaced, not left unusable or slow
    for every build to come."""
    count = example(project)
    expected, lines = example_site
    (project.root / CACHE_DIR).mkdir()
    cache_file = project.root / CACHE_DIR / "cache.sqlite"
    with sqlite3.connect(cache_file) as db:
        db.execute(f"CREATE TABLE {table}")
        db.execute(f"INSERT INTO blobs VALUES ({row})")
    db.close()
    run = build(project, monkeypatch)
    assert run.lines == lines
    same_tree(project.root / "output", expected)
    hits(build(project, monkeypatch, "--output", "again"), count, count)
    same_tree(project.root / "again", expected)
    with contextlib.closing(sqlite3.connect(cache_file)) as db:
        (made,) = db.execute("SELECT sql FROM sqlite_master WHERE name = 'blobs'").fetchone()
        assert made == "CREATE TABLE blobs (key BLOB PRIMARY KEY, sum BLOB, value BLOB)"
        assert db.execute("SELECT count(*) FROM blobs WHERE key = x'00'").fetchone() == (0,)


class Planted:
    """A pickle that calls function(argument) when loaded by an unpickler that allows it."""

    def __init__(self, function, argument: str):
        self.function, self.argument = function, argument

    def __reduce__(self):
        return self.function, (self.argument,)


def through_getattr(code: str) -> bytes:
    """Return a pickle that reaches eval with only getattr and a type the cache allows:
    getattr(_event, '__globals__').get('__builtins__').get('eval')(code)."""
    def call_getattr(owner: bytes, name: str, memo: int) -> bytes:
        return b"cbuiltins\ngetattr\n(" + owner + f"V{name}\ntRp{memo}\n0".encode()

    return (call_getattr(b"cchronicle.model\n_event\n", "__globals__", 0)
            + call_getattr(b"g0\n", "get", 1) + b"g1\n(V__builtins__\ntRp2\n0"
            + call_getattr(b"g2\n", "get", 3) + b"g3\n(Veval\ntRp4\n0"
            + b"g4\n(V" + code.encode("raw_unicode_escape") + b"\ntR.")


def planted(kind: str, marker: Path) -> bytes:
    """Return a pickle of the kind named that, loaded by pickle.loads, creates the marker file."""
    touch = f"open({str(marker)!r}, 'w').close()"
    return {
        "os.system": lambda: pickle.dumps(Planted(os.system, f"touch '{marker}'")),
        "os.system inside an entry's pair": lambda: pickle.dumps((Planted(os.system, f"touch '{marker}'"), [])),
        "eval": lambda: pickle.dumps(Planted(eval, touch)),
        "eval through getattr": lambda: through_getattr(touch),
    }[kind]()


PLANTED = ["os.system", "os.system inside an entry's pair", "eval", "eval through getattr"]


@pytest.mark.parametrize("kind", PLANTED)
def test_a_planted_pickle_would_run_code(tmp_path, kind):
    """The premise of the next test: each planted value does run code when loaded by pickle itself."""
    marker = tmp_path / "ran"
    pickle.loads(planted(kind, marker))
    assert marker.exists()


def test_a_planted_pickle_is_never_run(project, monkeypatch, example_site):
    count = example(project)
    assert count >= len(PLANTED)
    expected, lines = example_site
    build(project, monkeypatch)
    markers = {kind: project.root / f"planted-{n}-ran" for n, kind in enumerate(PLANTED)}
    values = [planted(kind, markers[kind]) for kind in PLANTED]
    # Under the entries' real keys, one kind each (the last again for the rest), with checksums that match.
    database = project.root / CACHE_DIR / "cache.sqlite"
    with sqlite3.connect(database) as db:
        for n, (key,) in enumerate(db.execute("SELECT key FROM blobs ORDER BY key").fetchall()):
            value = values[min(n, len(values) - 1)]
            db.execute("UPDATE blobs SET value = ?, sum = ? WHERE key = ?", (value, checksum(value), key))
    db.close()
    assert sorted(set(value for _, value in rows(project).values())) == sorted(values)
    run = build(project, monkeypatch)
    assert [kind for kind, marker in markers.items() if marker.exists()] == [], "the build ran a planted pickle"
    assert run.lines == lines
    same_tree(project.root / "output", expected)
    # The entries read anew replaced what was planted.
    assert not set(value for _, value in rows(project).values()) & set(values)
    hits(run, 0, count)  # what was planted is no hit


# 6. A cache that cannot be used is no reason to fail.

def test_a_cache_folder_that_is_a_file_is_unusable_and_the_build_goes_on(project, monkeypatch, example_site):
    example(project)
    expected, lines = example_site
    (project.root / CACHE_DIR).write_text("a file where the cache folder goes\n")
    for _ in range(2):
        run = build(project, monkeypatch)
        assert f"cache unusable in {CACHE_DIR}/)" in summary(run)
        assert run.lines == lines
        same_tree(project.root / "output", expected)
    assert (project.root / CACHE_DIR).read_text() == "a file where the cache folder goes\n"


def test_a_cache_file_that_is_a_folder_is_unusable_and_the_build_goes_on(project, monkeypatch, example_site):
    example(project)
    expected, lines = example_site
    (project.root / CACHE_DIR / "cache.sqlite").mkdir(parents=True)
    run = project.run("build")
    assert run.code == 0, run.err
    assert run.lines == lines
    assert f"cache unusable in {CACHE_DIR}/)" in summary(run)
    same_tree(project.root / "output", expected)


# 7. `check` writes nothing, the cache included.

def test_check_adds_nothing_to_the_cache(project, monkeypatch):
    count = example(project)
    build(project, monkeypatch)
    before = rows(project)
    assert len(stored_entries(project)) == count
    (project.content / "new-entry.md").write_text(
        "---\ntitle: Not yet built\ndate: 2024-10-29\nsources: [https://example.org/n]\n---\nText.\n")
    index = project.content / "_index.md"
    index.write_text(index.read_text().replace("title: North Korean troops in Russia", "title: Changed"))
    run = project.run("check")
    assert run.code == 0, run.err
    assert run.out.startswith("check ok: 6 events")
    assert rows(project) == before
    assert sorted(p.name for p in (project.root / CACHE_DIR).iterdir()) == ["cache.sqlite"]


def test_a_cache_opened_to_read_keeps_nothing_however_much_is_put(project, monkeypatch):
    """check and serve open the cache with create=False: a value put is dropped, also past the
    bytes that make a build write what waits (a check of 10,000 changed entries)."""
    example(project)
    build(project, monkeypatch)
    before = rows(project)
    monkeypatch.setattr(cache_module, "_PENDING_BYTES", 10)
    reader = cache_module.Cache(project.root / CACHE_DIR, create=False)
    reader.put(b"k" * 20, b"a value past the limit")
    reader.write()
    reader.save()
    reader.close()
    assert rows(project) == before


def test_check_leaves_a_broken_cache_file_as_it_is_for_a_build_to_mend(project, monkeypatch):
    """check only reads the cache: a file that is not a database is not removed or replaced by it
    (build mends it: test_a_cache_of_another_layout_is_started_anew)."""
    example(project)
    broken = project.root / CACHE_DIR / "cache.sqlite"
    broken.parent.mkdir()
    broken.write_bytes(b"not a database, and not check's to remove\n" * 100)
    run = project.run("check")
    assert run.code == 0, run.err
    assert broken.read_bytes() == b"not a database, and not check's to remove\n" * 100
    assert sorted(p.name for p in broken.parent.iterdir()) == ["cache.sqlite"]
    assert not (project.root / "output").exists()


def test_check_makes_no_cache_where_there_was_none(project):
    example(project)
    run = project.run("check")
    assert run.code == 0, run.err
    assert sorted(p.name for p in project.root.iterdir()) == ["content"], "check wrote something"


# 8. Progress on a terminal only, and one summary line.

class Terminal:
    """A stream that says it is a terminal and keeps what was written to it."""

    def __init__(self, is_terminal: bool = True):
        self.is_terminal = is_terminal
        self.text = ""

    def isatty(self) -> bool:
        return self.is_terminal

    def write(self, text: str) -> int:
        self.text += text
        return len(text)

    def flush(self) -> None:
        pass


def shown(text: str) -> str:
    """Return what a terminal shows after text: each carriage return moves back to the line's start."""
    screen: list[str] = []
    for line in text.split("\n"):
        cells: list[str] = []
        for part in line.split("\r"):
            cells[:len(part)] = list(part)
        screen.append("".join(cells).rstrip())
    return "\n".join(screen)


@pytest.fixture
def clock(monkeypatch) -> list[float]:
    """The time cli reads, set by the test."""
    now = [1000.0]
    monkeypatch.setattr(cli, "time", SimpleNamespace(perf_counter=lambda: now[0]))
    return now


def test_the_counter_shows_after_two_seconds_at_most_ten_times_a_second_and_is_cleared(clock):
    stream = Terminal()
    progress = cli.Progress(stream)
    clock[0] += 1.9
    progress("reading entries", 1, 1000)
    progress("reading entries", 1000, 1000)
    assert stream.text == "", "a quick build shows no counter"
    clock[0] += 0.2
    progress("reading entries", 1001, 2000)
    clock[0] += 0.05
    progress("reading entries", 1002, 2000)  # within a tenth of a second: not drawn again
    progress("reading entries", 2000, 2000)  # the last is always drawn
    assert stream.text == "\rreading entries 1,001/2,000\rreading entries 2,000/2,000"
    progress("rendering pages", 3, 3)
    assert stream.text.endswith("\r" + "rendering pages 3/3".ljust(len("reading entries 2,000/2,000")))
    assert shown(stream.text) == "rendering pages 3/3"
    progress.clear()
    assert shown(stream.text) == ""
    assert stream.text.endswith("\r")
    progress.clear()  # twice is harmless
    assert shown(stream.text + "built") == "built"


def test_no_counter_when_standard_error_is_not_a_terminal(clock):
    stream = Terminal(is_terminal=False)
    progress = cli.Progress(stream)
    clock[0] += 60
    progress("reading entries", 1000, 1000)
    progress.clear()
    assert stream.text == ""


COUNTED_BUILD = """\
import sys
from chronicle import cli
cli.Progress.DELAY = 0  # as if the build had run for more than two seconds
sys.exit(cli.main(sys.argv[1:]))
"""
WARNING = "content/warned.md:1: warning: no sources — add `sources:` with the link to where this was reported"


def test_a_pipe_gets_no_counter_only_diagnostics_and_one_summary_line(project, example_site):
    """Standard error as in CI or a log: what would draw a counter on a terminal draws nothing."""
    count = example(project)
    done = subprocess.run([sys.executable, "-c", COUNTED_BUILD, "build"], cwd=project.root,
                          capture_output=True, env=ENV, timeout=120)
    assert done.returncode == 0, done.stderr
    assert b"\r" not in done.stderr + done.stdout
    assert done.stderr.decode().splitlines() == example_site[1] != []
    assert re.fullmatch(rf"built {count} events, [0-9]+ pages into output/ in [0-9]+\.[0-9]{{2}} s "
                        rf"\(1 warning; cache: 0 of {count} entries\)\n", done.stdout.decode()), done.stdout


def test_a_terminal_shows_a_counter_while_reading_and_rendering_then_clears_it(project):
    count = generated(project) + 1
    project.entry("warned.md", "title: Warned\ndate: 2024-01-01")  # one diagnostic, after the counter
    # A real terminal (a pseudo-terminal, raw so that it adds no carriage returns of its own).
    controller, terminal = pty.openpty()
    tty.setraw(terminal)
    try:
        proc = subprocess.Popen([sys.executable, "-c", COUNTED_BUILD, "build"], cwd=project.root,
                                stdin=subprocess.DEVNULL, stdout=subprocess.PIPE, stderr=terminal, env=ENV)
    finally:
        os.close(terminal)
    seen = b""
    try:
        while True:
            if not select.select([controller], [], [], 120)[0]:
                proc.kill()
                pytest.fail(f"the build wrote nothing to its terminal for 2 minutes; so far: {seen!r}")
            try:
                chunk = os.read(controller, 65536)
            except OSError:  # EIO: every process of the build closed its end
                break
            if not chunk:
                break
            seen += chunk
    finally:
        os.close(controller)
    out = proc.stdout.read().decode()
    proc.stdout.close()
    assert proc.wait(timeout=120) == 0, seen
    text = seen.decode()
    assert re.search(rf"\rreading entries [0-9,]+/{count}", text), text
    assert f"\rreading entries {count}/{count}" in text, text
    assert re.search(r"\rrendering pages ([0-9]+)/([0-9]+).*\rrendering pages \2/\2", text, re.S), text
    assert shown(text) == WARNING + "\n", "the counter is cleared before the diagnostics"
    assert re.fullmatch(rf"built {count} events, [0-9]+ pages into output/ in [0-9]+\.[0-9]{{2}} s "
                        rf"\(1 warning; cache: 0 of {count} entries\)\n", out), out


FORKED_AHEAD = """
import os, signal, threading
from chronicle.incremental.workers import fork_ahead, map_items

def pid_and_square(n):
    return os.getpid(), n * n, signal.getsignal(signal.SIGINT) is signal.SIG_IGN

forked = fork_ahead(100, 64, 2)
assert forked is not None and forked.processes == 2
done = list(map_items(pid_and_square, range(100), least=64, chunk=None, fork=forked))
assert [square for _, square, _ in done] == [n * n for n in range(100)]
assert os.getpid() not in {pid for pid, _, _ in done} and all(ignored for *_, ignored in done), done
few = list(map_items(pid_and_square, range(10), least=64, chunk=None, fork=forked))
assert {pid for pid, _, _ in few} == {os.getpid()} and [square for _, square, _ in few] == [n * n for n in range(10)]
forked.close()
forked.close()
assert fork_ahead(10, 64, 2) is None and fork_ahead(100, 64, 1) is None
waiting = threading.Event()
threading.Thread(target=waiting.wait).start()
assert fork_ahead(100, 64, 2) is None, "forked with a thread running"
waiting.set()
print("ok")
"""


def test_workers_forked_ahead_map_as_others_ignore_ctrl_c_and_are_not_forked_once_threads_run():
    """fork_ahead (serve's first build's readers): its workers give map_items's results in order, a
    map of fewer items than least runs here, Ctrl-C is the caller's to handle, close may come twice,
    and with a thread running (a fork would copy it mid-step), or one worker, nothing is forked."""
    done = subprocess.run([sys.executable, "-c", FORKED_AHEAD], capture_output=True, text=True, timeout=120)
    assert done.returncode == 0 and done.stdout == "ok\n", done.stderr


FORK_CALL = """
import os, threading, time
from chronicle.incremental.workers import fork_call

ahead = fork_call(lambda: ("computed by", os.getpid()), 2)
said, pid = ahead.result()
assert said == "computed by" and pid != os.getpid(), pid
assert ahead.result() is None, "a result is read once"
ahead.close()

def fails():
    raise ValueError("no")

assert fork_call(fails, 2).result() is None
slow = fork_call(lambda: time.sleep(600), 2)
slow.close()
slow.close()
try:
    os.waitpid(-1, 0)
    raise AssertionError("a process is left")
except ChildProcessError:
    pass
assert fork_call(lambda: 1, 1) is None, "forked for a build of one process"
waiting = threading.Event()
threading.Thread(target=waiting.wait).start()
assert fork_call(lambda: 1, 2) is None, "forked with a thread running"
waiting.set()
print("ok")
"""


def test_a_call_forked_ahead_gives_its_result_once_and_none_when_it_fails_or_is_closed():
    """fork_call (the theme compiled while the entries are read): its result comes from another
    process, once; a failure is None; close stops it and leaves no process; one worker wanted, or a
    thread running, forks nothing."""
    done = subprocess.run([sys.executable, "-c", FORK_CALL], capture_output=True, text=True, timeout=120)
    assert done.returncode == 0 and done.stdout == "ok\n", done.stderr


COMPILES_LOGGED = """
import os, sys
import jinja2
from chronicle import cli

real = jinja2.Environment.compile

def compile(self, source, name=None, filename=None, raw=False, defer_init=False):
    with open("compiled.log", "a") as out:  # appended to by every process of the build
        out.write(f"{os.getpid()} {name}\\n")
    return real(self, source, name, filename, raw, defer_init)

jinja2.Environment.compile = compile
with open("compiled.log", "a") as out:
    out.write(f"{os.getpid()} main\\n")
sys.exit(cli.main(["build"]))
"""


def test_the_theme_is_compiled_once_for_all_the_processes_of_a_build(project, monkeypatch):
    """A build whose pages workers render has the theme compiled by one process, forked as it starts,
    while it reads the entries: its workers, forked later, compile nothing of it again. With one
    process wanted, that process compiles each template it uses, once. The bytes are the reference's.
    Run as a command of its own: a process with threads (this one may have some) forks no compiler."""
    count = generated(project)
    log = project.root / "compiled.log"

    def built(workers_wanted: str) -> tuple[int, list[tuple[int, str]]]:
        """Build as the command line does; return the main process and what each process compiled."""
        done = subprocess.run([sys.executable, "-c", COMPILES_LOGGED], cwd=project.root, capture_output=True,
                              text=True, env={**ENV, cli.WORKERS_VARIABLE: workers_wanted}, timeout=300)
        assert done.returncode == 0, done.stderr
        lines = [(int(pid), name) for pid, name in (line.split() for line in log.read_text().splitlines())]
        log.unlink()
        return lines[0][0], lines[1:]

    templates = sorted(p.name for p in (ROOT / "theme" / "templates").iterdir())
    edited = sorted(project.content.glob("*.md"))[count // 2]
    for step in ("cold", "an entry edited"):
        if step != "cold":
            edited.write_text(edited.read_text().replace("title: ", "title: Edited ", 1))
        main, done = built("2")
        same_tree(project.root / "output", fresh(project, monkeypatch)[0])
        assert sorted(name for _, name in done) == templates, f"{step}: each template compiled once"
        assert len({pid for pid, _ in done}) == 1 and done[0][0] != main, done
    edited.write_text(edited.read_text().replace("title: ", "title: Again ", 1))
    main, done = built("1")
    assert {pid for pid, _ in done} == {main} and len(done) == len({name for _, name in done}), done


def test_code_compiled_before_a_template_changed_is_not_used(tmp_path, monkeypatch):
    """The theme's code, compiled by another process, is used only for the sources it was compiled
    from: a template changed since is compiled anew (and the others are not)."""
    from chronicle.incremental.templates import Compiled, compile_theme

    theme = tmp_path / "theme"
    shutil.copytree(ROOT / "theme", theme)
    codes = compile_theme(render.Theme(theme))
    assert len(codes) == len(list((theme / "templates").iterdir()))
    (theme / "templates" / "card.html").write_text("changed: {{ 6 * 7 }}\n")
    env = render.make_environment(render.Theme(theme))
    env.bytecode_cache = Compiled(codes)
    anew: list[str] = []
    real = env.compile
    monkeypatch.setattr(env, "compile", lambda source, name=None, *rest: anew.append(name) or real(source, name, *rest))
    assert env.get_template("card.html").render() == "changed: 42\n"
    for name in ("base.html", "macros.html", "period.html"):
        env.get_template(name)
    assert anew == ["card.html"]


@pytest.mark.parametrize("count, processes, chunk", [
    (64, 2, 16), (300, 2, 18), (1_000, 2, 62), (10_000, 2, 256), (100_000, 2, 256), (10_000, 8, 156), (200, 16, 16),
])
def test_entries_go_to_the_workers_in_tasks_of_16_to_256_at_least_eight_a_worker(count, processes, chunk):
    """A task's own cost (about half a millisecond) is kept small beside its entries', and every worker
    still has eight tasks or more to end with the others (10,000 entries: 2.67 → 2.40 s to read)."""
    from chronicle.incremental.workers import tasks_of

    assert tasks_of(count, processes) == chunk
    assert count // chunk >= min(8 * processes, count // 16) or chunk == 256
