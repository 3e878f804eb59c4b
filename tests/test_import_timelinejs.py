"""`chronicle import timelinejs`: TimelineJS's JSON and its sheet saved as CSV, through the command line,
and the round trip of TimelineJS's own examples (tests/data/timelinejs, MPL-2.0) through import and build."""

from __future__ import annotations

import html
import json
import re
import textwrap
from pathlib import Path
from zoneinfo import ZoneInfo

import pytest
import yaml

from chronicle.dates import Precision, parse_when
from chronicle.importers.timelinejs import plain

DATA = Path(__file__).parent / "data" / "timelinejs"
EXAMPLES = sorted(p.name for p in DATA.glob("*.json"))


def entries(project) -> dict[str, tuple[dict, str]]:
    """Every file import wrote into content/: its front matter and body, by name."""
    made = {}
    for path in sorted(project.content.glob("*.md")):
        _, front, body = path.read_text(encoding="utf-8").split("---\n", 2)
        made[path.name] = (yaml.safe_load(front), body.strip())
    return made


def by_title(project) -> dict[str, dict]:
    return {fields["title"]: fields | {"body": body} for name, (fields, body) in entries(project).items()
            if name != "_index.md"}


def source(project, name: str, data) -> Path:
    path = project.root / name
    path.write_text(json.dumps(data) if not isinstance(data, str) else textwrap.dedent(data).lstrip("\n"),
                    encoding="utf-8")
    return path


def slide(headline: str, year, **more) -> dict:
    return {"start_date": {"year": year, **more.pop("start", {})}, "text": {"headline": headline,
                                                                             "text": more.pop("text", "")}, **more}


def imported(project, name: str, data):
    run = project.run("import", "timelinejs", str(source(project, name, data)))
    assert " error" not in run.err, run.err
    return run


# --- dates at the precision given ----------------------------------------------------------------------


PRECISIONS = [
    ({"year": "1850"}, "1850", Precision.YEAR),
    ({"year": "1850", "month": "3"}, "1850-03", Precision.MONTH),
    ({"year": 1850, "month": 3, "day": 14}, "1850-03-14", Precision.DAY),
    ({"year": "1850", "month": "03", "day": "14", "hour": "14", "minute": "30"}, "1850-03-14T14:30", Precision.MINUTE),
    ({"year": "2000", "month": "1", "day": "5", "hour": "6", "minute": "45", "second": "56"}, "2000-01-05T06:45:56",
     Precision.MINUTE),
    ({"year": "2016", "month": "11", "day": "13", "hour": "9", "minute": "30", "second": "", "millisecond": ""},
     "2016-11-13T09:30", Precision.MINUTE),
    ({"year": "602"}, "602", Precision.YEAR),
    ({"year": "622", "month": "08", "day": "09"}, "0622-08-09", Precision.DAY),
    ({"year": "-470"}, "470 BCE", Precision.YEAR),
    ({"year": -44, "month": 3, "day": 15}, "15 March 44 BCE", Precision.DAY),
    ({"year": "-44", "month": "3"}, "March 44 BCE", Precision.MONTH),
    ({"year": "-13800000000"}, "-13800000000", Precision.HUNDRED_MILLION_YEARS),
    ({"year": "1,850"}, "1850", Precision.YEAR),
]


@pytest.mark.parametrize("date, written, precision", PRECISIONS, ids=[p[1] for p in PRECISIONS])
def test_a_date_is_written_at_the_precision_given(project, date, written, precision):
    imported(project, "t.json", {"events": [{"start_date": date, "text": {"headline": "Event"}}]})
    (fields,) = by_title(project).values()
    assert fields["date"] == written
    assert parse_when(fields["date"], zone=ZoneInfo("UTC")).precision is precision
    assert project.run("build").code == 0


