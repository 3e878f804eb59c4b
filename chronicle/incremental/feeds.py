"""The feeds made again from what the last build made: each event's share of each long file
kept while the event is the same value, and streamed a thousand events at a time for a build
run once (the reference: chronicle.feeds.render_feeds, the same bytes). The Atom feeds hold
the most recent events only (feeds.recent): each is joined again from the kept entries, a few
dozen, whenever an entry changed, and is the same bytes object when it came out the same."""

from __future__ import annotations

import hashlib
import operator
from datetime import datetime
from itertools import compress
from typing import Any, Iterator

from ..feeds import (_EPOCH, _FILES, _JSON_SEPARATOR, _STAMP, ATOM_TAIL, _Fragments, _Site, atom_feed, atom_feeds,
                     atom_head, event_fragments, feed_events, feed_files, feed_site, in_calendars, recent, robots,
                     utc_stamp)
from ..model import Event, Timeline
from ..render import site_of
from .writer import Part

_STREAMED = 1000  # events at a time (stream_feeds)


def _position(share: str, index: int) -> int:
    """Return where event number index sits in a file's list (after the head; JSON has separators)."""
    return 1 + 2 * index if share == "timelinejs" else 1 + index


def _chunks(share: str, parts: list[_Fragments]) -> list[bytes]:
    """Return a file's list: a place for the head, every event's fragment, a place for the tail."""
    items = list(map(operator.attrgetter(share), parts))
    if share == "timelinejs" and items:
        separated = [_JSON_SEPARATOR] * (2 * len(items) - 1)
        separated[::2] = items
        items = separated
    return [b"", *items, b""]


def _value(part: _Fragments) -> tuple:
    """Return an event's fragments as plain values, for the build cache."""
    return (part.atom, part.ics, part.timelinejs, part.sitemap, part.stamp.isoformat())


def _from_value(event: Event, value: object) -> _Fragments | None:
    """Return the fragments kept by _value, or None when value is not such a thing."""
    if not (isinstance(value, tuple) and len(value) == 5 and all(isinstance(v, bytes) for v in value[:4])
            and isinstance(value[4], str)):
        return None
    try:
        stamp = datetime.fromisoformat(value[4])
    except ValueError:
        return None
    return _Fragments(event, *value[:4], stamp)


def _parts(events: tuple[Event, ...], site: _Site, stored: Any, known: dict[str, _Fragments]) -> list[_Fragments]:
    """Return the events' fragments: known's (by slug) where made from the same event, else the build
    cache's (stored, looked up when known is empty), else rendered (and kept in stored)."""
    if stored is not None and not known:
        known = {event.slug: part for event, value in zip(events, stored.fetch_values("feeds", list(events)))
                 if (part := _from_value(event, value)) is not None}
    parts = []
    for event in events:
        part = known.get(event.slug)
        if part is None or (part.event is not event and part.event != event):
            part = event_fragments(event, site, part)
            if stored is not None:
                stored.keep_value("feeds", event, _value(part))
        parts.append(part)
    return parts


_AtomFeed = tuple[tuple[object, ...], bytes]  # what a feed was made from (its tag, latest, entries), its bytes


def _atom_files(timeline: Timeline, site: _Site, parts: list[_Fragments],
                before: dict[str, _AtomFeed]) -> dict[str, _AtomFeed]:
    """Return every Atom feed (feeds.atom_feeds) made from the events' fragments (parts, in the
    timeline's order), by name: before's where made from the same tag, latest stamp and entries
    (the same objects); the timeline's own values being the same is the caller's to know."""
    size = feed_events(timeline)
    tagged: dict[str, list[_Fragments]] = {}
    for event, part in zip(timeline.events, parts):
        for tag in dict.fromkeys(event.tags):
            tagged.setdefault(tag, []).append(part)
    made = {}
    for name, tag, _ in atom_feeds(timeline):
        group = parts if tag is None else tagged[tag]
        latest = max(map(_STAMP, group), default=_EPOCH)
        # An event before AD 1 has no entry (feeds.in_calendars).
        entries = [part.atom for part in recent((part for part in group if part.atom), size, _STAMP)]
        old = before.get(name)
        if old is not None and old[0][:2] == (tag, latest) and len(old[0]) - 2 == len(entries) and \
                all(map(operator.is_, old[0][2:], entries)):
            made[name] = old
        else:
            made[name] = ((tag, latest, *entries), atom_feed(timeline, site, name, tag, latest, entries))
    return made


