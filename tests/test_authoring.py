"""What authors tripped on (issue "What authors and readers tripped on", items 1–8), met at the command
line: whole lines, exit statuses, and nothing wrong published with status 0."""

import shutil

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


# --- 4. messages that miss -------------------------------------------------------------------------


def test_a_tab_is_named_as_a_tab(project):
    project.write("_index.md", BASE)
    project.entry("a.md", f"title: A\ndate: 2024-10-28\nsources:\n\t- {SOURCE}")
    project.entry("b.md", f"title: B\n\tdate: 2024-10-28\nsources: [{SOURCE}]")
    result = project.run("check")
    assert result.code == 1
    assert result.lines == [
        "content/a.md:5: error: this line is indented with a tab, and YAML allows only spaces — indent it with spaces",
        "content/b.md:3: error: this line is indented with a tab, and YAML allows only spaces — indent it with spaces",
        "check failed: 0 events, 2 errors",
    ]


def test_a_colon_in_a_title_shows_the_quoted_line_to_write(project):
    project.write("_index.md", BASE)
    project.entry("a.md", f"title: Ukraine: units seen in Kursk\ndate: 2024-10-28\nsources: [{SOURCE}]")
    project.entry("b.md", "title: B\ndate: 2024-10-28\nsources:\n  - url: https://a.org/x\n"
                          "    title: He said \"no\": a report")
    result = project.run("build")
    assert result.code == 1
    assert result.lines == [
        "content/a.md:2: error: ': ' in a value starts another field in YAML — "
        "write title: \"Ukraine: units seen in Kursk\"",
        "content/b.md:6: error: ': ' in a value starts another field in YAML — "
        "write title: 'He said \"no\": a report'",
        "build failed: 2 errors; output was left as it was",
    ]


def test_a_duplicate_slug_is_reported_at_its_slug_line(project):
    project.write("_index.md", BASE)
    project.entry("a.md", f"title: A\ndate: 2024-10-28\nsources: [{SOURCE}]")
    project.entry("b.md", f"title: B\ndate: 2024-10-28\nsources: [{SOURCE}]\nslug: a")
    project.entry("c/a.md", f"title: C\ndate: 2024-10-28\nsources: [{SOURCE}]")
    result = project.run("check")
    assert result.code == 1
    assert result.lines == [
        "content/b.md:5: error: slug 'a' is already used by content/a.md — write another slug",
        "content/c/a.md:1: error: slug 'a' is already used by content/a.md — "
        "rename the file or add `slug: another-name`",
        "check failed: 1 event, 2 errors",
    ]


def test_a_link_without_its_scheme_is_refused_with_the_link_to_write(project):
    project.write("_index.md", BASE)
    project.entry("a.md", "title: A\ndate: 2024-10-28\nsources:\n  - www.bbc.co.uk/news/x\n  - url: //a.org/y\n"
                          "  - localhost/z")
    result = project.run("check")
    assert result.code == 1
    assert result.lines == [
        "content/a.md:5: error: source url: 'www.bbc.co.uk/news/x' is not a link: it has no https:// — "
        "write https://www.bbc.co.uk/news/x",
        "content/a.md:6: error: source url: '//a.org/y' is not a link: it has no https:// — write https://a.org/y",
        "content/a.md:7: error: source url: 'localhost/z' is not an http or https link — "
        "only http:// and https:// sources are accepted",
        "check failed: 0 events, 3 errors",
    ]
    new = project.run("new", "B", "--date", "2024-10-28", "--source", "www.bbc.co.uk/news/x")
    assert (new.code, new.lines) == (2, ["chronicle: error: --source: 'www.bbc.co.uk/news/x' is not a link: "
                                         "it has no https:// — write https://www.bbc.co.uk/news/x"])


# --- 2. a bad date does not fall back to the file name ---------------------------------------------


