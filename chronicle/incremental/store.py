"""The build cache (the engine's store): what earlier builds read and rendered, kept for the next
in .chronicle-cache/ beside content/ (or where --cache-dir or CHRONICLE_CACHE_DIR says: Options.cache).

Every value is stored under a key made of everything it was made from (the
entry's bytes, its path, the settings, the theme, Chronicle's own code), so
an entry is looked up, never checked for staleness: a changed input is a new
key. Values carry a checksum; a value that fails it, a file that is not a
database, or a pickle naming anything but the model's own types is a miss,
never trusted. The cache only ever makes a build faster: `--no-cache`, a
deleted folder or a broken file give the same bytes (tests/test_cache.py).
"""

from __future__ import annotations

import hashlib
import io
import os
import pickle
import sqlite3
import sys
import zlib
from dataclasses import fields
from operator import attrgetter
from pathlib import Path
from typing import Any, Callable, Iterable, Iterator, Sequence
from zoneinfo import ZoneInfo

from ..dates import Precision
from ..model import Day, Event, Source
from .writer import Layout, Part, Previous

_SCHEMA = 3  # 2: CRC-32 checksums; 3: a table with rowids (_open)
_DIGEST = DIGEST_SIZE = 20  # the bytes of every key
_PENDING_BYTES = 32 * 1024 * 1024  # written to the file beyond this, so a cold build's memory stays flat
_PENDING_PART_BYTES = 8 * 1024 * 1024  # as much, in a worker rendering a long file beside its parts


def digest(*parts: bytes | str) -> bytes:
    """Return a key for parts, each length-prefixed so that ('ab', 'c') ≠ ('a', 'bc')."""
    return digest_from(None, *parts)


def digest_from(prefix: "hashlib.blake2b | None", *parts: bytes | str) -> bytes:
    """Return digest(*prefix_parts, *parts), given a hasher fed with the prefix's parts (Cache.hasher)."""
    return _fed(prefix.copy() if prefix is not None else hashlib.blake2b(digest_size=_DIGEST), parts).digest()


def hasher(*parts: bytes | str):
    """Return a hasher fed with parts: digest_from(it, *rest) == digest(*parts, *rest)."""
    return _fed(hashlib.blake2b(digest_size=_DIGEST), parts)


def _fed(h, parts):
    for part in parts:
        data = part.encode("utf-8", "surrogatepass") if isinstance(part, str) else part
        h.update(len(data).to_bytes(8, "little"))
        h.update(data)
    return h


def code_version() -> bytes:
    """Return a digest of Chronicle's own code: a new release, or any edit to it, is a new cache."""
    package = Path(__file__).resolve().parent.parent  # chronicle/, the reference and the engine
    parts: list[bytes] = [str(_SCHEMA).encode(), sys.version.encode()]
    for path in sorted(package.rglob("*.py")):
        parts += [path.relative_to(package).as_posix().encode(), path.read_bytes()]
    return digest(*parts)


# What a cached value may be made of: the model's types and the standard values they hold.
_ALLOWED = {
    ("builtins", name) for name in ("dict", "list", "tuple", "set", "frozenset", "str", "bytes", "int", "float",
                                    "bool", "complex", "NoneType")
} | {
    ("datetime", "datetime"), ("datetime", "date"), ("datetime", "time"), ("datetime", "timedelta"),
    ("datetime", "timezone"), ("zoneinfo", "ZoneInfo"),
    ("chronicle.model", "_event"), ("chronicle.model", "Source"), ("chronicle.model", "_media"),
    ("chronicle.model", "Picture"), ("chronicle.dates", "When"),
    ("chronicle.dates", "Precision"), ("chronicle.diagnostics", "Diagnostic"),
}


def _safe_getattr(owner: object, name: str) -> object:
    # A ZoneInfo pickles as getattr(ZoneInfo, "_unpickle"), and in some Python versions an enum
    # member as getattr(Precision, "DAY"); no other attribute may be reached.
    if (owner is ZoneInfo and name == "_unpickle") or (owner is Precision and name in Precision.__members__):
        return getattr(owner, name)
    raise pickle.UnpicklingError(f"{name} is not a cached value's type")


class _Unpickler(pickle.Unpickler):
    """An unpickler that builds only the model's own values: a planted file cannot run code."""

    _found: dict[tuple[str, str], object] = {("builtins", "getattr"): _safe_getattr}

    def find_class(self, module: str, name: str):
        found = self._found.get((module, name))
        if found is None:
            if (module, name) not in _ALLOWED:
                raise pickle.UnpicklingError(f"{module}.{name} is not a cached value's type")
            found = self._found[module, name] = super().find_class(module, name)
        return found


