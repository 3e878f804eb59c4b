"""A long timeline split by time into period pages: millennia … years, months, days, numbered parts.

A timeline of at most `page_events` events is one page, as it always was. A longer one is split:
each period holding more than the limit is split into the next finer periods that tell its events
apart (a level where they all fall in one period is passed over), until every page holds at most
the limit; a day still too long is cut into numbered parts. A page's address is its period's own
(`2024/`, `2024/10/`, `2024/10/28/`, `2024/10/28/2/`, `2020s/`, `1900-1999/`, `470-bce/`), so an
event's page changes only when a period that holds it passes the limit. Events known less
precisely than a split (a year-only event in a year split by month) stay on the period's own page.
"""

from __future__ import annotations

from dataclasses import dataclass
from itertools import groupby
from operator import itemgetter
from typing import Callable, Iterator

from .dates import DEEP, MONTHS, Precision
from .model import SORT_KEY, Day, Event
from .model import group_days

# Year-counted levels, coarse to fine: a period of `size` years; then months, days, parts.
_YEAR_SIZES = (10 ** 9, 10 ** 8, 10 ** 7, 10 ** 6, 10 ** 5, 10 ** 4, 1000, 100, 10, 1)
LEVELS = (*(f"years:{size}" for size in _YEAR_SIZES), "month", "day")
_SECOND = itemgetter(1)


@dataclass(frozen=True)
class Link:
    """A page of periods as another page links to it (a crumb of its trail, the page before or after,
    a tag's own page): its folder and its label, nothing of its events."""

    path: str
    label: str


@dataclass(frozen=True)
class Period:
    """One period of the timeline: its events (in the timeline's order), and, when it is split, its
    own events (known less precisely than its parts) and its parts."""

    path: str  # '' for the whole timeline, else '2024/', '2024/10/' …: the page's folder
    label: str  # 'The whole timeline', '2024', 'October 2024', '28 October 2024, part 2', '1900–1999'
    events: tuple[Event, ...]
    own: tuple[Event, ...] = ()  # events this period shows itself, beside its parts
    parts: tuple[Period, ...] = ()  # its periods, when it is split; () for a page of events

    @property
    def count(self) -> int:
        return len(self.events)

    @property
    def link(self) -> Link:
        return Link(self.path, self.label)

    @property
    def days(self) -> tuple[Day, ...]:
        """The events it shows, grouped by day as the timeline is."""
        return group_days(self.own if self.parts else self.events)

    def pages(self) -> Iterator[Period]:
        """Every period below this one that has a page, in time order (itself first, but the whole)."""
        if self.path:
            yield self
        for part in self.parts:
            yield from part.pages()

    def leaves(self) -> Iterator[Period]:
        """The periods of events (not split), in time order."""
        if not self.parts:
            yield self
        for part in self.parts:
            yield from part.leaves()


def homes(whole: Period | None) -> dict[str, str]:
    """Return each event's page of the timeline: the folder of the period that shows it ({} unsplit)."""
    if whole is None:
        return {}
    found = {}
    for period in whole.pages():
        for event in (period.own if period.parts else period.events):
            found[event.slug] = period.path
    return found


def split(events: tuple[Event, ...], limit: int) -> Period | None:
    """Return the whole timeline as periods, or None when it fits on one page."""
    if len(events) <= limit:
        return None
    ordered = tuple(sorted(events, key=SORT_KEY))  # time order, whatever the sort
    # The first split is by the longest period that is no longer than the whole span (millennia for
    # 3400 BCE to today, years for three years of news), so that no page stands for nearly all of it.
    span = ordered[-1].start.year - ordered[0].start.year + 1
    first = next((depth for depth, size in enumerate(_YEAR_SIZES) if size <= span), len(_YEAR_SIZES) - 1)
    own, parts = _parts(ordered, first, limit, "")
    if not parts:
        return Period("", "The whole timeline", ordered, (), _numbered(ordered, limit, "", "The timeline"))
    return Period("", "The whole timeline", ordered, own, parts)


