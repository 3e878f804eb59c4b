"""Options (from the command line) and Settings (from content/_index.md)."""

from __future__ import annotations

import os
import re
from dataclasses import dataclass, field, replace
from pathlib import Path
from types import MappingProxyType
from typing import Any, Mapping
from zoneinfo import ZoneInfo, ZoneInfoNotFoundError, available_timezones

from .dates import CALENDARS, OPEN, DateError, When, format_when, parse_span
from .diagnostics import Report, did_you_mean
from .frontmatter import Fields, FrontMatterError, normalise, parse
from .model import Era, slugify

INDEX_NAME = "_index.md"
PAGE_EVENTS = 150  # events on one page before the timeline is split into period pages
FEED_EVENTS = 50  # the events a feed holds unless _index.md says feed_events
CACHE_DIR = ".chronicle-cache"  # the engine's cache, kept with the site: beside content/ (issue 21)


@dataclass(frozen=True)
class Options:
    """What the command line asked for; paths as given, resolved by the caller."""

    content: Path = Path("content")
    theme: Path | None = None  # None: ./theme if present, else the theme shipped with Chronicle
    output: Path = Path("output")
    drafts: bool = False
    base_url: str | None = None
    # Where the command runs, and SOURCE_DATE_EPOCH: read once by the command (cli), passed in here.
    cwd: Path = Path(".")
    source_date_epoch: str | None = None
    # How the engine works, not what it makes: left out of repr, which the engine keys the site by
    # (the same bytes whatever the cache's place or the number of processes).
    # --cache-dir, else CHRONICLE_CACHE_DIR (cli); None: .chronicle-cache/ beside the content folder.
    cache_dir: Path | None = field(default=None, repr=False)
    # CHRONICLE_WORKERS (cli): how many processes the engine may use; None: one per core.
    workers: int | None = field(default=None, repr=False)

    @property
    def cache(self) -> Path:
        """Return the cache folder: the one asked for, else .chronicle-cache/ in the site's folder."""
        return self.cache_dir if self.cache_dir is not None else site_folder(self.content, self.cwd) / CACHE_DIR


def site_folder(content: Path, cwd: Path) -> Path:
    """Return the folder that holds the content folder (the site's own folder, where Jekyll keeps
    .jekyll-cache), never where the command happens to run: content/ → ., ~/site/content → ~/site."""
    normal = Path(os.path.normpath(content))
    if normal.name in ("", ".", ".."):  # --content . or ..: name the folder, to take its parent
        normal = Path(os.path.normpath(cwd / normal))
    return normal.parent


@dataclass(frozen=True)
class Settings:
    """The timeline's own settings, from the front matter of content/_index.md."""

    title: str = "Timeline"
    description: str = ""
    base_url: str | None = None
    timezone: str = "UTC"
    year: int | None = None
    date_order: str | None = None  # "DMY" or "MDY"
    language: str = "en"
    sort: str = "oldest-first"
    # "expected": an event without sources is warned of; "optional": a timeline that is not a news
    # record (a history, a project's releases) says so once instead.
    sources: str = "expected"
    # "julian" or "gregorian": the calendar of every date before 15 October 1582 that names no other;
    # "" (unsaid): no weekday is shown or checked for such a date.
    calendar: str = ""
    # How many events a page holds before the timeline is split into period pages (periods.py).
    page_events: int = PAGE_EVENTS
    # How many of the most recent events feed.xml and each tag's feed hold (feeds.recent).
    feed_events: int = FEED_EVENTS
    # true: a Pagefind search index is built after the site, and the theme shows a search box (search.py).
    search: bool = False
    # Named spans drawn beside the events they span, listed in the overview, in timeline.json (read_eras).
    eras: tuple[Era, ...] = ()
    intro: str = ""  # the Markdown body of _index.md
    extra: Mapping[str, Any] = field(default_factory=lambda: MappingProxyType({}))

    @property
    def zone(self) -> ZoneInfo:
        return ZoneInfo(self.timezone)


SETTING_NAMES = ("title", "description", "base_url", "timezone", "year", "date_order", "language", "sort",
                 "sources", "calendar", "feed_events", "page_events", "search", "eras")


