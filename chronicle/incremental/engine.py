"""The engine: the reference pipeline's bytes, made faster (issue 15: speed beside the plain path).

Everything that exists only for speed lives in this package, behind this one
seam: the build cache (store), the quick look that leaves an unchanged site as
it is, entries re-read only when their files changed, pages and parts reused
while what they are made from (chronicle.render's declaration) is unchanged,
worker processes, long files spliced from the last output, the spare folder.
Only this package imports this package; tests/test_oracle.py checks that its
bytes are the reference's after long random series of edits.
"""

from __future__ import annotations

import os
import struct
import time
from dataclasses import dataclass, replace
from functools import partial
from itertools import chain, compress
from operator import attrgetter, is_not
from pathlib import Path
from typing import Callable, Collection, Iterable, Iterator, Sequence

from ..config import INDEX_NAME, Options, Settings
from ..diagnostics import Diagnostic, Report
from ..entries import EntryRules, discover, discover_names, is_entry, make_markdown, read_entry
from ..feeds import source_date_epoch
from ..media import Made, media_files, publish
from ..model import Event, Picture, Timeline
from ..output import OutputError, Written
from ..pipeline import (MAX_ENTRY_BYTES, CannotRun, Result, assemble, check_content, protected, read_site_settings,
                        read_text, theme_for, warn_of_feeds)
from ..periods import Link, Period, homes, split
from ..pages import Publisher, publisher_pages
from ..sitefiles import SiteFileClash, StaticFolder, is_below, published, static_folder
from ..render import (PeriodPage, Site, Theme, ThemeError, make_environment, period_files, period_pages, render_event_page,
                      render_overview, site_of)
from .feeds import AtomPlan, atom_files, render_feeds, stream_feeds
from .index import render_index
from .pages import Grouped, render_pages
from .store import (DIGEST_SIZE, Cache, Fragments, digest, digest_from, hasher, dumps as cache_dumps,
                    loads as cache_loads)
from .workers import Ahead, Forked, fork_ahead, fork_call, map_items
from .writer import (WRITTEN, Files, entries_under, files_under, put_file, put_pieces, signature as file_signature,
                     signature_of, write_site)

PARALLEL_ENTRIES = 64  # fewer entries than this are parsed in this process: forking would cost more
LOOKUPS_AT_ONCE = 1000
PARALLEL_EVENTS = 200  # a smaller timeline is rendered in this process (Engine.render)
EVENT_PAGES_A_TASK = 250
TAG_SHARES = 3  # the tag pages are shared among this many jobs
FIRST_PAGES = 16  # a save of more entries than this, with nothing rendered before, is shown all at once
PAGES_BETWEEN_CHECKS = 64  # event pages made between two looks at whether the build is to stop
_SETTLED_NS = 2_000_000_000  # an entry changed this recently is read by every look (Engine._entry_keys)
_STAT = struct.Struct("<qqqq")  # an entry as the look saw it: mtime, ctime, size, inode
_DIAGNOSTICS, _EVENT = attrgetter("diagnostics"), attrgetter("event")  # of an _Entry


# A build's first pages, the names of the pages of their kinds the last build had and this one has
# not (a deleted event's page), and its timeline (Engine.render).
Early = Callable[[dict[str, bytes], frozenset[str], Timeline], None]


class Cancelled(Exception):
    """A build given up while it renders, because its `cancel` said so (serve's first build or its
    warm-up, when a save comes): nothing it made is returned, and what it kept is keyed as always,
    so the next build reuses the pages it made and makes the rest."""


def _never() -> bool:
    return False


@dataclass(frozen=True)
class _Rendered:
    """What the last render (Engine.render) was given, and what it made of it that a save may keep."""

    timeline: Timeline
    site: Site  # its own values (a render stopped since may have made pages of others: Cancelled)
    whole: Period | None  # its periods (split)
    home: dict[str, str]  # each event's period (homes)
    pages: dict[str, bytes]  # every event's page, by its name


@dataclass(frozen=True)
class _Entry:
    """One entry as last read: its file signature, the event (or None) and its diagnostics."""

    signature: tuple[int, int, int]
    event: Event | None
    diagnostics: tuple[Diagnostic, ...]
    key: bytes = b""  # the build cache's key of the entry: a digest of all it is made from


def _tree_signature(root: Path) -> tuple:
    return tuple(
        (p.relative_to(root).as_posix(), file_signature(p)) for p in sorted(root.rglob("*")) if p.is_file()
    )


def entry_path(content: Path, changed: Path) -> Path | None:
    """Return a watcher's path (absolute, or relative to the working folder) as the build names
    entries, `content/…`; None when it is not below the content folder."""
    try:
        relative = changed.relative_to(content.resolve()) if changed.is_absolute() else changed.relative_to(content)
    except ValueError:
        return None
    return content / relative


