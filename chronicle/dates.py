"""Dates with their precision: parse, format, order."""

from __future__ import annotations

import calendar
import enum
import re
import warnings
from dataclasses import dataclass, field
from datetime import date, datetime, timedelta, timezone
from zoneinfo import ZoneInfo

import dateutil.parser

MONTHS = ("January", "February", "March", "April", "May", "June", "July",
          "August", "September", "October", "November", "December")
WEEKDAYS = ("Monday", "Tuesday", "Wednesday", "Thursday", "Friday", "Saturday", "Sunday")

# Fixed offsets, in hours, for the abbreviations a reader expects (README.md, Dates).
ABBREVIATIONS = {
    "UTC": 0, "GMT": 0, "Z": 0, "EST": -5, "EDT": -4, "CST": -6, "CDT": -5,
    "MST": -7, "MDT": -6, "PST": -8, "PDT": -7, "CET": 1, "CEST": 2, "EET": 2,
    "EEST": 3, "MSK": 3, "KST": 9, "JST": 9, "BST": 1,
}
# Written years are kept to a range where moving an instant by a day or a
# zone offset can never overflow `datetime`.
FIRST_YEAR, LAST_YEAR = 1000, 9998

_EXAMPLES = "write it like 2024-10-28, 28 October 2024 or 2024-10-28T14:30"
_ISO = re.compile(
    r"(?P<year>\d{4})(?:-(?P<month>\d{2})(?:-(?P<day>\d{2})"
    r"(?:[Tt ](?P<time>\d{2}:\d{2}(?::\d{2}(?:\.\d{1,6})?)?) ?(?P<offset>[Zz]|[+-]\d{2}(?::?\d{2})?)?)?)?)?",
    re.ASCII)
_ISO_DATE_PREFIX = re.compile(r"\d{4}-\d{2}-\d{2}", re.ASCII)
_AFTER_DATE = r"(?:(?:T|[\s,]+)(?P<rest>.+))?"
_DAY_MONTH = re.compile(
    r"(?P<first>\d{1,2})(?P<sep>[/.-])(?P<second>\d{1,2})(?:(?P=sep)(?P<year>\d+))?" + _AFTER_DATE,
    re.ASCII | re.DOTALL)
_YEAR_FIRST = re.compile(
    r"(?P<year>\d{4})(?P<sep>[/.-])(?P<month>\d{1,2})(?P=sep)(?P<day>\d{1,2})" + _AFTER_DATE,
    re.ASCII | re.DOTALL)
_WORD = re.compile(r"[^\W\d_]+")
# dateutil reads 'UTC+03:00' the POSIX way (three hours *behind* UTC); a reader
# means three hours ahead, so the offset alone is handed over.
_UTC_PLUS = re.compile(r"(?<![A-Za-z])(?:UTC|GMT)\s*(?=[+-]\d)")
# Two leap years, so that 29 February parses; every field differs between
# them, so a field that comes out the same in both parses was written.
_EARLY, _LATE = datetime(2000, 1, 1, 0, 0), datetime(2004, 12, 31, 23, 59)
_NAMES = dateutil.parser.parserinfo()


class Precision(enum.IntEnum):
    """How much of a date the author wrote; coarser sorts first."""

    YEAR = 0
    MONTH = 1
    DAY = 2
    MINUTE = 3


class DateError(ValueError):
    """A date the author must fix; the message says what is wrong, then what to write instead.

    The message names no path or line: the caller adds them.
    """