def read_settings(path: Path, text: str | None, report: Report) -> Settings:
    """Read the settings from the text of content/_index.md (None: the file is absent)."""
    if text is None:
        return Settings()
    try:
        document = parse(text)
    except FrontMatterError as error:
        report.error(path, error.line, error.message)
        return Settings()
    fields = document.fields
    for line, message in fields.problems:
        report.error(path, line, message)
    values: dict[str, Any] = {"intro": document.body.strip()}
    extra: dict[str, Any] = {}

    def bad(key: str, message: str) -> None:
        report.error(path, fields.line(key), message)

    for key, value in fields.values.items():
        if key not in SETTING_NAMES:
            guess = did_you_mean(key, SETTING_NAMES)
            if guess:
                report.warning(path, fields.line(key), f"unknown setting '{key}' — did you mean '{guess}'?")
            extra[key] = value
            continue
        if value is None or key == "eras":  # eras: read once the settings their dates need are known
            continue
        if key == "year":
            if isinstance(value, bool) or not isinstance(value, int) or not 1 <= value <= 9999:
                bad(key, f"year must be a year such as 2024, not {value!r}")
                continue
        elif key == "page_events":
            if isinstance(value, bool) or not isinstance(value, int) or value < 10:
                bad(key, f"page_events must be a whole number of events, 10 or more, such as {PAGE_EVENTS}, "
                         f"not {value!r}")
                continue
        elif key == "feed_events":
            if isinstance(value, bool) or not isinstance(value, int) or value < 1:
                bad(key, f"feed_events must be a whole number of events, 1 or more, such as {FEED_EVENTS}, "
                         f"not {value!r}")
                continue
        elif key == "search":
            if not isinstance(value, bool):
                bad(key, f"search must be true or false, not {fields.values[key]!r}")
                continue
        elif key == "timezone":
            value = str(value)
            try:
                ZoneInfo(value)
            except (ZoneInfoNotFoundError, ValueError):
                guess = did_you_mean(value, available_timezones())
                hint = f"did you mean '{guess}'?" if guess else "write an IANA name such as Europe/Kyiv or UTC"
                bad(key, f"unknown timezone '{value}' — {hint}")
                continue
        elif key == "date_order":
            value = str(value).upper()
            if value not in ("DMY", "MDY"):
                bad(key, f"date_order must be DMY or MDY, not '{fields.values[key]}'")
                continue
        elif key == "sources":
            value = str(value)
            if value not in ("expected", "optional"):
                bad(key, f"sources must be optional or expected, not '{value}' — write sources: optional for a "
                         "timeline whose events need no sources")
                continue
        elif key == "calendar":
            value = str(value).lower()
            if value not in ("julian", "gregorian"):
                bad(key, f"calendar must be julian or gregorian, not '{fields.values[key]}'")
                continue
        elif key == "sort":
            value = str(value)
            if value not in ("oldest-first", "newest-first"):
                bad(key, f"sort must be oldest-first or newest-first, not '{value}'")
                continue
        elif key == "base_url":
            value = str(value)
            if not value.lower().startswith(("http://", "https://")):
                bad(key, f"base_url must start with https:// or http://, not '{value}'")
                continue
            value = value.rstrip("/") + "/"
        else:
            value = fields.scalars.get(key, value) if not isinstance(value, str) else value
            if not isinstance(value, str):
                bad(key, f"{key} must be text; quote it")
                continue
        values[key] = value
    settings = Settings(**values, extra=MappingProxyType(extra))
    if fields.values.get("eras") is not None:
        settings = replace(settings, eras=read_eras(path, fields, normalise(text), document.end_line, settings,
                                                    report))
    return settings


# --- eras -------------------------------------------------------------------------------------------

ERA_FIELDS = ("name", "start", "end", "colour", "color", "calendar")
# Only a hex colour: it is written into a style attribute, where anything else could be more than a colour.
_HEX_COLOUR = re.compile(r"#(?:[0-9a-fA-F]{3}){1,2}")
_KEY_AT = re.compile(r"[ ]*(?:-[ ]+)*(?P<key>[^\s#'\"{}\[\],:-][^\s:#'\"{}\[\],]*)[ ]*:(?:[ ]|$)")


def _era_key_lines(fields: Fields, text: str, end_line: int) -> list[dict[str, int]]:
    """Return, for each written era, the line of each of its keys (block style; an era written on one
    line, `- {name: …, start: …}`, has only the line of the item, as a source does)."""
    lines = text.split("\n")
    items = fields.item_lines.get("eras", [])
    first = fields.lines.get("eras", 0)
    after = min((line for line in fields.lines.values() if line > first), default=end_line)
    found: list[dict[str, int]] = []
    for index, start in enumerate(items):
        stop = items[index + 1] if index + 1 < len(items) and items[index + 1] > start else after
        keys: dict[str, int] = {}
        for number in range(start, max(stop, start + 1)):
            match = _KEY_AT.match(lines[number - 1]) if number - 1 < len(lines) else None
            if match:
                keys.setdefault(match["key"], number)
        found.append(keys)
    return found


