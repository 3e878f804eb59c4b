"""`chronicle import markwhen`: Markwhen's documented dates, sections, tags, links and header, through the
command line as an author runs it; examples from docs.markwhen.com (tests/data/markwhen/README.md)."""

from __future__ import annotations

import json
import textwrap
from pathlib import Path

import pytest
import yaml

DATA = Path(__file__).parent / "data" / "markwhen"


def import_mw(project, text: str, *options: str):
    """Write story.mw beside content/, import it; return the run and the entries written, in the file's order."""
    source = project.root / "story.mw"
    source.write_text(textwrap.dedent(text).lstrip("\n"), encoding="utf-8")
    run = project.run("import", "markwhen", str(source), *options)
    return run, written(project, run)


def written(project, run) -> list[dict]:
    entries = []
    for line in run.out.splitlines():
        path = project.root / line.split("  ← ")[0]
        if path.name == "_index.md":
            continue
        front, _, body = path.read_text(encoding="utf-8").removeprefix("---\n").partition("\n---\n")
        entries.append({**yaml.safe_load(front), "body": body.strip(), "file": path.name})
    return entries


# The dates of Markwhen's documentation (Syntax: Events; Dates and Ranges) → the date Chronicle gets, at
# the precision written; a range's end is its last day (Markwhen's end is the moment just after it).
DATES = [
    ("12/2012", "2012-12", None),
    ("1961", "1961", None),
    ("12/7/1941", "1941-12-07", None),
    ("2022-02-22T16:27:08.369Z", "2022-02-22T16:27:08Z", None),
    ("2021-01-02T06:27:00Z-2022", "2021-01-02T06:27:00Z", "2022"),
    ("1892/2021-08-12", "1892", "2021-08-12"),
    ("1981", "1981", None),
    ("2012-05", "2012-05", None),
    ("2022-01-30", "2022-01-30", None),
    ("1964/2008", "1964", "2008"),
    ("2004-06 / 2006-08", "2004-06", "2006-08"),
    ("2004-02-01/ 2005-02-08", "2004-02-01", "2005-02-08"),
    ("2004-02-01 /2005-02", "2004-02-01", "2005-02"),
    ("2004-02-01/2005", "2004-02-01", "2005"),
    ("2005/2006-02", "2005", "2006-02"),
    ("2018/6 months", "2018", "2018-06"),
    ("1665", "1665", None),
    ("03/2222", "2222-03", None),
    ("09/11/2001", "2001-09-11", None),
    ("18 March 2026", "2026-03-18", None),
    ("2031-11-19T01:35:10Z", "2031-11-19T01:35:10Z", None),
    ("2024", "2024", None),
    ("04/1776", "1776-04", None),
    ("01/01/2024", "2024-01-01", None),
    ("11/11/2024-12/12/2024", "2024-11-11", "2024-12-12"),
    ("2031-11-19T01:35:10Z-2099-08-04T18:22:48Z", "2031-11-19T01:35:10Z", "2099-08-04T18:22:48Z"),
    ("1 Jan 1998 to 11/11/2011 8am", "1998-01-01", "2011-11-11T08:00"),
    ("4 January 1996", "1996-01-04", None),
    ("Oct 8 2012", "2012-10-08", None),
    ("1998-06/01/2000", "1998", "2000-06-01"),
    ("08/2015-05/2017", "2015-08", "2017-05"),
    ("2025-01/2025-03", "2025-01", "2025-03"),
    ("2025-04/4 months", "2025-04", "2025-07"),
    ("03/2025 - 1 year", "2025-03", "2026-02"),
    ("2018 - 3 years", "2018", "2020"),
    ("2024-10-28 / 3 days", "2024-10-28", "2024-10-30"),
    ("2025-08-03 10am", "2025-08-03T10:00", None),
    ("July 13, 2022 - 5 week days", "2022-07-13", "2022-07-19"),
    ("300-200 BC", "300 BC", "200 BC"),
    ("79 AD", "79 AD", None),
]


