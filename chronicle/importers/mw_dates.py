"""Markwhen's dates and ranges (docs.markwhen.com, Syntax: Dates and Ranges), read from the text before an
event's colon and resolved to the dates they mean: written dates keep their precision; relative dates,
durations and `!id` anchors are counted to absolute ones as Markwhen's parser counts them.

No Python parser of Markwhen exists (its own is TypeScript, @markwhen/parser), so this one is written from
the documented grammar: EDTF (`2004-02-01/2005`, `2018/6 months`) first, then Markwhen's other dates
(`12/7/1941`, `4 January 1996`, `Oct 8 2012 9:15pm`, `2020-02-22T12:13:14Z`, `now`, a time alone, a
relative date), joined by `-` or `to`, then BCE/AD years (`300-200 BC`).
"""

from __future__ import annotations

import re
from calendar import monthrange
from dataclasses import dataclass, replace
from datetime import date, datetime, timedelta, tzinfo

MONTHS = ["january", "february", "march", "april", "may", "june", "july", "august", "september", "october",
          "november", "december"]
_MONTH = r"(january|february|march|april|may|june|july|august|september|october|november|december" \
         r"|jan|feb|mar|apr|may|jun|jul|aug|sept|sep|oct|nov|dec)"
_TIME = r"(?:(1[0-2]|0?[1-9])(?::(\d{2}))?\s?([ap]m)|([01]?\d|2[0-3])(?::(\d{2}))?)"
_UNIT = (r"(?:milliseconds|ms|seconds|second|secs|sec|s|minutes|minute|mins|min|hours|hour|h"
         r"|(?:week\s*|work\s*|business\s*)(?:days|day|d)|days|day|d|weeks|week|w|months|month|years|year|y)")
_AMOUNT = rf"(-)?(\d+)\W*?\s*({_UNIT})\b"

ISO = re.compile(r"(\d{4})-(\d{2})-(\d{2})T(\d{2}):(\d{2}):(\d{2})(?:\.\d*)?Z", re.I)
EDTF = re.compile(rf"(\d{{4}})(?:-(\d{{2}})(?:-(\d{{2}})(?:\s+{_TIME})?)?)?", re.I)
WEEK = re.compile(r"(\d{4})-?W(\d{2})(?:-?([1-7]))?", re.I)
SLASH = re.compile(rf"(\d{{1,5}})(?:/(\d{{1,5}})(?:/(\d{{1,5}})(?:[,\s]+{_TIME})?)?)?", re.I)
TIME_ONLY = re.compile(_TIME, re.I)
CASUAL_DAY = re.compile(rf"(?:(\d{{1,2}})\s+{_MONTH}|{_MONTH}\s+(\d{{1,2}})(?!\d)),?(?:\s+(\d{{4}}),?)?(?:\s+{_TIME})?",
                        re.I)
CASUAL_MONTH = re.compile(rf"{_MONTH}(?:\s+(\d{{1,4}}))?", re.I)
RELATIVE = re.compile(rf"(?:(by|before|after)\s*)?(?:!(\w+)(?:\.(start|end))?|\.(start|end))?\s*(?:(?:plus|\+)\s*)?"
                      rf"((?:{_AMOUNT}\s*,?\s*)*)", re.I)
AMOUNT = re.compile(_AMOUNT, re.I)
BCE = re.compile(r"(\d{1,5})\s?(BCE|BC|AD|CE)?(?:\s?[–-]\s?(\d{1,5})\s?(BCE|BC|AD|CE)?)?", re.I)
RECURRENCE = re.compile(r"^(.*?)\s*\b(every\b.*)$", re.I)

COARSE_TO_FINE = ["year", "month", "day", "minute", "second"]


class DateProblem(ValueError):
    """A date that cannot be resolved (an unknown `!id`, `now` without --now): said at the event's line."""


@dataclass(frozen=True)
class Point:
    """A date as written: its first moment (in its zone), its precision, and whether its zone is the
    timeline's own (then written without an offset). A BCE year has no moment, only its text."""

    moment: datetime | None
    precision: str  # year, month, week, day, minute, second
    local: bool = True
    text_bce: str = ""


@dataclass(frozen=True)
class Relative:
    """`[after|before|by] [!id[.start|.end] | .start | .end] [amounts]`."""

    before: bool
    ref: str
    edge: str
    amounts: tuple[tuple[int, str], ...]


@dataclass(frozen=True)
class TimeOnly:
    hour: int
    minute: int
    precision: str = "minute"


NOW = "now"


@dataclass(frozen=True)
class Written:
    """The date part of an event: its start and end as written (end None when not written), and any
    recurrence (`every year for 10 years`), which is not carried over."""

    start: object
    end: object
    recurrence: str
    edtf: bool


def _hour(groups: tuple, offset: int = 0) -> tuple[int, int] | None:
    """The hour and minute of a matched _TIME (its five groups start at offset), or None when absent."""
    h12, m12, ampm, h24, m24 = groups[offset:offset + 5]
    if h12:
        hour = int(h12) % 12 + (12 if ampm.lower() == "pm" else 0)
        return hour, int(m12 or 0)
    if h24:
        return int(h24), int(m24 or 0)
    return None


