"""Atom, iCalendar, TimelineJS, sitemap and robots.txt, each read back by the tool its readers use."""

import html.parser
import json
import re
import shutil
import xml.etree.ElementTree as ET
from datetime import date, datetime, timedelta, timezone
from zoneinfo import ZoneInfo

import feedparser
import icalendar
import jsonschema
import pytest

from chronicle.incremental import engine, feeds as engine_feeds
from chronicle.config import Options
from chronicle.feeds import feed_warnings, fold
from chronicle.incremental import Engine
from conftest import ROOT

BASE = "https://news.example.org/korea/"
NEW_YORK = ZoneInfo("America/New_York")

# The events below, in the order of README.md, Dates ("Order"): by start instant,
# a date before the timed events of its day.
EVENTS = {
    "census": "title: Census year\ndate: 2023\ntags: [Data]",
    "autumn": "title: Autumn talks\ndate: 2024-09\nend: 2024-10\ntags: [Diplomacy, Talks]",
    "briefing": "title: NATO briefing\ndate: 2024-10-28\nlocation: Brussels, Belgium\n"
                "updated: 2024-11-02T10:00-05:00\ntags: [NATO]",
    "statement": "title: Pentagon statement\ndate: 2024-10-28T14:30\ntags: [United States]",
    "summit": "title: Summit\ndate: 2024-10-29T09:00\nend: 2024-10-29T17:15",
    "week": "title: Week of meetings\ndate: 2024-10-30\nend: 2024-11-02",
}
ORDER = ["census", "autumn", "briefing", "statement", "summit", "week"]
# The feed's order: the latest stamp first, an event's `updated` before its start (feeds.stamp).
FEED_ORDER = ["briefing", "week", "summit", "statement", "autumn", "census"]


def write_timeline(project, index="title: Korea\ndescription: Who said what.\ntimezone: America/New_York\n"):
    project.write("_index.md", f"---\n{index}---\nThe intro, with **bold** text.\n")
    for slug, front in EVENTS.items():
        project.entry(f"{slug}.md", f"{front}\nsources:\n  - url: https://example.org/{slug}\n"
                                    f"    title: Report on {slug}\n    publisher: Example Wire",
                      body=f"Body of {slug}.\n\nSecond paragraph.\n")


@pytest.fixture
def site(project):
    """The timeline above built with a base_url; returns the project."""
    write_timeline(project)
    result = project.run("--base-url", BASE)
    assert result.code == 0, result.err
    return project


def read_bytes(project, name: str) -> bytes:
    return (project.root / "output" / name).read_bytes()


def ics_events(project) -> dict[str, icalendar.Event]:
    calendar = icalendar.Calendar.from_ical(read_bytes(project, "calendar.ics"))
    return {str(event["UID"]).split("@")[0]: event for event in calendar.walk("VEVENT")}


# --- Atom ---------------------------------------------------------------------------------------


def test_the_feed_is_atom_that_feedparser_accepts(site):
    feed = feedparser.parse(read_bytes(site, "feed.xml"))
    assert feed.bozo == 0, feed.get("bozo_exception")
    assert feed.version == "atom10"
    assert feed.feed.title == "Korea"
    assert feed.feed.subtitle == "Who said what."
    assert feed.feed.author == "Korea"
    assert feed.feed.link == BASE
    assert [entry.link for entry in feed.entries] == [f"{BASE}events/{slug}/" for slug in FEED_ORDER]
    assert [entry.title for entry in feed.entries] == [EVENTS[slug].split("\n")[0][7:] for slug in FEED_ORDER]
    ids = [entry.id for entry in feed.entries]
    assert len(set(ids)) == len(ids) and all(i.startswith("urn:uuid:") for i in ids)


def test_entries_carry_summary_content_sources_and_tags(site):
    entry = feedparser.parse(read_bytes(site, "feed.xml")).entries[FEED_ORDER.index("briefing")]
    assert entry.summary == "Body of briefing."
    content = entry.content[0]
    assert content.type == "text/html"
    assert "<p>Second paragraph.</p>" in content.value
    assert '<a href="https://example.org/briefing"' in content.value
    assert "Report on briefing</a> — Example Wire" in content.value
    assert [tag.term for tag in entry.tags] == ["NATO"]


def test_updated_comes_from_the_content_never_the_clock(site):
    feed = feedparser.parse(read_bytes(site, "feed.xml"))
    updated = {slug: entry.updated for slug, entry in zip(FEED_ORDER, feed.entries)}
    assert updated["briefing"] == "2024-11-02T15:00:00Z"   # its `updated`
    assert updated["statement"] == "2024-10-28T18:30:00Z"  # its start, 14:30 EDT
    assert updated["census"] == "2023-01-01T05:00:00Z"     # midnight, New York
    assert feed.feed.updated == "2024-11-02T15:00:00Z"      # the latest of them


