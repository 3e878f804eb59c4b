"""The timeline as frozen values: sources, events, days, the timeline; slug rules. No I/O."""

from __future__ import annotations

import re
import unicodedata
from dataclasses import dataclass, field, fields
from functools import cached_property, lru_cache
from itertools import chain, groupby
from operator import attrgetter
from datetime import date
from types import MappingProxyType
from typing import Any, Iterable, Mapping, Sequence

from .dates import Precision, When

_EMPTY: Mapping[str, Any] = MappingProxyType({})


@dataclass(frozen=True, slots=True)  # slots: 100,000 events hold 250,000 sources
class Source:
    """One citation of an event: a link, or a plain-text source such as a briefing."""

    url: str | None
    title: str | None = None
    publisher: str | None = None
    date: When | None = None
    archive: str | None = None

    @property
    def name(self) -> str:
        """Return the text a reader sees first: the publisher, else the title, else the host."""
        return self.publisher or self.title or host_of(self.url or "") or "Source"

    def __reduce__(self):  # as When's: the constructor, not the slots' generic __setstate__
        return Source, (self.url, self.title, self.publisher, self.date, self.archive)


@dataclass(frozen=True, slots=True)
class Picture:
    """A published picture's measure: its width and height, and the sizes made of it for srcset
    (width, path in the output, MIME type), from the smallest."""

    width: int
    height: int
    variants: tuple[tuple[int, str, str], ...] = ()

    def __reduce__(self):
        return Picture, (self.width, self.height, self.variants)


@dataclass(frozen=True, slots=True)
class Media:
    """One item of an event's `media:`: a picture, a video or audio file, a document, a site's link.

    Read from the front matter (media.read_item); a local file (`file`, its path below content/) is
    measured and published by the media stage (media.publish), which sets url, picture and size.
    """

    src: str  # as written: a path beside the entry, or an http(s) link
    kind: str  # image, video, audio, document, embed (a known site's link), link
    file: str | None = None  # a local file: its path below the content folder
    alt: str | None = None  # None: not given; "": decorative
    caption: str = ""  # HTML (inline Markdown of the front matter), the author's own
    credit: str = ""  # HTML, as caption
    link: str | None = None  # where the media leads when followed
    provider: str = ""  # a known site's name: YouTube, Wikipedia …
    embed: str = ""  # its player's address, loaded only when the reader asks for it
    mime: str = ""  # the file's type, from its suffix ('' when unknown)
    url: str = ""  # a local file's path in the output (its path below content/); '' for a link
    picture: Picture | None = None  # a local picture's measure
    size: int = 0  # a local file's bytes as published
    line: int | None = field(default=None, compare=False)  # the line of the item in the entry

    @property
    def remote(self) -> bool:
        return self.file is None

    @property
    def host(self) -> str:
        return host_of(self.src) if self.file is None else ""

    def __reduce__(self):
        return _media, tuple(getattr(self, name) for name in _MEDIA_FIELDS)


def _media(*values) -> Media:
    return Media(*values)


# Where a link to a file of the site starts, in HTML made before it is known which page it goes on
# (an event's body linking to a file beside its entry; a card): every page puts its own way to the
# site root there (render._render_text), a feed its base_url. Entries never hold a NUL (entries.py).
SITE_ROOT = "\x00root\x00"


@dataclass(frozen=True, slots=True)  # slots: no __dict__ (about a kilobyte an event)
class Event:
    """One entry of the timeline, validated and ready to render."""

    slug: str
    title: str
    start: When
    path: str
    end: When | None = None
    sources: tuple[Source, ...] = ()
    tags: tuple[str, ...] = ()
    location: str | None = None
    summary: str = ""
    body: str = ""  # HTML rendered from the entry's Markdown; the author's own (a file it links to: SITE_ROOT)
    draft: bool = False
    weight: int = 0
    updated: When | None = None
    correction: str = ""  # a note of what was corrected, shown as such beside "Updated …"
    media: tuple[Media, ...] = ()  # pictures, video, documents and links shown with the event
    # The line of the entry's `slug:` (None: the slug comes from the file name), where a duplicate
    # slug is reported; not part of what the event is.
    slug_line: int | None = field(default=None, compare=False)
    extra: Mapping[str, Any] = field(default_factory=lambda: _EMPTY)
    # The contract's order: instant, precision, weight, title, slug (made once, with the event).
    sort_key: tuple = field(init=False, repr=False, compare=False)
    # Whether the body's HTML has an attribute (`=`): only such a body can link to a file beside the
    # entry (media.publish). Looked for once an event, not in 25 MB of bodies at every save.
    attributed: bool = field(init=False, repr=False, compare=False)

    def __post_init__(self) -> None:
        object.__setattr__(self, "sort_key",
                           (*self.start.sort_key(), self.weight, self.title.casefold(), self.title, self.slug))
        object.__setattr__(self, "attributed", "=" in self.body)

    @property
    def url(self) -> str:
        """Return the permanent page's path, relative to the site root."""
        return f"events/{self.slug}/"

    def __reduce__(self):
        # For the build cache and the worker processes: the fields given (not the sort key, made
        # again), `extra` as a plain dict (a mapping proxy cannot be pickled).
        values = tuple(getattr(self, f.name) for f in _EVENT_FIELDS[:-1])
        return _event, (values, dict(self.extra))

    @property
    def day(self) -> date:
        return self.start.day


