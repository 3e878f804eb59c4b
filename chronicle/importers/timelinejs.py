"""Import: TimelineJS 3 — its JSON, or its Google Sheet template saved as CSV — as Drafts.

The JSON format (https://timeline.knightlab.com/docs/json-format.html): `events` (slides), an
optional `title` slide, `eras` and `scale`. A slide has `start_date` and `end_date` (year, month,
day, hour, minute, second, millisecond, display_date), `text` (headline, text: HTML), `media` (url,
caption, credit, alt, title, thumbnail, link, link_target), `group`, `display_date`, `background`,
`autolink` and `unique_id`. The sheet has one row a slide, its columns named as TimelineJS's
template names them (Year … Background), `Type` saying `title` or `era` for those rows.

What is carried over, and how (README.md, Moving to Chronicle):
- dates at the precision given, written as Chronicle reads them (a minus sign: BCE; from 100,000
  years before AD 1 the minus form, shown in years ago); each checked with parse_when;
- headlines as plain text; text as Markdown when it is plain text or only paragraphs, links,
  emphasis and strong, else as the author's HTML (Markdown's own characters in its text written as
  character references, so that it reads the same whether Markdown reads it or not);
- the one media item, with an alt text taken from its alt, title, caption or headline, in that order;
- group as the one tag, unique_id as slug, eras as `eras:`, the title slide as title and intro.
Everything else (backgrounds, thumbnails, a display_date unlike Chronicle's own date) is a Note.
"""

from __future__ import annotations

import csv
import html
import json
import re
from html.parser import HTMLParser
from pathlib import Path
from typing import Any
from zoneinfo import ZoneInfo

from ..dates import DEEP, LAST_YEAR, MONTHS, DateError, format_span, parse_when
from ..media import MIME, provider_of
from ..model import is_valid_slug, slugify
from . import Draft, How, Imported, Note, SourceError, keep_order

UTC = ZoneInfo("UTC")  # the dates are only checked here: wall clock, read again in the timeline's zone

SLIDE_KEYS = {"start_date", "end_date", "text", "media", "group", "display_date", "background", "autolink",
              "unique_id", "location"}
DATE_KEYS = ("year", "month", "day", "hour", "minute", "second", "millisecond", "display_date", "format")
MEDIA_KEYS = {"url", "caption", "credit", "alt", "title", "thumbnail", "link", "link_target"}
# The template's columns (TimelineJS's ConfigFactory reads them so; Alt Text and Tag are read too).
COLUMNS = ("Year", "Month", "Day", "Time", "End Year", "End Month", "End Day", "End Time", "Display Date",
           "Headline", "Text", "Media", "Media Credit", "Media Caption", "Media Thumbnail", "Type", "Group",
           "Background", "Alt Text", "Tag", "Start Date", "End Date")


def read(path: Path, text: str, how: How) -> Imported:
    """Read a TimelineJS JSON file or a TimelineJS sheet saved as CSV (told apart by the text)."""
    if text.lstrip().startswith(("{", "[")):
        return _Reader(how.name).timeline(_json(text))
    return _Reader(how.name).sheet(text)


def _json(text: str) -> dict:
    try:
        data = json.loads(text)
    except json.JSONDecodeError as error:
        before = text[:error.pos].rstrip()
        hint = (" — a comma after the last item (JSON allows none there; JavaScript does): delete it"
                if before.endswith(",") and text[error.pos:error.pos + 1] in "]}" else "")
        raise SourceError(f"line {error.lineno} column {error.colno}: not JSON: {error.msg}{hint}") from None
    if isinstance(data, dict) and isinstance(data.get("timeline"), dict) and "date" in data["timeline"]:
        raise SourceError("a TimelineJS 2 file ('timeline' with 'date'): open it in TimelineJS 3's tools "
                          "or save its sheet as CSV, then import that")
    if not isinstance(data, dict) or not isinstance(data.get("events", []), list):
        raise SourceError("not a TimelineJS timeline: its JSON must be an object with a list of `events`")
    return data