def test_end_dates_at_their_precision_and_an_end_before_the_start_told(project):
    run = imported(project, "t.json", {"events": [
        slide("Span", "1815", start={"month": "12", "day": "10"}, end_date={"year": "1852", "month": "11", "day": "27"}),
        slide("Years", "-480", end_date={"year": "-479"}),
        slide("Backwards", "1900", end_date={"year": "1890"}),
        slide("Empty end", "1948", end_date={"year": "", "month": "", "day": ""}),
    ]})
    events = by_title(project)
    assert (events["Span"]["date"], events["Span"]["end"]) == ("1815-12-10", "1852-11-27")
    assert (events["Years"]["date"], events["Years"]["end"]) == ("480 BCE", "479 BCE")
    assert "end" not in events["Backwards"] and "end" not in events["Empty end"]
    assert "t.json: events[2]: note: end_date (1890) is before start_date (1900): the end is not carried over" \
        in run.lines
    assert project.run("build").code == 0


def test_what_a_date_cannot_keep_is_told(project):
    run = imported(project, "t.json", {"events": [
        slide("Millis", "2000", start={"month": "1", "day": "1", "hour": "1", "minute": "2", "millisecond": "5"}),
        slide("Year zero", "0"),
        slide("Day without month", "1900", start={"day": "5"}),
        slide("Thirty-first", "1900", start={"month": "2", "day": "31"}),
        slide("No year", ""),
    ]})
    events = by_title(project)
    assert events["Year zero"]["date"] == "1 BCE"
    assert events["Day without month"]["date"] == "1900-01-05"
    assert events["Thirty-first"]["date"] == "1900-02"
    assert "No year" not in events
    assert "t.json: events[0]: note: start_date: the milliseconds (5) are not kept" in run.lines
    assert "t.json: events[1]: note: start_date: year 0 is written 1 BCE (Chronicle counts no year 0)" in run.lines
    assert "t.json: events[2]: note: start_date has no month: read as TimelineJS reads it, month 1" in run.lines
    assert any(line.startswith("t.json: events[3]: note: start_date: ") and line.endswith("kept to the month")
               for line in run.lines)
    assert "t.json: events[4]: note: not carried over: start_date has no year" in run.lines
    assert project.run("build").code == 0


# --- text, media, groups, slugs ------------------------------------------------------------------------


