"""`chronicle import ics`: a calendar as Google Calendar and Outlook export it, imported and built."""

from __future__ import annotations

import json

import pytest

pytest.importorskip("icalendar")

# Google Calendar's export (Settings → Import & export), as it writes it: CRLF lines, folded at 75
# octets, X-WR- names, the VTIMEZONE of the calendar's zone, UIDs @google.com.
GOOGLE = """\
BEGIN:VCALENDAR
PRODID:-//Google Inc//Google Calendar 70.9054//EN
VERSION:2.0
CALSCALE:GREGORIAN
METHOD:PUBLISH
X-WR-CALNAME:Korea desk: North Korean troops in Russia
X-WR-TIMEZONE:Asia/Seoul
X-WR-CALDESC:What the desk followed\\, 2024
BEGIN:VTIMEZONE
TZID:Asia/Seoul
X-LIC-LOCATION:Asia/Seoul
BEGIN:STANDARD
TZOFFSETFROM:+0900
TZOFFSETTO:+0900
TZNAME:KST
DTSTART:19700101T000000
END:STANDARD
END:VTIMEZONE
BEGIN:VEVENT
DTSTART;VALUE=DATE:20241028
DTEND;VALUE=DATE:20241029
DTSTAMP:20241105T021530Z
UID:3hq9l2vdb1c6mfk0o4u5t0a7rj@google.com
URL:https://www.themoscowtimes.com/2024/10/28/nato-chief-decries-deployment
CATEGORIES:NATO,North Korea
CREATED:20241028T120000Z
DESCRIPTION:After a briefing by a South Korean intelligence delegation\\, NAT
 O Secretary General Mark Rutte confirmed that North Korean troops had been 
 sent to Russia.
LAST-MODIFIED:20241028T120000Z
LOCATION:Brussels\\, Belgium
SEQUENCE:0
STATUS:CONFIRMED
SUMMARY:NATO confirms North Korean units deployed to Kursk
TRANSP:TRANSPARENT
END:VEVENT
BEGIN:VEVENT
DTSTART;VALUE=DATE:20241030
DTEND;VALUE=DATE:20241101
DTSTAMP:20241105T021530Z
UID:security-consultative-meeting-2024
SUMMARY:56th Security Consultative Meeting
LOCATION:Washington\\, D.C.
DESCRIPTION:Two days of talks at the Pentagon.
ATTACH;FILENAME=communique.pdf;FMTTYPE=application/pdf:https://www.defense.g
 ov/communique.pdf
ATTACH;FMTTYPE=image/jpeg:https://upload.wikimedia.org/wikipedia/commons/a/a
 1/Pentagon.jpg
END:VEVENT
BEGIN:VEVENT
DTSTART;TZID=Asia/Seoul:20241031T093000
DTEND;TZID=Asia/Seoul:20241031T110000
DTSTAMP:20241105T021530Z
UID:0ak2m2mcd5uq2r0c6kq1f9c2sg@google.com
SUMMARY:Desk meeting: Kursk
ORGANIZER;CN=Desk:mailto:desk@example.org
ATTENDEE;CN=Min-ji;PARTSTAT=ACCEPTED:mailto:minji@example.org
ATTENDEE;CN=Joon;PARTSTAT=NEEDS-ACTION:mailto:joon@example.org
RRULE:FREQ=WEEKLY;BYDAY=TH
CLASS:PRIVATE
BEGIN:VALARM
ACTION:DISPLAY
DESCRIPTION:This is an event reminder
TRIGGER:-P0DT0H10M0S
END:VALARM
END:VEVENT
BEGIN:VEVENT
DTSTART;TZID=Asia/Seoul:20241107T093000
DTEND;TZID=Asia/Seoul:20241107T110000
RECURRENCE-ID;TZID=Asia/Seoul:20241107T093000
DTSTAMP:20241105T021530Z
UID:0ak2m2mcd5uq2r0c6kq1f9c2sg@google.com
SUMMARY:Desk meeting: Kursk (moved)
END:VEVENT
BEGIN:VEVENT
DTSTART:20241031T133000Z
DURATION:PT45M
DTSTAMP:20241105T021530Z
UID:un-briefing-20241031
SUMMARY:UN Security Council briefing
CATEGORIES:UN
END:VEVENT
BEGIN:VEVENT
DTSTART;VALUE=DATE:20241102
DTSTAMP:20241105T021530Z
UID:cancelled-trip
SUMMARY:Trip to Kursk
STATUS:CANCELLED
END:VEVENT
BEGIN:VTODO
DTSTAMP:20241105T021530Z
UID:todo-1@google.com
SUMMARY:Call the embassy
END:VTODO
END:VCALENDAR
""".replace("\n", "\r\n")

