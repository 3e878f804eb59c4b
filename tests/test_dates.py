"""Dates: every rule and trap of the README's "Dates", as the author writes them."""

import warnings
from datetime import date, datetime, timedelta, timezone
from zoneinfo import ZoneInfo

import pytest
from hypothesis import given, settings, strategies as st

from chronicle.dates import (
    ABBREVIATIONS, DateError, Precision, When, days_between, format_day, format_span,
    format_time, format_when, parse_when,
)

NEW_YORK = ZoneInfo("America/New_York")
UTC = ZoneInfo("UTC")
YEAR, MONTH, DAY, MINUTE = Precision.YEAR, Precision.MONTH, Precision.DAY, Precision.MINUTE


def ok(value, iso, precision, display, zone=NEW_YORK, **options):
    """One accepted date: what parse_when gives for it, and how it is shown."""
    return pytest.param(value, zone, options, iso, precision, display, id=f"{value!r}-{options}")


ACCEPTED = [
    # ISO fast path.
    ok("2024", "2024", YEAR, "2024"),
    ok("2024-10", "2024-10", MONTH, "October 2024"),  # trap: October, never the 24th
    ok("2024-01", "2024-01", MONTH, "January 2024"),
    ok("2024-10-28", "2024-10-28", DAY, "28 October 2024"),
    ok("2024-02-29", "2024-02-29", DAY, "29 February 2024"),
    ok("  2024-10-28\n", "2024-10-28", DAY, "28 October 2024"),
    ok("28  October\n2024", "2024-10-28", DAY, "28 October 2024"),
    ok("2024-10-28T14:30", "2024-10-28T14:30-04:00", MINUTE, "28 October 2024, 14:30 EDT"),
    ok("2024-10-28 14:30", "2024-10-28T14:30-04:00", MINUTE, "28 October 2024, 14:30 EDT"),
    ok("2024-10-28T14:30-04:00", "2024-10-28T14:30-04:00", MINUTE, "28 October 2024, 14:30 EDT"),
    ok("2024-10-28T18:30Z", "2024-10-28T14:30-04:00", MINUTE, "28 October 2024, 14:30 EDT"),
    ok("2024-10-28T18:30+00:00", "2024-10-28T14:30-04:00", MINUTE, "28 October 2024, 14:30 EDT"),
    ok("2024-10-29T03:30+09", "2024-10-28T14:30-04:00", MINUTE, "28 October 2024, 14:30 EDT"),
    ok("2024-10-29T03:30+0900", "2024-10-28T14:30-04:00", MINUTE, "28 October 2024, 14:30 EDT"),
    ok("2024-10-28T14:30:15", "2024-10-28T14:30:15-04:00", MINUTE, "28 October 2024, 14:30:15 EDT"),
    ok("2024-10-28T14:30:15.250", "2024-10-28T14:30:15-04:00", MINUTE, "28 October 2024, 14:30:15 EDT"),
    ok("2024-10-28T14:30:00", "2024-10-28T14:30-04:00", MINUTE, "28 October 2024, 14:30 EDT"),
    ok("2013-09-14 20:46:50 -0400", "2013-09-14T20:46:50-04:00", MINUTE, "14 September 2013, 20:46:50 EDT"),
    ok("2024-10-28 14:30 +01:00", "2024-10-28T09:30-04:00", MINUTE, "28 October 2024, 09:30 EDT"),
    # Times without a zone are in the timeline zone, with its DST.
    ok("2024-12-28 14:30", "2024-12-28T14:30-05:00", MINUTE, "28 December 2024, 14:30 EST"),
    ok("2024-11-03 01:30", "2024-11-03T01:30-04:00", MINUTE, "3 November 2024, 01:30 EDT"),
    ok("2024-10-28 14:30", "2024-10-28T14:30+00:00", MINUTE, "28 October 2024, 14:30 UTC", zone=UTC),
    ok("2024-10-28 14:30", "2024-10-28T14:30+03:00", MINUTE, "28 October 2024, 14:30 UTC+03:00",
       zone=ZoneInfo("Europe/Istanbul")),
    ok("2024-10-28 14:30", "2024-10-28T14:30+01:00", MINUTE, "28 October 2024, 14:30 CET",
       zone=ZoneInfo("Europe/Berlin")),
    # Numeric forms.
    ok("28/10/2024", "2024-10-28", DAY, "28 October 2024"),
    ok("10/28/2024", "2024-10-28", DAY, "28 October 2024"),
    ok("28.10.2024", "2024-10-28", DAY, "28 October 2024"),
    ok("28-10-2024", "2024-10-28", DAY, "28 October 2024"),
    ok("4/4/2024", "2024-04-04", DAY, "4 April 2024"),
    ok("04/04/2024", "2024-04-04", DAY, "4 April 2024"),
    ok("03/04/2024", "2024-04-03", DAY, "3 April 2024", date_order="DMY"),
    ok("03/04/2024", "2024-03-04", DAY, "4 March 2024", date_order="MDY"),
    ok("28/10/2024", "2024-10-28", DAY, "28 October 2024", date_order="DMY"),
    ok("10/28/2024", "2024-10-28", DAY, "28 October 2024", date_order="MDY"),
    ok("03/04", "2024-04-03", DAY, "3 April 2024", date_order="DMY", year=2024),
    ok("2024/10/28", "2024-10-28", DAY, "28 October 2024"),
    ok("2024.3.4", "2024-03-04", DAY, "4 March 2024"),
    ok("28.10.2024 14:30", "2024-10-28T14:30-04:00", MINUTE, "28 October 2024, 14:30 EDT"),
    ok("28/10/2024T14:30", "2024-10-28T14:30-04:00", MINUTE, "28 October 2024, 14:30 EDT"),
    ok("28/10/2024, 2:30 PM KST", "2024-10-28T01:30-04:00", MINUTE, "28 October 2024, 01:30 EDT"),
    ok("03/04/2024 09:00", "2024-04-03T09:00-04:00", MINUTE, "3 April 2024, 09:00 EDT", date_order="DMY"),
    # Human forms.
    ok("28 October 2024", "2024-10-28", DAY, "28 October 2024"),
    ok("30 October 2024", "2024-10-30", DAY, "30 October 2024"),
    ok("October 28, 2024", "2024-10-28", DAY, "28 October 2024"),
    ok("28th of October 2024", "2024-10-28", DAY, "28 October 2024"),
    ok("1 January 2024", "2024-01-01", DAY, "1 January 2024"),
    ok("Oct 28, 2024 2:30 PM EDT", "2024-10-28T14:30-04:00", MINUTE, "28 October 2024, 14:30 EDT"),
    ok("28 Oct 2024 14:30", "2024-10-28T14:30-04:00", MINUTE, "28 October 2024, 14:30 EDT"),
    ok("28 Oct 2024 2 PM", "2024-10-28T14:00-04:00", MINUTE, "28 October 2024, 14:00 EDT"),
    ok("28 Oct 2024 12 AM", "2024-10-28T00:00-04:00", MINUTE, "28 October 2024, 00:00 EDT"),
    ok("28 Oct 2024 14:30:45", "2024-10-28T14:30:45-04:00", MINUTE, "28 October 2024, 14:30:45 EDT"),
    ok("31 October", "2024-10-31", DAY, "31 October 2024", year=2024),
    ok("29 February", "2024-02-29", DAY, "29 February 2024", year=2024),
    ok("October", "2024-10", MONTH, "October 2024", year=2024),
    ok("31 October 14:30", "2024-10-31T14:30-04:00", MINUTE, "31 October 2024, 14:30 EDT", year=2024),
    ok("October 2024", "2024-10", MONTH, "October 2024"),
    ok("February 2023", "2023-02", MONTH, "February 2023"),
    ok("Monday, 28 October 2024", "2024-10-28", DAY, "28 October 2024"),
    ok("Mon 28 Oct 2024", "2024-10-28", DAY, "28 October 2024"),
    ok("Thursday, 31 October", "2024-10-31", DAY, "31 October 2024", year=2024),
    ok("2024-10-28 14:30 KST", "2024-10-28T01:30-04:00", MINUTE, "28 October 2024, 01:30 EDT"),
    ok("2024-10-28T14:30 EDT", "2024-10-28T14:30-04:00", MINUTE, "28 October 2024, 14:30 EDT"),
    ok("28 October 2024 14:30 -0400 (EDT)", "2024-10-28T14:30-04:00", MINUTE, "28 October 2024, 14:30 EDT"),
    ok("28 October 2024, 14:30 UTC+03:00", "2024-10-28T07:30-04:00", MINUTE, "28 October 2024, 07:30 EDT"),
    ok("28 October 2024 14:30 GMT-2", "2024-10-28T12:30-04:00", MINUTE, "28 October 2024, 12:30 EDT"),
    # An abbreviation of the timeline zone means what the timeline shows.
    ok("3 November 2024, 01:30 EST", "2024-11-03T01:30-05:00", MINUTE, "3 November 2024, 01:30 EST"),
    ok("3 November 2024, 01:30 EDT", "2024-11-03T01:30-04:00", MINUTE, "3 November 2024, 01:30 EDT"),
    ok("28 October 2024, 14:30 CST", "2024-10-28T14:30+08:00", MINUTE, "28 October 2024, 14:30 CST",
       zone=ZoneInfo("Asia/Shanghai")),
    ok("28 October 2024, 14:30 AEDT", "2024-10-28T14:30+11:00", MINUTE, "28 October 2024, 14:30 AEDT",
       zone=ZoneInfo("Australia/Sydney")),
    # What YAML gives.
    ok(2024, "2024", YEAR, "2024"),
    ok(date(2024, 10, 28), "2024-10-28", DAY, "28 October 2024"),
    ok(datetime(2024, 10, 28, 14, 30), "2024-10-28T14:30-04:00", MINUTE, "28 October 2024, 14:30 EDT"),
    ok(datetime(2024, 12, 28, 14, 30), "2024-12-28T14:30-05:00", MINUTE, "28 December 2024, 14:30 EST"),
    ok(datetime(2024, 10, 28, 14, 30, tzinfo=ZoneInfo("Asia/Seoul")), "2024-10-28T01:30-04:00", MINUTE,
       "28 October 2024, 01:30 EDT"),
    ok(datetime(2024, 10, 28, 18, 30, 5, 999, tzinfo=timezone.utc), "2024-10-28T14:30:05-04:00", MINUTE,
       "28 October 2024, 14:30:05 EDT"),
]


