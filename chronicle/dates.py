"""Dates with their precision: parse, format, order."""

from __future__ import annotations

import enum
import re
import warnings
from dataclasses import dataclass, field, replace
from datetime import date, datetime, timedelta, timezone
from functools import cache
from typing import TYPE_CHECKING
from zoneinfo import ZoneInfo

if TYPE_CHECKING:
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
# Years are counted as historians count them: 1 BCE is followed by AD 1, with no year 0, and a
# minus sign means BCE (-470 is 470 BCE, as TimelineJS reads it). Inside, a When keeps the
# astronomical year of ISO 8601 and EDTF (0 is 1 BCE, -469 is 470 BCE), which its machine-readable
# values show. A date from AD 1 to 9998 also has a `datetime` start; moving it by a day or a zone
# offset never overflows. Later years are refused; earlier ones have no `datetime`.
LAST_YEAR = 9998
# From this many years BCE on, a date is deep time: shown as years ago, its precision read from its
# digits ("13.8 billion years ago", "-13800000000": to a hundred million years).
DEEP = 100_000
OLDEST = 10 ** 12  # years BCE: older than anything a timeline needs, small enough to be a typo
# The first day of the Gregorian calendar. Before it, a weekday is neither shown nor checked unless
# the author says which calendar the date is in (julian or gregorian).
REFORM = (1582, 10, 15)
CALENDARS = ("julian", "gregorian")

# Qualifiers: how sure the author is of a date (EDTF level 1: ~ ? %; before and after).
APPROXIMATE, UNCERTAIN, BOTH = "approximate", "uncertain", "uncertain and approximate"
BEFORE, AFTER = "before", "after"
# The end of an interval with no date: open (`1985/..`, still going on) or unknown (`1985/`); the end of
# 'between 47 and 50' (the event is somewhere in it, not all of it).
OPEN, UNKNOWN, BETWEEN = "open", "unknown", "between"
SEASONS = {3: "Spring", 6: "Summer", 9: "Autumn", 12: "Winter"}  # EDTF 21-24, by first month

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


@cache
def _names() -> dateutil.parser.parserinfo:
    """Return dateutil's names of months and weekdays. dateutil is loaded on the first date that needs
    it, not with Chronicle: a build that reads no entry anew does without it."""
    import dateutil.parser

    return dateutil.parser.parserinfo()


class Precision(enum.IntEnum):
    """How much of a date the author wrote; coarser sorts first.

    YEAR and coarser are powers of ten years (DECADE is -1: 10**1 years); finer ones are parts of a year.
    """

    BILLION_YEARS = -9
    HUNDRED_MILLION_YEARS = -8
    TEN_MILLION_YEARS = -7
    MILLION_YEARS = -6
    HUNDRED_THOUSAND_YEARS = -5
    TEN_THOUSAND_YEARS = -4
    MILLENNIUM = -3
    CENTURY = -2
    DECADE = -1
    YEAR = 0
    SEASON = 1
    MONTH = 2
    DAY = 3
    MINUTE = 4


class DateError(ValueError):
    """A date the author must fix; the message says what is wrong, then what to write instead.

    The message names no path or line: the caller adds them.
    """


_EPOCH = datetime(1970, 1, 1, tzinfo=timezone.utc)
_SECOND = timedelta(seconds=1)
# At the same instant and precision: before 1200 first, then 1200, c. 1200, 1200?, c. 1200?. After 1350
# sorts where 1350 ends, first of what follows.
_QUALIFIER_ORDER = {AFTER: -2, BEFORE: -1, APPROXIMATE: 1, UNCERTAIN: 2, BOTH: 3}