def test_an_unreadable_date_is_an_error_even_in_a_dated_file(project):
    project.write("_index.md", BASE)
    project.entry("2024-10-31-strike.md", f"title: Strike\ndate: 1 Novembre 2024\nsources: [{SOURCE}]")
    project.entry("2024-10-30-empty.md", f"title: Empty\ndate:\nsources: [{SOURCE}]")
    result = project.run("build")
    assert result.code == 1
    assert result.lines == [
        "content/2024-10-30-empty.md:3: error: date is empty — write a date such as 2024-10-28, "
        "or delete the line to take 2024-10-30 from the file name",
        "content/2024-10-31-strike.md:3: error: date: '1 Novembre 2024' is not a date; "
        "write it like 2024-10-28, 28 October 2024 or 2024-10-28T14:30",
        "build failed: 2 errors; output was left as it was",
    ]
    assert not (project.root / "output").exists()


def test_the_file_names_date_is_used_when_no_date_is_written_or_the_written_one_begins_with_that_day(project):
    project.write("_index.md", BASE)
    project.entry("2014-05-06-turns-2.markdown", f"title: Jekyll turns 2.0.0\nsources: [{SOURCE}]")
    project.entry("2023-01-29-jekyll-3-9-3-released.markdown",
                  f"title: Jekyll 3.9.3 Released\ndate: 2023-01-29 18:30:22 2023 -0800\nsources: [{SOURCE}]")
    result = project.run("build")
    assert result.code == 0, result.err
    assert result.lines == [
        "content/2023-01-29-jekyll-3-9-3-released.markdown:3: warning: date: '2023-01-29 18:30:22 2023 -0800' "
        "is not a date; write it like 2024-10-28, 28 October 2024 or 2024-10-28T14:30; using 2023-01-29 from "
        "the file name instead",
    ]
    index = project.read("index.html")
    # Under its day's heading an event's own date is for machines and screen readers only (issue 22, item 12).
    assert '<time class="dt-start vh" datetime="2014-05-06">' in index
    assert '<time class="dt-start vh" datetime="2023-01-29">' in index


# --- 3. a misspelled field says both things in one line ----------------------------------------------


def test_a_misspelled_sources_is_one_line_and_fails_a_strict_check(project):
    project.write("_index.md", BASE)
    project.entry("a.md", "title: A\ndate: 2024-10-28\nsorces: [https://a.org]")
    line = "content/a.md:4: warning: unknown field 'sorces' — did you mean 'sources'? As written, the event has no sources"
    strict = project.run("check", "--strict")
    assert (strict.code, strict.lines) == (1, [line, "check failed: 1 event, 1 warning"])
    build = project.run("build")
    assert (build.code, build.lines) == (0, [line])


def test_a_misspelled_title_or_date_is_the_error_that_replaces_the_missing_one(project):
    project.write("_index.md", BASE)
    project.entry("a.md", f"titel: A\ndate: 2024-10-28\nsources: [{SOURCE}]")
    project.entry("b.md", f"title: B\ndat: 2024-10-28\nsources: [{SOURCE}]")
    project.entry("2024-10-28-c.md", f"title: C\ndat: 2024-10-29\nsources: [{SOURCE}]")
    result = project.run("check")
    assert result.code == 1
    assert result.lines == [
        "content/2024-10-28-c.md:3: warning: unknown field 'dat' — did you mean 'date'? As written, the date is "
        "the file name's, 2024-10-28",
        "content/a.md:2: error: unknown field 'titel' — did you mean 'title'? As written, the event has no title",
        "content/b.md:3: error: unknown field 'dat' — did you mean 'date'? As written, the event has no date",
        "check failed: 1 event, 2 errors, 1 warning",
    ]


# --- 8. seconds are shown as written ----------------------------------------------------------------


