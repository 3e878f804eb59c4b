"""`new`: a new entry from a template, checked first, never overwriting, and valid as written."""

import re

from chronicle.config import Settings
from chronicle.diagnostics import Report
from chronicle.entries import PLACEHOLDER_BODY, read_entry


def test_new_writes_an_entry_that_builds(project):
    project.write("_index.md", "---\ntimezone: Europe/Kyiv\nyear: 2024\nbase_url: https://example.org/\n---\n")
    result = project.run("new", "Ukraine: units seen in Kursk", "--date", "4 November",
                         "--source", "https://example.org/a", "--tag", "Ukraine", "--tag", "North Korea")
    assert result.code == 0, result.err
    assert result.out == "content/2024-11-04-ukraine-units-seen-in-kursk.md\n"
    path = project.content / "2024-11-04-ukraine-units-seen-in-kursk.md"
    report = Report()
    event = read_entry(path, path.read_text(), Settings(timezone="Europe/Kyiv", year=2024), report)
    assert [str(d) for d in report.items] == [
        "content/2024-11-04-ukraine-units-seen-in-kursk.md:25: warning: the text is still the placeholder that `new` wrote — write what happened in its place"
    ]
    assert event.title == "Ukraine: units seen in Kursk"
    assert event.start.iso() == "2024-11-04"
    assert [s.url for s in event.sources] == ["https://example.org/a"]
    assert event.tags == ("Ukraine", "North Korea")
    check = project.run("check", "--strict")
    assert (check.code, check.lines) == (1, [
        "content/2024-11-04-ukraine-units-seen-in-kursk.md:25: warning: the text is still the placeholder that "
        "`new` wrote — write what happened in its place",
        "check failed: 1 event, 1 warning",
    ])
    path.write_text(path.read_text().replace(PLACEHOLDER_BODY, "Ukraine's army said units were seen."))
    assert project.run("check", "--strict").code == 0


def test_every_commented_field_of_the_template_reads_as_written_when_uncommented(project):
    """Each field `new` suggests is explained on a line of its own, so uncommenting it leaves no comment
    after its value; an end suggested is after the date; the placeholders left in place are warned of."""
    project.write("_index.md", "---\ntimezone: Europe/Kyiv\nbase_url: https://example.org/\n---\n")
    for title, date in (("With a source", "28 October 2024"), ("Timed", "2024-10-29T14:30"), ("A month", "2024-11")):
        argv = ["new", title, "--date", date] + (["--source", "https://example.org/a"] if "source" in title else [])
        assert project.run(*argv).code == 0
    for path in sorted(project.content.glob("2024-*.md")):
        text = path.read_text()
        assert not re.search(r"(?m)^[^#\n]*\S +#", text), "no comment after a value"
        for field in ("end", "slug", "weight", "updated", "draft", "location", "summary", "tags"):
            assert f"\n# {field}: " in text, (path.name, field)
        uncommented = re.sub(r"(?m)^( *)# ( *-? ?[a-z]+: )", r"\1\2", text)
        path.write_text(uncommented.replace(PLACEHOLDER_BODY, "What was seen."))
    result = project.run("check", "--drafts")
    assert result.code == 0, result.err
    assert result.lines == [
        "content/2024-10-28-with-a-source.md:7: warning: source publisher 'The name of the outlet' is the "
        "placeholder that `new` wrote — write the source's own publisher, or delete the line",
        "content/2024-10-28-with-a-source.md:7: warning: source title 'The headline' is the placeholder that "
        "`new` wrote — write the source's own title, or delete the line",
        "content/2024-10-29-timed.md:8: warning: source publisher 'The name of the outlet' is the placeholder "
        "that `new` wrote — write the source's own publisher, or delete the line",
        "content/2024-10-29-timed.md:8: warning: source title 'The headline' is the placeholder that `new` "
        "wrote — write the source's own title, or delete the line",
        "content/2024-10-29-timed.md:8: warning: source url 'https://example.org/where-it-was-reported' is the "
        "placeholder that `new` wrote — write the source's own url, or delete the line",
        "content/2024-11-a-month.md:8: warning: source publisher 'The name of the outlet' is the placeholder "
        "that `new` wrote — write the source's own publisher, or delete the line",
        "content/2024-11-a-month.md:8: warning: source title 'The headline' is the placeholder that `new` "
        "wrote — write the source's own title, or delete the line",
        "content/2024-11-a-month.md:8: warning: source url 'https://example.org/where-it-was-reported' is the "
        "placeholder that `new` wrote — write the source's own url, or delete the line",
    ]
    ends = [re.search(r"(?m)^end: (.*)$", path.read_text())[1] for path in sorted(project.content.glob("2024-*.md"))]
    assert ends == ["2024-10-29", "2024-10-29T15:30+02:00", "2024-12"]


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


def test_new_takes_a_historian_s_date_and_its_suggestions_read_back(project):
    """`new` takes every date form a build takes (issue 16); a date ISO cannot write plainly gives no
    file-name prefix; the end it suggests, uncommented, builds."""
    project.write("_index.md", "---\nsources: optional\n---\n")
    for title, date in (("Memphis decree", "196 BCE"), ("Gutenberg", "c. 1440"), ("Big Bang", "-13800000000"),
                        ("Sack of Rome", "24 August 410"), ("The web", "1991/..")):
        result = project.run("new", title, "--date", date)
        assert result.code == 0, result.err
    names = sorted(p.name for p in project.content.glob("*.md") if p.name != "_index.md")
    assert names == ["0410-08-24-sack-of-rome.md", "1991-the-web.md", "big-bang.md", "gutenberg.md",
                     "memphis-decree.md"]
    for name in names:
        path = project.content / name
        text = re.sub(r"(?m)^# (end: )", r"\1", path.read_text()) if "web" not in name else path.read_text()
        path.write_text(text.replace(PLACEHOLDER_BODY, "What happened."))
    result = project.run("build")
    assert result.code == 0, result.err
    ends = {p.name: re.search(r"(?m)^#? ?end: (.*)$", p.read_text())[1] for p in project.content.glob("*-*.md")}
    assert ends["memphis-decree.md"] == "196 BCE" and ends["0410-08-24-sack-of-rome.md"] == "0410-08-25"