class Engine:
    """Builds the site again and again, re-reading only entries whose files changed.

    `build` and `check` use one Engine once; `serve` keeps one for its whole
    run, so a save re-reads one entry and re-renders only the pages that show
    it (issue 3). Every cache is keyed by file signatures, so a change the
    watcher missed is still seen.
    """

    def __init__(self, options: Options, cache: Cache | None = None, parallel: bool = False, readers: bool | str = False,
                 progress: Callable[[str, int, int], None] | None = None,
                 clock: Callable[[], int] = time.time_ns):
        self.options = options
        self.clock = clock  # nanoseconds since 1970: when an entry counts as settled (_entry_keys)
        self._epoch = source_date_epoch(options.source_date_epoch)[0]
        self.progress = progress or (lambda stage, done, total: None)
        self.cache = cache if cache is not None and cache.enabled else None
        self.parallel = parallel  # parse and render with worker processes (a one-off build, not serve)
        # Who parses the entries when many are read anew: forked workers (parallel), workers of a
        # fork server ("forkserver": serve, whose threads a fork would copy), workers forked before
        # those threads (fork_readers), or this process (False).
        self.readers: bool | str | Forked = True if parallel else readers
        self._memo: dict[bytes, object] = {}  # media.Made by media.memo_key, for every build of this engine
        self._settings_text = ""
        self._entries: dict[Path, _Entry] = {}
        self._settings_key: object = None
        self._settings: Settings | None = None
        self._settings_diagnostics: tuple[Diagnostic, ...] = ()
        self._theme_key: object = None  # the theme's templates as last loaded
        self._static_key: object = None  # its static files as last read
        self._env = None
        self._compiling: Ahead | None = None  # the theme's templates, compiled by a process of their own
        self._static: dict[str, bytes] = {}
        # The site's own files (static/ beside content/), read again only where a file changed.
        self._own = StaticFolder(static_folder(options.content, options.cwd))
        self._own_files: dict[str, bytes] = {}
        self._media: dict[str, bytes] = {}  # the events' media files as the last build published them
        self._media_prints: dict[int, bytes] = {}  # an event with its media measured: its key with theirs
        self._pages: dict[str, tuple[object, bytes]] = {}
        self._rendered: _Rendered | None = None  # what render was last given and made of it
        self._index: tuple[object, bytes] | None = None
        self._periods: dict[str, tuple[object, list[tuple[str, bytes]]]] = {}  # a page and its files, by its name
        self._days: dict[str, tuple[object, object]] = {}
        self._site: Site | None = None
        self._extra_pages: dict[str, object] = {}
        self._feeds: dict[str, object] = {}
        self._manifest: bytes | None = None  # as the last write left it, in the cache
        self._looked: dict[str, tuple[int, int, int]] = {}  # each entry's signature as the look keyed it
        self._periods_of: tuple = ((), 0, None)  # the last split: its events, its limit, its periods
        self._cancel: Callable[[], bool] = _never  # the running build's (build)

    def fork_readers(self) -> Forked | None:
        """Fork now the processes that will parse the entries, for a caller about to start threads
        whose next build reads every entry anew (serve without a cache): they start with this
        process's modules and its Markdown made, not from a fork server started then, which loads
        them first (1,000 entries: the first page served a fifth sooner, bench/README.md). Set
        them as readers for that build and close them after it. None: too few entries, one core,
        or threads already."""
        count = len(discover_names(self.options.content))
        if count < PARALLEL_ENTRIES:
            return None
        _markdown()
        return fork_ahead(count, PARALLEL_ENTRIES, self.options.workers)

    def _compile_ahead(self, theme: Theme, known: dict[str, bytes] | None) -> None:
        """Fork a process to compile the theme's templates while this one reads the entries, for a
        build whose pages workers will render: each of them would compile most of the theme again
        (10,000 events, an entry edited: a third of their time). Its code goes to the environment
        when it is made (_theme), before the workers fork. known: the look's keys, an entry's each."""
        if self.parallel and self._env is None and known is not None and len(known) >= PARALLEL_EVENTS:
            self._compiling = fork_call(partial(_compiled_theme, theme), self.options.workers)

    def _split(self, events: tuple[Event, ...], limit: int) -> Period | None:
        """Return split(events, limit), made once for the same events: a build's keys, its event
        pages' ways back and its index (made by a worker, forked after it) share it."""
        if self._periods_of[0] is not events or self._periods_of[1] != limit:
            self._periods_of = (events, limit, split(events, limit))
        return self._periods_of[2]

    def _load_settings(self, report: Report) -> Settings:
        key = file_signature(self.options.content / INDEX_NAME)
        if key != self._settings_key or self._settings is None:
            local = Report()
            settings, text = read_site_settings(self.options, local)
            if self._settings is None or EntryRules.of(settings) != EntryRules.of(self._settings):
                self._entries.clear()  # the entries' dates depend on these settings (a title: on none)
            self._settings = settings
            self._settings_text = text
            self._settings_diagnostics = tuple(local.items)
            self._settings_key = key
        report.extend(self._settings_diagnostics)
        return self._settings

    def _scan(self, hints: set[Path] | None) -> tuple[list[Path], set[Path] | None]:
        """Return every entry's path, and those of them to look at again (None: all of them).

        The watcher names what changed; when every name is an entry file (no
        folder, no settings, no theme file), only those are looked at again.
        Anything else, or no hint, scans and checks the whole content folder.
        """
        content = self.options.content
        if hints is None or not self._entries:
            return discover(content), None
        named: set[Path] = set()
        for hint in hints:
            if is_below(hint, self._own.folder):
                continue  # a site file: no entry to read again (build reads static/ itself)
            path = entry_path(content, hint)
            if path is None or not is_entry(path.relative_to(content)) or path.is_dir():
                return discover(content), None
            named.add(path)
        present = {path for path in named if path.is_file() and not path.is_symlink()}
        if present <= self._entries.keys() and present == named:  # entries saved again: the paths as they were
            return list(self._entries), present
        return sorted((set(self._entries) - named) | present, key=str), present

    def _saved(self, hints: set[Path]) -> set[str]:
        """Return the slugs of the events of the entries the watcher named: a save's, even when the
        build before read it as saved already (serve's warm-up, reading while the author saved)."""
        entries = (self._entries.get(entry_path(self.options.content, hint)) for hint in hints)
        return {entry.event.slug for entry in entries if entry is not None and entry.event is not None}

    def _load_entries(self, settings: Settings, report: Report, hints: set[Path] | None,
                      known: dict[str, bytes] | None = None) -> tuple[list[Event], set[str]]:
        # The look's paths and signatures (taken before it read each entry) go with its keys.
        looked, self._looked = (self._looked if known is not None else {}), {}
        paths, named = self._scan(hints) if known is None else ([Path(path) for path in looked], None)
        entries = self._entries
        looking = paths if named is None else sorted(named, key=str)  # a save: only the entries it names
        signatures = list(looked.values()) or [None] * len(looking)
        stale: list[tuple[Path, tuple[int, int, int] | None]] = []
        for path, signature in zip(looking, signatures):
            cached = entries.get(path)
            signature = signature or file_signature(path)
            if cached is None or cached.signature != signature or signature is None:
                stale.append((path, signature))
        fresh = self._read_entries(stale, settings, known or {})
        if len(paths) == len(entries) and fresh.keys() <= entries.keys():  # the same entries (a save)
            seen = self._entries = {**entries, **fresh}
        else:
            seen = self._entries = {path: fresh.get(path) or entries[path] for path in paths}
        report.extend(chain.from_iterable(map(_DIAGNOSTICS, seen.values())))
        events = [event for event in map(_EVENT, seen.values()) if event is not None]
        return events, {entry.event.slug for entry in fresh.values() if entry.event is not None}

    def _read_entries(self, stale: list[tuple[Path, tuple[int, int, int] | None]],
                      settings: Settings, known: dict[str, bytes]) -> dict[Path, _Entry]:
        """Read entries anew: from the build cache when their bytes were read before, else parsed
        (by both cores when there are many). known: keys made by the quick look (_look), so that
        an entry found in the cache is not read twice here. An entry to parse is read by the process
        that parses it, and keyed by what it read: this one holds no text (100,000 entries are 270 MB)."""
        entries: dict[Path, _Entry] = {}
        missed: list[tuple[Path, tuple[int, int, int]]] = []
        hits = 0
        prefix = self._entry_hasher()
        if not self.cache:
            missed = [(path, signature or (0, 0, 0)) for path, signature in stale]
        for start in range(0, len(stale) if self.cache else 0, LOOKUPS_AT_ONCE):  # a thousand at a time
            pending: list[tuple[Path, tuple[int, int, int], bytes]] = []
            for path, signature in stale[start:start + LOOKUPS_AT_ONCE]:
                signature = signature or (0, 0, 0)
                key = known.get(str(path))
                if key is None:
                    local = Report()
                    text = read_text(path, local)
                    if text is None:
                        entries[path] = _Entry(signature, None, tuple(local.items))
                        continue
                    key = digest_from(prefix, str(path), text)
                pending.append((path, signature, key))
            found = self.cache.get_many(key for *_, key in pending)
            for path, signature, key in pending:
                try:
                    event, diagnostics = _entry_value(cache_loads(found.pop(key)))
                    entries[path] = _Entry(signature, event, diagnostics, key)
                    hits += 1
                except Exception:  # not cached, or not a value this version wrote: parsed anew
                    missed.append((path, signature))
        if self.cache:
            self.cache.count(hits, len(missed))

        parse = _Reader(EntryRules.of(settings), self.options.content, self._entry_parts())
        made = map_items(parse, [path for path, _ in missed], least=PARALLEL_ENTRIES, chunk=None, fork=self.readers,
                         workers=self.options.workers)
        for done, ((path, signature), (key, data)) in enumerate(zip(missed, made), 1):
            self.progress("reading entries", done, len(missed))
            event, diagnostics = cache_loads(data)
            entries[path] = _Entry(signature, event, tuple(diagnostics), key or b"")
            if self.cache and key is not None:
                self.cache.put(key, data)
        return entries

    def _entry_parts(self) -> tuple[bytes | str, ...] | None:
        # Everything an entry's event and messages are made from: its bytes, its path, the
        # settings read_entry uses (EntryRules: a new title reads no entry again), and where the
        # command runs (messages name paths relative to it). Its key: digest(*these, path, text).
        if not self.cache:
            return None
        return self.cache.version, "entry", repr(EntryRules.of(self._settings)), str(self.options.cwd)

    def _entry_hasher(self):
        parts = self._entry_parts()
        return hasher(*parts) if parts is not None else None

    def _theme(self, theme: Theme):
        """Load the theme: a template changed renders every page again; a static file changed (a
        style sheet being worked on) is copied again, no page rendered (pages only link to it)."""
        root = theme.root.resolve()
        key = (root, _tree_signature(theme.templates))
        if key != self._theme_key or self._env is None:
            self._env = make_environment(theme)
            if self._compiling is not None:  # compiled while the entries were read (_compile_ahead)
                from .templates import Compiled

                self._env.bytecode_cache = Compiled(self._compiling.result())
                self._compiling = None
            self._pages.clear()
            self._rendered = None
            self._days.clear()
            self._extra_pages.clear()
            self._index = None
            self._periods.clear()
            self._theme_key = key
        static = (root, _tree_signature(theme.static) if theme.static.is_dir() else ())
        if static != self._static_key:
            self._static = theme.static_files()
            self._static_key = static
        return self._env

    def assemble(self, report: Report, hints: set[Path] | None = None,
                 known: dict[str, bytes] | None = None) -> tuple[Timeline, set[str]]:
        """Load the content and turn it into the ordered timeline; also name the events re-read."""
        check_content(self.options)
        settings = self._load_settings(report)
        events, changed = self._load_entries(settings, report, hints, known)
        events = self._publish(events, report)
        return assemble(self.options, settings, events, report), changed

    def _publish(self, events: list[Event], report: Report) -> list[Event]:
        """Publish the events' media (media.publish), each file made once for its bytes (kept in the
        cache); an event whose media were measured (or whose text links to a file, then published) is
        keyed by its entry's key, their measures and its body as published."""
        published, self._media = publish(events, self.options.content, report, memo=_MediaMemo(self.cache, self._memo))
        changed = [(before, after) for before, after in zip(events, published) if after is not before]
        keys = {id(entry.event): entry.key for entry in self._entries.values()
                if entry.event is not None} if changed else {}
        self._media_prints = {id(after): digest(keys.get(id(before), b""), repr(after.media), after.body)
                              for before, after in changed}
        return published

    def _check(self) -> None:
        """Stop the build (Cancelled) when its cancel says so."""
        if self._cancel():
            raise Cancelled

    def render(self, timeline: Timeline, theme: Theme, early: Early | None = None,
               first: Collection[str] = ()) -> dict[str, bytes]:
        """Render the site, reusing every page and part whose inputs are the same as last time.

        early: given the index, the period pages and every event's page as soon as they are made,
        before the tag, source and publisher pages and the feeds (serve shows them at once), with
        the names of the last render's pages of those kinds that are gone; when no page was made
        before (serve's first build, a new theme), given the index and the files it loads first.
        When a save changed events in their places, given their pages (and those beside them)
        first, before the index and the period pages: the page the author is most likely on.
        first: the slugs of a save's events (read anew, or named by the watcher). With no page made
        before to reuse (serve's first build or warm-up given up for the save: Cancelled; a new theme;
        new settings), their pages and those beside them are made and given first, then the index
        and their periods' pages with them (serve shows each early over the last good site), then
        the rest as above."""
        env = self._theme(theme)
        events = timeline.events
        last = self._rendered
        at = _replaced(last.timeline, timeline) if last is not None else None
        if at is not None:  # a save that changed events in their places: the same site, periods and homes
            site, whole, home = last.site, _swapped(last.whole, last.timeline.events, events, at), last.home
        else:
            site = site_of(timeline)
            whole = self._split(events, site.page_events)
            home = homes(whole)
        anew = last is None or site != last.site  # no page of the last render is this site's
        if site != self._site:
            self._days.clear()  # every day is given the timeline's own values
            self._site = site
        kept = self._pages  # the pages made before; self._pages: those of this timeline (all, or kept and remade)

        def page(i: int) -> tuple[str, bytes]:
            event = events[i]
            name = f"{event.url}index.html"
            key = (site, event, events[i - 1] if i else None, events[i + 1] if i + 1 < len(events) else None,
                   home.get(event.slug, ""))
            cached = kept.get(name)
            if cached is None or cached[0] != key:
                cached = (key, render_event_page(env, site, events, i, key[-1]))
            self._pages[name] = cached
            return name, cached[1]

        # Keys hold the events themselves: equal values compare equal (identity
        # first, so unchanged entries cost a pointer check), and no id is reused.
        index_key = (site, events)

        def index() -> bytes:
            if self._index is None or self._index[0] != index_key:
                self._index = (index_key, render_index(env, timeline, site, self._days) if whole is None else
                               render_overview(env, timeline, site, whole))
            return self._index[1]

        def period(made: PeriodPage) -> list[tuple[str, bytes]]:  # each kept while it is given the same
            cached = self._periods.get(made.name)
            if cached is None or cached[0] != (site, made):
                cached = self._periods[made.name] = ((site, made), list(period_files(env, site, made)))
            return cached[1]

        remade: dict[str, bytes] = {}
        if at is not None:  # the pages of the events changed and of those beside them (they name them)
            remade = dict(map(page, _beside(at, len(events))))
            if early is not None:  # shown before the index and the periods are made: 10,000 events, 12 ms sooner
                early(remade, frozenset(), timeline)
        elif early is not None and anew and 0 < len(first) <= FIRST_PAGES:
            saved = [i for i, event in enumerate(events) if event.slug in first]
            shown_first = dict(map(page, _beside(saved, len(events))))
            early(dict(shown_first), frozenset(), timeline)
            self._check()
            wanted = {home.get(events[i].slug, "") for i in saved}
            shown_first["index.html"] = index()
            for made in period_pages(whole) if whole is not None else ():
                if made.period.path in wanted:
                    shown_first.update(period(made))
            early(shown_first, frozenset(), timeline)  # with the pages given before: each early is shown whole
        self._check()
        files = {"index.html": index()}
        if early is not None and last is None and not self._pages:  # nothing made before: the index first
            early({**files, **self._static, **self._media}, frozenset(), timeline)
        periods: dict[str, tuple[object, list[tuple[str, bytes]]]] = {}
        for made in period_pages(whole) if whole is not None else ():
            self._check()
            files.update(period(made))
            periods[made.name] = self._periods[made.name]
        before = ({name for _, named in self._periods.values() for name, _ in named} | self._pages.keys()
                  if early is not None and at is None else set())
        self._periods = periods
        if at is None:  # made into the pages kept (a build stopped half-way loses none), then those alone
            shown = {}
            for i in range(len(events)):
                if i % PAGES_BETWEEN_CHECKS == 0:
                    self._check()
                name, data = page(i)
                shown[name] = data
            self._pages = {name: self._pages[name] for name in shown}
        else:
            shown = {**last.pages, **remade}
        files.update(shown)
        self._rendered = _Rendered(timeline, site, whole, home, shown)
        if early is not None:
            early(dict(files), frozenset(before - files.keys()), timeline)
        self._check()
        files.update(render_pages(env, timeline, site, self._extra_pages, check=self._check))
        self._check()
        files.update(render_feeds(timeline, self._epoch, self._feeds))
        files.update(self._static)
        files.update(self._media)
        return files

    def render_parallel(self, timeline: Timeline, theme: Theme, pages: Sequence[int] | None = None,
                        rest: bool = True, fragments: Fragments | None = None,
                        staging: Path | None = None, kept: Sequence[str] = (),
                        tags: int | None = None, periods: bool = False,
                        publishers: bool = False, grouped: Grouped | None = None) -> Iterator[tuple[str, bytes | None]]:
        """Yield the same files as render, made by worker processes, one page or group at a time.

        For a build run once: nothing is kept for a next build in this process,
        and each file is handed over as soon as it is made, to be written and let go.
        pages: the positions of the events whose pages to make (None: all);
        rest: whether to make every other file too (index, tags, sources, feeds, static);
        fragments: the long pages' parts kept in the build cache, or None;
        staging: where the workers write what they make (output.put_file), handing back only
        names (with output.WRITTEN), so that no page crosses between processes;
        kept: the names of files kept as they are, handed over (with None) while the workers render
        (a tag, period or publisher page among them is not made); tags: how many tag pages there are
        to make (None: all); periods, publishers: whether there are period pages, publisher pages to
        make when rest is not; grouped: the catalogue as the reference groups it, when made already.
        """
        env = self._theme(theme)
        self._rendered = None  # render starts again from the whole timeline
        site = site_of(timeline)
        events = timeline.events
        pages = range(len(events)) if pages is None else pages
        # The longest jobs first, so that neither core waits for the other at the end. A job of
        # pages makes the half of the catalogue it shows: the sources page its sources, the tag
        # pages (the tags index with the first) its tags; a few tag pages are one job.
        # A pages job: ("pages", share, sources page, tags index, tag pages).
        tasks: list[tuple] = [("pages", None, True, False, False)] if rest or publishers else []
        if tags is not None and tags <= TAG_SHARES:
            tasks += [("pages", None, False, rest, bool(tags))] if tags or rest else []
        else:
            tasks += [("pages", (k, TAG_SHARES), False, rest and k == 0, True) for k in range(TAG_SHARES)]
        tasks += [("feeds",)] if rest else []
        tasks += [("index",)] if rest or periods else []
        tasks += [("events", tuple(pages[start:start + EVENT_PAGES_A_TASK]))
                  for start in range(0, len(pages), EVENT_PAGES_A_TASK)]
        skip = frozenset(kept)
        home = homes(self._split(events, site.page_events))  # each event page's way back: its period's page

        # One store for the tasks a process runs: the catalogue is grouped once (or before the workers fork).
        pages_store: dict[str, object] = {"site": site, "catalogue grouped": grouped} if grouped is not None else {}

        def periods_of(whole) -> Iterator[tuple[str, bytes]]:  # each written before the next is made
            if "index.html" not in skip:
                yield "index.html", render_overview(env, timeline, site, whole)
            for period in period_pages(whole):
                if period.name not in skip or f"{period.period.path}timeline.json" not in skip:
                    yield from ((name, data) for name, data in period_files(env, site, period) if name not in skip)

        def make(task: tuple) -> Iterable[tuple[str, object]]:  # bytes, pieces to write, or WRITTEN
            kind = task[0]
            if kind == "events":
                return [(f"{events[i].url}index.html",
                         render_event_page(env, site, events, i, home.get(events[i].slug, ""))) for i in task[1]]
            if kind == "index":
                whole = self._split(events, site.page_events)
                if whole is not None:  # the index and a page per period (not kept), each written as it is made
                    return periods_of(whole)
                if "index.html" in skip:
                    return []
                return [("index.html", render_index(env, timeline, site, fragments=fragments, joined=staging is None))]
            if kind == "feeds" and staging is not None:
                previous = fragments.previous if fragments is not None else lambda name: None
                plan = AtomPlan(timeline)  # the Atom feeds' entries, kept as the long files are made
                written = put_pieces(staging, stream_feeds(timeline, self._epoch, fragments, plan), previous)
                for name, pieces in atom_files(timeline, self._epoch, fragments, plan):  # each file alone
                    written[name] = put_file(staging, name, pieces, previous(name))
                for name, layout in written.items():
                    if fragments is not None:
                        fragments.record(name, layout)
                return [(name, WRITTEN) for name in written]
            if kind == "feeds":
                return list(render_feeds(timeline, self._epoch, {}, fragments).items())
            # One store for the tasks a process runs: each half of the catalogue is made once;
            # the pages are written as their parts are made (staging), or let go once handed over.
            _, share, sources, index, tag_pages = task
            files = list(render_pages(env, timeline, site, pages_store, share=share, fragments=fragments,
                                      sources=sources, tags=index, tag_pages=tag_pages, skip=skip,
                                      joined=staging is None).items())
            for name in [name for name in pages_store if not name.startswith("catalogue") and name != "site"]:
                del pages_store[name]
            return files

        def run(task: tuple) -> tuple[list[tuple[str, bytes]], list[bytes]]:
            if fragments is not None:
                fragments.used = []
            if staging is None:
                files = list(make(task))
            else:  # each file written and let go as it is made (100,000 events: 7,000 period pages)
                files = []
                for name, data in make(task):
                    if data is not WRITTEN:  # a page whole, or a long file's pieces, some in output/'s
                        previous = fragments.previous(name) if fragments and not isinstance(data, bytes) else None
                        layout = put_file(staging, name, data, previous)
                        if fragments is not None:
                            fragments.record(name, layout)
                    files.append((name, WRITTEN))
            if fragments is None:
                return files, []
            fragments.flush()
            return files, fragments.used

        # Handed over first, once the workers have started: the writer links the kept files while they render.
        ready = [(name, data) for name, data in {**self._static, **self._media}.items() if name not in skip] + \
            [(name, None) for name in kept]
        for done, (files, used) in enumerate(map_items(run, tasks, ordered=False, meanwhile=[(ready, [])],
                                                       workers=self.options.workers)):
            yield from files
            if self.cache:
                self.cache.touch(used)
            if done:
                self.progress("rendering pages", done, len(tasks))

    def current(self) -> Result | None:
        """Return the result of the build that wrote output/ when every input is as that build read
        it and output/ is as it wrote it (the quick look, _look: nothing read again, nothing
        rendered); None otherwise, or without a cache. serve starts by showing such an output/."""
        if not self.cache:
            return None
        report = Report()
        found = self._look(theme_for(self.options), report)
        return found if isinstance(found, Result) else None

    def build(self, write: bool = True, hints: set[Path] | None = None, early: Early | None = None,
              cancel: Callable[[], bool] | None = None) -> Result:
        """Run the whole pipeline; write the site only when there is no error (check: write=False).

        hints: the paths a watcher saw change, so that only those are read again.
        early: given the pages a reader is most likely looking at as soon as they are made (render).
        cancel: asked while a site rendered in this process (render) is made; once it says True, the
        build stops (Cancelled). The entries are read whole first: the next build reads only its own.
        """
        self._cancel = cancel or _never
        try:
            return self._build(write, hints, early)
        finally:
            self._cancel = _never
            if self._compiling is not None:  # not rendered (an error in the content)
                self._compiling.close()
                self._compiling = None

    def _build(self, write: bool, hints: set[Path] | None, early: Early | None) -> Result:
        report = Report()
        theme = theme_for(self.options)
        known = self._look(theme, report) if write and self.parallel and self.cache else None
        if isinstance(known, Result):
            return known
        self._compile_ahead(theme, known)
        timeline, changed = self.assemble(report, hints, known)
        result = Result(report, timeline, changed=changed, events=len(timeline.events))
        self._own_files = self._own.read(report)
        if report.errors:
            return result
        streamed = self.parallel and len(timeline.events) >= PARALLEL_EVENTS
        try:
            if streamed and write:
                result.pages = self._write_changed(timeline, theme, report)
            elif streamed:
                files = _Counted(self.render_parallel(timeline, theme))
                for _ in published(files, self._own_files, self._own.folder, search=timeline.search):
                    pass
                result.pages = files.pages
            else:
                if self.cache:
                    self.cache.complete = True  # a small timeline: its entries are all it looks up
                result.files = self.render(timeline, theme, early, changed | self._saved(hints) if hints else ())
                result.pages = sum(1 for name in result.files if name.endswith(".html"))
                result.files = dict(published(result.files.items(), self._own_files, self._own.folder,
                                              search=timeline.search))
        except ThemeError as error:
            self._theme_key = None
            report.error(error.path, error.line, error.message)
            return result
        except SiteFileClash as clash:  # nothing written: output/ stays as it was
            report.extend(clash.diagnostics)
            result.pages = 0
            return result
        warn_of_feeds(timeline, self.options, report)
        if write and not streamed:
            written = self.write_files(result.files, theme, report)
            if written is not None and self.cache and self.parallel:
                # A small timeline's files by their signatures, so that the next build's look leaves
                # output/ as it is when nothing changed; no page keys: a large timeline's build
                # (_write_changed) keeps none of these files, it makes them all.
                self._manifest = cache_dumps({name: (b"", signature) for name, signature in written.items()})
                self.cache.put(self._place("manifest"), self._manifest)
        if write and self.cache and self._manifest is not None and not report.errors:
            self._remember(theme, result)
        return result

    # The quick look: a build whose inputs are all as the build that wrote output/ read them
    # reads no event from the cache, renders nothing and leaves output/ as it is.

    def _look(self, theme: Theme, report: Report) -> dict[str, bytes] | Result | None:
        """Key every input (each entry by its bytes, the settings, the theme, the options); when
        they are the inputs of the build that wrote output/ and every file of output/ is as that
        build wrote it, return that build's result (its messages told again; its files output/'s,
        each read when asked for: output.Written). Else return each
        entry's key by its path (as str(Path) names it), for the build to go on with (no entry is
        read twice); None when an entry cannot be read (the build says why)."""
        check_content(self.options)
        output = self.options.output.resolve()
        place, manifest_place, seen_place = self._place("built"), self._place("manifest"), self._place("seen")
        found = self.cache.get_many([place, manifest_place, seen_place])
        self._load_settings(Report())  # its messages are told by assemble, or kept in the record
        self._own_files = self._own.read(Report())  # keyed by their bytes (_inputs_key)
        keys = self._entry_keys(found.get(seen_place), seen_place)
        if keys is None:
            return None
        try:
            inputs, manifest_sum, diagnostics, events, pages = cache_loads(found[place])
            blob = found[manifest_place]
            diagnostics = tuple(diagnostics)
            if manifest_sum != digest(blob) or not all(type(d) is Diagnostic for d in diagnostics) or \
                    type(events) is not int or type(pages) is not int:
                return keys
        except Exception:  # no record (a first build, a new cache), or not one this version wrote
            return keys
        if self._inputs_key(theme, keys) != inputs:
            return keys
        manifest = _manifest(blob)
        if not manifest or not _holds_as_written(output, manifest):
            return keys
        report.extend(diagnostics)
        self.cache.count(len(keys), 0)
        return Result(report, files=Written(output, manifest), pages=pages, events=events)

    def _entry_keys(self, record: bytes | None, place: bytes) -> dict[str, bytes] | None:
        """Return each entry's key by its path; None when an entry cannot be read.

        An entry whose file is as the last look found it (lstat's times, size and inode) is not read
        again: its key is the one the look recorded, as git's index trusts a file's stat. Only files
        changed at least _SETTLED_NS before they were looked at are recorded: a file changed again
        within the clock's tick would keep its times (ctime cannot be set back by hand)."""
        prefix = self._entry_hasher()
        recorded = _read_seen(record, digest_from(prefix))
        keys: dict[str, bytes] = {}
        settled: list[tuple[str, bytes]] = []
        horizon = self.clock() - _SETTLED_NS
        self._looked = {}
        for path in discover_names(self.options.content):
            try:
                stat = os.lstat(path)  # before the bytes are read: a change after it is a new stat
                packed = _STAT.pack(stat.st_mtime_ns, stat.st_ctime_ns, stat.st_size, stat.st_ino)
                known = recorded.get(path)
                if known is not None and known[0] == packed:
                    keys[path] = known[1]
                else:
                    with open(path, "rb", buffering=0) as file:
                        data = file.read(MAX_ENTRY_BYTES + 1)
                    if len(data) > MAX_ENTRY_BYTES:
                        return None
                    # The bytes as read_text's text keys them: the same for UTF-8; a file that is not
                    # has no value in the cache under its key, and is read again (and reported) by the build.
                    keys[path] = digest_from(prefix, path, data)
            except OSError:
                return None
            self._looked[path] = signature_of(stat)
            if stat.st_ctime_ns < horizon and stat.st_mtime_ns < horizon:
                settled.append((path, packed))
        seen = _seen_record(digest_from(prefix), settled, keys) if settled else record
        if seen != record:
            self.cache.put(place, seen)
        return keys

    def write_files(self, files: Files | Callable[[Path], Files], theme: Theme, report: Report,
                    previous: dict[str, bytes] | None = None, spare: bool = False,
                    live: dict[str, tuple[int, int, int]] = {}) -> dict[str, tuple[int, int, int]] | None:
        """Write the site to the output folder, as one whole or not at all (writer.write_site).

        Return each file's signature when it was written, None when it was not."""
        from ..search import SearchError, indexed

        try:
            # The cache is the author's too: an output folder that holds it is refused, as for content/.
            # With search: true, Pagefind's index is made in the staging folder after the site (search.py).
            search = self._settings is not None and self._settings.search
            return write_site(indexed(files, search), self.options.output,
                              [*protected(self.options, theme), self.options.cache], previous=previous, spare=spare,
                              live=live)
        except OutputError as error:
            raise CannotRun(str(error)) from None
        except SearchError as error:
            report.error(self.options.content / INDEX_NAME, None, f"{error} — the previous site was left as it was")
            return None
        except OSError as error:
            report.error(self.options.output, None, f"cannot write the site: {error.strerror or error} — "
                         "the previous site was left as it was")
        return None

    def _place(self, kind: str) -> bytes:
        """Return where the cache keeps what it knows of the output folder: its manifest ("manifest"),
        the record of the build that wrote it ("built"), the entries as the last look found them ("seen")."""
        return self.cache.key(kind, str(self.options.output.resolve()))

    def _inputs_key(self, theme: Theme, keys: dict[str, bytes]) -> bytes:
        """Return a key of all a build reads: keys has each entry's key by its path (as str(Path))."""
        return self.cache.key("inputs", self._settings_text, repr(self.options), str(theme.root.resolve()),
                              repr(media_files(self.options.content)),
                              *_theme_parts(theme.root), self._own_key(),
                              *(path.encode("utf-8", "surrogatepass") + key for path, key in sorted(keys.items())))

    def _own_key(self) -> bytes:
        """Return a key of the site's own files as last read: each by its name and bytes."""
        digests = self._own.digests
        return digest("site files", *(part for name in sorted(self._own_files) for part in (name, digests[name])))

    def _remember(self, theme: Theme, result: Result) -> None:
        """Record what this build read (each entry's key, as it read it) and told, for the next
        build's quick look."""
        inputs = self._inputs_key(theme, {str(path): entry.key for path, entry in self._entries.items()})
        self.cache.put(self._place("built"), cache_dumps(
            (inputs, digest(self._manifest), tuple(result.report.items), result.events, result.pages)))

    def _site_key(self, timeline: Timeline, theme: Theme) -> bytes:
        """Return a digest of all that every page shows besides its events: the timeline's own
        values (render.Site, the declaration), the theme's templates (not its static files, which
        pages only link to: each is keyed by its bytes), the options (SOURCE_DATE_EPOCH among them)."""
        return self.cache.key("site", repr(site_of(timeline)), repr(self.options), *_theme_parts(theme.templates))

    def _write_changed(self, timeline: Timeline, theme: Theme, report: Report) -> int:
        """Write the site, rendering only the files whose inputs changed since the build that
        wrote output/ (its manifest, in the cache, names each file's key and file signature);
        the others are linked from output/ as they are. Return the number of HTML pages.
        Without a cache: everything, written by the workers as they make it."""
        events = timeline.events
        made: list[_Counted] = []
        own_kept: set[str] = set()  # the site's own files output/ holds as they are: linked

        def files(staging: Path, *args, **named) -> Iterator[tuple[str, bytes | None]]:  # called by the writer
            made.append(_Counted(self.render_parallel(timeline, theme, *args, staging=staging, **named)))
            return published(made[-1], self._own_files, self._own.folder, kept=own_kept, search=timeline.search)

        if not self.cache:
            self.write_files(lambda staging: files(staging), theme, report)
            return made[-1].pages if made else 0
        fingerprints = {id(entry.event): entry.key for entry in self._entries.values() if entry.event is not None}
        fingerprints.update(self._media_prints)
        prints = [fingerprints[id(event)] for event in events]
        site = self._site_key(timeline, theme)
        rest_key = digest(site, "rest", *prints)
        page = hasher(site, "page")
        whole = self._split(events, timeline.page_events)
        home = homes(whole)
        page_keys = {f"{event.url}index.html": digest_from(page, prints[i - 1] if i else b"", prints[i],
                                                          prints[i + 1] if i + 1 < len(events) else b"",
                                                          home.get(event.slug, "").encode())
                     for i, event in enumerate(events)}
        by_event = {id(event): fingerprint for event, fingerprint in zip(events, prints)}
        tag_pages = _tag_page_keys(timeline, by_event, site)
        page_keys.update(tag_pages)
        grouped = Grouped(timeline)  # the sources grouped once, for the keys and for the workers, which fork
        period_keys = _split_keys(whole, by_event, site)
        publisher_keys = _publisher_keys(timeline, grouped.publishers, by_event, site)
        page_keys.update(period_keys)
        page_keys.update(publisher_keys)
        self._theme(theme)  # its static files: each keyed by its bytes, made again alone when it changes
        page_keys.update({name: digest("static", name, data) for name, data in {**self._static, **self._media}.items()})
        # The site's own files, each keyed by its bytes; one with the name of a file the build makes
        # keeps that file's key, so that the page is made (or handed on) and the clash found (published).
        own_keys = {name: digest("site file", name, self._own.digests[name]) for name in self._own_files
                    if name not in page_keys}
        page_keys.update(own_keys)
        output = self.options.output.resolve()
        place = self._place("manifest")
        found = self.cache.get_many([place])
        manifest = _manifest(found.get(place))
        self._manifest = found.get(place) if manifest else None
        folder = str(output)
        kept = {name for name, (key, signature) in manifest.items()
                if key == page_keys.get(name, rest_key) and file_signature(os.path.join(folder, name)) == signature}
        pages = [i for i, event in enumerate(events) if f"{event.url}index.html" not in kept]
        rest_names = {name for name, (key, _) in manifest.items() if key == rest_key}
        rest = not rest_names or not rest_names <= kept
        reused = [name for name in kept if (name in page_keys or not rest) and name not in own_keys]
        own_kept.update(name for name in kept if name in own_keys)  # handed on by published, after the clash check
        own_new = len(own_keys) != len(self._own_files) or not kept >= own_keys.keys()
        if not pages and not rest and not own_new and kept >= page_keys.keys() and len(kept) == len(manifest) and kept >= self._static.keys() | self._media.keys() and \
                _holds_only(output, manifest.keys()):  # each file's signature is kept's already
            return sum(name.endswith(".html") for name in kept)  # output/ is this build's, file for file
        # Each kept file's signature, as checked: the writer links it without looking again (100,000
        # events: the manifest is let go before the workers fork, which would hold it too).
        live = {name: manifest[name][1] for name in reused}
        del manifest, found  # the manifest read is self._manifest
        self.cache.complete = rest  # every entry and every part of the long pages is looked up
        self.cache.write()  # the entries read anew: not copied into the workers, which fork now
        stored = Fragments(self.cache, site, fingerprints, output)
        # The long files kept as they are keep their layouts too, for the build that next makes them.
        self.cache.touch(stored.layout_key(name) for name in reused if not name.startswith("events/"))
        tags = sum(name not in kept for name in tag_pages)
        periods, publishers = not kept >= period_keys.keys(), not kept >= publisher_keys.keys()
        written = self.write_files(lambda staging: files(staging, pages, rest, stored, kept=reused, tags=tags,
                                                         periods=periods, publishers=publishers, grouped=grouped),
                                   theme, report, spare=True, live=live)
        if written:
            self._manifest = cache_dumps({name: (page_keys.get(name, rest_key), signature)
                                          for name, signature in written.items()})
            self.cache.put(place, self._manifest)
        return made[-1].pages if made else 0


