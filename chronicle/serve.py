"""The preview server: the last good site from memory, a reload stream, and an error overlay."""

from __future__ import annotations

import errno
import gc
import html
import ipaddress
import json
import mimetypes
import signal
import socket
import sys
import threading
import time
import traceback
from http import HTTPStatus
from http.server import BaseHTTPRequestHandler, ThreadingHTTPServer
from pathlib import Path
from collections import ChainMap
from dataclasses import dataclass, field
from typing import Callable, Iterator, Mapping
from urllib.parse import parse_qs, unquote

from .config import Options
from .diagnostics import Report
from .model import Timeline
from .incremental import PARALLEL_EVENTS, Cache, Cancelled, Engine, Forked, entry_path
from .output import Written
from .pipeline import CannotRun, Result, theme_for
from . import search
from .sitefiles import static_folder
from .watch import Coalescer, Watcher
from .cli import summary

LIVE_PATH = "/__chronicle/live"
_NOT_ASSETS = (".html", ".xml", ".json", ".ics", ".txt")  # read by a page's reader, not loaded to show it
KEPT_VERSIONS = 8  # snapshots kept by their version, for a reload stream opened after the next one
SWITCH_INTERVAL = 0.0005  # seconds (sys.setswitchinterval) while serving
HEARTBEAT = 15.0  # seconds between comments on an idle reload stream
READERS_WAIT = 0.3  # seconds a save's build waits, its first pages shown, for the readers it told to reload
JOIN_STEP = 0.2  # seconds between two looks, while serving, for a signal to stop


@dataclass(frozen=True)
class Snapshot:
    """One published state of the site, read as a whole by every request."""

    version: int = 0
    files: Mapping[str, bytes] = field(default_factory=dict)
    errors: tuple[str, ...] = ()  # the latest build's errors; the files are the last good build's
    edited: tuple[str, ...] = ()  # slugs of the events whose files were just saved
    # The first pages of the first build, or nothing yet: a page not among the files is waited for.
    waiting: bool = False
    # The files a page loads to be shown: every file but pages and data (style, scripts, media).
    assets: Mapping[str, bytes] = field(default_factory=dict)

    def shows_anew(self, page: str, before: "Snapshot") -> bool:
        """Whether the page at the request target `page`, as `before` served it, looks different now:
        its own bytes, the errors shown over it, or a file it loads changed."""
        if self.errors != before.errors:
            return True
        found, was = lookup(self.files, page), lookup(before.files, page)
        if found != was:
            return True
        if found is not None and found[0] == "file" and self.files[found[1]] != before.files[found[1]]:
            return True
        return self.assets != before.assets  # compared by identity first: the same bytes are the same objects


def _assets(files: Mapping[str, bytes]) -> dict[str, bytes]:
    # By name first: output/'s pages are not read for this (output.Written).
    return {name: files[name] for name in files if not name.endswith(_NOT_ASSETS)}


class Without(Mapping[str, bytes]):
    """A site's files but those named in `gone`, without copying them."""

    def __init__(self, files: Mapping[str, bytes], gone: frozenset[str]) -> None:
        self.files, self.gone = files, gone

    def __getitem__(self, name: str) -> bytes:
        if name in self.gone:
            raise KeyError(name)
        return self.files[name]

    def __iter__(self) -> Iterator[str]:
        return (name for name in self.files if name not in self.gone)

    def __len__(self) -> int:
        return len(self.files) - len(self.gone & self.files.keys())