def test_headline_text_media_group_and_unique_id(project):
    run = imported(project, "t.json", {"events": [
        slide("The <em>first</em> one", "1900", text="<p>Plain <a href=\"https://example.org/a_b\">link</a> and "
              "<strong>strong</strong> 2 * 3.</p><p>Second.</p>", group="Women in science",
              unique_id="first-one",
              media={"url": "https://upload.wikimedia.org/x/Ada.jpg", "caption": "A <em>portrait</em>",
                     "credit": "<a href='https://commons.wikimedia.org/'>Wikimedia</a>", "alt": "Ada, seated",
                     "link": "https://en.wikipedia.org/wiki/Ada_Lovelace", "thumbnail": "https://x.org/t.jpg"}),
        slide("Second", "1901", text="<p class=\"lead\">Kept *as* HTML</p><span class=\"tl-note\">note</span>",
              unique_id="Not A Slug!", media={"url": "https://example.org/photo.png", "caption": "The photo"}),
        slide("Third", "1902", media={"url": "<blockquote>Words <cite>Someone</cite></blockquote>"},
              unique_id="first-one", background={"color": "#F45B69"}),
    ]})
    events = by_title(project)
    first = events["The first one"]
    assert first["body"] == "Plain [link](https://example.org/a_b) and **strong** 2 \\* 3.\n\nSecond."
    assert first["tags"] == ["Women in science"]
    assert first["slug"] == "first-one"
    assert first["media"] == [{"src": "https://upload.wikimedia.org/x/Ada.jpg", "alt": "Ada, seated",
                               "caption": "A <em>portrait</em>",
                               "credit": "<a href='https://commons.wikimedia.org/'>Wikimedia</a>",
                               "link": "https://en.wikipedia.org/wiki/Ada_Lovelace"}]
    second = events["Second"]
    assert second["body"] == '<p class="lead">Kept &#42;as&#42; HTML</p>\n\n<span class="tl-note">note</span>'
    assert second["slug"] == "not-a-slug"
    assert second["media"] == [{"src": "https://example.org/photo.png", "alt": "The photo", "caption": "The photo"}]
    third = events["Third"]
    assert third["body"] == "<blockquote>Words <cite>Someone</cite></blockquote>"
    assert "media" not in third and "slug" not in third
    for line in [
        "t.json: events[0]: note: the headline's HTML is not kept: a title is plain text",
        "t.json: events[0]: note: the media thumbnail is not carried over: Chronicle makes its own of a picture "
        "in content/, and shows a link's card",
        "t.json: events[1]: note: unique_id 'Not A Slug!' is not a Chronicle slug (lower-case letters, digits, "
        "hyphens): slug not-a-slug",
        "t.json: events[1]: note: the picture has no alt text: its caption is its alt text — describe the picture "
        "in alt: for a reader who cannot see it",
        "t.json: events[2]: note: unique_id 'first-one' is used before: not kept as the slug",
        "t.json: events[2]: note: the media is HTML (a quotation or an embed's code): placed before the text, as "
        "the author's HTML",
        "t.json: events[2]: note: the background (color #F45B69) is not carried over: Chronicle's theme draws the "
        "page",
    ]:
        assert line in run.lines
    build = project.run("build")
    assert build.code == 0, build.err
    page = project.read("events/first-one/index.html")
    assert '<a href="https://example.org/a_b">link</a>' in page and "<strong>strong</strong> 2 * 3." in page


def test_a_slide_without_headline_is_titled_from_its_text_or_date(project):
    run = imported(project, "t.json", {"events": [
        {"start_date": {"year": "1900"}, "text": {"text": "<p>The fair opens. Crowds come.</p>"}},
        {"start_date": {"year": "1901", "month": "5"}},
    ]})
    assert set(by_title(project)) == {"The fair opens", "May 1901"}
    assert "t.json: events[0]: note: the slide has no headline: titled 'The fair opens', from its text" in run.lines
    assert "t.json: events[1]: note: the slide has no headline: titled 'May 1901', from its date" in run.lines


def test_events_of_one_date_keep_the_source_order(project):
    imported(project, "t.json", {"events": [slide("Zebra", "1900"), slide("Apple", "1900")]})
    assert project.run("build").code == 0
    lines = json.loads(project.read("timeline.json"))["events"]
    assert [event["text"]["headline"] for event in lines] == ["Zebra", "Apple"]


# --- the timeline's own values ------------------------------------------------------------------------


def test_title_slide_and_eras_go_to_index(project):
    imported(project, "t.json", {
        "title": {"text": {"headline": "Whitney Houston<br/> 1963 - 2012",
                           "text": "<p class='lead'>A look at her life.</p><p>And more.</p>"},
                  "media": {"url": "https://example.org/p.jpg"}},
        "eras": [{"start_date": {"year": "650"}, "end_date": {"year": "700"}, "text": {"headline": "Late"}},
                 {"start_date": {"year": "-480", "month": "9"}, "end_date": {"year": "-479"},
                  "text": {"headline": "<b>Wars</b>"}}],
        "events": [slide("One", "660")],
    })
    index, body = entries(project)["_index.md"]
    assert index == {"title": "Whitney Houston 1963 - 2012", "sources": "optional",
                     "eras": [{"name": "Late", "start": "650", "end": "700"},
                              {"name": "Wars", "start": "September 480 BCE", "end": "479 BCE"}]}
    assert body == "<p class='lead'>A look at her life.</p>\n\n<p>And more.</p>"
    build = project.run("build")
    assert build.code == 0 and "without sources" not in build.err