# --- HTML as TimelineJS gives it ------------------------------------------------------------------------


_BLOCK = {"address", "article", "aside", "blockquote", "details", "div", "dl", "fieldset", "figcaption",
          "figure", "footer", "form", "h1", "h2", "h3", "h4", "h5", "h6", "header", "hr", "li", "main", "nav",
          "ol", "p", "pre", "section", "table", "tr", "ul", "br"}
_VOID = {"br", "hr", "img", "input", "meta", "link", "source", "wbr", "area", "col", "embed", "param", "track"}


class _Text(HTMLParser):
    """The plain text of some HTML: tags dropped, entities read, blocks and breaks as spaces."""

    def __init__(self) -> None:
        super().__init__(convert_charrefs=True)
        self.parts: list[str] = []
        self.tags: list[str] = []

    def handle_starttag(self, tag, attrs):
        self.tags.append(tag)
        if tag in _BLOCK:
            self.parts.append(" ")

    def handle_endtag(self, tag):
        if tag in _BLOCK:
            self.parts.append(" ")

    def handle_data(self, data):
        self.parts.append(data)


def plain(value: object) -> str:
    """Return the plain text of TimelineJS's HTML, on one line."""
    parser = _Text()
    parser.feed(str(value or ""))
    parser.close()
    return " ".join("".join(parser.parts).split())


def html_tags(value: object) -> list[str]:
    parser = _Text()
    parser.feed(str(value or ""))
    parser.close()
    return parser.tags


_TOKEN = re.compile(r"<!--.*?-->|<[a-zA-Z/!][^>]*>", re.DOTALL)
# Characters Markdown acts on, as character references: the same text whether it is read or not.
_MARKDOWN_CHARS = {"\\": "&#92;", "`": "&#96;", "*": "&#42;", "_": "&#95;", "[": "&#91;", "]": "&#93;",
                   "{": "&#123;"}
_LINE_START = re.compile(r"^(\s*)([#>+=-]|\d+[.)])", re.MULTILINE)


def _protect(text: str) -> str:
    """Return a text node of HTML with Markdown's characters as character references."""
    text = "".join(_MARKDOWN_CHARS.get(c, c) for c in text)
    return _LINE_START.sub(lambda m: m.group(1) + "".join(f"&#{ord(c)};" for c in m.group(2)), text)


def kept_html(value: str) -> str:
    """Return the author's HTML as a Markdown body that renders it as written: each top-level block on a
    paragraph of its own, Markdown's characters in the text as character references."""
    if re.search(r"<(pre|code|textarea|script|style)\b", value, re.IGNORECASE):
        return value.strip()  # text whose spaces and characters matter: as it is
    out: list[str] = []
    depth = 0
    position = 0
    for match in _TOKEN.finditer(value):
        out.append(_protect(" ".join(value[position:match.start()].split("\n"))))
        tag = match.group(0)
        out.append(tag)
        name = re.match(r"</?([a-zA-Z0-9]+)", tag)
        if name and name.group(1).lower() in _BLOCK - {"br"}:
            if tag.startswith("</"):
                depth = max(depth - 1, 0)
                if depth == 0:
                    out.append("\n\n")
            elif not tag.endswith("/>") and name.group(1).lower() not in _VOID:
                if depth == 0 and out[:-1] and not out[-2].endswith("\n\n"):
                    out.insert(len(out) - 1, "\n\n")
                depth += 1
        position = match.end()
    out.append(_protect(" ".join(value[position:].split("\n"))))
    paragraphs = ("".join(out)).split("\n\n")
    return "\n\n".join(part.strip() for part in paragraphs if part.strip())


_ESCAPE = re.compile(r"([\\`*_\[\]{}<])")


def _markdown_text(text: str) -> str:
    text = _ESCAPE.sub(lambda m: "&lt;" if m.group(1) == "<" else "\\" + m.group(1), text)
    text = re.sub(r"&(?=#?\w+;)", "&amp;", text)
    return re.sub(r"^([#>+=-]|\d+(?=[.)]))", r"\\\1", text)


