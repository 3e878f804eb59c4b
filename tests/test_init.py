"""`chronicle init [DIR]`: a new timeline that builds and checks at once, with its settings explained,
a real example event, a .gitignore and a workflow that publishes it on GitHub Pages (issue 21)."""

from __future__ import annotations

import re
import subprocess
import tomllib
from pathlib import Path

import pytest
import yaml

from chronicle import __version__, cli
from chronicle.config import CACHE_DIR, SETTING_NAMES, read_settings
from chronicle.diagnostics import Report
from chronicle.init import DISTRIBUTION, EXAMPLE_NAME, WORKFLOW, files
from conftest import ROOT, Run, tree

WRITTEN = ["content/_index.md", f"content/{EXAMPLE_NAME}", ".gitignore", WORKFLOW]
NO_BASE_URL = ("{}content/_index.md: warning: no base_url: sitemap.xml is not written, robots.txt names no sitemap, "
               "and feed and calendar links are relative — set base_url in content/_index.md or pass --base-url URL")


@pytest.fixture
def chronicle(tmp_path, monkeypatch, capsys):
    """Run a command in tmp_path as `chronicle …` would."""
    monkeypatch.chdir(tmp_path)
    monkeypatch.delenv(cli.CACHE_VARIABLE, raising=False)

    def run(*argv: str) -> Run:
        capsys.readouterr()
        code = cli.main(list(argv))
        captured = capsys.readouterr()
        return Run(code, captured.out, captured.err)

    return run


def test_init_writes_a_timeline_that_builds_and_checks_at_once(chronicle, tmp_path):
    run = chronicle("init", "site")
    assert run.code == 0, run.err
    assert run.out.splitlines() == [f"site/{name}" for name in WRITTEN]
    assert run.err == ("started a timeline in site: `chronicle serve` there previews it, `chronicle new` adds an event, "
                       "and a file put in static/ beside content/ (a CNAME, a favicon.ico) is published as it is\n")
    site = tmp_path / "site"
    assert tree(site) == {name: text.encode() for name, text in files().items()}

    built = chronicle("build", "--content", "site/content", "--output", "site/output")
    assert built.code == 0, built.err
    assert built.out.startswith("built 1 event, 7 pages into site/output/ in "), built.out
    assert built.out.rstrip().endswith("(1 warning; cache: 0 of 1 entry)"), built.out
    assert built.lines == [NO_BASE_URL.format("site/")]  # the one thing left to the author: where it is published
    page = (site / "output" / "index.html").read_text()
    assert "<title>My timeline</title>" in page and "NATO confirms North Korean units deployed to Kursk" in page

    checked = chronicle("check", "--content", "site/content")
    assert checked.code == 0, checked.err
    assert checked.out == "check ok: 1 event, 1 warning\n" and checked.lines == [NO_BASE_URL.format("site/")]
    # Published as the workflow does, with the address GitHub Pages gives: no warning at all.
    strict = chronicle("check", "--strict", "--content", "site/content", "--base-url", "https://someone.github.io/t")
    assert (strict.code, strict.out, strict.err) == (0, "check ok: 1 event, no problems\n", "")


def test_init_with_no_folder_starts_the_timeline_here(chronicle, tmp_path):
    run = chronicle("init")
    assert run.code == 0, run.err
    assert run.out.splitlines() == WRITTEN
    assert run.err.startswith("started a timeline here: ")
    built = chronicle()  # build, the default command
    assert built.code == 0 and "cache: 0 of 1 entry)" in built.out, built.err
    again = chronicle("build")
    assert again.code == 0 and "cache: 1 of 1 entry)" in again.out, again.out
    assert sorted(p.name for p in tmp_path.iterdir()) == [CACHE_DIR, ".github", ".gitignore", "content", "output"]