_EVENT_FIELDS = tuple(f for f in fields(Event) if f.init)  # `extra` last
SORT_KEY = attrgetter("sort_key")  # the contract's order of events (Event.sort_key)
_MEDIA_FIELDS = tuple(f.name for f in fields(Media))


def _event(values: tuple, extra: dict[str, Any]) -> Event:
    return Event(*values, extra=MappingProxyType(extra) if extra else _EMPTY)


@dataclass(frozen=True)
class Era:
    """A named span of the timeline (`eras:` in content/_index.md), drawn beside the events it spans."""

    name: str
    start: When
    end: When  # as an event's end: an era still going on (`end: now`) has its start, qualified OPEN
    colour: str | None = None  # a CSS hex colour (#rgb or #rrggbb) as written; None: the theme's own
    slug: str = ""  # its anchor on a page (era--SLUG): unique among the eras
    lane: int = 0  # where its band is drawn beside the events: eras that overlap never share a lane

    @property
    def ongoing(self) -> bool:
        """Tell whether the era is still going on (`end: now`)."""
        return not self.end.bounded

    @property
    def end_day(self) -> float:
        """Return the day number of the first day after the era (infinity while it goes on)."""
        return float("inf") if self.ongoing else self.end.end_days()

    def covers(self, when: When) -> bool:
        """Tell whether a group of the timeline (a day, a month, a year …) starts within the era."""
        return self.start.days() <= when.days() < self.end_day

    def overlaps(self, first: When, last: When) -> bool:
        """Tell whether the era shares any day with the span from first to the end of last."""
        return self.start.days() < last.end_days() and first.days() < self.end_day


@dataclass(frozen=True)
class Day:
    """The events of one calendar day, with the number of days skipped before it.

    Events known only to the month, the year or a longer period get a group of that period of
    their own (`when.precision` says which; `when.qualifier` how sure), never a made-up day.
    """

    when: When  # the day, month, year, century … as a When of that precision
    events: tuple[Event, ...]
    gap: int = 0  # days skipped between the previous day shown and this one (0 for longer periods)
    # On a page of the timeline (not a tag's): the eras the group lies in (Era.covers), and those of
    # them whose heading comes before it, the page's first group in each (timeline.group_days).
    eras: tuple[Era, ...] = ()
    opens: tuple[Era, ...] = ()

    @property
    def date(self) -> date | None:
        """The calendar day (the first of the period); None before AD 1."""
        return self.when.day

    @property
    def precision(self) -> Precision:
        return self.when.precision

    @property
    def has_day(self) -> bool:
        """Tell whether this group is one day (not a month, season, year or longer)."""
        return self.when.precision >= Precision.DAY

    @cached_property
    def id(self) -> str:
        return anchor_of(self.when)


_ANCHOR_MARKS = (("../", "before-"), ("/..", "-on"), ("/", "--"), ("~", "-c"), ("?", "-u"), ("%", "-cu"))


def anchor_of(when: When) -> str:
    """Return the fragment a group is reached by: its ISO date (2024-10-28), marks spelled out (1500-c)."""
    text = when.iso()
    for mark, spelled in _ANCHOR_MARKS:
        text = text.replace(mark, spelled)
    return text


@dataclass(frozen=True)
class Jump:
    """Where a reader can enter a timeline: the first group of each day, month or year."""

    unit: str  # "day" (twenty days or fewer), "month" (thirty months or fewer), else "year"
    days: tuple[Day, ...]
    years: int  # how many calendar years the timeline touches


def _jump(days: tuple[Day, ...]) -> Jump:
    months = {d.when.ymd[:2] for d in days}
    years = {d.when.year for d in days}
    unit = "day" if len(days) <= 20 else "month" if len(months) <= 30 else "year"
    firsts: list[Day] = []
    last_key: object = None
    for day in days:
        key = day.id if unit == "day" else day.when.ymd[:2] if unit == "month" else day.when.year
        if key != last_key:
            firsts.append(day)
            last_key = key
    return Jump(unit, tuple(firsts), len(years))