class _Markdown(HTMLParser):
    """HTML of paragraphs, links, emphasis and strong as Markdown; `failed` for anything else."""

    def __init__(self) -> None:
        super().__init__(convert_charrefs=True)
        self.paragraphs: list[list[str]] = [[]]
        self.open: list[str] = []
        self.starts: list[int] = []  # where each open element's text begins in its paragraph
        self.failed = False

    def handle_starttag(self, tag, attrs):
        attrs = dict(attrs)
        if tag == "p" and not attrs and not self.open:
            self._break()
        elif tag in ("em", "i", "strong", "b") and not attrs:
            self.paragraphs[-1].append("*" if tag in ("em", "i") else "**")
        elif tag == "a" and set(attrs) == {"href"} and re.match(r"^(https?://|mailto:)[^\s()<>]*$",
                                                               attrs["href"] or ""):
            self.paragraphs[-1].append("[")
            self.href = attrs["href"]
        else:
            self.failed = True
            return
        self.open.append(tag)
        self.starts.append(len(self.paragraphs[-1]))

    def handle_endtag(self, tag):
        if not self.open or self.open[-1] != tag:
            self.failed = True
            return
        self.open.pop()
        inside = "".join(self.paragraphs[-1][self.starts.pop():])
        # Emphasis or a link whose text begins or ends with a space is not one in Markdown: HTML then.
        if tag != "p" and (not inside.strip() or inside != inside.strip()):
            self.failed = True
        if tag == "p":
            self._break()
        elif tag == "a":
            self.paragraphs[-1].append(f"]({self.href})")
        else:
            self.paragraphs[-1].append("*" if tag in ("em", "i") else "**")

    def handle_data(self, data):
        self.paragraphs[-1].append(_markdown_text(data))

    def _break(self):
        if self.paragraphs[-1]:
            self.paragraphs.append([])

    def result(self) -> str | None:
        if self.failed or self.open:
            return None
        made = []
        for words in self.paragraphs:
            text = " ".join("".join(words).split())
            if text:
                made.append(text)
        return "\n\n".join(made)


def body(value: object) -> str:
    """Return TimelineJS's text (HTML) as a Markdown body: Markdown when it is plain text or only
    paragraphs, links, emphasis and strong; else the author's HTML, kept."""
    text = str(value or "").strip()
    if not text:
        return ""
    parser = _Markdown()
    try:
        parser.feed(text)
        parser.close()
    except (AssertionError, ValueError):
        parser.failed = True
    made = parser.result()
    return made if made is not None else kept_html(text)


def inline(value: object) -> str:
    """Return a caption or credit (HTML) as one line of Markdown that renders it as written."""
    return " ".join(kept_html(str(value or "")).split())


# --- dates --------------------------------------------------------------------------------------------


class _BadDate(Exception):
    """A date that cannot be carried over at all."""


def _number(value: object, name: str) -> int | None:
    if value is None or (isinstance(value, str) and not value.strip()):
        return None
    if isinstance(value, bool):
        raise _BadDate(f"{name} {value!r} is not a number")
    if isinstance(value, float) and value.is_integer():
        return int(value)
    text = re.sub(r"[\s,]+", "", str(value))
    if not re.fullmatch(r"[+-]?\d+", text):
        raise _BadDate(f"{name} '{value}' is not a whole number")
    return int(text)


