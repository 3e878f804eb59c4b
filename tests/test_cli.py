"""The command line as an author meets it: exit statuses, whole diagnostic lines, what lands in output/."""

import os
import re
import subprocess
import sys
from pathlib import Path

import pytest

from conftest import ROOT

GOOD = """\
title: A
date: 2024-10-28
sources: [https://example.org/a]
"""


def test_build_is_the_default_command(project):
    project.entry("2024-10-28-a.md", GOOD)
    result = project.run()
    assert result.code == 0, result.err
    assert result.out.startswith("built 1 event, 4 pages into output/ in ")  # index, event, sources, tags
    assert (project.root / "output" / "index.html").is_file()
    assert (project.root / "output" / "events" / "2024-10-28-a" / "index.html").is_file()


def test_options_without_a_command_mean_build(project):
    project.entry("a.md", GOOD)
    result = project.run("--output", "site")
    assert result.code == 0, result.err
    assert (project.root / "site" / "index.html").is_file()


def test_all_errors_of_a_build_are_reported_together(project):
    project.entry("one.md", "title: One\ndate: 2024-13-01\nsources: [https://a.org]")
    project.entry("two.md", "title: Two\ndate: 2024-10-28\nsources:\n  - ftp://a.org/x")
    project.entry("three.md", "date: 31 October\nsources: [https://a.org]")
    project.entry("four.md", GOOD)
    result = project.run("build")
    assert result.code == 1
    assert result.lines == [
        "content/one.md:3: error: date: 2024-13-01 is not a date: there is no month 13; months run from 01 to 12",
        "content/three.md:1: error: title is missing — add a line such as `title: What happened`",
        "content/three.md:2: error: date: '31 October' has no year; "
        "write 31 October 2024, or set year: in content/_index.md",
        "content/two.md:5: error: source url: 'ftp://a.org/x' is not an http or https link — "
        "only http:// and https:// sources are accepted",
        "build failed: 4 errors; output was left as it was",
    ]
    assert not (project.root / "output").exists()


def test_warnings_do_not_fail_a_build(project):
    project.write("_index.md", "---\nbase_url: https://example.org/\n---\n")  # no base_url warning
    project.entry("a.md", "title: A\ndate: 2024-10-28\nsorces: [https://a.org]")
    result = project.run()
    assert result.code == 0
    assert result.lines == [
        "content/a.md:4: warning: unknown field 'sorces' — did you mean 'sources'? As written, the event has no sources",
    ]
    assert "(1 warning; cache: 0 of 1 entry)" in result.out


def test_settings_errors_have_lines(project):
    project.write("_index.md", "---\ntitle: T\ntimezone: Europe/Kiev2\ndate_order: YMD\nyaer: 2024\n---\n")
    project.entry("a.md", GOOD)
    result = project.run()
    assert result.code == 1
    assert result.lines[:3] == [
        "content/_index.md:3: error: unknown timezone 'Europe/Kiev2' — did you mean 'Europe/Kiev'?",
        "content/_index.md:4: error: date_order must be DMY or MDY, not 'YMD'",
        "content/_index.md:5: warning: unknown setting 'yaer' — did you mean 'year'?",
    ]


def test_usage_errors_exit_2(project):
    assert project.run("build", "--content", "nowhere").code == 2
    result = project.run("frobnicate")
    assert result.code == 2
    assert project.run("build", "--base-url", "ftp://x").code == 2


def test_missing_content_folder_says_what_to_do(project):
    result = project.run("build", "--content", "nowhere")
    assert result.lines == [
        "chronicle: error: content folder 'nowhere' not found — run in the folder that holds content/, "
        "or pass --content DIR"
    ]


def test_output_that_would_swallow_the_content_is_refused(project):
    project.entry("a.md", GOOD)
    for target in (".", "content", ".."):
        result = project.run("build", "--output", target)
        assert result.code == 2, target
        assert "choose another --output" in result.err
    assert (project.content / "a.md").is_file()


def test_output_folder_with_foreign_files_is_not_replaced(project):
    project.entry("a.md", GOOD)
    (project.root / "notes").mkdir()
    (project.root / "notes" / "mine.txt").write_text("keep me")
    result = project.run("build", "--output", "notes")
    assert result.code == 2
    assert (project.root / "notes" / "mine.txt").read_text() == "keep me"


def test_check_writes_nothing_and_strict_fails_on_warnings(project):
    project.write("_index.md", "---\nbase_url: https://example.org/\n---\n")  # no base_url warning
    project.entry("a.md", "title: A\ndate: 2024-10-28")
    result = project.run("check")
    assert result.code == 0
    assert result.out == "check ok: 1 event, 1 warning\n"
    assert not (project.root / "output").exists()
    strict = project.run("check", "--strict")
    assert strict.code == 1
    assert strict.lines[-1] == "check failed: 1 event, 1 warning"


