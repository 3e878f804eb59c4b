"""The sources and tag pages made again from what the last build made (the reference:
chronicle.pages.render_pages, the same bytes).

`serve` renders these on every save, and at 10,000 events they list every
event again (the sources page, 25,000 citations; the tags, 15,000 events).
So the grouping is kept between builds (`Catalogue`) and updated from the
events that changed, found by comparing the old and new `timeline.events`
(Event objects of unchanged entries are the same objects), and every page and
part is reused while what it is made from (chronicle.render's declaration) is
unchanged.
"""

from __future__ import annotations

import re
from bisect import bisect_left, bisect_right
from dataclasses import replace
from functools import cached_property, partial
from itertools import accumulate
from operator import attrgetter, is_not
from typing import TYPE_CHECKING, Any, Callable, Collection, Iterable, Iterator, Sequence

from markupsafe import Markup

from ..dates import Precision
from ..model import SORT_KEY, Day, Event, Timeline, host_of, name_key, publisher_key, tag_slugs
from ..periods import Period, split
from ..pages import (CITATION_PART, DAY_PART, SOURCES_NAME, SOURCES_PAGE, TAG_PAGE, TAGS_PAGE, Citation, Publisher,
                     PUBLISHER_PAGE, PublisherPage, Tag, group_sources, group_tags, merge, part_context, publisher_context,
                     publisher_pages, render_publisher, render_publisher_index,
                     render_tag_overview, render_tag_page, render_tags_index, source_key, sources_context, tag_context,
                     tag_link)
from ..render import Site, _render_template, _template, period_pages, render_period
from ..model import group_days
from .writer import Part

if TYPE_CHECKING:
    import jinja2

_EVENTS = attrgetter("events")
_VALUE = attrgetter("value")
_AT_ONCE = 1000  # parts looked up in the build cache at a time, for a page not joined


# --------------------------------------------------------------------------- what changed

def _common_prefix(a: Sequence, b: Sequence, limit: int) -> int:
    """Return how many leading items a and b share, up to limit (slices compare in C, identity first)."""
    if a[:limit] == b[:limit]:
        return limit
    lo, hi = 0, limit  # a[:lo] == b[:lo] and a[:hi] != b[:hi]
    while hi - lo > 1:
        mid = (lo + hi) // 2
        if a[:mid] == b[:mid]:
            lo = mid
        else:
            hi = mid
    return lo


def _common_suffix(a: Sequence, b: Sequence, limit: int) -> int:
    """Return how many trailing items a and b share, up to limit."""
    na, nb = len(a), len(b)
    if limit <= 0 or a[na - limit:] == b[nb - limit:]:
        return max(limit, 0)
    lo, hi = 0, limit
    while hi - lo > 1:
        mid = (lo + hi) // 2
        if a[na - mid:] == b[nb - mid:]:
            lo = mid
        else:
            hi = mid
    return lo


def _common_ends(a: Sequence, b: Sequence) -> tuple[int, int]:
    """Return how many leading and trailing items a and b share (without overlapping)."""
    if len(a) == len(b):  # an edit: one pass in C over the pairs, by identity
        differs = list(map(is_not, a, b))
        if True not in differs:
            return len(a), 0
        return differs.index(True), differs[::-1].index(True)
    prefix = _common_prefix(a, b, min(len(a), len(b)))
    return prefix, _common_suffix(a, b, min(len(a), len(b)) - prefix)


def _changes(old: tuple[Event, ...], new: tuple[Event, ...]) -> tuple[list[Event], list[Event]]:
    """Return the events old has and new lacks, and those new has and old lacks.

    Only the stretch between the common beginning and the common end is
    looked at: one edited entry is found in one pass, done in C.
    """
    prefix, suffix = _common_ends(old, new)
    was, now = old[prefix:len(old) - suffix], new[prefix:len(new) - suffix]
    if not was or not now:
        return list(was), list(now)
    was_ids, now_ids = set(map(id, was)), set(map(id, now))
    return [e for e in was if id(e) not in now_ids], [e for e in now if id(e) not in was_ids]


