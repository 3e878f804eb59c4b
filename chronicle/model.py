"""The timeline as frozen values: sources, events, days, the timeline; slug rules. No I/O."""

from __future__ import annotations

import re
import unicodedata
from dataclasses import dataclass, field
from functools import cached_property
from datetime import date
from types import MappingProxyType
from typing import Any, Mapping

from .dates import Precision, When

_EMPTY: Mapping[str, Any] = MappingProxyType({})


@dataclass(frozen=True)
class Source:
    """One citation of an event: a link, or a plain-text source such as a briefing."""

    url: str | None
    title: str | None = None
    publisher: str | None = None
    date: When | None = None
    archive: str | None = None

    @property
    def name(self) -> str:
        """Return the text a reader sees first: the publisher, else the title, else the host."""
        return self.publisher or self.title or host_of(self.url or "") or "Source"


@dataclass(frozen=True)
class Event:
    """One entry of the timeline, validated and ready to render."""

    slug: str
    title: str
    start: When
    path: str
    end: When | None = None
    sources: tuple[Source, ...] = ()
    tags: tuple[str, ...] = ()
    location: str | None = None
    summary: str = ""
    body: str = ""  # HTML rendered from the entry's Markdown; the author's own
    draft: bool = False
    weight: int = 0
    updated: When | None = None
    extra: Mapping[str, Any] = field(default_factory=lambda: _EMPTY)

    @property
    def url(self) -> str:
        """Return the permanent page's path, relative to the site root."""
        return f"events/{self.slug}/"

    @cached_property
    def day(self) -> date:
        return self.start.day

    @cached_property
    def sort_key(self) -> tuple:
        """The contract's order: instant, precision, weight, title, slug (computed once)."""
        return (*self.start.sort_key(), self.weight, self.title.casefold(), self.title, self.slug)


@dataclass(frozen=True)
class Day:
    """The events of one calendar day, with the number of days skipped before it.

    Events known only to the month or the year get a group of that period of
    their own (`when.precision` says which), never a made-up day (THEME.md).
    """

    when: When  # the day, month or year, as a When of that precision
    events: tuple[Event, ...]
    gap: int = 0  # days skipped between the previous day shown and this one (0 for months and years)

    @property
    def date(self) -> date:
        return self.when.day

    @property
    def precision(self) -> Precision:
        return self.when.precision

    @cached_property
    def id(self) -> str:
        return self.when.iso()


@dataclass(frozen=True)
class Jump:
    """Where a reader can enter a timeline: the first group of each day, month or year."""

    unit: str  # "day" (twenty days or fewer), "month" (thirty months or fewer), else "year"
    days: tuple[Day, ...]
    years: int  # how many calendar years the timeline touches


def _jump(days: tuple[Day, ...]) -> Jump:
    months = {(d.date.year, d.date.month) for d in days}
    years = {d.date.year for d in days}
    unit = "day" if len(days) <= 20 else "month" if len(months) <= 30 else "year"
    firsts: list[Day] = []
    last_key: object = None
    for day in days:
        key = day.id if unit == "day" else (day.date.year, day.date.month) if unit == "month" else day.date.year
        if key != last_key:
            firsts.append(day)
            last_key = key
    return Jump(unit, tuple(firsts), len(years))


@dataclass(frozen=True)
class Timeline:
    """Everything a theme renders: the settings-derived header and the ordered events."""

    title: str
    description: str
    intro: str  # HTML from the body of content/_index.md
    language: str
    base_url: str | None
    timezone: str
    newest_first: bool
    events: tuple[Event, ...]
    days: tuple[Day, ...]
    extra: Mapping[str, Any] = field(default_factory=lambda: _EMPTY)

    @cached_property
    def jump(self) -> Jump:
        return _jump(self.days)

    @cached_property
    def first(self) -> When | None:
        return min((e.start for e in self.events), key=When.sort_key, default=None)

    @cached_property
    def last(self) -> When | None:
        ends = [e.end or e.start for e in self.events]
        return max(ends, key=When.sort_key, default=None)


_SLUG_OK = re.compile(r"^[\w][\w-]*$")


def slugify(text: str) -> str:
    """Return a URL name for text: lower case, accents dropped, words joined by hyphens."""
    decomposed = unicodedata.normalize("NFKD", text)
    stripped = "".join(c for c in decomposed if not unicodedata.combining(c))
    words = re.findall(r"\w+", stripped.casefold().replace("_", " "))
    return "-".join(words)


def is_valid_slug(slug: str) -> bool:
    """Tell whether slug can be used as one path segment as it is."""
    return bool(_SLUG_OK.match(slug)) and slug == slugify(slug)


def host_of(url: str) -> str:
    """Return the host of a URL without a leading www., for display."""
    match = re.match(r"^[a-zA-Z][a-zA-Z0-9+.-]*://([^/?#:@]+@)?([^/?#:]+)", url)
    if not match:
        return ""
    host = match.group(2).lower()
    return host[4:] if host.startswith("www.") else host