def test_a_short_plain_title_text_is_the_description(project):
    imported(project, "t.json", {"title": {"text": {"headline": "Eras Test", "text": "Events in the 7th century"}},
                                 "events": [slide("One", "660")]})
    assert entries(project)["_index.md"] == ({"title": "Eras Test", "description": "Events in the 7th century",
                                              "sources": "optional"}, "")


# --- the sheet ---------------------------------------------------------------------------------------


SHEET = """\
Year,Month,Day,Time,End Year,End Month,End Day,End Time,Display Date,Headline,Text,Media,Media Credit,Media Caption,Media Thumbnail,Type,Group,Background
,,,,,,,,,My timeline,"<p>All about it.</p>",,,,,title,,#fff
1850,3,14,2:30 PM,1850,3,14,16:45,,Afternoon,"Two lines
of text",https://example.org/map.png,Natural Earth,The map,,,Maps,
-470,,,,,,,,,Old,,,,,,,,
1900,,,,1910,,,,,A decade,,,,,,era,,
1950,7,,,,,,,Summer 1950,Summer,,,,,,,Seasons,
1960,,,,,,,,,Extra,,,,,,overview,,
"""


def test_a_sheet_saved_as_csv(project):
    run = imported(project, "sheet.csv", SHEET)
    events = by_title(project)
    assert events["Afternoon"]["date"] == "1850-03-14T14:30"
    assert events["Afternoon"]["end"] == "1850-03-14T16:45"
    assert events["Afternoon"]["body"] == "Two lines of text"
    assert events["Afternoon"]["tags"] == ["Maps"]
    assert events["Afternoon"]["media"] == [{"src": "https://example.org/map.png", "alt": "The map",
                                             "caption": "The map", "credit": "Natural Earth"}]
    assert events["Old"]["date"] == "470 BCE"
    assert events["Summer"]["display_date"] == "Summer 1950"
    index, body = entries(project)["_index.md"]
    assert index["title"] == "My timeline" and index["eras"] == [{"name": "A decade", "start": "1900", "end": "1910"}]
    assert set(events) == {"Afternoon", "Old", "Summer", "Extra"}
    for line in [
        "sheet.csv:2: note: the background (color #fff) is not carried over: Chronicle's theme draws the page",
        "sheet.csv:3: note: the picture has no alt text: its caption is its alt text — describe the picture in "
        "alt: for a reader who cannot see it",
        "sheet.csv:7: note: display_date 'Summer 1950' is kept as display_date: for the theme; the page shows the "
        "date as Chronicle writes it (July 1950)",
        "sheet.csv:8: note: Type 'overview' is not one TimelineJS knows (title, era): an event",
    ]:
        assert line in run.lines
    assert project.run("build").code == 0


def test_an_end_time_or_day_without_an_end_year_is_told_and_the_event_kept(project):
    header = SHEET.splitlines()[0]
    run = imported(project, "sheet.csv", f"{header}\n-250,,,,,,,c. 250 BCE,,Lion Capital,Text.,,,,,,,\n"
                                         f"1850,3,,,,,14,,,Spring,,,,,,,,\n")
    events = by_title(project)
    assert events["Lion Capital"]["date"] == "250 BCE" and "end" not in events["Lion Capital"]
    assert events["Spring"]["date"] == "1850-03" and "end" not in events["Spring"]
    assert "sheet.csv:2: note: End Time 'c. 250 BCE' is not carried over: it has no End Year" in run.lines
    assert "sheet.csv:3: note: End Day '14' is not carried over: it has no End Year" in run.lines
    assert project.run("build").code == 0