def _insert(events: list[Event], event: Event) -> None:
    """Put event into a list kept in the contract's order (sort keys are unique: they end with the slug)."""
    events.insert(bisect_left(events, event.sort_key, key=SORT_KEY), event)


def _remove(events: list[Event], event: Event) -> None:
    """Take event (or the equal event standing for it) out of a list kept in the contract's order."""
    i = bisect_left(events, event.sort_key, key=SORT_KEY)
    if i < len(events) and events[i].sort_key == event.sort_key:
        del events[i]


# --------------------------------------------------------------------------- days of a tag

def _group(events: Sequence[Event], last_day) -> list[Day]:
    """Group events as the timeline does, continuing after a day-precision group dated last_day."""
    return list(group_days(events, last_day))


def splice_days(old_events: tuple[Event, ...], old_days: tuple[Day, ...],
                new_events: tuple[Event, ...]) -> tuple[Day, ...]:
    """Return group_days(new_events), regrouping only the days around what changed since old_events.

    Days outside the change are the old Day objects, so their cached HTML is
    found by a pointer comparison. Around it: the day before (an event may
    join it) through the first day-precision group after (its gap may change).
    """
    n_old, n_new = len(old_events), len(new_events)
    if not old_days or not new_events:
        return group_days(list(new_events))
    prefix, suffix = _common_ends(old_events, new_events)
    if prefix == n_old == n_new:
        return old_days
    ends = list(accumulate(map(len, map(_EVENTS, old_days))))
    first = bisect_right(ends, prefix - 1) if prefix else 0
    last = bisect_right(ends, n_old - suffix) if suffix else len(old_days) - 1
    last = min(last + 1, len(old_days) - 1)
    while last < len(old_days) - 1 and old_days[last].precision < Precision.DAY:
        last += 1
    start = ends[first - 1] if first else 0
    end = ends[last] + n_new - n_old
    last_day = None
    for day in reversed(old_days[:first]):
        if day.precision >= Precision.DAY and not day.when.qualifier:
            last_day = day.when.days()
            break
    before = {day.id: day for day in old_days[first:last + 1]}
    middle = []
    for day in _group(new_events[start:end], last_day):
        kept = before.get(day.id)
        middle.append(kept if kept == day else day)
    return old_days[:first] + tuple(middle) + old_days[last + 1:]


# --------------------------------------------------------------------------- the catalogue

class _Cited:
    """One citation as the catalogue keeps it: its events, and where it is filed."""

    __slots__ = ("events", "value", "group", "order")

    def __init__(self) -> None:
        self.events: list[Event] = []  # in the contract's order (oldest first)
        self.value: Citation | None = None
        self.group: str | None = None
        self.order: tuple | None = None


class _Group:
    """One publisher's citations, kept in page order."""

    __slots__ = ("orders", "keys", "value")

    def __init__(self) -> None:
        self.orders: list[tuple] = []  # sorted; parallel to keys
        self.keys: list[object] = []
        self.value: Publisher | None = None