@dataclass(frozen=True, slots=True)
class When:
    """A start in the timeline zone, and how precisely it is known."""

    start: datetime
    precision: Precision
    _sort_key: tuple = field(init=False, repr=False, compare=False)

    def __post_init__(self) -> None:
        if self.start.utcoffset() is None:
            raise ValueError("When.start must be timezone-aware")
        # Computed once: sorting and grouping ask for it thousands of times a build.
        object.__setattr__(self, "_sort_key", (self.start.astimezone(timezone.utc), self.precision))

    def __reduce__(self):
        # Made again by its constructor: the sort key is not pickled, and unpickling skips the
        # slots' generic __setstate__ (10,000 events read from the cache: 0.62 -> 0.3 s).
        return When, (self.start, self.precision)

    @property
    def day(self) -> date:
        """Return the calendar day of the start in the timeline zone."""
        return self.start.date()

    def sort_key(self) -> tuple:
        """Return (UTC instant, precision): a day sorts before the times of that day."""
        return self._sort_key

    def iso(self) -> str:
        """Return the value for an HTML datetime attribute."""
        day = self.start.date().isoformat()
        if self.precision is not Precision.MINUTE:
            return day[: (4, 7, 10)[self.precision]]  # 2024, 2024-10, 2024-10-28
        seconds = f":{self.start.second:02d}" if self.start.second else ""
        return f"{day}T{self.start:%H:%M}{seconds}{_offset(self.start)}"

    def period_end(self) -> datetime:
        """Return the exclusive end of the period (the start itself for a minute)."""
        start, zone = self.start, self.start.tzinfo
        if self.precision is Precision.YEAR:
            return datetime(start.year + 1, 1, 1, tzinfo=zone)
        if self.precision is Precision.MONTH:
            year, month = divmod(start.year * 12 + start.month, 12)
            return datetime(year, month + 1, 1, tzinfo=zone)
        if self.precision is Precision.DAY:
            following = start.date() + timedelta(days=1)
            return datetime(following.year, following.month, following.day, tzinfo=zone)
        return start


def parse_when(value: object, *, zone: ZoneInfo, year: int | None = None,
               date_order: str | None = None) -> When:
    """Read a date as YAML or the author gave it, keeping its precision."""
    if date_order not in (None, "DMY", "MDY"):
        raise ValueError(f"date_order must be 'DMY', 'MDY' or None, not {date_order!r}")
    if value is None:
        raise DateError("the date is empty; write a date such as 2024-10-28")
    if isinstance(value, datetime):
        _check_year(value.year, str(value))
        return _instant(value, zone, str(value))
    if isinstance(value, date):
        return _period(_check_year(value.year, str(value)), value.month, value.day, Precision.DAY, zone)
    if isinstance(value, int) and not isinstance(value, bool) and 1000 <= value <= 9999:
        return _period(_check_year(value, str(value)), 1, 1, Precision.YEAR, zone)
    if not isinstance(value, str):
        shown = str(value).lower() if isinstance(value, bool) else value
        raise DateError(f"{shown!s} is not a date; write a date such as 2024-10-28")
    # Whitespace runs become one space, so every message stays on one line (README.md, Commands).
    text = " ".join(value.split())
    if not text:
        raise DateError("the date is empty; write a date such as 2024-10-28")
    return (_parse_iso(text, zone)
            or _parse_numeric(text, zone, year, date_order)
            or _parse_human(text, zone, year))


def _parse_iso(text: str, zone: ZoneInfo) -> When | None:
    """Read an ISO 8601 date or time, or return None if the text is not one."""
    match = _ISO.fullmatch(text)
    if match is None:
        return None
    year = _check_year(int(match["year"]), text)
    if match["month"] is None:
        return _period(year, 1, 1, Precision.YEAR, zone)
    month = _check_month(int(match["month"]), text)
    if match["day"] is None:
        return _period(year, month, 1, Precision.MONTH, zone)
    day = _check_day(year, month, int(match["day"]), text)
    if match["time"] is None:
        return _period(year, month, day, Precision.DAY, zone)
    offset = match["offset"] or ""
    try:
        moment = datetime.fromisoformat(f"{year:04d}-{month:02d}-{day:02d}T{match['time']}{offset}")
    except ValueError:
        raise DateError(f"'{text}' is not a valid time; write it like 2024-10-28T14:30 "
                        "or 2024-10-28T14:30-04:00") from None
    return _instant(moment, zone, text)