def dumps(value: object) -> bytes:
    return pickle.dumps(value, protocol=pickle.HIGHEST_PROTOCOL)


def loads(data: bytes) -> object:
    """Unpickle a cached value; raise pickle.UnpicklingError (or another error) when it is not one."""
    return _Unpickler(io.BytesIO(data)).load()


def checksum(value: bytes) -> bytes:
    """Return what a stored value is checked against: a CRC-32, which a torn write or a bad disk
    block fails (a value planted on purpose is kept out by the unpickler, not by this)."""
    return zlib.crc32(value).to_bytes(4, "big")


def _insert(db: sqlite3.Connection, values: dict[bytes, bytes]) -> None:
    db.executemany(
        "INSERT OR REPLACE INTO blobs VALUES (?, ?, ?)",
        ((key, checksum(value), value) for key, value in values.items()),
    )


def _checked_values(db: sqlite3.Connection, keys: list[bytes]) -> Iterator[tuple[bytes, bytes]]:
    """Yield (key, value) for the keys found, 500 at a time, leaving out a value that fails its checksum."""
    for start in range(0, len(keys), 500):
        chunk = keys[start:start + 500]
        marks = ",".join("?" * len(chunk))
        for key, kept_sum, value in db.execute(f"SELECT key, sum, value FROM blobs WHERE key IN ({marks})", chunk):
            if isinstance(value, bytes) and kept_sum == checksum(value):
                yield key, value


def _in_transaction(db: sqlite3.Connection, work) -> bool:
    """Run work(db) in one write transaction, after any other build's; tell whether it was kept.
    A cache that cannot be written only makes the next build slower: errors are not raised."""
    try:
        db.execute("BEGIN IMMEDIATE")
        try:
            work(db)
            db.execute("COMMIT")
            return True
        except sqlite3.Error:
            db.execute("ROLLBACK")
    except sqlite3.Error:
        pass
    return False


class Cache:
    """Values by key in one SQLite file; `hits` and `misses` count this build's lookups."""

    def __init__(self, folder: Path, create: bool = True):
        self.folder = folder
        self.create = create  # False (check, serve): use the cache if there is one, never make one or write it
        self.version = code_version()
        self.hits = 0
        self.misses = 0
        self._db: sqlite3.Connection | None = None
        self._pending: dict[bytes, bytes] = {}
        self._size = 0  # bytes waiting in _pending
        # Whether this build looked up all it could use (it rendered every page), so that what it
        # did not use may go; a build that reused pages as they were never prunes.
        self.complete = False
        self._used: set[bytes] = set()
        self._open()

    def _open(self) -> None:
        path = self.folder / "cache.sqlite"
        if not self.create and not path.is_file():
            return
        for _ in range(2):
            try:
                self.folder.mkdir(parents=True, exist_ok=True)
                db = sqlite3.connect(path, timeout=60, isolation_level=None)
                db.execute("PRAGMA journal_mode=WAL")
                db.execute("PRAGMA synchronous=NORMAL")
                # A table with rowids, its keys in an index of their own: SQLite advises WITHOUT ROWID for
                # rows under a twentieth of a page, and a value here is larger than a page (6 KB on average
                # at 10,000 events). 10,000 values of such a cache read 0.22 → 0.08 s (medians of 5, the
                # same rows copied into each table), written as fast.
                db.execute("CREATE TABLE IF NOT EXISTS blobs (key BLOB PRIMARY KEY, sum BLOB, value BLOB)")
                db.execute("SELECT key, sum, value FROM blobs WHERE key = x'00'").fetchall()  # this layout?
                (made,) = db.execute("SELECT sql FROM sqlite_master WHERE type = 'table' AND name = 'blobs'").fetchone()
                if "WITHOUT ROWID" in made.upper():  # the table of Chronicle before schema 3: started anew
                    db.close()
                    raise sqlite3.DatabaseError("a table without rowids")
                self._db = db
                return
            except sqlite3.DatabaseError:
                if not self.create:
                    break  # only reading (check, serve): a broken file is left as it is, for a build to mend
                # Not a database (a broken or foreign file): start a new one, once.
                try:
                    for stale in self.folder.glob("cache.sqlite*"):
                        stale.unlink(missing_ok=True)
                except OSError:
                    break  # not ours to remove (a folder of that name): build without a cache
            except OSError:
                break  # a read-only or missing place: build without a cache
        self._db = None

    @property
    def enabled(self) -> bool:
        return self._db is not None

    def key(self, kind: str, *parts: bytes | str) -> bytes:
        return digest(self.version, kind, *parts)

    def hasher(self, kind: str, *parts: bytes | str):
        """Return a hasher fed with key(kind, *parts)'s first parts: digest_from(it, *rest) == key(kind, *parts, *rest),
        for many keys that share their beginning."""
        return hasher(self.version, kind, *parts)

    def get_many(self, keys: Iterable[bytes]) -> dict[bytes, bytes]:
        """Return the values found for keys, each checked against its checksum.

        A value found is not yet a hit: the caller counts it (count) once it could use it.
        """
        keys = list(keys)
        self._used.update(keys)
        found: dict[bytes, bytes] = {}
        if self._db is not None and keys:
            try:
                found.update(_checked_values(self._db, keys))
            except sqlite3.DatabaseError:
                found.clear()
                self._db = None
        return found

    def count(self, hits: int, misses: int) -> None:
        """Count entries taken from the cache, and entries read anew, for the build's summary."""
        self.hits += hits
        self.misses += misses

    def touch(self, keys: Iterable[bytes]) -> None:
        """Count keys as used by this build (looked up by a worker process), so they are kept."""
        self._used.update(keys)

    def put(self, key: bytes, value: bytes) -> None:
        """Keep a value, written to the file when the build is done (save), or when much is
        waiting (a cold build of 10,000 events makes hundreds of megabytes). A cache opened with
        create=False (check, serve) is only read: nothing is kept."""
        if not self.create:
            return
        self._used.add(key)
        self._pending[key] = value
        self._size += len(value)
        if self._size > _PENDING_BYTES:
            self.write()

    def write(self) -> None:
        """Write the values waiting, in one transaction, after any other build's."""
        if self._db is not None:
            _in_transaction(self._db, lambda db: _insert(db, self._pending))
        self._pending.clear()
        self._size = 0

    def save(self) -> None:
        """Write what this build added, and drop what no build used for a while."""
        if self._db is not None:
            _in_transaction(self._db, self._save_into)
        self._pending.clear()
        self._size = 0

    def _save_into(self, db: sqlite3.Connection) -> None:
        _insert(db, self._pending)
        (count,) = db.execute("SELECT count(*) FROM blobs").fetchone()
        if self.complete and count > 2 * len(self._used) + 1000:
            # Old versions of entries pile up as authors edit: keep only what this build used.
            db.execute("CREATE TEMP TABLE IF NOT EXISTS used (key BLOB PRIMARY KEY) WITHOUT ROWID")
            db.execute("DELETE FROM used")
            db.executemany("INSERT OR IGNORE INTO used VALUES (?)", ((k,) for k in self._used))
            db.execute("DELETE FROM blobs WHERE key NOT IN (SELECT key FROM used)")

    def close(self) -> None:
        if self._db is not None:
            self._db.close()
            self._db = None