def test_source_date_epoch_sets_the_feed_updated(project, monkeypatch):
    write_timeline(project)
    monkeypatch.setenv("SOURCE_DATE_EPOCH", "1735689600")
    assert project.run("--base-url", BASE).code == 0
    feed = feedparser.parse(read_bytes(project, "feed.xml"))
    assert feed.feed.updated == "2025-01-01T00:00:00Z"
    assert feed.entries[-1].updated == "2023-01-01T05:00:00Z"  # entries keep their own
    assert all(str(e["DTSTAMP"].dt) == "2025-01-01 00:00:00+00:00" for e in ics_events(project).values())


def test_ids_stay_when_an_event_is_edited_and_builds_are_byte_identical(site):
    first = read_bytes(site, "feed.xml")
    assert site.run("--base-url", BASE).code == 0
    assert read_bytes(site, "feed.xml") == first
    site.entry("summit.md", "title: Summit, renamed\ndate: 2024-10-29T10:00\nsources: [https://example.org/x]")
    assert site.run("--base-url", BASE).code == 0
    before = {e.link: e.id for e in feedparser.parse(first).entries}
    after = {e.link: e.id for e in feedparser.parse(read_bytes(site, "feed.xml")).entries}
    assert before == after


def test_without_a_base_url_links_are_relative(project):
    write_timeline(project)
    assert project.run().code == 0
    feed = feedparser.parse(read_bytes(project, "feed.xml"))
    assert feed.bozo == 0
    assert [entry.link for entry in feed.entries] == [f"events/{slug}/" for slug in FEED_ORDER]
    assert not any(link.rel == "self" for link in feed.feed.links)


# --- iCalendar ----------------------------------------------------------------------------------


def test_the_calendar_puts_every_event_on_its_days(site):
    events = ics_events(site)
    assert list(events) == ORDER

    def dates(slug):
        event = events[slug]
        return event["DTSTART"].dt, event["DTEND"].dt if "DTEND" in event else None

    # All-day events end the day after their last day (RFC 5545 §3.6.1).
    assert dates("census") == (date(2023, 1, 1), date(2024, 1, 1))
    assert dates("autumn") == (date(2024, 9, 1), date(2024, 11, 1))
    assert dates("briefing") == (date(2024, 10, 28), date(2024, 10, 29))
    assert dates("week") == (date(2024, 10, 30), date(2024, 11, 3))
    # Timed events: their instants, which land on the right day in the timeline zone.
    start, end = dates("statement")
    assert start == datetime(2024, 10, 28, 18, 30, tzinfo=timezone.utc) and end is None
    assert start.astimezone(NEW_YORK).date() == date(2024, 10, 28)
    start, end = dates("summit")
    assert (start.astimezone(NEW_YORK).isoformat(), end.astimezone(NEW_YORK).isoformat()) == \
        ("2024-10-29T09:00:00-04:00", "2024-10-29T17:15:00-04:00")


def test_calendar_events_carry_what_a_calendar_shows(site):
    calendar = icalendar.Calendar.from_ical(read_bytes(site, "calendar.ics"))
    assert calendar["VERSION"] == "2.0" and calendar["CALSCALE"] == "GREGORIAN" and calendar["PRODID"]
    assert calendar["X-WR-CALNAME"] == "Korea"
    event = ics_events(site)["briefing"]
    assert event["UID"] == "briefing@news.example.org/korea"
    assert event["SUMMARY"] == "NATO briefing"
    assert event["LOCATION"] == "Brussels, Belgium"
    assert event["URL"] == f"{BASE}events/briefing/"
    assert event["DTSTAMP"].dt == datetime(2024, 11, 2, 15, 0, tzinfo=timezone.utc)
    assert event["DESCRIPTION"] == ("Body of briefing.\n\nSources:\n"
                                    "- Report on briefing (Example Wire): https://example.org/briefing\n\n"
                                    f"{BASE}events/briefing/")


def test_calendar_lines_are_folded_at_75_octets_with_crlf(site):
    data = read_bytes(site, "calendar.ics")
    assert data.endswith(b"END:VCALENDAR\r\n")
    assert b"\n" not in data.replace(b"\r\n", b"")
    lines = data.split(b"\r\n")[:-1]
    assert all(len(line) <= 75 for line in lines)
    assert any(line.startswith(b" ") for line in lines)  # the descriptions are long enough to fold


def test_folding_never_splits_a_character():
    line = "DESCRIPTION:" + "Київ — 서울 — 🇺🇦 " * 20
    folded = fold(line)
    physical = folded.split(b"\r\n")[:-1]
    assert all(len(part) <= 75 for part in physical)
    for part in physical:
        part.decode("utf-8")  # raises if a sequence was cut
    assert b"".join(p[1:] if i else p for i, p in enumerate(physical)).decode("utf-8") == line
    assert fold("SUMMARY:short") == b"SUMMARY:short\r\n"