def _parse_numeric(text: str, zone: ZoneInfo, year: int | None, date_order: str | None) -> When | None:
    """Read 28/10/2024, 10/28/2024, 28.10.2024 or 2024/10/28, or return None."""
    if match := _YEAR_FIRST.fullmatch(text):
        month, day = int(match["month"]), int(match["day"])
        full_year = _check_year(int(match["year"]), text)
        _check_month(month, text)
    elif match := _DAY_MONTH.fullmatch(text):
        full_year = _numeric_year(match, year, text)
        month, day = _numeric_order(int(match["first"]), int(match["second"]), full_year, date_order, text)
    else:
        return None
    _check_day(full_year, month, day, text)
    if match["rest"] is None:
        return _period(full_year, month, day, Precision.DAY, zone)
    # The date is settled; a time after it is read like any other.
    rewritten = f"{full_year:04d}-{month:02d}-{day:02d} {match['rest']}"
    return _parse_iso(rewritten, zone) or _parse_human(rewritten, zone, year)


def _numeric_year(match: re.Match, year: int | None, text: str) -> int:
    """Return the year of a numeric date, from the text or the timeline setting."""
    written = match["year"]
    if written is None:
        if year is None:
            sep = match["sep"]
            raise DateError(f"'{text}' has no year; write {match['first']}{sep}{match['second']}{sep}2024, "
                            "or set year: in content/_index.md")
        return _check_year(year, text)
    if len(written) == 2:
        raise DateError(f"'{text}' has a two-digit year; write the year in full, with all four digits")
    if len(written) != 4:
        raise DateError(f"'{text}' is not a date; {_EXAMPLES}")
    return _check_year(int(written), text)


def _numeric_order(first: int, second: int, year: int, date_order: str | None, text: str) -> tuple[int, int]:
    """Return (month, day) of the two leading numbers, refusing to guess between two readings."""
    both = {"DMY": (second, first), "MDY": (first, second)}
    readings = {order: (month, day) for order, (month, day) in both.items() if 1 <= month <= 12 and day >= 1}
    if not readings:
        raise DateError(f"'{text}' is not a date; {_EXAMPLES}")
    if len(set(readings.values())) == 2:
        if date_order is None:
            dmy, mdy = (f"{year:04d}-{month:02d}-{day:02d}" for month, day in readings.values())
            raise DateError(f"'{text}' is ambiguous; write {dmy} or {mdy}, "
                            "or set date_order in content/_index.md")
        return readings[date_order]
    (month, day), *_ = readings.values()
    if date_order is not None and date_order not in readings:
        wrong_month = first if date_order == "MDY" else second
        raise DateError(f"'{text}' does not follow date_order {date_order}: there is no month {wrong_month}; "
                        f"write {year:04d}-{month:02d}-{day:02d}")
    return month, day


def _parse_human(text: str, zone: ZoneInfo, year: int | None) -> When:
    """Read a written-out date such as 'Oct 28, 2024 2:30 PM EDT' with dateutil."""
    words = _WORD.findall(text)
    if not (any(_NAMES.month(word) for word in words) or _ISO_DATE_PREFIX.match(text)):
        raise DateError(f"'{text}' is not a date; {_EXAMPLES}")
    bare, weekdays = _without_weekdays(_UTC_PLUS.sub("", text))
    first, name = _dateutil(bare, _EARLY, text)
    second, _ = _dateutil(bare, _LATE, text)
    written = {field for field in ("year", "month", "day", "hour", "minute")
               if getattr(first, field) == getattr(second, field)}
    timed = bool(written & {"hour", "minute"})
    if "day" not in written and (timed or weekdays):
        raise DateError(f"'{text}' has no day of the month; write it like 28 October 2024")
    if "year" in written:
        if str(first.year) not in re.findall(r"\d+", text, re.ASCII):
            raise DateError(f"'{text}' does not show the year in full; write all four digits, "
                            "as in 28 October 2024")
        full_year = _check_year(first.year, text)
    elif year is None:
        example = f"{MONTHS[first.month - 1]} 2024"
        example = f"{first.day} {example}" if "day" in written else example
        raise DateError(f"'{text}' has no year; write {example}, or set year: in content/_index.md")
    else:
        full_year = _check_year(year, text)
    if "day" not in written:
        return _period(full_year, first.month, 1, Precision.MONTH, zone)
    label = f"{first.day} {MONTHS[first.month - 1]} {full_year}"
    day = _check_day(full_year, first.month, first.day, label)
    actual = date(full_year, first.month, day).weekday()
    for weekday in weekdays:
        if weekday != actual:
            raise DateError(f"{label} is a {WEEKDAYS[actual]}, not a {WEEKDAYS[weekday]}")
    if not timed:
        return _period(full_year, first.month, day, Precision.DAY, zone)
    return _instant(first.replace(year=full_year), zone, text, name)


