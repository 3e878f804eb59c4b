"""Feeds: the Atom feeds, the iCalendar file, TimelineJS data, the sitemap and robots.txt, as bytes.

Each long file is its head, each event's share of it (a VEVENT, a TimelineJS
event, a sitemap <url>: event_fragments) and its tail. An Atom feed (feed.xml,
and tags/SLUG/feed.xml for each tag) is its head and the <entry> of its most
recent events only (recent): what feed readers take.
"""

from __future__ import annotations

import heapq
import io
import json
import operator
import re
import uuid
from dataclasses import dataclass
from datetime import date, datetime, timedelta, timezone
from functools import cached_property
from typing import Callable, Iterable, Iterator, TypeVar
from urllib.parse import quote, urlsplit

from .dates import Precision, When, format_span, format_when
from .model import SITE_ROOT, Era, Event, Media, Source, Timeline

ATOM_NS = "http://www.w3.org/2005/Atom"
SITEMAP_NS = "http://www.sitemaps.org/schemas/sitemap/0.9"
PRODID = "-//Chronicle//Chronicle timeline//EN"
TITLE_SLIDE_ID = "_title"  # never a slug: slugs start with a letter or digit (model.slugify)

_EPOCH = datetime(1970, 1, 1, tzinfo=timezone.utc)
_URL_SAFE = ":/?#[]@!$&'()*+,;=%~-._"  # RFC 3986 reserved and unreserved characters
# XML 1.0 allows tab, newline, and U+0020–U+D7FF, U+E000–U+FFFD and U+10000–U+10FFFF only (XML 1.0
# §2.2): the rest is this (the same class written as what it excludes took 5 ms to compile, at every
# start); carriage returns are dropped too, so a Windows line end cannot become two.
_NOT_XML = re.compile("[\x00-\x08\x0b-\x1f\ud800-\udfff\ufffe\uffff]")
# RFC 5545 §3.3.11: TEXT may hold no control character but tab (newlines are escaped).
_NOT_ICS = re.compile("[\x00-\x08\x0b-\x1f\x7f]")


# --- text for each format -----------------------------------------------------------------------


def xml_text(text: str) -> str:
    """Return text escaped for XML content, without the characters XML 1.0 forbids."""
    if not text.isprintable():  # printable text has none of them: the scan is skipped for most fields
        text = _NOT_XML.sub("", text)
    return text.replace("&", "&amp;").replace("<", "&lt;").replace(">", "&gt;")


def xml_attribute(text: str) -> str:
    """Return text escaped for a double-quoted XML attribute, without the characters XML 1.0 forbids."""
    return xml_text(text).replace('"', "&quot;")


def _element(name: str, text: str, **attributes: str) -> str:
    """Return one XML element with escaped text and attributes."""
    attrs = "".join(f' {key}="{xml_attribute(value)}"' for key, value in attributes.items())
    return f"<{name}{attrs}>{xml_text(text)}</{name}>"


def ics_text(text: str) -> str:
    """Return text as an iCalendar TEXT value: backslash, semicolon, comma and newline escaped."""
    if not text.isprintable():
        text = _NOT_ICS.sub("", text.replace("\r\n", "\n").replace("\r", "\n"))
    return text.replace("\\", "\\\\").replace(";", "\\;").replace(",", "\\,").replace("\n", "\\n")


def fold(line: str) -> bytes:
    """Return one content line folded at 75 octets (RFC 5545 §3.1), never inside a UTF-8 sequence."""
    data = line.encode("utf-8")
    if len(data) <= 75:
        return data + b"\r\n"
    parts = []
    start, width = 0, 75
    while len(data) - start > width:
        cut = start + width
        while data[cut] & 0xC0 == 0x80:  # a continuation byte: step back to the character's first
            cut -= 1
        parts.append(data[start:cut])
        start, width = cut, 74  # a continuation line starts with a space, which counts
    parts.append(data[start:])
    return b"\r\n ".join(parts) + b"\r\n"


def _html(text: str) -> str:
    """Escape plain text for HTML text or a double-quoted attribute."""
    return text.replace("&", "&amp;").replace("<", "&lt;").replace(">", "&gt;").replace('"', "&quot;")