@pytest.mark.parametrize("written, date, end", DATES, ids=[d[0] for d in DATES])
def test_documented_dates(project, written, date, end):
    run, entries = import_mw(project, f"{written}: The event\n")
    assert run.code == 0, run.err
    assert entries[0]["date"] == date
    assert entries[0].get("end") == end


def test_relative_dates_follow_the_previous_event(project):
    run, entries = import_mw(project, """
        01/01/2023 - 2 weeks: Phase 1 #Exploratory
        2 weeks: Phase 2 #Implementation
        1 month: Phase 3 #Implementation
        1 week - 3 days: Phase 4 - kickoff! #Launch
        2021 - 2023: More pandemic
        1 year: Less pandemic?
    """)
    assert run.code == 0, run.err
    assert [(e["title"], e["date"], e.get("end")) for e in entries] == [
        ("Phase 1", "2023-01-01", "2023-01-14"),
        ("Phase 2", "2023-01-15", "2023-01-28"),
        ("Phase 3", "2023-01-29", "2023-02-27"),  # 29 January + 1 month is 28 February, as Luxon counts
        ("Phase 4 - kickoff!", "2023-03-07", "2023-03-09"),
        ("More pandemic", "2021", "2023"),
        ("Less pandemic?", "2024", None),  # a whole year after 2023: the year itself
    ]


def test_event_ids_anchor_dates_and_become_slugs(project):
    run, entries = import_mw(project, """
        01/01/2023 - 2 weeks: Phase 1 #Exploratory
        id: Phase1
        after !Phase1 2 weeks: Phase 2, in parallel with Phase 3 #Implementation
        after !Phase1 1 month: Phase 3, in parallel with Phase 2 #Implementation
        2022-12-25: Christmas
        id: Christmas
        before !Christmas 1 month: Buy presents
        before !Christmas 1 week - 1 month: Buy presents early
        2025-11-23 / 2025-11-28: Thanksgiving break
          id: thanksgiving
        2025-12-23 / 2026-01-03: Winter break
          id: winter
        !thanksgiving.start / !winter.end: Thanksgiving break to winter break, inclusive
        2021-06-12 / 2021-06-22: Work trip
          id: trip
        by !trip.end 1 year / 1 month: An event lasting one month
        .start / 2 months: From the start of the previous event
        2022-12-26: Boxing day !boxing
        after !boxing 1 day: The day after
    """)
    assert run.code == 0, run.err
    assert [(e["title"], e["date"], e.get("end"), e.get("slug")) for e in entries] == [
        ("Phase 1", "2023-01-01", "2023-01-14", "phase1"),
        ("Phase 2, in parallel with Phase 3", "2023-01-15", "2023-01-28", None),
        ("Phase 3, in parallel with Phase 2", "2023-01-15", "2023-02-14", None),
        ("Christmas", "2022-12-25", None, "christmas"),
        ("Buy presents", "2022-11-25", "2022-12-24", None),
        ("Buy presents early", "2022-11-18", "2022-12-17", None),
        ("Thanksgiving break", "2025-11-23", "2025-11-28", "thanksgiving"),
        ("Winter break", "2025-12-23", "2026-01-03", "winter"),
        ("Thanksgiving break to winter break, inclusive", "2025-11-23", "2026-01-03", None),
        ("Work trip", "2021-06-12", "2021-06-22", "trip"),
        ("An event lasting one month", "2020-05-23", "2020-06-22", None),
        ("From the start of the previous event", "2020-05-23", "2020-07-22", None),
        ("Boxing day", "2022-12-26", None, "boxing"),
        ("The day after", "2022-12-27", None, None),
    ]


