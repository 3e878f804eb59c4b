"""Rendering: theme → Jinja environment → every output file as bytes, in memory."""

from __future__ import annotations

import json
import re
from dataclasses import dataclass, fields
from functools import cached_property
from datetime import date, datetime
from pathlib import Path
from typing import TYPE_CHECKING, Any, Iterator, Mapping
from urllib.parse import quote
from zoneinfo import ZoneInfo

from markupsafe import Markup

from . import __version__
from .dates import MONTHS, Precision, When, format_day, format_span, format_time, format_when, weekday
from .feeds import period_timelinejs
from .media import srcset
from .model import SITE_ROOT, Era, Event, Timeline, host_of, tag_slug
from .periods import Link, Period
from .model import group_days, period_of

if TYPE_CHECKING:
    import jinja2

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


def month_label(day: date | When) -> str:
    """Return 'October 2024' for any day of that month (a When keeps its era: March 44 BC)."""
    if isinstance(day, When):
        return format_when(coarsen(day, "month"))
    return f"{MONTHS[day.month - 1]} {day.year}"


def short_url(url: str, limit: int = 60) -> str:
    """Return a link's text for a source without a title: its address without scheme or www., cut
    with an ellipsis past `limit` characters (the link itself keeps the whole URL)."""
    text = re.sub(r"^[a-zA-Z][a-zA-Z0-9+.-]*://(www\.)?", "", url).rstrip("/")
    return text if len(text) <= limit else text[: limit - 1] + "…"


def zone_name(key: str) -> str:
    """Return how a reader names a time zone: 'New York time (EST/EDT)', 'UTC', 'Kyiv time (EET/EEST)'."""
    if key in ("UTC", "Etc/UTC", "GMT", "Etc/GMT"):
        return "UTC"
    zone = ZoneInfo(key)
    names = []
    for month in (1, 7):  # winter and summer, as a reader knows them
        name = datetime(2024, month, 15, 12, tzinfo=zone).tzname() or ""
        if name.isalpha() and name not in names:
            names.append(name)
    city = key.rsplit("/", 1)[-1].replace("_", " ")
    return f"{city} time ({'/'.join(names)})" if names else f"{city} time"


def coarsen(when: When, unit: str) -> When:
    """Return the month or the year a date falls in (a coarser date is returned as it is), as written."""
    precision = Precision.MONTH if unit == "month" else Precision.YEAR
    if when.precision <= precision:
        return when
    year, month, _ = when.ymd
    month = month if precision is Precision.MONTH else 1
    start = when.start
    if start is not None:
        start = start.replace(month=month, day=1, hour=0, minute=0, second=0, microsecond=0)
    return When(start, precision, None if start else (year, month, 1), when.qualifier, when.form, when.calendar)


def short_day(when: When, with_year: bool = False) -> str:
    """Return 'Mon 28 Oct' (with the year if asked); the weekday only where it is known (README.md, Dates)."""
    year, month, day = when.ymd
    found = weekday(when.ymd, when.calendar)
    text = f"{day} {MONTHS[month - 1][:3]}"
    if found is not None:
        text = f"{('Mon', 'Tue', 'Wed', 'Thu', 'Fri', 'Sat', 'Sun')[found]} {text}"
    if with_year:
        text += " " + format_when(coarsen(when, "year"))
    return text


def html_datetime(when: When) -> str:
    """Return the value of an HTML datetime attribute, or '' where HTML has none (the theme uses <data>)."""
    return when.datetime or ""


def schema_date(when: When | None) -> str | None:
    """Return a schema.org (ISO 8601) date, or None for a date it cannot say without overstating it."""
    if when is None or when.qualifier or when.precision < Precision.YEAR or when.precision is Precision.SEASON:
        return None
    return when.iso()


def file_size(size: int) -> str:
    """Return a file's size as a reader says it: 840 KB, 1.2 MB."""
    if size < 1000 * 1000:
        return f"{max(1, round(size / 1000))} KB"
    return f"{size / 1000 / 1000:.1f} MB"


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


def tag_url(context: jinja2.runtime.Context, tag: str, timeline: Site | Timeline | None = None) -> str:
    """Return the path of a tag's page relative to the site root (`tags/SLUG/`), to put after root:
    of the page's timeline, or of the one given (in macros imported without the page's context)."""
    return f"tags/{(context['timeline'] if timeline is None else timeline).slug_of(tag)}/"