class Reader:
    """Reads date parts in one zone and one day order (Markwhen's default month/day/year, or `dateFormat:
    d/M/y`); `year` is the year of `now`, for dates written without one."""

    def __init__(self, zone: tzinfo, day_first: bool, now: date | None):
        self.zone = zone
        self.day_first = day_first
        self.now = now

    def _at(self, y: int, m: int = 1, d: int = 1, hh: int = 0, mm: int = 0, ss: int = 0,
            zone: tzinfo | None = None) -> datetime:
        return datetime(y, m, d, hh, mm, ss, tzinfo=zone or self.zone)

    def _year_of_now(self, text: str) -> int:
        if self.now is None:
            raise DateProblem(f"'{text}' has no year: Markwhen takes the year it is read in; write the year, or "
                              "pass --now DATE to say which day the import is made on")
        return self.now.year

    # One date ------------------------------------------------------------------------------------------

    def edtf_date(self, text: str):
        """An EDTF side of a range: YYYY[-MM[-DD[ time]]], an ISO week, a relative date or `now`."""
        if m := EDTF.fullmatch(text):
            y, mo, d = m.group(1), m.group(2), m.group(3)
            if d:
                time = _hour(m.groups(), 3)
                if time:
                    return Point(self._at(int(y), int(mo), int(d), *time), "minute")
                return Point(self._at(int(y), int(mo), int(d)), "day")
            if mo:
                return Point(self._at(int(y), int(mo)), "month")
            return Point(self._at(int(y)), "year")
        return self._week(text) or self._now(text) or self.relative(text)

    def casual_date(self, text: str):
        """A side of a non-EDTF range, in the order Markwhen tries them."""
        if m := ISO.fullmatch(text):
            from datetime import timezone
            y, mo, d, hh, mm, ss = (int(g) for g in m.groups())
            return Point(datetime(y, mo, d, hh, mm, ss, tzinfo=timezone.utc), "second", local=False)
        if now := self._now(text):
            return now
        if m := TIME_ONLY.fullmatch(text):  # `9:15pm`, `06:30`, and a bare `12` too, as Markwhen reads it
            hour, minute = _hour(m.groups())
            return TimeOnly(hour, minute)
        if week := self._week(text):
            return week
        if m := SLASH.fullmatch(text):
            return self._slash(m, text)
        if rel := self.relative(text):
            return rel
        if m := CASUAL_DAY.fullmatch(text):
            day, month = m.group(1) or m.group(4), _month(m.group(2) or m.group(3))
            year = int(m.group(5)) if m.group(5) else self._year_of_now(text)
            time = _hour(m.groups(), 5)
            if time:
                return Point(self._at(year, month, int(day), *time), "minute")
            return Point(self._at(year, month, int(day)), "day")
        if m := CASUAL_MONTH.fullmatch(text):
            year = int(m.group(2)) if m.group(2) else self._year_of_now(text)
            return Point(self._at(year, _month(m.group(1))), "month")
        return None

    def _now(self, text: str):
        return NOW if text.lower() == "now" else None

    def _week(self, text: str):
        if not (m := WEEK.fullmatch(text)):
            return None
        monday = date.fromisocalendar(int(m.group(1)), int(m.group(2)), 1)
        if m.group(3):
            day = monday + timedelta(days=int(m.group(3)) - 1)
            return Point(self._at(day.year, day.month, day.day), "day")
        return Point(self._at(monday.year, monday.month, monday.day), "week")

    def _slash(self, m: re.Match, text: str):
        first, second, third = m.group(1), m.group(2), m.group(3)
        if third:
            month, day = (int(second), int(first)) if self.day_first else (int(first), int(second))
            time = _hour(m.groups(), 3)
            if time:
                return Point(self._at(int(third), month, day, *time), "minute")
            return Point(self._at(int(third), month, day), "day")
        if second:
            return Point(self._at(int(second), int(first)), "month")
        return Point(self._at(int(first)), "year")

    def relative(self, text: str):
        m = RELATIVE.fullmatch(text)
        if not m or not (m.group(2) or m.group(4) or m.group(5)):
            return None
        amounts = tuple((-int(a.group(2)) if a.group(1) else int(a.group(2)), _unit(a.group(3)))
                        for a in AMOUNT.finditer(m.group(5) or ""))
        return Relative((m.group(1) or "").lower() in ("by", "before"), m.group(2) or "",
                        (m.group(3) or m.group(4) or "").lower(), amounts)

    # A range -------------------------------------------------------------------------------------------

    def written(self, text: str) -> Written | None:
        """Read the text before an event's colon as a date range, or None when it is not one."""
        text = text.strip()
        recurrence = ""
        if m := RECURRENCE.match(text):
            text, recurrence = m.group(1).strip(), m.group(2).strip()
        if not text:
            return None
        parts = [p.strip() for p in text.split("/")]
        if len(parts) <= 2 and all(parts):
            sides = [self.edtf_date(p) for p in parts]
            if all(s is not None for s in sides):
                return Written(sides[0], sides[1] if len(sides) > 1 else None, recurrence, True)
        if (one := self.casual_date(text)) is not None:
            return Written(one, None, recurrence, False)
        for sep in re.finditer(r"\s*-\s*|\s+to\s+", text, re.I):
            left, right = text[:sep.start()].strip(), text[sep.end():].strip()
            if left and right and (start := self.casual_date(left)) is not None \
                    and (end := self.casual_date(right)) is not None:
                return Written(start, end, recurrence, False)
        if m := BCE.fullmatch(text):
            start_era = (m.group(2) or m.group(4) or "").upper()
            if start_era:
                start = self._era_year(int(m.group(1)), start_era)
                end = self._era_year(int(m.group(3)), (m.group(4) or "").upper()) if m.group(3) else None
                return Written(start, end, recurrence, False)
        return None

    def _era_year(self, year: int, era: str) -> Point:
        if era in ("BC", "BCE"):
            return Point(None, "year", text_bce=f"{year} {era}")
        return replace(Point(self._at(year), "year"), text_bce=f"{year} {era}")