def test_calendar_text_is_escaped(project):
    project.entry("a.md", 'title: "a; b, c \\\\ d"\ndate: 2024-10-28\nlocation: "Seoul; Korea, South"\n'
                  "sources: [https://example.org/a]", body="First line\nsecond line.\n")
    assert project.run().code == 0
    raw = read_bytes(project, "calendar.ics").decode("utf-8")
    assert "SUMMARY:a\\; b\\, c \\\\ d\r\n" in raw
    assert "LOCATION:Seoul\\; Korea\\, South\r\n" in raw
    event = ics_events(project)["a"]
    assert event["SUMMARY"] == "a; b, c \\ d"
    assert event["DESCRIPTION"].startswith("First line second line.\n\nSources:\n- ")
    assert event["UID"] == "a@chronicle"
    assert "URL" not in event  # a relative link means nothing inside a calendar


# --- TimelineJS ---------------------------------------------------------------------------------

_PART = {"type": "integer"}
TIMELINEJS_DATE = {
    "type": "object",
    "required": ["year", "display_date"],
    "additionalProperties": False,
    "properties": {
        "year": _PART,
        "month": {"type": "integer", "minimum": 1, "maximum": 12},
        "day": {"type": "integer", "minimum": 1, "maximum": 31},
        "hour": {"type": "integer", "minimum": 0, "maximum": 23},
        "minute": {"type": "integer", "minimum": 0, "maximum": 59},
        "second": {"type": "integer", "minimum": 0, "maximum": 59},
        "display_date": {"type": "string", "minLength": 1},
    },
    # A date is given to its precision: no part without the coarser ones.
    "dependentRequired": {"month": [], "day": ["month"], "hour": ["day", "minute"],
                          "minute": ["hour"], "second": ["minute"]},
}
TIMELINEJS_TEXT = {
    "type": "object",
    "required": ["headline", "text"],
    "additionalProperties": False,
    "properties": {"headline": {"type": "string", "minLength": 1}, "text": {"type": "string"}},
}
# The subset of the TimelineJS 3 JSON format (timeline.knightlab.com/docs/json-format.html) Chronicle writes.
TIMELINEJS_SCHEMA = {
    "$schema": "https://json-schema.org/draft/2020-12/schema",
    "type": "object",
    "required": ["title", "events"],
    "additionalProperties": False,
    "properties": {
        "eras": {  # eras: of content/_index.md (tests/test_eras.py): an era's dates and its name
            "type": "array",
            "items": {
                "type": "object",
                "required": ["start_date", "end_date", "text"],
                "additionalProperties": False,
                "properties": {
                    "start_date": TIMELINEJS_DATE,
                    "end_date": TIMELINEJS_DATE,
                    "text": {"type": "object", "required": ["headline"], "additionalProperties": False,
                             "properties": {"headline": {"type": "string", "minLength": 1}}},
                },
            },
        },
        "title": {
            "type": "object",
            "required": ["text", "unique_id"],
            "additionalProperties": False,
            "properties": {"text": TIMELINEJS_TEXT, "unique_id": {"type": "string"}},
        },
        "events": {
            "type": "array",
            "items": {
                "type": "object",
                "required": ["start_date", "text", "unique_id", "display_date"],
                "additionalProperties": False,
                "properties": {
                    "start_date": TIMELINEJS_DATE,
                    "end_date": TIMELINEJS_DATE,
                    "display_date": {"type": "string", "minLength": 1},
                    "text": TIMELINEJS_TEXT,
                    "unique_id": {"type": "string", "pattern": r"^[\w][\w-]*$"},
                    "group": {"type": "string", "minLength": 1},
                    "media": {  # the event's first media item (issue 18): TimelineJS's media object
                        "type": "object",
                        "required": ["url"],
                        "additionalProperties": False,
                        "properties": {name: {"type": "string", "minLength": 1 if name == "url" else 0}
                                       for name in ("url", "caption", "credit", "alt", "thumbnail", "link")},
                    },
                },
            },
        },
    },
}


def timelinejs(project) -> dict:
    data = json.loads(read_bytes(project, "timeline.json"))
    jsonschema.Draft202012Validator.check_schema(TIMELINEJS_SCHEMA)
    jsonschema.Draft202012Validator(TIMELINEJS_SCHEMA).validate(data)
    ids = [event["unique_id"] for event in data["events"]] + [data["title"]["unique_id"]]
    assert len(set(ids)) == len(ids)
    return data