def absolute_url(context: jinja2.runtime.Context, path: str) -> str:
    """Return the absolute URL of a site path under the timeline's base_url ('' without one)."""
    base = context["timeline"].base_url
    return base + url_path(path) if base else ""


def event_schema(context: jinja2.runtime.Context, event: Event) -> dict[str, Any]:
    """Return the schema.org `Event` of an event page, for `|jsonld` (issue 4: dates at their precision)."""
    data: dict[str, Any] = {"@context": "https://schema.org", "@type": "Event", "name": event.title}
    # A date schema.org cannot hold as written (c. 1500, the 1990s, 13.8 billion years ago) is left
    # out rather than made more precise; the page's text and its <data value> keep it.
    if (start := schema_date(event.start)) is not None:
        data["startDate"] = start
    if (end := schema_date(event.end)) is not None:
        data["endDate"] = end
    if (modified := schema_date(event.updated)) is not None:
        data["dateModified"] = modified  # the entry's revision (updated:), as news articles give it
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
        if (published := schema_date(source.date)) is not None:
            work["datePublished"] = published
        if source.archive:
            work["archivedAt"] = source.archive
        citations.append(work)
    if citations:
        data["citation"] = citations
    if event.tags:
        data["keywords"] = ", ".join(event.tags)
    images = [url for item in event.media if item.kind == "image"
              if (url := item.src if item.file is None else absolute_url(context, item.url))]
    if images:
        data["image"] = images
    return data


def make_environment(theme: Theme) -> jinja2.Environment:
    """Return a Jinja environment for the theme: autoescape on, undefined names are errors.
    Jinja is loaded here, when pages are to be made: a build that makes none (a warm one) does without it."""
    import jinja2

    page = jinja2.pass_context  # the filters given the page's context (its timeline) first
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
        datetime=html_datetime,
        edtf=When.iso,
        as_year=lambda when: coarsen(when, "year"),
        as_month=lambda when: coarsen(when, "month"),
        short_day=short_day,
        time=format_time,
        day=format_day,
        month=month_label,
        span=event_span,
        jsonld=jsonld,
        tag_url=page(tag_url),
        local=local_link,
        absolute=page(absolute_url),
        schema=page(event_schema),
        host=host_of,
        number="{:,}".format,  # 10,000 events, not 10000
        short_url=short_url,
        zone_name=zone_name,
        srcset=srcset,
        urlpath=lambda path: quote(path, safe="/-_.~"),
        filesize=file_size,
    )
    cards = Cards(env)
    env.globals.update(generator=f"Chronicle {__version__}",
                       card=page(lambda context, event: cards.placed(context, event)))
    return env


def _template(env: jinja2.Environment, name: str) -> jinja2.Template:
    import jinja2

    try:
        return env.get_template(name)
    except jinja2.TemplateSyntaxError as error:
        raise ThemeError(error.filename or name, error.lineno, f"template error: {error.message}") from None
    except jinja2.TemplateNotFound as error:
        raise ThemeError(name, None, f"template '{error.name}' is missing from the theme") from None


def _render_template(template: jinja2.Template, context: dict[str, Any]) -> bytes:
    return _render_text(template, context).encode("utf-8")


def _render_text(template: jinja2.Template, context: dict[str, Any]) -> str:
    """Render a template; the links made from SITE_ROOT (a card's, a body's) start at the page's root."""
    import jinja2

    try:
        text = template.render(context)
        root = context.get("root", SITE_ROOT)
        return text.replace(SITE_ROOT, root) if root != SITE_ROOT and SITE_ROOT in text else text
    except ThemeError:
        raise
    except jinja2.TemplateSyntaxError as error:
        raise ThemeError(error.filename or template.name, error.lineno, f"template error: {error.message}") from None
    except jinja2.TemplateNotFound as error:
        raise ThemeError(template.name, None, f"template '{error.name}' is missing from the theme") from None
    except Exception as error:  # an expression of the theme's that fails (an undefined name, 1 // 0 …)
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



