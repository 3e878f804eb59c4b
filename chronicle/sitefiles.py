"""The site's own files: static/ beside content/, published at the output's root as they are.

A CNAME for the host, a favicon, .well-known/security.txt, a PDF to download:
files Chronicle does not make but the site needs (issue 18, item 5). Each file
under static/ goes to the same path in the output (static/CNAME → CNAME), after
every file the build makes, and never in place of one: a site file with the
name of a page, a feed or a theme file is an error naming both (published).
The theme's own static/ folder is another thing: it is published under static/.
"""

from __future__ import annotations

import hashlib
import os
from pathlib import Path, PurePosixPath
from typing import Iterable, Iterator, Mapping

from .config import site_folder
from .diagnostics import Diagnostic, Report
from .entries import is_temporary

STATIC_DIR = "static"
# Files a file manager leaves in every folder it shows, never the author's.
_SYSTEM_FILES = frozenset({".ds_store", "thumbs.db", "desktop.ini"})
# A version control system's own folder: its history is never published, even from inside static/.
_VCS_FOLDERS = frozenset({".git", ".hg", ".svn"})


def static_folder(content: Path, cwd: Path) -> Path:
    """Return the site's static/ folder: beside the content folder (config.site_folder), where the cache is."""
    return site_folder(content, cwd) / STATIC_DIR


def is_site_file(relative: PurePosixPath | Path) -> bool:
    """Tell whether a path below static/ is published: every file, dot-files and dot-folders
    (.well-known/, .nojekyll) included, but editors' temporary files, a file manager's own
    files and a version control system's folder. The one predicate of the build and the watcher."""
    if any(part in _VCS_FOLDERS for part in relative.parts):
        return False
    name = relative.name
    # A name of digits is a file of the site here (downloads/2024), not vim's probe as among entries.
    return (name.isdigit() or not is_temporary(name)) and name.lower() not in _SYSTEM_FILES


def is_below(path: Path, folder: Path) -> bool:
    """Tell whether a watcher's path (absolute, or relative to the working folder) is in folder."""
    try:
        path.relative_to(folder.resolve() if path.is_absolute() else folder)
        return True
    except ValueError:
        return False


class StaticFolder:
    """The site's static/ folder, read again only where a file changed (serve keeps one for its
    run; a file unchanged keeps its very bytes object, which the writer links rather than copies)."""

    def __init__(self, folder: Path):
        self.folder = folder
        self._known: dict[str, tuple[tuple[int, ...], bytes, bytes]] = {}  # name: (stat, bytes, digest)
        self._key: object = None
        self._files: dict[str, bytes] = {}
        self._digests: dict[str, bytes] = {}
        self._diagnostics: tuple[Diagnostic, ...] = ()

    def read(self, report: Report) -> dict[str, bytes]:
        """Return every file to publish, by its path in the output, in name order; tell the report
        what cannot be published (a link out of static/, a file that cannot be read)."""
        listing, problems = _walk(self.folder)
        key = (tuple((name, stat) for name, _, stat in listing), tuple(problems))
        if key != self._key:
            local = Report()
            for path, severity, message in problems:
                (local.error if severity == "error" else local.warning)(path, None, message)
            known: dict[str, tuple[tuple[int, ...], bytes, bytes]] = {}
            for name, path, stat in listing:
                was = self._known.get(name)
                if was is not None and was[0] == stat:
                    known[name] = was
                    continue
                try:
                    with open(path, "rb") as file:
                        data = file.read()
                except OSError as error:
                    local.error(path, None, f"cannot be read: {error.strerror or error} — the site's own "
                                "files are published as they are, so each must be readable")
                    continue
                known[name] = (stat, data, hashlib.blake2b(data, digest_size=16).digest())
            self._known = known
            self._files = {name: data for name, (_, data, _) in known.items()}
            self._digests = {name: digest for name, (_, _, digest) in known.items()}
            self._diagnostics = tuple(local.items)
            self._key = key
        report.extend(self._diagnostics)
        return self._files

    @property
    def digests(self) -> dict[str, bytes]:
        """Return a digest of each file read last, by name: what the engine keys it by."""
        return self._digests


def read_site_files(content: Path, cwd: Path, report: Report) -> dict[str, bytes]:
    """Read the site's own files once (the reference pipeline): StaticFolder.read of static/."""
    return StaticFolder(static_folder(content, cwd)).read(report)


