"""The only writer: stage the site in a fresh folder, check every path, swap it in whole."""

from __future__ import annotations

import errno
import fcntl
import os
import shutil
import tempfile
from contextlib import contextmanager
from pathlib import Path, PurePosixPath
from typing import Callable, Iterable, Iterator, Mapping

STAGING_PREFIX = ".chronicle-staging-"
RETIRED_PREFIX = ".chronicle-retired-"
SPARE_PREFIX = ".chronicle-spare-"  # + the output folder's name: the engine's site before the last build

Signature = tuple[int, int, int]  # (mtime_ns, size, inode): a file as it was written


class OutputError(Exception):
    """The site cannot be written where it was asked to go."""


class Written(Mapping[str, bytes]):
    """A site as a build left it in a folder: its files by name, each read when first asked for
    (serve shows output/ at once: 10,000 events are 11,800 files of 310 MB, read whole before the
    first page was served). The same bytes object for a name, whoever asks. read_all() reads the
    rest: it must come before anything writes the folder again, for the bytes to stay the build's."""

    def __init__(self, folder: Path, names: Iterable[str]) -> None:
        self.folder = os.fspath(folder)
        self.names = frozenset(names)
        self._read: dict[str, bytes] = {}

    def __getitem__(self, name: str) -> bytes:
        data = self._read.get(name)
        if data is None:
            if name not in self.names:
                raise KeyError(name)
            with open(os.path.join(self.folder, name), "rb", buffering=0) as file:
                data = self._read.setdefault(name, file.readall())  # one object: the first read's
        return data

    def __contains__(self, name: object) -> bool:
        return name in self.names

    def __iter__(self) -> Iterator[str]:
        return iter(self.names)

    def __len__(self) -> int:
        return len(self.names)

    def read_all(self) -> dict[str, bytes]:
        """Read every file not read yet; return them all by name, sorted."""
        return {name: self[name] for name in sorted(self.names)}


def safe_relative(name: str) -> PurePosixPath:
    """Return name as a relative path that stays inside the output, or raise OutputError."""
    return PurePosixPath(_checked(name))


def _checked(name: str) -> str:
    """Return name when it is a relative path that stays inside the output; else raise OutputError."""
    if not name or name.startswith("/") or "\\" in name or "\0" in name or any(
        part in ("", ".", "..") for part in name.split("/")
    ):
        raise OutputError(f"refusing to write '{name}': it would leave the output folder")
    return name


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


def write_site(files: Mapping[str, bytes] | Iterable[tuple[str, bytes]], output: Path,
               protected: list[Path] = (), finish: Callable[[Path], object] | None = None) -> None:
    """Write files ({path: bytes}, or its (path, bytes) pairs as they are made) into output as one whole:
    on any failure, a second file of the same name among them, the previous output stays as it was.
    finish: called with the staging folder once every file is in it, before it is swapped in (the
    search index, search.finisher); its failure is a failure of the whole."""
    pairs = files.items() if isinstance(files, Mapping) else files
    written: set[str] = set()
    with staged(output, protected) as staging:
        for name, data in pairs:
            if name in written:
                raise OutputError(f"refusing to write '{name}' twice: two outputs of the site have one name")
            written.add(name)
            path = staging / safe_relative(name)
            path.parent.mkdir(parents=True, exist_ok=True)
            path.write_bytes(data)
            del name, data  # let the file go before the next is made (timeline.json: 330 MB at 100,000 events)
        if finish is not None:
            finish(staging)


@contextmanager
def staged(output: Path, protected: list[Path] = (), spare: Path | None = None):
    """Give a fresh staging folder beside output to write the site into, and swap it in for output
    when the block ends; on any failure remove it, output as it was. A second build into the same
    folder waits for this one (_exclusive). spare: where to keep the site it replaces (the engine's)."""
    check_target(output, list(protected))
    output = output.resolve()
    output.parent.mkdir(parents=True, exist_ok=True)
    with _exclusive(output.parent):
        clean_leftovers(output.parent)
        folder = Path(tempfile.mkdtemp(prefix=STAGING_PREFIX, dir=output.parent))
        try:
            yield folder
            _swap_in(folder, output, spare)
        except BaseException:
            shutil.rmtree(folder, ignore_errors=True)
            raise


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
    import ctypes  # loaded by a write, not by every command

    # The C library as this process has it loaded: ctypes.util.find_library would ask ldconfig,
    # another process, at every write (1.5–4 ms).
    libc = ctypes.CDLL(None, use_errno=True)
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