# --------------------------------------------------------------------------- what each output is given
# The one declaration of what every output depends on (issue 15). An output is a
# function of exactly the values its template is given, and of the theme; the
# engine (chronicle/incremental) keys every file and every part by these values
# and nothing else, so a value added here is in every key at once.
#
#   index.html, sources/index.html, the whole timeline (made again by every build that changes it)
#     tags/index.html
#   events/SLUG/                   site, the event, the one before and the one after, the page of
#                                  the timeline it is on (home: '' or its period's, periods.homes)
#   tags/SLUG/                     site, the tag (pages.tag_context)
#   a period's page (and its       site, what period_pages gives it (PeriodPage): its period, the
#     timeline.json)                 links of those above, before and after it, its tag
#   sources/ID/ (a publisher)      site, what publisher_pages gives it (PublisherPage)
#   a day of the index or a tag    site, the page's root and page, the day (PartMaker)
#   a citation of the sources page site, the citation (PartMaker)
#   an event's card (card.html)     site, the event: made once, placed on every page listing it (Cards)
#   the feeds: one event's share   site, SOURCE_DATE_EPOCH, the event (feeds.event_feeds)
#
# `site` is everything of the timeline but its events (Site, made from the
# Timeline's own fields): these outputs cannot show another event than theirs.


@dataclass(frozen=True)
class Site:
    """What a page shows of the timeline besides its events: every field of Timeline but
    events and days, the span they cover, and the tags' URL names where they collide."""

    title: str
    description: str
    intro: str
    language: str
    base_url: str | None
    timezone: str
    newest_first: bool
    extra: Mapping[str, Any]
    span: str
    tag_renames: tuple[tuple[str, str], ...]
    page_events: int = 150
    feed_events: int = 50
    search: bool = False
    eras: tuple[Era, ...] = ()

    @cached_property
    def _renames(self) -> dict[str, str]:
        return dict(self.tag_renames)

    def slug_of(self, tag: str) -> str:
        """Return a tag's URL name (as Timeline.tag_slugs gives it, for every tag of an event)."""
        return self._renames.get(tag) or tag_slug(tag)


_OF_EVENTS = ("events", "days")  # what Site leaves out of a Timeline


def site_of(timeline: Timeline) -> Site:
    """Return the timeline's own values; every field of Timeline is taken, by its name."""
    own = {f.name: getattr(timeline, f.name) for f in fields(Timeline) if f.name not in _OF_EVENTS}
    return Site(**own, span=timeline_span(timeline), tag_renames=timeline.tag_renames)


def _page(kind: str, path: str, title: str) -> dict[str, str]:
    return {"kind": kind, "path": path, "title": title}


def index_context(timeline: Timeline, site: Site) -> dict[str, Any]:
    return {"timeline": timeline, "span": site.span, "root": "",
            "page": _page("index", "", timeline.title)}


def event_context(site: Site, event: Event, previous: Event | None, next: Event | None,
                  home: str = "") -> dict[str, Any]:
    return {"timeline": site, "span": site.span, "root": "../../", "page": _page("event", event.url, event.title),
            "event": event, "previous": previous, "next": next, "home": home}


# --------------------------------------------------------------------------- rendering


def render_index(env: jinja2.Environment, timeline: Timeline, site: Site) -> bytes:
    """Render index.html: the intro, then every day, each day from day.html."""
    context = index_context(timeline, site)
    parts = PartMaker(env, "day.html", "day", {**context, "timeline": site})
    return _render(env, TEMPLATE_PAGES["index"], {**context, "render_days": parts.once("render_days", "index.html")})


FRONT_EVENTS = 25  # events of its first (or latest) period the front page of a split timeline shows


def render_split(env: jinja2.Environment, timeline: Timeline, site: Site, whole: Period) -> Iterator[tuple[str, bytes]]:
    """Render a timeline split into periods (periods.split): index.html, the overview of the whole span
    and its first or latest period's events, then one page per period."""
    yield "index.html", render_overview(env, timeline, site, whole)
    yield from render_periods(env, site, whole)


def render_overview(env: jinja2.Environment, timeline: Timeline, site: Site, whole: Period) -> bytes:
    """Render the index.html of a split timeline: the overview of the whole span, its eras, and its
    first or latest period's first events."""
    return _render(env, TEMPLATE_PAGES["index"],
                   overview_context(env, site, whole, index_context(timeline, site), "index.html", site.eras))