class Site:
    """What the server shows: the current Snapshot, replaced whole on every build."""

    def __init__(self) -> None:
        self._changed = threading.Condition()
        self.now = Snapshot(waiting=True)
        self.good: Mapping[str, bytes] = {}  # the files of the last build that succeeded
        self._good_assets: dict[str, bytes] = {}  # and those of them a page loads (Snapshot.assets)
        self.recent: dict[int, Snapshot] = {0: self.now}  # the last KEPT_VERSIONS, by version
        self.stopping = False
        # The reload streams open (Handler._live), each with the last version it answered, and how
        # many readers were told to reload and have not opened a stream from the page again.
        self._streams: dict[object, int] = {}
        self._reloading = 0
        # The search index (pagefind/) of the site last written to output/, served beside the
        # snapshot's files: replaced whole after each write, without a reload (docs/search.md).
        self.index: Mapping[str, bytes] = {}

    def publish(self, files: Mapping[str, bytes] | None, errors: list[str], edited: list[str],
                first: bool = False, gone: frozenset[str] = frozenset()) -> None:
        """Show a new build: its files when it succeeded, else keep the last good ones with its errors.

        first: the first pages of a build still running (Engine.render's early: the index, the
        period pages and the events' pages), shown over the last good build's other files until
        the build ends, without the pages of theirs it has not (gone: a deleted event's); a reader
        on a page they did not change is not sent a reload (Handler._live). With no good build
        before (the first build), a page they do not have yet is waited for (Snapshot.waiting)."""
        # Found here from the files given, not from all those shown: a reader's reload stream
        # compares them at every version, and a save's first pages are 3 files over 12,000.
        with self._changed:
            if files is None:
                shown, assets = self.good, self._good_assets
            elif first:
                shown = ChainMap(files, Without(self.good, gone) if gone else self.good)
                assets = {name: data for name, data in self._good_assets.items() if name not in gone}
                assets.update(_assets(files))
            else:
                shown = self.good = files
                assets = self._good_assets = _assets(files)
            waiting = first and files is not None and not self.good
            self.now = Snapshot(self.now.version + 1, shown, tuple(errors), tuple(edited), waiting, assets)
            self.recent[self.now.version] = self.now
            self.recent.pop(self.now.version - KEPT_VERSIONS, None)
            self._reloading = 0  # a reader told before and gone since is not waited for again
            self._changed.notify_all()

    def opened(self, stream: object, version: int) -> None:
        """A reload stream opened from a page of `version`: a reader told to reload has it again."""
        with self._changed:
            self._streams[stream] = version
            self._reloading = max(self._reloading - 1, 0)
            self._changed.notify_all()

    def answered(self, stream: object, version: int, reload: bool) -> None:
        """A reload stream has told its reader of `version`: to reload, or nothing (the page is the same)."""
        with self._changed:
            self._streams[stream] = version
            self._reloading += reload
            self._changed.notify_all()

    def closed(self, stream: object) -> None:
        with self._changed:
            self._streams.pop(stream, None)
            self._changed.notify_all()

    def wait_for_readers(self, timeout: float) -> bool:
        """Wait until every open reload stream has answered the version shown and every reader it told
        to reload has the page again (its stream open), or the timeout passes: whether they have."""
        with self._changed:
            version = self.now.version
            return self._changed.wait_for(lambda: self.stopping or (
                not self._reloading and all(seen >= version for seen in self._streams.values())), timeout)

    def wait(self, version: int, timeout: float) -> Snapshot:
        """Wait until the version is past `version`, the timeout passes or the server stops."""
        with self._changed:
            self._changed.wait_for(lambda: self.now.version != version or self.stopping, timeout)
            return self.now

    def stop(self) -> None:
        with self._changed:
            self.stopping = True
            self._changed.notify_all()


def request_path(target: str) -> str:
    """Return the path of a request target without its query; `//host/x` stays a path, never a host."""
    return target.split("?", 1)[0].split("#", 1)[0]