@dataclass(frozen=True, slots=True)
class When:
    """A date as the author wrote it: where it starts, how precisely and how surely it is known.

    `start` is the start in the timeline zone (the instant, for a MINUTE), or None for a year
    `datetime` cannot hold (before AD 1). `ymd` is the astronomical (year, month, day) of the start,
    as written (in the calendar named, if any); it is taken from `start` when there is one.
    `form` is how the author wrote a period, so that it is shown so: "BCE", "BC", "AD", "CE"
    (the era), "s" (1990s), "X" (19XX) or "" (19th century; plain years).
    """

    start: datetime | None
    precision: Precision
    ymd: tuple[int, int, int] | None = None
    qualifier: str = ""
    form: str = ""
    calendar: str = ""
    _sort_key: tuple = field(init=False, repr=False, compare=False)

    def __post_init__(self) -> None:
        if self.start is not None:
            if self.start.utcoffset() is None:
                raise ValueError("When.start must be timezone-aware")
            object.__setattr__(self, "ymd", (self.start.year, self.start.month, self.start.day))
            seconds = (self.start - _EPOCH) // _SECOND
            if self.calendar == "julian":
                seconds += (_days(self.ymd, "julian") - _days(self.ymd, "gregorian")) * 86400
        elif self.ymd is None or self.precision is Precision.MINUTE:
            raise ValueError("a When without a start needs ymd, and a time needs a start")
        else:
            seconds = _days(self.ymd, self.calendar) * 86400
        if self.qualifier == AFTER:
            seconds += (self.end_days() - self.days()) * 86400
        # Computed once: sorting and grouping ask for it thousands of times a build. The form and
        # calendar keep dates written alike together (1990s apart from 199X), so that they group.
        key = (seconds, self.precision, _QUALIFIER_ORDER.get(self.qualifier, 0), self.form, self.calendar)
        object.__setattr__(self, "_sort_key", key)

    def __reduce__(self):
        # Made again by its constructor: the sort key is not pickled, and unpickling skips the
        # slots' generic __setstate__ (10,000 events read from the cache: 0.62 -> 0.3 s).
        return When, (self.start, self.precision, None if self.start else self.ymd,
                      self.qualifier, self.form, self.calendar)

    @property
    def year(self) -> int:
        """Return the astronomical year: 0 is 1 BCE, -469 is 470 BCE."""
        return self.ymd[0]

    @property
    def day(self) -> date | None:
        """Return the calendar day of the start in the timeline zone (None before AD 1)."""
        return self.start.date() if self.start is not None else None

    @property
    def has_day(self) -> bool:
        """Tell whether the day is known (a day or a time), not only a month, year or longer."""
        return self.precision >= Precision.DAY

    @property
    def bounded(self) -> bool:
        """Tell whether this is a date, not the open or unknown end of an interval."""
        return self.qualifier not in (OPEN, UNKNOWN)

    def sort_key(self) -> tuple:
        """Return (seconds from 1970 UTC, precision, qualifier, form, calendar): a day sorts before its times."""
        return self._sort_key

    def days(self) -> int:
        """Return the day number of the start (days from 1 January 1970, Gregorian)."""
        return _days(self.ymd, self.calendar)

    def iso(self) -> str:
        """Return the machine-readable value: ISO 8601 where it can say it, else EDTF (Library of Congress)."""
        value = self._plain_iso()
        if not self.qualifier or (value.startswith("Y") and self.bounded and self.qualifier not in (BEFORE, AFTER)):
            return value  # EDTF has no mark for a long year: "c." stays in the text
        if self.qualifier == BEFORE:
            return f"../{value}"
        if self.qualifier == AFTER or self.qualifier == OPEN:
            return f"{value}/.."
        if self.qualifier == UNKNOWN:
            return f"{value}/"
        if self.qualifier == BETWEEN:
            return value
        mark = {APPROXIMATE: "~", UNCERTAIN: "?", BOTH: "%"}[self.qualifier]
        return "/".join(part + mark for part in value.split("/"))

    edtf = property(iso)

    def _plain_iso(self) -> str:
        year, month, day = self.ymd
        precision = self.precision
        if precision is Precision.MINUTE:
            seconds = f":{self.start.second:02d}" if self.start.second else ""
            return f"{self.start.date().isoformat()}T{self.start:%H:%M}{seconds}{_offset(self.start)}"
        text = _iso_year(year)
        if precision is Precision.DAY:
            return f"{text}-{month:02d}-{day:02d}"
        if precision is Precision.MONTH:
            return f"{text}-{month:02d}"
        if precision is Precision.SEASON:
            return f"{text}-{20 + (month + 2) // 3}"
        if precision is Precision.YEAR or 1 - year >= DEEP or self.form == "ago":
            return text
        digits = -precision
        if year >= 0 and year % 10 ** digits == 0 and len(text) == 4:
            return text[: 4 - digits] + "X" * digits  # 199X, 19XX
        return f"{text}/{_iso_year(year + 10 ** digits - 1)}"

    @property
    def datetime(self) -> str | None:
        """Return the value of an HTML `datetime` attribute, or None where HTML has none for this date.

        HTML has no BCE, no circa, no decade: such a date is shown as text with its value in
        `iso()` (a `<data value>` in the theme). A Julian day is given as its Gregorian day.
        """
        if self.qualifier or self.precision is Precision.SEASON or self.precision < Precision.YEAR:
            return None
        if self.calendar == "julian" and self.year >= 2:
            if self.precision is not Precision.DAY:
                return None
            return _gregorian_of(_days(self.ymd, "julian"))
        if self.start is None:
            return None
        return self._plain_iso()

    def period_end(self) -> datetime:
        """Return the exclusive end of the period (the start itself for a minute); years AD only."""
        if self.start is None:
            raise ValueError("period_end needs a date from AD 1 on; use end_days()")
        start, zone = self.start, self.start.tzinfo
        if self.precision is Precision.MINUTE:
            return start
        year, month, day = _after(self.ymd, self.precision)
        if year > LAST_YEAR + 1:
            return datetime(9999, 12, 31, tzinfo=zone)
        return datetime(year, month, day, tzinfo=zone)

    def end_days(self) -> int:
        """Return the day number of the day after the period (of the start's day, for a time)."""
        if self.precision is Precision.MINUTE:
            return self.days() + 1
        return _days(_after(self.ymd, self.precision), self.calendar)


def _after(ymd: tuple[int, int, int], precision: Precision) -> tuple[int, int, int]:
    """Return the first (year, month, day) after a period that starts at ymd."""
    year, month, day = ymd
    if precision <= Precision.YEAR:
        return (year + 10 ** -precision, 1, 1)
    if precision is Precision.SEASON:
        month += 3
    elif precision is Precision.MONTH:
        month += 1
    else:
        day += 1
        if day > month_days(year, month):
            day, month = 1, month + 1
    if month > 12:
        year, month = year + 1, month - 12
    return (year, month, day)


def _days(ymd: tuple[int, int, int], calendar: str = "") -> int:
    """Return the day number (days from 1970-01-01 Gregorian) of a date in a calendar, for any year."""
    year, month, day = ymd
    year -= month <= 2
    shifted = (153 * ((month + 9) % 12) + 2) // 5 + day - 1  # days since 1 March
    if calendar == "julian":
        cycle, rest = divmod(year, 4)
        return cycle * 1461 + rest * 365 + shifted - 719470
    era, rest = divmod(year, 400)
    return era * 146097 + rest * 365 + rest // 4 - rest // 100 + shifted - 719468


def _gregorian_of(days: int) -> str:
    return (date(1970, 1, 1) + timedelta(days=days)).isoformat()


def weekday(ymd: tuple[int, int, int], calendar: str = "") -> int | None:
    """Return the weekday (Monday 0) of a day, or None before the Gregorian reform in no named calendar."""
    if not calendar and ymd < REFORM:
        return None
    return (_days(ymd, calendar) + 3) % 7  # 1 January 1970 was a Thursday


def month_days(year: int, month: int, calendar: str = "") -> int:
    """Return how many days a month has (astronomical year; Julian leap years every fourth)."""
    if month != 2:
        return (31, 28, 31, 30, 31, 30, 31, 31, 30, 31, 30, 31)[month - 1]
    if not calendar and year < REFORM[0]:
        calendar = "julian"  # an unsaid calendar before the reform: 29 February 1500 was a day
    leap = year % 4 == 0 if calendar == "julian" else year % 4 == 0 and (year % 100 != 0 or year % 400 == 0)
    return 29 if leap else 28