def overview_context(env: jinja2.Environment, site: Site, whole: Period, context: dict[str, Any],
                     page: str, eras: tuple[Era, ...] = ()) -> dict[str, Any]:
    """Return what the front page of a split timeline (or tag) is given besides its own context: the
    whole (`overview`), the largest count, its first (or latest) period's first events, and each of
    `eras` (the timeline's; none for a tag) with the page of the period where it starts."""
    leaves = list(whole.leaves())
    shown = leaves[-1] if site.newest_first else leaves[0]
    events = _in_order(shown.events, site)[:FRONT_EVENTS]
    days = PartMaker(env, "day.html", "day", {**context, "timeline": site})
    return {**context, "overview": whole, "shown": shown, "more": shown.count - len(events),
            "largest": max(part.count for part in whole.parts), "shown_days": group_days(events, eras=eras),
            "era_starts": era_starts(whole, eras), "render_days": days.once("render_days", page)}


def era_starts(whole: Period, eras: tuple[Era, ...]) -> list[tuple[Era, Period | None]]:
    """Return each era with the first page of a period (in time) that shows an event of it, where its
    heading is; None for an era no event lies in."""
    pages = list(whole.pages())
    return [(era, next((period for period in pages if any(era.covers(period_of(event.start)) for event in
                                                          (period.own if period.parts else period.events))), None))
            for era in eras]


@dataclass(frozen=True)
class PeriodPage:
    """What one period's page is given besides the timeline's own values (the declaration): the
    period (its events, its parts), the periods above it and the pages before and after it (links
    only: a page shows nothing else of them), and the tag it belongs to (None: the timeline's)."""

    period: Period
    trail: tuple[Link, ...]
    previous: Link | None
    next: Link | None
    base: str = ""  # '' for the timeline's periods, 'tags/SLUG/' for a tag's
    owner: Link | None = None

    @property
    def name(self) -> str:
        return f"{self.base}{self.period.path}index.html"


def period_pages(whole: Period, base: str = "", owner: Link | None = None) -> list[PeriodPage]:
    """Return a page per period of the whole, in time order, below `base` (a tag's periods are below
    tags/SLUG/); owner: the tag they belong to, or None for the timeline's own."""
    pages = list(whole.pages())
    links = [*(page.link for page in pages), None]  # links[-1]: before the first, after the last
    trail: dict[str, tuple[Link, ...]] = {}
    _trails(whole, (), trail)
    return [PeriodPage(period, trail[period.path], links[i - 1], links[i + 1], base, owner)
            for i, period in enumerate(pages)]


def render_periods(env: jinja2.Environment, site: Site, whole: Period, base: str = "",
                   owner: Link | None = None) -> Iterator[tuple[str, bytes]]:
    """Render a page per period of the whole (period_pages), each with its files (period_files)."""
    for page in period_pages(whole, base, owner):
        yield from period_files(env, site, page)


def period_files(env: jinja2.Environment, site: Site, page: PeriodPage) -> Iterator[tuple[str, bytes]]:
    """Render one period's page and, for a period of events of the timeline's own, its timeline.json
    (for an embed of it alone): both made from what the page is given."""
    period = page.period
    yield page.name, render_period(env, site, page)
    if page.owner is None and not period.parts:
        yield f"{period.path}timeline.json", period_timelinejs(site.title, period.label, period.events,
                                                              site.base_url, eras=site.eras)


def render_period(env: jinja2.Environment, site: Site, page: PeriodPage) -> bytes:
    """Render one period's page: where it is in the whole, its parts with their counts, its events by day."""
    period, owner, base = page.period, page.owner, page.base
    root = "../" * (base + period.path).count("/")
    title = f"{owner.label}: {period.label}" if owner else period.label
    context = {"timeline": site, "span": site.span, "root": root, "page": _page("period", base + period.path, title),
               "period": period, "trail": page.trail, "previous": page.previous, "next": page.next, "base": base,
               "owner": owner, "largest": max((part.count for part in period.parts), default=0)}
    days = PartMaker(env, "day.html", "day", context)
    shown = _in_order(period.own if period.parts else period.events, site)
    return _render(env, "period.html", {**context, "days": group_days(shown, eras=() if owner else site.eras),
                                        "render_days": days.once("render_days", "period.html")})


def _in_order(events: tuple[Event, ...], site: Site) -> tuple[Event, ...]:
    return events[::-1] if site.newest_first else events