class _State:
    """What the last build rendered: its events, their fragments, each file's list and bytes."""

    def __init__(self, site: _Site, stored: Any = None):
        self.site = site
        self.stored = stored  # the build cache's fragments (cache.Fragments), for a first build
        self.events: tuple[Event, ...] | None = None
        self.parts: list[_Fragments] = []
        self.by_slug: dict[str, _Fragments] = {}
        self.chunks: dict[str, list[bytes]] = {}
        self.ends: dict[str, object] = {}  # what each file's head and tail were made from
        self.files: dict[str, bytes] = {}
        self.atom: dict[str, _AtomFeed] = {}  # the Atom feeds, as _atom_files made them

    def update(self, events: tuple[Event, ...]) -> set[str]:
        """Bring the fragments up to events; return the fields whose fragments changed."""
        old = self.events
        if old is not None and len(old) == len(events):
            # Most rebuilds change an event or two in place: find them in one C-speed scan.
            moved = list(compress(range(len(events)), map(operator.is_not, events, old)))
            if all(events[i].slug == old[i].slug for i in moved):
                changed: set[str] = set()
                for i in moved:
                    before = self.parts[i]
                    if before.event == events[i]:
                        continue  # read again, the same value: keep every fragment
                    part = event_fragments(events[i], self.site, before)
                    self.parts[i] = self.by_slug[part.event.slug] = part
                    if part.atom is not before.atom:
                        changed.add("atom")
                    for share, chunks in self.chunks.items():
                        data = getattr(part, share)
                        if data is not getattr(before, share):
                            chunks[_position(share, i)] = data
                            changed.add(share)
                self.events = events
                return changed
        # Events added, removed or moved: every list is made again, from fragments kept by slug.
        parts = _parts(events, self.site, self.stored, self.by_slug)
        self.events, self.parts = events, parts
        self.by_slug = {part.event.slug: part for part in parts}
        self.chunks = {share: _chunks(share, parts) for share, _ in _FILES.values()}
        return {*self.chunks, "atom"}


def render_feeds(timeline: Timeline, epoch: datetime | None, cache: dict[str, object], stored: Any = None) -> dict[str, bytes]:
    """Return feed.xml and every tag's feed, calendar.ics, timeline.json, robots.txt and (with a
    base_url) sitemap.xml.

    cache is kept by the Builder between builds: each event's fragments are
    kept and reused while the event is the same value, and a file none of
    whose parts changed is the same bytes object as last time. stored: the build
    cache's fragments (cache.Fragments) for a build in a new process, or None.
    A build run once streams them instead (stream_feeds).
    """
    site = feed_site(timeline, epoch)
    base_url = site.base_url
    state = cache.get("state")
    # Every share is made from the timeline's own values too (render.Site: its timezone shows in
    # every date), not only from the feeds' links.
    own = site_of(timeline)
    if not isinstance(state, _State) or state.site != site or cache.get("own") != own:
        state = cache["state"] = _State(site, stored)
        cache["own"] = own
    changed = state.update(timeline.events)
    heading = own
    for name, (share, ends) in _FILES.items():
        if share == "sitemap" and not base_url:
            continue
        # The heads and tails show the timeline's own fields (and the sitemap its tag pages).
        made_from = (heading, tuple(timeline.tag_slugs.values())) if share == "sitemap" else heading
        if share in changed or state.ends.get(name) != made_from or name not in state.files:
            chunks = state.chunks[share]
            chunks[0], chunks[-1] = ends(timeline, site, max(map(_STAMP, state.parts), default=_EPOCH))
            state.files[name] = b"".join(chunks)
            state.ends[name] = made_from
    if "robots.txt" not in state.files:
        state.files["robots.txt"] = robots(site)
    # An entry's stamp and tags are in its bytes: no entry changed, no feed did (a new state for new
    # own values, feed_events among them).
    if "atom" in changed or not state.atom:
        state.atom = _atom_files(timeline, site, state.parts, state.atom)
    return {**{name: data for name, (_, data) in state.atom.items()}, **state.files}


class AtomPlan:
    """Which events each Atom feed holds (feeds.atom_feeds, feeds.recent), known before the long
    files are streamed, so that stream_feeds keeps the entries it makes of those (entries, by the
    event's id) for atom_files."""

    def __init__(self, timeline: Timeline):
        stamps = {id(event): utc_stamp(event) for event in timeline.events}
        size, by_stamp = feed_events(timeline), (lambda event: stamps[id(event)])
        # Each feed: its name, its tag, the latest stamp of its events, the events it holds.
        self.feeds = [(name, tag, max(map(by_stamp, group), default=_EPOCH),
                       recent(filter(in_calendars, group), size, by_stamp))
                      for name, tag, group in atom_feeds(timeline)]
        self.wanted = {id(event) for *_, chosen in self.feeds for event in chosen}
        self.entries: dict[int, bytes] = {}