def lookup(files: Mapping[str, bytes], target: str) -> tuple[str, str] | None:
    """Map a request target to ('file', name) or ('redirect', location); None when not found.

    Only names the build produced can ever be served: the site is a mapping in
    memory, so no path, however encoded, reaches the file system.
    """
    path = request_path(target)
    if not path.startswith("/"):
        return None
    try:
        decoded = unquote(path, errors="strict")
    except UnicodeDecodeError:
        return None
    if "\0" in decoded or "\\" in decoded:
        return None
    parts = decoded.split("/")[1:]
    if any(part in (".", "..") for part in parts) or any(part == "" for part in parts[:-1]):
        return None  # dot segments, and `//` that a browser would read as another host
    name = "/".join(parts)
    if name == "" or name.endswith("/"):
        name += "index.html"
    if name in files:
        return "file", name
    if name + "/index.html" in files:
        return "redirect", "/" + name + "/"
    return None


_LIVE_SCRIPT = """<script>
(() => {
  const key = "chronicle-live";
  const saved = JSON.parse(sessionStorage.getItem(key) || "null");
  sessionStorage.removeItem(key);
  if (saved && saved.path === location.pathname) {
    const edited = saved.target && document.getElementById(saved.target);
    if (edited) {
      // A tall event is brought in at its top, so that its title stays in view with the edit below it.
      const tall = edited.getBoundingClientRect().height > innerHeight * 0.6;
      edited.scrollIntoView({block: tall ? "start" : "center"});
      edited.classList.add("chronicle-edited");
      setTimeout(() => edited.classList.remove("chronicle-edited"), 2500);
    } else {
      window.scrollTo(saved.x, saved.y);
    }
  }
  const stream = new EventSource("%(live)s?v=%(version)d&p=" + encodeURIComponent(location.pathname));
  stream.onopen = () => { window.__sseOpen = true; };
  stream.onmessage = (message) => {
    const update = JSON.parse(message.data);
    const target = (update.edited || []).find((slug) => document.getElementById(slug)) || null;
    sessionStorage.setItem(key, JSON.stringify({path: location.pathname, target, x: scrollX, y: scrollY}));
    stream.close();
    location.reload();
  };
})();
</script>
<style>
.chronicle-edited { outline: 3px solid #d97706; outline-offset: 6px; transition: outline-color 2s;
  scroll-margin-top: 1rem; }
@media (prefers-reduced-motion: reduce) { .chronicle-edited { transition: none; } }
#chronicle-errors { position: fixed; inset: auto 0 0 0; max-height: 60vh; overflow: auto; z-index: 2147483647;
  margin: 0; padding: .75rem 1.25rem; background: #2b0a0a; color: #fff; border-top: 4px solid #ef4444;
  font: 0.95rem/1.5 ui-monospace, SFMono-Regular, Menlo, Consolas, monospace; }
@media (max-width: 40rem) { #chronicle-errors { max-height: 35vh; font-size: .85rem; padding: .5rem .75rem; } }
#chronicle-errors summary { font-weight: bold; cursor: pointer; }
#chronicle-errors[open] summary { margin: 0 0 0.5rem; }
#chronicle-errors pre { white-space: pre-wrap; overflow-wrap: anywhere; margin: 0 0 0.5rem; }
#chronicle-errors p { margin: 0; color: #fecaca; }
</style>
"""


def overlay(errors: tuple[str, ...]) -> str:
    """Return the panel that shows a failed rebuild's errors over the last good page."""
    lines = "\n".join(html.escape(line) for line in errors)
    return (
        # A disclosure: the author may fold it away to read the page (it comes back, open, with the
        # next failed save); role=alert has it read out when it appears.
        '<details id="chronicle-errors" open role="alert" aria-label="Build errors">'
        "<summary>The last save did not build — fix these lines and save again:</summary>"
        f"<pre>{lines}</pre>"
        "<p>You are seeing the last version that built. This panel goes away when the build succeeds.</p>"
        "</details>\n"
    )