@dataclass(frozen=True)
class Timeline:
    """Everything a theme renders: the settings-derived header and the ordered events."""

    title: str
    description: str
    intro: str  # HTML from the body of content/_index.md
    language: str
    base_url: str | None
    timezone: str
    newest_first: bool
    events: tuple[Event, ...]
    extra: Mapping[str, Any] = field(default_factory=lambda: _EMPTY)
    page_events: int = 150  # past this many events, the timeline is split into period pages (periods.py)
    feed_events: int = 50  # the most recent events the Atom feeds hold (feeds.recent)
    search: bool = False  # content/_index.md says search: true: the theme shows a search box (search.py)
    eras: tuple[Era, ...] = ()  # content/_index.md's eras, by start (config.read_eras)

    @cached_property
    def days(self) -> tuple[Day, ...]:
        """The events grouped by day (or month, year …): the index of a timeline that is not split
        into periods; made when first asked for (at 10,000 events, a tenth of a save in serve)."""
        return group_days(self.events, eras=self.eras)

    @cached_property
    def jump(self) -> Jump:
        return _jump(self.days)

    @cached_property
    def first(self) -> When | None:
        return min((e.start for e in self.events), key=When.sort_key, default=None)

    @cached_property
    def last(self) -> When | None:
        ends = [e.end or e.start for e in self.events]
        return max(ends, key=When.sort_key, default=None)

    @cached_property
    def tags(self) -> Mapping[str, tuple[Event, ...]]:
        """Each tag, sorted by name (model.name_key), with its events in the timeline's order."""
        found: dict[str, list[Event]] = {}
        for event in self.events:
            for tag in dict.fromkeys(event.tags):
                found.setdefault(tag, []).append(event)
        return MappingProxyType({t: tuple(found[t]) for t in sorted(found, key=name_key)})

    @cached_property
    def tag_names(self) -> frozenset[str]:
        """Every tag used by an event."""
        return frozenset(chain.from_iterable(map(attrgetter("tags"), self.events)))

    @cached_property
    def tag_slugs(self) -> Mapping[str, str]:
        """Each tag's URL name (tag_slug with collisions resolved): the page is `tags/SLUG/`."""
        return _tag_slugs(self.tag_names)

    def slug_of(self, tag: str) -> str:
        """Return a tag's URL name (the `tag_url` filter asks this of the timeline or of render.Site)."""
        return self.tag_slugs[tag]

    @cached_property
    def tag_renames(self) -> tuple[tuple[str, str], ...]:
        """The tags whose URL name is not tag_slug(tag) because of a collision (`-2`, `-3`).

        A page linking to a tag is unchanged as long as this is: a cache of
        rendered pages keeps it in its key, so a new colliding tag re-renders them.
        """
        return tuple((t, s) for t, s in self.tag_slugs.items() if s != _tag_base(t))


def _fold(text: str) -> str:
    """Return text in lower case with the accents of Latin letters dropped (and compatibility forms such
    as ligatures and full-width letters made plain); letters of other scripts are kept whole (й, ボ, हि)."""
    out: list[str] = []
    for char in unicodedata.normalize("NFC", text).casefold():
        decomposed = unicodedata.normalize("NFKD", char)
        out.append("".join(c for c in decomposed if c.isascii()) if decomposed[:1].isascii() else char)
    return "".join(out)


def _word_character(char: str) -> bool:
    return unicodedata.category(char)[0] in "LNM"  # letters, digits, and the marks that are part of a letter


def slugify(text: str) -> str:
    """Return a URL name for text: lower case, Latin letters' accents dropped, words joined by hyphens."""
    if text.isascii():  # most titles and file names: their words are runs of letters and digits
        return "-".join(_ASCII_WORDS.findall(text.lower()))
    return _slugify(text)


_ASCII_WORDS = re.compile(r"[a-z0-9]+")


def _slugify(text: str) -> str:
    """slugify for any text, character by character."""
    return "-".join("".join(c if _word_character(c) else " " for c in _fold(text)).split())


def is_valid_slug(slug: str) -> bool:
    """Tell whether slug can be used as one path segment as it is."""
    return bool(slug) and slug == slugify(slug)


def host_of(url: str) -> str:
    """Return the host of a URL without a leading www., for display."""
    match = re.match(r"^[a-zA-Z][a-zA-Z0-9+.-]*://([^/?#:@]+@)?([^/?#:]+)", url)
    if not match:
        return ""
    host = match.group(2).lower()
    return host[4:] if host.startswith("www.") else host


_ARTICLE = re.compile(r"^(?:the|a|an|le|la|les|l'|der|die|das|el|los|las)\s+", re.I)