def _iso_year(year: int) -> str:
    """Return an ISO 8601 (expanded) or EDTF year: 2024, 0602, -0469, Y-13799999999."""
    if abs(year) > 9999:
        return f"Y{year}"
    return f"-{-year:04d}" if year < 0 else f"{year:04d}"


def parse_when(value: object, *, zone: ZoneInfo, year: int | None = None,
               date_order: str | None = None, calendar: str = "") -> When:
    """Read a date as YAML or the author gave it, keeping its precision, era and qualifier.

    calendar: "julian" or "gregorian" when the author named the calendar of the date, else "".
    """
    if date_order not in (None, "DMY", "MDY"):
        raise ValueError(f"date_order must be 'DMY', 'MDY' or None, not {date_order!r}")
    if calendar not in ("", *CALENDARS):
        raise ValueError(f"calendar must be 'julian', 'gregorian' or '', not {calendar!r}")
    if value is None:
        raise DateError("the date is empty; write a date such as 2024-10-28")
    if isinstance(value, datetime):
        _check_year(value.year, str(value))
        return _with_calendar(_instant(value, zone, str(value)), calendar, str(value))
    if isinstance(value, date):
        return _period(_check_year(value.year, str(value)), value.month, value.day, Precision.DAY, zone,
                       calendar=calendar)
    if isinstance(value, bool) or not isinstance(value, (str, int)):
        shown = str(value).lower() if isinstance(value, bool) else value
        raise DateError(f"{shown!s} is not a date; write a date such as 2024-10-28")
    # Whitespace runs become one space, so every message stays on one line (README.md, Commands).
    text = " ".join(str(value).split())
    if not text:
        raise DateError("the date is empty; write a date such as 2024-10-28")
    when = _parse_iso(text, zone)  # the modern fast path: most dates are ISO
    if when is None:
        qualifier, core = _qualifier(text)
        when = _parse_core(core, text, zone, year, date_order, calendar)
        if qualifier:
            when = replace(when, qualifier=qualifier)
    return _with_calendar(when, calendar, text) if calendar and not when.calendar else when


def parse_span(value: object, *, zone: ZoneInfo, year: int | None = None, date_order: str | None = None,
               calendar: str = "") -> tuple[When, When | None]:
    """Read a date that may be an interval: EDTF's '1985/1990', '1985/..' (going on), '1985/' (end unknown),
    '../1200' (before 1200); '1939-1945', '1914–18', '6–9 August 1945', 'April–July 1994', '1400–400 BCE',
    '3100 BCE to 2686 BCE', '1971-now', 'between 47 and 50'. Return the start and the end, if any."""
    def read(text: str) -> When:
        return parse_when(text, zone=zone, year=year, date_order=date_order, calendar=calendar)

    halves = _interval(value)
    if halves is None:
        return read(value), None
    first, second, between = halves
    if first in ("", ".."):
        if second in ("", ".."):
            raise DateError(f"'{value}' has neither a start nor an end; write at least one date")
        end = read(second)
        if end.qualifier:
            raise DateError(f"'{value}' is unsure of a date it is already before; write ../{second.rstrip('?~%')}")
        return replace(end, qualifier=BEFORE), None
    if second in ("", ".."):
        start = read(first)
        return start, replace(start, qualifier=OPEN if second == ".." else UNKNOWN)
    first, second = _complete(first, second)
    start, end = read(first), read(second)
    if end.sort_key()[0] < start.sort_key()[0]:
        raise DateError(f"'{value}' ends before it starts: {format_when(start)} to {format_when(end)}; "
                        f"write the earlier date first")
    return start, replace(end, qualifier=BETWEEN) if between and not end.qualifier else end


_NOW = re.compile(r"(?P<first>.+?)\s*[-–—/]\s*(?:now|present|today|ongoing)", re.I)
_BETWEEN = re.compile(r"between (?P<first>.+?) and (?P<second>.+)", re.I)
_WORDED_INTERVAL = re.compile(r"(?P<first>.+?)(?: to | – | — | - )(?P<second>.+)")
# 1939-1945, 1914–1918, 1914–18, 1939-45, 1400–400 BCE, 1914-1918 AD (but 2024-10 is a month, 2001-21 a season).
_YEARS_INTERVAL = re.compile(
    r"(?P<first>\d{1,4})(?P<dash>[-–—])(?P<second>\d{1,4})(?: ?(?P<era>BCE|B\.C\.E\.|BC|B\.C\.|CE|C\.E\.|AD|A\.D\.))?",
    re.I)
_ERA_AT_END = re.compile(r".*?\d\s*(?P<era>BCE|B\.C\.E\.|BC|B\.C\.|CE|C\.E\.|AD|A\.D\.)", re.I)
_HAS_ERA = re.compile(r"(?<![^\W\d_])(?:BCE|B\.C\.E\.|BC|B\.C\.|CE|C\.E\.|AD|A\.D\.)(?!\w)", re.I)
_DAY_ONLY = re.compile(r"\d{1,2}(?:st|nd|rd|th)?")
_DAY_THEN_REST = re.compile(r"\d{1,2}(?:st|nd|rd|th)? (?:of )?(?P<rest>[^\W\d_]+\.? .*\d.*)")
_DAY_COMMA_YEAR = re.compile(r"(?P<day>\d{1,2})(?:st|nd|rd|th)?, (?P<year>.+)")
_MONTH_NO_YEAR = re.compile(r"(?P<month>[^\W\d_]+)\.?(?: (?P<day>\d{1,2})(?:st|nd|rd|th)?)?")
_YEAR_AT_END = re.compile(r".*?(?P<year>\d[\d,]*(?: ?(?:BCE|B\.C\.E\.|BC|B\.C\.|CE|C\.E\.|AD|A\.D\.))?)", re.I)


