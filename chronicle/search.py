"""Search (issue 17, item 4): a Pagefind index of the event pages, written into the site as `pagefind/`.

Pagefind (https://pagefind.app, the static search library of Hugo, Astro and Eleventy sites) is an
optional extra: `pip install 'chronicle-timeline[search]'` installs its Python package and its
binary. It is run on the folder holding the site just built, the writers' staging folder, before
that folder is swapped in for the output folder: the index is part of the same one-whole write, so
output/ never holds pages without their index, or an index of other pages (docs/search.md).

Nothing is fetched from the network, at build time or by the reader's browser: the search box's
script and style are Pagefind's own, written into pagefind/ beside the index and loaded from there.
"""

from __future__ import annotations

import shutil
from pathlib import Path
from typing import Callable, Iterator, Mapping

from .config import INDEX_NAME, Options
from .diagnostics import Report

FOLDER = "pagefind"  # the index's folder in the site, and its URL path under the site's root
INSTALL = "pip install 'chronicle-timeline[search]'"  # or, in a clone: pip install -e '.[search]'
# Only the event pages are indexed: base.html marks their <main> data-pagefind-body (Pagefind then
# leaves out every page without it); the links to the previous and next events are left out of it.
EXCLUDE = ".pager"
TIMEOUT = 600  # seconds: Pagefind indexes 10,000 pages in a few


class SearchError(Exception):
    """The search index cannot be made: the build stops, output/ as it was."""


class SearchUnavailable(SearchError):
    """search: true, but Pagefind is not installed (or its binary does not run)."""


def executable() -> Path:
    """Return the Pagefind binary that the `pagefind` Python package finds (its own pagefind_bin or
    pagefind_bin_extended, else PAGEFIND_BINARY_PATH); raise SearchUnavailable when there is none
    or it does not run."""
    try:
        from pagefind.service import get_executable
    except ImportError:
        raise SearchUnavailable(unavailable("the pagefind package is not installed")) from None
    try:
        found = get_executable()
    except Exception as error:  # noqa: BLE001 - whatever the package raises: not usable
        raise SearchUnavailable(unavailable(f"the pagefind package found no binary ({error})")) from None
    if found is None:
        raise SearchUnavailable(unavailable("the pagefind package found no pagefind binary"))
    import subprocess  # loaded where Pagefind runs, not by every command (4 ms)

    try:
        ran = subprocess.run([str(found), "--version"], capture_output=True, text=True, timeout=60)
    except (OSError, subprocess.SubprocessError) as error:
        raise SearchUnavailable(unavailable(f"{found} does not run ({error})")) from None
    if ran.returncode != 0:
        raise SearchUnavailable(unavailable(f"{found} --version failed: {(ran.stderr or ran.stdout).strip()}"))
    return found


def unavailable(why: str) -> str:
    return (f"search: true needs Pagefind, and {why} — install it with {INSTALL} "
            f"(or remove search: true from {INDEX_NAME})")


def require() -> None:
    """Raise SearchUnavailable unless Pagefind can run."""
    executable()


def index_site(folder: Path) -> list[str]:
    """Index the site in folder (a staging folder, before it is swapped in): write folder/pagefind/
    anew and return the names of its files, relative to folder ("pagefind/pagefind.js", ...)."""
    binary = executable()
    target = folder / FOLDER
    # A spare's index (the engine's writer reuses the site before last), whose files may be
    # hard links to output/'s: removed, never written into.
    if target.is_symlink() or target.is_file():
        target.unlink()
    elif target.exists():
        shutil.rmtree(target)
    command = [str(binary), "--site", str(folder), "--output-subdir", FOLDER, "--exclude-selectors", EXCLUDE,
               # results link to events/SLUG/index.html, as every link of the theme does (|local)
               "--keep-index-url", "--silent"]
    import subprocess

    try:
        ran = subprocess.run(command, capture_output=True, text=True, timeout=TIMEOUT, cwd=folder)
    except (OSError, subprocess.SubprocessError) as error:
        raise SearchError(f"Pagefind could not index the site: {error}") from None
    if ran.returncode != 0 or not (target / "pagefind.js").is_file():
        said = (ran.stderr or ran.stdout).strip() or f"exit status {ran.returncode}"
        raise SearchError(f"Pagefind could not index the site: {said}")
    return sorted(f"{FOLDER}/{path.relative_to(target).as_posix()}" for path in target.rglob("*")
                  if path.is_file())


def finisher(enabled: bool) -> Callable[[Path], None] | None:
    """For output.write_site (the reference's writer): what to do to the staging folder once the
    site is in it, or None. Pagefind is looked for now, so that a build without it fails before
    it writes anything."""
    if not enabled:
        return None
    require()
    return index_site


def indexed(files, enabled: bool):
    """For the engine's writer (incremental.writer.write_site): files, and with search on the
    index too, made in the staging folder after the site's last file and handed on as written
    there (writer.WRITTEN), so that they are in the manifest like every other file. Pagefind is
    looked for now, before anything is written."""
    if not enabled:
        return files
    require()
    from .incremental.writer import WRITTEN

    def with_index(staging: Path) -> Iterator[tuple[str, object]]:
        made = files(staging) if callable(files) else files
        pairs = made.items() if isinstance(made, Mapping) else made
        prefix = FOLDER + "/"
        for name, data in pairs:
            if not name.startswith(prefix):  # an index kept from output/: made anew below
                yield name, data
        for name in index_site(staging):
            yield name, WRITTEN

    return with_index


def wanted(options: Options) -> bool:
    """Whether content/_index.md says search: true (its errors are left to the build to report)."""
    from .pipeline import read_site_settings

    settings, _ = read_site_settings(options, Report())
    return settings.search


def check(options: Options, report: Report) -> bool:
    """Before a build or serve starts: report an error when search: true asks for Pagefind and it
    cannot run; say whether it can go on."""
    if not options.content.is_dir() or not wanted(options):
        return True
    try:
        require()
    except SearchUnavailable as error:
        report.error(options.content / INDEX_NAME, None, str(error))
        return False
    return True


def read_index(output: Path) -> dict[str, bytes]:
    """Return the index files in a built site (output/pagefind/), by their names in the site; {}
    when it has none. serve shows them beside the site it holds in memory."""
    folder = output / FOLDER
    if not folder.is_dir():
        return {}
    return {f"{FOLDER}/{path.relative_to(folder).as_posix()}": path.read_bytes()
            for path in sorted(folder.rglob("*")) if path.is_file()}
