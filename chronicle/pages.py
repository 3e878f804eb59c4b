"""Pages beyond the timeline: the sources index and the tag pages, rendered from the theme."""

from __future__ import annotations

from dataclasses import dataclass, field, replace
from functools import cached_property
from itertools import chain
from operator import attrgetter
from typing import TYPE_CHECKING, Any, Iterable, Iterator

from .dates import When
from .model import SORT_KEY, Day, Event, Source, Timeline, host_of, name_key, publisher_key, tag_slugs
from .periods import Link, Period, split
from .render import PartMaker, Site, _render_template, _template, overview_context, render_periods, span_between
from .model import group_days

if TYPE_CHECKING:
    import jinja2

SOURCES_PAGE, TAGS_PAGE, TAG_PAGE = "sources.html", "tags.html", "tag.html"
SOURCES_NAME = "sources/index.html"  # the sources page in the output
PUBLISHER_PAGE = "publisher.html"  # one publisher's sources, when the sources page is split into pages
CITATION_PART, DAY_PART = "citation.html", "day.html"

_EVENTS = attrgetter("events")


@dataclass(frozen=True)
class Citation:
    """One source as the sources page lists it: a URL cited by several events is one citation."""

    source: Source  # each field as the first event in the timeline's order that gives it
    events: tuple[Event, ...]  # every event citing it, in the timeline's order


@dataclass(frozen=True)
class Publisher:
    """The citations of one publisher (or, when none is named, of one host) on the sources page."""

    name: str  # as its first citation writes it; the host; '' for text sources naming neither
    id: str  # the id of its section on the sources page
    citations: tuple[Citation, ...]

    @property
    def count(self) -> int:
        return len(self.citations)

    @cached_property
    def events(self) -> int:
        """Return how many events cite this publisher."""
        return len(set(map(id, chain.from_iterable(map(_EVENTS, self.citations)))))


@dataclass(frozen=True)
class Tag:
    """One tag, its events in the timeline's order, and those grouped as the timeline groups them."""

    name: str
    slug: str  # its URL name (model.tag_slugs, collisions resolved): the page is tags/SLUG/
    events: tuple[Event, ...]
    grouped: tuple[Day, ...] | None = field(default=None, repr=False, compare=False)  # its days, made already

    @cached_property
    def days(self) -> tuple[Day, ...]:
        """Return the tag's events as days, with the gaps between the tag's own days: made when first
        asked for (a tag past page_events is shown by periods, which group their own)."""
        return self.grouped if self.grouped is not None else group_days(self.events)

    @property
    def url(self) -> str:
        return f"tags/{self.slug}/"

    @property
    def count(self) -> int:
        return len(self.events)

    @cached_property
    def span(self) -> str:
        """Return the span the tag's events cover, such as '28–31 October 2024'."""
        if not self.events:
            return ""
        # In the contract's order the first event starts first; only ends need a look.
        first, last = sorted((self.events[0], self.events[-1]), key=SORT_KEY)
        ends = [event.end for event in self.events if event.end is not None]
        return span_between(first.start, max([last.start, *ends], key=When.sort_key))


# --------------------------------------------------------------------------- the catalogue

def source_key(source: Source) -> object:
    """What makes two citations one: the URL; a source without URL is one per distinct value."""
    return source.url or source


def merge(first: Source, other: Source) -> Source:
    """Fill what first leaves out with what other gives (the same URL, cited again)."""
    missing = {name: getattr(other, name) for name in ("title", "publisher", "date", "archive")
               if getattr(first, name) is None and getattr(other, name) is not None}
    return replace(first, **missing) if missing else first


def publisher_of(source: Source) -> str:
    """Return the name a citation is filed under: its publisher, else its host ('' for neither)."""
    return source.publisher or host_of(source.url or "")


def name_publishers(groups: dict[str, tuple[Citation, ...]]) -> tuple[Publisher, ...]:
    """Return the publishers of citations grouped by their folded name, sorted by name (the
    group without one last), named as their first citation writes it, each with its section's id."""
    names = {key: publisher_of(citations[0].source) for key, citations in groups.items()}
    order = sorted(names, key=lambda key: (key == "", publisher_key(names[key]), name_key(names[key])))
    ids = tag_slugs(names[key] for key in order if key)
    return tuple(Publisher(names[key], f"publisher-{ids[names[key]]}" if key else "unattributed", groups[key])
                 for key in order)


