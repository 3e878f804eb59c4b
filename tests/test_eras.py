"""Eras (issue 18, item 4): `eras:` in content/_index.md, drawn beside the events they span on the
timeline and its period pages, listed in the overview, written to timeline.json's `eras`."""

import html
import json
import re

import jsonschema

from conftest import tree
from test_feeds import TIMELINEJS_SCHEMA


def index_md(eras: str, *settings: str) -> str:
    return "---\n" + "\n".join(("title: Ages", "sources: optional", *settings)) + "\neras:\n" + eras + "\n---\n"


def headings(page: str) -> list[str]:
    """The era headings of a page, as a reader (or a screen reader) reads them."""
    found = re.findall(r'<h2 class="era-heading"[^>]*>(.*?)</h2>', page)
    return [" ".join(html.unescape(re.sub(r"<[^>]+>", "", text)).split()) for text in found]


def groups(page: str) -> list[tuple[str, str]]:
    """Each group of the timeline (its id) with the style of its bands ('' outside every era)."""
    return [(day, style or "") for day, style in
            re.findall(r'<section class="day" id="([^"]+)"(?: style="([^"]*)")?>', page)]


def timelinejs(project, name: str = "timeline.json") -> dict:
    data = json.loads(project.read(name))
    jsonschema.Draft202012Validator(TIMELINEJS_SCHEMA).validate(data)
    return data


def test_era_dates_take_every_form_events_take(project):
    project.write("_index.md", index_md("""\
  - {name: Classical Athens, start: 480 BCE, end: 404 BCE}
  - {name: Renaissance, start: c. 1400, end: c. 1600}
  - {name: Second World War, start: 1939-1945}
  - {name: Cold War, start: 1947, end: 1991}
  - {name: Swinging Sixties, start: 1960s, end: 1970}
  - {name: War in Ukraine, start: 24 February 2022, end: now}
  - {name: Late October, start: 28 October, end: 31 October}""", "year: 2024"))
    for slug, date in [("pericles", "450 BCE"), ("leonardo", "1503"), ("stalingrad", "1942-08-23"),
                       ("berlin", "1961-08-13"), ("kyiv", "2022-03-01"), ("talks", "2024-10-29")]:
        project.entry(f"{slug}.md", f"title: {slug.title()}\ndate: {date}")
    result = project.run("build", "--no-cache")
    assert result.code == 0, result.err
    index = project.read("index.html")
    assert headings(index) == [
        "Era: Classical Athens, 480 BCE – 404 BCE",
        "Era: Renaissance, c. 1400 – c. 1600",
        "Era: Second World War, 1939–1945",
        "Era: Cold War, 1947–1991",
        "Era: Swinging Sixties, 1960s – 1970",
        "Era: War in Ukraine, from 24 February 2022",
        "Era: Late October, 28–31 October 2024",
    ]
    eras = timelinejs(project)["eras"]
    assert [(era["text"]["headline"], era["start_date"], era["end_date"]) for era in eras] == [
        ("Classical Athens", {"year": -480, "display_date": "480 BCE"}, {"year": -404, "display_date": "404 BCE"}),
        ("Renaissance", {"year": 1400, "display_date": "c. 1400"}, {"year": 1600, "display_date": "c. 1600"}),
        ("Second World War", {"year": 1939, "display_date": "1939"}, {"year": 1945, "display_date": "1945"}),
        ("Cold War", {"year": 1947, "display_date": "1947"}, {"year": 1991, "display_date": "1991"}),
        ("Swinging Sixties", {"year": 1960, "display_date": "1960s"}, {"year": 1970, "display_date": "1970"}),
        # Still going on: TimelineJS needs an end, and is given the latest date of the timeline (never the clock).
        ("War in Ukraine", {"year": 2022, "month": 2, "day": 24, "display_date": "24 February 2022"},
         {"year": 2024, "month": 10, "day": 29, "display_date": "29 October 2024"}),
        ("Late October", {"year": 2024, "month": 10, "day": 28, "display_date": "28 October 2024"},
         {"year": 2024, "month": 10, "day": 31, "display_date": "31 October 2024"}),
    ]
    # The dates are HTML dates where HTML has them, else <data> with their EDTF value (README: Dates).
    assert '<span class="era-dates"><data value="1400~">c. 1400</data> – <data value="1600~">c. 1600</data></span>' \
        in index
    assert '<span class="era-dates"><time datetime="1947">1947</time>–<time datetime="1991">1991</time></span>' in index


