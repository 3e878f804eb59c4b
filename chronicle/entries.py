"""Entries: which files are events, and the text of one entry → an Event or diagnostics."""

from __future__ import annotations

import html
import os
import re
from dataclasses import dataclass, replace
from pathlib import Path, PurePath, PurePosixPath
from types import MappingProxyType
from typing import TYPE_CHECKING, Any
from urllib.parse import urlsplit
from zoneinfo import ZoneInfo

from .config import Settings
from .dates import CALENDARS, OPEN, DateError, When, parse_span, parse_when
from .diagnostics import UNSOURCED, Report, did_you_mean
from .frontmatter import Fields, FrontMatterError, parse
from .media import MEDIA_FIELDS, MediaProblem, read_item
from .model import Event, Media, Source, is_valid_slug, slugify

if TYPE_CHECKING:
    import markdown

ENTRY_SUFFIXES = (".md", ".markdown")
_TEMPORARY = re.compile(r"(~|\.swp|\.swo|\.swx|\.tmp|\.bak)$|^(\.#|#.*#$)", re.IGNORECASE)
_DATED_NAME = re.compile(r"^(\d{4}-\d{2}-\d{2})-")

# What `new` writes for the author to replace (chronicle/new.py); left in place, each is a warning.
PLACEHOLDER_BODY = "What happened, in a paragraph or two. Say who reported it and how it is known."
PLACEHOLDER_URL = "https://example.org/where-it-was-reported"
PLACEHOLDER_PUBLISHER = "The name of the outlet"
PLACEHOLDER_TITLE = "The headline"

# The kinds of warning an entry can have: many alike are printed as one and a count (Report.shown).
MISSPELLED = "misspelled fields"
FILE_DAY = "dates taken from the file name"
TWICE = "sources listed twice"
EARLY = "sources dated before their event"
UNKNOWN_SOURCE_FIELD = "unknown source fields"
PLACEHOLDER = "placeholders of `new` left in place"

EVENT_FIELDS = (
    "title", "date", "end", "sources", "tags", "location", "summary", "slug", "draft", "weight", "updated",
    "calendar", "correction", "media",
)
SOURCE_FIELDS = ("url", "title", "publisher", "date", "archive")
ONGOING = ("now", "present", "ongoing", "today", "..")  # `end:` of an event still going on


@dataclass(frozen=True)
class EntryRules:
    """All that reading an entry takes from the settings: how its dates are read. The build cache
    keys each entry by these (pipeline.Builder), so a new title or intro in _index.md reads no entry
    again; a setting the reader comes to need is added here, and so to the key."""

    timezone: str
    year: int | None
    date_order: str | None
    sources_optional: bool = False  # `sources: optional`: an event without sources is not warned of
    calendar: str = ""  # the calendar of dates before 1582 (`calendar:` of _index.md); an entry may name its own

    @classmethod
    def of(cls, settings: Settings) -> EntryRules:
        return cls(settings.timezone, settings.year, settings.date_order, settings.sources == "optional",
                   settings.calendar)

    @property
    def zone(self) -> ZoneInfo:
        return ZoneInfo(self.timezone)


def is_entry(relative: PurePath) -> bool:
    """Tell whether a path below content/ is an event entry.

    The one predicate shared by the build and the watcher (README.md, Writing an event):
    Markdown files, except names starting with `_` or `.` (in any folder of the
    path) and editors' temporary, swap and backup files.
    """
    return not any(part.startswith(("_", ".")) for part in relative.parts) and is_entry_name(relative.name)


def is_entry_name(name: str) -> bool:
    """Tell whether a file name (its folders aside) is an entry's."""
    return (name.lower().endswith(ENTRY_SUFFIXES) and not name.startswith(("_", "."))
            and not is_temporary(name))


def is_temporary(name: str) -> bool:
    """Tell whether a file name is an editor's temporary, swap, backup or lock file."""
    return bool(_TEMPORARY.search(name)) or name.isdigit()  # vim probes a folder with a file named 4913


def discover(content: Path) -> list[Path]:
    """Return every entry below content, sorted by path; symbolic links are not followed."""
    return [Path(path) for path in discover_names(content)]


