"""The site's own files (issue 18, item 5): static/ beside content/ is published at the output's root
as it is (a CNAME, a favicon, .well-known/, downloads), by build, build --no-cache and serve alike,
and never in place of a file the build makes: that is an error naming both, and nothing is written."""

from __future__ import annotations

import os
import subprocess
import sys
from pathlib import Path

import pytest

from conftest import ROOT, tree
from test_serve import Preview, save

ENTRY = "---\ntitle: {title}\ndate: 2024-10-{day:02d}\nsources: [https://example.org/{day}]\ntags: [NATO]\n---\nBody.\n"
INDEX = "---\ntitle: A timeline\nbase_url: https://timeline.example.org/\n---\n"
ICON = bytes(range(256)) * 3 + b"\x00\r\n\x1a\xff"  # every byte value: copied, never decoded or re-encoded
OWN = {
    "CNAME": b"timeline.example.org\n",
    "favicon.ico": ICON,
    ".nojekyll": b"",
    ".well-known/security.txt": b"Contact: mailto:security@example.org\n",
    "downloads/2024/report.pdf": b"%PDF-1.4\n%\xe2\xe3\xcf\xd3\n",
    "about.html": b"<!doctype html><title>About</title><p>About us.</p>\n",
}
SKIPPED = ["notes.txt~", ".report.pdf.swp", ".#CNAME", "#CNAME#", "draft.tmp", "old.bak", ".DS_Store",
           "downloads/Thumbs.db", ".git/config"]


def put(folder: Path, files: dict[str, bytes]) -> None:
    for name, data in files.items():
        path = folder / name
        path.parent.mkdir(parents=True, exist_ok=True)
        path.write_bytes(data)


def generated(output: dict[str, bytes]) -> dict[str, bytes]:
    """The files the build makes, the site's own left out."""
    return {name: data for name, data in output.items() if name not in OWN}


@pytest.fixture
def site(project):
    """A project with two events and static/ holding the site's own files and editors' leftovers."""
    project.write("_index.md", INDEX)
    for day in (28, 29):
        project.write(f"e{day}.md", ENTRY.format(title=f"Event {day}", day=day))
    project.static = project.root / "static"
    put(project.static, OWN)
    put(project.static, {name: b"not for the site\n" for name in SKIPPED})
    return project


@pytest.mark.parametrize("cache", [[], ["--no-cache"]], ids=["engine", "reference"])
def test_every_file_is_published_at_the_root_as_it_is(site, cache):
    result = site.run("build", *cache)
    assert result.code == 0, result.err
    output = tree(site.root / "output")
    assert {name: output.get(name) for name in OWN} == OWN  # dot-files, dot-folders, nested folders, bytes
    assert not any(name in output for name in SKIPPED)
    assert "static/chronicle.css" in output  # the theme's own files, under static/ as before
    assert "index.html" in output and "events/e28/index.html" in output
    assert result.out.startswith("built 2 events, ")
    assert result.err == ""


def test_the_engine_and_the_reference_publish_the_same_bytes(site):
    assert site.run("build").code == 0
    assert site.run("build", "--no-cache", "--output", "reference").code == 0
    assert tree(site.root / "output") == tree(site.root / "reference")
    # Again after a change to a site file and to an entry: the engine's cached build and a fresh one.
    put(site.static, {"CNAME": b"other.example.org\n", "downloads/new.txt": b"new\n"})
    site.write("e28.md", ENTRY.format(title="Event 28, edited", day=28))
    assert site.run("build").code == 0
    assert site.run("build", "--no-cache", "--output", "reference").code == 0
    assert tree(site.root / "output") == tree(site.root / "reference")
    assert (site.root / "output" / "CNAME").read_bytes() == b"other.example.org\n"


