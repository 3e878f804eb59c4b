"""Both cores for the costly stages: a function mapped over items in forked worker processes.

Parsing Markdown and rendering templates hold Python's lock, so threads would
not help; processes do. Workers are forked, so they start with the build's
state (settings, theme, timeline) as it is, and only the items and results
cross between processes. A caller with threads of its own (`serve`: its server
and watcher, which a fork would copy mid-step) has its workers forked by a fork
server instead, a process of one thread started for it: the function then
crosses too, so it must be one pickle can name. Small jobs or one core run in
this process, with the very same function, so the output never depends on
which way ran.
"""

from __future__ import annotations

import os
from dataclasses import dataclass
from typing import TYPE_CHECKING, Callable, Iterable, Iterator, Sequence, TypeVar

if TYPE_CHECKING:
    from multiprocessing.pool import Pool

T = TypeVar("T")
R = TypeVar("R")

_function: Callable | None = None  # the job of the pool being forked; workers inherit it


def worker_count(wanted: int | None = None) -> int:
    """Return how many processes a build may use: wanted (CHRONICLE_WORKERS, read by the command
    line into Options.workers), else the cores it may run on."""
    if wanted is not None and wanted > 0:
        return wanted
    try:
        return len(os.sched_getaffinity(0))
    except AttributeError:  # not Linux
        return os.cpu_count() or 1


def tasks_of(count: int, processes: int) -> int:
    """Return how many items to give a worker at a time: enough that a task's own cost (its pickles,
    the pool's hand-overs: about half a millisecond) is small beside its items', and at least eight
    tasks a process, so that they all end together. 10,000 entries read by two fork-server workers:
    2.67 s 16 at a time, 2.40 s 256 at a time."""
    return max(16, min(256, count // (8 * processes)))


def _usable_workers(count: int, least: int, wanted: int | None = None, method: str = "fork") -> int:
    """Return how many processes to fork for count items; below 2, run here."""
    import multiprocessing  # loaded when there is work to share (a warm build has none)

    if count < least or method not in multiprocessing.get_all_start_methods():
        return 1
    return min(worker_count(wanted), count)


def _call(item):
    return _function(item)


def _may_fork(processes: int) -> bool:
    """Whether to fork ahead (fork_ahead, fork_call): processes to share the work, and no thread in
    this one, which a fork would copy mid-step."""
    import threading

    return processes >= 2 and threading.active_count() == 1


@dataclass(frozen=True)
class Forked:
    """Worker processes forked ahead of the map_items that will use them (fork_ahead)."""

    pool: Pool
    processes: int

    def close(self) -> None:
        """End the workers (idempotent): they are idle once their map_items has yielded everything."""
        self.pool.terminate()


def fork_ahead(count: int, least: int, wanted: int | None = None) -> Forked | None:
    """Fork now the workers of a map_items of count items to come, for a caller about to start
    threads (serve, whose server and watcher a later fork would copy mid-step): forked while
    this process has one thread, they start with all it has loaded, where a fork server's must
    be started and load it first (1,000 entries read anew: 0.14 s). Return None where that map
    would run in this process, or this process already has threads; the caller closes them."""
    import multiprocessing
    import signal

    processes = _usable_workers(count, least, wanted)
    if not _may_fork(processes):
        return None
    # Ctrl-C reaches the workers too: theirs is ignored, the caller's stops it and closes them.
    pool = multiprocessing.get_context("fork").Pool(processes, signal.signal, (signal.SIGINT, signal.SIG_IGN))
    return Forked(pool, processes)


class Ahead:
    """A function's result, computed by a process forked when it was asked for (fork_call) while
    this one does other work; read once, by result, or let go by close."""

    def __init__(self, pid: int, pipe: int):
        self._pid, self._pipe = pid, pipe

    def result(self) -> object | None:
        """Wait for the result and return it: None if the process failed (or result came before)."""
        import pickle

        if self._pipe < 0:
            return None
        with os.fdopen(self._pipe, "rb") as pipe:
            self._pipe = -1
            data = pipe.read()
        _, status = os.waitpid(self._pid, 0)
        # A pickle made by this process's own fork, with this process's code: not data from outside.
        return pickle.loads(data) if status == 0 and data else None

    def close(self) -> None:
        """Stop the process if its result was not read (idempotent)."""
        import signal

        if self._pipe >= 0:
            os.close(self._pipe)
            self._pipe = -1
            os.kill(self._pid, signal.SIGKILL)
            os.waitpid(self._pid, 0)


def fork_call(function: Callable[[], object], wanted: int | None = None) -> Ahead | None:
    """Fork a process that computes function() while this one goes on; its result is read by the
    returned Ahead's result. None where the process would have no core of its own (wanted: the
    processes a build may use) or this process has threads (a fork copies them mid-step)."""
    import pickle

    if not _may_fork(worker_count(wanted)):
        return None
    read, write = os.pipe()
    pid = os.fork()
    if pid == 0:  # the child: its result down the pipe, then out, running none of the parent's exit handlers
        status = 1
        try:
            os.close(read)
            with os.fdopen(write, "wb") as pipe:
                pipe.write(pickle.dumps(function(), protocol=pickle.HIGHEST_PROTOCOL))
            status = 0
        finally:
            os._exit(status)
    os.close(write)
    return Ahead(pid, read)


def map_items(function: Callable[[T], R], items: Sequence[T], least: int = 2, ordered: bool = True,
              chunk: int | None = 1, fork: bool | str | Forked = True, meanwhile: Iterable[R] = (),
              workers: int | None = None) -> Iterator[R]:
    """Yield function(item) for each item, computed by worker processes when that pays.

    Results come in the items' order, or as they are done (ordered=False), each
    as soon as it is made, so the caller can use it and let it go: a site is
    never held in memory whole. least: the number of items below which forking
    costs more than it saves; chunk: items sent to a worker at a time (None: as many as
    tasks_of finds for the processes started); fork:
    False for a caller that must stay one process, "forkserver" for one with
    threads (then function must pickle: a module's function, or an instance of
    a module's class), or the Forked workers of fork_ahead (the same: left open for
    their owner to close); meanwhile: results the caller already has, yielded first,
    once the workers have started (the caller's work on them overlaps theirs);
    workers: how many processes at most (Options.workers; None: one per core).
    """
    import multiprocessing

    global _function
    if isinstance(fork, Forked):
        if len(items) >= least:
            yield from _pooled(fork.pool, fork.processes, function, items, ordered, chunk, meanwhile)
            return
        fork = False
    method = fork if isinstance(fork, str) else "fork"
    processes = _usable_workers(len(items), least, workers, method) if fork else 1
    if processes < 2:
        yield from meanwhile
        yield from map(function, items)
        return
    context = multiprocessing.get_context(method)
    if method == "fork":  # the workers inherit the function; else it goes to them by pickle
        _function, function = function, _call
    elif method == "forkserver":  # its module imported once, by the server, not by each worker
        context.set_forkserver_preload([function.__module__])
    try:
        with context.Pool(processes) as pool:
            yield from _pooled(pool, processes, function, items, ordered, chunk, meanwhile)
    finally:
        _function = None


def _pooled(pool: Pool, processes: int, function: Callable[[T], R], items: Sequence[T], ordered: bool,
            chunk: int | None, meanwhile: Iterable[R]) -> Iterator[R]:
    chunksize = chunk or tasks_of(len(items), processes)
    mapped = (pool.imap if ordered else pool.imap_unordered)(function, items, chunksize=chunksize)
    yield from meanwhile
    yield from mapped
