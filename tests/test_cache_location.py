"""Where build and serve keep the cache: with the site (beside content/), or where --cache-dir or
CHRONICLE_CACHE_DIR says; never in the folder the command happens to run in (issue 21)."""

from __future__ import annotations

import os
import subprocess
import sys
from pathlib import Path

import pytest

from chronicle import cli
from chronicle.config import CACHE_DIR, Options
from conftest import ROOT, Run
from test_serve import Preview

ENTRY = "---\ntitle: {title}\ndate: 2024-10-28\nsources: [https://example.org/a]\n---\nBody of {title}.\n"


def listing(folder: Path) -> dict[str, bytes | None]:
    """Every path under folder, files with their bytes and folders as None: the folder exactly as it is."""
    return {p.relative_to(folder).as_posix(): (p.read_bytes() if p.is_file() else None)
            for p in sorted(folder.rglob("*"))}


@pytest.fixture
def places(tmp_path, monkeypatch):
    """$HOME with a file in it, where the commands run; a site elsewhere with content/ and two events."""
    home, site = tmp_path / "home", tmp_path / "site"
    home.mkdir()
    (home / "notes.txt").write_text("the author's own file\n")
    (site / "content").mkdir(parents=True)
    for name in ("a", "b"):
        (site / "content" / f"{name}.md").write_text(ENTRY.format(title=f"Event {name}"))
    monkeypatch.chdir(home)
    monkeypatch.delenv(cli.CACHE_VARIABLE, raising=False)
    monkeypatch.delenv(cli.WORKERS_VARIABLE, raising=False)
    return home, site


def chronicle(capsys, *argv: str) -> Run:
    capsys.readouterr()
    code = cli.main(list(argv))
    captured = capsys.readouterr()
    return Run(code, captured.out, captured.err)


def summary(run: Run) -> str:
    assert run.code == 0, run.err
    (line,) = run.out.splitlines()
    return line


def test_a_build_run_from_another_folder_leaves_that_folder_as_it_was(places, tmp_path, capsys):
    home, site = places
    before = listing(home)
    www = tmp_path / "www"
    argv = ("build", "--content", str(site / "content"), "--output", str(www))
    assert "cache: 0 of 2 entries)" in summary(chronicle(capsys, *argv))
    assert (site / CACHE_DIR / "cache.sqlite").is_file()
    # The second build: the cache beside content/ is found from here, and the site before is kept
    # beside the output (the spare folder), never here.
    assert "cache: 2 of 2 entries)" in summary(chronicle(capsys, *argv))
    (site / "content" / "b.md").write_text(ENTRY.format(title="Event b, retitled"))
    assert "cache: 1 of 2 entries)" in summary(chronicle(capsys, *argv))
    assert "Event b, retitled" in (www / "index.html").read_text()
    assert listing(home) == before
    assert sorted(p.name for p in site.iterdir()) == [CACHE_DIR, "content"]
    assert {p.name for p in tmp_path.iterdir()} <= {"home", "site", "www", ".chronicle-spare-www"}


def test_the_spare_site_of_a_large_timeline_is_kept_beside_the_output(places, tmp_path, capsys):
    """From 200 events the engine keeps the site before the last one, for the next build: beside
    the output folder, as the staging folder and the lock are, never where the command runs."""
    home, site = places
    for n in range(210):
        (site / "content" / f"e{n:03}.md").write_text(ENTRY.format(title=f"Event {n}"))
    before = listing(home)
    argv = ("build", "--content", str(site / "content"), "--output", str(tmp_path / "www"))
    for _ in range(3):
        summary(chronicle(capsys, *argv))
        (site / "content" / "e005.md").write_text(ENTRY.format(title=f"Event 5, edited {_}"))
    assert listing(home) == before
    assert sorted(p.name for p in tmp_path.iterdir()) == [".chronicle-spare-www", "home", "site", "www"]
    assert sorted(p.name for p in site.iterdir()) == [CACHE_DIR, "content"]


def test_the_cache_is_kept_beside_content_in_the_folder_the_build_runs_in(tmp_path, monkeypatch, capsys):
    (tmp_path / "content").mkdir()
    (tmp_path / "content" / "a.md").write_text(ENTRY.format(title="Here"))
    monkeypatch.chdir(tmp_path)
    monkeypatch.delenv(cli.CACHE_VARIABLE, raising=False)
    assert "cache: 0 of 1 entry)" in summary(chronicle(capsys, "build"))
    assert "cache: 1 of 1 entry)" in summary(chronicle(capsys, "build"))
    assert sorted(p.name for p in tmp_path.iterdir()) == [CACHE_DIR, "content", "output"]


def test_the_environment_says_where_the_cache_goes(places, tmp_path, monkeypatch, capsys):
    home, site = places
    before = listing(home)
    monkeypatch.setenv(cli.CACHE_VARIABLE, str(tmp_path / "caches" / "timeline"))
    argv = ("build", "--content", str(site / "content"), "--output", str(site / "output"))
    assert "cache: 0 of 2 entries)" in summary(chronicle(capsys, *argv))
    assert "cache: 2 of 2 entries)" in summary(chronicle(capsys, *argv))
    assert (tmp_path / "caches" / "timeline" / "cache.sqlite").is_file()
    assert not (site / CACHE_DIR).exists()
    assert listing(home) == before