@pytest.mark.parametrize("cache", [[], ["--no-cache"]], ids=["engine", "reference"])
def test_a_file_removed_from_static_leaves_the_output_with_the_next_build(site, cache):
    assert site.run("build", *cache).code == 0
    (site.static / "downloads" / "2024" / "report.pdf").unlink()
    (site.static / ".well-known" / "security.txt").unlink()
    assert site.run("build", *cache).code == 0
    output = tree(site.root / "output")
    assert "downloads/2024/report.pdf" not in output and ".well-known/security.txt" not in output
    assert output["CNAME"] == OWN["CNAME"]
    assert not (site.root / "output" / "downloads").exists()  # its folders too, once empty
    assert not (site.root / "output" / ".well-known").exists()


CLASHES = {
    "index.html": b"<p>my own front page</p>\n",
    "static/chronicle.css": b"body { color: red }\n",
    "events/e28/index.html": b"<p>my own event page</p>\n",
    "feed.xml": b"<feed/>\n",
    "tags": b"a file where the tags' folder goes\n",
    "index.html.d/x": b"fine: no clash\n",
}
CLASH_LINES = [
    "static/events/e28/index.html: error: would replace the page Chronicle makes at events/e28/index.html "
    "— rename or move the file",
    "static/feed.xml: error: would replace the file Chronicle makes at feed.xml — rename or move the file",
    "static/index.html: error: would replace the page Chronicle makes at index.html — rename or move the file",
    "static/static/chronicle.css: error: would replace the theme's file static/chronicle.css — rename or move the file",
    "static/tags: error: is a file where Chronicle makes the folder tags/ — rename or move the file",
]


@pytest.mark.parametrize("cache", [[], ["--no-cache"]], ids=["engine", "reference"])
def test_a_site_file_in_place_of_a_made_one_is_an_error_naming_both_and_nothing_is_written(site, cache):
    assert site.run("build", *cache).code == 0
    before = tree(site.root / "output")
    put(site.static, CLASHES)
    result = site.run("build", *cache)
    assert result.code == 1
    assert result.lines == [*CLASH_LINES, "build failed: 5 errors; output was left as it was"]
    assert tree(site.root / "output") == before
    checked = site.run("check")
    assert checked.code == 1 and [line for line in checked.lines if ": error: " in line] == CLASH_LINES
    # Renamed: built, each where it was put.
    for name in CLASHES:
        if name != "index.html.d/x":
            (site.static / name).rename(site.static / f"{name.replace('/', '-')}.mine")
    result = site.run("build", *cache)
    assert result.code == 0, result.err
    output = tree(site.root / "output")
    assert output["index.html.mine"] == CLASHES["index.html"] and output["index.html.d/x"] == CLASHES["index.html.d/x"]
    assert output["index.html"] != CLASHES["index.html"]


def test_a_clash_with_a_page_kept_from_the_last_build_is_found_too(site):
    """The engine keeps an unchanged page as it is: a site file given its name is still an error."""
    assert site.run("build").code == 0
    put(site.static, {"events/e29/index.html": b"mine\n"})
    result = site.run("build")
    assert result.code == 1 and result.lines[0].startswith("static/events/e29/index.html: error: would replace")
    (site.static / "events" / "e29" / "index.html").unlink()
    assert site.run("build").code == 0
    assert site.run("build", "--no-cache", "--output", "reference").code == 0
    assert tree(site.root / "output") == tree(site.root / "reference")


def test_a_large_timeline_publishes_and_guards_them_the_same(project):
    """Past 200 events the engine writes as its workers render, and keeps unchanged files from the
    last build: the site's own files go with them, linked when unchanged, and a clash is found."""
    project.write("_index.md", INDEX)
    for i in range(210):
        project.write(f"e{i}.md", ENTRY.format(title=f"Event {i}", day=1 + i % 28))
    static = project.root / "static"
    put(static, OWN)

    def same() -> None:
        assert project.run("build").code == 0
        assert project.run("build", "--no-cache", "--output", "reference").code == 0
        assert tree(project.root / "output") == tree(project.root / "reference")

    same()
    same()  # nothing changed: output/ left as it is
    put(static, {"CNAME": b"changed.example\n", "new.txt": b"new\n"})
    same()
    (static / "new.txt").unlink()
    project.write("e5.md", ENTRY.format(title="Event 5, edited", day=6))
    same()
    before = tree(project.root / "output")
    put(static, {"events/e7/index.html": b"mine\n", "timeline.json": b"{}"})
    result = project.run("build")
    assert result.code == 1 and len(result.lines) == 3, result.err
    assert tree(project.root / "output") == before
    (static / "events" / "e7" / "index.html").unlink()
    (static / "timeline.json").unlink()
    same()


