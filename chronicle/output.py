"""The only writer: stage the site in a fresh folder, check every path, swap it in whole."""

from __future__ import annotations

import ctypes
import ctypes.util
import errno
import fcntl
import os
import shutil
import tempfile
from contextlib import ExitStack, contextmanager
from pathlib import Path, PurePosixPath
from typing import BinaryIO, Callable, Iterable, Mapping

STAGING_PREFIX = ".chronicle-staging-"
RETIRED_PREFIX = ".chronicle-retired-"
SPARE_PREFIX = ".chronicle-spare-"  # + the output folder's name: the site before the last build

Signature = tuple[int, int, int]  # (mtime_ns, size, inode): a file as it was written


class _Written:
    """In place of a file's bytes: the file is in the staging folder already (put_file)."""

    def __reduce__(self):  # one object, in every process
        return "WRITTEN"

    def __repr__(self) -> str:
        return "WRITTEN"


WRITTEN = _Written()


class OutputError(Exception):
    """The site cannot be written where it was asked to go."""


def safe_relative(name: str) -> PurePosixPath:
    """Return name as a relative path that stays inside the output, or raise OutputError."""
    path = PurePosixPath(name)
    if not name or path.is_absolute() or "\\" in name or "\0" in name or any(
        part in ("", ".", "..") for part in name.split("/")
    ):
        raise OutputError(f"refusing to write '{name}': it would leave the output folder")
    return path


def check_target(output: Path, protected: list[Path]) -> None:
    """Refuse an output folder that would replace the author's own files."""
    target = output.resolve()
    for place in protected:
        place = place.resolve()
        if target == place or place.is_relative_to(target):
            raise OutputError(
                f"refusing to use {output} as the output folder: it holds {place} — choose another --output"
            )
    if target.exists() and not target.is_dir():
        raise OutputError(f"{output} exists and is not a folder — choose another --output")
    if target.is_dir() and any(target.iterdir()) and not (target / "index.html").exists():
        raise OutputError(
            f"{output} is not empty and holds no site built before — choose another --output, or empty it"
        )


Files = Mapping[str, bytes] | Iterable[tuple[str, "bytes | None | _Written"]]


def write_site(files: Files | Callable[[Path], Files], output: Path,
               protected: list[Path] = (), previous: Mapping[str, bytes] | None = None,
               spare: Mapping[str, Signature] | None = None) -> dict[str, Signature]:
    """Write files into output as one whole: on any failure the previous output stays as it was.

    files: a mapping of names to bytes, or (name, bytes) pairs as they are made
    (a build written as it renders; an error raised while making them is a failure too);
    bytes None: the file in output/ is still right, and is linked as it is;
    WRITTEN: put_file has written it into the staging folder already. files may
    be a function of the staging folder, for makers that write there themselves.
    Return each file's signature (mtime_ns, size, inode) as written, by name.

    previous: what this process wrote into output last time. A file whose bytes
    are the very same object is linked from there instead of written again,
    which makes serve's rewrite of a 10,000-page site after one save cheap.

    spare: what the spare folder beside output holds (each file's signature as
    written); when given, the site in output/ is kept there after the swap.
    When it names files, that folder (the site before the one in output/) is
    brought up to date and swapped in, instead of a new folder holding 10,000
    new folders (a new folder costs as much as writing a page here, and
    removing one as much again). None: the site before is removed.
    """
    check_target(output, list(protected))
    output = output.resolve()
    parent = output.parent
    parent.mkdir(parents=True, exist_ok=True)
    with _exclusive(parent):
        clean_leftovers(parent)
        return _write_and_swap(files, output, previous, spare)


@contextmanager
def _exclusive(folder: Path):
    """Hold the build lock of the folder that holds the output: a second build into it waits.

    The lock is taken on the folder itself, so no lock file is left behind,
    and the kernel drops it when its process dies, even by SIGKILL, so a
    killed build never blocks the next one.
    """
    descriptor = os.open(folder, os.O_RDONLY | os.O_DIRECTORY)
    try:
        fcntl.flock(descriptor, fcntl.LOCK_EX)
        yield
    finally:
        os.close(descriptor)  # closing releases the lock