def _utc(moment: datetime) -> datetime:
    try:
        return moment.astimezone(timezone.utc)
    except OverflowError:  # midnight of 1 January AD 1 east of Greenwich: the first instant there is
        return datetime.min.replace(tzinfo=timezone.utc)


def _rfc3339(moment: datetime) -> str:
    moment = _utc(moment)
    return f"{moment.year:04d}-{moment:%m-%dT%H:%M:%SZ}"  # %Y does not pad years before 1000


def _ics_instant(moment: datetime) -> str:
    moment = _utc(moment)
    return f"{moment.year:04d}{moment:%m%dT%H%M%SZ}"


def _ics_date(day: date) -> str:
    return f"{day.year:04d}{day:%m%d}"


def in_calendars(event: Event) -> bool:
    """Tell whether Atom and iCalendar can hold the event's dates: years from AD 1 to 9999."""
    return event.start.start is not None


# --- what every fragment shares -------------------------------------------------------------------


@dataclass(frozen=True)
class _Site:
    """The timeline-wide values that an event's fragments depend on; a change renders all again."""

    base_url: str | None
    title: str
    epoch: datetime | None  # SOURCE_DATE_EPOCH, when set and valid

    def url(self, path: str) -> str:
        """Return the link to a site path: absolute under base_url, else relative to the site root."""
        quoted = quote(path, safe="/-_.~")
        return f"{self.base_url}{quoted}" if self.base_url else quoted or "./"

    @cached_property
    def uid_host(self) -> str:
        """Return the right-hand side of every UID: base_url's host (and path), else 'chronicle'."""
        if not self.base_url:
            return "chronicle"
        parts = urlsplit(self.base_url)
        return f"{(parts.hostname or 'chronicle')}{parts.path.rstrip('/')}"

    def atom_id(self, path: str) -> str:
        """Return a stable urn:uuid for a site path, the same in every build (RFC 4287 §4.2.6)."""
        origin = self.base_url or f"chronicle:{self.title}/"
        return f"urn:uuid:{uuid.uuid5(uuid.NAMESPACE_URL, origin + path)}"


def source_date_epoch(value: str | None) -> tuple[datetime | None, str | None]:
    """Return SOURCE_DATE_EPOCH's value as a UTC datetime (None when unset), and what is wrong with it."""
    if value is None or not value.strip():
        return None, None
    try:
        return _EPOCH + timedelta(seconds=int(value.strip())), None
    except (ValueError, OverflowError):
        return None, (f"SOURCE_DATE_EPOCH is '{value}', not a whole number of seconds since 1970 — "
                      "feed and calendar timestamps come from the content instead")


def feed_warnings(timeline: Timeline, epoch: str | None) -> list[str]:
    """Return what the author should know about the feeds of this timeline, one sentence each."""
    warnings = []
    if not timeline.base_url:
        warnings.append("no base_url: sitemap.xml is not written, robots.txt names no sitemap, and feed and "
                        "calendar links are relative — set base_url in content/_index.md or pass --base-url URL")
    problem = source_date_epoch(epoch)[1]
    if problem:
        warnings.append(problem)
    left_out = sum(not in_calendars(event) for event in timeline.events)
    if left_out:
        warnings.append(f"{left_out:,} event{'s' if left_out != 1 else ''} before AD 1 "
                        f"{'are' if left_out != 1 else 'is'} left out of feed.xml and calendar.ics: Atom and "
                        "iCalendar hold no year before 1 (timeline.json and the pages have them all)")
    return warnings


def stamp(event: Event) -> datetime:
    """Return when the event's entry last changed, from the content: `updated`, else its start
    (1970 for an event before AD 1, which no feed holds)."""
    return (event.updated or event.start).start or _EPOCH


def utc_stamp(event: Event) -> datetime:
    """Return stamp(event) in UTC: the key feeds are ordered by."""
    return _utc(stamp(event))


def feed_events(timeline: Timeline) -> int:
    """Return how many events an Atom feed holds: feed_events of _index.md, else 50."""
    return timeline.feed_events


_T = TypeVar("_T")


def recent(items: Iterable[_T], size: int, key: Callable[[_T], datetime]) -> list[_T]:
    """Return the size items of the latest stamps (key: UTC), latest first; of equal stamps, the
    first in the timeline's order first (heapq.nlargest is sorted(reverse=True)[:size], stable)."""
    return heapq.nlargest(size, items, key=key)