def _walk(folder: Path) -> tuple[list[tuple[str, str, tuple[int, ...]]], list[tuple[str, str, str]]]:
    """Return the files under folder to publish, as (name, path, stat) in name order, and the
    problems met, as (path, severity, message). A symbolic link is followed only to a file inside
    the folder: what it shows stays the author's choice of what to publish."""
    listing: list[tuple[str, str, tuple[int, ...]]] = []
    problems: list[tuple[str, str, str]] = []
    if not folder.is_dir():
        if folder.exists() or folder.is_symlink():
            problems.append((str(folder), "warning", "is not a folder — the site's own files go in a folder "
                             "named static beside content/; nothing of it is published"))
        return listing, problems
    root = folder.resolve()
    pending = [("", str(folder))]
    while pending:
        prefix, here = pending.pop()
        try:
            with os.scandir(here) as items:
                items = sorted(items, key=lambda item: item.name)
        except OSError as error:
            problems.append((here, "error", f"cannot be read: {error.strerror or error}"))
            continue
        for item in items:
            name = prefix + item.name
            if not is_site_file(PurePosixPath(name)):
                continue
            if item.is_symlink():
                target = Path(os.path.realpath(item.path))
                if not target.is_relative_to(root):
                    problems.append((item.path, "warning", f"is a link to {target}, outside {folder}/ — not "
                                     "published: put the file itself (a copy) in the folder"))
                    continue
                if not target.is_file():
                    problems.append((item.path, "warning", "is a link to a folder, or to nothing — not followed: "
                                     "put the files themselves in the folder"))
                    continue
            elif item.is_dir(follow_symlinks=False):
                pending.append((name + "/", item.path))
                continue
            elif not item.is_file(follow_symlinks=False):
                problems.append((item.path, "warning", "is not a regular file — not published"))
                continue
            if "\\" in name:
                problems.append((item.path, "error", "has a backslash in its name, which a web address "
                                 "cannot hold — rename the file"))
                continue
            try:
                stat = os.stat(item.path)
            except OSError:
                continue  # gone since it was listed: not there
            listing.append((name, item.path, (stat.st_mtime_ns, stat.st_ctime_ns, stat.st_size, stat.st_ino)))
    listing.sort()
    return listing, problems


class SiteFileClash(Exception):
    """Site files that would take the place of files the build makes: the build writes nothing."""

    def __init__(self, diagnostics: Iterable[Diagnostic]):
        self.diagnostics = tuple(diagnostics)
        super().__init__("\n".join(str(d) for d in self.diagnostics))

    def __reduce__(self):
        return SiteFileClash, (self.diagnostics,)


def published(files: Iterable[tuple[str, object]], site: Mapping[str, bytes], folder: Path,
              kept: Iterable[str] = (), search: bool = False) -> Iterator[tuple[str, object]]:
    """Yield the files the build makes, then the site's own files (folder: static/, to name them):
    when none takes a made file's place (its name, or its folder's), raise SiteFileClash naming
    both for each that does, so that the writer swaps nothing in. kept: site files that output/
    holds as they are, handed on with None (linked). search: pagefind/ is made after the site."""
    made: set[str] = set()

    def note(pair: tuple[str, object]) -> tuple[str, object]:
        made.add(pair[0])
        return pair
    yield from map(note, files)  # holding no file while the next is made
    if not site:
        return
    folders = {name[:i] for name in made for i, c in enumerate(name) if c == "/"}
    report = Report()
    for name in site:
        clash = _clash(name, made, folders, search)
        if clash:
            report.error(folder / name, None, f"{clash} — rename or move the file")
    if report.items:
        raise SiteFileClash(report.items)
    kept = frozenset(kept)
    for name, data in site.items():
        yield name, None if name in kept else data


def _clash(name: str, made: set[str], folders: set[str], search: bool) -> str | None:
    """Say how a site file would take the place of what the build makes; None when it would not."""
    if name in made:
        return f"would replace {_what(name)}"
    if name in folders:
        return f"is a file where Chronicle makes the folder {name}/"
    parts = name.split("/")
    for i in range(1, len(parts)):
        above = "/".join(parts[:i])
        if above in made:
            return f"would go inside {above}, which is a file Chronicle makes, not a folder"
    if search and parts[0] == "pagefind":
        return "would replace the search index Pagefind makes in pagefind/"
    return None


def _what(name: str) -> str:
    if name.startswith("static/"):
        return f"the theme's file {name}"
    if name.endswith(".html"):
        return f"the page Chronicle makes at {name}"
    return f"the file Chronicle makes at {name}"
