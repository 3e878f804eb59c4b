"""What authors tripped on (issue "What authors and readers tripped on", items 1–8), met at the command
line: whole lines, exit statuses, and nothing wrong published with status 0."""

from conftest import ROOT, SOURCE

BASE = "---\nbase_url: https://example.org/\n---\n"  # no base_url warning in these tests


# --- 1. `#` cuts text --------------------------------------------------------------------------------


def test_a_comment_after_a_plain_value_is_an_error_that_shows_the_quoted_line(project):
    project.write("_index.md", BASE)
    project.entry("a.md", f"""
        title: Strike on Pier #3 in Odesa
        date: 2024-10-28
        location: Odesa #port
        tags:
          - port #3
        sources: [{SOURCE}]
    """)
    result = project.run("build")
    assert result.code == 1
    assert result.lines == [
        "content/a.md:2: error: '#3 in Odesa' is dropped as a comment, leaving 'Strike on Pier' — "
        "write title: \"Strike on Pier #3 in Odesa\", or put the comment on a line of its own",
        "content/a.md:4: error: '#port' is dropped as a comment, leaving 'Odesa' — "
        "write location: \"Odesa #port\", or put the comment on a line of its own",
        "content/a.md:6: error: '#3' is dropped as a comment, leaving 'port' — "
        "write - \"port #3\", or put the comment on a line of its own",
        "build failed: 3 errors; output was left as it was",
    ]
    assert not (project.root / "output").exists()


def test_a_comment_on_its_own_line_or_after_a_quoted_value_or_a_number_is_fine(project):
    project.write("_index.md", BASE)
    project.entry("a.md", f"""
        # the strike of 28 October
        title: "Strike on Pier #3 in Odesa"   # quoted: the whole title
        date: 2024-10-28
        location: 'Odesa #port'
        weight: 2   # after the others
        draft: false  # published
        sources:
          # the first report
          - {SOURCE}#section
    """)
    result = project.run("check", "--strict")
    assert result.lines == []
    assert result.out == "check ok: 1 event, no problems\n"
    assert result.code == 0
    assert project.run("build").code == 0
    assert "Strike on Pier #3 in Odesa" in project.read("index.html")
    assert "Odesa #port" in project.read("index.html")


def test_a_comment_after_a_setting_is_an_error_too(project):
    project.write("_index.md", "---\ntitle: Pier #3\nbase_url: https://example.org/\n---\n")
    project.entry("a.md", f"title: A\ndate: 2024-10-28\nsources: [{SOURCE}]")
    result = project.run("check")
    assert result.code == 1
    assert result.lines == [
        "content/_index.md:2: error: '#3' is dropped as a comment, leaving 'Pier' — "
        "write title: \"Pier #3\", or put the comment on a line of its own",
        "check failed: 1 event, 1 error",
    ]


def test_the_readmes_index_example_is_valid_as_written(project):
    readme = (ROOT / "README.md").read_text(encoding="utf-8")
    block = readme.split("`content/_index.md` describes the timeline:\n\n```yaml\n", 1)[1].split("```", 1)[0]
    project.write("_index.md", block)
    project.entry("a.md", f"title: A\ndate: 2024-10-28\nsources: [{SOURCE}]")
    result = project.run("check", "--strict")
    assert (result.code, result.lines) == (0, [])