def test_check_reports_errors_with_exit_1(project):
    project.entry("a.md", "title: A\ndate: someday")
    assert project.run("check").code == 1


def test_drafts_are_left_out_unless_asked(project):
    project.entry("a.md", GOOD)
    project.entry("b.md", GOOD.replace("title: A", "title: Secret plan") + "draft: true")
    assert project.run().code == 0
    assert "Secret plan" not in project.read("index.html")
    assert not (project.root / "output/events/b").exists()
    assert project.run("--drafts").code == 0
    assert "Secret plan" in project.read("index.html")


def test_duplicate_slugs_are_an_error(project):
    project.entry("a.md", GOOD)
    project.entry("b.md", GOOD + "slug: a")
    result = project.run()
    assert result.code == 1
    assert result.lines[0] == "content/b.md:5: error: slug 'a' is already used by content/a.md — write another slug"


def test_not_utf8_and_folders_named_md(project):
    (project.content / "latin1.md").write_bytes("---\ntitle: Caf\xe9\n---\n".encode("latin-1"))
    (project.content / "folder.md").mkdir()
    project.entry("a.md", GOOD)
    result = project.run()
    assert result.code == 1
    assert "content/latin1.md:2: error: is not UTF-8 text — save the file as UTF-8" in result.lines


def test_empty_timeline_builds_with_a_warning(project):
    result = project.run()
    assert result.code == 0
    assert "warning: no events" in result.err
    assert "\x00" not in project.read("index.html")  # render_days with no days leaves no marker behind


def test_python_build_py_and_chronicle_are_the_same_program(tmp_path):
    out_a, out_b = tmp_path / "a", tmp_path / "b"
    env = {**os.environ, "PYTHONDONTWRITEBYTECODE": "1"}
    # Each with a cache of its own in tmp_path: the cache beside ROOT/content would be in the repository.
    subprocess.run([sys.executable, "build.py", "--output", str(out_a), "--cache-dir", str(tmp_path / "cache-a")],
                   cwd=ROOT, check=True, capture_output=True, env=env)
    chronicle = Path(sys.executable).with_name("chronicle")
    if not chronicle.exists():
        pytest.skip("the chronicle console script is not installed in this environment")
    subprocess.run([str(chronicle), "build", "--output", str(out_b), "--cache-dir", str(tmp_path / "cache-b")],
                   cwd=ROOT, check=True, capture_output=True, env=env)
    assert sorted(p.relative_to(out_a) for p in out_a.rglob("*")) == sorted(p.relative_to(out_b) for p in out_b.rglob("*"))


def test_installed_chronicle_works_with_only_content(tmp_path):
    """The theme ships inside the package, so a folder with just content/ builds."""
    (tmp_path / "content").mkdir()
    (tmp_path / "content" / "a.md").write_text("---\n" + GOOD + "---\nHello.\n")
    done = subprocess.run([sys.executable, "-m", "chronicle", "build"], cwd=tmp_path, capture_output=True, text=True)
    assert done.returncode == 0, done.stderr
    assert (tmp_path / "output" / "static").is_dir()


def test_no_base_url_is_a_warning_that_names_what_is_missing(project):
    project.entry("a.md", GOOD)
    result = project.run()
    assert result.code == 0
    assert result.lines == [
        "content/_index.md: warning: no base_url: sitemap.xml is not written, robots.txt names no sitemap, "
        "and feed and calendar links are relative — set base_url in content/_index.md or pass --base-url URL"
    ]
    assert not (project.root / "output" / "sitemap.xml").exists()
    assert project.run("--base-url", "https://example.org/t/").lines == []
    assert (project.root / "output" / "sitemap.xml").is_file()


def test_the_environment_is_read_once_by_the_command_line(tmp_path):
    """SOURCE_DATE_EPOCH, CHRONICLE_CACHE_DIR and CHRONICLE_WORKERS are read in cli.options_from and
    passed in through Options; no other module reads the environment (issue 15)."""
    from chronicle import cli

    args = cli.parse_args(["build"])
    environ = {"SOURCE_DATE_EPOCH": "0", cli.CACHE_VARIABLE: str(tmp_path / "c"), cli.WORKERS_VARIABLE: "3"}
    options = cli.options_from(args, environ)
    assert (options.source_date_epoch, options.cache, options.workers) == ("0", tmp_path / "c", 3)
    for wanted in ("", "0", "two", "-1"):  # not a count of processes: one per core, as before
        assert cli.options_from(args, {cli.WORKERS_VARIABLE: wanted}).workers is None
    assert cli.options_from(args, {}).cache == Path(".chronicle-cache")  # beside content/, here
    on_command_line = cli.parse_args(["build", "--cache-dir", str(tmp_path / "d")])
    assert cli.options_from(on_command_line, environ).cache == tmp_path / "d"
    readers = [p.relative_to(ROOT).as_posix() for p in sorted((ROOT / "chronicle").rglob("*.py"))
               if re.search(r"os\.environ|getenv", p.read_text(encoding="utf-8"))]
    assert readers == ["chronicle/cli.py"]


