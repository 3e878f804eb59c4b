"""Markwhen (`chronicle import markwhen story.mw`): its header, sections and groups, and events → Drafts.

Read from Markwhen's documented grammar (docs.markwhen.com, Syntax); the dates are mw_dates.py's. A line is
an event when the text before one of its colons is a date range; the lines after it are its properties
(`id: x`, `location: y`) and then its description, up to the next event or section. Comments (`//`) are
left out, as Markwhen leaves them out.
"""

from __future__ import annotations

import re
import textwrap
from dataclasses import dataclass, field, replace
from datetime import datetime, timedelta, timezone, tzinfo
from pathlib import Path
from zoneinfo import ZoneInfo, ZoneInfoNotFoundError

import yaml

from ..model import slugify
from . import Draft, How, Imported, Note, SourceError, keep_order
from .mw_dates import (COARSE_TO_FINE, DateProblem, Point, Reader, Relative, TimeOnly, Written, add, aligned,
                       before, end_of, text_of)

PAGE_BREAK = "_-_-_break_-_-_"
COMMENT = re.compile(r"^\s*//")
SECTION = re.compile(r"^\s*(#{1,6})\s+(.*)$")
OLD_GROUP = re.compile(r"^\s*(group|section)\b([^:]*)$", re.I)  # Markwhen's older `group Name` … `endGroup`
OLD_END = re.compile(r"^\s*end\s*(group|section)\s*$", re.I)
TAG_COLOUR = re.compile(r"^\s*#(\w*):\s*(\S*)")
PROPERTY = re.compile(r"^\s*([\w\-.]+):(?:\s|$)")
TAG = re.compile(r"(?:^|\s)#(?!\d+(?:\s|$))(\w+)")
IMAGE = re.compile(r"!\[([^\]]*)\]\((\S+?)\)")
LOCATION = re.compile(r"\[([^\]]+)\]\((?:location|map)\)")
LINK = re.compile(r"(?<!!)\[([^\]]*)\]\((\S+?)\)")
BARE_URL = re.compile(r"(?<![(<\w])https?://[^\s)>\]]+")
EVENT_ID = re.compile(r"(?:(?<=\W)|^)!(\w+)")


@dataclass
class Event:
    """One event as read, before its dates are resolved."""

    line: int
    written: Written
    date_part: str  # the text before the colon, read again in the event's own zone when it has one
    first: str  # the text after the colon
    properties: dict = field(default_factory=dict)
    property_line: dict = field(default_factory=dict)
    description: list[str] = field(default_factory=list)
    sections: tuple[tuple[str, tuple[str, ...]], ...] = ()  # (name, tags) of each enclosing section
    zone: tzinfo | None = None


def read(path: Path, text: str, how: How) -> Imported:
    """Read a Markwhen document into Drafts, in the file's order, every problem said at its line."""
    return _Document(text, how).read()


def _zone(value: object) -> tuple[tzinfo, str] | None:
    """A Markwhen zone: an IANA name, or a whole-hour offset such as -6 (Etc/GMT+6 in IANA's reversed sign)."""
    text = str(value).strip()
    if re.fullmatch(r"[+-]?\d{1,2}", text):
        hours = int(text)
        return timezone(timedelta(hours=hours)), "UTC" if hours == 0 else f"Etc/GMT{-hours:+d}"
    try:
        return ZoneInfo(text), text
    except (ZoneInfoNotFoundError, ValueError):
        return None


