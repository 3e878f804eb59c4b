"""Rendering: theme → Jinja environment → every output file as bytes, in memory."""

from __future__ import annotations

import json
from dataclasses import dataclass
from datetime import date
from pathlib import Path
from itertools import chain
from typing import Any, Iterable, Iterator
from urllib.parse import quote

import jinja2
from markupsafe import Markup

from . import __version__
from .dates import When, format_day, format_span, format_time, format_when
from .model import Day, Event, Timeline, host_of
from .output import Part
from .timeline import period_of

TEMPLATE_PAGES = {"index": "index.html", "event": "event.html"}


class ThemeError(Exception):
    """A theme that cannot be used: missing, or a template with an error at a known line."""

    def __init__(self, path: str, line: int | None, message: str):
        super().__init__(message)
        self.path = path
        self.line = line
        self.message = message

    def __reduce__(self):  # raised in a worker process, reported by the build
        return ThemeError, (self.path, self.line, self.message)


def default_theme() -> Path:
    """Return the theme shipped with Chronicle: inside the installed package, or beside it in a checkout."""
    installed = Path(__file__).resolve().parent / "theme"
    if (installed / "templates").is_dir():
        return installed
    return Path(__file__).resolve().parent.parent / "theme"


@dataclass(frozen=True)
class Theme:
    """A theme folder: templates/ for Jinja, static/ copied as it is."""

    root: Path

    @property
    def templates(self) -> Path:
        return self.root / "templates"

    @property
    def static(self) -> Path:
        return self.root / "static"

    def static_files(self) -> dict[str, bytes]:
        """Return every file under static/, keyed by its output path."""
        files: dict[str, bytes] = {}
        if not self.static.is_dir():
            return files
        for path in sorted(self.static.rglob("*")):
            if path.is_file() and not path.name.startswith("."):
                files["static/" + path.relative_to(self.static).as_posix()] = path.read_bytes()
        return files


def month_label(day: date) -> str:
    """Return 'October 2024' for any day of that month."""
    return f"{day:%B} {day.year}"


def timeline_span(timeline: Timeline) -> str:
    """Return the span the timeline covers, such as '28–31 October 2024'."""
    return span_between(timeline.first, timeline.last)


def span_between(first: When | None, last: When | None) -> str:
    """Return the span from one date to another in days, such as '28–31 October 2024' (a tag's, say)."""
    if first is None or last is None:
        return ""
    if last.sort_key() <= first.sort_key():
        return format_when(first)
    return format_span(period_of(first), period_of(last))  # in days: a time is dropped


def event_span(event: Event) -> str:
    return format_span(event.start, event.end)


_JSON_IN_HTML = str.maketrans({"<": "\\u003c", ">": "\\u003e", "&": "\\u0026"})


def jsonld(value: Any) -> Markup:
    """Return value as JSON that is safe inside <script>: no `<`, `>` or `&` is left to end it."""
    return Markup(json.dumps(value, ensure_ascii=False).translate(_JSON_IN_HTML))


def url_path(path: str) -> str:
    """Percent-encode a site path (tag and event names may be in any script) for an absolute URL.

    Relative links keep the letters as they are (HTML takes them, and they read
    better); a URL handed to crawlers and feed readers is plain ASCII.
    """
    return quote(path, safe="/#")


def local_link(path: str) -> str:
    """Return a site path as a link that also opens from disk (file://): a folder gets its index.html.

    Served sites would find the folder's index.html by themselves; a browser
    reading output/ from disk shows a folder listing instead (issue 4, item 6).
    """
    return path + "index.html" if path == "" or path.endswith("/") else path


@jinja2.pass_context
def tag_url(context: jinja2.runtime.Context, tag: str) -> str:
    """Return the path of a tag's page relative to the site root (`tags/SLUG/`), to put after root."""
    return f"tags/{context['timeline'].tag_slugs[tag]}/"


@jinja2.pass_context
def absolute_url(context: jinja2.runtime.Context, path: str) -> str:
    """Return the absolute URL of a site path under the timeline's base_url ('' without one)."""
    base = context["timeline"].base_url
    return base + url_path(path) if base else ""


@jinja2.pass_context
def event_schema(context: jinja2.runtime.Context, event: Event) -> dict[str, Any]:
    """Return the schema.org `Event` of an event page, for `|jsonld` (issue 4: dates at their precision)."""
    data: dict[str, Any] = {"@context": "https://schema.org", "@type": "Event", "name": event.title,
                            "startDate": event.start.iso()}
    if event.end is not None:
        data["endDate"] = event.end.iso()
    if event.location:
        data["location"] = {"@type": "Place", "name": event.location}
    if event.summary:
        data["description"] = event.summary
    url = absolute_url(context, event.url)
    if url:
        data["url"] = url
    citations = []
    for source in event.sources:
        work: dict[str, Any] = {"@type": "CreativeWork", "name": source.title or source.name}
        if source.url:
            work["url"] = source.url
        if source.publisher:
            work["publisher"] = {"@type": "Organization", "name": source.publisher}
        if source.date is not None:
            work["datePublished"] = source.date.iso()
        if source.archive:
            work["archivedAt"] = source.archive
        citations.append(work)
    if citations:
        data["citation"] = citations
    if event.tags:
        data["keywords"] = ", ".join(event.tags)
    return data