@pytest.mark.parametrize(("value", "zone", "options", "iso", "precision", "display"), ACCEPTED)
def test_accepted(value, zone, options, iso, precision, display):
    when = parse_when(value, zone=zone, **options)
    assert (when.iso(), when.precision, format_when(when)) == (iso, precision, display)
    assert when.start.tzinfo is zone
    assert when.datetime == iso  # every modern form is valid HTML as it is


def no(value, fragment, zone=NEW_YORK, **options):
    """One refused date and a fragment of the message the author reads."""
    return pytest.param(value, zone, options, fragment, id=f"{value!r}-{options}")


NOT_A_DATE = "is not a date; write it like 2024-10-28, 28 October 2024 or 2024-10-28T14:30"

REFUSED = [
    # Impossible calendar dates say why.
    no("2024-13", "2024-13 is not a date: there is no month 13"),
    no("2024-00", "there is no month 0"),
    no("2024-02-30", "2024-02-30 is not a date: February 2024 has 29 days"),
    no("2023-02-29", "2023-02-29 is not a date: February 2023 has 28 days"),
    no("2024-04-31", "April 2024 has 30 days"),
    no("2024-10-00", "October 2024 has 31 days"),
    no("30/02/2024", "30/02/2024 is not a date: February 2024 has 29 days"),
    no("29 February", "29 February 2023 is not a date: February 2023 has 28 days", year=2023),
    no("2024-10-28T25:00", "'2024-10-28T25:00' is not a valid time; write it like 2024-10-28T14:30"),
    no("2024-10-28T14:61", "is not a valid time"),
    no("2024-10-28T14:30+25:00", "is not a valid time"),
    no("9999-01-01", "'9999-01-01' is out of range; write a year up to 9998"),
    no("10000", "'10000' is out of range; write a year up to 9998"),
    no("0000", "there is no year 0 (1 BCE is followed by AD 1); write 1 BCE or AD 1"),
    # Ambiguous numerics: refuse to guess.
    no("03/04/2024", "'03/04/2024' is ambiguous; write 2024-04-03 or 2024-03-04, "
                     "or set date_order in content/_index.md"),
    no("3.4.2024", "'3.4.2024' is ambiguous; write 2024-04-03 or 2024-03-04"),
    no("12-11-2024", "'12-11-2024' is ambiguous; write 2024-11-12 or 2024-12-11"),
    no("03/04/2024 14:30", "is ambiguous"),
    no("28/10/2024", "'28/10/2024' does not follow date_order MDY: there is no month 28; write 2024-10-28",
       date_order="MDY"),
    no("10/28/2024", "'10/28/2024' does not follow date_order DMY: there is no month 28; write 2024-10-28",
       date_order="DMY"),
    no("13/14/2024", "'13/14/2024' " + NOT_A_DATE),
    no("00/05/2024", NOT_A_DATE),
    no("03/04/24", "'03/04/24' has a two-digit year; write the year in full"),
    no("28.10.24", "two-digit year"),
    no("03/04/202", NOT_A_DATE),
    no("03/04", "'03/04' has no year; write 03/04/2024, or set year: in content/_index.md"),
    no("03/04", "is ambiguous", year=2024),
    # Year-less dates need the timeline's year.
    no("31 October", "'31 October' has no year; write 31 October 2024, or set year: in content/_index.md"),
    no("October", "'October' has no year; write October 2024"),
    no("28 Oct 24", "'28 Oct 24' does not show the year in full"),
    # Weekdays are checked.
    no("Tuesday, 28 October 2024", "28 October 2024 is a Monday, not a Tuesday"),
    no("Friday, 31 October", "31 October 2024 is a Thursday, not a Friday", year=2024),
    no("Monday, October 2024", "'Monday, October 2024' has no day of the month"),
    no("October 2024 14:30", "has no day of the month"),
    # Not dates at all.
    no("yesterday", "'yesterday' " + NOT_A_DATE),
    no("next week", "'next week' " + NOT_A_DATE),
    no("10:30", "'10:30' " + NOT_A_DATE),
    no("garbage 2024", "'garbage 2024' " + NOT_A_DATE),
    no("Monday", "'Monday' " + NOT_A_DATE),
    no("20241028", "'20241028' is not a year; for a day write it with hyphens, as 2024-10-28"),
    no("31 February 2024", "31 February 2024 is not a date: February 2024 has 29 days"),
    no("28 October 2024 14:30 +", NOT_A_DATE),
    no("", "the date is empty; write a date such as 2024-10-28"),
    no("   ", "the date is empty"),
    no("28 October\n2024\tat 14:30\u2028XYZ", "unknown time zone 'XYZ'"),
    no("yesterday\nor today", "'yesterday or today' " + NOT_A_DATE),
    # Zones.
    no("28 October 2024 14:30 XYZ", "unknown time zone 'XYZ'; write an offset such as +09:00 or one of UTC, "),
    no("28 October 2024 14:30 AEDT", "unknown time zone 'AEDT'"),
    no("2024-03-10 02:30", "'2024-03-10 02:30' does not exist in America/New_York: the clocks skip that time"),
    no(datetime(2024, 3, 10, 2, 30), "does not exist in America/New_York"),
    # What YAML gives that is not a date.
    no(None, "the date is empty; write a date such as 2024-10-28"),
    no(True, "true is not a date; write a date such as 2024-10-28"),
    no(False, "false is not a date"),
    no(2024.5, "2024.5 is not a date; write a date such as 2024-10-28"),
    no(20241028, "'20241028' is not a year; for a day write it with hyphens, as 2024-10-28"),
    no(0, "'0': there is no year 0"),
    no(["2024-10-28"], "is not a date; write a date such as 2024-10-28"),
    no({"date": "2024-10-28"}, "is not a date; write a date such as 2024-10-28"),
]


