"""The engine's writer: output.staged's one-whole swap, with what makes a large site cheap to
write again: pages kept from output/ by a hard link, the spare folder brought up to date
instead of a new one, and long files spliced from the file the last build wrote."""

from __future__ import annotations

import errno
import os
import shutil
from array import array
from contextlib import ExitStack
from pathlib import Path, PurePosixPath
from typing import Callable, Iterable, Iterator, Mapping, NamedTuple

from ..output import SPARE_PREFIX, OutputError, Signature, _checked, safe_relative, staged


class _Written:
    """In place of a file's bytes: the file is in the staging folder already (put_file)."""

    def __reduce__(self):  # one object, in every process
        return "WRITTEN"

    def __repr__(self) -> str:
        return "WRITTEN"


WRITTEN = _Written()


Files = Mapping[str, bytes] | Iterable[tuple[str, "bytes | None | _Written"]]


def write_site(files: Files | Callable[[Path], Files], output: Path,
               protected: list[Path] = (), previous: Mapping[str, bytes] | None = None,
               spare: bool = False, live: Mapping[str, Signature] = {}) -> dict[str, Signature]:
    """Write files into output as one whole (output.staged): on any failure the previous output
    stays as it was. A name given twice, or one that would leave the output, is refused.

    files: a mapping of names to bytes, or (name, bytes) pairs as they are made
    (a build written as it renders; an error raised while making them is a failure too);
    bytes None: the file in output/ is still right, and is linked as it is;
    WRITTEN: put_file has written it into the staging folder already. files may
    be a function of the staging folder, for makers that write there themselves.
    Return each file's signature (mtime_ns, size, inode) as written, by name.

    previous: what this process wrote into output last time. A file whose bytes
    are the very same object is linked from there instead of written again,
    which makes serve's rewrite of a 10,000-page site after one save cheap.

    spare: whether to use the spare folder beside output: the site in output/ is
    kept there after the swap, and that folder (the site before the one in
    output/) is brought up to date and swapped in, instead of a new folder
    holding 10,000 new folders (a new folder costs as much as writing a page
    here, and removing one as much again). A file kept as it is (bytes None)
    that the spare holds already, output/'s very file (a hard link: the same
    inode), is left there; every other file there is replaced or removed.
    False: the site before is removed.

    live: the signature of files of output/ kept as they are (bytes None), as the
    caller found them (the engine's manifest, checked); any other is taken here.
    """
    spare_path = output.resolve().parent / (SPARE_PREFIX + output.name)
    with staged(output, protected, spare_path if spare else None) as staging:
        return _fill(staging, files, output.resolve(), previous, spare, spare_path, live)


