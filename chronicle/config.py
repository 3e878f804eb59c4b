"""Options (from the command line) and Settings (from content/_index.md)."""

from __future__ import annotations

import os
from dataclasses import dataclass, field
from pathlib import Path
from types import MappingProxyType
from typing import Any, Mapping
from zoneinfo import ZoneInfo, ZoneInfoNotFoundError, available_timezones

from .diagnostics import Report, did_you_mean
from .frontmatter import FrontMatterError, parse

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
    intro: str = ""  # the Markdown body of _index.md
    extra: Mapping[str, Any] = field(default_factory=lambda: MappingProxyType({}))

    @property
    def zone(self) -> ZoneInfo:
        return ZoneInfo(self.timezone)


SETTING_NAMES = ("title", "description", "base_url", "timezone", "year", "date_order", "language", "sort",
                 "sources", "calendar", "feed_events", "page_events", "search")


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
        if value is None:
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
    return Settings(**values, extra=MappingProxyType(extra))