def test_when_every_row_is_left_out_the_notes_say_why(project):
    header = SHEET.splitlines()[0]
    run = project.run("import", "timelinejs", str(source(project, "sheet.csv", f"{header}\n,,,10:00,,,,,,Lion,,,,,,,,\n")))
    assert run.code == 1
    assert run.lines == ["sheet.csv:2: note: not carried over: Time '10:00' has no date",
                         "sheet.csv: error: no events found — every one was left out (the notes above say why)"]
    assert list(project.content.iterdir()) == []


def test_media_on_the_site_that_showed_the_timeline_is_told_with_its_caption_and_credit(project):
    run = imported(project, "t.json", {"events": [slide("Siege", 1428, media={
        "url": "./m/x.jpg", "caption": "Joan of Arc at the <i>Siege</i>", "credit": "Jules Lenepveu"})]})
    assert "media" not in by_title(project)["Siege"]
    assert ("t.json: events[0]: note: the media url './m/x.jpg' is not an http(s) link (a file on the site that "
            "showed the timeline?): not carried over — put the file beside the entry and name it in media: with its "
            "caption 'Joan of Arc at the <i>Siege</i>', credit 'Jules Lenepveu'") in run.lines


def test_not_a_timeline_is_an_error(project):
    run = project.run("import", "timelinejs", str(source(project, "x.csv", "a,b\n1,2\n")))
    assert run.code == 1
    assert run.lines[0].startswith("x.csv: error: not a TimelineJS sheet")
    run = project.run("import", "timelinejs", str(source(project, "x.json", "{\"events\": [}")))
    assert run.code == 1 and run.lines[0].startswith("x.json: error: line 1 column 13: not JSON")
    run = project.run("import", "timelinejs", str(source(project, "y.json", "{\"events\": [{},\n]}")))
    assert run.lines == ["y.json: error: line 2 column 1: not JSON: Expecting value — a comma after the last item "
                         "(JSON allows none there; JavaScript does): delete it"]
    assert list(project.content.iterdir()) == []


def test_a_file_already_there_is_an_error_and_nothing_is_written(project):
    run = project.run("import", "timelinejs", str(DATA / "eras.json"))
    assert run.code == 0
    before = {p.name: p.read_bytes() for p in project.content.iterdir()}
    entry = next(name for name in before if name != "_index.md")
    (project.content / entry).write_text("---\ntitle: Mine\ndate: 2024\n---\n")
    mine = {p.name: p.read_bytes() for p in project.content.iterdir()}
    run = project.run("import", "timelinejs", str(DATA / "eras.json"))
    assert run.code == 1
    assert any(line.startswith(f"{Path('content') / entry}: error: already exists — eras.json: events[") and
               line.endswith("would be written there; move it away, or import into another folder with --content DIR")
               for line in run.lines), run.err
    assert {p.name: p.read_bytes() for p in project.content.iterdir()} == mine


def test_a_timeline_of_ones_own_keeps_its_index(project):
    """Events brought into a timeline that has its own _index.md: it is kept, and a note says what was not written."""
    project.write("_index.md", "---\ntitle: Mine\n---\n")
    run = project.run("import", "timelinejs", str(DATA / "eras.json"))
    assert run.code == 0, run.err
    assert project.content.joinpath("_index.md").read_text() == "---\ntitle: Mine\n---\n"
    note = next(line for line in run.lines if line.startswith(str(Path("content") / "_index.md")))
    assert ": note: kept as it was; the source's own values were not written (title: " in note
    assert "eras" in note and note.endswith("— add those you want by hand")


# --- the round trip of TimelineJS's own examples ----------------------------------------------------------


_PARTS = ("year", "month", "day", "hour", "minute", "second")


def parts(date: dict) -> dict[str, int]:
    """The parts a TimelineJS date gives, as numbers (a second of 0 is no second)."""
    made = {k: int(str(date[k]).replace(",", "")) for k in _PARTS if str(date.get(k, "")).strip()}
    if made.get("second") == 0:
        del made["second"]
    return made