def _trails(period: Period, above: tuple[Link, ...], found: dict[str, tuple[Link, ...]]) -> None:
    """Note, for every period's page, the periods above it (its place in the whole)."""
    found[period.path] = above
    below = (*above, period.link) if period.path else above
    for part in period.parts:
        _trails(part, below, found)


def render_event_page(env: jinja2.Environment, site: Site, events: tuple[Event, ...], index: int,
                      home: str = "") -> bytes:
    """Render one event's permanent page, with the events before and after it; home: the folder of
    the page of the timeline it is on ('' the index; its period's when the timeline is split)."""
    return _render(env, TEMPLATE_PAGES["event"], event_context(
        site, events[index], events[index - 1] if index > 0 else None,
        events[index + 1] if index + 1 < len(events) else None, home))


CARD = "card.html"
KEPT_CARDS = 20_000  # a card is 1.8 KB: at 100,000 events a process keeping them all holds 180 MB


class Cards:
    """Each event as the timeline shows it (card.html), rendered once for every page that lists it:
    the index or its period, and each of its tags' pages (as Hugo's cached partials are). A card is
    given the timeline's own values, its event, and a `root` that stands for the way to the site root,
    replaced by the page's own where the card is placed: it cannot depend on the page it is on.
    A card is kept while its event and the timeline's own values are the same (serve keeps them),
    for the KEPT_CARDS events made last: past that, the card kept longest is let go."""

    def __init__(self, env: jinja2.Environment):
        self.env = env
        self._made: dict[str, tuple[Event, Site, str]] = {}
        self._site: tuple[Any, Site] | None = None  # the last timeline given, and its own values

    def html(self, site: Site, event: Event) -> str:
        """Return the event's card, with the root still to be placed."""
        made = self._made.get(event.slug)
        if made is None or not (made[0] is event or made[0] == event) or not (made[1] is site or made[1] == site):
            text = _render_text(_template(self.env, CARD),
                                {"timeline": site, "span": site.span, "root": SITE_ROOT, "event": event})
            made = (event, site, *_around(text, event.body))
            if event.slug not in self._made and len(self._made) >= KEPT_CARDS:
                del self._made[next(iter(self._made))]
            self._made[event.slug] = made
            return text
        return made[2] + made[0].body + made[3] if len(made) == 4 else made[2]

    def placed(self, context: jinja2.runtime.Context, event: Event) -> Markup:
        """`card(event)` in a template: the event's card (its links start at the page's root once the page
        is rendered: _render_text)."""
        return Markup(self.html(self._site_of(context["timeline"]), event))

    def _site_of(self, timeline: Site | Timeline) -> Site:
        if isinstance(timeline, Site):  # a part's or an event page's: the timeline's own values already
            return timeline
        if self._site is None or self._site[0] is not timeline:  # a page given the whole timeline
            self._site = (timeline, site_of(timeline))
        return self._site[1]


def _around(text: str, body: str) -> tuple[str, ...]:
    """Return a card as the text before and after the event's body, which the event holds already
    (a card kept for each of 100,000 events is half its body), or whole when the body is not in it."""
    at = text.find(body) if body else -1
    return (text[:at], text[at + len(body):]) if at >= 0 else (text,)


class PartMaker:
    """Render a part template (day.html, citation.html) for each item a page template hands it:
    `render_days(days)` in the page gives the days' HTML. The context is the page's, with the
    timeline's own values only (a part shows its item, never another event)."""

    def __init__(self, env: jinja2.Environment, template: str, name: str, context: dict[str, Any]):
        self.env, self.template, self.name, self.context = env, template, name, context
        self._template: jinja2.Template | None = None
        self.calls = 0

    def make(self, item: Any) -> bytes:
        """Return one item's HTML."""
        if self._template is None:
            self._template = _template(self.env, self.template)
        return _render_template(self._template, {**self.context, self.name: item})

    def __call__(self, items) -> Markup:
        self.calls += 1
        return Markup(b"".join(map(self.make, items)).decode("utf-8"))

    def once(self, function: str, page: str):
        """Return self as a function a page may call once (render_days: the index splices its days)."""
        def call(items) -> Markup:
            if self.calls:
                raise ThemeError(page, None, f"template error: {function} may be used once a page")
            return self(items)
        return call