def discover_names(content: Path) -> list[str]:
    """As discover, each path as a string (str() of the Path discover returns)."""
    found: list[str] = []
    pending = [str(content)]
    while pending:
        folder = pending.pop()
        try:
            listing = list(os.scandir(folder))
        except OSError:
            continue  # a folder that vanished or cannot be read: its entries are simply not there
        for item in listing:
            # Folders starting with `.` or `_` are skipped whole, so only names are left to check.
            if item.name.startswith((".", "_")) or item.is_symlink():
                continue
            if item.is_dir(follow_symlinks=False):
                pending.append(item.path)
            elif is_entry_name(item.name):
                found.append(item.path)
    return sorted(found)


# --- typographic quotes ----------------------------------------------------------------------------


# Typographic quotes (issue 22, item 12): "..." and '...' as “…” and ‘…’, an apostrophe as ’. Not
# Python-Markdown's smarty (it doubles the time of a body); one pass over the tree after the inline
# stage (markup._CurlQuotes), touching only texts with a quote in them. A quote is opening after the start, a space, an
# opening bracket, a dash, an opening quote or inline HTML (its placeholder ends in \x03), and not
# before a space; every other one is closing (’ is also the apostrophe). &quot; and &#39; stay straight.
_OPENS_AFTER = frozenset(" \t\n([{\u2013\u2014\u2018\u201c\x03")
_QUOTE = re.compile("[\"']")


def curl_quotes(text: str, before: str = " ") -> str:
    """Return plain text with typographic quotes; before: the character that precedes it (a space: none)."""
    if '"' not in text and "'" not in text:
        return text

    def curl(match: re.Match) -> str:
        at = match.start()
        after = text[at + 1:at + 2]
        single = match.group() == "'"
        back = at - 1
        while back >= 0 and text[back] in "\"'":  # "'nested': the character before both
            back -= 1
        if (text[back] if back >= 0 else before) in _OPENS_AFTER and not after.isspace() \
                and not (single and text[at + 1:at + 3].isdigit() and text[at + 3:at + 4] == "s"):  # the '90s
            return "\u2018" if single else "\u201c"
        return "\u2019" if single else "\u201d"

    return _QUOTE.sub(curl, text)


def make_markdown() -> "markdown.Markdown":
    """Return the Markdown converter for entry bodies (chronicle.markup); reuse it with reset().
    Python-Markdown is loaded only here, when a body is to be read: a build that reads no entry
    anew (a warm one, the quick look) does without it."""
    from .markup import make_markdown as make

    return make()


_PARAGRAPH = re.compile(r"<p>(.*?)</p>", re.DOTALL)
_TAG = re.compile(r"<[^>]+>")


def first_paragraph(body_html: str) -> str:
    """Return the plain text of the first paragraph of some HTML."""
    match = _PARAGRAPH.search(body_html)
    if not match:
        return ""
    return " ".join(html.unescape(_TAG.sub("", match.group(1))).split())


# --- one entry --------------------------------------------------------------------------------------