def inject(page: bytes, version: int, errors: tuple[str, ...]) -> bytes:
    """Add the live-reload script (and the error overlay) to an HTML page, at serve time only."""
    addition = (_LIVE_SCRIPT % {"live": LIVE_PATH, "version": version}) + (overlay(errors) if errors else "")
    data = addition.encode("utf-8")
    at = page.rfind(b"</body>")
    return page[:at] + data + page[at:] if at >= 0 else page + data


class Handler(BaseHTTPRequestHandler):
    """Serves the site from memory, the reload stream, and nothing else."""

    server: "PreviewServer"
    server_version = "Chronicle"
    sys_version = ""
    protocol_version = "HTTP/1.1"
    # Headers and body go out in two writes; with Nagle's algorithm on, a kept-alive connection
    # waited for the client's delayed acknowledgement (about 40 ms) before every body.
    disable_nagle_algorithm = True

    def log_message(self, format: str, *args) -> None:  # noqa: A002 - the base class's name
        pass

    def do_HEAD(self) -> None:
        self._respond(head=True)

    def do_GET(self) -> None:
        if request_path(self.path) == LIVE_PATH:
            self._live()
        else:
            self._respond(head=False)

    def _send(self, status: int, body: bytes, content_type: str, head: bool, location: str | None = None) -> None:
        self.send_response(status)
        self.send_header("Content-Type", content_type)
        self.send_header("Content-Length", str(len(body)))
        # A reload must never get a stale page from the browser cache (docs/testing.md).
        self.send_header("Cache-Control", "no-store")
        self.send_header("X-Content-Type-Options", "nosniff")
        if location:
            self.send_header("Location", location)
        self.end_headers()
        if not head:
            self.wfile.write(body)

    def _respond(self, head: bool) -> None:
        site = self.server.site
        now = site.now  # one snapshot: files and errors of the same moment
        while True:
            files, errors, version = now.files, now.errors, now.version
            if site.index:
                files = ChainMap(files, site.index)
            found = lookup(files, self.path)
            if found is not None or not now.waiting or site.stopping:
                break
            now = site.wait(version, HEARTBEAT)  # a page the first build has not made yet
        if found is None:
            body = b"<!doctype html><html lang=en><title>Not found</title><body><h1>Not found</h1>" \
                   b"<p><a href=\"/\">Back to the timeline</a></p></body></html>"
            self._send(HTTPStatus.NOT_FOUND, inject(body, version, errors), "text/html; charset=utf-8", head)
            return
        kind, name = found
        if kind == "redirect":
            self._send(HTTPStatus.MOVED_PERMANENTLY, b"", "text/plain", head, location=name)
            return
        content_type = mimetypes.guess_type(name)[0] or "application/octet-stream"
        body = files[name]
        if content_type == "text/html":
            body = inject(body, version, errors)
        if content_type.startswith("text/") or content_type in ("application/xml", "application/json"):
            content_type += "; charset=utf-8"
        self._send(HTTPStatus.OK, body, content_type, head)

    def _live(self) -> None:
        site = self.server.site
        query = parse_qs(self.path.partition("?")[2])
        try:
            seen = int(query.get("v", [""])[0])
        except ValueError:
            seen = site.now.version
        # The page the reader is on: a new version that shows it as it was sends no reload (such as
        # the rest of a build whose first pages were shown, or another event's page saved).
        page = query.get("p", [None])[0]
        shown = site.recent.get(seen) if page is not None else None
        self.send_response(HTTPStatus.OK)
        self.send_header("Content-Type", "text/event-stream")
        self.send_header("Cache-Control", "no-store")
        self.end_headers()
        self.close_connection = True
        # A client that stops reading must not hold a thread for ever.
        self.connection.settimeout(HEARTBEAT * 2)
        stream = object()
        site.opened(stream, seen)
        try:
            self.wfile.write(b"retry: 500\n\n")
            self.wfile.flush()
            while not site.stopping:
                now = site.wait(seen, HEARTBEAT)
                if site.stopping:
                    break
                if now.version == seen:
                    self.wfile.write(b": still here\n\n")
                    self.wfile.flush()
                    continue
                reload = shown is None or now.shows_anew(page, shown)
                seen, shown = now.version, now if page is not None else None
                if reload:
                    message = {"version": now.version, "edited": list(now.edited), "failed": bool(now.errors)}
                    self.wfile.write(f"data: {json.dumps(message)}\n\n".encode())
                    self.wfile.flush()
                site.answered(stream, seen, reload)
        except (OSError, ValueError):
            pass  # the browser went away
        finally:
            site.closed(stream)