def date_text(date: object, what: str, notes: list[str]) -> str:
    """Return a TimelineJS date as the text Chronicle reads, at its precision;
    what was changed on the way is added to notes (in words), one that cannot be read raises _BadDate."""
    if not isinstance(date, dict):
        raise _BadDate(f"{what} is not a date (year, month, day …)")
    parts = {key: _number(date.get(key), f"{what} {key}") for key in DATE_KEYS[:7]}
    year = parts["year"]
    if year is None:
        raise _BadDate(f"{what} has no year")
    finest = next((key for key in ("second", "minute", "hour", "day", "month") if parts[key] is not None), "year")
    # TimelineJS reads a missing part above the finest given as its first (January, the 1st, 00 minutes).
    order = ("month", "day", "hour", "minute")
    if finest != "year":
        for key in order[:order.index(finest) + 1] if finest in order else order:
            if parts[key] is None:
                parts[key] = 1 if key in ("month", "day") else 0
                if key in ("month", "day"):
                    notes.append(f"{what} has no {key}: read as TimelineJS reads it, {key} 1")
    if parts["millisecond"]:
        notes.append(f"{what}: the milliseconds ({parts['millisecond']}) are not kept")
    if year == 0:
        notes.append(f"{what}: year 0 is written 1 BCE (Chronicle counts no year 0)")
        year = -1
    if year > LAST_YEAR:
        raise _BadDate(f"{what}: year {year} is after {LAST_YEAR}, the last year Chronicle takes")
    month, day, hour, minute, second = (parts[k] for k in ("month", "day", "hour", "minute", "second"))
    if month is not None and not 1 <= month <= 12:
        notes.append(f"{what}: month {month} is not a month; kept to the year")
        month = day = hour = None
    if hour is not None and (not 0 <= hour <= 23 or not 0 <= (minute or 0) <= 59 or not 0 <= (second or 0) <= 59):
        notes.append(f"{what}: {hour}:{minute or 0:02d} is not a time; kept to the day")
        hour = None
    if year < 0 and hour is not None:
        notes.append(f"{what}: the time of day is not kept: Chronicle keeps times from AD 1 on")
        hour = None
    text = _written(year, month, day, hour, minute, second)
    try:
        parse_when(text, zone=UTC)
    except DateError as error:
        if day is None:
            raise _BadDate(f"{what}: {error}") from None
        notes.append(f"{what}: {error}; kept to the month")
        text = _written(year, month, None, None, None, None)
        parse_when(text, zone=UTC)
    return text


def _written(year: int, month: int | None, day: int | None, hour: int | None, minute: int | None,
             second: int | None) -> str:
    if year < 0:
        if -year >= DEEP:
            return str(year)  # deep time: its digits say its precision (README, Dates)
        parts = [str(day)] if day is not None and month is not None else []
        if month is not None:
            parts.append(MONTHS[month - 1])
        return " ".join(parts + [f"{-year} BCE"])
    text = f"{year:04d}" if month is not None else str(year)
    if month is not None:
        text += f"-{month:02d}"
        if day is not None:
            text += f"-{day:02d}"
            if hour is not None:
                text += f"T{hour:02d}:{minute or 0:02d}" + (f":{second:02d}" if second else "")
    return text


def _time(value: str) -> dict[str, int]:
    """Return a sheet's Time as hour, minute, second (14:30, 2:30 PM, 1430, 14.30.05), as TimelineJS reads it."""
    text = value.strip()
    period = re.search(r"\s*([AaPp])\.?[Mm]\.?\s*$", text)
    if period:
        text = text[:period.start()].strip()
    match = re.fullmatch(r"(\d{1,2})(\d{2})", text)
    parts = list(match.groups()) if match else re.split(r"[:.]", text)
    if not 1 <= len(parts) <= 3 or not all(p.strip().isdigit() for p in parts):
        raise _BadDate(f"time '{value}' is not a time such as 14:30 or 2:30 PM")
    hour = int(parts[0])
    if period and period.group(1).lower() == "p" and hour != 12:
        hour += 12
    elif period and period.group(1).lower() == "a" and hour == 12:
        hour = 0
    made = {"hour": hour, "minute": int(parts[1]) if len(parts) > 1 else 0}
    if len(parts) > 2:
        made["second"] = int(parts[2])
    return made