def stream_feeds(timeline: Timeline, epoch: datetime | None, stored: Any = None,
                 plan: AtomPlan | None = None) -> Iterator[tuple[str, bytes | Part]]:
    """Yield the long files of render_feeds (not the Atom feeds: atom_files) and robots.txt as (name,
    piece): each file's pieces in order, the files' pieces interleaved, a thousand events at a time.
    For a build run once: at 100,000 events the long files are 850 MB, never held whole. stored: as
    render_feeds'; an event's share that every file of output/ holds as it is comes as a Part with
    no bytes, copied from there. plan: where to keep the entries the Atom feeds will want."""
    site = feed_site(timeline, epoch)
    events = timeline.events
    files = feed_files(site)
    latest = max(map(utc_stamp, events), default=_EPOCH)
    wanted = plan.wanted if plan is not None else set()
    ends = {name: _FILES[name][1](timeline, site, latest) for name in files}
    for name in files:
        yield name, ends[name][0]
    for start in range(0, len(events), _STREAMED):
        batch = events[start:start + _STREAMED]
        keys = [stored.key("feeds", event) for event in batch] if stored is not None else [None] * len(batch)
        # Where each file of output/ holds the event's share, when every one of them does.
        # Each file's key of the event's share: in timeline.json, past the first event, the share is
        # one part with the separator before it, so that unchanged events are one copy, not a copy
        # and a write each (10,000 events: 20,000 system calls an edit).
        shares = [[_separated(key) if share == "timelinejs" and number else key for share in files.values()]
                  if key is not None else None for number, key in enumerate(keys, start)]
        places = [_all_or_none([stored.reused(key, name) for key, name in zip(own, files)]) if own is not None else None
                  for own in shares]
        made = iter(_parts(tuple(event for event, place in zip(batch, places) if place is None), site, stored, {}))
        for number, (own, place) in enumerate(zip(shares, places), start):
            part = None if place is not None else next(made)
            if part is not None and id(part.event) in wanted:
                plan.entries[id(part.event)] = part.atom
            for n, (name, share) in enumerate(files.items()):
                separated = share == "timelinejs" and number
                if own is None:
                    if separated:
                        yield name, _JSON_SEPARATOR
                    yield name, getattr(part, share)
                elif place is not None:
                    yield name, Part(own[n], None, place[n])
                else:
                    data = getattr(part, share)
                    yield name, Part(own[n], _JSON_SEPARATOR + data if separated else data)
    for name in files:
        yield name, ends[name][1]
    yield "robots.txt", robots(site)


def atom_files(timeline: Timeline, epoch: datetime | None, stored: Any = None,
               plan: AtomPlan | None = None) -> Iterator[tuple[str, list[bytes | Part]]]:
    """Yield each Atom feed as (name, pieces), for a build run once: its head, its entries, its
    tail. An entry the feed's file in output/ holds as it is comes as a Part with no bytes, copied
    from there (stored: as stream_feeds'); any other is the plan's (made by stream_feeds), else the
    cache's, else made. Each file is written alone: a timeline of a thousand tags has as many."""
    site = feed_site(timeline, epoch)
    plan = plan or AtomPlan(timeline)
    keys = {id(event): stored.key("feeds", event) for *_, chosen in plan.feeds for event in chosen} \
        if stored is not None else {}
    places = {name: [stored.reused(keys[id(event)], name) for event in chosen] if stored is not None
              else [None] * len(chosen) for name, _, _, chosen in plan.feeds}
    # The entries neither copied nor made by the stream: looked up in the cache (or made) at once.
    missing = {id(event): event for (name, _, _, chosen) in plan.feeds
               for event, place in zip(chosen, places[name]) if place is None and id(event) not in plan.entries}
    found = _parts(tuple(missing.values()), site, stored, {})
    entries = {**plan.entries, **{number: part.atom for number, part in zip(missing, found)}}
    for name, tag, latest, chosen in plan.feeds:
        pieces: list[bytes | Part] = [atom_head(timeline, site, name, tag, latest)]
        for event, place in zip(chosen, places[name]):
            data = entries[id(event)] if place is None else None
            pieces.append(data if stored is None else Part(keys[id(event)], data, -1 if place is None else place))
        pieces.append(ATOM_TAIL)
        yield name, pieces


def _separated(key: bytes) -> bytes:
    """Return the key of an event's share of timeline.json with the separator before it (its key
    is its share alone, the first event's)."""
    return hashlib.blake2b(key, digest_size=len(key), person=b"json, separated").digest()


def _all_or_none(places: list[int | None]) -> list[int] | None:
    return None if None in places else places