def atom_feeds(timeline: Timeline) -> list[tuple[str, str | None, tuple[Event, ...]]]:
    """Return every Atom feed: its path, its tag (None for feed.xml) and the events it is chosen
    from, in the timeline's order: feed.xml of all of them, tags/SLUG/feed.xml of each tag's."""
    feeds: list[tuple[str, str | None, tuple[Event, ...]]] = [("feed.xml", None, timeline.events)]
    feeds += [(f"tags/{timeline.tag_slugs[tag]}/feed.xml", tag, events) for tag, events in timeline.tags.items()]
    return feeds


# --- sources, as each format shows them ------------------------------------------------------------


def _source_label(source: Source) -> tuple[str, str]:
    """Return (what the link says, what follows it) for one source."""
    label = source.title or source.name
    details = [source.publisher] if source.publisher and source.title else []
    if source.date is not None:
        details.append(format_when(source.date))
    return label, ", ".join(details)


def sources_html(event: Event) -> str:
    """Return the event's sources as an HTML list of links (empty when it cites none)."""
    if not event.sources:
        return ""
    items = []
    for source in event.sources:
        label, details = _source_label(source)
        text = _html(label)
        if source.url:
            text = f'<a href="{_html(source.url)}" rel="noopener noreferrer">{text}</a>'
        if details:
            text += f" — {_html(details)}"
        if source.archive:
            text += f' (<a href="{_html(source.archive)}" rel="noopener noreferrer">archived</a>)'
        items.append(f"<li>{text}</li>")
    return "<p>Sources:</p>\n<ul>\n" + "\n".join(items) + "\n</ul>"


def media_url(item: Media, base_url: str | None) -> str:
    """Return the address of a media item: a link as written; a local file's under base_url, else
    from the site's root."""
    if item.file is None:
        return item.src
    return (base_url or "") + quote(item.url, safe="/-_.~")


def media_html(event: Event, base_url: str | None) -> str:
    """Return the event's media as a feed reader sees them: each picture shown, anything else a link,
    with its caption and credit."""
    shown = []
    for item in event.media:
        url = _html(media_url(item, base_url))
        if item.kind == "image" and item.file is not None:
            size = f' width="{item.picture.width}" height="{item.picture.height}"' if item.picture else ""
            what = f'<img src="{url}" alt="{_html(item.alt or "")}"{size}>'
        else:
            name = item.provider or (item.host if item.file is None else item.file.rsplit("/", 1)[-1])
            what = f'<a href="{url}" rel="noopener noreferrer">{_html(MEDIA_LABELS.get(item.kind, "Link"))}: {_html(name)}</a>'
        notes = " ".join(part for part in (item.caption, f"({item.credit})" if item.credit else "") if part)
        shown.append(f"<figure>{what}{f'<figcaption>{notes}</figcaption>' if notes else ''}</figure>")
    return "\n".join(shown)


MEDIA_LABELS = {"image": "Image", "video": "Video", "audio": "Audio", "document": "Document", "embed": "Media",
                "link": "Link"}


def content_html(event: Event, base_url: str | None = None) -> str:
    """Return the HTML a reader of a feed sees: the media, the body, then the sources."""
    body = event.body.strip().replace(SITE_ROOT, base_url or "")  # a file it links to, as its media's
    parts = (media_html(event, base_url), body, sources_html(event))
    return "\n".join(part for part in parts if part)


# --- one event's fragments ----------------------------------------------------------------------


def atom_entry(event: Event, site: _Site, content: str) -> str:
    """Return the Atom <entry> of one event ('' for an event before AD 1: see in_calendars)."""
    if not in_calendars(event):
        return ""
    lines = [
        "<entry>",
        _element("id", site.atom_id(event.url)),
        _element("title", event.title),
        f'<link rel="alternate" type="text/html" href="{xml_attribute(site.url(event.url))}"/>',
        _element("updated", _rfc3339(stamp(event))),
    ]
    if event.summary:
        lines.append(_element("summary", event.summary))
    lines.append(_element("content", content, type="html"))
    for item in event.media:  # the files themselves, for a podcast client or a reader that fetches them
        if item.file is not None and item.mime and item.kind in ("image", "video", "audio", "document"):
            lines.append(f'<link rel="enclosure" type="{item.mime}" length="{item.size}" '
                         f'href="{xml_attribute(site.url(item.url))}"/>')
    lines.extend(f'<category term="{xml_attribute(tag)}"/>' for tag in dict.fromkeys(event.tags))
    lines.append("</entry>\n")
    return "\n".join(lines)


