"""Historians' timelines through the command line (issue 16): BCE, deep time, circa, calendars and
intervals, in every output: the pages, microformats, JSON-LD, timeline.json, Atom and iCalendar."""

import json
import re
import shutil

import icalendar
import mf2py
import pytest

from conftest import ROOT

EXAMPLE = ROOT / "examples" / "history-of-writing" / "content"
# The example, in the order a reader must meet it, with the dates as written.
WRITING = [
    ("proto-cuneiform", "c. 3400 BCE – c. 3100 BCE"),
    ("egyptian-hieroglyphs", "c. 3250 BCE"),
    ("oracle-bones", "c. 1250 BCE"),
    ("phoenician-alphabet", "c. 1050 BCE"),
    ("rosetta-decree", "196 BCE"),
    ("cai-lun", "AD 105"),
    ("gutenberg-press", "c. 1440"),
    ("hangul", "1446"),
    ("rosetta-found", "July 1799"),
    ("champollion", "Friday, 27 September 1822"),  # its page gives the weekday (after 1582: Gregorian)
    ("typewriter", "June 1868"),
    ("unicode", "October 1991"),
]
# What HTML's datetime attribute takes (a year of four or more digits, from 0001): anything else must
# be in <data value>.
VALID_DATETIME = re.compile(r"\d{4,}(-\d{2}(-\d{2}(T\d{2}:\d{2}(:\d{2})?([+-]\d{2}:\d{2}|Z))?)?)?")


@pytest.fixture
def writing(project):
    shutil.copytree(EXAMPLE, project.content, dirs_exist_ok=True)
    result = project.run("build", "--base-url", "https://example.org/writing/")
    assert result.code == 0, result.err
    return project, result


def h_events(html):
    parsed = mf2py.parse(doc=html, url="https://example.org/writing/")
    found = []

    def walk(items):
        for item in items:
            if "h-event" in item["type"]:
                found.append(item)
            walk(item.get("children", []))
    walk(parsed["items"])
    return found


def test_the_history_of_writing_builds_in_order_with_dates_as_written(writing):
    project, result = writing
    assert "built 12 events" in result.out
    index = project.read("index.html")
    slugs = re.findall(r'<article class="h-event" id="([^"]+)"', index)
    assert slugs == [slug for slug, _ in WRITING]
    for slug, shown in WRITING:
        page = project.read(f"events/{slug}/index.html")
        when = re.search(r'<p class="when">(.*?)</p>', page, re.S).group(1)
        text = re.sub(r"<[^>]+>", "", re.sub(r"<a .*?</a>", "", when, flags=re.S))  # without the permalink
        assert " ".join(text.split()) == shown, slug


def test_no_date_is_made_more_precise_than_written(writing):
    project, _ = writing
    for path in ["index.html", *(f"events/{slug}/index.html" for slug, _ in WRITING), "sources/index.html"]:
        html = project.read(path)
        for value in re.findall(r'<time[^>]* datetime="([^"]*)"', html):
            assert VALID_DATETIME.fullmatch(value), (path, value)
        # c. 1440 is never a <time datetime="1440">: HTML cannot say "about".
        assert 'datetime="1440"' not in html and 'datetime="-' not in html
    index = project.read("index.html")
    # Under the heading that shows it, an event's date is for machines and screen readers (class vh).
    assert '<data class="dt-start vh" value="1440~">c. 1440</data>' in index
    assert '<data class="dt-start vh" value="-0195">196 BCE</data>' in index
    assert '<time class="dt-start vh" datetime="0105">AD 105</time>' in index


def test_microformats_give_each_date_its_machine_value(writing):
    project, _ = writing
    starts = [e["properties"]["start"][0] for e in h_events(project.read("index.html"))]
    assert starts == ["-3399~", "-3249~", "-1249~", "-1049~", "-0195", "0105", "1440~", "1446", "1799-07",
                      "1822-09-27", "1868-06", "1991-10"]