class Catalogue:
    """The sources by publisher and the events by tag, updated from the events that changed.

    `update(events)` takes the timeline's events (in its order) and refreshes
    only the citations, publishers and tags those changes touch; unchanged
    ones keep their objects, so a page cache compares them by pointer.
    The result never depends on the history: it equals a catalogue built
    from nothing (tests/test_pages.py checks this).
    """

    def __init__(self, newest_first: bool, sources: bool = True, tags: bool = True):
        self.newest_first = newest_first
        self.keeps_sources, self.keeps_tags = sources, tags  # a worker process may need only one half
        self.events: tuple[Event, ...] = ()
        self._cited: dict[object, _Cited] = {}
        self._groups: dict[str, _Group] = {}
        self._unsourced: list[Event] = []
        self._tagged: dict[str, list[Event]] = {}
        self._tags: dict[str, Tag] = {}
        self.publishers: tuple[Publisher, ...] = ()
        self.unsourced: tuple[Event, ...] = ()
        self.tags: tuple[Tag, ...] = ()

    def _shown(self, events: Iterable[Event]) -> tuple[Event, ...]:
        """Return events (kept oldest first) in the timeline's order."""
        return tuple(reversed(events)) if self.newest_first else tuple(events)

    def update(self, events: tuple[Event, ...]) -> None:
        removed, added = _changes(self.events, events)
        self.events = events
        if not removed and not added:
            return
        dirty_keys: dict[object, None] = {}
        dirty_tags: dict[str, None] = {}
        unsourced = False
        sources, tags = self.keeps_sources, self.keeps_tags
        for event in removed:
            if sources and not event.sources:
                _remove(self._unsourced, event)
                unsourced = True
            for key in dict.fromkeys(map(source_key, event.sources)) if sources else ():
                _remove(self._cited[key].events, event)
                dirty_keys[key] = None
            for tag in dict.fromkeys(event.tags) if tags else ():
                _remove(self._tagged[tag], event)
                dirty_tags[tag] = None
        for event in added:
            if sources and not event.sources:
                _insert(self._unsourced, event)
                unsourced = True
            for key in dict.fromkeys(map(source_key, event.sources)) if sources else ():
                cited = self._cited.get(key)
                if cited is None:
                    cited = self._cited[key] = _Cited()
                _insert(cited.events, event)
                dirty_keys[key] = None
            for tag in dict.fromkeys(event.tags) if tags else ():
                self._tagged.setdefault(tag, [])
                _insert(self._tagged[tag], event)
                dirty_tags[tag] = None
        if unsourced:
            self.unsourced = self._shown(self._unsourced)
        if dirty_keys:
            self._refile(dirty_keys)
        if dirty_tags:
            self._retag(dirty_tags)

    # ------------------------------------------------------------------ sources

    def _refile(self, keys: Iterable[object]) -> None:
        dirty_groups: dict[str, None] = {}
        for key in keys:
            cited = self._cited[key]
            if cited.group is not None:  # take it out; it goes back below if still cited
                group = self._groups[cited.group]
                i = bisect_left(group.orders, cited.order)
                del group.orders[i], group.keys[i]
                dirty_groups[cited.group] = None
            if not cited.events:
                del self._cited[key]
                continue
            shown = self._shown(cited.events)
            # The source as the events citing it give it, the first one's fields first; and where the
            # first of them cites it among its sources: one walk.
            source, position = None, 0
            for event in shown:
                for i, candidate in enumerate(event.sources):
                    if source_key(candidate) == key:
                        if source is None:
                            source, position = candidate, i
                        else:
                            source = merge(source, candidate)
            assert source is not None
            citation = Citation(source, shown)
            if cited.value is None or cited.value != citation:
                cited.value = citation
            name = source.publisher or host_of(source.url or "")
            first = shown[0]
            # Page order: by the first event citing it in the timeline's order, then its place there.
            cited.order = (first.sort_key, -position if self.newest_first else position)
            cited.group = name.casefold()
            group = self._groups.get(cited.group)
            if group is None:
                group = self._groups[cited.group] = _Group()
            i = bisect_left(group.orders, cited.order)
            group.orders.insert(i, cited.order)
            group.keys.insert(i, key)
            dirty_groups[cited.group] = None
        for name in dirty_groups:
            group = self._groups[name]
            if not group.keys:
                del self._groups[name]
                continue
            citations = list(map(_VALUE, map(self._cited.__getitem__, group.keys)))
            group.value = Publisher("", "", tuple(reversed(citations)) if self.newest_first else tuple(citations))
        self._publishers()

    def _publishers(self) -> None:
        """Name, sort and give ids to the publishers (names: as their first citation writes them)."""
        names = {}
        for key, group in self._groups.items():
            first = group.value.citations[0].source
            names[key] = first.publisher or host_of(first.url or "")
        order = sorted(names, key=lambda key: (key == "", publisher_key(names[key]), name_key(names[key])))
        ids = tag_slugs(names[key] for key in order if key)
        publishers = []
        for key in order:
            group = self._groups[key]
            name, ident = names[key], (f"publisher-{ids[names[key]]}" if key else "unattributed")
            if group.value.name != name or group.value.id != ident:
                group.value = Publisher(name, ident, group.value.citations)
            publishers.append(group.value)
        self.publishers = tuple(publishers)

    # ------------------------------------------------------------------ tags

    def _retag(self, names: Iterable[str]) -> None:
        names = [name for name in names if self._tagged[name] or self._forget(name)]
        slugs = tag_slugs(self._tagged)
        for name in names:
            events = self._shown(self._tagged[name])
            old = self._tags.get(name)
            days = splice_days(old.events, old.days, events) if old else group_days(list(events))
            self._tags[name] = Tag(name, slugs[name], events, days)
        for name, tag in self._tags.items():  # a new tag may take another's slug (`-2`)
            if tag.slug != slugs[name]:
                self._tags[name] = replace(tag, slug=slugs[name])
        self.tags = tuple(self._tags[name] for name in sorted(self._tags, key=name_key))

    def _forget(self, name: str) -> bool:
        """Drop a tag no event has any more (and say it is gone)."""
        del self._tagged[name]
        self._tags.pop(name, None)
        return False


