"""Reading an iCalendar file (`chronicle import ics calendar.ics`, with the icalendar library): each VEVENT
becomes a Draft, and the calendar's name and zone the timeline's.

Dates keep what the calendar says of them: an all-day event is a day (its DTEND, exclusive in
iCalendar, is the day after the last), a timed one an instant with its offset, a floating time a time in
the timeline's zone. What a timeline has no place for (recurrence, attendees, alarms) is told in a
Note at the event's line, `calendar.ics:57: VEVENT 12 (UID …)`.
"""

from __future__ import annotations

import re
from collections import Counter
from datetime import date, datetime, timedelta
from pathlib import Path, PurePosixPath
from typing import Any
from urllib.parse import urlsplit
from zoneinfo import ZoneInfo, ZoneInfoNotFoundError

from ..entries import make_markdown
from ..media import MIME, provider_of
from ..model import is_valid_slug
from . import Draft, How, Imported, Note, SourceError, problems

# What an event says that a timeline has no place for, named in its note; bookkeeping (DTSTAMP,
# SEQUENCE, TRANSP, PRIORITY, X-…) and reminders (VALARM) are left out without one.
UNCARRIED = ("ATTENDEE", "ORGANIZER", "CONTACT", "GEO", "RESOURCES", "COMMENT", "RELATED-TO")
COMPONENTS = ("VEVENT", "VTODO", "VJOURNAL", "VFREEBUSY")


def _library():
    try:
        import icalendar
    except ImportError:  # an extra (pyproject.toml): only this command needs it
        from ..pipeline import CannotRun

        raise CannotRun("chronicle import ics needs the icalendar package — pip install "
                        "'chronicle-timeline[ics]'") from None
    return icalendar


def read(path: Path, text: str, how: How) -> Imported:
    """Read an iCalendar file into one Draft per VEVENT and the calendar's own values."""
    icalendar = _library()
    if not re.search(r"^BEGIN:VCALENDAR\s*$", text, re.I | re.M):
        raise SourceError("no BEGIN:VCALENDAR line — is it an iCalendar (.ics) file?")
    try:
        calendars = icalendar.Calendar.from_ical(text, multiple=True)
    except ValueError as error:
        raise SourceError(f"cannot be read as iCalendar: {error}") from None
    lines = _lines(text)
    imported = Imported()
    components = [(calendar, component) for calendar in calendars for component in calendar.subcomponents
                  if component.name in COMPONENTS]
    # A changed occurrence of a recurring event (RECURRENCE-ID) is told with its series, which is listed once.
    series = {str(component.get("UID")) for _, component in components
              if component.name == "VEVENT" and "RECURRENCE-ID" not in component and "UID" in component}
    counts: Counter[str] = Counter()
    zones: Counter[str] = Counter()
    slugs: set[str] = set()
    unnamed: list[str] = []
    md = make_markdown()
    for calendar in calendars:
        _calendar_values(calendar, imported.settings)
    for calendar, component in components:
        counts[component.name] += 1
        number = counts[component.name]
        line = lines.get((component.name, number))
        where = f"{how.name}:{line}" if line else how.name
        where += f": {component.name} {number}"
        uid = " ".join(str(component.get("UID", "")).split())
        if uid:
            where += f" (UID {uid if len(uid) <= 40 else uid[:39] + '…'})"
        if component.name != "VEVENT":
            summary = " ".join(str(component.get("SUMMARY", "")).split())
            imported.notes.append(Note(where, f"{component.name}{f' {summary!r}' if summary else ''} was not carried "
                                              "over: a timeline's events are a calendar's VEVENTs"))
            continue
        if "RECURRENCE-ID" in component and uid in series:
            imported.notes.append(Note(where, f"a changed occurrence ({_moment(component['RECURRENCE-ID'].dt)}) of a "
                                              "recurring event was not carried over: the series is listed once"))
            continue
        draft = _event(component, where, imported.notes, zones)
        if draft is None:
            continue
        if uid and is_valid_slug(uid) and len(uid) <= 60 and uid not in slugs:
            draft.fields["slug"] = uid
            slugs.add(uid)
        elif uid:
            unnamed.append(uid)
        imported.drafts.append(draft)
    if unnamed:
        imported.notes.append(Note(how.name, f"{len(unnamed)} UID{'s are' if len(unnamed) > 1 else ' is'} not a URL "
                                             f"name (such as {unnamed[0][:40]}): those events' URL names come from "
                                             "their titles"))
    _timezone(imported.settings, zones)
    drafts = []
    for draft in imported.drafts:  # a safety net: every check above is the build's
        if errors := problems(draft, imported.settings, md):
            imported.notes.append(Note(draft.where, f"left out, as build would refuse it: {'; '.join(errors)}"))
        else:
            drafts.append(draft)
    imported.drafts[:] = drafts
    if sum(1 for draft in drafts if not draft.fields.get("sources")) * 2 > len(drafts):
        imported.settings["sources"] = "optional"  # a calendar rarely cites: no warning for each event
    return imported