def test_an_unknown_id_counts_as_markwhen_counts_it_with_a_note(project):
    # Markwhen's parser counts a start from an unknown (or later) id from the event before it, and an
    # end from the event's own start: the file still imports, each such date told at its line.
    run, entries = import_mw(project, """
        2025-04-06/2025-04-30: Prepare
        after !nosuch 2 weeks: Design
        2025-06-01/after !later 3 days: Build
        before !missing 1 week: Review
    """)
    assert run.code == 0, run.err
    assert [(e["title"], e["date"], e.get("end")) for e in entries] == [
        ("Prepare", "2025-04-06", "2025-04-30"),
        ("Design", "2025-05-01", "2025-05-14"),
        ("Build", "2025-06-01", "2025-06-03"),
        ("Review", "2025-05-25", "2025-05-31"),
    ]
    assert [line for line in run.lines if ": note: " in line] == [
        "story.mw:2: note: !nosuch is not the id of an event before this one: counted from the event before it, "
        "as Markwhen does",
        "story.mw:3: note: !later is not the id of an event before this one: counted from this event's start, "
        "as Markwhen does",
        "story.mw:4: note: !missing is not the id of an event before this one: counted from the event before it, "
        "as Markwhen does"]


def test_now_without_the_option_is_an_error_saying_to_pass_it(project):
    run, _ = import_mw(project, "2020-02-22T12:13:14Z-now: How long the pandemic has been going on?\n")
    assert run.code == 1
    assert run.err.splitlines() == [
        "story.mw:1: error: `now` (or a date counted from it) means the day the document is read; "
        "pass --now DATE (such as --now 2025-03-01) to say which day that is"]
    assert list(project.content.iterdir()) == []


def test_now_with_the_option_is_that_day(project):
    run, entries = import_mw(project, """
        2020-02-22T12:13:14Z-now: How long the pandemic has been going on?
        now - 10 years 6 months 3 days: A long plan
        Nov 11 02:30: Without a year
    """, "--now", "2025-03-01")
    assert run.code == 0, run.err
    assert [(e["date"], e.get("end")) for e in entries] == [
        ("2020-02-22T12:13:14Z", "2025-03-01"),
        ("2025-03-01", "2035-09-03"),
        ("2025-11-11T02:30", None),  # Markwhen takes the year it is read in
    ]


def test_a_time_alone_is_on_the_previous_events_end_and_pages_are_read(project):
    run, entries = import_mw(project, """
        title: A
        2024-01-02: One https://example.org/a:b
        _-_-_break_-_-_
        title: B
        9:15pm: Late
    """)
    assert run.code == 0, run.err
    assert [(e["date"], e.get("sources")) for e in entries] == [
        ("2024-01-02", ["https://example.org/a:b"]), ("2024-01-03T21:15", None)]
    assert "story.mw:4: note: title: of a later page's header was not carried over" in run.lines


def test_a_date_without_a_year_needs_now(project):
    run, _ = import_mw(project, "January 3 - Apr 6: Spring term\n")
    assert run.code == 1
    assert "'January 3' has no year" in run.err and "--now DATE" in run.err


def test_sections_and_groups_become_tags(project):
    run, entries = import_mw(project, (DATA / "sections.mw").read_text(encoding="utf-8"))
    assert run.code == 0, run.err
    assert [(e["title"], e["tags"]) for e in entries] == [
        ("Desert Storm", ["The 90s"]),
        ("Friends premiered", ["The 90s"]),
        ("Series finale of Seinfeld", ["The 90s"]),
        ("Premiere of The Office (US)", ["The 90s", "The 2000s"]),
        ("Pandemic", ["The 90s", "The 2010s"]),
        ("Other things happen", ["Other Events"]),
    ]


def test_older_group_keywords_become_tags(project):
    run, entries = import_mw(project, """
        group Travel #Fun
        2012: Germany
        section Work
        2013: A job
        endSection
        endGroup
        2014: Home
        Signed at home
    """)
    assert run.code == 0, run.err
    assert [(e["title"], e.get("tags"), e["body"]) for e in entries] == [
        ("Germany", ["Travel", "Fun"], ""),
        ("A job", ["Travel", "Fun", "Work"], ""),
        ("Home", None, "Signed at home"),
    ]