def test_timelinejs_data_matches_the_schema_in_chronicles_order(site):
    data = timelinejs(site)
    assert [event["unique_id"] for event in data["events"]] == ORDER
    assert data["title"]["text"] == {"headline": "Korea", "text": "<p>The intro, with <strong>bold</strong> text.</p>"}
    briefing = data["events"][ORDER.index("briefing")]
    assert briefing["text"]["headline"] == "NATO briefing"
    assert briefing["text"]["text"].startswith("<p>Body of briefing.</p>\n<p>Second paragraph.</p>")
    assert '<a href="https://example.org/briefing" rel="noopener noreferrer">' in briefing["text"]["text"]
    assert briefing["group"] == "NATO"
    assert "group" not in data["events"][ORDER.index("summit")]
    assert data["events"][ORDER.index("autumn")]["group"] == "Diplomacy"  # the first tag


def test_timelinejs_dates_are_given_only_to_their_precision(site):
    events = {event["unique_id"]: event for event in timelinejs(site)["events"]}
    assert events["census"]["start_date"] == {"year": 2023, "display_date": "2023"}
    assert events["autumn"]["start_date"] == {"year": 2024, "month": 9, "display_date": "September 2024"}
    assert events["autumn"]["end_date"] == {"year": 2024, "month": 10, "display_date": "October 2024"}
    assert events["briefing"]["start_date"] == {"year": 2024, "month": 10, "day": 28,
                                                "display_date": "28 October 2024"}
    # Wall-clock parts in the timeline zone; the zone is in display_date.
    assert events["statement"]["start_date"] == {"year": 2024, "month": 10, "day": 28, "hour": 14, "minute": 30,
                                                 "display_date": "28 October 2024, 14:30 EDT"}
    assert events["summit"]["end_date"]["hour"] == 17 and events["summit"]["end_date"]["minute"] == 15
    assert events["summit"]["display_date"] == "29 October 2024, 09:00–17:15 EDT"
    assert events["week"]["display_date"] == "30 October – 2 November 2024"
    assert "end_date" not in events["briefing"]


# --- sitemap and robots.txt ---------------------------------------------------------------------

SITEMAP = "{http://www.sitemaps.org/schemas/sitemap/0.9}"


def test_the_sitemap_lists_every_page_under_the_base_url(site):
    root = ET.fromstring(read_bytes(site, "sitemap.xml"))
    assert root.tag == f"{SITEMAP}urlset"
    locs = [url.findtext(f"{SITEMAP}loc") for url in root]
    assert locs[: 1 + len(ORDER)] == [BASE] + [f"{BASE}events/{slug}/" for slug in ORDER]
    assert f"{BASE}sources/" in locs and f"{BASE}tags/" in locs
    assert f"{BASE}tags/united-states/" in locs
    assert len(set(locs)) == len(locs)
    lastmod = {url.findtext(f"{SITEMAP}loc"): url.findtext(f"{SITEMAP}lastmod") for url in root}
    # Only where `updated` says when the page changed, in the timeline zone.
    assert lastmod[f"{BASE}events/briefing/"] == "2024-11-02T11:00-04:00"
    assert lastmod[f"{BASE}events/summit/"] is None
    assert read_bytes(site, "robots.txt").decode() == f"User-agent: *\nDisallow:\n\nSitemap: {BASE}sitemap.xml\n"


def test_every_sitemap_url_is_a_page_of_the_site(site):
    output = site.root / "output"
    for url in ET.fromstring(read_bytes(site, "sitemap.xml")):
        relative = url.findtext(f"{SITEMAP}loc").removeprefix(BASE)
        assert (output / relative / "index.html").is_file(), relative


def test_without_a_base_url_there_is_no_sitemap_and_a_warning(project):
    write_timeline(project)
    assert project.run().code == 0
    assert not (project.root / "output" / "sitemap.xml").exists()
    assert read_bytes(project, "robots.txt") == b"User-agent: *\nDisallow:\n"
    timeline = Engine(Options(content=project.content)).build(write=False).timeline
    [warning] = feed_warnings(timeline, None)
    assert warning.startswith("no base_url: sitemap.xml is not written")
    with_base = Engine(Options(content=project.content, base_url=BASE)).build(write=False).timeline
    assert feed_warnings(with_base, None) == []


def test_a_malformed_source_date_epoch_is_a_warning(project, monkeypatch):
    write_timeline(project)
    result = Engine(Options(content=project.content, base_url=BASE, source_date_epoch="yesterday")).build(write=False)
    assert feed_warnings(result.timeline, "yesterday") == [
        "SOURCE_DATE_EPOCH is 'yesterday', not a whole number of seconds since 1970 — "
        "feed and calendar timestamps come from the content instead"]
    assert b"<updated>2024-11-02T15:00:00Z</updated>" in result.files["feed.xml"]


# --- hostile text -------------------------------------------------------------------------------

# YAML escapes: a C0 control (forbidden in XML 1.0), quotes, markup, iCalendar separators.
HOSTILE_YAML = (r'"</title><script>alert(1)</script> & \"q\" \u0027s\u0027 \x01\x08; a, b \\ '
                r'<img src=x onerror=alert(2)>"')
