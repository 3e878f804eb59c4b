"""Builds after builds: the manifest and the spare site (output.write_site) never leave a file stale.

A timeline large enough for the parallel, cached path (pipeline.PARALLEL_EVENTS)
is edited step by step (a title, a date that moves an event, a new event, a
deleted one, a new tag, an edit undone, a page spoilt by hand in output/), and
after every step the output must be byte for byte what --no-cache makes.
"""

from __future__ import annotations

import os
import shutil
from pathlib import Path

import pytest

from chronicle.incremental import CACHE_DIR
from chronicle.output import SPARE_PREFIX
from chronicle.incremental.engine import PARALLEL_EVENTS
from chronicle.render import default_theme

COUNT = PARALLEL_EVENTS + 40


def tree(root: Path) -> dict[str, bytes]:
    return {p.relative_to(root).as_posix(): p.read_bytes() for p in sorted(root.rglob("*")) if p.is_file()}


def write_timeline(project) -> None:
    project.write("_index.md", "---\ntitle: Steps\ntimezone: Europe/Brussels\n---\n")
    for n in range(COUNT):
        day = 1 + n % 28
        month = 1 + (n // 28) % 12
        project.entry(f"e{n:03d}.md", f"""
            title: "Event {n}"
            date: 2024-{month:02d}-{day:02d}
            tags: [t{n % 7}, all]
            sources: [https://example.org/{n}]
            """, f"Body of *event {n}*.\n")


def check(project, monkeypatch) -> None:
    """Build with the cache into output/, and without into fresh/; the two must be the same."""
    run = project.run("build")
    assert run.code == 0, run.err
    assert project.run("build", "--no-cache", "--output", "fresh").code == 0
    assert tree(project.root / "output") == tree(project.root / "fresh")


@pytest.mark.parametrize("workers", ["1", "2"])
def test_every_step_gives_the_bytes_of_a_build_without_cache(project, monkeypatch, workers):
    monkeypatch.setenv("CHRONICLE_WORKERS", workers)
    write_timeline(project)
    check(project, monkeypatch)
    check(project, monkeypatch)  # warm: nothing changed

    edit = project.content / "e010.md"
    original = edit.read_text()
    edit.write_text(original.replace('"Event 10"', '"Event ten, retitled"'))
    check(project, monkeypatch)
    assert (project.root / (SPARE_PREFIX + "output")).is_dir()  # the site before, kept for the next build
    edit.write_text(original.replace("date: 2024-01-11", "date: 2024-12-31"))  # moves to the end: new neighbours
    check(project, monkeypatch)
    edit.write_text(original)  # undone: the spare holds the pages of two builds ago
    check(project, monkeypatch)

    (project.content / "e020.md").unlink()  # its page must go
    check(project, monkeypatch)
    assert not (project.root / "output" / "events" / "e020").exists()
    project.entry("new.md", """
        title: "A new one"
        date: 2024-06-15
        tags: [fresh]
        sources: [https://example.org/new]
        """)
    check(project, monkeypatch)
    project.write("_index.md", "---\ntitle: Steps, renamed\ntimezone: Europe/Brussels\n---\n")
    check(project, monkeypatch)

    # A page spoilt by hand in output/ is made again, not trusted.
    page = project.root / "output" / "events" / "e030" / "index.html"
    page.write_bytes(b"spoilt")
    check(project, monkeypatch)
    # And one spoilt in the spare, which the next build brings up to date and swaps in.
    spare = project.root / (SPARE_PREFIX + "output") / "events" / "e031" / "index.html"
    os.unlink(spare)
    spare.write_bytes(b"spoilt")
    check(project, monkeypatch)
    check(project, monkeypatch)


def test_the_files_the_spare_holds_already_cost_no_system_call(project, monkeypatch):
    """A page kept as it is, that the spare holds already (output/'s very file, linked by the build
    before), is left there unlooked-at: neither linked again nor stat'ed in the staging folder (at
    10,000 events: 23,000 system calls an edit). The spare's inodes say so, read with its folders."""
    from chronicle.output import STAGING_PREFIX

    monkeypatch.setenv("CHRONICLE_WORKERS", "1")  # the writer's calls, all in this process
    write_timeline(project)
    check(project, monkeypatch)
    for n in (10, 11):  # the second edit finds the spare holding the first one's kept pages
        edit = project.content / f"e{n:03d}.md"
        edit.write_text(edit.read_text().replace(f'"Event {n}"', f'"Event {n}, retitled"'))
        calls = {"link": 0, "lstat": 0, "copy": 0}
        link, lstat, copy = os.link, os.lstat, os.copy_file_range

        def counted_link(source, target, *args, **named):
            calls["link"] += 1
            return link(source, target, *args, **named)

        def counted_lstat(path, *args, **named):
            calls["lstat"] += STAGING_PREFIX in str(path)
            return lstat(path, *args, **named)

        def counted_copy(*args, **named):
            calls["copy"] += 1
            return copy(*args, **named)

        monkeypatch.setattr(os, "link", counted_link)
        monkeypatch.setattr(os, "lstat", counted_lstat)
        monkeypatch.setattr(os, "copy_file_range", counted_copy)
        run = project.run("build")
        monkeypatch.setattr(os, "link", link)
        monkeypatch.setattr(os, "lstat", lstat)
        monkeypatch.setattr(os, "copy_file_range", copy)
        assert run.code == 0, run.err
        assert project.run("build", "--no-cache", "--output", "fresh").code == 0
        assert tree(project.root / "output") == tree(project.root / "fresh")
    pages = sum(1 for _ in (project.root / "output" / "events").iterdir())
    # The second edit: only the files the first one made anew are linked, a few dozen; only the
    # files written are stat'ed (the first edit, with no spare yet, linked every kept page).
    assert calls["link"] < pages // 4, calls
    assert calls["lstat"] < pages // 4, calls
    # The long files (the index, the feeds, the sources and tag pages) are copied from output/'s
    # in a few ranges each, around the edited event's parts: timeline.json's separators are in
    # its events' parts, not a write between two copies.
    assert calls["copy"] < pages // 4, calls


def test_a_spare_left_by_a_killed_build_is_never_swapped_in(project, monkeypatch):
    """A build killed while it brings the spare up to date leaves a staging folder (removed by
    the next build), never a spare holding half of two sites."""
    write_timeline(project)
    check(project, monkeypatch)
    (project.content / "e004.md").write_text((project.content / "e004.md").read_text().replace('"Event 4"', '"Four"'))
    check(project, monkeypatch)
    spare = project.root / (SPARE_PREFIX + "output")
    # What a killed build leaves: the spare renamed to a staging folder, some pages changed.
    staging = project.root / ".chronicle-staging-killed"
    os.rename(spare, staging)
    (staging / "index.html").unlink()
    (staging / "index.html").write_bytes(b"half")
    edit = project.content / "e005.md"
    edit.write_text(edit.read_text().replace('"Event 5"', '"Event five"'))
    check(project, monkeypatch)
    assert not staging.exists()
    check(project, monkeypatch)


def test_a_spare_of_unknown_content_is_used_but_none_of_its_files_trusted(project, monkeypatch):
    """With the cache gone (deleted, or made by another version of Chronicle) nothing says what
    the spare holds: its folders are used (10,000 are not made again, nor the spare's removed),
    every file in it is replaced or removed, none kept on trust (nor could it be: with no manifest
    no page is kept, and a kept page is left only when the spare holds output/'s very file)."""
    write_timeline(project)
    shutil.copytree(default_theme(), project.root / "theme")
    style = project.root / "theme" / "static" / "chronicle.css"
    check(project, monkeypatch)
    edit = project.content / "e004.md"
    edit.write_text(edit.read_text().replace('"Event 4"', '"Four"'))
    check(project, monkeypatch)
    spare = project.root / (SPARE_PREFIX + "output")
    first = style.read_bytes()
    linked = spare / "static" / "chronicle.css"
    assert linked.stat().st_ino == (project.root / "output" / "static" / "chronicle.css").stat().st_ino
    style.write_bytes(first + b"\n.gap { color: red }\n")  # written anew into the spare: never through its link
    folder = (spare / "events" / "e031").stat().st_ino
    page = spare / "events" / "e031" / "index.html"
    os.unlink(page)  # spoilt (never written into: it may be a link to output/'s)
    page.write_bytes(b"spoilt")
    (spare / "events" / "e032" / "index.html").unlink()
    (spare / "events" / "stray.html").write_bytes(b"stray")
    shutil.rmtree(project.root / CACHE_DIR)
    check(project, monkeypatch)
    assert (project.root / "output" / "events" / "e031").stat().st_ino == folder
    assert (spare / "static" / "chronicle.css").read_bytes() == first  # the site before, as it was
    edit.write_text(edit.read_text().replace('"Four"', '"Event four"'))
    check(project, monkeypatch)  # the next spare has no record either: the first build had no manifest
    check(project, monkeypatch)


@pytest.mark.parametrize("record", ["kept", "lost"])
def test_a_spare_whose_names_clash_with_the_site_is_mended(project, monkeypatch, record):
    """A spare holding a file where the site has a folder, and a folder where it has a file (as
    another version of Chronicle might have laid it out, or a hand): the build makes the site
    whole all the same, with the spare's record in the cache or without it."""
    write_timeline(project)
    check(project, monkeypatch)
    edit = project.content / "e004.md"
    edit.write_text(edit.read_text().replace('"Event 4"', '"Four"'))
    check(project, monkeypatch)
    spare = project.root / (SPARE_PREFIX + "output")
    shutil.rmtree(spare / "events" / "e031")
    (spare / "events" / "e031").write_bytes(b"a file where a folder goes")
    shutil.rmtree(spare / "tags")
    (spare / "tags").write_bytes(b"another, over a whole tree")
    (spare / "feed.xml").unlink()
    (spare / "feed.xml" / "old").mkdir(parents=True)
    (spare / "feed.xml" / "old" / "index.html").write_bytes(b"a folder where a file goes")
    if record == "lost":
        shutil.rmtree(project.root / CACHE_DIR)
    edit.write_text(edit.read_text().replace('"Four"', '"Event four"'))
    check(project, monkeypatch)
    check(project, monkeypatch)


def test_a_link_put_into_the_site_never_leads_a_build_outside(project, monkeypatch, tmp_path_factory):
    """A folder of output/ (hence, a build later, of the spare) replaced by a symbolic link to
    elsewhere: no build writes through it, and the site comes out whole."""
    outside = tmp_path_factory.mktemp("outside")
    (outside / "keep.txt").write_text("mine")
    write_timeline(project)
    check(project, monkeypatch)
    for step in range(3):
        folder = project.root / "output" / "events" / f"e00{step}"
        if folder.is_dir() and not folder.is_symlink():
            for child in folder.iterdir():
                child.unlink()
            folder.rmdir()
            folder.symlink_to(outside, target_is_directory=True)
        edit = project.content / f"e1{step}0.md"
        edit.write_text(edit.read_text().replace("Body of", "Text of"))
        check(project, monkeypatch)
        assert sorted(p.name for p in outside.iterdir()) == ["keep.txt"]
        assert (outside / "keep.txt").read_text() == "mine"


@pytest.mark.parametrize("manifest", [{"index.html": ("not a key", 1)}, {"index.html": (b"k", (1, 2))}, ["a list"]])
def test_a_manifest_of_another_shape_is_ignored(project, monkeypatch, manifest):
    import pickle
    import sqlite3

    from chronicle.config import CACHE_DIR
    from chronicle.incremental.store import Cache, checksum

    write_timeline(project)
    check(project, monkeypatch)
    cache = Cache(project.root / CACHE_DIR)
    place = cache.key("manifest", str((project.root / "output").resolve()))
    cache.close()
    value = pickle.dumps(manifest)
    with sqlite3.connect(project.root / CACHE_DIR / "cache.sqlite") as db:
        changed = db.execute("UPDATE blobs SET value = ?, sum = ? WHERE key = ?",
                             (value, checksum(value), place)).rowcount
    db.close()
    assert changed == 1
    edit = project.content / "e007.md"
    edit.write_text(edit.read_text().replace('"Event 7"', '"Seven"'))
    check(project, monkeypatch)