def _month(name: str) -> int:
    return next(n for n, full in enumerate(MONTHS, 1) if full.startswith(name.lower()[:3]))


def _unit(word: str) -> str:
    word = word.lower().replace(" ", "")
    if word.endswith(("days", "day", "d")) and word.startswith(("week", "work", "business")):
        return "weekdays"
    for unit, names in (("milliseconds", ("milliseconds", "ms")), ("seconds", ("seconds", "second", "secs", "sec", "s")),
                        ("minutes", ("minutes", "minute", "mins", "min")), ("hours", ("hours", "hour", "h")),
                        ("days", ("days", "day", "d")), ("weeks", ("weeks", "week", "w")),
                        ("months", ("months", "month")), ("years", ("years", "year", "y"))):
        if word in names:
            return unit
    raise ValueError(word)


# Counting ------------------------------------------------------------------------------------------------

def add(moment: datetime, amounts: tuple[tuple[int, str], ...], sign: int = 1) -> datetime:
    """Add amounts to a moment on its own wall clock (as Luxon's plus does), months clamped to their
    last day; week days skip Saturdays and Sundays."""
    zone = moment.tzinfo
    wall = moment.replace(tzinfo=None)
    for count, unit in amounts:
        count *= sign
        if unit in ("years", "months"):
            months = wall.month - 1 + count * (12 if unit == "years" else 1)
            year, month = wall.year + months // 12, months % 12 + 1
            wall = wall.replace(year=year, month=month, day=min(wall.day, monthrange(year, month)[1]))
        elif unit == "weekdays":
            step = 1 if count >= 0 else -1
            for _ in range(abs(count)):
                wall += timedelta(days=step)
                while wall.weekday() >= 5:
                    wall += timedelta(days=step)
        else:
            wall += timedelta(**{unit: count})
    return wall.replace(tzinfo=zone)


def end_of(point: Point) -> datetime | None:
    """The moment just after a written date: Markwhen's range of `2024` ends at the start of 2025."""
    if point.moment is None:
        return None
    unit = {"year": ((1, "years"),), "month": ((1, "months"),), "week": ((7, "days"),), "day": ((1, "days"),)}
    return add(point.moment, unit[point.precision]) if point.precision in unit else point.moment


def aligned(moment: datetime, precision: str) -> bool:
    """Whether a moment is the first of its year, month or day (minutes and seconds are always whole)."""
    wall = moment.replace(tzinfo=None)
    if precision == "second":
        return wall.microsecond == 0
    if precision == "minute":
        return wall.second == 0 and wall.microsecond == 0
    if wall.time() != datetime.min.time():
        return False
    return precision == "day" or (wall.day == 1 and (precision == "month" or wall.month == 1))


def text_of(point: Point) -> str:
    """The date as Chronicle reads it, at its own precision: 2024, 2024-10, 2024-10-28, 2024-10-28T14:30."""
    if point.text_bce:
        return point.text_bce
    moment = point.moment
    assert moment is not None
    if point.precision == "year":
        return str(moment.year)
    if point.precision == "month":
        return f"{moment.year:04d}-{moment.month:02d}"
    day = f"{moment.year:04d}-{moment.month:02d}-{moment.day:02d}"
    if point.precision in ("day", "week"):
        return day
    clock = f"T{moment.hour:02d}:{moment.minute:02d}" + (f":{moment.second:02d}" if point.precision == "second" else "")
    if point.local:
        return day + clock
    offset = moment.utcoffset() or timedelta(0)
    if not offset:
        return day + clock + "Z"
    minutes = int(offset.total_seconds() // 60)
    sign = "+" if minutes >= 0 else "-"
    return day + clock + f"{sign}{abs(minutes) // 60:02d}:{abs(minutes) % 60:02d}"


def before(moment: datetime, precision: str) -> datetime:
    """The first moment of the period of that precision just before an (aligned) moment."""
    back = {"year": ((1, "years"),), "month": ((1, "months"),), "day": ((1, "days"),)}
    return add(moment, back[precision], -1) if precision in back else moment