@dataclass(frozen=True)
class _Reader:
    """Reads one entry and parses it (Engine._read_entries), here or in a worker process: a value
    that a fork server's worker can be given, so the settings' EntryRules, not the settings.
    Return the entry's key (None without a cache) and its event and messages, pickled."""

    rules: EntryRules
    content: Path
    parts: tuple[bytes | str, ...] | None  # the entries' keys' first parts (Engine._entry_parts)

    def __call__(self, path: Path) -> tuple[bytes | None, bytes]:
        local = Report()
        text = read_text(path, local)
        if text is None:
            return None, cache_dumps((None, local.items))
        event = read_entry(path, text, self.rules, local, _markdown(), self.content)
        return digest(*self.parts, str(path), text) if self.parts else None, cache_dumps((event, local.items))


def _compiled_theme(theme: Theme) -> dict[str, bytes]:  # run by the process _compile_ahead forks
    from .templates import compile_theme

    return compile_theme(theme)


_MARKDOWN = None  # this process's Markdown, made once: the engine's (whose builds take turns) or a worker's


def _markdown():
    global _MARKDOWN
    if _MARKDOWN is None:
        _MARKDOWN = make_markdown()
    return _MARKDOWN


class _MediaMemo(dict):
    """What each media file made (media.Made) by its key: in this process (serve's saves), and in the
    build cache, so that a warm build makes no picture again."""

    def __init__(self, cache: Cache | None, kept: dict[bytes, object]):
        super().__init__(kept)
        self.cache, self.kept = cache, kept

    def __contains__(self, key: object) -> bool:
        if dict.__contains__(self, key):
            return True
        if self.cache is None:
            return False
        try:
            picture, size, files = cache_loads(self.cache.get_many([key])[key])
            if not (isinstance(picture, (Picture, type(None))) and type(size) is int and
                    all(type(name) is str and type(data) is bytes for name, data in files)):
                return False
            dict.__setitem__(self, key, Made(picture, size, tuple(files)))
            self.kept[key] = self[key]
            return True
        except Exception:  # not cached, or not a value this version wrote
            return False

    def __setitem__(self, key: bytes, value: object) -> None:
        if not dict.__contains__(self, key) and self.cache is not None:
            self.cache.put(key, cache_dumps((value.picture, value.size, value.files)))
        self.kept[key] = value
        dict.__setitem__(self, key, value)