# A source's fields as one tuple (its dataclass repr goes through reprlib's guard: twice as slow).
_source_values = attrgetter(*(field.name for field in fields(Source)))


class Fragments:
    """Rendered parts of the long pages (a day of the index or of a tag page, one cited source),
    looked up in the cache file by worker processes, under a key of all each is made from.

    site: a digest of what every page shows besides its events; prints: each event's
    entry key, by id(event); output: the folder the last build wrote, whose long files
    are spliced from (parts): where a file there is as written, its parts that are still
    the same are copied from it, neither looked up nor made. A worker opens the file for
    itself (a connection is not shared across fork) and writes what it renders there
    (flush), so that no part crosses between processes; every key it looked up or wrote
    is in `used`, for the parent to count as used (Cache.touch).
    """

    def __init__(self, cache: Cache, site: bytes, prints: dict[int, bytes], output: Path | None = None):
        self.path = cache.folder / "cache.sqlite"
        self.version, self.site, self.prints, self.output = cache.version, site, prints, output
        self.made: dict[bytes, bytes] = {}
        self._prefixes: dict[str, object] = {}
        self._previous: dict[str, Previous | None] = {}
        self._size = 0
        self.used: list[bytes] = []
        self._db: sqlite3.Connection | None = None
        self._pid = 0

    def _connection(self) -> sqlite3.Connection:
        if self._pid != os.getpid():
            self._db = sqlite3.connect(self.path, timeout=60, isolation_level=None)
            self._pid = os.getpid()
        return self._db

    def key(self, kind: str, item: object) -> bytes:
        """Return the key of an item's part: of what it shows besides its events (a day's id and
        gap; a citation's source), and of its events' entry keys, in order."""
        if isinstance(item, Event):  # one event's share of the feeds
            events, label = (item,), b""
        elif isinstance(item, Day):  # a day of the index or of a tag page, with the eras it is shown in
            eras = "\0".join(era.slug for era in item.eras) + "\0\0" + "\0".join(era.slug for era in item.opens)
            events, label = item.events, f"{item.id}\0{item.gap}\0{eras}".encode()
        else:  # a citation: its source, every field of it
            events, label = item.events, repr(_source_values(item.source)).encode("utf-8", "surrogatepass")
        prefix = self._prefixes.get(kind)
        if prefix is None:
            prefix = self._prefixes[kind] = hasher(self.version, "fragment", self.site, kind)
        # Two updates: the label, length first; the events' prints, all _DIGEST bytes long.
        h = prefix.copy()
        h.update(len(label).to_bytes(8, "little") + label)
        h.update(b"".join([self.prints[id(event)] for event in events]))
        return h.digest()

    def layout_key(self, name: str) -> bytes:
        """Return where the layout of the long file `name` of output/ is kept."""
        return digest(self.version, "layout", str(self.output), name)

    def _get(self, keys: list[bytes], decode: Callable[[bytes], Any] | None = None) -> dict[bytes, Any]:
        """Return the values kept under keys (decoded), each checked against its checksum."""
        found: dict[bytes, object] = {}
        try:
            for key, value in _checked_values(self._connection(), keys):
                try:
                    found[key] = value if decode is None else decode(value)
                except Exception:
                    pass
        except sqlite3.Error:
            found.clear()
        return found

    def fetch(self, kind: str, items: list, decode=None) -> list:
        """Return the kept part of each item, None where there is none (or it fails its checksum).

        decode: applied to each part as it is read (the raw bytes are let go at once); a part it
        raises on is None, made again.
        """
        keys = [self.key(kind, item) for item in items]
        self.used += keys
        found = self._get(keys, decode)
        return [found.get(key) for key in keys]

    def previous(self, name: str) -> Previous | None:
        """Return the long file `name` of output/ with where its parts lie, when its layout is
        kept and the file is as it was written; else None. Asked by the maker of the file and
        by its writer: the same answer to both."""
        if name not in self._previous:
            previous = None
            if self.output is not None:
                kept = self._get([self.layout_key(name)], loads).get(self.layout_key(name))
                try:
                    layout = Layout(*kept)
                    if type(layout.keys) is bytes and type(layout.spans) is bytes:
                        previous = layout.previous(self.output / name, _DIGEST)
                except Exception:  # no layout, or not one this version wrote
                    pass
            self._previous[name] = previous
        return self._previous[name]

    def reused(self, key: bytes, name: str) -> int | None:
        """Return the place of key's part in the file `name` of output/ (counted as used); None
        when the file does not hold it."""
        previous = self.previous(name)
        place = previous.find(key) if previous is not None else None
        if place is not None:
            self.used.append(key)
        return place

    def parts(self, kind: str, items: Sequence, make: Callable[[Any], bytes], name: str | None = None,
              at_once: int = 1000) -> Iterator[Part]:
        """Yield each item's part, in order, at_once items at a time: as the file `name` of output/
        holds it (no bytes: the writer copies it from there), else as the cache keeps it, else
        made by make (and kept)."""
        previous = self.previous(name) if name is not None else None
        for start in range(0, len(items), at_once):
            batch = items[start:start + at_once]
            keys = [self.key(kind, item) for item in batch]
            self.used += keys
            places = [previous.find(key) for key in keys] if previous is not None else [None] * len(keys)
            found = self._get([key for key, place in zip(keys, places) if place is None])
            for item, key, place in zip(batch, keys, places):
                if place is not None:
                    yield Part(key, None, place)
                    continue
                html = found.pop(key, None)
                if html is None:
                    html = make(item)
                    self._keep(key, html)
                yield Part(key, html)

    def record(self, name: str, layout: Layout | None) -> None:
        """Keep the layout of the long file `name` as just written, for the next build's splicing."""
        self._previous.pop(name, None)
        if layout is not None:
            self._keep(self.layout_key(name), dumps(tuple(layout)))

    def keep(self, kind: str, item: object, html: bytes) -> None:
        self._keep(self.key(kind, item), html)

    def _keep(self, key: bytes, html: bytes) -> None:
        self.made[key] = html
        self._size += len(html)
        if self._size > _PENDING_PART_BYTES:
            self.flush()

    def flush(self) -> None:
        """Write the parts made since the last flush into the cache file."""
        if self.made:
            try:
                _in_transaction(self._connection(), lambda db: _insert(db, self.made))  # or made again next time
            except sqlite3.Error:
                pass
            self.used += self.made.keys()
        self.made, self._size = {}, 0

    def fetch_values(self, kind: str, items: list) -> list[object | None]:
        """As fetch, for values kept with keep_value (plain tuples, strings, bytes and numbers)."""
        return self.fetch(kind, items, decode=loads)

    def keep_value(self, kind: str, item: object, value: object) -> None:
        self.keep(kind, item, dumps(value))