def _write_and_swap(files: Files | Callable[[Path], Files], output: Path,
                    previous: Mapping[str, bytes] | None, spare: Mapping[str, Signature] | None) -> dict[str, Signature]:
    spare_path = output.parent / (SPARE_PREFIX + output.name)
    holds: Mapping[str, Signature] = {}
    present: set[str] | None = None
    if spare and spare_path.is_dir():
        # Renamed first: a build killed while it changes the spare leaves a staging folder,
        # which the next build removes, never a spare that is neither site.
        staging = Path(tempfile.mkdtemp(prefix=STAGING_PREFIX, dir=output.parent))
        os.rename(spare_path, staging)  # onto the new empty folder: one step
        holds = spare
        present = files_under(staging)  # what it really holds: a file put into output/ by hand too
        if present is None:  # a link or a device in it, put there by hand: nothing is written through one
            shutil.rmtree(staging, ignore_errors=True)
            staging, holds = Path(tempfile.mkdtemp(prefix=STAGING_PREFIX, dir=output.parent)), {}
    else:
        staging = Path(tempfile.mkdtemp(prefix=STAGING_PREFIX, dir=output.parent))
    present = present or set()
    made: set[PurePosixPath] = {PurePosixPath(".")}
    signatures: dict[str, Signature] = {}
    try:
        if callable(files):
            files = files(staging)
        for name, data in files.items() if isinstance(files, Mapping) else files:
            # Every part of the name is checked (no '..', no absolute path), and staging is a
            # folder a build made, holding only what it wrote: no link can lead outside.
            relative = safe_relative(name)
            path = staging / relative
            if data is WRITTEN:
                signatures[name] = signature(path)
                continue
            if relative.parent not in made:
                path.parent.mkdir(parents=True, exist_ok=True)
                made.update(relative.parents)
            was = holds.get(name)
            if data is None:
                # Kept as it is: its bytes and signature. A spare often holds that very file already.
                live = output / relative
                if was is None or was != signature(path) or was != signature(live):
                    if holds:
                        _unlink(path)
                    os.link(live, path)
            elif not (previous is not None and previous.get(name) is data and _link(output / relative, path)):
                _write_new(path, data, replace=bool(holds))
            signatures[name] = signature(path)
        for name in present - signatures.keys():
            _unlink(staging / name)  # a page gone since (an event deleted or renamed), or a stray file
            _remove_empty_folders(staging, PurePosixPath(name).parent)
        _swap_in(staging, output, spare_path if spare is not None else None)
        return signatures
    except BaseException:
        shutil.rmtree(staging, ignore_errors=True)
        raise


def put_file(staging: Path, name: str, data: bytes | Iterable[bytes]) -> None:
    """Write one file into a staging folder (write_site's, given to a maker), as write_site would;
    data: its bytes, or its pieces in order (an iterator: made as they are written)."""
    path = staging / safe_relative(name)
    path.parent.mkdir(parents=True, exist_ok=True)
    _write_new(path, data, replace=True)


def put_pieces(staging: Path, pieces: Iterable[tuple[str, bytes]]) -> list[str]:
    """Write files given as (name, piece) pairs, each file's pieces in order and the files'
    interleaved (feeds.stream_feeds), into a staging folder as put_file would; return their names."""
    files: dict[str, BinaryIO] = {}
    with ExitStack() as opened:
        for name, piece in pieces:
            file = files.get(name)
            if file is None:
                path = staging / safe_relative(name)
                path.parent.mkdir(parents=True, exist_ok=True)
                _unlink(path)  # a spare's file, maybe linked to output/'s: replaced, never written into
                file = files[name] = opened.enter_context(path.open("wb"))
            file.write(piece)
    return list(files)