def make_environment(theme: Theme) -> jinja2.Environment:
    """Return a Jinja environment for the theme: autoescape on, undefined names are errors."""
    env = jinja2.Environment(
        loader=jinja2.FileSystemLoader(str(theme.templates)),
        autoescape=True,
        undefined=jinja2.StrictUndefined,
        trim_blocks=True,
        lstrip_blocks=True,
        keep_trailing_newline=True,
    )
    env.filters.update(
        date=format_when,
        datetime=When.iso,
        time=format_time,
        day=format_day,
        month=month_label,
        span=event_span,
        jsonld=jsonld,
        tag_url=tag_url,
        local=local_link,
        absolute=absolute_url,
        schema=event_schema,
        host=host_of,
    )
    env.globals.update(generator=f"Chronicle {__version__}")
    return env


def _template(env: jinja2.Environment, name: str) -> jinja2.Template:
    try:
        return env.get_template(name)
    except jinja2.TemplateSyntaxError as error:
        raise ThemeError(error.filename or name, error.lineno, f"template error: {error.message}") from None
    except jinja2.TemplateNotFound as error:
        raise ThemeError(name, None, f"template '{error.name}' is missing from the theme") from None


def _render_template(template: jinja2.Template, context: dict[str, Any]) -> bytes:
    try:
        return template.render(context).encode("utf-8")
    except ThemeError:
        raise
    except jinja2.TemplateSyntaxError as error:
        raise ThemeError(error.filename or template.name, error.lineno, f"template error: {error.message}") from None
    except jinja2.TemplateNotFound as error:
        raise ThemeError(template.name, None, f"template '{error.name}' is missing from the theme") from None
    except (jinja2.UndefinedError, TypeError, ValueError, AttributeError, KeyError) as error:
        line, filename = _template_line(error)
        raise ThemeError(filename or template.filename or template.name, line, f"template error: {error}") from None


def _render(env: jinja2.Environment, name: str, context: dict[str, Any]) -> bytes:
    return _render_template(_template(env, name), context)


def _template_line(error: Exception) -> tuple[int | None, str | None]:
    """Find the template file and line in a rendering traceback."""
    tb = error.__traceback__
    found: tuple[int | None, str | None] = (None, None)
    while tb is not None:
        filename = tb.tb_frame.f_code.co_filename
        if filename.endswith((".html", ".xml", ".txt", ".json")):
            found = (tb.tb_lineno, filename)
        tb = tb.tb_next
    return found


def page_context(timeline: Timeline) -> dict[str, Any]:
    """Return what every page is given besides its own values."""
    return {"timeline": timeline, "span": timeline_span(timeline)}


_DAYS_MARK = "\x00chronicle-days\x00"
_DAYS_AT_ONCE = 1000  # days looked up in the build cache at a time


def render_index(env: jinja2.Environment, timeline: Timeline, common: dict[str, Any],
                 days: dict[str, tuple[Day, bytes]] | None = None, fragments: Any = None,
                 joined: bool = True) -> bytes | Iterator[bytes | Part]:
    """Render index.html: the intro, then every day, each day from day.html.

    `days` keeps each day's HTML between builds (None: nothing is kept); a day equal
    to the one it was rendered from is reused as it is, so an edit re-renders only its own day.
    The template asks for `render_days(timeline.days)`; the days' bytes are
    spliced in after rendering, so a 10,000-event page is not copied through
    Jinja on every save (issue 3: a save re-renders only what depends on it).
    fragments: the build cache's days (cache.Fragments), looked up and kept
    a thousand days at a time, instead of `days`; joined=False: the page as its
    pieces, each day made as a writer comes to it (a build run once: 100,000
    events make a 400 MB page, never held whole), a day that output/index.html
    holds as it is to be copied from there (Fragments.parts).
    """
    context = {**common, "root": "", "page": {"kind": "index", "path": "", "title": timeline.title}}
    day_template = None
    spliced: list[tuple[Day, ...]] = []  # the days, once render_days is called

    def make_day(day: Day) -> bytes:
        nonlocal day_template
        if day_template is None:
            day_template = _template(env, "day.html")
        return _render_template(day_template, {**context, "day": day})

    def rendered(groups: tuple[Day, ...]) -> Iterator[bytes | Part]:
        if fragments is not None:  # as the file before holds them, else as the cache does, else made
            yield from fragments.parts("index day", groups, make_day, None if joined else "index.html", _DAYS_AT_ONCE)
            return
        for day in groups:
            cached = days.get(day.id) if days is not None else None
            if cached is None or cached[0] != day:
                cached = (day, make_day(day))
                if days is not None:
                    days[day.id] = cached
            yield cached[1]

    def render_days(groups: tuple[Day, ...]) -> Markup:
        if spliced:
            raise ThemeError(TEMPLATE_PAGES["index"], None, "template error: render_days may be used once a page")
        spliced.append(tuple(groups))
        return Markup(_DAYS_MARK)

    page = _render(env, TEMPLATE_PAGES["index"], {**context, "render_days": render_days})
    if not spliced:
        return page if joined else iter([page])
    head, _, tail = page.partition(_DAYS_MARK.encode())
    pieces = chain([head], rendered(spliced[0]), [tail])
    return _joined(pieces) if joined else pieces


def _joined(pieces: Iterable[bytes | Part]) -> bytes:
    """Join a page's pieces, each a Part's bytes or bytes: a page made whole (no Part of it is copied)."""
    return b"".join(piece.data if type(piece) is Part else piece for piece in pieces)


def render_event_page(env: jinja2.Environment, timeline: Timeline, index: int, common: dict[str, Any]) -> bytes:
    """Render one event's permanent page, with the events before and after it."""
    events = timeline.events
    event = events[index]
    return _render(env, TEMPLATE_PAGES["event"], {
        **common,
        "root": "../../",
        "page": {"kind": "event", "path": event.url, "title": event.title},
        "event": event,
        "previous": events[index - 1] if index > 0 else None,
        "next": events[index + 1] if index + 1 < len(events) else None,
    })