@pytest.mark.parametrize(("value", "zone", "options", "fragment"), REFUSED)
def test_refused(value, zone, options, fragment):
    with warnings.catch_warnings():
        warnings.simplefilter("error")
        with pytest.raises(DateError) as caught:
            parse_when(value, zone=zone, **options)
    assert fragment in str(caught.value)
    assert len(str(caught.value).splitlines()) == 1


@pytest.mark.parametrize(("name", "hours"), ABBREVIATIONS.items())
def test_each_abbreviation_is_its_fixed_offset(name, hours):
    when = parse_when(f"28 October 2024 12:00 {name}", zone=NEW_YORK)
    assert when.start == datetime(2024, 10, 28, 12, tzinfo=timezone(timedelta(hours=hours)))
    assert when.start.tzinfo is NEW_YORK


def test_abbreviation_list_is_the_contract():
    assert ABBREVIATIONS == {
        "UTC": 0, "GMT": 0, "Z": 0, "EST": -5, "EDT": -4, "CST": -6, "CDT": -5, "MST": -7, "MDT": -6,
        "PST": -8, "PDT": -7, "CET": 1, "CEST": 2, "EET": 2, "EEST": 3, "MSK": 3, "KST": 9, "JST": 9, "BST": 1,
    }


def test_unknown_zone_lists_the_known_ones():
    with pytest.raises(DateError) as caught:
        parse_when("28 October 2024 14:30 XYZ", zone=NEW_YORK)
    assert str(caught.value).endswith(", ".join(ABBREVIATIONS))