def test_every_setting_is_there_set_or_commented_and_each_reads_when_uncommented():
    index = files()["content/_index.md"]
    front = index.split("---\n")[1]
    set_here = re.findall(r"^(\w+):", front, re.M)
    commented = re.findall(r"^# (\w+): ", front, re.M)
    assert sorted(set_here + commented) == sorted(SETTING_NAMES)
    assert set(commented) == {"base_url", "year", "date_order", "calendar", "search", "eras"}
    # Every setting is explained on the line(s) just above it, never after its value.
    lines = front.splitlines()
    for name in SETTING_NAMES:
        at = next(i for i, line in enumerate(lines) if re.match(rf"(# )?{name}: ", line))
        assert lines[at - 1].startswith("# ") and not re.match(r"# \w+: ", lines[at - 1]), name
        assert " #" not in lines[at].removeprefix("# "), name

    def settings(text: str):
        report = Report()
        read = read_settings(Path("content/_index.md"), text, report)
        assert report.items == [], [str(d) for d in report.items]
        return read

    as_written = settings(index)
    assert (as_written.title, as_written.timezone, as_written.language, as_written.sort, as_written.sources,
            as_written.feed_events, as_written.page_events) == ("My timeline", "UTC", "en", "oldest-first",
                                                                "expected", 50, 150)
    assert as_written.intro.startswith("The introduction, in Markdown")
    uncommented = settings(re.sub(r"^# (base_url|year|date_order|calendar|search|eras): ", r"\1: ", index,
                                  flags=re.M))
    assert (uncommented.base_url, uncommented.year, uncommented.date_order, uncommented.calendar,
            uncommented.search) == ("https://example.org/timeline/", 2024, "DMY", "julian", True)
    assert [(era.name, era.start.iso(), era.end.iso(), era.colour) for era in uncommented.eras] == [
        ("Cold War", "1947", "1991", "#2a6f97")]


def test_the_example_cites_only_links_the_example_timeline_cites():
    """A real event, with the published reports Chronicle's own example gives for it: no invented link."""
    example = files()[f"content/{EXAMPLE_NAME}"]
    links = re.findall(r"https?://\S+", example)
    assert len(links) == 2
    cited = "".join(path.read_text(encoding="utf-8") for path in (ROOT / "content").glob("*.md"))
    for link in links:
        assert f"url: {link}\n" in cited, link


def test_the_gitignore_leaves_only_the_authors_files_to_commit(chronicle, tmp_path):
    """After builds (a large timeline keeps a spare site too) and a build interrupted mid-way, git
    sees only what the author writes."""
    assert chronicle("init").code == 0
    for n in range(210):
        (tmp_path / "content" / f"e{n:03}.md").write_text(
            f"---\ntitle: Event {n}\ndate: 2024-10-28\nsources: [https://example.org/{n}]\n---\nText.\n")
    for _ in range(3):
        assert chronicle("build").code == 0
        (tmp_path / "content" / "e001.md").write_text(f"---\ntitle: Edited {_}\ndate: 2024-10-28\n---\nText.\n")
    (tmp_path / ".chronicle-staging-abc123").mkdir()  # as an interrupted build leaves them
    (tmp_path / ".chronicle-retired-def456").mkdir()
    (tmp_path / ".chronicle-retired-def456" / "index.html").write_text("old\n")
    assert (tmp_path / ".chronicle-spare-output").is_dir()
    subprocess.run(["git", "init", "-q", str(tmp_path)], check=True)
    status = subprocess.run(["git", "status", "--porcelain", "--untracked-files=normal"], cwd=tmp_path,
                            capture_output=True, text=True, check=True).stdout
    assert sorted(status.splitlines()) == ["?? .github/", "?? .gitignore", "?? content/"]