def read_eras(path: Path, fields: Fields, text: str, end_line: int, settings: Settings,
              report: Report) -> tuple[Era, ...]:
    """Read `eras:` of content/_index.md: a list of {name, start, end, colour}, dates read as events'
    are (with the settings' timezone, year, date_order and calendar); every problem reported at its line.

    Return the eras by start, each with a unique slug and the lane its band is drawn in."""
    from .entries import ONGOING  # entries reads Settings from this module: taken when eras are read

    written = fields.values["eras"]
    items = written if isinstance(written, list) else [written] if isinstance(written, dict) else None
    if items is None:
        report.error(path, fields.line("eras"), "eras must be a list, one era a line starting with '- ' — "
                     "write eras: [{name: Cold War, start: 1947, end: 1991}]")
        return ()
    key_lines = _era_key_lines(fields, text, end_line)
    zone = settings.zone
    found: list[Era] = []
    for index, item in enumerate(items):
        item_line = fields.line("eras", index)
        keys = key_lines[index] if index < len(key_lines) else {}

        def error(key: str | None, message: str) -> None:
            report.error(path, keys.get(key, item_line) if key else item_line, message)

        if not isinstance(item, dict):
            error(None, f"era {index + 1} must be fields such as name: Cold War, start: 1947 and end: 1991, "
                        f"not {item!r}")
            continue
        meant: dict[str, str] = {}  # a missing field -> the misspelling written in its place (`strat:`)
        for key in item:
            if key not in ERA_FIELDS:
                guess = did_you_mean(str(key), ERA_FIELDS)
                if guess in ("name", "start", "end") and guess not in item and guess not in meant:
                    meant[guess] = str(key)  # told once, as the field it leaves missing (missing)
                    continue
                hint = f"did you mean '{guess}'?" if guess else "an era has name, start, end and colour"
                report.warning(path, keys.get(str(key), item_line), f"unknown era field '{key}' — {hint}")

        def missing(key: str, label: str, hint: str) -> None:
            if key in meant:
                error(meant[key], f"unknown era field '{meant[key]}' — did you mean '{key}'? As written, {label} "
                                  f"has no {key}")
            else:
                error(key if key in item else None, f"{label} has no {key} — {hint}")

        errors = len(report.errors)
        written_name = item.get("name")
        if isinstance(written_name, (bool, list, dict)):
            error("name", f"era {index + 1}'s name must be text — write it in quotes: name: \"…\"")
            name = ""
        else:
            name = " ".join(str(written_name).split()) if written_name is not None else ""
            if not name:
                missing("name", f"era {index + 1}", "add one, such as name: Cold War")
        label = f"era '{name}'" if name else f"era {index + 1}"
        calendar = settings.calendar
        if item.get("calendar") is not None:
            calendar = str(item["calendar"]).lower()
            if calendar not in CALENDARS:
                error("calendar", f"{label}: calendar must be julian or gregorian, not '{item['calendar']}'")
                calendar = settings.calendar

        def read(key: str) -> tuple[When | None, When | None]:
            try:
                return parse_span(item[key], zone=zone, year=settings.year, date_order=settings.date_order,
                                  calendar=calendar)
            except DateError as problem:
                error(key, f"{label}: {key}: {problem}")
                return None, None

        start = end = None
        if item.get("start") is None:
            missing("start", label, "add start: with the date it began, such as start: 1947")
            start_end = None
        else:
            start, start_end = read("start")
        value = item.get("end")
        if isinstance(value, str) and value.strip().lower() in ONGOING:
            end = replace(start, qualifier=OPEN) if start is not None else None
        elif value is not None:
            first, last = read("end")
            end = last if last is not None and last.bounded else first
        if start_end is not None and value is not None:
            error("end", f"{label}: end is given twice, in start (an interval) and in end: — keep one")
        elif start_end is not None and start_end.qualifier != OPEN and not start_end.bounded:
            error("start", f"{label} has no known end — write its end, or end: now for an era still going on")
        elif start_end is not None:
            end = start_end
        elif value is None and start is not None:
            missing("end", label, "add end: with the date it ended, such as end: 1991, or end: now for an era "
                                  "still going on")
        if start is not None and end is not None and end.bounded and end.end_days() <= start.days():
            error("end", f"{label} ends before it starts ({format_when(end)} is before {format_when(start)}) — "
                  "write an end on or after the start")
        colour = None
        if "colour" in item and "color" in item:
            error("color", f"{label} has both colour and color — keep one")
        spelled = "color" if "color" in item else "colour"
        written_colour = item.get(spelled)
        if written_colour is not None:
            if isinstance(written_colour, str) and _HEX_COLOUR.fullmatch(written_colour.strip()):
                colour = written_colour.strip().lower()
            else:
                error(spelled, f"{label}: {spelled} '{written_colour}' is not a hex colour — write one such as "
                      f"{spelled}: \"#8a3b12\" (in quotes: YAML reads # as the start of a comment)")
        if len(report.errors) == errors and start is not None and end is not None:
            found.append(Era(name, start, end, colour))
    return _placed(found)


def _placed(eras: list[Era]) -> tuple[Era, ...]:
    """Return the eras by start (then name), each with a slug of its own and the lowest lane that no
    earlier era overlapping it has."""
    ordered = sorted(eras, key=lambda era: (era.start.sort_key(), era.end.sort_key(), era.name))
    placed: list[Era] = []
    slugs: set[str] = set()
    for era in ordered:
        base = slugify(era.name) or "era"
        slug, n = base, 2
        while slug in slugs:
            slug, n = f"{base}-{n}", n + 1
        slugs.add(slug)
        taken = {other.lane for other in placed if other.end_day > era.start.days()}
        lane = next(lane for lane in range(len(placed) + 1) if lane not in taken)
        placed.append(replace(era, slug=slug, lane=lane))
    return tuple(placed)