def test_date_order_must_be_known():
    with pytest.raises(ValueError, match="date_order"):
        parse_when("03/04/2024", zone=NEW_YORK, date_order="YMD")


def test_when_needs_an_aware_start():
    with pytest.raises(ValueError, match="timezone-aware"):
        When(datetime(2024, 10, 28), DAY)


def test_day_is_the_calendar_day_in_the_timeline_zone():
    when = parse_when("2024-10-29T01:30Z", zone=NEW_YORK)
    assert when.day == date(2024, 10, 28)


def test_period_start_is_midnight_in_the_timeline_zone():
    for value in ("2024", "2024-10", "2024-10-28"):
        start = parse_when(value, zone=NEW_YORK).start
        assert (start.hour, start.minute, start.tzinfo) == (0, 0, NEW_YORK)


@pytest.mark.parametrize(("value", "end"), [
    ("2024", datetime(2025, 1, 1, tzinfo=NEW_YORK)),
    ("2024-10", datetime(2024, 11, 1, tzinfo=NEW_YORK)),
    ("2024-12", datetime(2025, 1, 1, tzinfo=NEW_YORK)),
    ("2024-10-28", datetime(2024, 10, 29, tzinfo=NEW_YORK)),
    ("2024-12-31", datetime(2025, 1, 1, tzinfo=NEW_YORK)),
    ("2024-10-28T14:30", datetime(2024, 10, 28, 14, 30, tzinfo=NEW_YORK)),
])
def test_period_end(value, end):
    assert parse_when(value, zone=NEW_YORK).period_end() == end