def test_the_command_line_wins_over_the_environment(places, tmp_path, monkeypatch, capsys):
    home, site = places
    monkeypatch.setenv(cli.CACHE_VARIABLE, str(tmp_path / "from-environment"))
    argv = ("build", "--content", str(site / "content"), "--output", str(site / "output"),
            "--cache-dir", str(tmp_path / "from-option"))
    assert "cache: 0 of 2 entries)" in summary(chronicle(capsys, *argv))
    assert "cache: 2 of 2 entries)" in summary(chronicle(capsys, *argv))
    assert (tmp_path / "from-option" / "cache.sqlite").is_file()
    assert not (tmp_path / "from-environment").exists() and not (site / CACHE_DIR).exists()


def test_a_relative_cache_dir_is_taken_from_where_the_command_runs(places, capsys):
    home, site = places
    argv = ("build", "--content", str(site / "content"), "--output", str(site / "output"), "--cache-dir", "cache")
    summary(chronicle(capsys, *argv))
    assert (home / "cache" / "cache.sqlite").is_file()


def test_a_missing_content_folder_makes_no_cache_beside_it(places, tmp_path, capsys):
    home, _ = places
    run = chronicle(capsys, "build", "--content", str(tmp_path / "mistyped" / "content"))
    assert run.code == 2 and "content folder" in run.err and "not found" in run.err
    assert not (tmp_path / "mistyped").exists()
    assert sorted(p.name for p in home.iterdir()) == ["notes.txt"]


def test_an_output_folder_that_holds_the_cache_is_refused(places, tmp_path, capsys):
    """The cache is the author's own, as content/ is: a build never replaces the folder that holds it."""
    _, site = places
    holder = tmp_path / "holder"
    run = chronicle(capsys, "build", "--content", str(site / "content"), "--output", str(holder),
                    "--cache-dir", str(holder / "cache"))
    assert run.code == 2, run.err
    assert (holder / "cache" / "cache.sqlite").is_file() and not (holder / "index.html").exists()


@pytest.mark.parametrize("content, cwd, expected", [
    ("content", "/home/a", "content/../.chronicle-cache"),
    ("/srv/site/content", "/home/a", "/srv/site/.chronicle-cache"),
    ("site/content/", "/home/a", "site/.chronicle-cache"),
    ("site/./content", "/home/a", "site/.chronicle-cache"),
    (".", "/srv/site/content", "/srv/site/.chronicle-cache"),
    ("..", "/srv/site/content/sub", "/srv/site/.chronicle-cache"),
])
def test_the_cache_is_in_the_folder_that_holds_the_content_folder(content, cwd, expected):
    found = Options(content=Path(content), cwd=Path(cwd)).cache
    assert os.path.normpath(found) == os.path.normpath(expected)


def test_serve_reads_the_cache_a_build_kept_beside_content_from_another_folder(places, tmp_path):
    home, site = places
    argv = ["--content", str(site / "content"), "--output", str(site / "output")]
    subprocess.run([sys.executable, str(ROOT / "build.py"), "build", *argv], cwd=home, check=True,
                   capture_output=True)
    before = listing(home)
    cache = (site / CACHE_DIR / "cache.sqlite").read_bytes()
    server = Preview(home, *argv)
    try:
        assert "cache: 2 of 2 entries; output/ as it was)" in server.built, server.built
        assert "Event a" in server.get("/")[2]
    finally:
        code, err = server.stop()
    assert code == 0 and "Traceback" not in err, err
    assert listing(home) == before
    assert (site / CACHE_DIR / "cache.sqlite").read_bytes() == cache


def test_serve_takes_the_cache_the_environment_names(places, tmp_path, monkeypatch):
    home, site = places
    argv = ["--content", str(site / "content"), "--output", str(site / "output")]
    env = {**os.environ, cli.CACHE_VARIABLE: str(tmp_path / "elsewhere")}
    subprocess.run([sys.executable, str(ROOT / "build.py"), "build", *argv], cwd=home, check=True,
                   capture_output=True, env=env)
    assert (tmp_path / "elsewhere" / "cache.sqlite").is_file() and not (site / CACHE_DIR).exists()
    monkeypatch.setenv(cli.CACHE_VARIABLE, str(tmp_path / "elsewhere"))  # Preview passes the environment on
    server = Preview(home, *argv)
    try:
        assert "cache: 2 of 2 entries; output/ as it was)" in server.built, server.built
        assert "Event b" in server.get("/")[2]
    finally:
        code, err = server.stop()
    assert code == 0, err
    server = Preview(home, *argv, "--cache-dir", str(tmp_path / "none-here"))
    try:
        assert server.built.startswith("built 2 events") and "cache:" not in server.built, server.built
        assert "Event b" in server.get("/")[2]
    finally:
        server.stop()
    assert not (tmp_path / "none-here").exists()  # serve reads a cache, and makes none