def _v1_date(value: str) -> dict[str, Any]:
    """Return a date of the first sheet template (Start Date, End Date) as TimelineJS reads it."""
    text = value.strip()
    match = re.fullmatch(r"([+-]?\d+?)(?:-(\d{2}))?(?:-(\d{2}))?", text)
    if match:
        return {"year": match.group(1), "month": match.group(2), "day": match.group(3)}
    match = re.fullmatch(r"(\d{4})-(\d{2})-(\d{2})[T ](\d{2}):(\d{2})(?::(\d{2}))?", text)
    if match:
        return dict(zip(("year", "month", "day", "hour", "minute", "second"), match.groups()))
    made: dict[str, Any] = {}
    rest = text
    if m := re.search(r"(\d+)/(\d+)/(\d+)", rest):
        made.update(month=m.group(1), day=m.group(2), year=m.group(3))
        rest = rest.replace(m.group(0), "").strip()
    elif m := re.search(r"(\d+)/(\d+)", rest):
        made.update(month=m.group(1), year=m.group(2))
        rest = rest.replace(m.group(0), "").strip()
    if rest:
        made.update(_time(rest))
    if "year" not in made:
        raise _BadDate(f"'{value}' is not a date TimelineJS reads (1850-03-14, 3/14/1850)")
    return made


# --- the timeline -------------------------------------------------------------------------------------