def test_period_end_of_a_dst_day_is_25_hours_later():
    when = parse_when("2024-11-03", zone=NEW_YORK)
    assert when.period_end() - when.start.astimezone(timezone.utc) == timedelta(hours=25)
    assert when.period_end().utcoffset() == timedelta(hours=-5)


def sorted_values(values, zone=NEW_YORK):
    return [value for value in sorted(values, key=lambda v: parse_when(v, zone=zone).sort_key())]


@pytest.mark.parametrize("expected", [
    ["2024-10-28", "2024-10-28T00:00", "2024-10-28T09:00"],  # a day sorts before its 00:00
    ["2024", "2024-01", "2024-01-01", "2024-01-01T00:00"],  # coarser first at the same instant
    ["2024-10", "2024-10-01", "2024-10-02"],  # a month before its first day
    ["2024-10-28T14:30+09:00", "2024-10-28T06:00Z", "2024-10-28T14:30-04:00"],  # by the instant
    ["2024-10-29T05:00+02:00", "2024-10-28T23:30-04:00", "2024-10-29", "2024-10-29T07:00+02:00"],
    ["2023", "2024-10-27T23:59", "2024-10-28"],
])
def test_sorting(expected):
    assert sorted_values(reversed(expected)) == expected
    assert sorted_values(expected) == expected


@pytest.mark.parametrize(("start", "end", "expected"), [
    ("2024-10-28", None, "28 October 2024"),
    ("2024-10-28", "2024-10-28", "28 October 2024"),
    ("2024-10-28", "2024-10-31", "28–31 October 2024"),
    ("2024-10-28", "2024-11-02", "28 October – 2 November 2024"),
    ("2024-12-30", "2025-01-02", "30 December 2024 – 2 January 2025"),
    ("2024-10", "2024-12", "October – December 2024"),
    ("2024-11", "2025-02", "November 2024 – February 2025"),
    ("2023", "2024", "2023–2024"),
    ("2024-10-28T14:30", "2024-10-28T16:00", "28 October 2024, 14:30–16:00 EDT"),
    ("2024-10-28T14:30", "2024-10-29T16:00", "28 October 2024, 14:30 EDT – 29 October 2024, 16:00 EDT"),
    ("2024-11-03T01:00", "2024-11-03T03:00", "3 November 2024, 01:00 EDT – 03:00 EST"),
    ("2024-10-28", "2024-10-30T12:00", "28 October 2024 – 30 October 2024, 12:00 EDT"),
    ("2024-10", "2024-11-02", "October 2024 – 2 November 2024"),
    ("2024", "2025-03", "2024 – March 2025"),
])
def test_span(start, end, expected):
    end = None if end is None else parse_when(end, zone=NEW_YORK)
    assert format_span(parse_when(start, zone=NEW_YORK), end) == expected