def _interval(value: object) -> tuple[str, str, bool] | None:
    """Split an interval in two (and say whether it is 'between' two dates), or return None:
    '28/10/2024', '03/2023', '2024-10' and '2024-10-28T14:30-04:00' are dates, not intervals."""
    if not isinstance(value, str):
        return None
    text = " ".join(value.split())
    if match := _BETWEEN.fullmatch(text):
        return match["first"], match["second"], True
    if match := _NOW.fullmatch(text):
        return match["first"], "..", False
    if text.count("/") == 1:
        first, second = (half.strip() for half in text.split("/"))
        if second in ("", "..") or first == ".." or len(first) > 2:
            return first, second, False
        return None
    if match := _YEARS_INTERVAL.fullmatch(text):
        return _years(match)
    if match := _WORDED_INTERVAL.fullmatch(text):
        return match["first"], match["second"], False
    for index, char in enumerate(text):  # a dash beside a word: 1969-January 1983, April–July 1994
        if _TIMED.search(text):
            break  # 14:30 GMT-2 is an offset
        if char in "-–—" and 1 < index < len(text) - 1:
            left, right = text[:index].rstrip(), text[index + 1:].lstrip()
            if left and right and (left[-1].isalpha() or right[0].isalpha()) and len(left) > 1 \
                    and _datelike(left) and _datelike(right):
                return left, right, False
    if match := _DAY_RANGE.fullmatch(text):  # 6–9 August 1945, 8-9 September 9 CE, August 6–9, 1945
        return match["first"], match["second"], False
    return None


_TIMED = re.compile(r"\d:\d|\d ?[AP]M\b|(?:UTC|GMT)[-–—]", re.I)
_DAY_RANGE = re.compile(r"(?P<first>(?:[^\W\d_]+\.? )?\d{1,2})[-–—](?P<second>\d{1,2},? [^\W\d_].*|\d{1,2}, \d.*)")


def _datelike(text: str) -> bool:
    """Tell whether half of a range may be a date: it has a number or a month's name (not 'mid' of mid-May)."""
    return any(c.isdigit() for c in text) or any(_names().month(word) for word in _WORD.findall(text))


def _years(match: re.Match) -> tuple[str, str, bool] | None:
    """Return the two years of '1939-1945', '1914–18', '1400–400 BCE', or None for an ISO month or season."""
    first, second, era = match["first"], match["second"], match["era"] or ""
    if era.upper().replace(".", "") in ("BCE", "BC"):
        if int(second) >= int(first):
            return None
        return f"{first} {era}", f"{second} {era}", False
    if match["dash"] == "-" and not era and len(first) == 4 and len(second) == 2 and int(second) <= 24:
        return None  # 2024-10, 2001-21: ISO and EDTF
    if len(first) < 3 and not era:
        return None
    if len(second) < len(first):
        second = first[: len(first) - len(second)] + second  # 1914–18
    if int(second) <= int(first):
        return None
    return (f"{first} {era}", f"{second} {era}", False) if era else (first, second, False)


def _complete(first: str, second: str) -> tuple[str, str]:
    """Give the first half of a range what it shares with the second: the era of '1400–400 BCE', the month
    and year of '6–9 August 1945', the year of 'April–July 1994' and 'August 6–9, 1945'."""
    if _DAY_ONLY.fullmatch(first) and (rest := _DAY_THEN_REST.fullmatch(second)):
        return f"{first} {rest['rest']}", second
    if (era := _ERA_AT_END.fullmatch(second)) and not _HAS_ERA.search(first) and re.search(r"\d", first):
        first = f"{first} {era['era']}"
    if (month := _MONTH_NO_YEAR.fullmatch(first)) and _names().month(month["month"]) is not None:
        if (day := _DAY_COMMA_YEAR.fullmatch(second)) and month["day"]:
            return f"{first}, {day['year']}", f"{month['month']} {second}"
        if year := _YEAR_AT_END.fullmatch(second):
            return f"{first} {year['year']}", second
    return first, second


def _with_calendar(when: When, calendar: str, text: str) -> When:
    if not calendar:
        return when
    if when.precision is Precision.MINUTE:
        if calendar == "julian" and when.ymd < REFORM:
            raise DateError(f"'{text}' has a time of day in the Julian calendar; write the day alone")
        return when
    return replace(when, calendar=calendar)


_QUALIFIER_WORDS = re.compile(
    r"(?P<word>c\.|ca\.|c(?=\s*\d)|ca(?=\s*\d)|(?:circa|about|around|approximately|before|after)(?=\s)"
    r"|approx\.|~)\s*(?P<rest>.+)", re.I)
_QUALIFIER_MARK = re.compile(r"(?P<rest>.+?)\s*(?P<mark>[?~%])")


def _qualifier(text: str) -> tuple[str, str]:
    """Split off how sure the author is: 'c. 1500', '~1500', '1500?', '1500~', '1500%', 'before 1200'."""
    qualifier = ""
    if match := _QUALIFIER_WORDS.fullmatch(text):
        word = match["word"].lower()
        qualifier = word if word in (BEFORE, AFTER) else APPROXIMATE
        text = match["rest"]
    if (match := _QUALIFIER_MARK.fullmatch(text)) and not text.endswith("/.."):
        mark = {"?": UNCERTAIN, "~": APPROXIMATE, "%": BOTH}[match["mark"]]
        if qualifier in (BEFORE, AFTER):
            raise DateError(f"'{text}' is {qualifier} a date and unsure of it at once; write one of the two")
        qualifier = BOTH if qualifier and qualifier != mark else mark
        text = match["rest"]
    return qualifier, text


_ERA = re.compile(
    r"(?:(?P<before>AD|A\.D\.)\s*(?P<rest>.+))|(?:(?P<body>.+?)\s*(?P<after>BCE|B\.C\.E\.|BC|B\.C\.|CE|C\.E\.|AD|A\.D\.))"
    r"|(?:(?P<head>.+?) (?P<inside>AD|A\.D\.) (?P<tail>\d[\d,]*))",  # 24 August AD 79
    re.I)