def test_json_ld_leaves_out_what_schema_org_cannot_say(writing):
    project, _ = writing

    def schema(slug):
        page = project.read(f"events/{slug}/index.html")
        return json.loads(re.search(r'<script type="application/ld\+json">(.*?)</script>', page, re.S).group(1))
    assert "startDate" not in schema("gutenberg-press")  # c. 1440: no ISO date says "about"
    assert schema("rosetta-decree")["startDate"] == "-0195"  # ISO 8601: 196 BCE is year -0195
    assert schema("champollion")["startDate"] == "1822-09-27"


def test_timeline_json_counts_years_as_timelinejs_does(writing):
    project, _ = writing
    events = {e["unique_id"]: e for e in json.loads(project.read("timeline.json"))["events"]}
    assert events["rosetta-decree"]["start_date"] == {"year": -196, "display_date": "196 BCE"}
    assert events["proto-cuneiform"]["start_date"] == {"year": -3400, "display_date": "c. 3400 BCE"}
    assert events["proto-cuneiform"]["end_date"] == {"year": -3100, "display_date": "c. 3100 BCE"}
    assert events["cai-lun"]["start_date"] == {"year": 105, "display_date": "AD 105"}
    assert events["champollion"]["start_date"] == {"year": 1822, "month": 9, "day": 27,
                                                   "display_date": "27 September 1822"}


def test_atom_and_icalendar_leave_out_the_years_they_cannot_hold_and_say_so(writing):
    project, result = writing
    assert ("warning: 5 events before AD 1 are left out of feed.xml and calendar.ics: Atom and iCalendar "
            "hold no year before 1") in result.err
    feed = project.read("feed.xml")
    assert feed.count("<entry>") == 7 and "Cai Lun" in feed and "Rosetta Stone</title>" not in feed
    calendar = icalendar.Calendar.from_ical(project.read("calendar.ics"))
    events = {str(e["UID"]).split("@")[0]: e for e in calendar.walk("VEVENT")}
    assert sorted(events) == sorted(slug for slug, _ in WRITING[5:])
    assert events["cai-lun"]["DTSTART"].to_ical() == b"01050101"  # AD 105, four digits
    assert events["gutenberg-press"]["DTEND"].to_ical() == b"14410101"


def test_deep_time_sorts_and_shows_from_the_big_bang(project):
    project.write("_index.md", "---\ntitle: Everything\nsources: optional\n---\n")
    for name, date in [("now", "2024-10-28"), ("dinosaurs", "66 million years ago"), ("big-bang", "-13800000000"),
                       ("earth", "4.5 Ga"), ("humans", "300,000 years ago"), ("writing", "c. 3400 BCE")]:
        project.entry(f"{name}.md", f"title: {name}\ndate: {date}")
    result = project.run("build")
    assert result.code == 0, result.err
    index = project.read("index.html")
    assert re.findall(r'<article class="h-event" id="([^"]+)"', index) == \
        ["big-bang", "earth", "dinosaurs", "humans", "writing", "now"]
    headings = [re.sub(r"<[^>]+>", "", h) for h in re.findall(r"<h2>(.*?)</h2>", index)]
    assert headings == ["13.8 billion years ago", "4.5 billion years ago", "66 million years ago",
                        "300,000 years ago", "c. 3400 BCE", "Monday, 28 October 2024"]
    years = [e["start_date"]["year"] for e in json.loads(project.read("timeline.json"))["events"]]
    assert years == [-13_800_000_000, -4_500_000_000, -66_000_000, -300_000, -3400, 2024]