def ics_dates(event: Event) -> list[str]:
    """Return DTSTART and DTEND: all-day dates (exclusive end) unless the start has a time, else UTC."""
    start, end = event.start, event.end
    if end is not None and not end.bounded:
        end = None  # an interval going on, or of unknown end: the calendar shows its start
    if start.precision is Precision.MINUTE:
        lines = [f"DTSTART:{_ics_instant(start.start)}"]
        if end is not None:
            finish = end.start if end.precision is Precision.MINUTE else end.period_end()
            if finish > start.start:
                lines.append(f"DTEND:{_ics_instant(finish)}")
        return lines
    # All-day dates by day number, so that a Julian date is given as its Gregorian day (CALSCALE).
    first = start.days()
    last = start.end_days()  # exclusive: the day after the day, month, year or century
    if end is not None:
        last = max(last, end.end_days())
    return [f"DTSTART;VALUE=DATE:{_ics_date(_day(first))}", f"DTEND;VALUE=DATE:{_ics_date(_day(min(last, _LAST)))}"]


def ics_description(event: Event, site: _Site) -> str:
    """Return the calendar description: the summary, the sources with their links, the permalink."""
    parts = [event.summary] if event.summary else []
    if event.sources:
        lines = ["Sources:"]
        for source in event.sources:
            label, details = _source_label(source)
            text = f"{label} ({details})" if details else label
            lines.append(f"- {text}: {source.url}" if source.url else f"- {text}")
        parts.append("\n".join(lines))
    if site.base_url:
        parts.append(site.url(event.url))
    return "\n\n".join(parts)


_LAST = (date(9999, 12, 31) - date(1970, 1, 1)).days


def _day(number: int) -> date:
    return date(1970, 1, 1) + timedelta(days=number)


def vevent(event: Event, site: _Site) -> bytes:
    """Return the VEVENT of one event, folded, with CRLF line ends (b'' before AD 1: see in_calendars)."""
    if not in_calendars(event):
        return b""
    lines = [
        "BEGIN:VEVENT",
        f"UID:{ics_text(f'{event.slug}@{site.uid_host}')}",
        f"DTSTAMP:{_ics_instant(site.epoch or stamp(event))}",
        *ics_dates(event),
        f"SUMMARY:{ics_text(event.title)}",
    ]
    description = ics_description(event, site)
    if description:
        lines.append(f"DESCRIPTION:{ics_text(description)}")
    if event.location:
        lines.append(f"LOCATION:{ics_text(event.location)}")
    if site.base_url:
        # A relative link means nothing once the event is in someone's calendar.
        lines.append(f"URL:{site.url(event.url)}")
    tags = [ics_text(tag) for tag in dict.fromkeys(event.tags) if ics_text(tag)]
    if tags:
        lines.append(f"CATEGORIES:{','.join(tags)}")
    if event.updated is not None:
        lines.append(f"LAST-MODIFIED:{_ics_instant(event.updated.start)}")
    lines += ["TRANSP:TRANSPARENT", "END:VEVENT"]  # a past event never makes anyone busy
    return b"".join(fold(line) for line in lines)


def timelinejs_date(when: When) -> dict[str, object]:
    """Return a TimelineJS date: the parts known at the date's precision, wall clock in the timeline zone.

    TimelineJS counts years as historians do, a negative year being BCE (-470 is 470 BCE); a
    century or a season is given by its first year and told in display_date.
    """
    start = when.start
    year, month, day = when.ymd
    parts: dict[str, object] = {"year": year if year >= 1 else year - 1}
    if when.precision >= Precision.MONTH:
        parts["month"] = month
    if when.precision >= Precision.DAY:
        parts["day"] = day
    if when.precision is Precision.MINUTE:
        parts["hour"], parts["minute"] = start.hour, start.minute
        if start.second:
            parts["second"] = start.second
    parts["display_date"] = _html(format_when(when))
    return parts