def test_a_line_starting_with_section_is_text_without_the_older_keywords(project):
    run, entries = import_mw(project, "2014: Home\nSection 3 of the plan was signed\n")
    assert run.code == 0, run.err
    assert entries[0]["body"] == "Section 3 of the plan was signed"


def test_tags_links_pictures_and_locations(project):
    run, entries = import_mw(project, """
        2022: Happy 95th Birthday Queen Elizabeth #UK #Royalty
        05/25/2021: [cascade.page](https://cascade.page) featured on [Hacker News](https://news.ycombinator.com/item?id=27282842)
        2018 - 3 years: [Google](www.google.com)
        07/2014: 4th of July in DC ![A parade](https://example.com/image.png) #Travel @sue
        1999-05-25: A fond memory
        location: Sam's bar and grill
        09/2018: Road trip to Seattle
        locations: [Devil's Tower, Glacier National Park, Seattle]
        2020: Mostly uneventful year
          More at https://example.org/2020 and [mail](mailto:a@example.org) #covid
          - [x] finished task
    """)
    assert run.code == 0, run.err
    assert entries[0]["title"] == "Happy 95th Birthday Queen Elizabeth"
    assert entries[0]["tags"] == ["UK", "Royalty"]
    assert entries[1]["title"] == "cascade.page featured on Hacker News"
    assert entries[1]["sources"] == [{"url": "https://cascade.page", "title": "cascade.page"},
                                     {"url": "https://news.ycombinator.com/item?id=27282842", "title": "Hacker News"}]
    assert entries[2]["sources"] == [{"url": "http://www.google.com", "title": "Google"}]
    assert entries[3]["title"] == "4th of July in DC @sue"
    assert entries[3]["media"] == [{"src": "https://example.com/image.png", "alt": "A parade"}]
    assert entries[4]["location"] == "Sam's bar and grill"
    assert entries[5]["location"] == "Devil's Tower; Glacier National Park; Seattle"
    assert entries[6]["tags"] == ["covid"]
    assert entries[6]["sources"] == ["https://example.org/2020"]
    assert entries[6]["body"] == ("More at https://example.org/2020 and [mail](mailto:a@example.org)\n"
                                  "- [x] finished task")
    assert "story.mw:9: note: the link mailto:a@example.org was not made a source: only http:// and https:// " \
           "links are" in run.lines
    assert project.run("build", "--no-cache").code == 0


def test_recurrence_is_listed_once_with_a_note(project):
    run, entries = import_mw(project, """
        October 7, 1989 every year for 10 years: Anniversary
        2025-03-04 every week for 12 weeks: Standup
        2022-01/2022-03 every 2 years x9: Planning
    """)
    assert run.code == 0, run.err
    assert [(e["title"], e["date"], e.get("end")) for e in entries] == [
        ("Anniversary", "1989-10-07", None), ("Standup", "2025-03-04", None), ("Planning", "2022-01", "2022-03")]
    assert [line for line in run.lines if ": note: " in line] == [
        "story.mw:1: note: 'every year for 10 years' was not carried over: Chronicle has no recurrence, so the "
        "event is listed once, on its first date",
        "story.mw:2: note: 'every week for 12 weeks' was not carried over: Chronicle has no recurrence, so the "
        "event is listed once, on its first date",
        "story.mw:3: note: 'every 2 years x9' was not carried over: Chronicle has no recurrence, so the event is "
        "listed once, on its first date"]