@pytest.mark.parametrize(("value", "expected"), [
    ("2024-10-28T14:30", "14:30 EDT"),
    ("2024-12-28T09:05", "09:05 EST"),
    ("2024-10-28", ""),
    ("2024-10", ""),
    ("2024", ""),
])
def test_format_time(value, expected):
    assert format_time(parse_when(value, zone=NEW_YORK)) == expected


@pytest.mark.parametrize(("day", "expected"), [
    (date(2024, 10, 28), "Monday, 28 October 2024"),
    (date(2024, 11, 2), "Saturday, 2 November 2024"),
    (date(2025, 1, 1), "Wednesday, 1 January 2025"),
])
def test_format_day(day, expected):
    assert format_day(day) == expected


@pytest.mark.parametrize(("a", "b", "days"), [
    (date(2024, 10, 28), date(2024, 10, 31), 3),
    (date(2024, 10, 31), date(2024, 10, 28), -3),
    (date(2024, 2, 28), date(2024, 3, 1), 2),
    (date(2024, 10, 28), date(2024, 10, 28), 0),
])
def test_days_between(a, b, days):
    assert days_between(a, b) == days


# Zones whose abbreviations all read back, from 1950 on (earlier, some had
# offsets with seconds that no ±HH:MM can carry).
ZONES = [ZoneInfo(key) for key in (
    "America/New_York", "UTC", "Europe/London", "Europe/Berlin", "Asia/Tokyo", "Europe/Istanbul",
    "Australia/Sydney", "Asia/Shanghai", "Asia/Kolkata", "America/St_Johns", "America/Los_Angeles",
)]


@st.composite
def whens(draw, seconds=True):
    zone = draw(st.sampled_from(ZONES))
    precision = draw(st.sampled_from([YEAR, MONTH, DAY, MINUTE]))
    moment = draw(st.datetimes(datetime(1950, 1, 1), datetime(2100, 12, 31)))
    if precision is MINUTE:
        start = moment.replace(microsecond=0, second=moment.second if seconds else 0, tzinfo=timezone.utc)
        return When(start.astimezone(zone), precision), zone
    day = moment.date().replace(month=1 if precision is YEAR else moment.month,
                                day=moment.day if precision is DAY else 1)
    return When(datetime(day.year, day.month, day.day, tzinfo=zone), precision), zone


def same(a, b):
    return (a.start, a.start.utcoffset(), a.start.replace(tzinfo=None), a.precision) == \
           (b.start, b.start.utcoffset(), b.start.replace(tzinfo=None), b.precision)


# database=None: nothing is written into the repository during tests (docs/testing.md).
@settings(database=None, deadline=None)
@given(whens())
def test_iso_reads_back(case):
    when, zone = case
    assert same(parse_when(when.iso(), zone=zone), when)


@settings(database=None, deadline=None)
@given(whens(seconds=False))
def test_display_reads_back(case):
    when, zone = case
    assert format_span(when, None) == format_when(when)
    shown = when.iso() if when.precision is YEAR else format_when(when)
    assert same(parse_when(shown, zone=zone), when)


WORDS = st.sampled_from([
    "2024", "10", "28", "3", "24", "-", "/", ".", ":", ",", " ", "T", "Z", "+", "(", ")", "00", "99999",
    "October", "Oct", "February", "Monday", "Tue", "PM", "am", "EDT", "UTC", "GMT", "XYZ", "of", "th", "h",
])


@settings(max_examples=500, database=None, deadline=None)
@given(st.one_of(st.text(), st.lists(WORDS, max_size=12).map("".join)),
       st.sampled_from([None, 2023, 2024]), st.sampled_from([None, "DMY", "MDY"]),
       st.sampled_from(ZONES))
def test_any_text_is_a_when_or_a_date_error(text, year, date_order, zone):
    with warnings.catch_warnings():
        warnings.simplefilter("error")
        try:
            when = parse_when(text, zone=zone, year=year, date_order=date_order)
        except DateError as error:
            assert len(str(error).splitlines()) == 1
        else:
            assert when.start is None or when.start.tzinfo is zone
            assert when.iso() and format_when(when)
