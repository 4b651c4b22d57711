"""Local worker processes that map one function over argument tuples, results in input order.

Workers are forked from a server that imports a preload list once, and renewed
now and then, so that memory stays bounded. A task that kills its worker (a
reader crashing on a damaged file) gives `on_crash`'s result for that input
alone; an exception a task raises stops the run. The analysis runs its
per-document tasks here (executors.py), and extraction alone its reader.
"""

from __future__ import annotations

import os
from collections import deque
from collections.abc import Callable, Generator, Sequence
from typing import Any

from .errors import LeviersError

TASKS_PER_WORKER = 200  # then a new worker: memory stays bounded however many files
# Imported once by the fork server, before it forks the workers: they start with
# spaCy, scikit-learn and the readers imported and spaCy's French pipeline loaded.
# `extract.worker` keeps the workers from running the caller's script again (see there).
PRELOAD = ["pipeline.extract.worker", "pipeline.preload"]


class LocalExecutor:
    """`jobs` worker processes of this machine (default: one per core), forked from a
    server that has imported `preload` (by default the stages, with spaCy loaded)."""

    def __init__(self, jobs: int | None = None, preload: Sequence[str] = PRELOAD):
        self.jobs = max(1, jobs or os.cpu_count() or 1)
        self.modules = list(preload)
        self.pool = None
        self.preload: list[str] | None = None  # the caller's fork server preload list, given back at close

    def _pool(self, jobs: int):
        if self.preload is None:
            from multiprocessing import forkserver

            server = getattr(forkserver, "_forkserver", None)
            self.preload = list(getattr(server, "_preload_modules", ["__main__"]))
        return _pool(jobs, self.modules)

    def describe(self) -> str:
        return f"local, {self.jobs} process{'es' if self.jobs > 1 else ''}"

    def start(self) -> None:
        """Start the workers now (they take seconds to load), while the caller does other work."""
        if self.pool is None:
            self.pool = self._pool(self.jobs)
            for _ in range(self.jobs):
                _submit(self.pool, _alive, ())

    def map(self, fn: Callable, items: Sequence[tuple], on_crash: Callable[[tuple], Any]) -> Generator[Any, None, None]:
        if not items:
            return
        jobs = self.jobs if self.pool else min(self.jobs, len(items))
        pool, self.pool = self.pool or self._pool(jobs), None
        window: deque = deque()
        completed = False
        try:
            for args in items:
                window.append((args, _submit(pool, fn, args)))
                if len(window) >= 2 * jobs:
                    pool, result = _next_result(window, pool, jobs, fn, on_crash, self.modules)
                    yield result
            while window:
                pool, result = _next_result(window, pool, jobs, fn, on_crash, self.modules)
                yield result
            completed = True
        finally:
            _shutdown(pool, hurry=not completed)

    def close(self) -> None:
        """The workers and the fork server go with the run (a library's caller is
        left with its processes as they were)."""
        if self.pool is not None:  # started, never used: the run stopped before
            _shutdown(self.pool, hurry=True)
            self.pool = None
        if self.preload is not None:
            _stop_fork_server(self.preload)
            self.preload = None


def _stop_fork_server(preload: list[str]) -> None:
    """The fork server ends now: killed, for it may still be loading spaCy (an
    interrupted run would wait for it); and the caller's preload list comes back:
    our workers skip the caller's script (see extract/worker.py), which the
    caller's own processes, started later, must not."""
    import signal
    from multiprocessing import forkserver

    server = getattr(forkserver, "_forkserver", None)
    pid = getattr(server, "_forkserver_pid", None)
    if pid:
        try:
            os.kill(pid, signal.SIGKILL)
        except OSError:
            pass
    if server is not None and hasattr(server, "_stop"):
        server._stop()
        server._preload_modules = preload


def _pool(jobs: int, preload: Sequence[str] = PRELOAD):
    import multiprocessing
    from concurrent.futures import ProcessPoolExecutor

    # A fork server starts once per run with the stages imported and spaCy loaded,
    # then forks workers from itself: quick to start (a renewed worker costs no
    # reload), and free of the caller's threads and memory, unlike a plain fork.
    context = multiprocessing.get_context("forkserver")
    context.set_forkserver_preload(list(preload))
    return ProcessPoolExecutor(jobs, mp_context=context, max_tasks_per_child=TASKS_PER_WORKER,
                               initializer=_use_environment, initargs=(dict(os.environ),))


def _shutdown(pool, hurry: bool) -> None:
    """Stop the workers: when the run is interrupted (Ctrl-C, SIGTERM, an error),
    at once, without waiting for the documents they are analysing."""
    if hurry:
        for process in list((getattr(pool, "_processes", None) or {}).values()):
            process.terminate()
    pool.shutdown(wait=not hurry, cancel_futures=True)


def _use_environment(environment: dict[str, str]) -> None:
    """In a worker: the caller's environment as it is now, not as it was when
    the fork server started (PATH decides whether Tesseract is found)."""
    os.environ.clear()
    os.environ.update(environment)


def _submit(pool, fn: Callable, args: tuple):
    try:
        return pool.submit(fn, *args)
    except (OSError, RuntimeError) as exc:  # BrokenProcessPool is a RuntimeError
        raise LeviersError(f"cannot start the processes that analyse the files ({exc}): "
                           "leviers cannot run here") from exc


def _next_result(window: deque, pool, jobs: int, fn: Callable, on_crash: Callable[[tuple], Any],
                 preload: Sequence[str]):
    from concurrent.futures.process import BrokenProcessPool

    args, future = window.popleft()
    try:
        return pool, future.result()
    except BrokenProcessPool:
        # Some task in flight killed its worker: retry this one alone, and the
        # others in a new pool.
        pool.shutdown(cancel_futures=True)
        pool = _pool(jobs, preload)
        for i, (other, _) in enumerate(window):
            window[i] = (other, _submit(pool, fn, other))
        with _pool(1, preload) as alone:
            try:
                return pool, _submit(alone, fn, args).result()
            except BrokenProcessPool:
                pass
        # Blame the file only if a worker that analyses nothing survives.
        with _pool(1, preload) as check:
            try:
                check.submit(_alive).result()
            except BrokenProcessPool as exc:
                pool.shutdown(cancel_futures=True)
                raise LeviersError("the processes that analyse the files crash as they start: "
                                   "leviers cannot run here") from exc
        return pool, on_crash(args)


def _alive() -> bool:
    return True