def read_entry(
    path: Path,
    text: str,
    settings: Settings | EntryRules,
    report: Report,
    md: markdown.Markdown | None = None,
    content: Path | None = None,
) -> Event | None:
    """Turn the text of one entry into an Event, or report every problem it has and return None.
    settings: the site's, or all that reading an entry takes from them (EntryRules);
    content: the content folder the entry is in (where a media src of `/…` is read from)."""
    errors_before = len(report.errors)
    try:
        document = parse(text)
    except FrontMatterError as error:
        report.error(path, error.line, error.message)
        return None
    if not document.fields.lines:
        report.error(path, 1, "no front matter — start the file with a '---' line, then `title:` and `date:`, "
                     "then another '---' line")
        return None

    fields = document.fields
    for line, message in fields.problems:  # text cut short by a comment: reported beside the rest
        report.error(path, line, message)
    reader = _FieldReader(path, fields, settings if isinstance(settings, EntryRules) else EntryRules.of(settings),
                          report)
    name = PurePath(path.name)
    stem = name.name[: -len(name.suffix)] if name.suffix else name.name

    # A field that is probably a misspelling of a known one that is missing (`sorces:`): one line says
    # both, at the misspelling, instead of a separate "no sources" or "title is missing".
    meant: dict[str, str] = {}  # known field -> the field written in its place
    for key in fields.values:
        guess = None if key in EVENT_FIELDS else did_you_mean(key, EVENT_FIELDS)
        if guess and guess not in fields.values and guess not in meant:
            meant[guess] = key

    title = reader.text("title", required="title" not in meant)
    dated = _DATED_NAME.match(stem)
    if "date" not in fields.values and dated:
        # No date written: the file name gives it (the Jekyll convention).
        start = reader.parse_date("date", dated.group(1), line=1)
    else:
        # A written date wins, and one that cannot be read is an error: a guess from the file name
        # would publish the event on another day (`date: 1 Novembre 2024` in 2024-10-31-….md). Only
        # a date that begins with the file name's own day falls back to that day, with a warning
        # (Jekyll's `2023-01-29 18:30:22 2023 -0800` in 2023-01-29-….md).
        written = fields.values.get("date")
        same_day = dated is not None and isinstance(written, str) and written.strip().startswith(dated.group(1))
        start = reader.when("date", fallback=reader.file_date(dated.group(1)) if same_day else None,
                            file_day=dated.group(1) if dated else None)
        if start is None and "date" not in fields.values and "date" not in meant:
            report.error(path, 1, "date is missing — add `date: 2024-10-28` (or any date form), "
                         "or start the file name with the date, as in 2024-10-28-title.md")
    end = reader.end(start)
    if reader.interval_end is not None:
        if end is not None:
            report.error(path, fields.line("end"), "end is given twice, in the date (an interval) and in end: "
                         "— keep one")
        end = reader.interval_end
    if start is not None and end is not None and end.sort_key() < start.sort_key():
        report.error(path, fields.line("end"), "end is before the date — write an end on or after the start")
    sources = reader.sources()
    tags = reader.text_list("tags")
    location = reader.text("location")
    summary = reader.text("summary")
    slug = reader.slug(stem)
    draft = reader.boolean("draft")
    weight = reader.integer("weight")
    updated = reader.when("updated")
    correction = reader.text("correction") or ""
    md = md or make_markdown()
    media = reader.media(_below(path, content), lambda text: inline_html(md, text))
    if correction and updated is None:
        report.error(path, fields.line("correction"), "correction needs updated: — add `updated:` with the day "
                     "the entry was corrected, such as updated: 2024-11-02")
    extra = {key: value for key, value in fields.values.items() if key not in EVENT_FIELDS}
    for guess, key in meant.items():
        message = f"unknown field '{key}' — did you mean '{guess}'?"
        if guess == "title" or (guess == "date" and not dated):
            report.error(path, fields.line(key), f"{message} As written, the event has no {guess}")
        elif guess == "date":
            report.warning(path, fields.line(key), f"{message} As written, the date is the file name's, "
                           f"{dated.group(1)}", MISSPELLED)
        elif guess == "sources":
            report.warning(path, fields.line(key), f"{message} As written, the event has no sources", MISSPELLED)
        else:
            report.warning(path, fields.line(key), message, MISSPELLED)

    if ("sources" not in fields.values or not fields.values.get("sources")) and "sources" not in meant \
            and not reader.rules.sources_optional:
        report.warning(path, fields.line("sources") or 1,
                       "no sources — add `sources:` with the link to where this was reported", UNSOURCED)

    _warn_of_placeholders(path, document.body, document.body_line, fields, report)
    if (at := document.body.find("\x00")) >= 0:  # HTML allows none; render.Cards marks a card's root with one
        report.error(path, document.body_line + document.body.count("\n", 0, at),
                     "the text holds the character U+0000 (NUL), which a web page may not contain — delete it")

    if start is not None:
        for index, source in enumerate(sources):
            # A report cannot come out before the event it reports: probably a wrong date on one side.
            if source.date is not None and _ends_before(source.date, start):
                report.warning(path, fields.line("sources", _item_of(fields, source, index)),
                               f"source {source.url or source.name} is dated {source.date.iso()}, before the event "
                               f"({start.iso()}) — check both dates", EARLY)
    if len(report.errors) > errors_before or title is None or start is None:
        return None

    body = md.reset().convert(document.body)
    return Event(
        slug=slug,
        title=curl_quotes(title),  # as the body's quotes are, on every page, feed and file
        start=start,
        end=end,
        path=str(path),
        sources=tuple(sources),
        tags=tuple(tags),
        location=location,
        summary=curl_quotes(summary) if summary else first_paragraph(body),
        body=body,
        draft=draft,
        weight=weight,
        updated=updated,
        correction=correction,
        media=tuple(media),
        slug_line=fields.line("slug") if fields.values.get("slug") is not None else None,
        extra=MappingProxyType(extra),
    )


def _below(path: Path, content: Path | None) -> PurePosixPath:
    """Return an entry's path below the content folder (its own folder's, when that is not known)."""
    try:
        return PurePosixPath(path.relative_to(content).as_posix()) if content is not None else PurePosixPath(path.name)
    except ValueError:
        return PurePosixPath(path.name)