def _beside(positions: Iterable[int], count: int) -> list[int]:
    """Return the positions given and those beside them (whose pages name theirs), in order."""
    return sorted({n for i in positions for n in (i - 1, i, i + 1) if 0 <= n < count})


def _replaced(before: Timeline, after: Timeline) -> list[int] | None:
    """Return where after's events are not before's, when each stands in the place of one with the
    same slug, dates and tags and nothing else of the timeline changed: then the site's values
    (site_of: the span, the tags' names), the periods (split) and each event's period are as they
    were. Else None."""
    old, new = before.events, after.events
    if len(old) != len(new) or replace(before, events=()) != replace(after, events=()):
        return None
    at = list(compress(range(len(new)), map(is_not, old, new)))
    if all((old[i].slug, old[i].start, old[i].end, old[i].tags) == (new[i].slug, new[i].start, new[i].end, new[i].tags)
           for i in at):
        return at
    return None


def _swapped(whole: Period | None, before: tuple[Event, ...], after: tuple[Event, ...],
             at: list[int]) -> Period | None:
    """Return the periods of `before` (split) with after's events in place of those at `at`: what
    split makes of `after` when _replaced found these places (a split looks at dates and order only)."""
    swap = {id(before[i]): after[i] for i in at}

    def swapped(period: Period) -> Period:
        if swap.keys().isdisjoint(map(id, period.events)):
            return period
        return replace(period, events=tuple(map(swap.get, map(id, period.events), period.events)),
                       own=tuple(map(swap.get, map(id, period.own), period.own)), parts=tuple(map(swapped, period.parts)))

    return swapped(whole) if whole is not None else None


