"""The contract's order: instant, day before timed, weight, title, slug; newest-first reverses all; days."""

import random
from datetime import date
from zoneinfo import ZoneInfo

from chronicle.config import Settings
from chronicle.dates import Precision, parse_when
from chronicle.diagnostics import Report
from chronicle.model import Event
from chronicle.timeline import build_timeline, order

ZONE = ZoneInfo("America/New_York")


def ev(slug, when, title="T", weight=0):
    return Event(slug=slug, title=title, start=parse_when(when, zone=ZONE), path=f"{slug}.md", weight=weight)


EVENTS = [
    ev("month", "2024-10"),
    ev("day1", "2024-10-01"),
    ev("timed-midnight", "2024-10-01T00:00"),
    ev("timed-late", "2024-10-01T23:00"),
    ev("other-zone", "2024-10-02T03:30+00:00"),  # 23:30 on 1 October in New York
    ev("light", "2024-10-03", title="Z", weight=-1),
    ev("alpha", "2024-10-03", title="B"),
    ev("beta", "2024-10-03", title="C"),
    ev("heavy", "2024-10-03", title="A", weight=5),
    ev("same-title-a", "2024-10-04", title="Same"),
    ev("same-title-b", "2024-10-04", title="Same"),
    ev("later", "2024-10-07"),
]
EXPECTED = [e.slug for e in EVENTS]


def test_the_contract_order():
    shuffled = EVENTS[:]
    for seed in range(20):
        random.Random(seed).shuffle(shuffled)
        assert [e.slug for e in order(shuffled)] == EXPECTED


def test_newest_first_reverses_everything():
    assert [e.slug for e in order(EVENTS, newest_first=True)] == EXPECTED[::-1]


def test_days_and_gaps():
    timeline = build_timeline(Settings(), EVENTS, Report())
    assert [(d.id, d.gap, len(d.events)) for d in timeline.days] == [
        ("2024-10", 0, 1), ("2024-10-01", 0, 4), ("2024-10-03", 1, 4), ("2024-10-04", 0, 2), ("2024-10-07", 2, 1),
    ]
    assert timeline.days[0].precision == Precision.MONTH  # never a made-up day
    assert timeline.days[1].date == date(2024, 10, 1)


def test_newest_first_days_gap():
    timeline = build_timeline(Settings(sort="newest-first"), EVENTS, Report())
    assert [(d.id, d.gap) for d in timeline.days] == [
        ("2024-10-07", 0), ("2024-10-04", 2), ("2024-10-03", 0), ("2024-10-01", 1), ("2024-10", 0),
    ]


def test_drafts_dropped_unless_asked():
    draft = Event(slug="d", title="D", start=parse_when("2024-10-01", zone=ZONE), path="d.md", draft=True)
    assert [e.slug for e in build_timeline(Settings(), [draft], Report()).events] == []
    assert [e.slug for e in build_timeline(Settings(), [draft], Report(), drafts=True).events] == ["d"]


def test_a_year_precision_event_gets_a_year_group():
    events = [ev("y", "2023"), ev("d", "2023-01-01"), ev("m", "2023-02")]
    timeline = build_timeline(Settings(), events, Report())
    assert [d.id for d in timeline.days] == ["2023", "2023-01-01", "2023-02"]