def test_a_link_is_followed_only_to_a_file_inside_static(site, tmp_path):
    outside = tmp_path / "secret.txt"
    outside.write_text("not to be published\n")
    os.symlink(outside, site.static / "secret.txt")
    os.symlink("CNAME", site.static / "CNAME.txt")  # a link to a file inside: published as that file
    os.symlink("downloads", site.static / "files")  # a link to a folder: not followed
    result = site.run("build")
    assert result.code == 0, result.err
    output = tree(site.root / "output")
    assert output["CNAME.txt"] == OWN["CNAME"]
    assert "secret.txt" not in output and not any(name.startswith("files/") for name in output)
    assert result.lines == [
        "static/files: warning: is a link to a folder, or to nothing — not followed: put the files themselves "
        "in the folder",
        f"static/secret.txt: warning: is a link to {outside}, outside static/ — not published: put the file itself "
        "(a copy) in the folder",
    ]
    assert not (site.root / "output" / "secret.txt").exists()


def test_static_itself_is_never_the_output_folder(site):
    result = site.run("build", "--output", "static")
    assert result.code == 2 and "refusing to use static as the output folder" in result.err
    assert tree(site.static)["CNAME"] == OWN["CNAME"]


def test_no_static_folder_is_no_file(project):
    project.write("e28.md", ENTRY.format(title="Event 28", day=28))
    assert project.run("build").code == 0
    assert set(tree(project.root / "output")) >= {"index.html", "static/chronicle.css"}


# --- serve ----------------------------------------------------------------------------------------


def test_serve_picks_up_a_site_file_added_changed_and_removed(tmp_path):
    """static/ is watched from the start, even when it is made while serving; output/ is then as a
    fresh build makes it."""
    content = tmp_path / "content"
    content.mkdir()
    (content / "_index.md").write_text(INDEX)
    for day in (28, 29):
        (content / f"e{day}.md").write_text(ENTRY.format(title=f"Event {day}", day=day))
    server = Preview(tmp_path)
    try:
        assert server.get("/CNAME")[0] == 404
        server.listen()
        static = tmp_path / "static"
        static.mkdir()  # made while serving
        (static / ".well-known").mkdir()
        save(static / ".well-known" / "security.txt", "Contact: mailto:a@example.org\n")
        assert "mailto:a@example.org" in server.until(lambda body: "mailto:" in body, "/.well-known/security.txt")
        save(static / "CNAME", "one.example\n")
        assert server.until(lambda body: "one.example" in body, "/CNAME") == "one.example\n"
        save(static / "CNAME", "two.example\n")
        assert server.until(lambda body: "two.example" in body, "/CNAME") == "two.example\n"
        save(static / "CNAME.swp", "an editor's swap file\n")  # never a rebuild, never served
        save(static / "index.html", "<p>mine</p>\n")  # a clash: the last good site, with the error over it
        page = server.until(lambda body: 'id="chronicle-errors"' in body)
        assert "static/index.html: error: would replace the page Chronicle makes at index.html" in page
        assert "Event 28" in page
        (static / "index.html").unlink()
        server.until(lambda body: 'id="chronicle-errors"' not in body)
        (static / ".well-known" / "security.txt").unlink()
        assert server.until(lambda body: "Not found" in body, "/.well-known/security.txt")
        assert server.get("/CNAME.swp")[0] == 404
    finally:
        code, err = server.stop()
    assert code == 0 and "Traceback" not in err, err
    served = tree(tmp_path / "output")
    assert served["CNAME"] == b"two.example\n" and ".well-known/security.txt" not in served
    subprocess.run([sys.executable, str(ROOT / "build.py"), "--no-cache", "--output", "fresh"], cwd=tmp_path,
                   check=True, capture_output=True)
    assert served == tree(tmp_path / "fresh")