def _fill(staging: Path, files: Files | Callable[[Path], Files], output: Path,
          previous: Mapping[str, bytes] | None, spare: bool, spare_path: Path,
          live: Mapping[str, Signature]) -> dict[str, Signature]:
    present: dict[str, int] | None = None  # the spare's files, each by its inode
    same_device = False  # whether the spare's inodes are output/'s: a file of both is one file
    if spare and spare_path.is_dir():
        # Renamed onto the new empty staging folder (one step): a build killed while it changes
        # the spare leaves a staging folder, which the next build removes, never a spare that is
        # neither site.
        os.rename(spare_path, staging)
        present = files_under(staging)  # what it really holds: a file put into output/ by hand too
        if present is None:  # a link or a device in it, put there by hand: nothing is written through one
            shutil.rmtree(staging)
            staging.mkdir()
        try:
            same_device = os.lstat(staging).st_dev == os.lstat(output).st_dev
        except OSError:  # no output/ (removed by hand): no file of it is kept
            pass
    present = present or {}
    made: set[str] = {""}  # the folders made in staging, by their names
    signatures: dict[str, Signature] = {}
    # Names joined as strings: 10,000 kept pages are linked while the workers render.
    root, live_root = str(staging), str(output)
    if callable(files):
        files = files(staging)
    for name, data in files.items() if isinstance(files, Mapping) else files:
        # Every part of the name is checked (no '..', no absolute path), and staging is a
        # folder a build made, holding only what it wrote: no link can lead outside.
        path = os.path.join(root, _checked(name))
        if name in signatures:
            raise OutputError(f"refusing to write '{name}' twice: two outputs have the same name")
        if data is WRITTEN:
            signatures[name] = signature(path)
            continue
        folder = name.rpartition("/")[0]
        if folder not in made and name not in present:  # the spare's file: its folder is there
            _make_folder(staging, folder)
            while folder not in made:
                made.add(folder)
                folder = folder.rpartition("/")[0]
        # To be replaced, never written into (it may be output/'s, linked); or a spare's folder
        # where this site has a file (the layout of another version of Chronicle).
        there = name in present or (bool(present) and os.path.isdir(path))
        if data is None:
            # Kept as it is: output/'s file, linked, with its signature (a link's is its file's).
            # The spare often holds that very file already (linked by the build before): no
            # system call then, the inode taken from the spare's folder as it was read.
            now = live.get(name) or signature(os.path.join(live_root, name))
            if now is None or not same_device or present.get(name) != now[2]:
                if there:
                    _unlink(path)
                os.link(os.path.join(live_root, name), path)
                now = now or signature(path)
            signatures[name] = now
            continue
        if not (previous is not None and previous.get(name) is data and _link(os.path.join(live_root, name), path)):
            _write_new(Path(path), data, replace=there)
        signatures[name] = signature(path)
    for name in present.keys() - signatures.keys():
        path = os.path.join(root, name)
        if os.path.isdir(path):  # this build's folder, made where the spare had a file: kept
            continue
        _unlink(path)  # a page gone since (an event deleted or renamed), or a stray file
        _remove_empty_folders(staging, PurePosixPath(name).parent)
    return signatures


class Part(NamedTuple):
    """A part of a long file under its key (cache.Fragments): its bytes; or None where the file as
    the last build wrote it holds them, at `place` in its layout (Previous.find), to be copied
    from there as they are."""

    key: bytes
    data: bytes | None
    place: int = -1


class Layout(NamedTuple):
    """Where each keyed part lies in a file as written: keys (of key_size bytes each, joined) and
    their offsets and lengths (an array of pairs); signature: the file as it was written."""

    signature: Signature
    keys: bytes
    spans: bytes

    def previous(self, path: Path, key_size: int) -> "Previous | None":
        """Return the parts of the file at path as this layout places them; None when the file is
        no longer the one written (another signature), or the layout is not whole."""
        spans = array("q", self.spans)
        count = len(self.keys) // key_size
        if signature(path) != tuple(self.signature) or len(spans) != 2 * count or len(self.keys) != count * key_size:
            return None
        return Previous(path, self.keys, key_size, spans, [0])


_AHEAD = 256  # parts looked at past the last one found: a few were added, removed or moved


class Previous(NamedTuple):
    """A long file as the last build wrote it, and where each of its parts lies in it.

    Its parts are asked for in the order the file has them, but for the few an edit changed: a
    part is looked for just after the last one found, not in an index of them all (at 100,000
    events the sources page has 250,000 parts)."""

    path: Path
    keys: bytes  # the layout's, joined
    key_size: int
    spans: array  # offset, length: two numbers a part
    cursor: list[int]  # where the next part is looked for

    def find(self, key: bytes) -> int | None:
        """Return the place of key's part in the file, looking among the _AHEAD parts from the
        cursor on; None when it is not there (made or looked up instead: never wrong, only slower)."""
        size, start = self.key_size, self.cursor[0] * self.key_size
        end = start + _AHEAD * size
        found = self.keys.find(key, start, end + size)
        while found >= 0 and found % size:  # a match across two keys: look on
            found = self.keys.find(key, found + 1, end + size)
        if found < 0:
            return None
        self.cursor[0] = found // size + 1
        return found // size

    def span(self, place: int) -> tuple[int, int]:
        """Return the offset and length of the part at place."""
        return self.spans[2 * place], self.spans[2 * place + 1]


