"""The README's guarantees ("What `build` guarantees"), one test each: atomic output, byte-identical
builds, no escape, escaping.

The golden site: tests/golden/example/ holds every file of the example timeline (content/ built with
the default theme) exactly as a build writes it, and test_example_matches_the_golden_site compares the
build with it byte for byte; a mismatch names the files missing, extra and different, with a unified
diff of each text file that differs. After a deliberate change of the output, regenerate it with

    CHRONICLE_UPDATE_GOLDEN=1 .venv/bin/python -m pytest tests/test_guarantees.py -k golden

and review `git diff tests/golden/` before committing it (the files are kept byte for byte:
.gitattributes marks them -text, so git never converts the CRLF lines of calendar.ics).
"""

import difflib
import hashlib
import html.parser
import os
import shutil
from pathlib import Path

import pytest

from chronicle.output import OutputError, safe_relative, write_site
from conftest import ROOT, tree

GOLDEN = Path(__file__).parent / "golden" / "example"
REGENERATE = "CHRONICLE_UPDATE_GOLDEN"


def test_a_failed_build_leaves_output_exactly_as_it_was(project):
    project.entry("a.md", "title: A\ndate: 2024-10-28\nsources: [https://a.org]")
    assert project.run().code == 0
    before = tree(project.root / "output")
    project.entry("b.md", "title: B\ndate: not a date\nsources: [https://a.org]")
    assert project.run().code == 1
    assert tree(project.root / "output") == before
    assert [p.name for p in project.root.iterdir() if p.name.startswith(".chronicle-") and p.name != ".chronicle-cache"] == []


def test_a_broken_theme_leaves_output_exactly_as_it_was(project):
    project.entry("a.md", "title: A\ndate: 2024-10-28\nsources: [https://a.org]")
    assert project.run().code == 0
    before = tree(project.root / "output")
    theme = project.root / "theme"
    shutil.copytree(ROOT / "theme", theme)
    (theme / "templates" / "index.html").write_text("{% if %}\n")
    result = project.run()
    assert result.code == 1
    assert result.lines[0].startswith(f"{theme / 'templates' / 'index.html'}:1: error: template error:") or \
        result.lines[0].startswith("theme/templates/index.html:1: error: template error:")
    assert tree(project.root / "output") == before


def test_two_builds_are_byte_identical(project, tmp_path_factory):
    shutil.copytree(ROOT / "content", project.content, dirs_exist_ok=True)
    assert project.run("--output", "one").code == 0
    os.utime(project.content / "_index.md", (0, 0))  # a changed clock or mtime changes nothing
    assert project.run("--output", "two").code == 0
    assert tree(project.root / "one") == tree(project.root / "two")


def differences(got: dict[str, bytes], expected: dict[str, bytes], *, context: int = 3, limit: int = 60) -> str:
    """What differs between two trees, for a reader: the names missing and extra, then for each file
    with other bytes a unified diff of its text (at most `limit` lines), or its sizes and hashes when
    it is not UTF-8 or only its line endings differ."""
    report = [f"missing (golden, not built): {name}" for name in sorted(expected.keys() - got.keys())]
    report += [f"extra (built, not golden): {name}" for name in sorted(got.keys() - expected.keys())]
    for name in sorted(expected.keys() & got.keys()):
        old, new = expected[name], got[name]
        if old == new:
            continue
        try:
            old_text, new_text = old.decode("utf-8"), new.decode("utf-8")
        except UnicodeDecodeError:
            old_text = new_text = None
        if old_text is None or old_text.splitlines() == new_text.splitlines():
            why = "not UTF-8 text" if old_text is None else "the same lines, other line endings"
            report.append(f"different: {name} ({why}): golden {len(old)} bytes sha256 "
                          f"{hashlib.sha256(old).hexdigest()[:12]}, built {len(new)} bytes sha256 "
                          f"{hashlib.sha256(new).hexdigest()[:12]}")
            continue
        diff = list(difflib.unified_diff(old_text.splitlines(), new_text.splitlines(), f"golden/{name}",
                                         f"built/{name}", n=context, lineterm=""))
        if len(diff) > limit:
            diff = diff[:limit] + [f"... {len(diff) - limit} more lines of diff"]
        report.append(f"different: {name}\n" + "\n".join(diff))
    return "\n".join(report)


def test_differences_name_every_kind_of_change():
    golden = {"a.html": b"<p>one</p>\n<p>two</p>\n", "gone.txt": b"x", "crlf.ics": b"A\r\nB\r\n", "bin": b"\xff"}
    built = {"a.html": b"<p>one</p>\n<p>2</p>\n", "new.txt": b"y", "crlf.ics": b"A\nB\n", "bin": b"\xfe"}
    lines = differences(built, golden).splitlines()
    assert lines[:3] == ["missing (golden, not built): gone.txt", "extra (built, not golden): new.txt",
                         "different: a.html"]
    assert lines[3:5] == ["--- golden/a.html", "+++ built/a.html"]
    assert lines[6:9] == [" <p>one</p>", "-<p>two</p>", "+<p>2</p>"]
    assert lines[9].startswith("different: bin (not UTF-8 text): golden 1 bytes sha256 ")
    assert lines[10].startswith("different: crlf.ics (the same lines, other line endings): golden 6 bytes")
    assert differences(golden, golden) == ""