def _parts(events: tuple[Event, ...], level: int, limit: int, path: str) -> tuple[tuple[Event, ...], tuple[Period, ...]]:
    """Split events (time order) at the first level from `level` on that tells them apart: return the
    events too coarse for it, and the periods."""
    for depth in range(level, len(LEVELS)):
        keys = list(map(_KEYS[LEVELS[depth]], events))
        own = tuple(event for event, key in zip(events, keys) if key is None)
        groups = [(k, tuple(event for event, _ in group))
                  for k, group in groupby(((event, key) for event, key in zip(events, keys) if key is not None),
                                          key=_SECOND)]
        if len(groups) > 1 or (groups and own):
            return own, tuple(_period(k, members, depth, limit) for k, members in groups)
    return (), ()


def _period(key: tuple, events: tuple[Event, ...], depth: int, limit: int) -> Period:
    path, label = _names(LEVELS[depth], key)
    if len(events) <= limit:
        return Period(path, label, events)
    own, parts = _parts(events, depth + 1, limit, path)
    if not parts:  # nothing finer tells them apart (one day, one month of month-only dates): parts
        return Period(path, label, events, (), _numbered(events, limit, path, label))
    return Period(path, label, events, own, parts)


def _numbered(events: tuple[Event, ...], limit: int, path: str, label: str = "") -> tuple[Period, ...]:
    """Cut a period that nothing finer splits into parts of `limit` events: path, path/2/, path/3/ …"""
    chunks = [events[start:start + limit] for start in range(0, len(events), limit)]
    return tuple(Period(path if n == 1 else f"{path}{n}/", f"{label}, part {n}" if label else f"Part {n}", chunk)
                 for n, chunk in enumerate(chunks, 1))


def _year_key(size: int) -> Callable[[Event], tuple | None]:
    def key(event: Event) -> tuple | None:
        when = event.start
        if -when.precision > len(str(size)) - 1:  # known less precisely than this level
            return None
        year = when.year
        if year >= 1:
            return ("ad", year // size)
        return ("bce", -((1 - year) // size))  # BCE periods run backwards: 479–470 BCE before 469–460
    return key


def _month_key(event: Event) -> tuple | None:
    when = event.start
    return (when.year, when.ymd[1]) if when.precision >= Precision.MONTH else None


def _day_key(event: Event) -> tuple | None:
    when = event.start
    return when.ymd if when.precision >= Precision.DAY else None


_KEYS: dict[str, Callable[[Event], tuple | None]] = {
    **{f"years:{size}": _year_key(size) for size in _YEAR_SIZES}, "month": _month_key, "day": _day_key}


def _names(level: str, key: tuple) -> tuple[str, str]:
    """Return the folder and the label of a period."""
    if level == "month":
        year, month = key
        return f"{_year_path(year)}{month:02d}/", f"{MONTHS[month - 1]} {_year_label(year)}"
    if level == "day":
        year, month, day = key
        return f"{_year_path(year)}{month:02d}/{day:02d}/", f"{day} {MONTHS[month - 1]} {_year_label(year)}"
    size = int(level.split(":")[1])
    era, k = key
    if era == "ad":
        first, last = max(k * size, 1), k * size + size - 1
        if size >= 10_000:
            return "ad/", "AD 1 onwards"
        if size == 1:
            return f"{first}/", str(first)
        if size == 10:
            return f"{first}s/", f"{first}s"
        return f"{first}-{last}/", f"{first:,}–{last:,}"
    first, last = max(-k * size, 1), -k * size + size - 1  # years BCE, counted back
    if size == 1:
        return f"{first}-bce/", f"{first:,} years ago" if first >= DEEP else f"{first:,} BCE"
    if last >= DEEP and first > 1:
        return f"{first}-{last}-years-ago/", f"{last + 1:,}–{first:,} years ago"
    if size == 10:
        return f"{-k * size}s-bce/", f"{-k * size}s BCE"
    return f"{first}-{last}-bce/", f"{last:,}–{first:,} BCE"


def _year_path(year: int) -> str:
    return f"{year}/" if year >= 1 else f"{1 - year}-bce/"


def _year_label(year: int) -> str:
    return str(year) if year >= 1 else f"{1 - year:,} BCE"