class _Reader:
    def __init__(self, name: str) -> None:
        self.name = name
        self.out = Imported()
        self.slugs: set[str] = set()

    def note(self, where: str, message: str) -> None:
        self.out.notes.append(Note(where, message))

    def timeline(self, data: dict) -> Imported:
        for key in sorted(set(data) - {"events", "title", "eras", "scale"}):
            self.note(self.name, f"'{key}' is not carried over (not part of TimelineJS's format)")
        if isinstance(data.get("title"), dict):
            self.title(data["title"], f"{self.name}: title")
        for index, era in enumerate(data.get("eras") or []):
            self.era(era, f"{self.name}: eras[{index}]")
        for index, slide in enumerate(data.get("events") or []):
            self.event(slide, f"{self.name}: events[{index}]")
        return self.finish()

    def sheet(self, text: str) -> Imported:
        rows = csv.reader(text.splitlines(keepends=True))
        try:
            header = next(rows)
        except StopIteration:
            raise SourceError("empty: no header row") from None
        except csv.Error as error:
            raise SourceError(f"line 1: not CSV: {error}") from None
        known = {name.casefold(): name for name in COLUMNS}
        columns = [known.get(" ".join(cell.split()).casefold()) for cell in header]
        if "Headline" not in columns or not ({"Year", "Start Date"} & set(columns)):
            raise SourceError("not a TimelineJS sheet: its first row must name the template's columns "
                              "(Year, Month, Day, Time, End Year … Headline, Text, Media …)")
        for cell, column in zip(header, columns):
            if column is None and cell.strip():
                self.note(f"{self.name}:1", f"column '{cell.strip()}' is not carried over (not a TimelineJS column)")
        line = rows.line_num + 1
        title_seen = False
        while True:
            try:
                cells = next(rows)
            except StopIteration:
                break
            except csv.Error as error:
                raise SourceError(f"line {line}: not CSV: {error}") from None
            where = f"{self.name}:{line}"
            line = rows.line_num + 1
            row = {column: cell.strip() for column, cell in zip(columns, cells) if column}
            if not any(row.values()):
                continue
            left_out: list[str] = []
            try:
                slide = _slide_of_row(row, left_out)
            except _BadDate as problem:
                self.note(where, f"not carried over: {problem}")
                continue
            for message in left_out:
                self.note(where, message)
            kind = row.get("Type", "").casefold()
            if kind == "title" and not title_seen:
                title_seen = True
                self.title(slide, where)
            elif kind == "era":
                self.era(slide, where)
            else:
                if kind == "title":
                    self.note(where, "a second title row is an event (as TimelineJS shows it)")
                elif kind:
                    self.note(where, f"Type '{row['Type']}' is not one TimelineJS knows (title, era): an event")
                self.event(slide, where)
        return self.finish()

    def finish(self) -> Imported:
        self.out.settings["sources"] = "optional"  # TimelineJS has no sources (README, Moving to Chronicle)
        keep_order(self.out.drafts)
        return self.out

    # --- the parts of a timeline ---

    def title(self, slide: dict, where: str) -> None:
        text = slide.get("text") if isinstance(slide.get("text"), dict) else {}
        headline = plain(text.get("headline"))
        if headline:
            self.out.settings["title"] = headline
        intro = body(text.get("text"))
        words = plain(text.get("text"))
        if intro and words and intro == _markdown_text(words) and len(words) <= 200:
            self.out.settings["description"] = words  # one short line: the description, not an intro too
        else:
            self.out.intro = intro
        media = slide.get("media")
        if isinstance(media, dict) and str(media.get("url") or "").strip():
            self.note(where, f"the title slide's media ({str(media['url']).strip()}) is not carried over: "
                             "the intro has no media — add it to an event, or to the intro as a link")
        self._background(slide, where)
        extra = set(slide) - SLIDE_KEYS - {"title"}
        for key in sorted(extra):
            self.note(where, f"'{key}' is not carried over")

    def era(self, era: dict, where: str) -> None:
        if not isinstance(era, dict):
            self.note(where, "not carried over: an era is an object with start_date, end_date and text")
            return
        text = era.get("text") if isinstance(era.get("text"), dict) else {}
        notes: list[str] = []
        try:
            start = date_text(era.get("start_date"), "start_date", notes)
            end = date_text(era.get("end_date"), "end_date", notes) if era.get("end_date") else None
        except _BadDate as problem:
            self.note(where, f"era not carried over: {problem}")
            return
        for message in notes:
            self.note(where, message)
        name = plain(text.get("headline")) or f"Era {len(self.out.settings.get('eras', [])) + 1}"
        if not plain(text.get("headline")):
            self.note(where, f"the era has no headline: named '{name}'")
        if end is None:
            self.note(where, "the era has no end_date: it ends where it starts")
            end = start
        if plain(text.get("text")):
            self.note(where, "the era's text is not carried over: an era has a name and dates")
        self.out.settings.setdefault("eras", []).append({"name": name, "start": start, "end": end})

    def event(self, slide: object, where: str) -> None:
        if not isinstance(slide, dict):
            self.note(where, "not carried over: a slide is an object with start_date and text")
            return
        notes: list[str] = []
        try:
            start = date_text(slide.get("start_date"), "start_date", notes)
        except _BadDate as problem:
            self.note(where, f"not carried over: {problem}")
            return
        fields: dict[str, Any] = {"title": "", "date": start}
        if slide.get("end_date"):
            try:
                end = date_text(slide["end_date"], "end_date", notes)
            except _BadDate as problem:
                notes.append(f"the end is not carried over: {problem}")
            else:
                if _before(end, start):
                    notes.append(f"end_date ({end}) is before start_date ({start}): the end is not carried over")
                elif end != start:
                    fields["end"] = end
        text = slide.get("text") if isinstance(slide.get("text"), dict) else {}
        headline = plain(text.get("headline"))
        if headline and set(html_tags(text.get("headline"))):
            notes.append("the headline's HTML is not kept: a title is plain text")
        if not headline:
            words = plain(text.get("text"))
            headline = _short(words) if words else format_span(parse_when(start, zone=UTC),
                                                              parse_when(fields["end"], zone=UTC)
                                                              if "end" in fields else None)
            notes.append(f"the slide has no headline: titled '{headline}', from its "
                         f"{'text' if words else 'date'}")
        fields["title"] = headline
        unique = str(slide.get("unique_id") or "").strip()
        if unique:
            slug = unique if is_valid_slug(unique) and unique == unique.lower() else slugify(unique)[:60].strip("-")
            if slug in self.slugs:
                notes.append(f"unique_id '{unique}' is used before: not kept as the slug")
            elif slug:
                if slug != unique:
                    notes.append(f"unique_id '{unique}' is not a Chronicle slug (lower-case letters, digits, "
                                 f"hyphens): slug {slug}")
                fields["slug"] = slug
                self.slugs.add(slug)
        location = slide.get("location")
        name = plain(location.get("name") if isinstance(location, dict) else location)
        if name:
            fields["location"] = name
        if isinstance(location, dict) and (location.get("lat") is not None or location.get("lon") is not None):
            notes.append("the location's map point (lat, lon) is not carried over: a location is its name")
        group = plain(slide.get("group"))
        if group:
            fields["tags"] = [group]
        made_body = body(text.get("text"))
        media = slide.get("media")
        if isinstance(media, dict) and str(media.get("url") or "").strip():
            item, before = self.media(media, headline, notes)
            if item:
                fields["media"] = [item]
            if before:
                made_body = before + ("\n\n" + made_body if made_body else "")
        elif isinstance(media, dict) and (plain(media.get("caption")) or plain(media.get("credit"))):
            notes.append("the media has a caption or credit but no url: not carried over")
        shown = str(slide.get("display_date") or "").strip() or _date_display(slide)
        if shown:
            own = format_span(parse_when(start, zone=UTC), parse_when(fields["end"], zone=UTC)
                              if "end" in fields else None)
            if plain(shown).casefold() != own.casefold():
                fields["display_date"] = plain(shown)
                notes.append(f"display_date '{plain(shown)}' is kept as display_date: for the theme; the page "
                             f"shows the date as Chronicle writes it ({own})")
        self._background(slide, where)
        for key in sorted(set(slide) - SLIDE_KEYS):
            if slide[key] not in (None, "", [], {}):
                notes.append(f"'{key}' ({str(slide[key])[:40]}) is not carried over")
        for message in notes:
            self.note(where, message)
        self.out.drafts.append(Draft(where, fields, made_body))

    def media(self, media: dict, headline: str, notes: list[str]) -> tuple[dict | None, str]:
        """Return the entry's media item, and any HTML that goes before the body instead (a blockquote)."""
        url = str(media.get("url") or "").strip()
        if url.startswith("<"):
            found = re.search(r"<iframe\b[^>]*\bsrc=[\"']([^\"']+)", url, re.IGNORECASE)
            if found and re.match(r"^(https?:)?//", found.group(1)):
                url = html.unescape(found.group(1))
                notes.append(f"the media is an embed's HTML: its address is kept ({url})")
            else:
                notes.append("the media is HTML (a quotation or an embed's code): placed before the text, "
                             "as the author's HTML")
                for key in ("caption", "credit"):
                    if plain(media.get(key)):
                        notes.append(f"the media {key} is not carried over: the media is now part of the text")
                return None, kept_html(url)
        if url.startswith("//"):
            url = "https:" + url
            notes.append(f"the media url has no scheme: written {url}")
        if " " in url:
            url = url.replace(" ", "%20")
            notes.append("the media url has spaces: written as %20")
        if not re.match(r"^https?://[^/]", url, re.IGNORECASE):
            kept = ", ".join(f"{key} '{inline(media[key])}'" for key in ("alt", "caption", "credit")
                             if plain(media.get(key)))
            notes.append(f"the media url '{url}' is not an http(s) link (a file on the site that showed the "
                         "timeline?): not carried over — put the file beside the entry and name it in media:"
                         + (f" with its {kept}" if kept else ""))
            return None, ""
        item: dict[str, Any] = {"src": url}
        suffix = re.sub(r"[?#].*$", "", url).rsplit("/", 1)[-1]
        suffix = "." + suffix.rsplit(".", 1)[-1].lower() if "." in suffix else ""
        picture = MIME.get(suffix, "").startswith("image/") and provider_of(url) is None
        alt = media.get("alt")
        title = plain(media.get("title"))
        if alt is not None and str(alt).strip():
            item["alt"] = plain(alt)
        elif picture:
            for name, value in (("title", title), ("caption", plain(media.get("caption"))), ("headline", headline)):
                if value:
                    item["alt"] = value
                    notes.append(f"the picture has no alt text: its {name} is its alt text — describe the "
                                 "picture in alt: for a reader who cannot see it")
                    break
        if title and item.get("alt") != title:
            notes.append(f"the media title ('{title}') is not carried over")
        if plain(media.get("caption")):
            item["caption"] = inline(media["caption"])
        if plain(media.get("credit")):
            item["credit"] = inline(media["credit"])
        link = str(media.get("link") or "").strip()
        if link:
            if re.match(r"^https?://[^/\s]+\S*$", link, re.IGNORECASE):
                item["link"] = link
            else:
                notes.append(f"the media link '{link}' is not an http(s) link: not carried over")
        if str(media.get("thumbnail") or "").strip():
            notes.append("the media thumbnail is not carried over: Chronicle makes its own of a picture in "
                         "content/, and shows a link's card")
        if str(media.get("link_target") or "").strip():
            notes.append("the media link_target is not carried over")
        for key in sorted(set(media) - MEDIA_KEYS):
            notes.append(f"the media's '{key}' is not carried over")
        return item, ""

    def _background(self, slide: dict, where: str) -> None:
        background = slide.get("background")
        if isinstance(background, dict) and (background.get("url") or background.get("color")):
            what = " and ".join(f"{key} {background[key]}" for key in ("color", "url") if background.get(key))
            self.note(where, f"the background ({what}) is not carried over: Chronicle's theme draws the page")