def inline_html(md: markdown.Markdown, text: str) -> str:
    """Return a line of Markdown as HTML without its paragraph (a caption: *emphasis*, [links](…))."""
    html_text = md.reset().convert(text)
    if html_text.startswith("<p>") and html_text.endswith("</p>") and html_text.count("<p>") == 1:
        return html_text[3:-4]
    return html_text


def _warn_of_placeholders(path: Path, body: str, body_line: int, fields: Fields, report: Report) -> None:
    """Warn of each placeholder `new` wrote that is still in place: it would be published as it is."""
    if PLACEHOLDER_BODY in body:
        for number, line in enumerate(body.split("\n")):
            if PLACEHOLDER_BODY in line:
                report.warning(path, body_line + number, "the text is still the placeholder that `new` wrote — "
                               "write what happened in its place", PLACEHOLDER)
    written = fields.values.get("sources")
    for index, item in enumerate(written if isinstance(written, list) else []):
        values = item if isinstance(item, dict) else {"url": item}
        for key, placeholder in (("url", PLACEHOLDER_URL), ("publisher", PLACEHOLDER_PUBLISHER),
                                 ("title", PLACEHOLDER_TITLE)):
            if values.get(key) == placeholder:
                report.warning(path, fields.line("sources", index), f"source {key} '{placeholder}' is the "
                               f"placeholder that `new` wrote — write the source's own {key}, or delete the line",
                               PLACEHOLDER)


def _item_of(fields: Fields, source: Source, position: int) -> int:
    """Return the index of a source in the written list (duplicates dropped before it shift positions)."""
    written = fields.values.get("sources")
    if isinstance(written, list):
        for index, item in enumerate(written):
            url = item.get("url") if isinstance(item, dict) else item
            if source.url is not None and isinstance(url, str) and url.strip() == source.url:
                return index
    return position


# A host name with a dot and a top-level domain of letters, then a port, a path, a query or nothing.
_HOST_FIRST = re.compile(r"(?:[a-z0-9](?:[a-z0-9-]*[a-z0-9])?\.)+[a-z]{2,63}\.?(?::[0-9]+)?(?:[/?#]|$)",
                         re.IGNORECASE | re.ASCII)


_NOT_IN_A_LINK = re.compile(r"[\s\x00-\x1f\x7f]")  # a space of any kind, a control character


def check_url(value: str) -> str | None:
    """Return what is wrong with a source URL, or None when it is an http(s) link."""
    if _NOT_IN_A_LINK.search(value):
        return f"'{value}' is not a link: it contains spaces or control characters — encode spaces as %20"
    try:
        parts = urlsplit(value)
    except ValueError:
        return f"'{value}' is not a valid link"
    if parts.scheme.lower() not in ("http", "https"):
        # `www.bbc.co.uk/news/x` or `//a.org/x`: a link with its scheme left out; say what to write.
        written = "https:" + value if value.startswith("//") else "https://" + value
        if (not parts.scheme or value.startswith("//")) and _HOST_FIRST.match(value.lstrip("/")) \
                and check_url(written) is None:
            return f"'{value}' is not a link: it has no https:// — write {written}"
        return f"'{value}' is not an http or https link — only http:// and https:// sources are accepted"
    if not parts.hostname:
        return f"'{value}' has no host — write the full link, such as https://example.org/report"
    return None


def _ends_before(earlier: When, later: When) -> bool:
    """Tell whether the period of one date is over when another begins."""
    if earlier.start is not None and later.start is not None:
        return earlier.period_end() <= later.start
    return earlier.end_days() <= later.days()


