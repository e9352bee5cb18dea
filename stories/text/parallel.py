"""One pure text pass over many texts, spread over the cores this process may use.

The name rules are word-by-word Python and hold the interpreter's lock, so on one core an
import of ten thousand articles spends most of its time proposing people. The rules touch
no database, which makes them safe to run in other processes: :class:`TextPass` hands the
texts to worker processes as soon as they are known and gives the answers back in order,
while the process that asked goes on with its own work (saving the articles).

Workers are started with ``spawn``: a fresh interpreter that imports only what the pass
needs, never a copy of a process holding database connections, locks or threads. The pass
never waits on a worker that is gone: where workers cannot start, or one dies (killed, out
of memory, or a main script that starts an import on being imported again), the texts not
answered yet are done in this process, with a warning in the log. Leaving the pass cancels
what the workers have not begun; a worker whose parent was killed notices within half a
second and exits.
"""

from __future__ import annotations

import logging
import multiprocessing
import os
import signal
import threading
import time
from collections.abc import Callable, Iterator, Sequence
from concurrent.futures import ProcessPoolExecutor
from concurrent.futures.process import BrokenProcessPool

# Below this many texts, starting processes (about a tenth of a second each) costs more
# than it saves; the pass then runs here, in order, as it would with one process.
MIN_TEXTS = 200
# Texts a worker is given at a time: few enough to keep every core busy to the end, many
# enough that handing them over costs little beside the rules.
CHUNK = 25
# How often, in seconds, a worker looks whether the process that started it is still there.
ORPHAN_CHECK = 0.5

_function: Callable | None = None
logger = logging.getLogger(__name__)


def usable_cores() -> int:
    """The cores this process may run on (its affinity, not the machine's count)."""
    try:
        return len(os.sched_getaffinity(0))
    except AttributeError:  # not on Linux
        return os.cpu_count() or 1


def _install(function: Callable, parent: int) -> None:
    """A worker's start: the pass's function, given once rather than with every chunk.
    A terminal's Ctrl-C reaches every process of the group; the parent decides. A worker
    waiting for work would wait for ever once its parent is killed (its queue stays open),
    so it watches for that and leaves."""
    global _function
    _function = function
    signal.signal(signal.SIGINT, signal.SIG_IGN)
    threading.Thread(target=_leave_when_orphaned, args=(parent,), daemon=True).start()


def _leave_when_orphaned(parent: int) -> None:
    while os.getppid() == parent:
        time.sleep(ORPHAN_CHECK)
    os._exit(1)


def _apply(text):
    return _function(text)


def _start_pool(processes: int, function: Callable) -> ProcessPoolExecutor:
    return ProcessPoolExecutor(
        processes,
        mp_context=multiprocessing.get_context("spawn"),
        initializer=_install,
        initargs=(function, os.getpid()),
    )


class TextPass:
    """``function(text)`` for each of ``texts``, in order, computed by ``processes`` worker
    processes (every usable core when None; 1 or fewer texts than :data:`MIN_TEXTS` runs it
    in this process). ``function`` must be picklable: a module-level function, or a bound
    method of a picklable object holding what the rules consult.

    Use it as a context manager: entering starts the workers on every text at once, and
    iterating gives the answers as they come, in the order of ``texts``::

        with TextPass(desk.propose, bodies) as answers:
            save_articles()       # the workers read meanwhile
            for answer in answers:
                ...
    """

    def __init__(self, function: Callable, texts: Sequence, *, processes: int | None = None):
        self.function, self.texts = function, texts
        wanted = usable_cores() if processes is None else processes
        enough = len(texts) >= MIN_TEXTS
        self.processes = max(1, min(wanted, len(texts) // CHUNK)) if enough else 1
        self._pool: ProcessPoolExecutor | None = None
        self._pending: Iterator | None = None
        self._entered = False

    @property
    def parallel(self) -> bool:
        return self.processes > 1

    def __enter__(self) -> TextPass:
        self._entered = True
        if self.parallel:
            try:
                self._pool = _start_pool(self.processes, self.function)
                self._pending = self._pool.map(_apply, self.texts, chunksize=CHUNK)
            except OSError as error:  # no processes to be had (a process limit, say)
                self._fall_back(error)
        return self

    def __iter__(self) -> Iterator:
        if not self._entered:
            raise RuntimeError("TextPass is iterated inside its with block")
        return self._answers()

    def _answers(self) -> Iterator:
        done = 0
        if self._pending is not None:
            try:
                for answer in self._pending:
                    yield answer
                    done += 1
            except BrokenProcessPool as error:
                self._fall_back(error)
        yield from map(self.function, self.texts[done:])

    def _fall_back(self, error: Exception) -> None:
        logger.warning(
            "Text pass of %d texts goes on in one process: its workers %s (%s)",
            len(self.texts),
            "stopped" if self._pending is not None else "could not start",
            error,
        )
        self._close()
        self.processes = 1

    def _close(self) -> None:
        if self._pool is not None:
            self._pool.shutdown(wait=True, cancel_futures=True)
        self._pool = self._pending = None

    def __exit__(self, *exc_info) -> None:
        self._close()
        self._entered = False