def test_a_weekday_before_1582_is_checked_only_in_the_calendar_named(project, sourced):
    project.entry("hastings.md", f"title: Hastings\ndate: Saturday, 14 October 1066\ncalendar: julian\n{sourced}")
    project.entry("bannockburn.md", f"title: Bannockburn\ndate: 23 June 1314\n{sourced}")
    project.entry("wrong.md", f"title: Wrong\ndate: Saturday, 14 October 1066\ncalendar: gregorian\n{sourced}")
    project.entry("bad.md", f"title: Bad\ndate: 1066\ncalendar: lunar\n{sourced}")
    result = project.run("check")
    assert result.code == 1
    assert result.lines[:2] == [
        "content/bad.md:4: error: calendar must be julian or gregorian, not 'lunar'",
        "content/wrong.md:3: error: date: 14 October 1066 is a Sunday in the Gregorian calendar, not a Saturday",
    ]
    (project.content / "wrong.md").unlink()
    (project.content / "bad.md").unlink()
    assert project.run("build").code == 0
    index = project.read("index.html")
    headings = [re.sub(r"<[^>]+>", "", h) for h in re.findall(r"<h2>(.*?)</h2>", index)]
    # Hastings, in the Julian calendar named: its weekday, and HTML given the Gregorian day.
    assert headings == ["Saturday, 14 October 1066", "23 June 1314"]
    assert '<time datetime="1066-10-20">Saturday, 14 October 1066</time>' in index
    # Bannockburn names no calendar: no weekday is made up for it.
    assert "Saturday, 23 June 1314" not in index and "Sunday, 23 June 1314" not in index


def test_the_timeline_calendar_applies_to_every_entry_that_names_none(project, sourced):
    project.write("_index.md", "---\ntitle: Scotland\ncalendar: julian\n---\n")
    project.entry("bannockburn.md", f"title: Bannockburn\ndate: Sunday, 23 June 1314\n{sourced}")
    assert project.run("build").code == 0
    assert "Sunday, 23 June 1314</time></h2>" in project.read("index.html")
    project.write("_index.md", "---\ntitle: Scotland\ncalendar: hebrew\n---\n")
    result = project.run("check")
    assert result.code == 1
    assert "content/_index.md:3: error: calendar must be julian or gregorian, not 'hebrew'" in result.lines


def test_an_interval_in_the_date_is_the_event_s_span(project, sourced):
    project.entry("egypt.md", f"title: Early Dynastic Egypt\ndate: 3100 BCE/2686 BCE\n{sourced}")
    project.entry("web.md", f"title: The web\ndate: 1991/..\n{sourced}")
    project.entry("un.md", f"title: The UN\ndate: 24 October 1945\nend: present\n{sourced}")
    project.entry("plato.md", f"title: Plato dies\ndate: 429 BC\nend: 348/347 BC\n{sourced}")
    project.entry("twice.md", f"title: Twice\ndate: 1985/1990\nend: 1991\n{sourced}")
    result = project.run("check")
    assert result.lines == ["content/twice.md:4: error: end is given twice, in the date (an interval) and in end: "
                            "— keep one", "check failed: 4 events, 1 error"]
    (project.content / "twice.md").unlink()
    assert project.run("build").code == 0
    index = project.read("index.html")
    assert ('<data class="dt-start" value="-3099">3100 BCE</data> – <data class="dt-end" value="-2685">2686 BCE</data>'
            in index)
    assert '<time class="dt-start" datetime="1991">from 1991</time>' in index
    slides = {e["unique_id"]: e for e in json.loads(project.read("timeline.json"))["events"]}
    assert "end_date" not in slides["web"] and slides["web"]["display_date"] == "from 1991"
    assert slides["un"]["display_date"] == "from 24 October 1945"
    assert slides["plato"]["display_date"] == "429 BC – 347 BC"


def test_what_is_still_refused_says_what_to_write(project, sourced):
    project.entry("a.md", f"title: A\ndate: 12,000 years ago\n{sourced}")
    project.entry("b.md", f"title: B\ndate: 0\n{sourced}")
    project.entry("c.md", "title:\ndate: 602\n" + sourced)
    result = project.run("check")
    assert result.lines == [
        "content/a.md:3: error: date: '12,000 years ago' is too precise to count in years ago (that is for "
        "round numbers of ten thousand years and more); write the year, such as c. 10,000 BCE",
        "content/b.md:3: error: date: '0': there is no year 0 (1 BCE is followed by AD 1); write 1 BCE or AD 1",
        "content/c.md:2: error: title is empty — write the title after `title:`",
        "check failed: 0 events, 3 errors",
    ]
