"""Events → Timeline: drafts left out, slugs made unique, the contract's order (its days: Timeline.days)."""

from __future__ import annotations

from typing import Iterable

from .config import Settings
from .diagnostics import Report
from .entries import curl_quotes
from .model import Event, Timeline


def order(events: Iterable[Event], newest_first: bool = False) -> list[Event]:
    """Sort events by instant, precision, weight, title and slug; reversed whole for newest-first."""
    ordered = sorted(events, key=lambda event: event.sort_key)
    return ordered[::-1] if newest_first else ordered


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
        extra=settings.extra,
        page_events=settings.page_events,
        feed_events=settings.feed_events,
        search=settings.search,
        eras=settings.eras,
    )