def test_a_time_written_to_the_second_is_shown_to_the_second(project):
    project.write("_index.md", "---\ntimezone: America/New_York\nbase_url: https://example.org/\n---\n")
    project.entry("a.md", f"title: Launch\ndate: 2024-10-28T06:45:56-04:00\nsources: [{SOURCE}]")
    project.entry("b.md", f"title: Briefing\ndate: 28 Oct 2024 14:30\nsources: [{SOURCE}]")
    project.entry("c.md", f"title: Talks\ndate: 2024-10-29 09:00:05\nend: 2024-10-29 10:15:00\nsources: [{SOURCE}]")
    result = project.run("build")
    assert (result.code, result.lines) == (0, [])
    index = project.read("index.html")  # grouped by day: the time alone
    assert '<time class="dt-start" datetime="2024-10-28T06:45:56-04:00">06:45:56 EDT</time>' in index
    assert '<time class="dt-start" datetime="2024-10-28T14:30-04:00">14:30 EDT</time>' in index
    assert '<time class="dt-start" datetime="2024-10-28T06:45:56-04:00">Monday, 28 October 2024, 06:45:56 EDT</time>' \
        in project.read("events/a/index.html")
    assert '<time class="dt-start" datetime="2024-10-29T09:00:05-04:00">29 October 2024, 09:00:05</time>–' \
           '<time class="dt-end" datetime="2024-10-29T10:15-04:00">10:15 EDT</time>' in project.read("events/c/index.html")


def test_a_span_within_a_day_shows_its_seconds():
    from zoneinfo import ZoneInfo

    from chronicle.dates import format_span, format_time, parse_when

    zone = ZoneInfo("Europe/Kyiv")
    start, end = (parse_when(text, zone=zone) for text in ("2024-10-28T06:45:56", "2024-10-28T07:00:00"))
    assert format_time(start) == "06:45:56 EET"
    assert format_span(start, end) == "28 October 2024, 06:45:56–07:00 EET"


# --- 7. warnings that drown ---------------------------------------------------------------------------

NO_SOURCES = "warning: no sources — add `sources:` with the link to where this was reported"


def test_many_warnings_of_one_kind_are_printed_once_with_a_count_and_check_lists_them_all(project):
    project.write("_index.md", BASE)
    for day in range(1, 13):
        project.entry(f"{day:02d}.md", f"title: Day {day}\ndate: 2024-10-{day:02d}")
    project.entry("13.md", f"title: Day 13\ndate: 2024-10-13\nsources: [{SOURCE}, {SOURCE}]")
    build = project.run("build")
    assert build.code == 0
    assert build.lines == [
        f"content/01.md:1: {NO_SOURCES}",
        "… and 11 more events without sources — `check` lists them all; `sources: optional` in "
        "content/_index.md turns this warning off for a timeline that is not a news record",
        f"content/13.md:4: warning: source {SOURCE} is listed twice (also item 1) — keep one",
    ]
    assert "(13 warnings; " in build.out
    check = project.run("check")
    assert check.code == 0
    assert check.lines == [f"content/{day:02d}.md:1: {NO_SOURCES}" for day in range(1, 13)] + [
        f"content/13.md:4: warning: source {SOURCE} is listed twice (also item 1) — keep one",
    ]
    assert check.out == "check ok: 13 events, 13 warnings\n"


def test_a_handful_of_warnings_is_printed_whole_and_errors_are_never_folded(project):
    project.write("_index.md", BASE)
    for day in range(1, 6):
        project.entry(f"{day:02d}.md", f"title: Day {day}\ndate: 2024-10-{day:02d}")
    for day in range(6, 14):
        project.entry(f"{day:02d}.md", f"title: Day {day}\ndate: 2024-10-{day + 30}\nsources: [{SOURCE}]")
    build = project.run("build")
    assert build.code == 1
    assert build.lines[:5] == [f"content/{day:02d}.md:1: {NO_SOURCES}" for day in range(1, 6)]
    assert [line.split(": error: ")[0] for line in build.lines[5:-1]] == [f"content/{day:02d}.md:3"
                                                                         for day in range(6, 14)]