HOSTILE = "</title><script>alert(1)</script> & \"q\" 's' \x01\x08; a, b \\ <img src=x onerror=alert(2)>"
CLEAN = HOSTILE.replace("\x01", "").replace("\x08", "")  # what XML and iCalendar can carry
# An event's title and summary, and a source's title, as read: typographic quotes (issue 22, item 12); the rest as written.
TYPESET, TYPESET_CLEAN = (text.replace("\"q\" 's'", "\u201cq\u201d \u2018s\u2019") for text in (HOSTILE, CLEAN))


class _Text(html.parser.HTMLParser):
    def __init__(self):
        super().__init__(convert_charrefs=True)
        self.tags, self.text = [], []

    def handle_starttag(self, tag, attrs):
        self.tags.append(tag)

    def handle_data(self, data):
        self.text.append(data)


class _Attributes(html.parser.HTMLParser):
    def __init__(self):
        super().__init__()
        self.names: list[str] = []

    def handle_starttag(self, tag, attrs):
        self.names += [name for name, _ in attrs]


def html_text(fragment: str) -> tuple[str, list[str]]:
    parser = _Text()
    parser.feed(fragment)
    parser.close()
    return "".join(parser.text), parser.tags


def test_hostile_text_in_every_field_comes_back_as_text(project):
    project.write("_index.md", f"---\ntitle: {HOSTILE_YAML}\ndescription: {HOSTILE_YAML}\n---\n")
    project.entry("a.md", f"""title: {HOSTILE_YAML}
date: 2024-10-28T14:30
summary: {HOSTILE_YAML}
location: {HOSTILE_YAML}
tags: [{HOSTILE_YAML}]
sources:
  - url: "https://a.org/?q=<script>&x=\\"y"
    title: {HOSTILE_YAML}
    publisher: Wire""")
    assert project.run("--base-url", BASE).code == 0

    raw = read_bytes(project, "feed.xml")
    ET.fromstring(raw)  # well-formed XML 1.0: no control character left
    feed = feedparser.parse(raw)
    assert feed.bozo == 0, feed.get("bozo_exception")
    assert feed.feed.title == TYPESET_CLEAN and feed.feed.subtitle == TYPESET_CLEAN  # the timeline's, quotes curled
    [entry] = feed.entries
    assert entry.title == TYPESET_CLEAN and entry.summary == TYPESET_CLEAN
    assert [tag.term for tag in entry.tags] == [CLEAN]
    text, tags = html_text(entry.content[0].value)
    assert TYPESET_CLEAN in text and "script" not in tags and "img" not in tags  # the source's title

    event = ics_events(project)["a"]
    assert event["SUMMARY"] == TYPESET_CLEAN and event["LOCATION"] == CLEAN
    assert event["CATEGORIES"].cats == [CLEAN]
    assert event["DESCRIPTION"].startswith(f"{TYPESET_CLEAN}\n\nSources:\n- {TYPESET_CLEAN} (Wire): https://a.org/?q=<script>&x=\"y")

    data = timelinejs(project)
    [slide] = data["events"]
    assert html_text(slide["text"]["headline"]) == (TYPESET, [])  # TimelineJS reads these as HTML
    assert html_text(slide["group"]) == (HOSTILE, [])  # a tag, as written
    assert html_text(data["title"]["text"]["headline"]) == (TYPESET, [])
    text, tags = html_text(slide["text"]["text"])
    assert TYPESET in text and "script" not in tags and "img" not in tags

    sitemap = ET.fromstring(read_bytes(project, "sitemap.xml"))
    assert all(url.findtext(f"{SITEMAP}loc").startswith(BASE) for url in sitemap)

    # Every HTML page too (issue 6: one hostile text through every output): no element or
    # attribute injected, the JSON-LD is the only script and reads back as the text written.
    output = project.root / "output"
    for page in sorted(output.rglob("*.html")):
        text, tags = html_text(page.read_text(encoding="utf-8"))
        assert "img" not in tags, page
        source = page.read_text(encoding="utf-8")
        scripts = re.findall(r"<script([^>]*)>(.*?)</script>", source, re.S)
        assert all(attrs == ' type="application/ld+json"' for attrs, _ in scripts), page
        for _, data in scripts:
            assert json.loads(data)["name"] in (TYPESET, TYPESET_CLEAN)
        attributes = _Attributes()
        attributes.feed(source)
        assert not [name for name in attributes.names if name.startswith("on")], page


# --- rebuilds -----------------------------------------------------------------------------------

FEEDS = ("feed.xml", "calendar.ics", "timeline.json", "sitemap.xml", "robots.txt")