def publisher_key(name: str) -> tuple[str, str, str]:
    """Return the key that sorts publishers as a library does: The Moscow Times under M."""
    return name_key(_ARTICLE.sub("", name))


def name_key(name: str) -> tuple[str, str, str]:
    """Return the key that sorts names as a reader expects: case and accents aside (Élysée by E)."""
    folded = name.casefold()
    plain = "".join(c for c in unicodedata.normalize("NFKD", folded) if not unicodedata.combining(c))
    return (plain, folded, name)


_TAG_SLUG_MAX = 60  # characters; keeps the file name under any file system's limit


@lru_cache(maxsize=8192)
def _tag_base(tag: str) -> str:
    """Return tag's slug before collisions are resolved (see tag_slug)."""
    kept = "".join(c if _word_character(c) else "-" for c in _fold(tag))  # other scripts: valid in IRIs
    slug = re.sub(r"-+", "-", kept).strip("-")[:_TAG_SLUG_MAX].strip("-")
    return slug or "tag"


def tag_slugs(tags: Iterable[str]) -> dict[str, str]:
    """Map each distinct tag to its URL name, distinct tags never sharing one.

    Tags are taken in a stable order (case-folded name, then name); the first
    of tags sharing a base slug keeps it, the next get `-2`, `-3`, … (skipping
    any slug another tag has already).
    """
    return dict(_tag_slugs(frozenset(tags)))


@lru_cache(maxsize=8)
def _tag_slugs(tags: frozenset[str]) -> Mapping[str, str]:
    # Cached: every build of `serve` asks again, almost always for the same tags.
    distinct = sorted(tags, key=lambda t: (t.casefold(), t))
    bases = {tag: _tag_base(tag) for tag in distinct}
    used: set[str] = set()
    result: dict[str, str] = {}
    # Tags whose base is free keep it first, so "x-2" written by an author is never displaced.
    taken_bases = {}
    for tag in distinct:
        taken_bases.setdefault(bases[tag], tag)
    used.update(taken_bases)
    for tag in distinct:
        base = bases[tag]
        if taken_bases[base] == tag:
            result[tag] = base
            continue
        n = 2
        while f"{base}-{n}" in used:
            n += 1
        result[tag] = f"{base}-{n}"
        used.add(result[tag])
    return MappingProxyType(result)


def tag_slug(tag: str, tags: Iterable[str] | None = None) -> str:
    """Return the URL name of tag's page: `tags/SLUG/`.

    Lower case, accents dropped from Latin letters, every run of other
    characters turned into one hyphen, hyphens stripped from the ends; letters
    of other scripts kept as they are; `tag` when nothing is left. Pass `tags`
    (every tag of the timeline, e.g. `timeline.tag_slugs` keys) to resolve
    collisions: distinct tags sharing a slug get `-2`, `-3` as in tag_slugs.
    Without `tags`, the result is the slug before collisions; prefer
    `Timeline.tag_slugs[tag]`, which is computed once.
    """
    if tags is None:
        return _tag_base(tag)
    return tag_slugs(tags)[tag]


def period_of(when: When) -> When:
    """Return the group a date falls in: its day for a time, else the date itself (a day, month, year, century …)."""
    if when.precision is not Precision.MINUTE:
        return when
    return When(when.start.replace(hour=0, minute=0, second=0, microsecond=0), Precision.DAY,
                calendar=when.calendar)


def day_key(event: Event) -> tuple:
    """Return what puts events in one group: the day, or the month, year … for a coarser date, as written."""
    when = event.start
    return (min(when.precision, Precision.DAY), when.ymd, when.qualifier, when.form, when.calendar)


def group_days(events: Sequence[Event], last_day: int | None = None, eras: Sequence[Era] = ()) -> tuple[Day, ...]:
    """Group ordered events by day (or month, year …), noting how many days were skipped between days.

    last_day: the day number (When.days) of the day shown just before these events, when they
    continue a longer list. eras: the timeline's, for a page of the timeline: each group is given
    those it lies in, and those whose heading it comes after (the first group of each on the page).
    """
    days: list[Day] = []
    opened: set[Era] = set()  # the eras whose heading is on this page already: one each, at their first group
    for _, group in groupby(events, key=day_key):
        members = tuple(group)
        period = period_of(members[0].start)
        gap = 0
        if period.precision is Precision.DAY and not period.qualifier:
            number = period.days()
            if last_day is not None:
                gap = max(0, abs(number - last_day) - 1)
            last_day = number
        if eras:
            within = tuple(era for era in eras if era.covers(period))
            opens = tuple(era for era in within if era not in opened)
            opened.update(opens)
            days.append(Day(period, members, gap, within, opens))
        else:
            days.append(Day(when=period, events=members, gap=gap))
    return tuple(days)
