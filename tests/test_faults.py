"""Every fault an author's folder can hold ends in a clear line error or a correct site, never a traceback."""

from __future__ import annotations

import errno
import os
import shutil
from pathlib import Path

import pytest

from conftest import ROOT, tree

GOOD = "title: Good\ndate: 2024-10-28\nsources: [https://example.org/a]"


def test_a_binary_file_named_md(project):
    (project.content / "photo.md").write_bytes(bytes(range(256)) * 4)
    project.entry("good.md", GOOD)
    result = project.run()
    assert result.code == 1
    assert result.lines[0] == "content/photo.md:2: error: is not UTF-8 text — save the file as UTF-8"  # 0x0a is byte 10


def test_nul_bytes_in_utf8_text(project):
    project.write("nul.md", "---\ntitle: A\x00B\ndate: 2024-10-28\n---\n", dedent=False)
    result = project.run()
    assert result.code == 1
    assert result.lines[0].startswith("content/nul.md:")
    assert "Traceback" not in result.err


def test_a_50_mb_body_is_refused_clearly(project):
    project.write("huge.md", "---\n" + GOOD + "\n---\n" + ("A line of text in a very long body.\n\n" * 1_400_000),
                  dedent=False)
    project.entry("good.md", GOOD.replace("Good", "Other"))
    result = project.run()
    assert result.code == 1
    assert result.lines[0] == "content/huge.md: error: is 49.4 MB; an entry may be at most 5 MB — split it into " \
                              "several events, or link to the long text"


def test_a_long_body_under_the_limit_builds(project):
    project.write("long.md", "---\n" + GOOD + "\n---\n" + ("A paragraph of a long body.\n\n" * 20_000), dedent=False)
    result = project.run()
    assert result.code == 0, result.err


def test_a_symlink_leaving_content_is_not_followed(project, tmp_path_factory):
    outside = tmp_path_factory.mktemp("outside")
    (outside / "secret.md").write_text("---\ntitle: SECRET\ndate: 2024-10-28\n---\nSECRET BODY\n")
    (project.content / "link.md").symlink_to(outside / "secret.md")
    (project.content / "folder").symlink_to(outside, target_is_directory=True)
    project.entry("good.md", GOOD)
    assert project.run().code == 0
    assert "SECRET" not in project.read("index.html")


def test_a_file_that_cannot_be_read(project, monkeypatch):
    project.entry("locked.md", GOOD)
    project.entry("good.md", GOOD.replace("Good", "Other"))
    real = Path.read_bytes

    def refuse(self):
        if self.name == "locked.md":
            raise PermissionError(errno.EACCES, "Permission denied", str(self))
        return real(self)

    monkeypatch.setattr(Path, "read_bytes", refuse)  # root reads anything; the fault is simulated
    result = project.run()
    assert result.code == 1
    assert result.lines[0] == "content/locked.md: error: cannot be read: Permission denied"


def test_a_folder_named_like_an_entry(project):
    (project.content / "x.md").mkdir()
    (project.content / "x.md" / "inside.md").write_text("---\n" + GOOD + "\n---\n")
    result = project.run()
    assert result.code == 0, result.err
    assert (project.root / "output" / "events" / "inside" / "index.html").is_file()


def test_only_drafts(project):
    project.entry("draft.md", GOOD + "\ndraft: true")
    result = project.run()
    assert result.code == 0
    assert "content: warning: no events" in result.err


@pytest.mark.parametrize("code, words", [(errno.ENOSPC, "No space left on device"),
                                         (errno.EROFS, "Read-only file system")])
def test_a_full_or_read_only_disk_keeps_the_last_good_site(project, monkeypatch, code, words):
    project.write("_index.md", "---\nbase_url: https://example.org/\n---\n")  # no base_url warning
    project.entry("good.md", GOOD)
    assert project.run().code == 0
    before = tree(project.root / "output")
    project.entry("second.md", GOOD.replace("Good", "Second"))

    def fail(self, data):
        raise OSError(code, os.strerror(code), str(self))

    monkeypatch.setattr(Path, "write_bytes", fail)
    result = project.run()
    monkeypatch.undo()
    assert result.code == 1
    assert result.lines[0] == f"output: error: cannot write the site: {words} — the previous site was left as it was"
    assert tree(project.root / "output") == before
    assert [p.name for p in project.root.iterdir() if p.name.startswith(".chronicle-") and p.name != ".chronicle-cache"] == []