def _period_key(prefix, page: PeriodPage, prints: dict[int, bytes]) -> bytes:
    """Return a period page's key: of what it is given (PeriodPage): its name, the links above,
    before and after it, its tag, its period's outline (each part's path, label and count) and
    its events (their entries' keys, in order)."""
    return digest_from(prefix, page.name, repr((page.trail, page.previous, page.next, page.owner)),
                       repr(_outline(page.period)), b"".join(prints[id(event)] for event in page.period.events))


def _outline(period) -> tuple:
    return (period.path, period.label, period.count, len(period.own), tuple(map(_outline, period.parts)))


def _split_keys(whole: Period | None, prints: dict[int, bytes], site: bytes) -> dict[str, bytes]:
    """Return the key of each page of a split timeline (whole: its periods) but its index (index.html,
    given the whole timeline, is made with every change): each period's page, and its timeline.json
    (made from what the page is given)."""
    prefix = hasher(site, "period page")
    keys = {}
    for page in period_pages(whole) if whole is not None else ():
        keys[page.name] = key = _period_key(prefix, page, prints)
        if not page.period.parts:
            keys[f"{page.period.path}timeline.json"] = key
    return keys


def _publisher_keys(timeline: Timeline, publishers: tuple[Publisher, ...], prints: dict[int, bytes],
                    site: bytes) -> dict[str, bytes]:
    """Return the key of each publisher's page when the sources page is split: of what it is given
    (PublisherPage): the publisher's heading, its part, and its citations on the page (each its
    source and its events' entries' keys)."""
    if sum(publisher.count for publisher in publishers) <= timeline.page_events:
        return {}
    prefix = hasher(site, "publisher page")
    keys = {}
    for page in publisher_pages(publishers, timeline.page_events):
        # A citation is what its events' sources of one URL (source_key) make: its key and theirs.
        citations = b"".join((citation.source.url or repr(citation.source)).encode("utf-8", "surrogatepass") + b"\0" +
                             b"".join([prints[id(event)] for event in citation.events]) for citation in page.citations)
        keys[page.name] = digest_from(prefix, page.name, repr((page.publisher, page.part, page.parts)), citations)
    return keys


