"""Events → Timeline: drafts left out, slugs made unique, the contract's order (its days: Timeline.days)."""

from __future__ import annotations

from typing import Iterable

from .config import Settings
from .diagnostics import Report
from .entries import curl_quotes
from .model import SORT_KEY, Event, Timeline


def order(events: Iterable[Event], newest_first: bool = False) -> list[Event]:
    """Sort events by instant, precision, weight, title and slug; reversed whole for newest-first."""
    ordered = sorted(events, key=SORT_KEY)
    return ordered[::-1] if newest_first else ordered


def _unique(events: list[Event], report: Report) -> list[Event]:
    """Keep, of the events with the same slug, the first by path: an error at each of the others."""
    if len({event.slug for event in events}) == len(events):  # nearly always: nothing to look for
        return events
    by_slug: dict[str, Event] = {}
    for event in sorted(events, key=lambda e: e.path):
        first = by_slug.setdefault(event.slug, event)
        if first is not event:
            # At the `slug:` line when the slug was written, else at the top: the file name gave it.
            hint = "write another slug" if event.slug_line else "rename the file or add `slug: another-name`"
            report.error(event.path, event.slug_line or 1,
                         f"slug '{event.slug}' is already used by {first.path} — {hint}")
    return list(by_slug.values())


def build_timeline(settings: Settings, events: Iterable[Event], report: Report, drafts: bool = False,
                   base_url: str | None = None, intro: str = "") -> Timeline:
    """Assemble the timeline: drop drafts unless asked, refuse duplicate slugs, order, group by day."""
    kept = [e for e in events if drafts or not e.draft]
    newest_first = settings.sort == "newest-first"
    ordered = order(_unique(kept, report), newest_first)
    return Timeline(
        title=curl_quotes(settings.title),  # typographic quotes, as every entry's title and body
        description=curl_quotes(settings.description),
        intro=intro,
        language=settings.language,
        base_url=base_url or settings.base_url,
        timezone=settings.timezone,
        newest_first=newest_first,
        events=tuple(ordered),
        extra=settings.extra,
        page_events=settings.page_events,
        feed_events=settings.feed_events,
        search=settings.search,
        eras=settings.eras,
    )