# Outlook's "Save calendar" export: Windows zone names in a VTIMEZONE with yearly rules, long hex UIDs.
OUTLOOK = """\
BEGIN:VCALENDAR
PRODID:-//Microsoft Corporation//Outlook 16.0 MIMEDIR//EN
VERSION:2.0
METHOD:PUBLISH
X-CALSTART:20241028T183000Z
X-WR-RELCALID:{0000002E-1B2C-4C5D-8E9F-A0B1C2D3E4F5}
X-WR-CALNAME:Pentagon briefings
BEGIN:VTIMEZONE
TZID:Eastern Standard Time
BEGIN:STANDARD
DTSTART:16011104T020000
RRULE:FREQ=YEARLY;BYDAY=1SU;BYMONTH=11
TZOFFSETFROM:-0400
TZOFFSETTO:-0500
END:STANDARD
BEGIN:DAYLIGHT
DTSTART:16010311T020000
RRULE:FREQ=YEARLY;BYDAY=2SU;BYMONTH=3
TZOFFSETFROM:-0500
TZOFFSETTO:-0400
END:DAYLIGHT
END:VTIMEZONE
BEGIN:VEVENT
CLASS:PUBLIC
CREATED:20241028T190210Z
DESCRIPTION:Deputy Press Secretary Sabrina Singh said about 10\\,000 North 
 Korean soldiers were in eastern Russia.\\n\\nSome were moving toward Kursk.\\n
DTEND;TZID="Eastern Standard Time":20241028T150000
DTSTAMP:20241028T190210Z
DTSTART;TZID="Eastern Standard Time":20241028T143000
LAST-MODIFIED:20241028T190210Z
LOCATION:Pentagon Briefing Room
PRIORITY:5
SEQUENCE:0
SUMMARY;LANGUAGE=en-us:Pentagon press briefing
TRANSP:OPAQUE
UID:040000008200E00074C5B7101A82E00800000000D0A1B2C3D4E5DB01000000000000000
 010000000ABCDEF0123456789ABCDEF012345
X-MICROSOFT-CDO-BUSYSTATUS:BUSY
X-MICROSOFT-CDO-IMPORTANCE:1
X-MICROSOFT-DISALLOW-COUNTER:FALSE
X-MS-OLK-AUTOFILLLOCATION:FALSE
X-MS-OLK-CONFTYPE:0
END:VEVENT
BEGIN:VEVENT
CLASS:PUBLIC
DTSTART:20241101T090000
DTEND:20241101T100000
DTSTAMP:20241028T190210Z
SUMMARY;LANGUAGE=en-us:Morning read-out
UID:040000008200E00074C5B7101A82E00800000000F0F1F2F3F4F5DB01000000000000000
 010000000FEDCBA
END:VEVENT
END:VCALENDAR
""".replace("\n", "\r\n")


def entries(project) -> dict[str, str]:
    return {path.name: path.read_text(encoding="utf-8") for path in sorted(project.content.glob("*.md"))}


def events_built(project) -> dict[str, dict]:
    timeline = json.loads(project.read("timeline.json"))
    return {event["text"]["headline"]: event for event in timeline["events"]}