def group_sources(events: Iterable[Event],
                  newest_first: bool = False) -> tuple[tuple[Publisher, ...], tuple[Event, ...]]:
    """Return every source cited, grouped by publisher, and the events citing none (timeline order).

    A URL cited by several events is one citation listing all of them, each
    field taken from the first event that gives it; a source without URL is
    one citation per distinct value. Publishers are sorted by name, case-folded
    (a source without publisher goes under its host); the group of text sources
    naming no publisher comes last. Within a group, citations come in the order
    of the first event citing them, then of their place among its sources.
    """
    events = tuple(events)
    found: dict[object, tuple[Source, list[Event], int]] = {}
    for event in events:
        for position, source in enumerate(event.sources):
            key = source_key(source)
            if key not in found:
                found[key] = (source, [event], position)
                continue
            first, citing, place = found[key]
            if citing[-1] is not event:
                citing.append(event)
            found[key] = (merge(first, source), citing, place)
    groups: dict[str, list[tuple[tuple, Citation]]] = {}
    for source, citing, position in found.values():
        order = (citing[0].sort_key, -position if newest_first else position)
        groups.setdefault(publisher_of(source).casefold(), []).append((order, Citation(source, tuple(citing))))
    ordered = {}
    for key, citations in groups.items():
        citations.sort(key=lambda pair: pair[0], reverse=newest_first)
        ordered[key] = tuple(citation for _, citation in citations)
    return name_publishers(ordered), tuple(event for event in events if not event.sources)


def group_tags(events: tuple[Event, ...]) -> tuple[Tag, ...]:
    """Return every tag, sorted by name (model.name_key), with its events (Tag.days: their days)."""
    tagged: dict[str, list[Event]] = {}
    for event in events:
        for name in dict.fromkeys(event.tags):
            tagged.setdefault(name, []).append(event)
    slugs = tag_slugs(tagged)
    return tuple(Tag(name, slugs[name], tuple(tagged[name])) for name in sorted(tagged, key=name_key))


# --------------------------------------------------------------------------- rendering

def sources_context(timeline: Timeline, site: Site, publishers: tuple[Publisher, ...],
                    unsourced: tuple[Event, ...]) -> dict[str, Any]:
    return {"timeline": timeline, "span": site.span, "root": "../",
            "page": {"kind": "sources", "path": "sources/", "title": "Sources"},
            "publishers": publishers, "unsourced": unsourced,
            "cited_events": len(timeline.events) - len(unsourced),
            "source_count": sum(p.count for p in publishers)}


def tag_context(site: Site, tag: Tag) -> dict[str, Any]:
    return {"timeline": site, "span": site.span, "root": "../../",
            "page": {"kind": "tag", "path": tag.url, "title": tag.name}, "tag": tag}


def part_context(page: dict[str, Any], site: Site) -> dict[str, Any]:
    """Return what a part (a day, a citation) of a page is given: the page's root and page, and
    the timeline's own values, never its events."""
    return {"timeline": site, "span": site.span, "root": page["root"], "page": page["page"]}


def render_pages(env: jinja2.Environment, timeline: Timeline, site: Site) -> Iterator[tuple[str, bytes]]:
    """Render sources/index.html, tags/index.html and tags/TAG/index.html, one (path, bytes) at a time,
    each when the theme has its template (a theme may leave these pages out)."""
    templates = set(env.list_templates())
    if SOURCES_PAGE in templates:
        publishers, unsourced = group_sources(timeline.events, timeline.newest_first)
        context = sources_context(timeline, site, publishers, unsourced)
        if sum(publisher.count for publisher in publishers) > site.page_events:
            yield from render_publishers(env, site, context)
        else:
            citations = PartMaker(env, CITATION_PART, "citation", part_context(context, site))
            yield SOURCES_NAME, _render_template(_template(env, SOURCES_PAGE),
                                                 {**context, "render_citations": citations})
    tags = group_tags(timeline.events)
    if TAGS_PAGE in templates:
        yield "tags/index.html", render_tags_index(env, timeline, site, tags)
    if TAG_PAGE in templates:
        for tag in tags:
            whole = split(tag.events, site.page_events)
            if whole is None:
                yield f"{tag.url}index.html", render_tag_page(env, site, tag)
            else:
                yield from render_tag_split(env, site, tag, whole)


def render_tags_index(env: jinja2.Environment, timeline: Timeline, site: Site, tags: tuple[Tag, ...]) -> bytes:
    return _render_template(_template(env, TAGS_PAGE), {
        "timeline": timeline, "span": site.span, "root": "../",
        "page": {"kind": "tags", "path": "tags/", "title": "Tags"}, "tags": tags})