class PreviewServer(ThreadingHTTPServer):
    daemon_threads = True
    allow_reuse_address = True

    def __init__(self, address: tuple[str, int], site: Site):
        self.site = site
        family = socket.AF_INET6 if ":" in address[0] else socket.AF_INET
        self.address_family = family
        super().__init__(address, Handler)


def is_loopback(host: str) -> bool:
    if host == "localhost":
        return True
    try:
        return ipaddress.ip_address(host).is_loopback
    except ValueError:
        return False


class OutputWriter:
    """Keeps output/ in step with the served site, once the author has paused.

    Writing 10,000 pages takes longer than rebuilding after one save, and in
    this process it would slow the next rebuild, so the newest build is written
    when no other has come for `quiet` seconds, and at the latest on stop; the
    write itself waits, file by file, while a save is being built (serve's idle).
    """

    def __init__(self, write: Callable[[Result], None], quiet: float = 1.0):
        self._write = write
        self._quiet = quiet
        self._pending: Result | None = None
        self._changed = threading.Condition()
        self._stopping = False
        self._thread = threading.Thread(target=self._run, name="chronicle-writer", daemon=True)

    def start(self) -> None:
        self._thread.start()

    def submit(self, result: Result) -> None:
        with self._changed:
            self._pending = result
            self._changed.notify()

    def stop(self) -> None:
        with self._changed:
            self._stopping = True
            self._changed.notify()
        if self._thread.is_alive():
            self._thread.join(timeout=30)

    def _run(self) -> None:
        while True:
            with self._changed:
                self._changed.wait_for(lambda: self._pending is not None or self._stopping)
                while self._pending is not None and not self._stopping:
                    waiting = self._pending
                    self._changed.wait(self._quiet)
                    if self._pending is waiting:
                        break  # quiet for long enough
                if self._pending is None:
                    return
                result, self._pending = self._pending, None
            self._write(result)


def edited_slugs(timeline: Timeline | None, content: Path, changed: set[Path]) -> list[str]:
    """Name the events whose entry files are among the changed paths, so the browser can go to them."""
    names = {str(path) for path in (entry_path(content, Path(p)) for p in changed) if path is not None}
    events = timeline.events if timeline is not None else ()
    return sorted(event.slug for event in events if event.path in names)


def site_files(written: Written) -> Mapping[str, bytes]:
    """Return the files of a site built into output/ (Engine.current) but its search index, served
    beside them; each is read when first asked for."""
    index = frozenset(name for name in written if name.startswith(search.FOLDER + "/"))
    return Without(written, index) if index else written


def report_lines(report: Report) -> list[str]:
    return [str(d) for d in report.sorted()]