_NUMBER = r"\d{1,3}(?:,\d{3})+|\d+"
_YEAR_NUMBER = re.compile(rf"(?P<sign>-)?(?P<digits>{_NUMBER})")
_EDTF_YEAR = re.compile(r"Y(?P<year>-?\d{5,})")
_EDTF_DATE = re.compile(r"(?P<year>-?\d{1,})-(?P<month>\d{2})(?:-(?P<day>\d{2}))?", re.ASCII)
_UNSPECIFIED = re.compile(r"(?P<digits>\d{1,3})(?P<x>[Xx]{1,3})", re.ASCII)
_DECADES = re.compile(r"(?:the )?(?P<year>\d{1,4}0)'?s", re.I)
_ORDINAL = re.compile(r"(?:the )?(?P<n>\d{1,5})(?:st|nd|rd|th) (?P<unit>century|millennium)", re.I)
_SEASON = re.compile(r"(?P<season>spring|summer|autumn|fall|winter)(?: of)? (?P<rest>.+)", re.I)
_SEASON_MONTHS = {"spring": 3, "summer": 6, "autumn": 9, "fall": 9, "winter": 12}
_AGO = re.compile(
    r"(?P<number>\d[\d,]*(?:\.\d+)?) ?(?:(?P<unit>thousand|million|billion) )?years? ago"
    r"|(?P<short>\d+(?:\.\d+)?) ?(?P<abbr>ka|kya|Ma|mya|Ga|bya)", re.I)
_UNITS = {"thousand": 3, "ka": 3, "kya": 3, "million": 6, "ma": 6, "mya": 6, "billion": 9, "ga": 9, "bya": 9}
_MONTH_YEAR = re.compile(r"(?P<month>\d{1,2})/(?P<year>\d{4})", re.ASCII)
_WRITTEN = re.compile(
    r"(?:(?P<weekday>[^\W\d_]+),? )?(?:(?P<d1>\d{1,2})(?:st|nd|rd|th)? (?:of )?)?(?P<month>[^\W\d_]+)\.?"
    r"(?: (?P<d2>\d{1,2})(?:st|nd|rd|th)?,?)? (?P<year>" + _NUMBER + ")")


def _parse_core(text: str, original: str, zone: ZoneInfo, year: int | None, date_order: str | None,
                calendar: str) -> When:
    """Read a date without its qualifier: historical and EDTF forms first, then the modern ones."""
    when = _parse_iso(text, zone) or _parse_historical(text, original, zone, calendar)
    if when is not None:
        return when
    if match := _MONTH_YEAR.fullmatch(text):
        month = int(match["month"])
        if 1 <= month <= 12:
            return _period(_check_year(int(match["year"]), original), month, 1, Precision.MONTH, zone)
        raise DateError(f"'{original}' is not a date: there is no month {month}; write it like 2023-03")
    return (_parse_numeric(text, zone, year, date_order, calendar)
            or _parse_human(text, zone, year, calendar, original))


def _parse_historical(text: str, original: str, zone: ZoneInfo, calendar: str) -> When | None:
    """Read the forms a historian writes, or return None: eras, short and deep years, periods, EDTF."""
    era = ""
    if match := _ERA.fullmatch(text):
        era = (match["before"] or match["after"] or match["inside"]).upper().replace(".", "")
        text = match["rest"] or match["body"] or f"{match['head']} {match['tail']}"
    if match := _YEAR_NUMBER.fullmatch(text):
        if match["sign"] and era:
            raise DateError(f"'{original}' has a minus sign and an era; write {match['digits']} {era}")
        written = int(match["digits"].replace(",", ""))
        if match["sign"] or era in ("BCE", "BC"):
            return _bce_year(written, original, zone, era or "")
        if not era and len(match["digits"]) == 8 and written > LAST_YEAR:
            digits = match["digits"]
            raise DateError(f"'{original}' is not a year; for a day write it with hyphens, "
                            f"as {digits[:4]}-{digits[4:6]}-{digits[6:]}")
        return _period(_check_year(written, original), 1, 1, Precision.YEAR, zone, form=era)
    if match := _EDTF_YEAR.fullmatch(text):
        written = int(match["year"])
        if written >= 0:
            raise DateError(f"'{original}' is after {LAST_YEAR}; write a year up to {LAST_YEAR}")
        return _bce_year(-written, original, zone, "")
    if match := _AGO.fullmatch(text):
        return _ago(match, original)
    if match := _ORDINAL.fullmatch(text):
        return _ordinal(int(match["n"]), match["unit"].lower(), era, original, zone)
    if match := _DECADES.fullmatch(text):
        return _decades(match["year"], era, original, zone)
    if match := _UNSPECIFIED.fullmatch(text):
        if era:
            raise DateError(f"'{original}': X digits are for years AD; write the {era} period in words, "
                            "as 5th century BCE")
        digits = len(match["x"])
        if len(match["digits"]) + digits != 4:
            raise DateError(f"'{original}' is not a date; write four characters, as 19XX or 199X")
        start = int(match["digits"]) * 10 ** digits
        return _span_of_years(start, Precision(-digits), "X", original, zone)
    if match := _SEASON.fullmatch(text):
        inner = _parse_historical(match["rest"] + (f" {era}" if era else ""), original, zone, calendar)
        if inner is None or inner.precision is not Precision.YEAR:
            raise DateError(f"'{original}' is not a date; write a season and a year, as Spring 507")
        return _period(inner.year, _SEASON_MONTHS[match["season"].lower()], 1, Precision.SEASON, zone,
                       form=inner.form, calendar=calendar)
    if match := _EDTF_DATE.fullmatch(text):
        if era:
            return None
        written = int(match["year"])
        month = int(match["month"])
        if 21 <= month <= 24 and match["day"] is None:
            year = _astronomical(written, original)
            return _period(year, 3 * (month - 20), 1, Precision.SEASON, zone)
        if len(match["year"].lstrip("-")) == 4 and written >= 0:
            return None  # ISO, already refused by _parse_iso with a clearer message
        year = _astronomical(written, original)
        _check_month(month, original)
        if match["day"] is None:
            return _period(year, month, 1, Precision.MONTH, zone)
        day = _check_day(year, month, int(match["day"]), original, calendar)
        return _period(year, month, day, Precision.DAY, zone, calendar=calendar)
    if match := _WRITTEN.fullmatch(text):
        written = int(match["year"].replace(",", ""))
        if not era and _names().month(match["month"]) is None:
            return None  # not a month: dateutil says what is wrong
        if not era and len(match["year"]) <= 2:
            raise DateError(f"'{original}' does not show the year in full; write all four digits, as in "
                            f"28 October 2024, or the era, as in AD {written}")
        return _written(match, written, era, original, zone, calendar)
    if era:
        raise DateError(f"'{original}' is not a date; write it like 470 BCE, 15 March 44 BC or AD 79")
    return None


