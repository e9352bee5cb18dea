"""One pure text pass over many texts, spread over the cores this process may use.

The name rules are word-by-word Python and hold the interpreter's lock, so on one core an
import of ten thousand articles spends most of its time proposing people. The rules touch
no database, which makes them safe to run in other processes: :class:`TextPass` hands the
texts to a pool of worker processes as soon as they are known and gives the answers back in
order, while the process that asked goes on with its own work (saving the articles).

Workers are started with ``spawn``: a fresh interpreter that imports only what the pass
needs, never a copy of a process holding database connections, locks or threads. They are
stopped, whatever they were doing, when the pass ends: its answers all read, an error, a
refused import or a signal to the job. A worker that outlives a killed parent finds its
queue closed and exits.
"""

from __future__ import annotations

import multiprocessing
import os
import signal
from collections.abc import Callable, Iterator, Sequence

# Below this many texts, starting processes (about a tenth of a second each) costs more
# than it saves; the pass then runs here, in order, as it would with one process.
MIN_TEXTS = 200
# Texts a worker is given at a time: few enough to keep every core busy to the end, many
# enough that handing them over costs little beside the rules.
CHUNK = 25

_function: Callable | None = None


def usable_cores() -> int:
    """The cores this process may run on (its affinity, not the machine's count)."""
    try:
        return len(os.sched_getaffinity(0))
    except AttributeError:  # not on Linux
        return os.cpu_count() or 1


def _install(function: Callable) -> None:
    """A worker's start: the pass's function, given once rather than with every chunk.
    A terminal's Ctrl-C reaches every process of the group; the parent decides."""
    global _function
    _function = function
    signal.signal(signal.SIGINT, signal.SIG_IGN)


def _apply(text):
    return _function(text)


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
        self.processes = max(1, min(wanted, len(texts) // CHUNK or 1))
        if len(texts) < MIN_TEXTS:
            self.processes = 1
        self._pool = None
        self._answers: Iterator | None = None

    @property
    def parallel(self) -> bool:
        return self.processes > 1

    def __enter__(self) -> TextPass:
        if self.parallel:
            context = multiprocessing.get_context("spawn")
            self._pool = context.Pool(self.processes, _install, (self.function,))
            self._answers = self._pool.imap(_apply, self.texts, chunksize=CHUNK)
        else:
            self._answers = map(self.function, self.texts)
        return self

    def __iter__(self) -> Iterator:
        if self._answers is None:
            raise RuntimeError("TextPass is iterated inside its with block")
        return self._answers

    def __exit__(self, *exc_info) -> None:
        if self._pool is not None:
            self._pool.terminate()
            self._pool.join()
            self._pool = None
        self._answers = None
