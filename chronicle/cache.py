"""The build cache: what earlier builds read and rendered, kept in .chronicle-cache/ for the next.

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
import pickle
import sqlite3
import sys
from pathlib import Path
from typing import Iterable
from zoneinfo import ZoneInfo

from .dates import Precision

CACHE_DIR = ".chronicle-cache"
_SCHEMA = 1
_DIGEST = 20


def digest(*parts: bytes | str) -> bytes:
    """Return a key for parts, each length-prefixed so that ('ab', 'c') ≠ ('a', 'bc')."""
    h = hashlib.blake2b(digest_size=_DIGEST)
    for part in parts:
        data = part.encode("utf-8", "surrogatepass") if isinstance(part, str) else part
        h.update(len(data).to_bytes(8, "little"))
        h.update(data)
    return h.digest()


def code_version() -> bytes:
    """Return a digest of Chronicle's own code: a new release, or any edit to it, is a new cache."""
    package = Path(__file__).resolve().parent
    parts: list[bytes] = [str(_SCHEMA).encode(), sys.version.encode()]
    for path in sorted(package.glob("*.py")):
        parts += [path.name.encode(), path.read_bytes()]
    return digest(*parts)


# What a cached value may be made of: the model's types and the standard values they hold.
_ALLOWED = {
    ("builtins", name) for name in ("dict", "list", "tuple", "set", "frozenset", "str", "bytes", "int", "float",
                                    "bool", "complex", "NoneType")
} | {
    ("datetime", "datetime"), ("datetime", "date"), ("datetime", "time"), ("datetime", "timedelta"),
    ("datetime", "timezone"), ("zoneinfo", "ZoneInfo"),
    ("chronicle.model", "_event"), ("chronicle.model", "Source"), ("chronicle.dates", "When"),
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


class Cache:
    """Values by key in one SQLite file; `hits` and `misses` count this build's lookups."""

    def __init__(self, folder: Path):
        self.folder = folder
        self.version = code_version()
        self.hits = 0
        self.misses = 0
        self._db: sqlite3.Connection | None = None
        self._pending: dict[bytes, bytes] = {}
        self._used: set[bytes] = set()
        self._open()

    def _open(self) -> None:
        path = self.folder / "cache.sqlite"
        for attempt in range(2):
            try:
                self.folder.mkdir(parents=True, exist_ok=True)
                db = sqlite3.connect(path, timeout=60, isolation_level=None)
                db.execute("PRAGMA journal_mode=WAL")
                db.execute("PRAGMA synchronous=NORMAL")
                db.execute("CREATE TABLE IF NOT EXISTS blobs (key BLOB PRIMARY KEY, sum BLOB, value BLOB) WITHOUT ROWID")
                db.execute("SELECT count(*) FROM blobs WHERE key = x'00'").fetchone()
                self._db = db
                return
            except sqlite3.DatabaseError:
                # Not a database (a broken or foreign file): start a new one, once.
                if attempt == 0:
                    for stale in self.folder.glob("cache.sqlite*"):
                        stale.unlink(missing_ok=True)
            except OSError:
                break  # a read-only or missing place: build without a cache
        self._db = None

    @property
    def enabled(self) -> bool:
        return self._db is not None

    def key(self, kind: str, *parts: bytes | str) -> bytes:
        return digest(self.version, kind, *parts)

    def get_many(self, keys: Iterable[bytes]) -> dict[bytes, bytes]:
        """Return the values found for keys, each checked against its checksum."""
        keys = list(keys)
        self._used.update(keys)
        found: dict[bytes, bytes] = {}
        if self._db is not None and keys:
            try:
                for start in range(0, len(keys), 500):
                    chunk = keys[start:start + 500]
                    marks = ",".join("?" * len(chunk))
                    for key, checksum, value in self._db.execute(
                            f"SELECT key, sum, value FROM blobs WHERE key IN ({marks})", chunk):
                        if checksum == hashlib.blake2b(value, digest_size=16).digest():
                            found[key] = value
            except sqlite3.DatabaseError:
                found.clear()
                self._db = None
        self.hits += len(found)
        self.misses += len(keys) - len(found)
        return found

    def put(self, key: bytes, value: bytes) -> None:
        """Keep a value, written to the file when the build is done (save)."""
        self._used.add(key)
        self._pending[key] = value

    def save(self) -> None:
        """Write what this build added, and drop what no build used for a while."""
        if self._db is None:
            return
        try:
            self._db.execute("BEGIN")
            self._db.executemany(
                "INSERT OR REPLACE INTO blobs VALUES (?, ?, ?)",
                ((key, hashlib.blake2b(value, digest_size=16).digest(), value) for key, value in self._pending.items()),
            )
            (count,) = self._db.execute("SELECT count(*) FROM blobs").fetchone()
            if count > 2 * len(self._used) + 1000:
                # Old versions of entries pile up as authors edit: keep only what this build used.
                self._db.execute("CREATE TEMP TABLE IF NOT EXISTS used (key BLOB PRIMARY KEY) WITHOUT ROWID")
                self._db.execute("DELETE FROM used")
                self._db.executemany("INSERT OR IGNORE INTO used VALUES (?)", ((k,) for k in self._used))
                self._db.execute("DELETE FROM blobs WHERE key NOT IN (SELECT key FROM used)")
            self._db.execute("COMMIT")
        except sqlite3.Error:
            try:
                self._db.execute("ROLLBACK")
            except sqlite3.Error:
                pass
        self._pending.clear()

    def close(self) -> None:
        if self._db is not None:
            self._db.close()
            self._db = None