@dataclass(frozen=True)
class Heading:
    """A publisher as its own pages head it: its name, its section's id, how many sources it has
    and how many events cite them (not its citations: a page lists its share of them)."""

    name: str
    id: str
    count: int
    events: int


@dataclass(frozen=True)
class PublisherPage:
    """What one page of a publisher's sources is given besides the timeline's own values (the
    declaration): the publisher's heading, its citations on this page, which part of how many."""

    publisher: Heading
    citations: tuple[Citation, ...]
    part: int  # from 1
    parts: int

    @property
    def path(self) -> str:
        return self.part_path(self.part)

    @property
    def name(self) -> str:
        return f"{self.path}index.html"

    def part_path(self, n: int) -> str:
        return f"sources/{self.publisher.id}/" + (f"{n}/" if n > 1 else "")


def publisher_pages(publishers: tuple[Publisher, ...], limit: int) -> list[PublisherPage]:
    """Return the pages of a split sources page: each publisher's citations cut into parts of
    `limit`: sources/ID/, sources/ID/2/ …"""
    pages = []
    for publisher in publishers:
        heading = Heading(publisher.name, publisher.id, publisher.count, publisher.events)
        chunks = [publisher.citations[start:start + limit] for start in range(0, publisher.count, limit)]
        pages += [PublisherPage(heading, chunk, n, len(chunks)) for n, chunk in enumerate(chunks, 1)]
    return pages


def render_publishers(env: jinja2.Environment, site: Site, context: dict[str, Any]) -> Iterator[tuple[str, bytes]]:
    """Render the sources of a timeline citing more than page_events sources as an index of its
    publishers (sources/index.html, `split` true) and a page per publisher (publisher_pages), each
    from publisher.html."""
    yield SOURCES_NAME, render_publisher_index(env, context)
    for page in publisher_pages(context["publishers"], site.page_events):
        yield page.name, render_publisher(env, site, page)


def render_publisher_index(env: jinja2.Environment, context: dict[str, Any]) -> bytes:
    """Render sources/index.html as the index of its publishers (`split` true)."""
    return _render_template(_template(env, SOURCES_PAGE), {
        **context, "split": True, "render_citations": PartMaker(env, CITATION_PART, "citation", context)})


def publisher_context(site: Site, page: PublisherPage) -> dict[str, Any]:
    path, publisher = page.path, page.publisher
    return {"timeline": site, "span": site.span, "root": "../" * path.count("/"),
            "page": {"kind": "publisher", "path": path, "title": publisher.name or "No publisher named"},
            "publisher": publisher, "citations": page.citations, "part": page.part, "parts": page.parts,
            "part_paths": [page.part_path(k) for k in range(1, page.parts + 1)]}


def render_publisher(env: jinja2.Environment, site: Site, page: PublisherPage) -> bytes:
    """Render one page of a publisher's sources."""
    context = publisher_context(site, page)
    citations = PartMaker(env, CITATION_PART, "citation", part_context(context, site))
    return _render_template(_template(env, PUBLISHER_PAGE), {**context, "render_citations": citations})


def render_tag_split(env: jinja2.Environment, site: Site, tag: Tag, whole: Period) -> Iterator[tuple[str, bytes]]:
    """Render a tag past page_events events as the timeline is then: its page an overview of its
    periods and its first (or latest) period's events, then a page per period below tags/SLUG/."""
    yield f"{tag.url}index.html", render_tag_overview(env, site, tag, whole)
    yield from render_periods(env, site, whole, tag.url, tag_link(tag))


def tag_link(tag: Tag) -> Link:
    """Return a tag as its periods' pages link to it (their `owner`)."""
    return Link(tag.url, tag.name)


def render_tag_overview(env: jinja2.Environment, site: Site, tag: Tag, whole: Period) -> bytes:
    """Render the page of a tag past page_events events: an overview of its periods and its first
    (or latest) period's events."""
    return _render_template(_template(env, TAG_PAGE), overview_context(env, site, whole, tag_context(site, tag), TAG_PAGE))


def render_tag_page(env: jinja2.Environment, site: Site, tag: Tag, days: PartMaker | None = None) -> bytes:
    """Render one tag's page; days: the maker of its days (the engine's, which reuses them)."""
    context = tag_context(site, tag)
    days = days or PartMaker(env, DAY_PART, "day", part_context(context, site))
    return _render_template(_template(env, TAG_PAGE), {**context, "render_days": days})