@pytest.fixture
def google(project):
    source = project.root / "korea-desk.ics"
    source.write_text(GOOGLE, encoding="utf-8", newline="")
    result = project.run("import", "ics", str(source))
    assert result.code == 0, result.err
    return project, result


def test_google_calendar_builds(google):
    project, result = google
    assert project.run("build", "--no-cache").code == 0
    assert "imported 5 events into content/" in result.err


def test_calendar_name_and_zone_are_the_timelines(google):
    project, _ = google
    assert entries(project)["_index.md"] == (
        "---\n"
        "title: 'Korea desk: North Korean troops in Russia'\n"
        "description: What the desk followed, 2024\n"
        "timezone: Asia/Seoul\n"
        "sources: optional\n"
        "---\n")


def test_all_day_event_is_a_day_with_its_source_tags_and_place(google):
    project, _ = google
    assert entries(project)["2024-10-28-nato-confirms-north-korean-units-deployed-to-kursk.md"] == (
        "---\n"
        "title: NATO confirms North Korean units deployed to Kursk\n"
        "date: '2024-10-28'\n"
        "location: Brussels, Belgium\n"
        "tags: [NATO, North Korea]\n"
        "sources:\n"
        "  - https://www.themoscowtimes.com/2024/10/28/nato-chief-decries-deployment\n"
        "---\n"
        "\n"
        "After a briefing by a South Korean intelligence delegation, NATO Secretary General Mark Rutte "
        "confirmed that North Korean troops had been sent to Russia.\n")


def test_multi_day_all_day_event_ends_the_day_before_dtend(google):
    project, _ = google
    text = entries(project)["2024-10-30-security-consultative-meeting-2024.md"]
    assert "date: '2024-10-30'\nend: '2024-10-31'\n" in text  # DTEND 2024-11-01 is exclusive
    assert "slug: security-consultative-meeting-2024\n" in text  # a UID that is a URL name is the slug
    project.run("build", "--no-cache")
    event = events_built(project)["56th Security Consultative Meeting"]
    assert [event[key][part] for key in ("start_date", "end_date") for part in ("year", "month", "day")] == \
        [2024, 10, 30, 2024, 10, 31]


def test_attachments_become_media(google):
    project, result = google
    text = entries(project)["2024-10-30-security-consultative-meeting-2024.md"]
    assert ("media:\n"
            "  - src: https://www.defense.gov/communique.pdf\n"
            "    caption: communique.pdf\n"
            "  - src: https://upload.wikimedia.org/wikipedia/commons/a/a1/Pentagon.jpg\n"
            "    alt: 56th Security Consultative Meeting\n") in text
    assert ("korea-desk.ics:37: VEVENT 2 (UID security-consultative-meeting-2024): note: the picture "
            "https://upload.wikimedia.org/wikipedia/commons/a/a1/Pentagon.jpg's alt text is the event's title — "
            "write what it shows in alt:") in result.lines


def test_timed_event_with_tzid_keeps_its_offset(google):
    project, _ = google
    text = entries(project)["2024-10-31-desk-meeting-kursk.md"]
    assert "date: 2024-10-31T09:30+09:00\nend: 2024-10-31T11:00+09:00\n" in text


def test_recurrence_and_what_else_did_not_carry_over_are_told_at_the_event(google):
    _, result = google
    where = "korea-desk.ics:50: VEVENT 3 (UID 0ak2m2mcd5uq2r0c6kq1f9c2sg@google.com)"
    assert f"{where}: note: recurs (FREQ=WEEKLY;BYDAY=TH): only its first occurrence was carried over — " \
           "Chronicle has no recurrence" in result.lines
    assert f"{where}: note: was PRIVATE in the calendar: it will be public on the site — check it before " \
           "publishing" in result.lines
    assert f"{where}: note: ATTENDEE ×2, ORGANIZER were not carried over" in result.lines
    assert "korea-desk.ics:67: VEVENT 4 (UID 0ak2m2mcd5uq2r0c6kq1f9c2sg@google.com): note: a changed occurrence " \
           "(2024-11-07T09:30+09:00) of a recurring event was not carried over: the series is listed once" \
           in result.lines