def serve(options: Options, host: str = "127.0.0.1", port: int = 8000, poll: bool = False,
          open_browser: bool = False, out=sys.stdout, err=sys.stderr, cached: bool = True) -> int:
    """Build, serve on host:port, rebuild on every change, until Ctrl-C or SIGTERM.

    cached: the first build takes the entries an earlier build kept (False: --no-cache).

    With search: true, Pagefind indexes the site whenever output/ is written: by the first build,
    then after the author pauses (OutputWriter), never in the rebuild a save waits for; the index
    is served from output/ as written last (docs/search.md). Without Pagefind, serve does not start."""
    checked = Report()
    if not search.check(options, checked):
        for line in report_lines(checked):
            print(line, file=err, flush=True)
        return 1
    # A timeline read anew whole (no cache, a new version) is parsed by both cores: by workers
    # of a fork server, as this process has threads (the watcher's, the server's).
    builder = Engine(options, readers="forkserver")
    site = Site()
    # The first build takes the entries an earlier build read from its cache (10,000 of them in
    # a second, not half a minute of parsing); read only, as check does: serve makes no cache.
    # Later builds keep their entries in memory, and the cache's connection is this thread's.
    cache = Cache(options.cache, create=False) if cached else None
    theme = theme_for(options)
    lock = threading.Lock()

    written: dict[str, bytes] = {}
    unread: Written | None = None  # output/ as a warm start shows it, its files read when asked for
    # A timeline of 200 events or more is written as build writes it (README, "Speed"): the site
    # before is kept beside output/ and brought up to date, only the files a save changed written
    # (10,000 events: 2.2 → 0.2 s a write, median of 6).
    idle = threading.Event()  # cleared while a save is built: the writer waits, file by file
    idle.set()
    # One write at a time: the first build's (its pages served before it ends) and the writer's.
    writing = threading.Lock()

    def write(result: Result, paced: bool = False) -> bool:
        with writing:
            return write_now(result, paced)

    def write_now(result: Result, paced: bool) -> bool:
        nonlocal written, unread
        files = result.files
        spare = result.events >= PARALLEL_EVENTS

        def changed() -> Iterator[tuple[str, bytes | None]]:
            for name, data in files.items():
                if paced:
                    idle.wait()
                yield name, None if written.get(name) is data else data  # None: output/'s is right

        report = Report()
        if unread is not None:  # what is shown of output/ is read before output/ is written again
            unread.read_all()
            unread = None
        try:
            made = builder.write_files(changed(), theme, report, previous=written, spare=spare)
            if made is not None:
                written = files
                # The index was made with the site (search: true): served from output/ from now on.
                site.index = search.read_index(options.output)
            else:
                written = {}  # output/ as it was, whatever that is: the next write is whole
        except CannotRun as error:
            print(f"chronicle: error: {error}", file=err, flush=True)
        for line in report_lines(report):
            print(line, file=err, flush=True)
        return written is files

    writer = OutputWriter(lambda result: write(result, paced=True))
    # Set while a save waits for the lock: the build running (the first, the warm-up, a save's, a
    # theme's) gives way to it (Cancelled) once it has read the entries, and the save shows its pages
    # first (10,000 events, a save half a second after a warm start: the event's page 15 s → 0.65 s).
    saving = threading.Event()
    unsettled = False  # the first build or the warm-up gave way: the save that stopped it makes the rest
    read = False  # whether a build has read the entries: the engine holds them

    def superseded() -> bool:
        """Whether a save came that the build running is behind (its build waits, or its changes are
        being collected): the build then gives way (Engine.build's cancel)."""
        return saving.is_set() or coalescer.waiting

    def rebuild(changed: set[Path], first: bool = False, readers: Forked | None = None) -> Result:
        nonlocal unsettled, read
        started = time.perf_counter()
        if changed:
            saving.set()
        with lock:
            saving.clear()
            # A save built before the warm-up (made while serve looked at output/) reads the other
            # entries from the cache, as the warm-up would have, on a connection of this thread.
            opened = Cache(options.cache, create=False) if not (first or read) and cache is not None else None
            builder.cache = cache if first else opened
            builder.cache = builder.cache if builder.cache is not None and builder.cache.enabled else None
            builder.readers = readers or "forkserver"
            idle.clear()

            def early(files: dict[str, bytes], gone: frozenset[str], timeline: Timeline) -> None:
                site.publish(files, [], edited_slugs(timeline, options.content, changed), first=True, gone=gone)
                # The rest of the build waits while the readers' pages load: with both cores busy
                # building, a page took 40 ms longer to show (10,000 events, median of 12; and 30 ms
                # when the event's page was shown before its period's and the build went on).
                site.wait_for_readers(READERS_WAIT)

            def first_pages(files: dict[str, bytes], gone: frozenset[str], timeline: Timeline) -> None:
                if len(timeline.events) >= PARALLEL_EVENTS:  # served while the rest is made
                    site.publish(files, [], [], first=True)
                    announce()

            try:
                result = builder.build(write=False, hints=changed or None,
                                       early=first_pages if first else early if changed else None,
                                       cancel=superseded)
            except Cancelled:  # a newer save: built next (as the warm-up, this build read the entries)
                read, unsettled = True, unsettled or first
                return Result(Report())
            except Exception as error:  # the preview goes on: the next save is built again
                if first:
                    raise
                if not isinstance(error, CannotRun):
                    traceback.print_exc(file=err)
                message = f"chronicle: {'error' if isinstance(error, CannotRun) else 'internal error'}: {error}"
                print(message, file=err, flush=True)
                site.publish(None, [message], [])
                return Result(Report())
            finally:
                builder.cache = None
                builder.readers = "forkserver"
                if readers is not None:  # the first build's own workers end with it (Engine.fork_readers)
                    readers.close()
                if opened is not None:
                    opened.close()
                idle.set()
            read = True
            if unsettled:
                unsettled = False
                settle()
        lines = report_lines(result.report)
        for line in lines:
            print(line, file=err, flush=True)
        elapsed = (time.perf_counter() - started) * 1000
        if result.ok:
            site.publish(result.files, [], edited_slugs(result.timeline, options.content, changed))
            if changed:
                writer.submit(result)
                print(f"rebuilt in {elapsed:.0f} ms", file=out, flush=True)
            elif write(result):  # the first build is a build: output/ is written before serving
                looked = cache.hits + cache.misses if cache is not None else 0
                note = f"cache: {cache.hits:,} of {looked:,} entr{'y' if looked == 1 else 'ies'}" if looked else ""
                print(summary(result, options, time.perf_counter() - started, note), file=out, flush=True)
        else:
            errors = [line for line in lines if ": error: " in line]
            site.publish(None, errors, [])
            print(f"build failed ({len(errors)} error{'s' * (len(errors) != 1)}); "
                  "still serving the last good site", file=err, flush=True)
        return result

    def start_from_output() -> bool:
        """Serve output/ as it is when it is the site the content makes (Engine.current): the first
        page is served at once; the engine reads and renders the site in the background (its own
        connection to the cache), so that the first save makes only what it changes."""
        nonlocal unread
        started = time.perf_counter()
        with lock:  # a save seen meanwhile is built after this: its site is shown over output/'s
            builder.cache = cache
            try:
                result = builder.current()
            finally:
                builder.cache = None
            if result is None:
                return False
            site.index = search.read_index(options.output)
            unread = result.files
            disk = site_files(unread)
            site.publish(disk, [], [])
            shown = site.now.version
        for line in report_lines(result.report):
            print(line, file=err, flush=True)
        note = f"cache: {cache.hits:,} of {cache.hits + cache.misses:,} entries; output/ as it was"
        print(summary(result, options, time.perf_counter() - started, note), file=out, flush=True)

        def warm_up() -> None:
            nonlocal written, unsettled, read
            with lock:
                if site.now.version != shown:
                    return  # a save was built first: the engine holds the site, output/ is the writer's
                builder.cache = Cache(options.cache, create=False)
                try:
                    # The same site: kept in the engine, not shown again. A save that comes meanwhile
                    # stops it once the entries are read; its build makes the pages this did not.
                    made = builder.build(write=False, cancel=superseded)
                    read = True
                    if made.ok and made.files == disk:  # what output/ holds (unless a save came meanwhile):
                        written = made.files  # the next write links its files, not writes them again
                except Cancelled:  # once the entries are read
                    read = unsettled = True
                except CannotRun:
                    pass  # told by the next save's build
                finally:
                    builder.cache.close()
                    builder.cache = None
                    if not unsettled:
                        settle()

        threading.Thread(target=warm_up, name="chronicle-warm-up", daemon=True).start()
        return True

    def settle() -> None:
        """Leave what the first build made (the engine's pages and events: 380,000 objects at 10,000
        events) out of the garbage collector's rounds: a full round over them took 144 ms of every
        fifth save. They are still freed when no longer used (gc.freeze)."""
        gc.freeze()

    if not is_loopback(host):
        print(f"chronicle: warning: serving on {host}, not a loopback address: anyone who can reach this "
              "machine can read the preview", file=err, flush=True)
    try:
        server = PreviewServer((host, port), site)
    except OSError as error:
        if error.errno == errno.EADDRINUSE:
            raise CannotRun(f"port {port} on {host} is in use — pass --port 0 for any free port, "
                            "or another --port") from None
        raise CannotRun(f"cannot listen on {host}:{port}: {error.strerror or error}") from None

    shown_host = f"[{host}]" if ":" in host else host
    url = f"http://{shown_host}:{server.server_address[1]}/"
    announced = threading.Event()

    def announce() -> None:
        """Say where the site is served, once: when its first page can be (Snapshot.waiting)."""
        if not announced.is_set():
            announced.set()
            print(f"Serving {options.content}/ at {url} (Ctrl-C to stop)", file=out, flush=True)
            if open_browser:  # webbrowser loaded only then: every start would pay for it
                import webbrowser

                threading.Thread(target=webbrowser.open, args=(url,), daemon=True).start()

    def stop_on_signal(signum, frame):
        raise KeyboardInterrupt

    # A save's build holds the interpreter while the reader's page is asked for: the threads that
    # answer take it back every half millisecond, not every 5 (10,000 events: save → visible,
    # the event's page, 266 → 242 ms, median of 12; a build that nobody waits on is not slowed).
    interval = sys.getswitchinterval()
    sys.setswitchinterval(SWITCH_INTERVAL)
    # A first build that parses every entry has them parsed by workers forked now, before the
    # threads start, and closed by it (rebuild); later builds use a fork server.
    forked = builder.fork_readers() if cache is None or not cache.enabled else None
    # Serving from the start: a large timeline's first build shows its index while it makes the
    # rest (first_pages); a page asked for before it is made waits for it.
    serving = threading.Thread(target=server.serve_forever, kwargs={"poll_interval": 0.2}, name="chronicle-server",
                               daemon=True)
    serving.start()
    writer.start()
    # Watch before the first build, so a save made while it runs is not missed.
    coalescer = Coalescer(lambda changed: rebuild(changed))
    watcher = Watcher(options.content, theme.root, coalescer, poll=poll,
                      static=static_folder(options.content, options.cwd))
    watcher.start()
    previous = signal.signal(signal.SIGTERM, stop_on_signal)  # a clean stop, even while the first build runs
    try:
        try:
            if cache is None or not cache.enabled or not start_from_output():
                rebuild(set(), first=True, readers=forked)
                if not unsettled:  # else the save that stopped it settles
                    settle()
        finally:
            if cache is not None:
                cache.close()
        announce()
        # Joined a little at a time: SIGTERM may reach another thread, and Python runs its handler
        # (stop_on_signal) in this one only between steps: a join without end never took one (a
        # stop then waited for ever, once in seven under load).
        while serving.is_alive():
            serving.join(JOIN_STEP)
    except KeyboardInterrupt:
        pass
    finally:
        signal.signal(signal.SIGTERM, previous)
        sys.setswitchinterval(interval)
        site.stop()
        watcher.stop()
        server.shutdown()
        server.server_close()
        writer.stop()
    print("stopped", file=out, flush=True)
    return 0