def _no_year_zero(text: str) -> DateError:
    return DateError(f"'{text}': there is no year 0 (1 BCE is followed by AD 1); write 1 BCE or AD 1")


def _too_old(text: str) -> DateError:
    return DateError(f"'{text}' is older than anything a timeline holds; check the digits")


def _astronomical(written: int, original: str) -> int:
    """Return the astronomical year of a signed year as written: -470 is 470 BCE (-469); 0 is refused."""
    return written + 1 if written < 0 else _check_year(written, original)


def _bce_year(written: int, original: str, zone: ZoneInfo, era: str) -> When:
    """Return the When of a year BCE (a year written with a minus sign, BCE or BC)."""
    if written == 0:
        raise _no_year_zero(original)
    if written > OLDEST:
        raise _too_old(original)
    if written >= DEEP:  # -300000 is shown as years ago (as TimelineJS shows it), 300,000 BCE as written
        return _deep(written, _trailing_zeros(written), era)
    return _period(1 - written, 1, 1, Precision.YEAR, zone, form="BC" if era == "BC" else "")


def _trailing_zeros(number: int) -> int:
    text = str(number)
    return len(text) - len(text.rstrip("0"))


def _deep(years_bce: int, exponent: int, form: str = "") -> When:
    """Return a deep-time When: years_bce years before AD 1, known to 10**exponent years, shown in years
    ago (form "" or "ago") or as a year BCE ("BCE", "BC")."""
    exponent = _deep_exponent(years_bce, min(exponent, 9))
    if form == "ago" and years_bce >= DEEP:
        form = ""  # deep time is shown in years ago anyway: one value, however it was written
    return When(None, Precision(-exponent), (1 - years_bce, 1, 1), form=form)


def _deep_exponent(years: int, exponent: int) -> int:
    """Return the precision a deep date can show: what its digits say, unless a unit's decimals say more."""
    zeros = min(_trailing_zeros(years), 9)
    unit = next((u for u in (9, 6) if years >= 10 ** u), None)
    if unit is not None and unit - 3 <= exponent < unit:
        return exponent  # 13.8 billion: the decimals say it
    return zeros


def _ago(match: re.Match, original: str) -> When:
    """Read '13.8 billion years ago', '66 million years ago', '4.5 Ga', '300,000 years ago'."""
    number = (match["number"] or match["short"]).replace(",", "")
    unit = _UNITS[(match["unit"] or match["abbr"] or "").lower()] if (match["unit"] or match["abbr"]) else 0
    whole, _, decimals = number.partition(".")
    if len(decimals) > unit:
        raise DateError(f"'{original}' is more precise than a year; write whole years")
    years = int(whole + decimals) * 10 ** (unit - len(decimals))
    exponent = unit - len(decimals) if decimals else unit + _trailing_zeros(int(whole))
    if years < DEEP and (years < 10_000 or exponent < 4):
        # Counted from AD 1, years ago are about two thousand years off: fine to ten thousand years.
        raise DateError(f"'{original}' is too precise to count in years ago (that is for round numbers of "
                        f"ten thousand years and more); write the year, such as c. {max(years - 2000, 1):,} BCE")
    if years > OLDEST:
        raise _too_old(original)
    return _deep(years, exponent, "ago")


def _ordinal(n: int, unit: str, era: str, original: str, zone: ZoneInfo) -> When:
    """Return the When of '19th century', '5th century BCE', '2nd millennium BCE'."""
    size = 100 if unit == "century" else 1000
    if n == 0:
        raise DateError(f"'{original}': there is no 0th {unit}; the 1st {unit} begins in AD 1")
    precision = Precision.CENTURY if size == 100 else Precision.MILLENNIUM
    if era in ("BCE", "BC"):
        first = n * size  # the 5th century BCE runs from 500 to 401 BCE
        if first >= DEEP:
            raise DateError(f"'{original}' is deep time; write it in years ago, as {first:,} years ago")
        return _period(1 - first, 1, 1, precision, zone, form="BC" if era == "BC" else "")
    return _period(_check_year((n - 1) * size + 1, original), 1, 1, precision, zone, form=era)


def _decades(written: str, era: str, original: str, zone: ZoneInfo) -> When:
    """Return the When of '1990s' (a decade), '1500s' or 'the 200s' (a hundred years), '470s BCE'."""
    start = int(written)
    precision = Precision.CENTURY if written.endswith("00") and start else Precision.DECADE
    if era in ("BCE", "BC"):
        first = start + 10 ** -precision - 1  # the 470s BCE run from 479 to 470 BCE
        if start == 0:
            raise DateError(f"'{original}' is not a date; write the years, as 9 BCE to 1 BCE")
        return _period(1 - first, 1, 1, precision, zone, form="s" + ("BC" if era == "BC" else ""))
    if start == 0:
        raise DateError(f"'{original}': there is no year 0; write AD 1 to AD 9")
    return _span_of_years(start, precision, "s", original, zone)


def _span_of_years(start: int, precision: Precision, form: str, original: str, zone: ZoneInfo) -> When:
    if start == 0:
        raise DateError(f"'{original}': there is no year 0; the years AD begin at 1")
    return _period(_check_year(start, original), 1, 1, precision, zone, form=form)