def test_a_template_error_names_the_template_and_line(project):
    theme = project.root / "mytheme"
    (theme / "templates").mkdir(parents=True)
    (theme / "templates" / "index.html").write_text("<p>\n{{ timeline.title }}\n{{ timeline.nothing_here }}\n</p>\n")
    (theme / "templates" / "event.html").write_text("x")
    project.entry("good.md", GOOD)
    result = project.run("--theme", "mytheme")
    assert result.code == 1
    assert result.lines[0].startswith(f"{theme / 'templates' / 'index.html'}:3: error: template error:") or \
        result.lines[0].startswith("mytheme/templates/index.html:3: error: template error:")


@pytest.mark.parametrize("entries", [3, 100, 250])  # 100: parsed by workers; 250: rendered by them, compiled ahead
@pytest.mark.parametrize("cached", [True, False])
def test_a_template_that_does_not_compile_is_one_error_however_the_entries_are_read(project, entries, cached):
    """A template that does not compile is reported once, at its line, whether the entries were
    parsed here or by workers, with the cache or without, and nothing is written."""
    theme = project.root / "mytheme"
    shutil.copytree(ROOT / "theme", theme)
    (theme / "templates" / "tags.html").write_text('{% extends "base.html" %}\n{% block main %}{% for x in %}\n')
    for n in range(entries):
        project.entry(f"e{n:03d}.md", GOOD.replace("Good", f"Event {n}"))
    result = project.run("--theme", "mytheme", *([] if cached else ["--no-cache"]))
    assert result.code == 1 and "Traceback" not in result.err, result.err
    errors = [line for line in result.lines if ": error: " in line]
    assert len(errors) == 1 and errors[0].startswith("mytheme/templates/tags.html:2: error: template error: "), errors
    assert not (project.root / "output").exists()


@pytest.mark.parametrize("expression, says", [
    ("{{ 1 // 0 }}", "integer division or modulo by zero"),
    ("{{ {} | dictsort(by='size') }}", "You can only sort by either"),  # a jinja2 FilterArgumentError
])
@pytest.mark.parametrize("cached", [True, False])
def test_an_expression_of_the_theme_that_fails_names_the_template_and_line(project, expression, says, cached):
    """Whatever a template's expression raises is the theme's error at its line, not a traceback."""
    theme = project.root / "mytheme"
    shutil.copytree(ROOT / "theme", theme)
    event = theme / "templates" / "event.html"
    event.write_text(f"{expression}\n" + event.read_text())
    project.entry("good.md", GOOD)
    result = project.run("--theme", "mytheme", *([] if cached else ["--no-cache"]))
    assert result.code == 1 and "Traceback" not in result.err, result.err
    assert "mytheme/templates/event.html:1: error: template error: " in result.lines[0], result.lines
    assert says in result.lines[0]


def test_a_theme_without_templates_is_a_usage_error(project):
    (project.root / "empty-theme").mkdir()
    result = project.run("--theme", "empty-theme")
    assert result.code == 2
    assert "has no templates/ folder" in result.err


def test_yaml_aliases_are_line_errors_beside_the_other_errors(project):
    # A billion laughs: nine lines of nested aliases, refused at the first alias, and the
    # other entries' errors still reported in the same build.
    laughs = "\n".join(f"{name}: &{name} [{', '.join([f'*{previous}'] * 9)}]"
                       for previous, name in zip("abcdefgh", "bcdefghi"))
    project.entry("laughs.md", "title: Laughs\ndate: 2024-10-28\na: &a [lol, lol, lol, lol, lol, lol, lol, lol, lol]\n"
                  + laughs + "\ntags: *i\nsources: [https://example.org/a]")
    project.entry("anchor.md", GOOD + "\nlocation: &place Brussels")
    project.entry("untitled.md", "date: 2024-10-29\nsources: [https://example.org/a]")
    project.entry("good.md", GOOD.replace("Good", "Other"))
    result = project.run()
    assert result.code == 1
    assert result.lines == [
        "content/anchor.md:5: error: YAML anchors (&place) are not supported in front matter — delete '&place'",
        "content/laughs.md:5: error: YAML aliases (*a) are not supported in front matter — write the value out",
        "content/untitled.md:1: error: title is missing — add a line such as `title: What happened`",
        "build failed: 3 errors; output was left as it was",
    ]
    assert not (project.root / "output").exists()