_BUFFER = 1 << 20  # bytes of small pieces written at once


class _LongFile:
    """A new file written from its pieces: bytes, or keyed parts (recorded in its layout) given
    or copied from the previous file (os.copy_file_range: within the kernel, no byte through Python)."""

    def __init__(self, path: Path, previous: Previous | None):
        self.path, self.previous = path, previous
        self.file = open(path, "xb", buffering=0)
        self.pending: list[bytes] = []
        self.pending_size = 0
        self.offset = 0
        self.keys: list[bytes] = []
        self.spans = array("q")
        self.copy: list[int] = []  # [source offset, length] of the range to copy next
        self.source: int | None = None
        self.layout: Layout | None = None

    def write(self, piece: bytes | Part) -> None:
        if type(piece) is not Part:
            self._copy()
            self._add(piece)
            return
        key, data, place = piece
        self.keys.append(key)
        if data is not None:
            self.spans.extend((self.offset, len(data)))
            self._copy()
            self._add(data)
            return
        start, length = self.previous.span(place)
        self.spans.extend((self.offset, length))
        if self.copy and self.copy[0] + self.copy[1] == start:
            self.copy[1] += length  # unchanged parts in a row: one copy
        else:
            self._copy()
            self.copy = [start, length]
        self.offset += length

    def _add(self, data: bytes) -> None:
        self.pending.append(data)
        self.pending_size += len(data)
        self.offset += len(data)
        if self.pending_size >= _BUFFER:
            self._flush()

    def _flush(self) -> None:
        if self.pending:
            self.file.write(b"".join(self.pending))  # a regular file: written whole
            self.pending, self.pending_size = [], 0

    def _copy(self) -> None:
        if not self.copy:
            return
        self._flush()
        start, length = self.copy
        self.copy = []
        if self.source is None:
            self.source = os.open(self.previous.path, os.O_RDONLY | os.O_CLOEXEC)
        _copy_range(self.source, self.file.fileno(), start, length)

    def close(self) -> Layout | None:
        """Finish the file (once; closed again, nothing happens); return its layout (None: it has
        no keyed part)."""
        if self.file.closed:
            return self.layout
        try:
            self._copy()
            self._flush()
        finally:
            self.file.close()
            if self.source is not None:
                os.close(self.source)
        if self.keys:
            self.layout = Layout(signature(self.path), b"".join(self.keys), self.spans.tobytes())
        return self.layout


_NO_COPY = (errno.EXDEV, errno.ENOSYS, errno.EINVAL, errno.EOPNOTSUPP, errno.ENOTSUP)


def _copy_range(source: int, target: int, start: int, length: int) -> None:
    """Append length bytes of source from start to target (at its position)."""
    while length:
        try:
            done = os.copy_file_range(source, target, length, start)
        except (AttributeError, OSError) as error:  # not Linux, or not between these files
            if isinstance(error, OSError) and error.errno not in _NO_COPY:
                raise
            data = memoryview(os.pread(source, min(length, _BUFFER), start))
            done = len(data)
            while data:
                data = data[os.write(target, data):]
        if not done:
            raise OSError(errno.EIO, "a file of the output is shorter than when it was written")
        start += done
        length -= done


def put_file(staging: Path, name: str, data: bytes | Iterable[bytes | Part],
             previous: Previous | None = None) -> Layout | None:
    """Write one file into a staging folder (write_site's, given to a maker), as write_site would;
    data: its bytes, or its pieces in order (an iterator: made as they are written), among them
    keyed parts, of which previous (the file in output/) may hold some. Return the new file's
    layout (None: no keyed part)."""
    path = staging / safe_relative(name)
    _make_folder(staging, str(path.parent.relative_to(staging)))
    return _write_new(path, data, replace=True, previous=previous)