def _written(match: re.Match, written: int, era: str, original: str, zone: ZoneInfo, calendar: str) -> When:
    """Return the When of '24 August 410', 'March 44 BC', 'Saturday, 14 October 1066'."""
    month = _names().month(match["month"])
    if month is None:
        raise DateError(f"'{original}' is not a date; write it like 24 August 410 or 15 March 44 BC")
    if written == 0:
        raise _no_year_zero(original)
    if era in ("BCE", "BC") and written >= DEEP:
        raise DateError(f"'{original}' is deep time, where months mean nothing; write {written:,} years ago")
    year = 1 - written if era in ("BCE", "BC") else _check_year(written, original)
    form = "BC" if era == "BC" else "" if era == "BCE" else era
    given = [d for d in (match["d1"], match["d2"]) if d]
    if len(given) == 2:
        raise DateError(f"'{original}' has two days; write it like 24 August 410")
    weekdays = []
    if match["weekday"]:
        found = _names().weekday(match["weekday"])
        if found is None:
            raise DateError(f"'{original}' is not a date; write it like Saturday, 14 October 1066")
        weekdays.append(found)
    if not given:
        if weekdays:
            raise DateError(f"'{original}' has no day of the month; write it like 14 October 1066")
        return _period(year, month, 1, Precision.MONTH, zone, form=form, calendar=calendar)
    day = _check_day(year, month, int(given[0]), original, calendar)
    _check_weekday((year, month, day), weekdays, calendar, _label(year, month, day, form))
    return _period(year, month, day, Precision.DAY, zone, form=form, calendar=calendar)


def _label(year: int, month: int, day: int, form: str = "") -> str:
    return f"{day} {MONTHS[month - 1]} {_year_text(year, form)}"


def _check_weekday(ymd: tuple[int, int, int], weekdays: list[int], calendar: str, label: str) -> None:
    """Refuse a weekday the day is not; before the Gregorian reform, only in a calendar named."""
    actual = weekday(ymd, calendar)
    if actual is None:
        return  # which calendar? The author has not said, so the weekday cannot be checked
    for written in weekdays:
        if written != actual:
            named = f" in the {calendar.capitalize()} calendar" if calendar else ""
            raise DateError(f"{label} is a {WEEKDAYS[actual]}{named}, not a {WEEKDAYS[written]}")


def _parse_iso(text: str, zone: ZoneInfo) -> When | None:
    """Read an ISO 8601 date or time, or return None if the text is not one."""
    match = _ISO.fullmatch(text)
    if match is None:
        return None
    year = _check_year(int(match["year"]), text)
    if match["month"] is None:
        return _period(year, 1, 1, Precision.YEAR, zone)
    month = int(match["month"])
    if match["day"] is None and 21 <= month <= 24:  # EDTF seasons: 21 spring … 24 winter
        return _period(year, 3 * (month - 20), 1, Precision.SEASON, zone)
    _check_month(month, text)
    if match["day"] is None:
        return _period(year, month, 1, Precision.MONTH, zone)
    day = _check_day(year, month, int(match["day"]), text)
    if match["time"] is None:
        return _period(year, month, day, Precision.DAY, zone)
    _check_time_year(year, text)
    offset = match["offset"] or ""
    try:
        moment = datetime.fromisoformat(f"{year:04d}-{month:02d}-{day:02d}T{match['time']}{offset}")
    except ValueError:
        raise DateError(f"'{text}' is not a valid time; write it like 2024-10-28T14:30 "
                        "or 2024-10-28T14:30-04:00") from None
    return _instant(moment, zone, text)


def _parse_numeric(text: str, zone: ZoneInfo, year: int | None, date_order: str | None,
                   calendar: str = "") -> When | None:
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
    _check_day(full_year, month, day, text, calendar)
    if match["rest"] is None:
        return _period(full_year, month, day, Precision.DAY, zone, calendar=calendar)
    # The date is settled; a time after it is read like any other.
    rewritten = f"{full_year:04d}-{month:02d}-{day:02d} {match['rest']}"
    return _parse_iso(rewritten, zone) or _parse_human(rewritten, zone, year, calendar, text)


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


def _parse_human(text: str, zone: ZoneInfo, year: int | None, calendar: str = "",
                 original: str | None = None) -> When:
    """Read a written-out date such as 'Oct 28, 2024 2:30 PM EDT' with dateutil."""
    words = _WORD.findall(text)
    if not (any(_names().month(word) for word in words) or _ISO_DATE_PREFIX.match(text)):
        raise DateError(_not_a_date(original or text))
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
    label = _label(full_year, first.month, first.day)
    day = _check_day(full_year, first.month, first.day, label, calendar)
    _check_weekday((full_year, first.month, day), weekdays, calendar, label)
    if not timed:
        return _period(full_year, first.month, day, Precision.DAY, zone, calendar=calendar)
    _check_time_year(full_year, text)
    return _instant(first.replace(year=full_year), zone, text, name)


def _without_weekdays(text: str) -> tuple[str, list[int]]:
    """Return the text without weekday names, and the weekdays it named."""
    # A weekday is checked, never used: dateutil would move a day-less date to it.
    weekdays = [day for day in map(_names().weekday, _WORD.findall(text)) if day is not None]
    return _WORD.sub(lambda word: "" if _names().weekday(word[0]) is not None else word[0], text), weekdays


def _dateutil(text: str, default: datetime, original: str) -> tuple[datetime, str | None]:
    """Parse with dateutil, returning the datetime and any zone name left to resolve."""
    import dateutil.parser

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
        raise DateError(_not_a_date(original)) from None
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


def _period(year: int, month: int, day: int, precision: Precision, zone: ZoneInfo, *, form: str = "",
            calendar: str = "") -> When:
    """Return the When that starts at midnight of a day in the timeline zone (or, before AD 1, a day)."""
    if year >= 1 and (month, day) != (2, 29) or year >= 1 and month_days(year, 2, "gregorian") == 29:
        return When(datetime(year, month, day, tzinfo=zone), precision, form=form, calendar=calendar)
    # Before AD 1, or a Julian 29 February that the Gregorian calendar (datetime's) does not have.
    return When(None, precision, (year, month, day), form=form, calendar=calendar)