def test_the_workflow_installs_builds_with_the_cache_and_publishes_on_github_pages():
    workflow = yaml.safe_load(files()[WORKFLOW])
    assert workflow[True] == {"push": {"branches": ["main"]}, "workflow_dispatch": None}  # YAML 1.1 reads `on` as true
    assert workflow["permissions"] == {"contents": "read", "pages": "write", "id-token": "write"}
    build, deploy = workflow["jobs"]["build"]["steps"], workflow["jobs"]["deploy"]
    uses = [step.get("uses", "").split("@")[0] for step in build]
    assert uses == ["actions/checkout", "actions/setup-python", "", "actions/configure-pages", "actions/cache", "",
                    "actions/upload-pages-artifact"]
    install, pages, cache, command, upload = build[2], build[3], build[4], build[5], build[6]
    project = tomllib.loads((ROOT / "pyproject.toml").read_text(encoding="utf-8"))["project"]
    assert install["run"] == f'python -m pip install "{project["name"]}=={project["version"]}"'
    assert (DISTRIBUTION, __version__) == (project["name"], project["version"])
    assert cache["with"]["path"] == CACHE_DIR  # beside content/, where build keeps it
    assert cache["with"]["key"].endswith("${{ github.sha }}") and cache["with"]["key"].startswith(
        cache["with"]["restore-keys"])
    assert command["run"] == f'chronicle build --base-url "${{{{ steps.{pages["id"]}.outputs.base_url }}}}/"'
    assert upload["with"] == {"path": "output"}
    assert deploy["needs"] == "build" and deploy["environment"]["name"] == "github-pages"
    assert [step["uses"].split("@")[0] for step in deploy["steps"]] == ["actions/deploy-pages"]
    assert deploy["environment"]["url"] == f'${{{{ steps.{deploy["steps"][0]["id"]}.outputs.page_url }}}}'


def test_the_workflows_build_command_builds_the_new_timeline(chronicle, tmp_path):
    assert chronicle("init").code == 0
    workflow = yaml.safe_load((tmp_path / WORKFLOW).read_text())
    command = next(step["run"] for step in workflow["jobs"]["build"]["steps"] if step.get("name") == "Build")
    argv = command.replace("${{ steps.pages.outputs.base_url }}", "https://someone.github.io/timeline").split()
    assert argv[0] == "chronicle"
    run = chronicle(*[arg.strip('"') for arg in argv[1:]])
    assert run.code == 0 and run.err == "", run.err
    assert "https://someone.github.io/timeline/" in (tmp_path / "output" / "sitemap.xml").read_text()


@pytest.mark.parametrize("present", ["content/", "content", *WRITTEN])
def test_init_refuses_a_folder_that_holds_a_timeline_or_any_file_it_would_write(chronicle, tmp_path, present):
    site = tmp_path / "site"
    path = site / present
    if present.endswith("/"):
        path.mkdir(parents=True)
    else:
        path.parent.mkdir(parents=True, exist_ok=True)
        path.write_text("the author's own\n")
    (site / "notes.txt").write_text("kept\n")
    before = {p.relative_to(site).as_posix() for p in site.rglob("*")}
    run = chronicle("init", "site")
    assert run.code == 2 and run.out == ""
    (line,) = run.lines
    assert line.startswith("chronicle: error: ")
    if present.startswith("content"):
        assert "site/content already exists: site holds a timeline" in line
    else:
        assert f"site/{present} already exists — init writes nothing over a file" in line
    assert {p.relative_to(site).as_posix() for p in site.rglob("*")} == before
    assert path.is_dir() or path.read_text() == "the author's own\n"


def test_init_refuses_a_file_in_place_of_the_folder(chronicle, tmp_path):
    (tmp_path / "site").write_text("a file\n")
    run = chronicle("init", "site")
    assert (run.code, run.lines) == (2, ["chronicle: error: site is not a folder — pass the folder to start the "
                                         "timeline in"])


def test_init_names_every_file_that_is_in_the_way(chronicle, tmp_path):
    (tmp_path / ".gitignore").write_text("*.log\n")
    (tmp_path / ".github" / "workflows").mkdir(parents=True)
    (tmp_path / WORKFLOW).write_text("name: Mine\n")
    run = chronicle("init")
    assert run.code == 2
    assert run.lines == [f"chronicle: error: .gitignore, {WORKFLOW} already exist — init writes nothing over a "
                         "file; move it away, or pass another folder"]
    assert (tmp_path / ".gitignore").read_text() == "*.log\n" and not (tmp_path / "content").exists()