def timelinejs_media(item: Media, base_url: str | None) -> dict[str, object]:
    """Return a TimelineJS slide's media: its url, caption, credit, alt text, thumbnail and link."""
    media: dict[str, object] = {"url": media_url(item, base_url)}
    if item.caption:
        media["caption"] = item.caption
    if item.credit:
        media["credit"] = item.credit
    if item.alt is not None:
        media["alt"] = _html(item.alt)
    if item.picture is not None and item.picture.variants:
        smallest = item.picture.variants[0][1]
        media["thumbnail"] = (base_url or "") + quote(smallest, safe="/-_.~")
    if item.link:
        media["link"] = item.link
    return media


def timelinejs_event(event: Event, content: str, base_url: str | None = None) -> dict[str, object]:
    """Return one TimelineJS slide; every text field is HTML to TimelineJS, so plain text is escaped."""
    slide: dict[str, object] = {
        "start_date": timelinejs_date(event.start),
        "display_date": _html(format_span(event.start, event.end)),
        "text": {"headline": _html(event.title), "text": content},
        "unique_id": event.slug,
    }
    if event.end is not None and event.end.bounded:
        slide["end_date"] = timelinejs_date(event.end)
    if event.tags:
        slide["group"] = _html(event.tags[0])
    if event.media:  # a slide holds one: the first (the page shows them all)
        slide["media"] = timelinejs_media(event.media[0], base_url)
    return slide


def _json(value: object) -> str:
    return json.dumps(value, sort_keys=True, ensure_ascii=False)


def sitemap_url(path: str, site: _Site, lastmod: When | None = None) -> str:
    """Return one sitemap <url>, with lastmod only when the content says when it changed."""
    shown = lastmod is not None and lastmod.datetime is not None  # W3C datetime: no c., no BCE
    modified = _element("lastmod", lastmod.iso()) if shown else ""
    return f"<url>{_element('loc', site.url(path))}{modified}</url>\n"


@dataclass(frozen=True)
class _Fragments:
    """One event's share of every file, with the event it was rendered from."""

    event: Event
    atom: bytes
    ics: bytes
    timelinejs: bytes
    sitemap: bytes
    stamp: datetime  # UTC


def event_fragments(event: Event, site: _Site, before: _Fragments | None = None) -> _Fragments:
    """Render one event's fragments, keeping the very bytes of before's where they came out the same."""
    content = content_html(event, site.base_url)
    fresh = {
        "atom": atom_entry(event, site, content).encode("utf-8"),
        "ics": vevent(event, site),
        "timelinejs": timelinejs_line(event, content, site.base_url),
        "sitemap": sitemap_url(event.url, site, event.updated).encode("utf-8") if site.base_url else b"",
    }
    if before is not None:
        # An edited body leaves the calendar and the sitemap as they were: the same
        # objects let those files be reused whole (render_feeds) and linked, not written.
        fresh = {name: getattr(before, name) if getattr(before, name) == data else data
                 for name, data in fresh.items()}
    return _Fragments(event=event, stamp=_utc(stamp(event)), **fresh)


# --- the files ----------------------------------------------------------------------------------
# A file is one join of a list: its head, the events' fragments, its tail.
# At 10,000 events the files hold tens of megabytes, so a rebuild keeps the
# lists and replaces only the fragments that changed; a file none of whose
# fragments changed is not joined again (its bytes object is the same, so the
# writer links it), and the one join of a changed file is its whole cost.


ATOM_TAIL = b"</feed>\n"


def atom_feed(timeline: Timeline, site: _Site, name: str, tag: str | None, latest: datetime,
              entries: Iterable[bytes]) -> bytes:
    """Return one Atom feed: feed.xml (tag None) or tags/SLUG/feed.xml, whose page is its folder.

    latest: the latest stamp of all the events it is chosen from (its <updated>, unless
    SOURCE_DATE_EPOCH says); entries: the <entry> of each of its most recent events (recent)."""
    return atom_head(timeline, site, name, tag, latest) + b"".join(entries) + ATOM_TAIL