def test_a_rebuild_after_an_edit_equals_a_fresh_build(project):
    write_timeline(project)
    builder = Engine(Options(content=project.content, base_url=BASE))
    first = builder.build(write=False).files
    again = builder.build(write=False).files
    assert all(again[name] is first[name] for name in FEEDS)  # unchanged: the same objects, linked by the writer

    edited = project.entry("summit.md", "title: Summit moved\ndate: 2024-10-27T09:00\ntags: [New tag]\n"
                           "sources: [https://example.org/moved]")
    rebuilt = builder.build(write=False, hints={edited.resolve()}).files
    fresh = Engine(Options(content=project.content, base_url=BASE)).build(write=False).files
    assert {name: rebuilt[name] for name in FEEDS} == {name: fresh[name] for name in FEEDS}
    assert rebuilt["feed.xml"] != first["feed.xml"]


@pytest.mark.parametrize("base_url", [BASE, None])
def test_a_build_streams_the_very_files_serve_joins(project, monkeypatch, base_url):
    # A writing build streams the feeds a few events at a time (stream_feeds), from the cache's
    # fragments where it has them; serve and check join them whole (render_feeds).
    monkeypatch.setattr(engine_feeds, "_STREAMED", 2)
    monkeypatch.setattr(engine, "PARALLEL_EVENTS", 1)  # the path of a large timeline
    write_timeline(project)
    options = ("--base-url", base_url) if base_url else ()
    names = [name for name in FEEDS if base_url or name != "sitemap.xml"]
    for _ in range(2):  # filling the cache, then from it with one event edited
        assert project.run(*options).code == 0
        joined = Engine(Options(content=project.content, base_url=base_url)).build(write=False).files
        assert {name: read_bytes(project, name) for name in names} == {name: joined[name] for name in names}
        project.entry("summit.md", "title: Summit, retitled\ndate: 2024-10-29T09:00\nend: 2024-10-29T17:15")
    assert not (project.root / "output" / "sitemap.xml").exists() or base_url


def test_a_body_edit_leaves_the_calendar_and_sitemap_objects_alone(project):
    write_timeline(project)
    builder = Engine(Options(content=project.content, base_url=BASE))
    first = builder.build(write=False).files
    path = project.content / "summit.md"
    path.write_text(path.read_text() + "\nA third paragraph.\n")
    rebuilt = builder.build(write=False, hints={path.resolve()}).files
    assert rebuilt["calendar.ics"] is first["calendar.ics"] and rebuilt["sitemap.xml"] is first["sitemap.xml"]
    assert b"A third paragraph." in rebuilt["feed.xml"] and b"A third paragraph." in rebuilt["timeline.json"]


EDITS = [
    ("summit.md", "title: Summit, retitled\ndate: 2024-10-29T09:00\nend: 2024-10-29T17:15"),  # in place
    ("briefing.md", "title: NATO briefing\ndate: 2024-10-28\nupdated: 2025-01-05\ntags: [NATO, Brussels]"),
    ("census.md", "title: Census year\ndate: 2025"),                   # moves to the end
    ("new.md", "title: A new event\ndate: 2024-10-28T08:00\ntags: [Ümlaut tag]"),  # added
    ("week.md", None),                                                 # removed
    ("autumn.md", "title: Autumn talks\ndate: 2024-09\nslug: autumn-talks"),       # renamed
]


def test_every_incremental_rebuild_equals_a_fresh_build(project, monkeypatch):
    """The cache of fragments never shows: after each kind of edit, the bytes of a build from scratch."""
    write_timeline(project)
    builder = Engine(Options(content=project.content, base_url=BASE))
    builder.build(write=False)
    for name, front in EDITS:
        path = project.content / name
        if front is None:
            path.unlink()
        else:
            project.entry(name, f"{front}\nsources: [https://example.org/{name}]")
        rebuilt = builder.build(write=False, hints={path.resolve()})
        fresh = Engine(Options(content=project.content, base_url=BASE)).build(write=False)
        assert rebuilt.ok and fresh.ok
        for feed in FEEDS:
            assert rebuilt.files[feed] == fresh.files[feed], (name, feed)
    assert b"SUMMARY:Summit\\, retitled" in rebuilt.files["calendar.ics"]
    assert b"/tags/umlaut-tag/" in rebuilt.files["sitemap.xml"]
    sitemap = rebuilt.files["sitemap.xml"]
    assert b"events/autumn-talks/" in sitemap and b"events/autumn/" not in sitemap
    # SOURCE_DATE_EPOCH is read once by the command, and is part of the options: another value, another build.
    epoch = Engine(Options(content=project.content, base_url=BASE, source_date_epoch="0")).build(write=False)
    assert b"<updated>1970-01-01T00:00:00Z</updated>" in epoch.files["feed.xml"]


def test_the_example_feeds_are_accepted(project):
    shutil.copytree(ROOT / "content", project.content, dirs_exist_ok=True)
    assert project.run("--base-url", BASE).code == 0
    assert feedparser.parse(read_bytes(project, "feed.xml")).bozo == 0
    assert len(ics_events(project)) == len(timelinejs(project)["events"]) > 0
    assert (project.root / "output" / "sitemap.xml").is_file()