# --------------------------------------------------------------------------- rendering

class _Splicer:
    """Render a partial template once per item, reusing the HTML of unchanged items.

    A page template calls the returned function with a list of items; it gets
    back a marker, replaced by the items' HTML once the page is rendered, so a
    long page is not copied through Jinja on every save (as render_index does).
    `store` is kept between builds: `lists` maps a list (by its first item's
    key) to its items and their HTML; a list that changed reuses the HTML of
    its common beginning and end as they are, and looks up the rest in
    `items` (an item's key → the item and its HTML), rendering what changed.
    """

    _MARK = re.compile(rb"\x00chronicle-part-(\d+)\x00")

    def __init__(self, env: jinja2.Environment, part: str, context: dict[str, Any], name: str,
                 key: Any, store: dict[str, dict], fragments: Any = None, scope: str = "", joined: bool = True,
                 file: str | None = None):
        self.env, self.part, self.context, self.name, self.key = env, part, context, name, key
        self.store, self.joined, self.file = store, joined, file
        # The build cache's rendered items (cache.Fragments), for a build in a new process.
        self.fragments, self.kind = fragments, f"{part} {scope}"
        self.old_lists = store.get("lists") or {}
        self.lists: dict[object, tuple] = {}
        self.items: dict[object, tuple] = store.setdefault("items", {})
        store["lists"] = self.lists
        self.changed = False  # whether any list's HTML differs from last time
        self.spliced: list[Sequence] = []  # joined: each list's HTML; else its items, made in finish
        self._template: jinja2.Template | None = None
        self._live = 0

    def _one(self, item: Any) -> bytes:
        key = self.key(item)
        cached = self.items.get(key)
        if cached is None or (cached[0] is not item and cached[0] != item):
            cached = self.items[key] = (item, self._render(item))
        return cached[1]

    def _make(self, item: Any) -> bytes:
        if self._template is None:
            self._template = _template(self.env, self.part)
        return _render_template(self._template, {**self.context, self.name: item})

    def _render(self, item: Any) -> bytes:
        html = self._make(item)
        if self.fragments is not None:
            self.fragments.keep(self.kind, item, html)
        return html

    def __call__(self, items: Sequence[Any]) -> Markup:
        items = tuple(items)
        if not self.joined:  # made as the writer comes to them (finish), nothing kept
            return self._marker(items)
        whole = self.key(items[0]) if items else None
        old = self.old_lists.get(whole)
        if old is None and self.fragments is not None:
            missing = [item for item in items if self.key(item) not in self.items]
            for item, html in zip(missing, self.fragments.fetch(self.kind, missing)):
                if html is not None:
                    self.items[self.key(item)] = (item, html)
        if old is None:
            parts = [self._one(item) for item in items]
        elif old[0] is items or old[0] == items:
            parts = old[1]
        else:
            was, n_old, n_new = old[0], len(old[0]), len(items)
            prefix, suffix = _common_ends(was, items)
            parts = old[1][:prefix] + [self._one(item) for item in items[prefix:n_new - suffix]]
            parts += old[1][n_old - suffix:]
        # An edit that changes nothing the list shows (an event's text, on the sources page)
        # leaves the page as it was: no need to join megabytes again.
        self.changed = self.changed or old is None or (parts is not old[1] and parts != old[1])
        self.lists[whole] = (items, parts)
        self._live += len(items)
        return self._marker(parts)

    def _marker(self, spliced: Sequence) -> Markup:
        """Return what the template shows in place of a list (replaced by finish)."""
        self.spliced.append(spliced)
        return Markup(f"\x00chronicle-part-{len(self.spliced) - 1}\x00")

    def finish(self, page: bytes) -> bytes | Iterator[bytes]:
        """Return the page with its items' HTML in place of the markers; not joined: as its pieces,
        the items made a thousand at a time as they are asked for."""
        if not self.joined:
            return self._pieces(page)
        if len(self.items) > 2 * self._live + 64:  # drop the HTML of items gone for good
            live = {self.key(item) for items, _ in self.lists.values() for item in items}
            for key in [key for key in self.items if key not in live]:
                del self.items[key]
        if not self.spliced:
            return page
        last = self.store.get("page")
        if not self.changed and last is not None and last[0] == page and len(self.lists) == len(self.old_lists):
            return last[1]
        pieces = self._MARK.split(page)
        out = [pieces[0]]
        for i in range(1, len(pieces), 2):
            out += self.spliced[int(pieces[i])]
            out.append(pieces[i + 1])
        html = b"".join(out)
        self.store["page"] = (page, html)
        return html

    def _pieces(self, page: bytes) -> Iterator[bytes | Part]:
        pieces = self._MARK.split(page)
        yield pieces[0]
        for i in range(1, len(pieces), 2):
            items = self.spliced[int(pieces[i])]
            if self.fragments is not None:  # as output/'s file holds them, else as the cache does, else made
                yield from self.fragments.parts(self.kind, items, self._make, self.file, _AT_ONCE)
            else:
                yield from map(self._make, items)
            yield pieces[i + 1]