def atom_head(timeline: Timeline, site: _Site, name: str, tag: str | None, latest: datetime) -> bytes:
    """Return an Atom feed's head, up to its first entry (atom_feed)."""
    page = name.removesuffix("feed.xml")
    head = [
        '<?xml version="1.0" encoding="utf-8"?>',
        f'<feed xmlns="{ATOM_NS}" xml:lang="{xml_attribute(timeline.language)}">',
        _element("id", site.atom_id(page)),
        _element("title", timeline.title if tag is None else f"{timeline.title} — {tag}"),
    ]
    if timeline.description:
        head.append(_element("subtitle", timeline.description))
    head += [
        _element("updated", _rfc3339(site.epoch or latest)),
        f"<author>{_element('name', timeline.title)}</author>",
        f'<link rel="alternate" type="text/html" href="{xml_attribute(site.url(page))}"/>',
    ]
    if site.base_url:
        head.append(f'<link rel="self" type="application/atom+xml" href="{xml_attribute(site.url(name))}"/>')
    head.append(_element("generator", "Chronicle"))
    return ("\n".join(head) + "\n").encode("utf-8")


def _calendar_ends(timeline: Timeline, site: _Site, latest: datetime) -> tuple[bytes, bytes]:
    head = ["BEGIN:VCALENDAR", "VERSION:2.0", f"PRODID:{PRODID}", "CALSCALE:GREGORIAN", "METHOD:PUBLISH",
            f"X-WR-CALNAME:{ics_text(timeline.title)}"]
    if timeline.description:
        head.append(f"X-WR-CALDESC:{ics_text(timeline.description)}")
    return b"".join(map(fold, head)), fold("END:VCALENDAR")


def _timelinejs_ends(timeline: Timeline, site: _Site, latest: datetime) -> tuple[bytes, bytes]:
    intro = timeline.intro.strip() or (f"<p>{_html(timeline.description)}</p>" if timeline.description else "")
    return _timelinejs_around(timeline.title, intro, timelinejs_eras(timeline.eras, timeline.last))


def timelinejs_eras(eras: Iterable[Era], last: When | None) -> list[dict[str, object]]:
    """Return the TimelineJS eras (its JSON format's `eras`): each era's start, end and name. TimelineJS
    needs an end: an era still going on ends with `last`, the latest date of the events it is shown
    with (from the content, never the clock), or at its start."""
    made = []
    for era in eras:
        end = era.end
        if not end.bounded:
            end = last if last is not None and last.sort_key() > era.start.sort_key() else era.start
        made.append({"start_date": timelinejs_date(era.start), "end_date": timelinejs_date(end),
                     "text": {"headline": _html(era.name)}})
    return made


def _timelinejs_around(headline: str, text: str, eras: list[dict[str, object]] = ()) -> tuple[bytes, bytes]:
    """Return a timeline.json's head and tail around its events' lines, its title slide in the tail."""
    title = {"text": {"headline": _html(headline), "text": text}, "unique_id": TITLE_SLIDE_ID}
    # Keys in the order json.dumps(sort_keys=True) gives them ("eras" < "events" < "title"); one event a line.
    head = b'{"eras": ' + _json(eras).encode("utf-8") + b', "events": [\n' if eras else b'{"events": [\n'
    return head, b'\n], "title": ' + _json(title).encode("utf-8") + b"}\n"


def _eras_of(eras: tuple[Era, ...], events: tuple[Event, ...]) -> list[dict[str, object]]:
    """Return the TimelineJS eras of those eras that share a day with the events."""
    if not eras or not events:
        return []
    first = min((event.start for event in events), key=When.sort_key)
    last = max((event.end or event.start for event in events), key=When.sort_key)
    return timelinejs_eras([era for era in eras if era.overlaps(first, last)], last)


def period_timelinejs(title: str, label: str, events: tuple[Event, ...], base_url: str | None = None, *,
                      eras: tuple[Era, ...] = ()) -> bytes:
    """Return the timeline.json of one period of a split timeline (its page's folder), so that an embed
    can show that period alone: as the whole file, with the period's events and its name as title, and
    the eras that share a day with those events."""
    head, tail = _timelinejs_around(f"{title}: {label}", "", _eras_of(eras, events))
    return head + _JSON_SEPARATOR.join(timelinejs_line(event, None, base_url) for event in events) + tail


def timelinejs_line(event: Event, content: str | None = None, base_url: str | None = None) -> bytes:
    """Return one event's line of a timeline.json (content: its content_html, when made already)."""
    content = content_html(event, base_url) if content is None else content
    return _json(timelinejs_event(event, content, base_url)).encode("utf-8")