def _without_weekdays(text: str) -> tuple[str, list[int]]:
    """Return the text without weekday names, and the weekdays it named."""
    # A weekday is checked, never used: dateutil would move a day-less date to it.
    weekdays = [day for day in map(_NAMES.weekday, _WORD.findall(text)) if day is not None]
    return _WORD.sub(lambda word: "" if _NAMES.weekday(word[0]) is not None else word[0], text), weekdays


def _dateutil(text: str, default: datetime, original: str) -> tuple[datetime, str | None]:
    """Parse with dateutil, returning the datetime and any zone name left to resolve."""
    names = []

    def offsets_only(name: str | None, offset: int | None) -> timezone | None:
        # A callable keeps dateutil from reading a name through the machine's
        # own zone; names are resolved afterwards against the wall time (_by_name).
        if offset is not None:
            return timezone(timedelta(seconds=offset))
        names.append(name)
        return None

    try:
        with warnings.catch_warnings():
            # dateutil warns where it should fail; no warning may reach the author.
            warnings.simplefilter("error")
            parsed = dateutil.parser.parse(text, default=default, fuzzy=False, tzinfos=offsets_only)
    except (ValueError, OverflowError, IndexError, TypeError, Warning):
        raise DateError(f"'{original}' is not a date; {_EXAMPLES}") from None
    return parsed, next(filter(None, names), None)


def _instant(moment: datetime, zone: ZoneInfo, text: str, name: str | None = None) -> When:
    """Return the MINUTE When of a datetime; a naive one is read in the zone named or the timeline zone."""
    moment = moment.replace(microsecond=0)
    if moment.utcoffset() is None:
        wall = moment.replace(tzinfo=None)
        moment = _by_name(wall, name, zone) if name else _localize(wall, zone, text)
    return When(moment.astimezone(zone), Precision.MINUTE)


def _by_name(wall: datetime, name: str, zone: ZoneInfo) -> datetime:
    """Attach the zone an abbreviation names: the timeline zone's own first, then the table."""
    # The timeline zone decides what its own abbreviations mean: CST in
    # Asia/Shanghai is +08:00, and its displayed times must read back.
    for fold in (0, 1):
        local = wall.replace(tzinfo=zone, fold=fold)
        if local.tzname() == name:
            return local
    if name not in ABBREVIATIONS:
        raise DateError(f"unknown time zone '{name}'; write an offset such as +09:00 "
                        f"or one of {', '.join(ABBREVIATIONS)}")
    return wall.replace(tzinfo=timezone(timedelta(hours=ABBREVIATIONS[name]), name))


def _localize(wall: datetime, zone: ZoneInfo, text: str) -> datetime:
    """Attach the timeline zone to a wall time, refusing one the clocks skip."""
    local = wall.replace(tzinfo=zone)
    if local.astimezone(timezone.utc).astimezone(zone).replace(tzinfo=None) != wall:
        raise DateError(f"'{text}' does not exist in {zone}: the clocks skip that time; "
                        "write the time after the change, or add an offset such as -05:00")
    return local


def _period(year: int, month: int, day: int, precision: Precision, zone: ZoneInfo) -> When:
    """Return the When that starts at midnight of a day in the timeline zone."""
    return When(datetime(year, month, day, tzinfo=zone), precision)