def _check_year(year: int, text: str) -> int:
    """Return a year AD, or refuse one outside the supported range."""
    if year == 0:
        raise _no_year_zero(text)
    if not 1 <= year <= LAST_YEAR:
        raise DateError(f"'{text}' is out of range; write a year up to {LAST_YEAR}")
    return year


def _check_time_year(year: int, text: str) -> None:
    if year < 2:
        raise DateError(f"'{text}' has a time of day in AD 1 or before; write the day alone")


def _check_month(month: int, text: str) -> int:
    """Return the month, or refuse one that does not exist."""
    if not 1 <= month <= 12:
        raise DateError(f"{text} is not a date: there is no month {month}; months run from 01 to 12")
    return month


def _check_day(year: int, month: int, day: int, text: str, calendar: str = "") -> int:
    """Return the day, or refuse one the month does not have."""
    days = month_days(year, month, calendar)
    if not 1 <= day <= days:
        raise DateError(f"{text} is not a date: {MONTHS[month - 1]} {_year_text(year)} has {days} days")
    return day


def _not_a_date(text: str) -> str:
    """Say that text is not a date, and show the forms that are."""
    return f"'{text}' is not a date; {_EXAMPLES}"


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
    """Return the date as a reader sees it: as precise and as sure as it was written, in its era."""
    text = _plain_text(when)
    qualifier = when.qualifier
    if not qualifier or not when.bounded or qualifier == BETWEEN:
        return text
    if qualifier in (BEFORE, AFTER):
        return f"{qualifier} {text}"
    return {APPROXIMATE: f"c. {text}", UNCERTAIN: f"{text}?", BOTH: f"c. {text}?"}[qualifier]


def _plain_text(when: When) -> str:
    year, month, day = when.ymd
    precision, form = when.precision, when.form
    if 1 - year >= DEEP and form in ("BCE", "BC"):
        return f"{1 - year:,} {form}"  # 300,000 BCE, as written
    if 1 - year >= DEEP or form == "ago":
        return _years_ago(1 - year, -min(precision, Precision.YEAR))
    if precision is Precision.YEAR:
        return _year_text(year, form)
    if precision is Precision.SEASON:
        return f"{SEASONS[month]} {_year_text(year, form)}"
    if precision is Precision.MONTH:
        return f"{MONTHS[month - 1]} {_year_text(year, form)}"
    if precision is Precision.DAY:
        return _label(year, month, day, form)
    if precision is Precision.MINUTE:
        return f"{_label(year, month, day, form)}, {format_time(when)}"
    return _period_text(year, precision, form)


def _year_text(year: int, form: str = "") -> str:
    """Return a year as a reader writes it: 1066, AD 79, 79 CE, 470 BCE, 44 BC, 10,000 BCE."""
    if year >= 1:
        return f"AD {year}" if form == "AD" else f"{year} CE" if form == "CE" else str(year)
    before = 1 - year
    number = f"{before:,}" if before >= 10_000 else str(before)
    return f"{number} {'BC' if form.endswith('BC') else 'BCE'}"


def _period_text(year: int, precision: Precision, form: str) -> str:
    """Return '1990s', '19XX', '19th century', '5th century BCE', '2nd millennium', '470s BCE'."""
    size = 10 ** -precision
    era = " BC" if form.endswith("BC") else " BCE"
    if form.startswith("s"):
        if year >= 1:
            return f"{year}s"
        return f"{1 - year - size + 1}s{era}"
    if form == "X":
        digits = -precision
        return f"{year:04d}"[: 4 - digits] + "X" * digits
    unit = "century" if precision is Precision.CENTURY else "millennium"
    if year >= 1:
        text = f"{_ordinal_number((year - 1) // size + 1)} {unit}"
        return f"{text} {form}" if form in ("AD", "CE") else text
    return f"{_ordinal_number((1 - year) // size)} {unit}{era}"


def _ordinal_number(n: int) -> str:
    suffix = "th" if 10 <= n % 100 <= 20 else {1: "st", 2: "nd", 3: "rd"}.get(n % 10, "th")
    return f"{n}{suffix}"


def _years_ago(years: int, exponent: int) -> str:
    """Return '13.8 billion years ago', '66 million years ago', '300,000 years ago'."""
    for unit, name in ((9, "billion"), (6, "million")):
        if years >= 10 ** unit and exponent >= unit - 3:
            whole, rest = divmod(years, 10 ** unit)
            decimals = max(0, unit - exponent)
            fraction = f".{rest:0{unit}d}"[: decimals + 1] if decimals else ""
            return f"{whole:,}{fraction} {name} years ago"
    return f"{years:,} years ago"


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
    if end.qualifier == OPEN:
        return f"from {format_when(start)}"
    if end.qualifier == UNKNOWN:
        return f"{format_when(start)} – ?"
    if end.qualifier == BETWEEN:
        return f"between {format_when(start)} and {format_when(end)}"
    if format_when(start) == format_when(end):
        return format_when(start)
    if start.year <= 0 < end.year and not end.form and end.precision >= Precision.YEAR:
        end = replace(end, form="AD")  # 44 BCE – AD 14: which era the end is in, said
    if start.qualifier or end.qualifier or start.start is None or end.start is None \
            or start.form or end.form or start.calendar != end.calendar:
        return f"{format_when(start)} – {format_when(end)}"
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


def format_day(day: date | When) -> str:
    """Return a day heading such as 'Monday, 28 October 2024'; before 1582 the weekday only in a named calendar."""
    if isinstance(day, When):
        year, month, number = day.ymd
        label = _label(year, month, number, day.form)
        found = weekday(day.ymd, day.calendar)
        return f"{WEEKDAYS[found]}, {label}" if found is not None else label
    found = weekday((day.year, day.month, day.day))
    label = f"{day.day} {MONTHS[day.month - 1]} {day.year}"
    return f"{WEEKDAYS[found]}, {label}" if found is not None else label


def days_between(a: date, b: date) -> int:
    """Return the number of whole days from a to b."""
    return (b - a).days