def _tag_page_keys(timeline: Timeline, prints: dict[int, bytes], site: bytes) -> dict[str, bytes]:
    """Return each tag page's key: of what it is given (pages.tag_context): the timeline's own
    values (site: Engine._site_key) and its tag: its name, slug and events (their entries'
    keys, in order); a tag past page_events: its page so, and each of its periods' pages as
    _period_key says."""
    slugs = timeline.tag_slugs
    prefix, periods = hasher(site, "tag page"), hasher(site, "period page")
    tagged: dict[str, list[Event]] = {}
    for event in timeline.events:
        for name in dict.fromkeys(event.tags):
            tagged.setdefault(name, []).append(event)
    keys = {}
    for name, events in tagged.items():
        if name not in slugs:
            continue
        url = f"tags/{slugs[name]}/"
        keys[f"{url}index.html"] = digest_from(prefix, name, slugs[name], b"".join(prints[id(e)] for e in events))
        whole = split(tuple(events), timeline.page_events)
        for page in period_pages(whole, url, Link(url, name)) if whole is not None else ():
            keys[page.name] = _period_key(periods, page, prints)
    return keys


def _holds_only(output: Path, names: Iterable[str]) -> bool:
    """Tell whether output holds these files and nothing else: no file put there since (a build
    from scratch has none), no link."""
    try:
        found = files_under(output)
        return found is not None and found.keys() == set(names)
    except OSError:
        return False


