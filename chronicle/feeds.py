"""Feeds: the Atom feed, the iCalendar file, TimelineJS data and the sitemap, as bytes."""

from __future__ import annotations

from .model import Timeline


def render_feeds(timeline: Timeline, cache: dict[str, object]) -> dict[str, bytes]:
    """Return feed.xml, calendar.ics, timeline.json, sitemap.xml and robots.txt (issue 4, in progress)."""
    return {}
