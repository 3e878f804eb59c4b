"""`new`: a new entry from a template, checked first, never overwriting, and valid as written."""

from chronicle.config import Settings
from chronicle.diagnostics import Report
from chronicle.entries import read_entry


def test_new_writes_an_entry_that_builds(project):
    project.write("_index.md", "---\ntimezone: Europe/Kyiv\nyear: 2024\nbase_url: https://example.org/\n---\n")
    result = project.run("new", "Ukraine: units seen in Kursk", "--date", "4 November",
                         "--source", "https://example.org/a", "--tag", "Ukraine", "--tag", "North Korea")
    assert result.code == 0, result.err
    assert result.out == "content/2024-11-04-ukraine-units-seen-in-kursk.md\n"
    path = project.content / "2024-11-04-ukraine-units-seen-in-kursk.md"
    report = Report()
    event = read_entry(path, path.read_text(), Settings(timezone="Europe/Kyiv", year=2024), report)
    assert report.items == []
    assert event.title == "Ukraine: units seen in Kursk"
    assert event.start.iso() == "2024-11-04"
    assert [s.url for s in event.sources] == ["https://example.org/a"]
    assert event.tags == ("Ukraine", "North Korea")
    assert project.run("check", "--strict").code == 0


def test_new_without_sources_leaves_them_commented(project):
    assert project.run("new", "A timed thing", "--date", "2024-10-28T14:30-04:00").code == 0
    text = (project.content / "2024-10-28-a-timed-thing.md").read_text()
    assert "  # - url: https://example.org/where-it-was-reported" in text
    assert "date: 2024-10-28T14:30-04:00" in text


def test_new_refuses_to_overwrite(project):
    assert project.run("new", "Same", "--date", "2024-10-28").code == 0
    path = project.content / "2024-10-28-same.md"
    path.write_text("my own words")
    result = project.run("new", "Same", "--date", "2024-10-28")
    assert result.code == 2
    assert result.lines == [
        "chronicle: error: content/2024-10-28-same.md already exists — choose another title, or edit that file"
    ]
    assert path.read_text() == "my own words"


def test_new_checks_the_date_and_links_first(project):
    result = project.run("new", "X", "--date", "yesterday", "--source", "javascript:alert(1)")
    assert result.code == 2
    assert result.lines == [
        "chronicle: error: --date: 'yesterday' is not a date; write it like 2024-10-28, 28 October 2024 "
        "or 2024-10-28T14:30",
        "chronicle: error: --source: 'javascript:alert(1)' is not an http or https link — only http:// and "
        "https:// sources are accepted",
    ]
    assert list(project.content.iterdir()) == []