def test_example_matches_the_golden_site(project, monkeypatch):
    """The example's exact bytes, every file; see the module docstring to regenerate the golden site."""
    monkeypatch.delenv("SOURCE_DATE_EPOCH", raising=False)  # it would move the feed's dates
    shutil.copytree(ROOT / "content", project.content, dirs_exist_ok=True)
    result = project.run()
    assert result.code == 0, result.err
    built = tree(project.root / "output")
    if os.environ.get(REGENERATE, "") not in ("", "0"):
        shutil.rmtree(GOLDEN, ignore_errors=True)
        for name, data in built.items():
            (GOLDEN / name).parent.mkdir(parents=True, exist_ok=True)
            (GOLDEN / name).write_bytes(data)
    assert GOLDEN.is_dir(), f"no golden site at {GOLDEN}; make it with {REGENERATE}=1"
    found = differences(built, tree(GOLDEN))
    assert found == "", (f"the example's output differs from {GOLDEN.relative_to(ROOT)}; if the change is "
                         f"deliberate, rerun with {REGENERATE}=1 and review git diff\n{found}")


def test_the_theme_keeps_its_budget(project, monkeypatch):
    """THEME.md's budget: the style sheet under 20 KB, the example's index.html under 40 KB."""
    shutil.copytree(ROOT / "content", project.content, dirs_exist_ok=True)
    assert project.run().code == 0
    assert len((project.root / "output" / "static" / "chronicle.css").read_bytes()) < 20_000
    assert len((project.root / "output" / "index.html").read_bytes()) < 40_000


def test_file_order_on_disk_does_not_change_the_output(project):
    names = ["c.md", "a.md", "b.md"]
    for name in names:
        project.entry(name, f"title: Same\ndate: 2024-10-28\nsources: [https://a.org/{name}]")
    first = project.run("--output", "one")
    assert first.code == 0, first.err
    for name in names:
        (project.content / name).rename(project.content / ("x" + name))
        (project.content / ("x" + name)).rename(project.content / name)
    second = project.run("--output", "two")
    assert second.code == 0, second.err
    assert tree(project.root / "one") == tree(project.root / "two")


@pytest.mark.parametrize("slug", ["../../x", "/etc", "a/b", "..", ".", "a\\b", "x\0y", "%2e%2e"])
def test_a_slug_is_never_a_path(project, slug):
    quoted = slug.replace("\\", "\\\\").replace("\0", "\\0")
    project.entry("a.md", f'title: A\ndate: 2024-10-28\nslug: "{quoted}"\nsources: [https://a.org]')
    result = project.run()
    assert result.code == 1
    assert "may only contain lower-case letters, digits and hyphens" in result.err
    assert not (project.root / "x").exists() and not (project.root.parent / "x").exists()


@pytest.mark.parametrize("name", ["../x", "/abs", "a/../../b", "", "a//b", "a\\b", "./a"])
def test_the_writer_refuses_paths_that_leave_the_output(tmp_path, name):
    with pytest.raises(OutputError):
        safe_relative(name)
    with pytest.raises(OutputError):
        write_site({name: b"x"}, tmp_path / "out")
    assert not (tmp_path / "out").exists()
    assert list(tmp_path.iterdir()) == []


class _Collector(html.parser.HTMLParser):
    def __init__(self):
        super().__init__()
        self.tags: list[str] = []
        self.attrs: list[tuple[str, str | None]] = []
        self.text: list[str] = []

    def handle_starttag(self, tag, attrs):
        self.tags.append(tag)
        self.attrs.extend(attrs)

    def handle_data(self, data):
        self.text.append(data)


HOSTILE = '<script>alert(1)</script>"><img src=x onerror=alert(2)>{{ 7*7 }}'


def test_every_field_is_escaped(project):
    project.write("_index.md", f"---\ntitle: '{HOSTILE}'\ndescription: '{HOSTILE}'\n---\n")
    project.entry("a.md", f"""title: '{HOSTILE}'
date: 2024-10-28
location: '{HOSTILE}'
tags: ['{HOSTILE}']
sources:
  - url: "https://a.org/?q=<script>&x=\\"y"
    title: '{HOSTILE}'
    publisher: '{HOSTILE}'""")
    assert project.run().code == 0
    for page in ("index.html", "events/a/index.html"):
        parsed = _Collector()
        parsed.feed(project.read(page))
        # The one script is the event page's JSON-LD (issue 4), data with `<` written \u003c.
        ld = page.startswith("events/")
        assert parsed.tags.count("script") == ld and "img" not in parsed.tags, page
        assert (("type", "application/ld+json") in parsed.attrs) == ld, page
        assert not any(name.startswith("on") for name, _ in parsed.attrs), page
        text = "".join(parsed.text)
        assert HOSTILE in text, page
        assert "49" not in text
        assert ("href", 'https://a.org/?q=<script>&x="y') in parsed.attrs


def test_raw_html_in_a_body_is_kept(project):
    project.entry("a.md", "title: A\ndate: 2024-10-28\nsources: [https://a.org]", body="<mark>kept</mark>\n")
    assert project.run().code == 0
    assert "<mark>kept</mark>" in project.read("index.html")


def test_the_writer_refuses_a_second_file_of_the_same_name_and_keeps_the_old_site(tmp_path):
    """Pelican's rule: two outputs of one name are a bug to report, never the last one silently kept."""
    from chronicle.output import OutputError, write_site

    out = tmp_path / "site"
    write_site({"index.html": b"old"}, out)
    with pytest.raises(OutputError, match="refusing to write 'a.html' twice"):
        write_site(iter([("index.html", b"new"), ("a.html", b"1"), ("a.html", b"2")]), out)
    assert {p.name: p.read_bytes() for p in out.iterdir()} == {"index.html": b"old"}