def _holds_as_written(output: Path, manifest: dict[str, tuple[bytes, tuple[int, int, int]]]) -> bool:
    """Tell whether output holds the manifest's files and nothing else (no file put there since: a
    build from scratch has none; no link), each with the signature it was written with. One walk,
    each file's lstat taken from its entry (10,000 events: 11,778 files, 11,288 folders)."""
    held = 0
    try:
        for name, entry in entries_under(output):
            known = manifest.get(name)
            if known is None or not entry.is_file(follow_symlinks=False):
                return False
            if signature_of(entry.stat(follow_symlinks=False)) != known[1]:
                return False
            held += 1
    except OSError:
        return False
    return held == len(manifest)


def _theme_parts(folder: Path) -> list[str | bytes]:
    """Return each file of a theme's folder (its root, or its templates) by name, then its bytes."""
    files = sorted(p for p in folder.rglob("*") if p.is_file())
    return [part for p in files for part in (p.relative_to(folder).as_posix(), p.read_bytes())]


def _seen_record(prefix: bytes, settled: list[tuple[str, bytes]], keys: dict[str, bytes]) -> bytes:
    """Return what the look records of the settled entries: their paths, stats and keys, in three
    long values (100,000 entries: 8 MB, no object an entry)."""
    return cache_dumps((prefix, "\0".join(path for path, _ in settled), b"".join(packed for _, packed in settled),
                        b"".join(keys[path] for path, _ in settled)))