def test_utc_event_with_duration(google):
    project, _ = google
    text = entries(project)["2024-10-31-un-briefing-20241031.md"]
    assert "date: 2024-10-31T13:30Z\nend: 2024-10-31T14:15Z\n" in text
    project.run("build", "--no-cache")
    assert "22:30" in project.read("events/un-briefing-20241031/index.html")  # shown in Seoul's time


def test_cancelled_event_is_a_draft(google):
    project, result = google
    assert "draft: true\n" in entries(project)["2024-11-02-cancelled-trip.md"]
    assert ("korea-desk.ics:83: VEVENT 6 (UID cancelled-trip): note: cancelled (STATUS:CANCELLED): written as a "
            "draft (draft: true), left out of the site — delete the file, or the draft line to show it") in result.lines
    project.run("build", "--no-cache")
    assert "Trip to Kursk" not in events_built(project)


def test_todo_is_told_not_carried(google):
    _, result = google
    assert ("korea-desk.ics:90: VTODO 1 (UID todo-1@google.com): note: VTODO 'Call the embassy' was not carried "
            "over: a timeline's events are a calendar's VEVENTs") in result.lines


def test_google_uids_are_not_slugs(google):
    project, result = google
    assert "korea-desk.ics: note: 2 UIDs are not a URL name (such as 3hq9l2vdb1c6mfk0o4u5t0a7rj@google.com): " \
           "those events' URL names come from their titles" in result.lines


def test_outlook_windows_zone_and_floating_time(project):
    source = project.root / "Calendar.ics"
    source.write_text(OUTLOOK, encoding="utf-8", newline="")
    result = project.run("import", "ics", str(source))
    assert result.code == 0, result.err
    written = entries(project)
    assert "timezone: America/New_York\n" in written["_index.md"]  # Eastern Standard Time, by its IANA name
    briefing = written["2024-10-28-pentagon-press-briefing.md"]
    assert "date: 2024-10-28T14:30-04:00\nend: 2024-10-28T15:00-04:00\n" in briefing
    assert briefing.endswith("\nDeputy Press Secretary Sabrina Singh said about 10,000 North Korean soldiers were "
                             "in eastern Russia.\n\nSome were moving toward Kursk.\n")
    # A floating time (no zone, no Z) is a time in the timeline's zone.
    assert "date: 2024-11-01T09:00\nend: 2024-11-01T10:00\n" in written["2024-11-01-morning-read-out.md"]
    # Outlook's bookkeeping (PRIORITY, X-MICROSOFT-…) is not told; its UIDs are no URL names.
    assert [line for line in result.lines if ": note: " in line] == [
        "Calendar.ics: note: 2 UIDs are not a URL name (such as 040000008200E00074C5B7101A82E00800000000): those "
        "events' URL names come from their titles"]
    assert project.run("build", "--no-cache").code == 0
    assert "09:00" in project.read("events/2024-11-01-morning-read-out/index.html")


def test_not_a_calendar(project):
    source = project.root / "notes.ics"
    source.write_text("Meeting on Tuesday\n", encoding="utf-8")
    result = project.run("import", "ics", str(source))
    assert result.code == 1
    assert result.lines == ["notes.ics: error: no BEGIN:VCALENDAR line — is it an iCalendar (.ics) file?"]
    assert entries(project) == {}


def test_without_icalendar_the_error_says_what_to_install(project, monkeypatch):
    import sys

    monkeypatch.setitem(sys.modules, "icalendar", None)  # as if it were not installed
    source = project.root / "korea-desk.ics"
    source.write_text(GOOGLE, encoding="utf-8", newline="")
    result = project.run("import", "ics", str(source))
    assert result.code == 2
    assert result.lines == ["chronicle: error: chronicle import ics needs the icalendar package — pip install "
                            "'chronicle-timeline[ics]'"]