def test_header_title_timezone_and_date_format(project):
    run, entries = import_mw(project, """
        ---
        title: Party Planning
        description: These are the main events for the party
        timezone: Europe/London
        dateFormat: d/M/y
        #Travel: blue
        meridiem:
          view: "*"
        ---

        // To indicate we are using European date formatting
        01/02/2023 - 14/02/2023: Phase 1
        2025-08-03 10am: Return flight
        tz: -5
    """)
    assert run.code == 0, run.err
    index = yaml.safe_load((project.content / "_index.md").read_text(encoding="utf-8").split("---")[1])
    assert index == {"title": "Party Planning", "description": "These are the main events for the party",
                     "timezone": "Europe/London", "date_order": "DMY", "sources": "optional"}
    assert (entries[0]["date"], entries[0]["end"]) == ("2023-02-01", "2023-02-14")
    assert entries[1]["date"] == "2025-08-03T10:00-05:00"
    notes = [line for line in run.lines if ": note: " in line]
    assert notes == ["story.mw:6: note: tag colours are not carried over (#Travel); a theme colours tags",
                     "story.mw:7: note: meridiem: was not carried over (Chronicle has no such setting)"]


def test_a_numeric_timezone_is_an_iana_zone(project):
    run, _ = import_mw(project, "timezone: -6\n\n2025-08-03 10am: Meeting\n")
    assert run.code == 0, run.err
    assert "timezone: Etc/GMT+6" in (project.content / "_index.md").read_text(encoding="utf-8")


def test_a_clash_writes_nothing(project):
    project.write("year-after-1960.md", "---\ntitle: Mine\ndate: 1961\n---\n")
    run, _ = import_mw(project, "1961: Year after 1960\n")
    assert run.code == 1
    assert "content/year-after-1960.md: error: already exists — story.mw:1 would be written there" in run.err
    assert sorted(p.name for p in project.content.iterdir()) == ["year-after-1960.md"]
    assert "Mine" in project.content.joinpath("year-after-1960.md").read_text()


def test_same_dates_keep_the_file_order(project):
    run, entries = import_mw(project, """
        2024-10-28: Zulu comes first
        2024-10-28: Alpha comes second
        2024-10-29: Alone
    """)
    assert run.code == 0, run.err
    assert [(e["title"], e.get("weight")) for e in entries] == [
        ("Zulu comes first", 1), ("Alpha comes second", 2), ("Alone", None)]
    assert project.run("build", "--no-cache").code == 0
    html = project.read("index.html")
    assert html.index("Zulu comes first") < html.index("Alpha comes second")


@pytest.mark.parametrize("name, count", [("project-plan.mw", 5), ("events.mw", 8), ("sections.mw", 6)])
def test_documentation_samples_import_and_build_in_order(project, name, count):
    source = DATA / name
    run = project.run("import", "markwhen", str(source), "--now", "2025-03-01")
    assert run.code == 0, run.err
    entries = written(project, run)
    assert len(entries) == count
    build = project.run("build", "--no-cache")
    assert build.code == 0, build.err
    shown = json.loads(project.read("timeline.json"))["events"]
    assert len(shown) == count
    # Every event is there, and in the order Markwhen's timeline shows them: by start, ties in the file's order.
    titles = [event["text"]["headline"] for event in shown]
    assert sorted(titles) == sorted(e["title"] for e in entries)


def test_titles_in_other_scripts_name_their_files_whole(project):
    run, entries = import_mw(project, """
        2025-05-06: 新歓ロボコン
        2025-12-31: Новый год
    """)
    assert run.code == 0, run.err
    assert [e["file"] for e in entries] == ["2025-05-06-新歓ロボコン.md", "2025-12-31-новый-год.md"]
    assert project.run("build").code == 0
    assert (project.root / "output" / "events" / "2025-12-31-новый-год" / "index.html").is_file()


def test_a_quoted_group_name_and_a_repeated_id(project):
    run, entries = import_mw(project, """
        group "Market research"
        2025-01-01: A !x
        2025-02-01: B !x
        endGroup
    """)
    assert run.code == 0, run.err
    assert [(e["title"], e.get("slug"), e.get("tags")) for e in entries] == [
        ("A", "x", ["Market research"]), ("B", None, ["Market research"])]
    assert ("story.mw:3: note: !x is the id of an event before this one already: this event's URL name comes from "
            "its title") in run.lines