def when_order(event: dict) -> tuple:
    """TimelineJS's order: by the start, missing parts being the first."""
    p = parts(event["start_date"])
    return (p["year"], p.get("month", 1), p.get("day", 1), p.get("hour", 0), p.get("minute", 0), p.get("second", 0))


def media_url(url: str) -> str | None:
    """The media's address as Chronicle keeps it: with https: before //, an embed's iframe by its src."""
    url = url.strip()
    if iframe := re.match(r"<iframe\b[^>]*\bsrc=[\"']([^\"']+)", url):
        url = html.unescape(iframe.group(1))
    if url.startswith("//"):
        return "https:" + url
    return url if re.match(r"^https?://", url) else None


_STRAIGHT = str.maketrans({"\u2018": "'", "\u2019": "'", "\u201c": '"', "\u201d": '"'})


def words(value) -> str:
    """A text's words as plain text, its quotes straight: the build curls them (README: typographic quotes)."""
    return plain(value).translate(_STRAIGHT)


@pytest.mark.parametrize("name", EXAMPLES)
def test_round_trip_of_timelinejs_examples(project, name):
    original = json.loads((DATA / name).read_text(encoding="utf-8"))
    run = project.run("import", "timelinejs", str(DATA / name))
    assert run.code == 0, run.err
    assert not [line for line in run.lines if ": error:" in line or ": warning:" in line], run.err
    build = project.run("build")
    assert build.code == 0 and ": error:" not in build.err, build.err
    made = json.loads(project.read("timeline.json"))

    events = sorted(original["events"], key=when_order)  # TimelineJS's order (a stable sort)
    assert len(made["events"]) == len(events)
    for before, after in zip(events, made["events"]):
        assert parts(after["start_date"]) == parts(before["start_date"])
        end = parts(before.get("end_date") or {})
        if end and end != parts(before["start_date"]):
            assert parts(after["end_date"]) == end
        headline = words(before["text"].get("headline"))
        if headline:
            assert words(after["text"]["headline"]) == headline
        assert words(before["text"].get("text")) in words(after["text"]["text"])
        if plain(before.get("group")):
            assert after["group"] == plain(before["group"])
        media = before.get("media") or {}
        url = media_url(media.get("url", ""))
        if url:
            assert after["media"]["url"] == url
            for key in ("caption", "credit", "alt"):
                if plain(media.get(key)):
                    assert words(after["media"][key]) == words(media[key])
            if media.get("link"):
                assert after["media"]["link"] == media["link"]
        elif media.get("url", "").strip().startswith("<blockquote"):
            assert words(media["url"]) in words(after["text"]["text"])
        else:
            assert "media" not in after
    eras = [(words(e["text"]["headline"]), parts(e["start_date"]), parts(e["end_date"]))
            for e in original.get("eras", [])]
    assert sorted(eras, key=repr) == sorted(((words(e["text"]["headline"]), parts(e["start_date"]), parts(e["end_date"]))
                                             for e in made.get("eras", [])), key=repr)
    title = original.get("title") or {}
    if plain(title.get("text", {}).get("headline")):
        assert words(made["title"]["text"]["headline"]) == words(title["text"]["headline"])
    assert words(made["title"]["text"]["text"]) == words(title.get("text", {}).get("text"))


def test_round_trip_of_the_sheet_template(project):
    run = project.run("import", "timelinejs", str(DATA / "my-own-timeline.csv"))
    assert run.code == 0 and ": error:" not in run.err
    assert project.run("build").code == 0
    made = json.loads(project.read("timeline.json"))
    assert made["title"]["text"]["headline"] == "MY OWN CSV"
    assert len(made["events"]) == 10
    ada = next(e for e in made["events"] if e["text"]["headline"] == "Ada Lovelace")
    assert ada["start_date"] | ada["end_date"] == {"year": 1852, "month": 11, "day": 27,
                                                    "display_date": "27 November 1852"}
    assert ada["media"]["credit"] == "Wikimedia Commons"