def test_every_problem_of_the_eras_is_told_at_its_line(project):
    project.write("_index.md", index_md("""\
  - name: Cold War
    start: 1991
    end: 1947
  - start: 1950
    end: 1960
  - name: Space Race
    start: 4 October 1957
    ends: July 1975
  - name: Bad colour
    start: 1950
    end: 1960
    colour: red
  - name: Commented
    start: 1950
    end: 1960
    colour: #abc
  - name: Bad date
    start: 31 February 1950
    end: 1960
  - {name: On one line, start: 1950}
  - just text"""))
    project.entry("e.md", "title: An event\ndate: 1950")
    result = project.run("check")
    assert result.code == 1
    assert result.lines[:-1] == [
        "content/_index.md:7: error: era 'Cold War' ends before it starts (1947 is before 1991) — write an end on "
        "or after the start",
        "content/_index.md:8: error: era 2 has no name — add one, such as name: Cold War",
        "content/_index.md:12: error: unknown era field 'ends' — did you mean 'end'? As written, era 'Space Race' "
        "has no end",
        "content/_index.md:16: error: era 'Bad colour': colour 'red' is not a hex colour — write one such as "
        "colour: \"#8a3b12\" (in quotes: YAML reads # as the start of a comment)",
        "content/_index.md:20: error: '#abc' is dropped as a comment, leaving the value empty — write "
        "colour: \"#abc\", or put the comment on a line of its own",
        "content/_index.md:22: error: era 'Bad date': start: 31 February 1950 is not a date: February 1950 has "
        "28 days",
        "content/_index.md:24: error: era 'On one line' has no end — add end: with the date it ended, such as "
        "end: 1991, or end: now for an era still going on",
        "content/_index.md:25: error: era 8 must be fields such as name: Cold War, start: 1947 and end: 1991, "
        "not 'just text'",
    ]
    project.write("_index.md", "---\ntitle: Ages\neras: Cold War\n---\n")
    assert "content/_index.md:3: error: eras must be a list, one era a line starting with '- ' — write " \
           "eras: [{name: Cold War, start: 1947, end: 1991}]" in project.run("check").lines


def test_eras_are_drawn_beside_the_groups_they_span_and_may_overlap(project):
    project.write("_index.md", index_md("""\
  - name: Cold War
    start: 1947
    end: 1991
    colour: "#2A6F97"
  - name: Space Race
    start: 4 October 1957
    end: July 1975
  - name: Détente
    start: 1969
    end: 1979
    color: "#a63"
  - {name: Nothing happened, start: 1800, end: 1810}"""))
    for date in ["1945-05-08", "1957-10-04", "1961-04-12", "1969-07-20", "1977-08-20", "1989-11-09", "2001"]:
        project.entry(f"{date}.md", f"title: On {date}\ndate: {date}\ntags: [Space]")
    result = project.run("build", "--no-cache")
    assert result.code == 0, result.err
    index = project.read("index.html")
    cold, race, detente = "calc(-1 * var(--era-band)) 0 0 #2a6f97", "calc(-2 * var(--era-band)) 0 0 var(--era)", \
        "calc(-3 * var(--era-band)) 0 0 #a63"
    free = "calc(-2 * var(--era-band)) 0 0 var(--bg)"  # the lane of an era over: the page's own colour
    assert groups(index) == [
        ("1945-05-08", ""),
        ("1957-10-04", f"box-shadow: {cold}, {race}"),
        ("1961-04-12", f"box-shadow: {cold}, {race}"),
        ("1969-07-20", f"box-shadow: {cold}, {race}, {detente}"),  # in three eras at once, each in its lane
        ("1977-08-20", f"box-shadow: {cold}, {free}, {detente}"),  # each era keeps its lane
        ("1989-11-09", f"box-shadow: {cold}"),
        ("2001", ""),
    ]
    assert headings(index) == ["Era: Cold War, 1947–1991", "Era: Space Race, 4 October 1957 – July 1975",
                               "Era: Détente, 1969–1979"]
    # Each heading comes before the first group of its era, and has an id to be linked to.
    order = re.findall(r'<h2 class="era-heading" id="([^"]+)"|<section class="day" id="([^"]+)"', index)
    assert [a or b for a, b in order] == ["1945-05-08", "era--cold-war", "era--space-race", "1957-10-04",
                                          "1961-04-12", "era--detente", "1969-07-20", "1977-08-20", "1989-11-09",
                                          "2001"]
    # Not a tag's page: eras are the timeline's.
    assert "era-heading" not in project.read("tags/space/index.html")
    assert [era["text"]["headline"] for era in timelinejs(project)["eras"]] == [
        "Nothing happened", "Cold War", "Space Race", "Détente"]


def test_newest_first_puts_the_heading_before_the_era_s_latest_group(project):
    project.write("_index.md", index_md("  - {name: Cold War, start: 1947, end: 1991}", "sort: newest-first"))
    for date in ["1945", "1950", "1960", "2001"]:
        project.entry(f"{date}.md", f"title: In {date}\ndate: {date}")
    assert project.run("build", "--no-cache").code == 0
    order = re.findall(r'<h2 class="era-heading" id="([^"]+)"|<section class="day" id="([^"]+)"',
                       project.read("index.html"))
    assert [a or b for a, b in order] == ["2001", "era--cold-war", "1960", "1950", "1945"]


def split_timeline(project, eras: str) -> None:
    project.write("_index.md", index_md(eras, "page_events: 10"))
    for i in range(12):
        project.entry(f"a{i}.md", f"title: October {i}\ndate: 2024-10-{i + 1:02d}")
    for i in range(3):
        project.entry(f"b{i}.md", f"title: Earlier {i}\ndate: 2023-0{i + 1}-05")


