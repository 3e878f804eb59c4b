"""Events → Timeline: drafts left out, slugs made unique, the contract's order, days."""

from __future__ import annotations

from itertools import groupby
from typing import Iterable, Sequence

from .config import Settings
from .dates import Precision, When
from .diagnostics import Report
from .entries import curl_quotes
from .model import Day, Era, Event, Timeline


def order(events: Iterable[Event], newest_first: bool = False) -> list[Event]:
    """Sort events by instant, precision, weight, title and slug; reversed whole for newest-first."""
    ordered = sorted(events, key=lambda event: event.sort_key)
    return ordered[::-1] if newest_first else ordered


def period_of(when: When) -> When:
    """Return the group a date falls in: its day for a time, else the date itself (a day, month, year, century …)."""
    if when.precision is not Precision.MINUTE:
        return when
    return When(when.start.replace(hour=0, minute=0, second=0, microsecond=0), Precision.DAY,
                calendar=when.calendar)


def day_key(event: Event) -> tuple:
    """Return what puts events in one group: the day, or the month, year … for a coarser date, as written."""
    when = event.start
    return (min(when.precision, Precision.DAY), when.ymd, when.qualifier, when.form, when.calendar)


def group_days(events: Sequence[Event], last_day: int | None = None, eras: Sequence[Era] = ()) -> tuple[Day, ...]:
    """Group ordered events by day (or month, year …), noting how many days were skipped between days.

    last_day: the day number (When.days) of the day shown just before these events, when they
    continue a longer list. eras: the timeline's, for a page of the timeline: each group is given
    those it lies in, and those whose heading it comes after (the first group of each on the page).
    """
    days: list[Day] = []
    opened: set[Era] = set()  # the eras whose heading is on this page already: one each, at their first group
    for _, group in groupby(events, key=day_key):
        members = tuple(group)
        period = period_of(members[0].start)
        gap = 0
        if period.precision is Precision.DAY and not period.qualifier:
            number = period.days()
            if last_day is not None:
                gap = max(0, abs(number - last_day) - 1)
            last_day = number
        if eras:
            within = tuple(era for era in eras if era.covers(period))
            opens = tuple(era for era in within if era not in opened)
            opened.update(opens)
            days.append(Day(period, members, gap, within, opens))
        else:
            days.append(Day(when=period, events=members, gap=gap))
    return tuple(days)


def build_timeline(settings: Settings, events: Iterable[Event], report: Report, drafts: bool = False,
                   base_url: str | None = None, intro: str = "") -> Timeline:
    """Assemble the timeline: drop drafts unless asked, refuse duplicate slugs, order, group by day."""
    kept = [e for e in events if drafts or not e.draft]
    by_slug: dict[str, Event] = {}
    unique: list[Event] = []
    for event in sorted(kept, key=lambda e: e.path):
        first = by_slug.get(event.slug)
        if first is not None:
            # At the `slug:` line when the slug was written, else at the top: the file name gave it.
            hint = "write another slug" if event.slug_line else "rename the file or add `slug: another-name`"
            report.error(event.path, event.slug_line or 1,
                         f"slug '{event.slug}' is already used by {first.path} — {hint}")
            continue
        by_slug[event.slug] = event
        unique.append(event)
    newest_first = settings.sort == "newest-first"
    ordered = order(unique, newest_first)
    return Timeline(
        title=curl_quotes(settings.title),  # typographic quotes, as every entry's title and body
        description=curl_quotes(settings.description),
        intro=intro,
        language=settings.language,
        base_url=base_url or settings.base_url,
        timezone=settings.timezone,
        newest_first=newest_first,
        events=tuple(ordered),
        days=group_days(ordered, eras=settings.eras),
        extra=settings.extra,
        page_events=settings.page_events,
        feed_events=settings.feed_events,
        search=settings.search,
        eras=settings.eras,
    )