def _check_year(year: int, text: str) -> int:
    """Return the year, or refuse one outside the supported range."""
    if not FIRST_YEAR <= year <= LAST_YEAR:
        raise DateError(f"'{text}' is out of range; write a year from {FIRST_YEAR} to {LAST_YEAR}")
    return year


def _check_month(month: int, text: str) -> int:
    """Return the month, or refuse one that does not exist."""
    if not 1 <= month <= 12:
        raise DateError(f"{text} is not a date: there is no month {month}; months run from 01 to 12")
    return month


def _check_day(year: int, month: int, day: int, text: str) -> int:
    """Return the day, or refuse one the month does not have."""
    days = calendar.monthrange(year, month)[1]
    if not 1 <= day <= days:
        raise DateError(f"{text} is not a date: {MONTHS[month - 1]} {year} has {days} days")
    return day


def _offset(moment: datetime) -> str:
    """Return the UTC offset of an aware datetime as ±HH:MM."""
    minutes = int(moment.utcoffset().total_seconds()) // 60
    sign = "-" if minutes < 0 else "+"
    return f"{sign}{abs(minutes) // 60:02d}:{abs(minutes) % 60:02d}"


def _zone_label(moment: datetime) -> str:
    """Return the zone abbreviation, or UTC±HH:MM when the zone has no letters one."""
    name = moment.tzname() or ""
    return name if name.isalpha() else f"UTC{_offset(moment)}"


def format_when(when: When) -> str:
    """Return the date as a reader sees it, as precise as it was written."""
    start = when.start
    month_year = f"{MONTHS[start.month - 1]} {start.year}"
    if when.precision is Precision.YEAR:
        return str(start.year)
    if when.precision is Precision.MONTH:
        return month_year
    if when.precision is Precision.DAY:
        return f"{start.day} {month_year}"
    return f"{start.day} {month_year}, {format_time(when)}"


def format_time(when: When) -> str:
    """Return '14:30 EDT' (or '06:45:56 EDT', seconds as written) for a MINUTE When, and '' otherwise."""
    if when.precision is not Precision.MINUTE:
        return ""
    return f"{_clock(when.start)} {_zone_label(when.start)}"


def _clock(moment: datetime) -> str:
    """Return the time of day as written: 14:30, or 06:45:56 when it was given to the second."""
    # When keeps a written second (iso() shows it); a reader is shown it too.
    return f"{moment:%H:%M:%S}" if moment.second else f"{moment:%H:%M}"


def format_span(start: When, end: When | None) -> str:
    """Return a span from start to end, leaving out the parts they share."""
    if end is None or end == start:
        return format_when(start)
    a, b = start.start, end.start
    if start.precision == end.precision:
        if start.precision is Precision.YEAR:
            return f"{a.year}–{b.year}"
        if start.precision is Precision.MONTH and a.year == b.year:
            return f"{MONTHS[a.month - 1]} – {MONTHS[b.month - 1]} {a.year}"
        if start.precision is Precision.DAY and (a.year, a.month) == (b.year, b.month):
            return f"{a.day}–{b.day} {MONTHS[a.month - 1]} {a.year}"
        if start.precision is Precision.DAY and a.year == b.year:
            return f"{a.day} {MONTHS[a.month - 1]} – {b.day} {MONTHS[b.month - 1]} {a.year}"
        if start.precision is Precision.MINUTE and a.date() == b.date():
            day = format_when(When(a, Precision.DAY))
            if _zone_label(a) == _zone_label(b):
                return f"{day}, {_clock(a)}–{_clock(b)} {_zone_label(a)}"
            return f"{day}, {format_time(start)} – {format_time(end)}"
    return f"{format_when(start)} – {format_when(end)}"


def format_day(day: date) -> str:
    """Return a day heading such as 'Monday, 28 October 2024'."""
    return f"{WEEKDAYS[day.weekday()]}, {day.day} {MONTHS[day.month - 1]} {day.year}"


def days_between(a: date, b: date) -> int:
    """Return the number of whole days from a to b."""
    return (b - a).days
