"""A timeline readers can use at any size (issue 17): past page_events events, an overview of the whole
span on the front page and a page per period (years, months, days, parts; centuries for long spans)."""

import re
from dataclasses import replace

from hypothesis import given, settings, strategies as st

from chronicle.config import Settings
from chronicle.periods import split
from chronicle.timeline import build_timeline
from chronicle.diagnostics import Report
from chronicle.dates import parse_when
from chronicle.model import Event
from zoneinfo import ZoneInfo

UTC = ZoneInfo("UTC")


def events(*dates):
    made = [Event(slug=f"e{i}", title=f"Event {i}", start=parse_when(d, zone=UTC), path=f"e{i}.md")
            for i, d in enumerate(dates)]
    return build_timeline(Settings(), made, Report()).events


def shape(period, depth=0):
    """The tree of periods: (path, count, own events, parts)."""
    return (period.path, period.count, len(period.own), tuple(shape(p, depth + 1) for p in period.parts))


def test_a_timeline_that_fits_is_one_page():
    assert split(events(*["2024-10-28"] * 10), 10) is None


def test_years_then_months_then_days_then_parts():
    dates = ["2023-05-01"] * 3 + ["2024"] + ["2024-10"] + ["2024-10-28"] * 25 + ["2024-11-02"] * 4
    whole = split(events(*dates), 10)
    assert shape(whole) == ("", 34, 0, (
        ("2023/", 3, 0, ()),
        ("2024/", 31, 1, (  # the year-only event stays on the year's own page
            ("2024/10/", 26, 1, (
                ("2024/10/28/", 25, 0, (("2024/10/28/", 10, 0, ()), ("2024/10/28/2/", 10, 0, ()),
                                        ("2024/10/28/3/", 5, 0, ()))),)),
            ("2024/11/", 4, 0, ()),
        )),
    ))
    assert [p.label for p in whole.pages()] == [
        "2023", "2024", "October 2024", "28 October 2024", "28 October 2024, part 1", "28 October 2024, part 2",
        "28 October 2024, part 3", "November 2024"]


def test_long_spans_split_by_millennium_century_and_decade_and_deep_time():
    history = split(events("c. 3400 BCE", "470 BCE", "44 BC", "602", "1066", "1990s", "1991-10", "2024-10-28"), 3)
    assert [(p.label, p.path, p.count) for p in history.parts] == [
        ("3,999–3,000 BCE", "3000-3999-bce/", 1),
        ("999–1 BCE", "1-999-bce/", 2),
        ("1–999", "1-999/", 1),
        ("1,000–1,999", "1000-1999/", 3),
        ("2,000–2,999", "2000-2999/", 1),
    ]
    assert history.parts[3].parts == ()  # three events: one page
    deep = split(events("-13800000000", "66 million years ago", "300,000 years ago", "c. 3400 BCE", "2024"), 2)
    assert [(p.label, p.path, p.count) for p in deep.parts] == [
        ("14,000,000,000–13,000,000,000 years ago", "13000000000-13999999999-years-ago/", 1),
        ("999,999,999–1 BCE", "1-999999999-bce/", 3),
        ("AD 1 onwards", "ad/", 1),
    ]


def test_an_event_s_page_does_not_move_when_events_are_added_elsewhere():
    base = ["2023-05-01"] * 3 + ["2024-10-28"] * 12
    before = {e.slug: p.path for p in split(events(*base), 10).leaves() for e in p.events}
    more = split(events(*(base + ["2021-01-01"] * 20)), 10)
    after = {e.slug: p.path for p in more.leaves() for e in p.events}
    assert all(after[slug] == path for slug, path in before.items())


DATES = ["2023-05-01", "2024", "2024-10", "2024-10-28", "2024-10-28T09:30", "2024-11-02", "c. 3400 BCE", "470 BCE",
         "1066", "1990s"]


@settings(max_examples=60, deadline=None)
@given(dates=st.lists(st.sampled_from(DATES), min_size=1, max_size=40), limit=st.integers(2, 8),
       edited=st.sets(st.integers(0, 39)), newest_first=st.booleans())
def test_a_save_that_changes_events_in_their_places_keeps_the_periods(dates, limit, edited, newest_first):
    """The engine's shortcut for a save (Engine.render): events changed but not moved (the same slug,
    dates and tags) leave the site's values, the periods and each event's period as they were, and the
    last split with the new events swapped in is the split made anew."""
    from chronicle.incremental.engine import _replaced, _swapped
    from chronicle.periods import homes
    from chronicle.render import site_of
    settings_ = Settings(sort="newest-first" if newest_first else "oldest-first")
    made = [Event(slug=f"e{i}", title=f"Event {i}", start=parse_when(d, zone=UTC), path=f"e{i}.md")
            for i, d in enumerate(dates)]
    before = build_timeline(settings_, made, Report())
    # A longer title sorts where the old one did: no event moves.
    after = build_timeline(settings_, [replace(e, title=f"{e.title} (corrected)", body="<p>More.</p>")
                                       if i in edited else e for i, e in enumerate(made)], Report())
    at = _replaced(before, after)
    assert at == [i for i, e in enumerate(after.events) if int(e.slug[1:]) in edited]
    assert site_of(after) == site_of(before)
    last = split(before.events, limit)
    swapped = _swapped(last, before.events, after.events, at)
    assert swapped == split(after.events, limit)
    assert homes(swapped) == homes(last)
    moved = build_timeline(settings_, [replace(e, start=parse_when("2025-01-01", zone=UTC)) if i in edited else e
                                       for i, e in enumerate(made)], Report())
    assert _replaced(before, moved) is None or not any(i < len(made) for i in edited)


