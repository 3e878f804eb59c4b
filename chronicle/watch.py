"""Watching: watchdog over content/, the theme and the site's static/, the build's own predicates, bursts coalesced."""

from __future__ import annotations

import threading
from pathlib import Path, PurePath
from typing import Callable, Iterable

from watchdog.events import (DirCreatedEvent, DirDeletedEvent, DirMovedEvent, FileCreatedEvent, FileDeletedEvent,
                             FileModifiedEvent, FileMovedEvent, FileSystemEvent, FileSystemEventHandler)
from watchdog.observers import Observer
from watchdog.observers.polling import PollingObserver

from .config import INDEX_NAME
from .entries import is_entry, is_temporary
from .media import MIME
from .sitefiles import is_site_file

DEBOUNCE = 0.02  # seconds of quiet that end a burst of saves (an editor's save is a few events within 1 ms)
# The changes that can change the site: not a file opened or closed (a read, or the close after a
# write already reported as modified), not a folder's listing (its files are reported on their own).
# Asked only for these, inotify reports no read: serve's first build reading 10,000 entries is not
# 20,000 events for the watcher's thread to turn away (their reading took 4.9 s, now 3.5 s).
EVENTS = [FileCreatedEvent, FileDeletedEvent, FileModifiedEvent, FileMovedEvent,
          DirCreatedEvent, DirDeletedEvent, DirMovedEvent]


def is_relevant(path: Path, content: Path, theme: Path | None, is_directory: bool = False,
                static: Path | None = None) -> bool:
    """Tell whether a change to path can change the site: an entry, the settings, a theme file,
    one of the site's own files (static/ beside content/: sitefiles).

    A folder below content/ or static/ counts too (a renamed folder moves its files).
    Editors' swap, backup, lock and temporary files never count, so they never
    trigger a rebuild; for content it asks the build's own predicate (entries.is_entry), for
    static/ sitefiles.is_site_file, never a copy.
    """
    if static is not None:
        try:
            relative = PurePath(path).relative_to(static)
        except ValueError:
            pass
        else:  # the folder itself too: made, removed or renamed while serving
            return not relative.parts or is_directory or is_site_file(relative)
    for root, is_content in ((content, True), (theme, False)):
        if root is None:
            continue
        try:
            relative = PurePath(path).relative_to(root)
        except ValueError:
            continue
        if not relative.parts:
            return False  # the watched folder itself: what changed in it is reported on its own
        if any(part.startswith(".") for part in relative.parts) or is_temporary(relative.name):
            return False
        if not is_content:
            return True
        if is_directory:
            return not any(part.startswith("_") for part in relative.parts)
        # A file an entry's media: may name (a picture, a recording, a document) counts wherever it is.
        return relative == PurePath(INDEX_NAME) or is_entry(relative) or relative.suffix.lower() in MIME
    return False
class Coalescer:
    """Collects changed paths and calls the builder once per burst, from one worker thread."""

    def __init__(self, rebuild: Callable[[set[Path]], None], debounce: float = DEBOUNCE):
        self.rebuild = rebuild
        self.debounce = debounce
        self._pending: set[Path] = set()
        self._lock = threading.Condition()
        self._stopping = False
        self._thread = threading.Thread(target=self._run, name="chronicle-rebuild", daemon=True)

    def start(self) -> None:
        self._thread.start()

    def add(self, paths: Iterable[Path]) -> None:
        with self._lock:
            self._pending.update(paths)
            self._lock.notify()

    @property
    def waiting(self) -> bool:
        """Whether changes have come that the next rebuild is to be given (the one running is behind)."""
        with self._lock:
            return bool(self._pending)

    def stop(self) -> None:
        with self._lock:
            self._stopping = True
            self._lock.notify()
        if self._thread.is_alive() and threading.current_thread() is not self._thread:
            self._thread.join(timeout=5)

    def _run(self) -> None:
        while True:
            with self._lock:
                while not self._pending and not self._stopping:
                    self._lock.wait()
                if self._stopping:
                    return
                # Wait for a quiet moment: an editor's save is often several events.
                while True:
                    before = len(self._pending)
                    self._lock.wait(self.debounce)
                    if self._stopping:
                        return
                    if len(self._pending) == before:
                        break
                batch, self._pending = self._pending, set()
            self.rebuild(batch)


class _Handler(FileSystemEventHandler):
    def __init__(self, accept: Callable[[Path, bool], bool], sink: Callable[[Iterable[Path]], None]):
        self.accept = accept
        self.sink = sink

    def on_any_event(self, event: FileSystemEvent) -> None:  # one of EVENTS
        paths = [Path(p if isinstance(p, str) else p.decode()) for p in (event.src_path, getattr(event, "dest_path", ""))
                 if p]
        relevant = [p for p in paths if self.accept(p, event.is_directory)]
        if relevant:
            self.sink(relevant)


class Watcher:
    """Watches the content and theme folders and the site's static/ folder, and feeds relevant
    changes to a Coalescer.

    static/ may not be there yet: the folder that holds it is watched (not its other folders),
    so that a static/ made while serving is watched from then on.
    """

    def __init__(self, content: Path, theme: Path | None, coalescer: Coalescer, poll: bool = False,
                 poll_interval: float = 0.25, static: Path | None = None):
        self.content = content.resolve()
        self.theme = theme.resolve() if theme is not None else None
        self.static = static.resolve() if static is not None else None
        self.coalescer = coalescer
        self.observer = PollingObserver(timeout=poll_interval) if poll else Observer()
        self._static_watch = None
        self._lock = threading.Lock()
        self._handler = _Handler(
            lambda p, is_dir: is_relevant(p, self.content, self.theme, is_dir, self.static), self._add)
        self._watch(self.content)
        if self.theme is not None and self.theme.is_dir():
            self._watch(self.theme)
        if self.static is not None and self.static.parent.is_dir():
            self._watch(self.static.parent, recursive=False)
            self._watch_static()

    def _watch(self, folder: Path, recursive: bool = True):
        return self.observer.schedule(self._handler, str(folder), recursive=recursive, event_filter=EVENTS)

    def _watch_static(self) -> None:
        """Watch static/ whole when it is a folder (again, when it was made anew since)."""
        with self._lock:
            if self._static_watch is not None:
                try:
                    self.observer.unschedule(self._static_watch)
                except (KeyError, OSError):
                    pass  # its folder is gone, and its watch with it
                self._static_watch = None
            if self.static.is_dir():
                try:
                    self._static_watch = self._watch(self.static)
                except OSError:
                    pass  # removed again meanwhile: its removal is reported on its own

    def _add(self, paths: Iterable[Path]) -> None:
        paths = list(paths)
        if self.static is not None and self.static in paths:
            self._watch_static()  # static/ itself made, removed or renamed: files saved in it from now on are seen
        self.coalescer.add(paths)

    def start(self) -> None:
        self.coalescer.start()
        self.observer.start()

    def stop(self) -> None:
        self.observer.stop()
        self.coalescer.stop()
        if self.observer.is_alive():
            self.observer.join(timeout=5)