def test_usage_errors_are_the_command_lines_own(project):
    """cli.UsageError and the stages' CannotRun (a missing folder, an output that is not a site) both
    exit 2 with one line; the stages do not import the command line."""
    from chronicle import cli, pipeline

    assert not hasattr(pipeline, "UsageError") and issubclass(cli.UsageError, Exception)
    project.entry("a.md", GOOD)
    assert project.run("build", "--base-url", "example.org").lines == [
        "chronicle: error: --base-url must start with https:// or http://, not 'example.org'"]
    (project.root / "taken").mkdir()
    (project.root / "taken" / "notes.txt").write_text("mine\n")
    run = project.run("build", "--output", "taken")
    assert run.code == 2 and run.lines == [
        "chronicle: error: taken is not empty and holds no site built before — choose another --output, or empty it"]


@pytest.mark.parametrize("argv", [("build",), ("build", "--no-cache"), ("check",), ("build", "--output", "bad")])
def test_a_build_goes_over_the_whole_heap_rarely_and_leaves_the_collector_as_it_was(project, argv):
    """While build and check run, the collector's full rounds come once every FULL_ROUND_EVERY of its
    middle ones (cli.few_full_rounds); afterwards, as they were, whether the command worked or not."""
    import gc

    from chronicle import cli

    project.entry("2024-10-28-a.md", GOOD)
    project.entry("2024-10-29-b.md", "title: B\ndate: 2024-10-29\nsources: [https://example.org/b]\n")
    if "bad" in argv:
        (project.root / "bad").mkdir()
        (project.root / "bad" / "notes.txt").write_text("mine\n")  # not a site: the build is refused
    seen: list[tuple[int, int, int]] = []

    def record(phase, info):
        if phase == "start":
            seen.append(gc.get_threshold())

    before = gc.get_threshold()
    gc.callbacks.append(record)
    try:
        code = project.run(*argv).code
    finally:
        gc.callbacks.remove(record)
    assert code == (2 if "bad" in argv else 0)
    assert seen and before[2] != cli.FULL_ROUND_EVERY
    if "bad" not in argv:
        assert {threshold[2] for threshold in seen} == {cli.FULL_ROUND_EVERY}
    assert gc.get_threshold() == before


def test_a_warm_build_loads_no_template_or_markdown_library(project, sourced):
    """A build that finds nothing changed (the quick look) makes no page and reads no entry: it does
    without Jinja, Python-Markdown and dateutil, which load only when a page or an entry is made (a
    tenth of a warm build's time), and without ctypes (a write's) and subprocess (Pagefind's). An
    edit loads them again but subprocess, and its site is right."""
    for n in range(3):
        project.entry(f"e{n}.md", f"title: Event {n}\ndate: 2024-10-2{n} 14:30\n{sourced}", f"Body *{n}*.\n")
    assert project.run("build").code == 0
    probe = ("import sys; from chronicle.cli import main; code = main(['build']); "
             "print(code, *sorted({name.split('.')[0] for name in sys.modules} & {'jinja2', 'markdown', 'dateutil', 'ctypes', 'subprocess'}))")
    warm = subprocess.run([sys.executable, "-c", probe], cwd=project.root, capture_output=True, text=True)
    assert warm.stdout.splitlines()[-1].split() == ["0"], warm.stdout + warm.stderr
    assert "3 of 3 entries" in warm.stdout + warm.stderr  # the cache did hold them: nothing was read
    project.entry("e1.md", f"title: Event one\ndate: October 21, 2024 2:30 PM\n{sourced}", "Body *one*.\n")
    edited = subprocess.run([sys.executable, "-c", probe], cwd=project.root, capture_output=True, text=True)
    assert edited.stdout.splitlines()[-1].split() == ["0", "ctypes", "dateutil", "jinja2", "markdown"], edited.stdout + edited.stderr
    page = (project.root / "output" / "events" / "e1" / "index.html").read_text()
    assert "Event one" in page and "<em>one</em>" in page