def _has_template(env: jinja2.Environment, name: str, cache: dict[str, object]) -> bool:
    """Tell whether the theme has a template (a theme may leave these pages out)."""
    known = cache.get("templates")
    if not isinstance(known, tuple) or known[0] is not env:
        known = (env, frozenset(env.list_templates()))
        cache["templates"] = known
    return name in known[1]


def render_pages(env: jinja2.Environment, timeline: Timeline, site: Site,
                 cache: dict[str, object], share: tuple[int, int] | None = None,
                 fragments: Any = None, sources: bool = True, tags: bool = True, tag_pages: bool = True,
                 skip: Collection[str] = (), joined: bool = True,
                 check: Callable[[], None] = lambda: None) -> dict[str, bytes | Iterator[bytes]]:
    """Return what chronicle.pages.render_pages returns, reusing what the last build made.

    `cache` is kept between builds (`serve` renders on every save): the
    catalogue is updated from the events that changed, each page is reused
    while what it is given is unchanged, and within a page each cited source
    (citation.html) and each day of a tag (day.html) is reused while it is
    unchanged, so one edit re-renders a few parts, not 10,000 events.

    sources, tags, tag_pages: whether to make the sources page, the tags index and the tag
    pages (a worker process makes some of them, engine.Engine.render_parallel, and
    makes only the half of the catalogue they show); share (k, n): only the tag pages
    k, k + n, k + 2n …; skip: the names of pages not to make (kept as they are);
    fragments: the build cache's rendered citations and days (store.Fragments), or None;
    joined=False (a build run once): the sources and tag pages as their pieces, each part
    made as a writer comes to it, nothing kept in `cache` but the catalogue's halves.
    check: called before each publisher's and tag's pages; it may raise to stop (engine.Cancelled):
    `cache` then keeps every page and part made so far with those kept before (_keep).
    """
    # Every page and part is given the timeline's own values (render.Site): when they change,
    # nothing is reused.
    if cache.get("site") != site:
        cache.clear()  # the catalogue too: its events compare equal across timezones, not their dates as shown
        cache["site"] = site
    files: dict[str, bytes] = {}
    if sources and _has_template(env, SOURCES_PAGE, cache):
        cited = _catalogue(cache, "catalogue of sources", timeline, sources=True, tags=False, joined=joined)
        if sum(publisher.count for publisher in cited.publishers) > site.page_events:
            # An index of publishers and a page each: small pages, made whole, each kept while
            # what it is given (PublisherPage) is the same.
            files.update(_publisher_pages(env, timeline, site, cited, cache, skip, joined, check))
        elif SOURCES_NAME not in skip:
            files[SOURCES_NAME] = _sources_page(env, timeline, site, cited, cache, fragments, joined)
    if not (tags or tag_pages):
        return files
    tagged = _catalogue(cache, "catalogue of tags", timeline, sources=False, tags=True, joined=joined)
    if tags and _has_template(env, TAGS_PAGE, cache):
        files["tags/index.html"] = _tags_page(env, timeline, site, tagged, cache)
    if tag_pages and _has_template(env, TAG_PAGE, cache):
        tags = tagged.tags if share is None else tagged.tags[share[0]::share[1]]
        files.update(_tag_pages(env, site, tags, cache, fragments, joined, skip, check))
    return files