def test_a_base_url_with_spaces_and_line_breaks_is_encoded_everywhere(project):
    project.write("_index.md", '---\ntitle: T\nbase_url: "https://example.org/a b\\nc"\n---\n')
    project.entry("a.md", "title: A\ndate: 2024-10-28\nsources: [https://example.org/a]")
    assert project.run().code == 0
    base = "https://example.org/a%20b%0Ac/"
    assert [url.findtext(f"{SITEMAP}loc") for url in ET.fromstring(read_bytes(project, "sitemap.xml"))][:2] == \
        [base, f"{base}events/a/"]
    assert read_bytes(project, "robots.txt").endswith(f"\nSitemap: {base}sitemap.xml\n".encode())
    assert ics_events(project)["a"]["URL"] == f"{base}events/a/"
    assert feedparser.parse(read_bytes(project, "feed.xml")).entries[0].link == f"{base}events/a/"


# --- what feed readers take: the most recent events, and a feed per tag --------------------------


def many(project, count: int, index: str = "", base_url: bool = True) -> None:
    """Write count events a day apart in 2024, tagged Even or Odd (the first also First), each
    sourced; index: more lines of _index.md."""
    base = f"base_url: {BASE}\n" if base_url else ""
    project.write("_index.md", f"---\ntitle: Many\ntimezone: UTC\n{base}{index}---\n")
    for n in range(count):
        tags = ["Even" if n % 2 == 0 else "Odd", *(["First"] if n == 0 else [])]
        project.entry(f"e{n:03d}.md", f"title: Event {n}\ndate: {date(2024, 1, 1) + timedelta(days=n)}\n"
                      f"tags: [{', '.join(tags)}]\nsources: [https://example.org/{n}]")


def entry_titles(project, name: str = "feed.xml") -> list[str]:
    feed = feedparser.parse(read_bytes(project, name))
    assert feed.bozo == 0, (name, feed.get("bozo_exception"))
    return [entry.title for entry in feed.entries]


def test_the_feed_holds_the_50_latest_events_latest_first(project):
    for n in range(60):
        day = date(2024, 1, 1) + timedelta(days=n)
        project.entry(f"e{n:03d}.md", f"title: Event {n}\ndate: {day.isoformat()}\nsources: [https://example.org/{n}]")
    project.write("_index.md", "---\ntitle: Many\ntimezone: UTC\n---\n")
    assert project.run().code == 0
    assert entry_titles(project) == [f"Event {n}" for n in range(59, 9, -1)]
    feed = feedparser.parse(read_bytes(project, "feed.xml"))
    assert feed.feed.updated == "2024-02-29T00:00:00Z"  # the latest event's, as before
    assert len(timelinejs(project)["events"]) == len(ics_events(project)) == 60  # these stay whole


def test_feed_events_sets_how_many_and_updated_comes_before_the_start(project):
    for n in range(6):
        project.entry(f"e{n}.md", f"title: Event {n}\ndate: 2024-10-0{n + 1}\nsources: [https://example.org/{n}]")
    # The oldest event, revised after the others: its stamp is its `updated`.
    project.entry("e0.md", "title: Event 0\ndate: 2024-10-01\nupdated: 2024-11-01\nsources: [https://example.org/0]")
    project.write("_index.md", "---\ntitle: Few\ntimezone: UTC\nfeed_events: 3\n---\n")
    assert project.run().code == 0
    assert entry_titles(project) == ["Event 0", "Event 5", "Event 4"]
    assert feedparser.parse(read_bytes(project, "feed.xml")).feed.updated == "2024-11-01T00:00:00Z"
    project.write("_index.md", "---\ntitle: Few\ntimezone: UTC\nfeed_events: 1\n---\n")
    assert project.run().code == 0
    assert entry_titles(project) == ["Event 0"]


@pytest.mark.parametrize("value", ["0", "-3", "many", "2.5", "true", "'50'"])
def test_a_bad_feed_events_is_an_error_at_its_line(project, value):
    project.write("_index.md", f"---\ntitle: T\nfeed_events: {value}\n---\n")
    project.entry("a.md", "title: A\ndate: 2024-10-28\nsources: [https://example.org/a]")
    result = project.run()
    assert result.code == 1
    assert result.lines[0].startswith("content/_index.md:3: error: feed_events must be a whole number of events, "
                                      "1 or more, such as 50, not "), result.lines
    assert not (project.root / "output").exists()