def put_pieces(staging: Path, pieces: Iterable[tuple[str, bytes | Part]],
               previous: Callable[[str], Previous | None] = lambda name: None) -> dict[str, Layout | None]:
    """Write files given as (name, piece) pairs, each file's pieces in order and the files'
    interleaved (feeds.stream_feeds), into a staging folder as put_file would; return their
    names and layouts. previous: the file in output/ of a name, holding some of its parts."""
    files: dict[str, _LongFile] = {}
    with ExitStack() as opened:  # every file closed, even when one fails
        for name, piece in pieces:
            file = files.get(name)
            if file is None:
                path = staging / safe_relative(name)
                _make_folder(staging, str(path.parent.relative_to(staging)))
                _unlink(path)  # a spare's file, maybe linked to output/'s: replaced, never written into
                file = files[name] = _LongFile(path, previous(name))
                opened.callback(file.close)
            file.write(piece)
        return {name: file.close() for name, file in files.items()}


def _write_new(path: Path, data: bytes | Iterable[bytes | Part], replace: bool,
               previous: Previous | None = None) -> Layout | None:
    """Write data (bytes, or pieces) as a new file at path. replace: a file may be there (a
    spare's), removed first, never written into: it may be output/'s own, hard-linked."""
    if replace:
        _unlink(path)
    if isinstance(data, bytes):
        path.write_bytes(data)
        return None
    file = _LongFile(path, previous)
    try:
        for piece in data:
            file.write(piece)
    finally:
        layout = file.close()
    return layout


def signature(path: Path | str) -> Signature | None:
    """Return a file's (mtime_ns, size, inode), of the link itself for a symbolic link; None if absent.

    Files are replaced, never written into, so a file with the signature it was written with
    still holds those bytes (a link put in its place has another inode).
    """
    try:
        return signature_of(os.lstat(path))
    except OSError:
        return None


def signature_of(stat: os.stat_result) -> Signature:
    """Return signature's (mtime_ns, size, inode) of a stat taken already (a directory entry's)."""
    return (stat.st_mtime_ns, stat.st_size, stat.st_ino)




def files_under(root: Path) -> dict[str, int] | None:
    """Return the relative name of every file under root, with its inode (the folder's entry's:
    no stat); None when anything there is neither a folder nor a regular file (a symbolic link,
    above all)."""
    names: dict[str, int] = {}
    for name, entry in entries_under(root):
        if not entry.is_file(follow_symlinks=False):
            return None
        names[name] = entry.inode()
    return names


def entries_under(root: Path | str) -> Iterator[tuple[str, os.DirEntry]]:
    """Yield everything under root but its folders (into which it goes, never through a link),
    by its relative name, with its os.DirEntry (whose stat is the entry's own, as lstat's)."""
    pending = [("", str(root))]
    while pending:
        prefix, folder = pending.pop()
        with os.scandir(folder) as entries:
            for entry in entries:
                if entry.is_dir(follow_symlinks=False):
                    pending.append((prefix + entry.name + "/", entry.path))
                else:
                    yield prefix + entry.name, entry


def _unlink(path: Path | str) -> None:
    """Remove a file of a staging folder; a folder there too (a spare's, where this site has a
    file: staging holds no link, write_site checks)."""
    try:
        os.unlink(path)
    except (FileNotFoundError, NotADirectoryError):  # gone, or its folder is a file now: gone with it
        pass
    except IsADirectoryError:
        shutil.rmtree(path)




def _make_folder(staging: Path, folder: str) -> None:
    """Make a folder of a staging folder (its name relative to it, "" or "." for itself), removing
    a spare's file that stands where this site has a folder."""
    try:
        os.makedirs(os.path.join(staging, folder), exist_ok=True)
    except (FileExistsError, NotADirectoryError):
        parts = [part for part in folder.split("/") if part not in ("", ".")]
        for end in range(1, len(parts) + 1):
            place = os.path.join(staging, *parts[:end])
            if not os.path.isdir(place):
                _unlink(place)
        os.makedirs(os.path.join(staging, folder), exist_ok=True)




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