def _slide_of_row(row: dict[str, str], notes: list[str]) -> dict:
    """Return a sheet's row as the slide TimelineJS makes of it; what of it is left out, in notes."""
    def get(name: str) -> str:
        return row.get(name, "")

    slide: dict[str, Any] = {
        "text": {"headline": get("Headline"), "text": get("Text")},
        "media": {"url": get("Media"), "caption": get("Media Caption"), "credit": get("Media Credit"),
                  "thumbnail": get("Media Thumbnail"), "alt": get("Alt Text") or None},
        "display_date": get("Display Date"),
        "group": get("Group") or get("Tag"),
    }
    background = get("Background")
    if background:
        slide["background"] = {"url": background} if re.match(r"^(https?:)?//?", background) else {"color": background}
    if "Start Date" in row or "End Date" in row:
        if get("Start Date"):
            slide["start_date"] = _v1_date(get("Start Date"))
        if get("End Date"):
            slide["end_date"] = _v1_date(get("End Date"))
        return slide
    if get("Year"):
        slide["start_date"] = {"year": get("Year"), "month": get("Month"), "day": get("Day")}
    if get("End Year"):
        slide["end_date"] = {"year": get("End Year"), "month": get("End Month"), "day": get("End Day")}
    else:
        notes.extend(f"{column} '{get(column)}' is not carried over: it has no End Year"
                     for column in ("End Month", "End Day", "End Time") if get(column))
    if get("Time"):
        if "start_date" not in slide:
            raise _BadDate(f"Time '{get('Time')}' has no date")
        slide["start_date"].update(_time(get("Time")))
    if get("End Time") and "end_date" in slide:
        slide["end_date"].update(_time(get("End Time")))
    return slide


def _date_display(slide: dict) -> str:
    """Return the display_date of the slide's dates, joined as TimelineJS shows them, or ''."""
    shown = [str(slide[key].get("display_date") or "").strip() for key in ("start_date", "end_date")
             if isinstance(slide.get(key), dict)]
    return " – ".join(text for text in shown if text) if shown and shown[0] else ""


def _before(end: str, start: str) -> bool:
    """Tell whether an end's period is over before the start begins (Chronicle refuses such an end)."""
    first, last = parse_when(start, zone=UTC), parse_when(end, zone=UTC)
    if first.start is not None and last.start is not None:
        return last.period_end() <= first.start
    return last.end_days() <= first.days()


def _short(words: str) -> str:
    """Return the first words of a text as a title: its first sentence, or 12 words, with … when cut."""
    sentence = re.split(r"(?<=[.!?])\s", words, maxsplit=1)[0]
    cut = sentence.split()
    if len(cut) <= 12:
        return sentence.rstrip(".")
    return " ".join(cut[:12]) + " …"