def test_each_tag_has_a_feed_of_its_latest_events(project):
    many(project, 7, "feed_events: 2\n")
    assert project.run().code == 0
    assert entry_titles(project) == ["Event 6", "Event 5"]
    assert entry_titles(project, "tags/even/feed.xml") == ["Event 6", "Event 4"]
    assert entry_titles(project, "tags/odd/feed.xml") == ["Event 5", "Event 3"]
    assert entry_titles(project, "tags/first/feed.xml") == ["Event 0"]
    feed = feedparser.parse(read_bytes(project, "tags/odd/feed.xml")).feed
    assert feed.title == "Many — Odd"
    assert feed.link == f"{BASE}tags/odd/"
    assert feed.updated == "2024-01-06T00:00:00Z"  # the latest of its own events
    assert {link.rel: link.href for link in feed.links}["self"] == f"{BASE}tags/odd/feed.xml"
    main = feedparser.parse(read_bytes(project, "feed.xml")).feed
    assert feed.id != main.id and feed.id.startswith("urn:uuid:")


def test_every_feed_is_atom_that_feedparser_accepts_without_a_base_url_too(project):
    write_timeline(project)  # tags with spaces and capitals: United States, NATO
    project.entry("old.md", "title: Old treaty\ndate: 470 BCE\ntags: [NATO]\nsources: [https://example.org/old]")
    assert project.run().code == 0
    written = sorted((project.root / "output").rglob("feed.xml"))
    names = [path.relative_to(project.root / "output").as_posix() for path in written]
    assert names == ["feed.xml", "tags/data/feed.xml", "tags/diplomacy/feed.xml", "tags/nato/feed.xml",
                     "tags/talks/feed.xml", "tags/united-states/feed.xml"]
    for name in names:
        feed = feedparser.parse(read_bytes(project, name))
        assert feed.bozo == 0 and feed.version == "atom10", name
        assert not any(link.rel == "self" for link in feed.feed.links), name
    # Before AD 1: in no Atom feed, but its tag's feed is there with the others.
    assert entry_titles(project, "tags/nato/feed.xml") == ["NATO briefing"]
    assert feedparser.parse(read_bytes(project, "tags/nato/feed.xml")).feed.link == "tags/nato/"


def test_a_tag_page_links_to_its_feed(project):
    many(project, 3)
    assert project.run().code == 0
    page = project.read("tags/odd/index.html")
    head, body = page.split("</head>")
    assert ('<link rel="alternate" type="application/atom+xml" title="Many — Odd (Atom feed)" '
            'href="../../tags/odd/feed.xml">') in head
    assert '<a href="../../tags/odd/feed.xml" type="application/atom+xml">Feed<span class="vh"> of the events ' \
           'tagged Odd (Atom)</span></a>' in body
    assert (project.root / "output" / "tags/odd/index.html").parent.joinpath("feed.xml").is_file()


def atom_files(files: dict[str, bytes]) -> dict[str, bytes]:
    return {name: data for name, data in files.items() if name.endswith("feed.xml")}


def test_the_engine_makes_the_reference_feeds_after_every_edit(project, monkeypatch):
    """serve's rebuilds (kept fragments) and a build run once (streamed, spliced from output/) make the
    Atom feeds of build --no-cache, with a cap that leaves events out."""
    from chronicle.pipeline import load, render_site, theme_for

    monkeypatch.setattr(engine_feeds, "_STREAMED", 2)
    monkeypatch.setattr(engine, "PARALLEL_EVENTS", 1)  # a build run once: the path of a large timeline
    many(project, 9, "feed_events: 3\n")
    options = Options(content=project.content)
    builder = Engine(options)
    builder.build(write=False)
    edits = [
        ("e003.md", "title: Event 3\ndate: 2024-01-04\nupdated: 2024-03-01\ntags: [Odd]"),  # to the top
        ("e008.md", "title: Event 8, retitled\ndate: 2024-01-09\ntags: [Even]"),         # in place
        ("e007.md", "title: Event 7\ndate: 2023-01-01\ntags: [Odd, New]"),               # out of the feed
        ("e100.md", "title: Event 100\ndate: 2024-02-01\ntags: [Even, First]"),          # added
        ("e008.md", None),                                                               # removed
        ("e005.md", "title: Event 5\ndate: 300 BCE\ntags: [Odd]"),                        # before AD 1
    ]
    for name, front in edits:
        path = project.content / name
        if front is None:
            path.unlink()
        else:
            project.entry(name, f"{front}\nsources: [https://example.org/{name}]")
        rebuilt = atom_files(builder.build(write=False, hints={path.resolve()}).files)
        report = engine.Report()
        timeline, media = load(options, report)
        reference = atom_files(dict(render_site(timeline, theme_for(options), options, media)))
        assert rebuilt == reference, name
        assert project.run().code == 0  # the cached build, streamed from the last output
        assert {n: read_bytes(project, n) for n in reference} == reference, name
        assert not [p for p in (project.root / "output").rglob("feed.xml")
                    if p.relative_to(project.root / "output").as_posix() not in reference]
    assert [e.split(" ")[1] for e in entry_titles(project)] == ["3", "100", "6"]