class Grouped:
    """The catalogue as the reference makes it (pages.group_sources, group_tags), each half when it
    is first asked for: for a build run once, where nothing is kept to update (Catalogue is for
    serve, and costs more made from nothing). sources: that half, made already (group_sources)."""

    def __init__(self, timeline: Timeline,
                 sources: tuple[tuple[Publisher, ...], tuple[Event, ...]] | None = None):
        self.events, self.newest_first = timeline.events, timeline.newest_first
        if sources is not None:
            self.__dict__["sources"] = sources

    @cached_property
    def sources(self) -> tuple[tuple[Publisher, ...], tuple[Event, ...]]:
        return group_sources(self.events, self.newest_first)

    @property
    def publishers(self) -> tuple[Publisher, ...]:
        return self.sources[0]

    @property
    def unsourced(self) -> tuple[Event, ...]:
        return self.sources[1]

    @cached_property
    def tags(self) -> tuple[Tag, ...]:
        return group_tags(self.events)


def _catalogue(cache: dict[str, object], name: str, timeline: Timeline, sources: bool, tags: bool,
               joined: bool = True) -> Catalogue | Grouped:
    """Return one half of the catalogue (its sources, or its tags), kept in cache as name and
    brought up to the timeline's events: a process makes only the half its pages show. A build
    run once (not joined) keeps nothing to update: the reference's grouping (Grouped)."""
    if not joined:
        grouped = cache.get("catalogue grouped")
        if not isinstance(grouped, Grouped) or grouped.events is not timeline.events:
            grouped = cache["catalogue grouped"] = Grouped(timeline)
        return grouped
    catalogue = cache.get(name)
    if not isinstance(catalogue, Catalogue) or catalogue.newest_first != timeline.newest_first:
        catalogue = cache[name] = Catalogue(timeline.newest_first, sources, tags)
    catalogue.update(timeline.events)
    return catalogue


def _sources_page(env: jinja2.Environment, timeline: Timeline, site: Site, catalogue: Catalogue,
                  cache: dict[str, object], fragments: Any = None, joined: bool = True) -> bytes | Iterator[bytes]:
    key = timeline.events  # the page is given the whole timeline: its own values (site) and its events
    cached = cache.get("sources")
    if isinstance(cached, tuple) and cached[0] == key:
        return cached[1]
    context = sources_context(timeline, site, catalogue.publishers, catalogue.unsourced)
    splicer = _Splicer(env, CITATION_PART, part_context(context, site), "citation", lambda c: source_key(c.source),
                       cache.setdefault("citations", {}) if joined else {}, fragments, joined=joined,
                       file=SOURCES_NAME)
    html = splicer.finish(_render_template(_template(env, SOURCES_PAGE), {**context, "render_citations": splicer}))
    if joined:
        cache["sources"] = (key, html)
    return html