def _lines(text: str) -> dict[tuple[str, int], int]:
    """Return the line each component begins on, by its name and number (VEVENT 3): the library gives none."""
    found: dict[tuple[str, int], int] = {}
    counts: Counter[str] = Counter()
    for number, line in enumerate(re.split(r"\r\n|\r|\n", text), start=1):
        begin = re.fullmatch(r"BEGIN:(\w+)\s*", line, re.I)
        if begin and begin.group(1).upper() in COMPONENTS:
            name = begin.group(1).upper()
            counts[name] += 1
            found[(name, counts[name])] = number
    return found


def _calendar_values(calendar, settings: dict[str, Any]) -> None:
    """Take the timeline's title, description and zone from a calendar's X-WR- (or RFC 7986) properties."""
    for key, names in (("title", ("X-WR-CALNAME", "NAME")), ("description", ("X-WR-CALDESC", "DESCRIPTION"))):
        value = next((" ".join(_text(calendar[name]).split()) for name in names if calendar.get(name)), "")
        if value and key not in settings:
            settings[key] = value
    zone = str(calendar.get("X-WR-TIMEZONE", "")).strip()
    if zone and "timezone" not in settings and _zone(zone):
        settings["timezone"] = _zone(zone)


def _text(value) -> str:
    """Return a property's text with its escapes read (RFC 5545, 3.3.11): the library reads them only in the
    properties it knows, not in X-WR- ones."""
    from icalendar import vText

    if isinstance(value, vText):
        return str(value)
    return re.sub(r"\\([\\;,nN])", lambda escape: "\n" if escape.group(1) in "nN" else escape.group(1), str(value))


def _zone(name: str) -> str | None:
    """Return the IANA name of a zone a calendar names (Outlook writes Windows' names), or None."""
    from icalendar.timezone.windows_to_olson import WINDOWS_TO_OLSON

    name = WINDOWS_TO_OLSON.get(name, name)
    try:
        ZoneInfo(name)
    except (ZoneInfoNotFoundError, ValueError):
        return None
    return name


def _timezone(settings: dict[str, Any], zones: Counter[str]) -> None:
    """Without X-WR-TIMEZONE, the timeline's zone is the one most events are timed in."""
    if "timezone" not in settings and zones:
        settings["timezone"] = zones.most_common(1)[0][0]


def _event(event, where: str, notes: list[Note], zones: Counter[str]) -> Draft | None:
    """Return one VEVENT as a Draft, or None (with a Note) when it cannot be an event."""
    def note(message: str) -> None:
        notes.append(Note(where, message))

    broken = dict(getattr(event, "errors", []))
    if "DTSTART" in broken or "DTSTART" not in event:
        note(f"left out: its DTSTART {'cannot be read: ' + broken['DTSTART'] if 'DTSTART' in broken else 'is missing'}"
             " — a timeline's event needs a date")
        return None
    for name, message in broken.items():
        note(f"{name} cannot be read ({message}): it was not carried over")
    start = event["DTSTART"].dt
    _known_zone(event["DTSTART"], start, zones, note)
    fields: dict[str, Any] = {}
    body = str(event.get("DESCRIPTION", "")).replace("\r\n", "\n").strip()
    if not body and event.get("X-ALT-DESC"):  # Outlook's HTML description: HTML is Markdown too
        body = str(event["X-ALT-DESC"]).strip()
    title = " ".join(str(event.get("SUMMARY", "")).split())
    if not title:
        words = re.sub(r"<[^>]+>", " ", body).split()
        if not words:
            note("left out: it has neither a SUMMARY nor a DESCRIPTION to name it by")
            return None
        title = " ".join(words[:10]) + (" …" if len(words) > 10 else "")
        note(f"no SUMMARY: the title is the description's first words, '{title}' — write one")
    fields["title"] = title
    fields["date"] = _moment(start)
    end = _end(event, start, note)
    if end:
        fields["end"] = end
    if location := " ".join(str(event.get("LOCATION", "")).split()):
        fields["location"] = location
    if tags := _categories(event):
        fields["tags"] = tags
    if url := str(event.get("URL", "")).strip():
        if re.match(r"https?://", url, re.I):
            fields["sources"] = [url]
        else:
            note(f"URL {url} was not carried over: a source is an http(s) link")
    if media := _attachments(event, title, note):
        fields["media"] = media
    _tell_the_rest(event, note)
    if str(event.get("STATUS", "")).upper() == "CANCELLED":
        fields["draft"] = True
        note("cancelled (STATUS:CANCELLED): written as a draft (draft: true), left out of the site — delete the "
             "file, or the draft line to show it")
    return Draft(where, fields, body)