class _Document:
    def __init__(self, text: str, how: How):
        self.how = how
        self.lines = text.replace("\r\n", "\n").replace("\r", "\n").split("\n")
        self.imported = Imported()
        self.errors: list[str] = []
        self.zone: tzinfo = timezone.utc
        self.reader = Reader(self.zone, False, how.now)
        # Markwhen's older `group Name` … `endGroup` (and section … endSection), read only where an end is
        # written, so that a description line starting "Section 3 …" stays text.
        self.old_groups = any(OLD_END.match(line) for line in self.lines)

    def where(self, line: int) -> str:
        return f"{self.how.name}:{line}"

    def note(self, line: int, message: str) -> None:
        self.imported.notes.append(Note(self.where(line), message))

    # Reading -----------------------------------------------------------------------------------------------

    def read(self) -> Imported:
        events: list[Event] = []
        for (start, end), first_page in self._pages():
            events += self._page(start, end, first_page)
        self._resolve(events)
        if self.errors:
            raise SourceError("\n".join(self.errors) if len(self.errors) == 1 else
                              f"{len(self.errors)} dates cannot be resolved:\n" + "\n".join(self.errors))
        self.imported.settings.setdefault("sources", "optional")  # Markwhen events seldom cite a source
        return self.imported

    def _pages(self):
        start = 0
        for i, line in enumerate(self.lines + [PAGE_BREAK]):
            if line.strip() == PAGE_BREAK:
                yield (start, i), start == 0
                start = i + 1

    def _event_start(self, line: str) -> tuple[Written, str, str] | None:
        """The date range and the text after it, when the line starts an event (its longest date wins, so
        `Aug 30 9:45am: …` is read at 9:45)."""
        colons = [m.start() for m in re.finditer(":", line)]
        for colon in reversed(colons):
            prefix = line[:colon]
            if not prefix.strip() or len(prefix) > 120:
                continue
            written = self.reader.written(prefix)
            if written is not None:
                return written, prefix, line[colon + 1:].strip()
        return None

    def _is_start(self, line: str) -> bool:
        """Whether a line ends the header: an event or a section."""
        if COMMENT.match(line):
            return False
        try:
            return bool(SECTION.match(line) and not TAG_COLOUR.match(line)) or \
                bool(self.old_groups and (OLD_GROUP.match(line) or OLD_END.match(line))) or \
                self._event_start(line) is not None
        except DateProblem:
            return True

    def _page(self, start: int, end: int, first_page: bool) -> list[Event]:
        i = self._header(start, end, first_page)
        events: list[Event] = []
        sections: list[tuple[int, str, tuple[str, ...], tzinfo | None]] = []  # level, name, tags, zone
        current: Event | None = None
        while i < end:
            line = self.lines[i]
            number = i + 1
            i += 1
            if COMMENT.match(line):
                continue
            if OLD_END.match(line):
                if sections:
                    sections.pop()
                current = None
                continue
            section = SECTION.match(line)
            old = OLD_GROUP.match(line) if self.old_groups and not section else None
            if (section and not TAG_COLOUR.match(line)) or old:
                level = len(section.group(1)) if section else 7 + len(sections)
                title = section.group(2) if section else old.group(2)
                while section and sections and sections[-1][0] >= level:
                    sections.pop()
                tags = tuple(dict.fromkeys(TAG.findall(title)))
                name = " ".join(TAG.sub(" ", title).split())
                if len(name) > 1 and name[0] == name[-1] and name[0] in "\"'":  # group "Market research"
                    name = name[1:-1].strip()
                properties, i = self._properties(i, end)
                zone = None
                if "timezone" in properties or "tz" in properties:
                    zone = self._event_zone(properties.get("timezone", properties.get("tz")), number)
                for key in properties:
                    if key not in ("timezone", "tz", "style"):
                        self.note(number, f"the section's property {key} was not carried over")
                sections.append((level, name, tags, zone))
                current = None
                continue
            if TAG_COLOUR.match(line) and not current:
                self.note(number, "tag colours are not carried over (a theme colours tags)")
                continue
            try:
                started = self._event_start(line) if ":" in line else None
            except DateProblem as problem:
                self.errors.append(f"{self.where(number)}: {problem}")
                current = None
                continue
            if started:
                written, date_part, rest = started
                zone = next((s[3] for s in reversed(sections) if s[3]), None)
                current = Event(number, written, date_part, rest, sections=tuple((s[1], s[2]) for s in sections), zone=zone)
                current.properties, i = self._properties(i, end, current)
                events.append(current)
                continue
            if current is not None:
                current.description.append(line)
        return events

    def _properties(self, i: int, end: int, event: Event | None = None) -> tuple[dict, int]:
        """Read the `key: value` lines right after an event or section (YAML flow values)."""
        properties: dict = {}
        while i < end:
            line = self.lines[i]
            match = PROPERTY.match(line)
            if not match or COMMENT.match(line) or self._is_start(line):
                break
            try:
                value = yaml.safe_load(line.strip().split(":", 1)[1]) if line.strip().split(":", 1)[1].strip() else ""
            except yaml.YAMLError:
                value = line.split(":", 1)[1].strip()
            properties[match.group(1)] = value
            if event is not None:
                event.property_line[match.group(1)] = i + 1
            i += 1
        return properties, i

    def _header(self, start: int, end: int, first_page: bool) -> int:
        """Read the header (everything before the first event or section; `---` fences optional) into the
        timeline's settings; return the index of the line after it."""
        i, fenced, lines = start, False, []
        while i < end:
            line = self.lines[i]
            if line.startswith("---"):
                if fenced:
                    i += 1
                    break
                if not any(part.strip() for part in lines):
                    fenced = True
                    i += 1
                    continue
            if not fenced and self._is_start(line):
                break
            lines.append((i + 1, line))
            i += 1
        text_lines = []
        for number, line in lines:
            if COMMENT.match(line):
                text_lines.append("")
                continue
            # `#Travel: blue` is a tag's colour, not a YAML comment (Markwhen's header, Tags)
            text_lines.append(re.sub(r"^(\s*)#(\w*):", r'\1"#\2":', line))
        try:
            header = yaml.safe_load("\n".join(text_lines)) or {}
        except yaml.YAMLError as error:
            mark = getattr(error, "problem_mark", None)
            line = lines[0][0] + mark.line if mark and lines else start + 1
            raise SourceError(f"line {line}: the header is not YAML Markwhen reads: {getattr(error, 'problem', error)}")
        if not isinstance(header, dict):
            header = {}
        key_line = {}
        for number, line in lines:
            if m := re.match(r'^"?(#?[\w.\-]+)"?:', re.sub(r"^(\s*)#(\w*):", r"\1#\2:", line)):
                key_line.setdefault(m.group(1), number)
        self._settings(header, key_line, first_page, start + 1)
        return i

    def _settings(self, header: dict, key_line: dict, first_page: bool, page_line: int) -> None:
        settings = self.imported.settings
        tag_colours = [key for key in header if str(key).startswith("#")]
        if tag_colours:
            self.note(key_line.get(tag_colours[0], page_line), "tag colours are not carried over "
                      f"({', '.join(tag_colours)}); a theme colours tags")
        for key, value in header.items():
            key = str(key)
            line = key_line.get(key, page_line)
            if key.startswith("#"):
                continue
            if not first_page:
                self.note(line, f"{key}: of a later page's header was not carried over")
                continue
            if key == "title" and value:
                settings["title"] = str(value)
            elif key == "description" and value:
                settings["description"] = str(value)
            elif key in ("timezone", "tz"):
                zone = _zone(value)
                if zone is None:
                    raise SourceError(f"line {line}: timezone: {value!r} is not a zone; write an IANA name such as "
                                      "Europe/London or an offset such as -5")
                self.zone, settings["timezone"] = zone
                self.reader.zone = self.zone
            elif key == "dateFormat":
                if str(value).strip() == "d/M/y":
                    self.reader.day_first = True
                    settings["date_order"] = "DMY"
                else:
                    self.note(line, f"dateFormat: {value!r} was not carried over: only d/M/y is read (the "
                                    "dates were read month first, Markwhen's default)")
            else:
                self.note(line, f"{key}: was not carried over (Chronicle has no such setting)")

    def _event_zone(self, value: object, line: int) -> tzinfo | None:
        if isinstance(value, dict):
            value = value.get("from")
        zone = _zone(value)
        if zone is None:
            self.errors.append(f"{self.where(line)}: timezone: {value!r} is not a zone; write an IANA name such as "
                               "Europe/London or an offset such as -5")
            return None
        return zone[0]

    # Resolving ---------------------------------------------------------------------------------------------

    def _resolve(self, events: list[Event]) -> None:
        ids: dict[str, tuple[datetime | None, datetime | None]] = {}
        prior: tuple[datetime | None, datetime | None] | None = None
        drafts: list[tuple[Event, dict, str]] = []
        slugs: set[str] = set()
        for event in events:
            zone = event.zone
            for key in ("timezone", "tz"):
                if key in event.properties:
                    zone = self._event_zone(event.properties[key], event.property_line.get(key, event.line)) or zone
            event_id = str(event.properties.get("id") or "") or _inline_id(event.first)
            try:
                start, end, span = self._dates(event, ids, prior, zone)
            except DateProblem as problem:
                self.errors.append(f"{self.where(event.line)}: {problem}")
                continue
            prior = span
            if event_id and event_id not in ids:
                ids[event_id] = span
            fields, body = self._fields(event, event_id, start, end, slugs)
            drafts.append((event, fields, body))
        self.imported.drafts.extend(Draft(self.where(event.line), fields, body) for event, fields, body in drafts)
        keep_order(self.imported.drafts)  # events of one date in the file's order

    def _dates(self, event: Event, ids: dict, prior, zone: tzinfo | None):
        """Return the event's date and end as Chronicle reads them, and its span as Markwhen counts it
        (the moment it starts, the moment just after it ends), for the events that count from it."""
        written = event.written
        if zone is not None:  # its own zone: its dates are read in it and written with their offset
            written = Reader(zone, self.reader.day_first, self.how.now).written(event.date_part) or written
            written = Written(*(replace(side, local=False) if isinstance(side, Point) else side
                                for side in (written.start, written.end)), written.recurrence, written.edtf)
        if written.recurrence:
            self.note(event.line, f"'{written.recurrence}' was not carried over: Chronicle has no recurrence, so the "
                                  "event is listed once, on its first date")
        now = self._now_point(zone)
        start_spec, end_spec = written.start, written.end

        def counted_from(moment: datetime | None) -> datetime:
            if moment is None:
                raise DateProblem("a date counted from a BCE year cannot be resolved; write its year")
            return moment

        def anchor(rel: Relative, default_edge: str, of_end: bool = False) -> datetime:
            if rel.ref and rel.ref not in ids:  # Markwhen's parser counts from what it would without the id
                instead = "this event's start" if of_end else "the event before it" if prior else "now"
                self.note(event.line, f"!{rel.ref} is not the id of an event before this one: counted from "
                                      f"{instead}, as Markwhen does")
                if of_end:
                    return counted_from(start_moment)
            if rel.ref in ids:
                span = ids[rel.ref]
            elif prior is not None:
                span = prior
            else:
                return now_moment()
            edge = rel.edge or default_edge
            return counted_from(span[0] if edge == "start" else span[1])

        def now_moment() -> datetime:
            if now is None:
                raise DateProblem("`now` (or a date counted from it) means the day the document is read; pass "
                                  "--now DATE (such as --now 2025-03-01) to say which day that is")
            return now.moment

        start_point: Point | None = None
        end_moment: datetime | None = None
        end_point: Point | None = None
        if isinstance(start_spec, Relative):
            before_it = start_spec.before
            dependent = anchor(start_spec, "start" if before_it else "end")
            if end_spec is None:
                if before_it:
                    end_moment = dependent
                    start_moment = add(dependent, start_spec.amounts, -1)
                else:
                    start_moment = dependent
                    end_moment = add(dependent, start_spec.amounts)
            elif before_it and isinstance(end_spec, Relative):
                end_moment = add(dependent, start_spec.amounts, -1)
                start_moment = add(end_moment, end_spec.amounts, -1)
            else:
                start_moment = add(dependent, start_spec.amounts, -1 if before_it else 1)
        elif isinstance(start_spec, Point):
            start_point = start_spec
            start_moment = start_spec.moment
        elif isinstance(start_spec, TimeOnly):
            base = prior[1] if prior is not None and prior[1] is not None else now_moment()
            start_moment = base.replace(hour=start_spec.hour, minute=start_spec.minute, second=0, microsecond=0)
            if start_moment < base:
                start_moment += timedelta(days=1)
        else:  # now
            start_point = now
            start_moment = now_moment()
        if start_moment is not None and start_point is None:
            start_moment = _in_zone(start_moment, zone)

        if end_moment is None and end_spec is not None:
            if isinstance(end_spec, Relative):
                if end_spec.ref or end_spec.edge:
                    base = anchor(end_spec, "start", of_end=True)  # its own edge, else the id's start
                else:
                    base = counted_from(start_moment)
                end_moment = add(base, end_spec.amounts)
            elif isinstance(end_spec, Point):
                end_point = end_spec
                end_moment = end_of(end_spec)
            elif isinstance(end_spec, TimeOnly):
                assert start_moment is not None
                end_moment = start_moment.replace(hour=end_spec.hour, minute=end_spec.minute, second=0, microsecond=0)
                if end_moment < start_moment:
                    end_moment += timedelta(days=1)
            else:
                end_point = now
                end_moment = end_of(now) if now else now_moment()
        if end_moment is None and start_point is not None:
            end_moment = end_of(start_point)
        if end_moment is None:  # a time alone is an instant (Markwhen: granularity "instant")
            end_moment = start_moment

        # Chronicle's date and end, at the precision written, or the coarsest that fits a counted one.
        if start_point is not None:
            date_text = text_of(start_point)
            finest = COARSE_TO_FINE[COARSE_TO_FINE.index(start_point.precision):] \
                if start_point.precision in COARSE_TO_FINE else ["day", "minute", "second"]
        else:
            assert start_moment is not None and end_moment is not None
            finest = [p for p in COARSE_TO_FINE if aligned(start_moment, p) and aligned(end_moment, p)]
            finest = finest or ["second"]
            date_text = text_of(Point(start_moment, finest[0], local=zone is None))
        if end_point is not None:
            end_text = text_of(end_point)
        elif end_moment is not None and start_moment is not None and end_moment > start_moment \
                and (start_point is None or end_moment != end_of(start_point) or start_point.precision == "week"):
            precision = next(p for p in finest + ["second"] if aligned(end_moment, p))
            end_text = text_of(Point(before(end_moment, precision), precision, local=zone is None))
        else:
            end_text = ""
        if end_text == date_text:
            end_text = ""
        return date_text, end_text, (start_moment, end_moment)

    def _now_point(self, zone: tzinfo | None) -> Point | None:
        if self.how.now is None:
            return None
        day = self.how.now
        return Point(datetime(day.year, day.month, day.day, tzinfo=zone or self.zone), "day")

    # The entry ---------------------------------------------------------------------------------------------

    def _fields(self, event: Event, event_id: str, date_text: str, end_text: str, slugs: set[str]):
        fields: dict = {}
        tags: list[str] = []
        for name, section_tags in event.sections:
            for tag in ((name,) if name else ()) + section_tags:
                if tag not in tags:
                    tags.append(tag)
        sources: list = []
        media: list = []
        locations: list[str] = []
        first = event.first
        if event_id and not event.properties.get("id"):
            first = re.sub(rf"(?:(?<=\W)|^)!{re.escape(event_id)}\b", "", first, count=1)
        description = textwrap.dedent("\n".join(event.description)).strip("\n")
        texts = []
        for n, text in enumerate([first, description]):
            text = LOCATION.sub(lambda m: locations.append(m.group(1)) or "", text)
            for alt, url in IMAGE.findall(text):
                media.append({"src": _with_scheme(url), "alt": alt})
            text = IMAGE.sub("", text)
            for tag in TAG.findall(text):
                if tag not in tags:
                    tags.append(tag)
            text = TAG.sub(lambda m: m.group(0)[0] if m.group(0)[0].isspace() else "", text)
            for label, url in LINK.findall(text):
                self._source(event, label, url, sources)
            for url in BARE_URL.findall(text):
                self._source(event, "", url, sources)
            text = "\n".join(line.rstrip() for line in text.split("\n"))
            if n == 0:  # the title: a link's text, without its address
                text = BARE_URL.sub("", LINK.sub(lambda m: m.group(1), text))
                text = " ".join(text.split())
            texts.append(text)
        title, body = texts
        if not title:
            lines = [line.strip() for line in body.splitlines() if line.strip()]
            title = LINK.sub(lambda m: m.group(1), lines[0]) if lines else ""
        if not title:
            title = "Untitled event"
            self.note(event.line, "the event has no text; written with the title 'Untitled event'")
        fields["title"] = title
        fields["date"] = date_text
        if end_text:
            fields["end"] = end_text
        for key in ("location", "locations"):
            value = event.properties.get(key)
            if isinstance(value, list):
                locations += [str(v) for v in value]
            elif value:
                locations.append(str(value))
        if locations:
            fields["location"] = "; ".join(locations)
        if tags:
            fields["tags"] = tags
        if sources:
            fields["sources"] = sources
        if media:
            fields["media"] = media
        if event_id:
            slug = slugify(event_id)
            if slug and slug not in slugs:
                slugs.add(slug)
                fields["slug"] = slug
            elif slug:
                self.note(event.line, f"!{event_id} is the id of an event before this one already: this event's "
                                      "URL name comes from its title")
        for key in event.properties:
            if key not in ("id", "location", "locations", "timezone", "tz"):
                self.note(event.property_line.get(key, event.line),
                          f"the property {key}: {event.properties[key]!r} was not carried over")
        return fields, body.strip()

    def _source(self, event: Event, label: str, url: str, sources: list) -> None:
        url = _with_scheme(url)
        if not url.startswith(("http://", "https://")):
            self.note(event.line, f"the link {url} was not made a source: only http:// and https:// links are")
            return
        if any((s.get("url") if isinstance(s, dict) else s) == url for s in sources):
            return
        sources.append({"url": url, "title": label} if label.strip() else url)


def _with_scheme(url: str) -> str:
    """Markwhen's own rule for a link without a scheme (`www.google.com` is http://www.google.com)."""
    if re.match(r"^[a-z][a-z0-9+.\-]*:", url, re.I) or url.startswith("/"):
        return url
    return f"http://{url}"


def _inline_id(first: str) -> str:
    match = EVENT_ID.search(first)
    return match.group(1) if match else ""


def _in_zone(moment: datetime, zone: tzinfo | None) -> datetime:
    return moment if zone is None else moment.astimezone(zone)