def split_timeline(project):
    """Fifteen events past a page_events of 10: three in 2023, twelve in October 2024 (a day each)."""
    project.write("_index.md", "---\ntitle: Many\nsources: optional\npage_events: 10\n---\nThe intro.\n")
    for i in range(12):
        project.entry(f"a{i}.md", f"title: October {i}\ndate: 2024-10-{i + 1:02d}")
    for i in range(3):
        project.entry(f"b{i}.md", f"title: Earlier {i}\ndate: 2023-0{i + 1}-05")


def test_the_site_of_a_split_timeline(project):
    split_timeline(project)
    result = project.run("build", "--no-cache")
    assert result.code == 0, result.err
    # 15 event pages, the index, 2023, 2024 and October 2024, sources, tags, and the theme's pages
    assert "built 15 events" in result.out
    index = project.read("index.html")
    assert re.findall(r'<span class="period-label">([^<]*)</span> <span class="period-count">([^<]*)</span>', index) \
        == [("2023", "3 events"), ("2024", "12 events")]
    assert '<h2 id="shown-title">First: <a href="2023/index.html">2023</a></h2>' in index
    assert index.count('<article class="h-event"') == 3
    year = project.read("2024/index.html")
    assert '<nav class="crumbs" aria-label="Breadcrumb">' in year and "<h1>2024</h1>" in year
    # All of 2024 is in October: that level tells nothing apart, so 2024 is split by day.
    assert re.findall(r'<span class="period-label">([^<]*)</span>', year)[:2] == ["1 October 2024", "2 October 2024"]
    day = project.read("2024/10/02/index.html")
    assert day.count('<article class="h-event"') == 1
    assert '<a href="../../../2024/index.html">2024</a>' in day  # its place in the whole
    assert 'rel="prev" href="../../../2024/10/01/index.html"' in day
    assert 'href="../../../events/a1/index.html"' in day


def test_page_events_must_be_a_number(project):
    project.write("_index.md", "---\ntitle: Many\npage_events: lots\n---\n")
    result = project.run("check")
    assert "content/_index.md:3: error: page_events must be a whole number of events, 10 or more, such as 150, " \
           "not 'lots'" in result.lines


def test_the_engine_makes_the_reference_s_period_pages(project):
    from conftest import tree
    project.write("_index.md", "---\ntitle: Many\nsources: optional\npage_events: 10\n---\n")
    for i in range(25):
        project.entry(f"a{i}.md", f"title: Event {i}\ndate: 2024-{i % 3 + 9:02d}-{i + 1:02d}")
    assert project.run("build", "--no-cache", "--output", "reference").code == 0
    assert project.run("build", "--output", "engine").code == 0
    assert tree(project.root / "engine") == tree(project.root / "reference")
    project.entry("a3.md", "title: Moved\ndate: 2023-01-01")
    assert project.run("build", "--no-cache", "--output", "reference").code == 0
    assert project.run("build", "--output", "engine").code == 0
    assert tree(project.root / "engine") == tree(project.root / "reference")


def test_each_period_page_has_the_timeline_json_of_its_events(project):
    """An embed can show one period (TimelineJS's JSON beside the period's page); the whole file stays whole."""
    import json
    project.write("_index.md", "---\ntitle: Many\nsources: optional\npage_events: 10\n---\n")
    for i in range(12):
        project.entry(f"a{i}.md", f"title: October {i}\ndate: 2024-10-{i + 1:02d}")
    for i in range(3):
        project.entry(f"b{i}.md", f"title: Earlier {i}\ndate: 2023-0{i + 1}-05")
    assert project.run("build", "--no-cache").code == 0
    year = json.loads(project.read("2023/timeline.json"))
    assert [e["unique_id"] for e in year["events"]] == ["b0", "b1", "b2"]
    assert year["title"]["text"]["headline"] == "Many: 2023"
    assert len(json.loads(project.read("timeline.json"))["events"]) == 15
    assert not (project.root / "output" / "2024" / "timeline.json").exists()  # split further: its days have them
    assert json.loads(project.read("2024/10/05/timeline.json"))["events"][0]["unique_id"] == "a4"


def test_an_event_page_leads_back_to_the_page_that_shows_it(project):
    from conftest import tree
    project.write("_index.md", "---\ntitle: Many\nsources: optional\npage_events: 10\n---\n")
    for i in range(12):
        project.entry(f"a{i}.md", f"title: October {i}\ndate: 2024-10-{i + 1:02d}")
    for i in range(3):
        project.entry(f"b{i}.md", f"title: Earlier {i}\ndate: 2023-0{i + 1}-05")
    assert project.run("build", "--no-cache", "--output", "reference").code == 0
    page = (project.root / "reference" / "events" / "b1" / "index.html").read_text()
    assert '<a href="../../2023/index.html#b1"><span aria-hidden="true">← </span>Many</a>' in page
    page = (project.root / "reference" / "events" / "a4" / "index.html").read_text()
    assert 'href="../../2024/10/05/index.html#a4"' in page
    assert project.run("build", "--output", "engine").code == 0
    assert tree(project.root / "engine") == tree(project.root / "reference")
    for i in range(3, 12):  # the timeline shrinks to one page: every event page leads to the index again
        (project.content / f"a{i}.md").unlink()
    assert project.run("build", "--no-cache", "--output", "reference").code == 0
    assert project.run("build", "--output", "engine").code == 0
    assert tree(project.root / "engine") == tree(project.root / "reference")
    assert 'href="../../index.html#a1"' in (project.root / "engine" / "events" / "a1" / "index.html").read_text()