def test_sources_optional_says_once_that_events_need_no_sources(project):
    project.write("_index.md", "---\ntitle: A history\nsources: optional\nbase_url: https://example.org/\n---\n")
    for day in range(1, 13):
        project.entry(f"{day:02d}.md", f"title: Day {day}\ndate: 2024-10-{day:02d}")
    project.entry("13.md", "title: Day 13\ndate: 2024-10-13\nsorces: [https://a.org]")
    result = project.run("check", "--strict")
    assert result.lines == [
        "content/13.md:4: warning: unknown field 'sorces' — did you mean 'sources'? As written, the event has "
        "no sources",
        "check failed: 13 events, 1 warning",
    ]
    (project.content / "13.md").unlink()
    assert (project.run("check", "--strict").code, project.run("check", "--strict").lines) == (0, [])


def test_sources_takes_only_optional_or_expected(project):
    project.write("_index.md", "---\nsources: none\nbase_url: https://example.org/\n---\n")
    project.entry("a.md", "title: A\ndate: 2024-10-28")
    result = project.run("check")
    assert result.code == 1
    assert result.lines[0] == ("content/_index.md:2: error: sources must be optional or expected, not 'none' — "
                               "write sources: optional for a timeline whose events need no sources")


# --- 6. the example passes its own strictest check ----------------------------------------------------


def test_the_shipped_example_passes_check_strict(project):
    shutil.copytree(ROOT / "content", project.content, dirs_exist_ok=True)
    result = project.run("check", "--strict")
    assert (result.code, result.lines, result.out) == (0, [], "check ok: 5 events, no problems\n")


def test_a_value_that_is_all_comment_is_an_error_when_it_looks_like_text(project):
    project.write("_index.md", BASE)
    project.entry("a.md", f"""
        title: #3 in Odesa
        date: 28 Oct #2024
        location: #port
        end:   # not known yet
        sources: [{SOURCE}]
    """)
    result = project.run("check")
    assert result.code == 1
    assert result.lines == [
        "content/a.md:2: error: '#3 in Odesa' is dropped as a comment, leaving the value empty — "
        "write title: \"#3 in Odesa\", or put the comment on a line of its own",
        "content/a.md:3: error: '#2024' is dropped as a comment, leaving '28 Oct' — "
        "write date: \"28 Oct #2024\", or put the comment on a line of its own",
        "content/a.md:4: error: '#port' is dropped as a comment, leaving the value empty — "
        "write location: \"#port\", or put the comment on a line of its own",
        "check failed: 0 events, 3 errors",
    ]


def test_a_revision_is_shown_with_its_correction_and_given_to_machines(project, sourced):
    """A news timeline shows a revision (issue 22, item 10): "Updated …" on the event, a correction as
    such, dateModified in JSON-LD; a correction without the day it was made is an error."""
    import json
    import re
    project.entry("a.md", f"title: Talks\ndate: 2024-10-28\nupdated: 2024-11-02\n"
                          f"correction: The meeting was in Geneva, not Vienna.\n{sourced}")
    project.entry("b.md", f"title: Quiet\ndate: 2024-10-29\n{sourced}")
    assert project.run("build").code == 0
    for page in (project.read("index.html"), project.read("events/a/index.html")):
        assert ('<p class="revision">Updated <time class="dt-updated" datetime="2024-11-02">2 November 2024</time>'
                ' · <strong class="correction-label">Correction:</strong> <span class="correction">The meeting was '
                'in Geneva, not Vienna.</span></p>') in page
    assert 'class="revision"' not in project.read("events/b/index.html")
    schema = json.loads(re.search(r'<script type="application/ld\+json">(.*?)</script>',
                                  project.read("events/a/index.html"), re.S).group(1))
    assert schema["dateModified"] == "2024-11-02"
    project.entry("c.md", f"title: Fixed\ndate: 2024-10-30\ncorrection: A typo.\n{sourced}")
    result = project.run("check")
    assert "content/c.md:4: error: correction needs updated: — add `updated:` with the day the entry was " \
           "corrected, such as updated: 2024-11-02" in result.lines