def _read_seen(record: bytes | None, prefix: bytes) -> dict[str, tuple[bytes, bytes]]:
    """Return each recorded entry's (stat, key) by its path; {} when the record is unusable or was
    made with another prefix (the settings, the working folder and Chronicle's code key the entries)."""
    try:
        made_with, paths, stats, keys = cache_loads(record)
        if made_with != prefix or not paths or type(stats) is not bytes or type(keys) is not bytes:
            return {}
        paths = paths.split("\0")
        size = _STAT.size
        if len(stats) != size * len(paths) or len(keys) != DIGEST_SIZE * len(paths):
            return {}
        return {path: (stats[i * size:(i + 1) * size], keys[i * DIGEST_SIZE:(i + 1) * DIGEST_SIZE])
                for i, path in enumerate(paths)}
    except Exception:
        return {}


def _entry_value(value: object) -> tuple[Event | None, tuple[Diagnostic, ...]]:
    """Return a cached entry's event and diagnostics; raise ValueError when it is anything else."""
    event, diagnostics = value  # a pair, or an error
    diagnostics = tuple(diagnostics)
    if (event is not None and type(event) is not Event) or not all(type(d) is Diagnostic for d in diagnostics):
        raise ValueError("not a cached entry")
    return event, diagnostics


def _manifest(data: bytes | None) -> dict[str, tuple[bytes, tuple[int, int, int]]]:
    """Read a manifest from the cache: each file's key and signature, by name; {} when unusable."""
    try:
        manifest = cache_loads(data) if data else {}
        if all(type(name) is str and type(key) is bytes and len(signature) == 3 and all(type(n) is int for n in signature)
               for name, (key, signature) in manifest.items()):
            return manifest
    except Exception:
        pass
    return {}


class _Counted:
    """The files of a build as they are made, counting the HTML pages that go by."""

    def __init__(self, files: Iterator[tuple[str, bytes]]):
        self._files = files
        self.pages = 0

    def __iter__(self) -> Iterator[tuple[str, bytes]]:
        for name, data in self._files:
            self.pages += name.endswith(".html")
            yield name, data

    def drain(self) -> None:
        for _ in self:
            pass




def build(options: Options, write: bool = True, cache: Cache | None = None,
          progress: Callable[[str, int, int], None] | None = None,
          clock: Callable[[], int] = time.time_ns) -> Result:
    """Build once: read everything (from the cache what it holds), render everything with every
    core, write (unless checking)."""
    return Engine(options, cache=cache, parallel=True, progress=progress, clock=clock).build(write)