def _tags_page(env: jinja2.Environment, timeline: Timeline, site: Site, catalogue: Catalogue,
               cache: dict[str, object]) -> bytes:
    key = timeline.events
    cached = cache.get("tags")
    if isinstance(cached, tuple) and cached[0] == key:
        return cached[1]
    html = render_tags_index(env, timeline, site, catalogue.tags)
    cache["tags"] = (key, html)
    return html


def _publisher_pages(env: jinja2.Environment, timeline: Timeline, site: Site, catalogue: Catalogue,
                     cache: dict[str, object], skip: Collection[str],
                     joined: bool, check: Callable[[], None] = lambda: None) -> dict[str, bytes | Iterator[bytes]]:
    """Return the index of publishers (given the whole timeline: kept while its events are the same)
    and each publisher's pages not in skip, each kept while what it is given is the same."""
    files = {}
    if SOURCES_NAME not in skip:
        cached = cache.get("publisher index")
        if not (isinstance(cached, tuple) and cached[0] == timeline.events):
            context = sources_context(timeline, site, catalogue.publishers, catalogue.unsourced)
            cached = (timeline.events, render_publisher_index(env, context))
        cache["publisher index"] = cached
        files[SOURCES_NAME] = cached[1]
    old, old_citations = cache.get("publisher pages") or {}, cache.get("publisher citations") or {}
    kept: dict[str, tuple[PublisherPage, bytes]] = {}
    citations: dict[str, dict] = {}  # each page's citations' HTML (_Splicer), while serve runs
    stopped = True
    try:
        for page in publisher_pages(catalogue.publishers, site.page_events):
            check()
            if page.name in skip:
                continue
            if not joined:  # a build run once: each page made when it is written, then let go
                files[page.name] = _when_written(partial(render_publisher, env, site, page))
                continue
            made = old.get(page.name)
            citations[page.name] = store = old_citations.get(page.name) or {}
            if made is None or made[0] != page:
                made = (page, _publisher_page(env, site, page, store))
            kept[page.name] = made
            files[page.name] = made[1]
        stopped = False
    finally:
        if joined:
            _keep(cache, {"publisher pages": kept, "publisher citations": citations}, stopped)
    return files


def _publisher_page(env: jinja2.Environment, site: Site, page: PublisherPage, store: dict[str, dict]) -> bytes:
    """Render a publisher's page as pages.render_publisher does, each citation's HTML reused while
    the citation is the same (a save changes one or two of its 500)."""
    context = publisher_context(site, page)
    splicer = _Splicer(env, CITATION_PART, part_context(context, site), "citation", lambda c: source_key(c.source),
                       store, file=page.name)
    return splicer.finish(_render_template(_template(env, PUBLISHER_PAGE), {**context, "render_citations": splicer}))


def _tag_period_makers(env: jinja2.Environment, site: Site, tag: Tag, whole: Period,
                       skip: Collection[str]) -> Iterator[tuple[str, object, Callable[[], bytes]]]:
    """Yield a split tag's overview and its periods' pages not in skip: each name, what it is made
    from (the tag; a PeriodPage) and its maker."""
    name = f"{tag.url}index.html"
    if name not in skip:
        yield name, tag, partial(render_tag_overview, env, site, tag, whole)
    for page in period_pages(whole, tag.url, tag_link(tag)):
        if page.name not in skip:
            yield page.name, page, partial(render_period, env, site, page)


def _tag_periods(env: jinja2.Environment, site: Site, tag: Tag, whole: Period, made: dict[str, tuple],
                 skip: Collection[str]) -> Iterator[tuple[str, tuple[object, bytes]]]:
    """Yield a split tag's overview (kept while the tag is the same object) and its periods' pages
    (each kept while what it is given, PeriodPage, is the same) not in skip, with their keys."""
    for name, given, render in _tag_period_makers(env, site, tag, whole, skip):
        cached = made.get(name)
        same = cached is not None and (cached[0] is given or (given is not tag and cached[0] == given))
        yield name, cached if same else (given, render())