class _FieldReader:
    """Reads typed fields from front matter, reporting each problem at its key's line."""

    def __init__(self, path: Path, fields: Fields, rules: EntryRules, report: Report):
        self.path = path
        self.fields = fields
        self.values = fields.values
        self.rules = rules
        self.report = report
        # Lines whose text a comment cut short (Fields.problems): that error says what to write, and
        # what follows from the cut (an empty title, a date without its year) is not told again.
        self.cut = {line for line, _ in fields.problems}
        self.calendar = self._calendar()
        self.interval_end: When | None = None  # the end of a date written as an interval (1985/1990)

    def _calendar(self) -> str:
        value = self.values.get("calendar")
        if value is None:
            return self.rules.calendar
        if str(value).lower() not in CALENDARS:
            self.error("calendar", f"calendar must be julian or gregorian, not '{value}'")
            return self.rules.calendar
        return str(value).lower()

    def error(self, key: str, message: str, index: int | None = None) -> None:
        line = self.fields.line(key, index)
        if line not in self.cut:
            self.report.error(self.path, line, message)

    def _as_text(self, key: str | None, value: Any) -> str | None:
        if isinstance(value, str):
            return " ".join(value.split())
        if isinstance(value, (int, float)) and not isinstance(value, bool):
            # A number where text is expected: keep it exactly as the author wrote it.
            return self.fields.scalars.get(key, str(value)) if key else str(value)
        return None

    def text(self, key: str, required: bool = False) -> str | None:
        value = self.values.get(key)
        if value is None:
            if required and key not in self.values:
                self.report.error(self.path, 1, f"{key} is missing — add a line such as `{key}: What happened`")
            elif required:
                self.error(key, f"{key} is empty — write the {key} after `{key}:`")
            return None
        text = self._as_text(key, value)
        if text is None:
            self.error(key, f"{key} must be text, not {_kind(value)} — write it in quotes: {key}: \"…\"")
            return None
        if required and not text:
            self.error(key, f"{key} is empty — write the {key} after `{key}:`")
            return None
        return text or None

    def text_list(self, key: str) -> list[str]:
        value = self.values.get(key)
        if value is None:
            return []
        items = [value] if isinstance(value, str) else value
        if not isinstance(items, list):
            self.error(key, f"{key} must be a list, such as `{key}: [NATO, Russia]`")
            return []
        result: list[str] = []
        for index, item in enumerate(items):
            text = self._as_text(None, item)
            if not text:
                self.error(key, f"{key} must be a list of words; item {index + 1} is {_kind(item)}", index)
            elif text not in result:
                result.append(text)
        return result

    def parse_date(self, key: str, value: Any, line: int | None = None) -> When | None:
        try:
            return self._parse(key, value)
        except DateError as error:
            line = line or self.fields.line(key)
            if line not in self.cut:
                self.report.error(self.path, line, f"{key}: {error}")
            return None

    def end(self, start: When | None) -> When | None:
        """Read `end`: a date, the end of an interval written there (428/427 BC), or the open end of an
        event still going on (`now`, `present`, `ongoing`, `..`)."""
        value = self.values.get("end")
        if isinstance(value, str) and value.strip().lower() in ONGOING:
            return replace(start, qualifier=OPEN) if start is not None else None
        return self.when("end")

    def _parse(self, key: str, value: Any) -> When:
        """Read a date in the entry's calendar; the event's own date may be an interval (1985/1990)."""
        rules = self.rules
        if key == "end":
            start, end = parse_span(value, zone=rules.zone, year=rules.year, date_order=rules.date_order,
                                    calendar=self.calendar)
            return end if end is not None and end.bounded else start
        if key != "date":
            return parse_when(value, zone=rules.zone, year=rules.year, date_order=rules.date_order,
                              calendar=self.calendar)
        start, self.interval_end = parse_span(value, zone=rules.zone, year=rules.year,
                                              date_order=rules.date_order, calendar=self.calendar)
        return start

    def file_date(self, text: str) -> When | None:
        try:
            return parse_when(text, zone=self.rules.zone)
        except DateError:
            return None

    def when(self, key: str, fallback: When | None = None, file_day: str | None = None) -> When | None:
        if self.values.get(key) is None:
            if key in self.values and key == "date":
                hint = f", or delete the line to take {file_day} from the file name" if file_day else ""
                self.error(key, f"date is empty — write a date such as 2024-10-28{hint}")
            return None
        value = self.values[key]
        value = self.fields.scalars.get(key, value) if isinstance(value, int) else value
        if fallback is None:
            return self.parse_date(key, value)
        try:
            return self._parse(key, value)
        except DateError as error:
            self.report.warning(self.path, self.fields.line(key),
                                f"{key}: {error}; using {fallback.iso()} from the file name instead", FILE_DAY)
            return fallback

    def boolean(self, key: str) -> bool:
        value = self.values.get(key, False)
        if value is None:
            return False
        if not isinstance(value, bool):
            self.error(key, f"{key} must be true or false, not '{value}'")
            return False
        return value

    def integer(self, key: str) -> int:
        value = self.values.get(key, 0)
        if value is None:
            return 0
        if isinstance(value, bool) or not isinstance(value, int):
            self.error(key, f"{key} must be a whole number such as 1 or -1, not '{value}'")
            return 0
        return value

    def slug(self, default: str) -> str:
        value = self.values.get("slug")
        if value is None:
            slug = slugify(default)
            if not slug:
                self.report.error(self.path, 1, "the file name gives no usable URL name — add `slug: a-short-name`")
            return slug
        text = self._as_text("slug", value) or ""
        if not is_valid_slug(text):
            suggestion = slugify(text)
            hint = f"write slug: {suggestion}" if suggestion else "write a name such as slug: nato-briefing"
            self.error("slug", f"slug '{text}' may only contain lower-case letters, digits and hyphens — {hint}")
        return text

    def _unknown_keys(self, item: dict, key: str, index: int | None, known: tuple[str, ...], what: str) -> None:
        """Warn of each field of a source or a media item that it does not have, naming the one probably meant."""
        for name in item:
            if name not in known:
                guess = did_you_mean(str(name), known)
                hint = f" — did you mean '{guess}'?" if guess else f" — a {what} has {', '.join(known)}"
                self.report.warning(self.path, self.fields.line(key, index),
                                    f"unknown {what.split()[0]} field '{name}'{hint}", UNKNOWN_SOURCE_FIELD)

    def media(self, entry: PurePosixPath, inline) -> list[Media]:
        """Read `media:`: one item or a list, each a file or a link, or fields (media.read_item)."""
        value = self.values.get("media")
        if value is None:
            return []
        items = value if isinstance(value, list) else [value]
        result: list[Media] = []
        for index, item in enumerate(items):
            where = index if isinstance(value, list) else None
            if isinstance(item, dict):
                self._unknown_keys(item, "media", where, MEDIA_FIELDS, "media item")
            try:
                result.append(read_item(item, entry, check_url, inline, self.fields.line("media", where)))
            except MediaProblem as problem:
                self.error("media", str(problem), where)
        return result

    def sources(self) -> list[Source]:
        value = self.values.get("sources")
        if value is None:
            return []
        items = [value] if isinstance(value, (str, dict)) else value
        if not isinstance(items, list):
            self.error("sources", "sources must be a list of links, one per line starting with '- '")
            return []
        result: list[Source] = []
        seen: dict[str, int] = {}
        for index, item in enumerate(items):
            source = self._source(item, index)
            if source is None:
                continue
            if source.url:
                key = source.url.rstrip("/")
                if key in seen:
                    self.report.warning(self.path, self.fields.line("sources", index),
                                        f"source {source.url} is listed twice (also item {seen[key] + 1}) — keep one",
                                        TWICE)
                    continue
                seen[key] = index
            result.append(source)
        return result

    def _source(self, item: Any, index: int) -> Source | None:
        def bad(message: str) -> None:
            self.error("sources", message, index)

        if isinstance(item, str):
            item = {"url": item.strip()}
        if not isinstance(item, dict):
            bad(f"source {index + 1} must be a link or fields such as `url:` and `publisher:`, not {_kind(item)}")
            return None
        self._unknown_keys(item, "sources", index, SOURCE_FIELDS, "source")
        texts: dict[str, str | None] = {}
        for key in ("url", "title", "publisher", "archive"):
            raw = item.get(key)
            if raw is None:
                texts[key] = None
            elif isinstance(raw, (str, int, float)) and not isinstance(raw, bool):
                texts[key] = " ".join(str(raw).split()) or None
            else:
                bad(f"source {key} must be text, not {_kind(raw)}")
                return None
        for key in ("url", "archive"):
            if texts[key]:
                problem = check_url(texts[key])
                if problem:
                    bad(f"source {key}: {problem}")
                    return None
        if not texts["url"] and not (texts["title"] or texts["publisher"]):
            bad("a source needs a `url:`, or a `title:` or `publisher:` when there is no link")
            return None
        date = None
        if item.get("date") is not None:
            date = self.parse_date("sources", item["date"], line=self.fields.line("sources", index))
            if date is None:
                return None
        title = texts["title"] and curl_quotes(texts["title"])  # typeset as the event's own title
        return Source(url=texts["url"], title=title, publisher=texts["publisher"], date=date, archive=texts["archive"])


def _kind(value: Any) -> str:
    if value is None:
        return "empty"
    if isinstance(value, bool):
        return f"'{str(value).lower()}' (a true/false value)"
    if isinstance(value, dict):
        return "a set of fields"
    if isinstance(value, list):
        return "a list"
    return f"'{value}'"

