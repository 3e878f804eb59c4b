"""Events → Timeline: drafts left out, slugs made unique, the contract's order, days."""

from __future__ import annotations

from itertools import groupby
from typing import Iterable

from .config import Settings
from .diagnostics import Report
from .model import Day, Event, Timeline


def order(events: Iterable[Event], newest_first: bool = False) -> list[Event]:
    """Sort events by instant, precision, weight, title and slug; reversed whole for newest-first."""
    ordered = sorted(events, key=Event.sort_key)
    return ordered[::-1] if newest_first else ordered


def group_days(events: list[Event]) -> tuple[Day, ...]:
    """Group ordered events by calendar day, noting how many days were skipped between them."""
    days: list[Day] = []
    for day, members in groupby(events, key=lambda e: e.day):
        gap = abs((day - days[-1].date).days) - 1 if days else 0
        days.append(Day(date=day, events=tuple(members), gap=gap))
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
            report.error(event.path, 1, f"slug '{event.slug}' is already used by {first.path} — "
                         "rename the file or add `slug: another-name`")
            continue
        by_slug[event.slug] = event
        unique.append(event)
    newest_first = settings.sort == "newest-first"
    ordered = order(unique, newest_first)
    return Timeline(
        title=settings.title,
        description=settings.description,
        intro=intro,
        language=settings.language,
        base_url=base_url or settings.base_url,
        timezone=settings.timezone,
        newest_first=newest_first,
        events=tuple(ordered),
        days=group_days(ordered),
        extra=settings.extra,
    )