def _tag_periods_later(env: jinja2.Environment, site: Site, tag: Tag, whole: Period,
                       skip: Collection[str]) -> dict[str, Iterator[bytes]]:
    """Return a split tag's overview and its periods' pages not in skip, each as one piece made when
    a writer comes to it and let go once written (100,000 events: a tag's pages are 100 MB)."""
    return {name: _when_written(render) for name, _, render in _tag_period_makers(env, site, tag, whole, skip)}


def _when_written(render: Callable[[], bytes]) -> Iterator[bytes]:
    yield render()


def _tag_pages(env: jinja2.Environment, site: Site, tags: Sequence[Tag], cache: dict[str, object],
               fragments: Any = None, joined: bool = True,
               skip: Collection[str] = (), check: Callable[[], None] = lambda: None) -> dict[str, bytes | Iterator[bytes]]:
    old_pages = cache.get("tag_pages") or {}
    old_days = cache.get("tag_days") or {}
    old_split = cache.get("tag_split") or {}
    old_wholes = cache.get("tag_wholes") or {}
    wholes: dict[str, tuple[tuple[Event, ...], Period | None]] = {}  # each tag's periods, while its events are the same
    pages: dict[str, tuple[Tag, bytes]] = {}
    days: dict[str, dict] = {}
    split_pages: dict[str, tuple[object, bytes]] = {}
    files: dict[str, bytes] = {}
    stopped = True
    try:
        _make_tag_pages(env, site, tags, fragments, joined, skip, check, (old_pages, old_days, old_split, old_wholes),
                        (pages, days, split_pages, wholes), files)
        stopped = False
    finally:
        if joined:
            _keep(cache, {"tag_pages": pages, "tag_days": days, "tag_split": split_pages, "tag_wholes": wholes}, stopped)
    return files


def _make_tag_pages(env: jinja2.Environment, site: Site, tags: Sequence[Tag], fragments: Any, joined: bool,
                    skip: Collection[str], check: Callable[[], None], old: tuple[dict, ...], new: tuple[dict, ...],
                    files: dict[str, bytes | Iterator[bytes]]) -> None:
    """Make _tag_pages' files, each part kept in `new` (pages, days, split pages, wholes) or taken
    from `old`, where it was kept while its tag is the same."""
    old_pages, old_days, old_split, old_wholes = old
    pages, days, split_pages, wholes = new
    for tag in tags:
        check()
        known = old_wholes.get(tag.name)
        if known is None or known[0] is not tag.events:
            known = (tag.events, split(tag.events, site.page_events))
        wholes[tag.name] = known
        whole = known[1]
        if whole is not None and not joined:  # a build run once: each page made when it is written
            files.update(_tag_periods_later(env, site, tag, whole, skip))
            continue
        if whole is not None:  # past page_events: an overview and its periods' pages, made whole
            for name, made in _tag_periods(env, site, tag, whole, old_split, skip):
                split_pages[name] = made
                files[name] = made[1]
            continue
        if f"{tag.url}index.html" in skip:
            continue
        cached = old_pages.get(tag.name)
        if cached is None or cached[0] is not tag:
            store = old_days.get(tag.name) or {}
            splicer = _Splicer(env, DAY_PART, part_context(tag_context(site, tag), site), "day", attrgetter("id"),
                               store, fragments, tag.name, joined, f"{tag.url}index.html")
            cached = (tag, splicer.finish(render_tag_page(env, site, tag, splicer)))
            days[tag.name] = store
        else:
            days[tag.name] = old_days.get(tag.name) or {}
        pages[tag.name] = cached
        files[f"{tag.url}index.html"] = cached[1]


def _keep(cache: dict[str, object], made: dict[str, dict], stopped: bool) -> None:
    """Keep what a build made for the next one: the parts of its pages (those of pages it no longer
    has let go) or, when it stopped half-way (engine.Cancelled), what it made over what was kept, so
    that the next build makes none of them again (each is checked against what it is given)."""
    for name, parts in made.items():
        cache[name] = {**(cache.get(name) or {}), **parts} if stopped else parts