def _write_new(path: Path, data: bytes | Iterable[bytes], replace: bool) -> None:
    """Write data (bytes, or pieces) as a new file at path. replace: a file may be there (a
    spare's), removed first, never written into: it may be output/'s own, hard-linked."""
    if replace:
        _unlink(path)
    if isinstance(data, bytes):
        path.write_bytes(data)
    else:
        with path.open("wb") as file:
            file.writelines(data)


def signature(path: Path | str) -> Signature | None:
    """Return a file's (mtime_ns, size, inode), of the link itself for a symbolic link; None if absent.

    Files are replaced, never written into, so a file with the signature it was written with
    still holds those bytes (a link put in its place has another inode).
    """
    try:
        stat = os.lstat(path)
    except OSError:
        return None
    return (stat.st_mtime_ns, stat.st_size, stat.st_ino)


def files_under(root: Path) -> set[str] | None:
    """Return the relative name of every file under root; None when anything there is neither
    a folder nor a regular file (a symbolic link, above all)."""
    names: set[str] = set()
    pending = [("", str(root))]
    while pending:
        prefix, folder = pending.pop()
        with os.scandir(folder) as entries:
            for entry in entries:
                if entry.is_dir(follow_symlinks=False):
                    pending.append((prefix + entry.name + "/", entry.path))
                elif entry.is_file(follow_symlinks=False):
                    names.add(prefix + entry.name)
                else:
                    return None
    return names


def _unlink(path: Path) -> None:
    try:
        os.unlink(path)
    except FileNotFoundError:
        pass


def _remove_empty_folders(root: Path, folder: PurePosixPath) -> None:
    while folder != PurePosixPath("."):
        try:
            os.rmdir(root / folder)
        except OSError:
            return  # not empty
        folder = folder.parent


def _link(existing: Path, new: Path) -> bool:
    try:
        os.link(existing, new)
        return True
    except OSError:
        return False


def clean_leftovers(parent: Path) -> None:
    """Remove staging folders that an interrupted build left behind (not the spare: see write_site)."""
    for leftover in parent.glob(".chronicle-*-*"):
        if leftover.name.startswith((STAGING_PREFIX, RETIRED_PREFIX)) and leftover.is_dir():
            shutil.rmtree(leftover, ignore_errors=True)


def _swap_in(staging: Path, output: Path, spare: Path | None = None) -> None:
    """Put staging where output is: one atomic exchange where the system offers it.

    spare: where to keep the previous site for the next build; None: remove it.
    """
    if not output.exists():
        os.rename(staging, output)
        return
    if _exchange(staging, output):
        _retire(staging, spare)  # staging holds the previous site now
        return
    retired = Path(tempfile.mkdtemp(prefix=RETIRED_PREFIX, dir=output.parent))
    os.rename(output, retired / "site")
    os.rename(staging, output)
    _retire(retired / "site", spare)
    shutil.rmtree(retired, ignore_errors=True)


def _retire(previous: Path, spare: Path | None) -> None:
    if spare is not None:
        shutil.rmtree(spare, ignore_errors=True)  # a spare not used by this build: out of date
        try:
            os.rename(previous, spare)
            return
        except OSError:
            pass
    shutil.rmtree(previous, ignore_errors=True)


_RENAME_EXCHANGE = 2
_AT_FDCWD = -100


def _exchange(a: Path, b: Path) -> bool:
    """Swap two folders atomically with renameat2(RENAME_EXCHANGE); False where unsupported."""
    libc_name = ctypes.util.find_library("c")
    if not libc_name:
        return False
    libc = ctypes.CDLL(libc_name, use_errno=True)
    renameat2 = getattr(libc, "renameat2", None)
    if renameat2 is None:
        return False
    result = renameat2(_AT_FDCWD, os.fsencode(a), _AT_FDCWD, os.fsencode(b), _RENAME_EXCHANGE)
    if result == 0:
        return True
    code = ctypes.get_errno()
    if code in (errno.ENOSYS, errno.EINVAL, errno.ENOTSUP, errno.EOPNOTSUPP):
        return False
    raise OSError(code, os.strerror(code), str(b))