def _sitemap_ends(timeline: Timeline, site: _Site, latest: datetime) -> tuple[bytes, bytes]:
    pages = ["sources/"]
    if timeline.tag_slugs:
        pages.append("tags/")
        pages += [f"tags/{slug}/" for slug in sorted(set(timeline.tag_slugs.values()))]
    head = f'<?xml version="1.0" encoding="UTF-8"?>\n<urlset xmlns="{SITEMAP_NS}">\n{sitemap_url("", site)}'
    return head.encode("utf-8"), ("".join(sitemap_url(page, site) for page in pages) + "</urlset>\n").encode("utf-8")


# Each file made of every event's share: its name, the _Fragments field it is made of, and its
# head and tail. The Atom feeds hold a few events each: atom_feeds, atom_feed.
_FILES = {
    "calendar.ics": ("ics", _calendar_ends),
    "timeline.json": ("timelinejs", _timelinejs_ends),
    "sitemap.xml": ("sitemap", _sitemap_ends),
}
_JSON_SEPARATOR = b",\n"
_STAMP = operator.attrgetter("stamp")


def feed_files(site: _Site) -> dict[str, str]:
    """Return the long files this site has (not the Atom feeds), each with the _Fragments field it is made of."""
    return {name: share for name, (share, _) in _FILES.items() if share != "sitemap" or site.base_url}


def render_feeds(timeline: Timeline, epoch: datetime | None) -> Iterator[tuple[str, bytes]]:
    """Render feed.xml and every tag's feed, calendar.ics, timeline.json, (with a base_url) sitemap.xml
    and robots.txt, one (path, bytes) at a time: an Atom feed the head and its most recent events'
    entries; every other file the head, every event's share of it, the tail."""
    site = feed_site(timeline, epoch)
    size = feed_events(timeline)
    for name, tag, events in atom_feeds(timeline):
        latest = max(map(utc_stamp, events), default=_EPOCH)
        chosen = recent(filter(in_calendars, events), size, utc_stamp)
        yield name, atom_feed(timeline, site, name, tag, latest, (_SHARES["atom"](event, site) for event in chosen))
    latest = max(map(utc_stamp, timeline.events), default=_EPOCH)
    for name, share in feed_files(site).items():
        head, tail = _FILES[name][1](timeline, site, latest)
        items = (_SHARES[share](event, site) for event in timeline.events)
        yield name, _whole(head, items, tail, _JSON_SEPARATOR if share == "timelinejs" else b"")
    yield "robots.txt", robots(site)


def _whole(head: bytes, items: Iterable[bytes], tail: bytes, separator: bytes) -> bytes:
    """Return head, the items (separator between them) and tail as one bytes object, each item let go
    once it is in: at 100,000 events timeline.json is 330 MB, and a join would hold the items and the
    file (and `head + … + tail` two more copies) at once."""
    whole = io.BytesIO()
    whole.write(head)
    for i, item in enumerate(items):
        if i:
            whole.write(separator)
        whole.write(item)
    whole.write(tail)
    return whole.getvalue()  # the buffer itself, not a copy, when nothing else holds it


# One event's share of each file, as event_fragments makes them all at once.
_SHARES = {
    "atom": lambda event, site: atom_entry(event, site, content_html(event, site.base_url)).encode("utf-8"),
    "ics": vevent,
    "timelinejs": lambda event, site: timelinejs_line(event, None, site.base_url),
    "sitemap": lambda event, site: sitemap_url(event.url, site, event.updated).encode("utf-8"),
}


def feed_site(timeline: Timeline, epoch: datetime | None) -> _Site:
    # Percent-encoded, so that no space or control character of a setting reaches a URL, a line of
    # the calendar or robots.txt.
    base_url = quote(timeline.base_url.rstrip("/") + "/", safe=_URL_SAFE) if timeline.base_url else None
    return _Site(base_url, timeline.title, epoch)


def robots(site: _Site) -> bytes:
    lines = ["User-agent: *", "Disallow:"]
    if site.base_url:
        lines += ["", f"Sitemap: {site.url('sitemap.xml')}"]
    return ("\n".join(lines) + "\n").encode("utf-8")