def _moment(value: date | datetime) -> str:
    """Return a DTSTART's value as Chronicle reads it: a day, a UTC time (Z), a time with its offset, or a
    floating time (none: the timeline's zone)."""
    if not isinstance(value, datetime):
        return value.isoformat()
    text = value.strftime("%Y-%m-%dT%H:%M" + (":%S" if value.second else ""))
    offset = value.utcoffset()
    if offset is None:
        return text
    if not offset and str(value.tzinfo) in ("UTC", "tzutc()", "Etc/UTC", "Z"):
        return text + "Z"
    minutes = int(offset.total_seconds()) // 60
    sign = "-" if minutes < 0 else "+"
    return f"{text}{sign}{abs(minutes) // 60:02d}:{abs(minutes) % 60:02d}"


def _known_zone(prop, value: date | datetime, zones: Counter[str], note) -> None:
    """Count a TZID the timeline may take as its zone; note one the library could not find."""
    tzid = prop.params.get("TZID")
    if not tzid or not isinstance(value, datetime):
        return
    if value.tzinfo is None:
        note(f"time zone '{tzid}' is not known and has no VTIMEZONE: its times are read in the timeline's zone")
    elif name := _zone(str(tzid)):
        zones[name] += 1


def _end(event, start: date | datetime, note) -> str | None:
    """Return the end of an event as Chronicle reads it, or None when it ends as it starts (a day, an instant)."""
    if "DTEND" in event:
        end = event["DTEND"].dt
    elif "DURATION" in event and isinstance(event["DURATION"].dt, timedelta):
        end = start + event["DURATION"].dt
    else:
        return None
    if isinstance(start, datetime) != isinstance(end, datetime):  # a day with a timed end, or the reverse
        end = end.date() if isinstance(end, datetime) else datetime.combine(end, datetime.min.time(), start.tzinfo)
    if not isinstance(start, datetime):
        last = end - timedelta(days=1)  # iCalendar's DTEND of a day is exclusive: the day after the last
        if last <= start:
            if last < start:
                note(f"its end ({end.isoformat()}) is not after its start: the event is the one day")
            return None
        return last.isoformat()
    if (end.tzinfo is None) != (start.tzinfo is None):
        note("its end and start are not both floating or both in a zone: the end was left out")
        return None
    if end <= start:
        if end < start:
            note(f"its end ({_moment(end)}) is before its start: the end was left out")
        return None
    return _moment(end)


def _categories(event) -> list[str]:
    values = event.get("CATEGORIES")
    tags: list[str] = []
    for value in values if isinstance(values, list) else [values] if values is not None else []:
        for tag in getattr(value, "cats", [value]):
            tag = " ".join(str(tag).split())
            if tag and tag not in tags:
                tags.append(tag)
    return tags


def _attachments(event, title: str, note) -> list[dict[str, str]]:
    """Return the media of an event: each ATTACH that is an http(s) link (a file inside the calendar is noted)."""
    values = event.get("ATTACH")
    items = []
    for value in values if isinstance(values, list) else [values] if values is not None else []:
        params = value.params
        src = str(value).strip()
        if params.get("VALUE", "").upper() == "BINARY" or not re.match(r"https?://", src, re.I):
            name = params.get("FILENAME") or params.get("X-FILENAME") or "a file"
            note(f"attachment {name} was not carried over: only a link (https://…) can be — put the file beside the "
                 "entry in content/ and name it in media:")
            continue
        item = {"src": src}
        suffix = PurePosixPath(urlsplit(src).path).suffix.lower()
        if str(params.get("FMTTYPE", "")).lower().startswith("image/") and not MIME.get(suffix, "").startswith("image/"):
            item["type"] = "image"  # the link does not say it is a picture; the calendar does
        if item.get("type") == "image" or (MIME.get(suffix, "").startswith("image/") and provider_of(src) is None):
            item["alt"] = title
            note(f"the picture {src}'s alt text is the event's title — write what it shows in alt:")
        if name := params.get("FILENAME") or params.get("X-FILENAME"):
            item["caption"] = " ".join(str(name).split())
        items.append(item)
    return items


def _tell_the_rest(event, note) -> None:
    """Note what an event says that the entry does not: recurrence, privacy, tentativeness, people."""
    if "RRULE" in event or "RDATE" in event:
        rules = event.get("RRULE")
        rule = "; ".join(r.to_ical().decode() for r in (rules if isinstance(rules, list) else [rules])) if rules \
            else "RDATE"
        note(f"recurs ({rule}): only its first occurrence was carried over — Chronicle has no recurrence")
    privacy = str(event.get("CLASS", "")).upper()
    if privacy in ("PRIVATE", "CONFIDENTIAL"):
        note(f"was {privacy} in the calendar: it will be public on the site — check it before publishing")
    if str(event.get("STATUS", "")).upper() == "TENTATIVE":
        note("was TENTATIVE in the calendar: the entry does not say so")
    left = [name for name in UNCARRIED if name in event]
    if left:
        counts = {name: len(event[name]) if isinstance(event[name], list) else 1 for name in left}
        shown = ", ".join(f"{name}{f' ×{count}' if count > 1 else ''}" for name, count in counts.items())
        note(f"{shown} {'was' if len(left) == 1 and counts[left[0]] == 1 else 'were'} not carried over")