def test_a_split_timeline_lists_its_eras_and_draws_them_on_its_period_pages(project):
    split_timeline(project, """\
  - {name: Campaign, start: 2023-02, end: 2024-10-03, colour: "#8a3b12"}
  - {name: Talks, start: 2024-10-10, end: now}
  - {name: Before it all, start: 1990, end: 1999}""")
    assert project.run("build", "--no-cache", "--output", "reference").code == 0
    index = (project.root / "reference" / "index.html").read_text()
    listed = index.split('<ul class="era-list">')[1].split("</ul>")[0]
    assert [" ".join(re.sub(r"<[^>]+>", "", item).split()) for item in re.findall(r"<li>(.*?)</li>", listed)] == [
        "Before it all, 1990–1999", "Campaign, February 2023 – 3 October 2024", "Talks, from 10 October 2024"]
    # Each era leads to the page of the period where its first event is, to its heading there.
    assert re.findall(r'<a href="([^"]+)">(Campaign|Talks|Before it all)</a>', listed) == [
        ("2023/index.html#era--campaign", "Campaign"), ("2024/10/10/index.html#era--talks", "Talks")]
    assert headings((project.root / "reference" / "2023" / "index.html").read_text()) == [
        "Era: Campaign, February 2023 – 3 October 2024"]
    # A page in the middle of an era names it again, before its first group.
    october = (project.root / "reference" / "2024" / "10" / "02" / "index.html").read_text()
    assert headings(october) == ["Era: Campaign, February 2023 – 3 October 2024"]
    assert headings((project.root / "reference" / "2024" / "10" / "05" / "index.html").read_text()) == []
    # The front page shows the first period's events: in the era, with its heading.
    assert headings(index) == ["Era: Campaign, February 2023 – 3 October 2024"]
    # Each period's timeline.json has the eras that share a day with its events.
    period = json.loads((project.root / "reference" / "2023" / "timeline.json").read_text())
    jsonschema.Draft202012Validator(TIMELINEJS_SCHEMA).validate(period)
    assert [era["text"]["headline"] for era in period["eras"]] == ["Campaign"]
    talks = json.loads((project.root / "reference" / "2024" / "10" / "12" / "timeline.json").read_text())
    assert talks["eras"] == [{"start_date": {"year": 2024, "month": 10, "day": 10, "display_date": "10 October 2024"},
                              "end_date": {"year": 2024, "month": 10, "day": 12, "display_date": "12 October 2024"},
                              "text": {"headline": "Talks"}}]
    assert "eras" not in json.loads((project.root / "reference" / "2024" / "10" / "05" / "timeline.json").read_text())
    # The engine makes the same bytes, and again after the eras change (every page that shows them).
    assert project.run("build", "--output", "engine").code == 0
    assert tree(project.root / "engine") == tree(project.root / "reference")
    split_timeline(project, "  - {name: Campaign, start: 2023-03, end: 2024-10-08}")
    assert project.run("build", "--no-cache", "--output", "reference").code == 0
    assert project.run("build", "--output", "engine").code == 0
    assert tree(project.root / "engine") == tree(project.root / "reference")
    assert headings((project.root / "engine" / "2024" / "10" / "07" / "index.html").read_text()) == [
        "Era: Campaign, March 2023 – 8 October 2024"]


def test_without_eras_nothing_changes(project):
    project.write("_index.md", "---\ntitle: Ages\nsources: optional\n---\n")
    project.entry("e.md", "title: An event\ndate: 1950")
    assert project.run("build", "--no-cache").code == 0
    index = project.read("index.html")
    assert "era-" not in index and "box-shadow" not in index
    assert project.read("timeline.json").startswith('{"events": [')


def test_serve_s_rebuilds_show_each_change_of_the_eras(project):
    """The engine serve keeps between builds (its pages, days and feeds) makes what build --no-cache makes
    after every edit of the eras."""
    from chronicle.config import Options
    from chronicle.incremental import Engine

    split_timeline(project, "  - {name: Campaign, start: 2023-02, end: 2024-10-03}")
    builder = Engine(Options(content=project.content, output=project.root / "output"))
    assert builder.build(write=False).ok
    for eras in ["  - {name: Campaign, start: 2023-02, end: 2024-10-03, colour: '#123456'}",  # a colour
                 "  - {name: Campaign, start: 2023-02, end: 2024-10-06}",  # longer
                 "  - {name: Campaign, start: 2023-02, end: 2024-10-06}\n  - {name: Talks, start: 2024-10-05, "
                 "end: now}",  # another, overlapping
                 "  - {name: Talks, start: 2024-10-05, end: now}",  # one removed
                 "  []"]:  # none
        split_timeline(project, eras)
        rebuilt = builder.build(write=False, hints={(project.content / "_index.md").resolve()})
        assert rebuilt.ok, rebuilt.report.items
        assert project.run("build", "--no-cache", "--output", "reference").code == 0
        reference = tree(project.root / "reference")
        assert {name: data for name, data in rebuilt.files.items()} == reference, eras
