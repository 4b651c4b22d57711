"""Where the per-document tasks run: local worker processes, or a Dask cluster.

Both map one function over a list of argument tuples and yield the results in
the input order, so that the reports are the same whichever ran them. A task
that kills its worker (a reader crashing on a damaged file) gives `on_crash`'s
result for that input alone; an exception a task raises is the tool's failure
(no model, no spaCy) and stops the run.
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
    """`jobs` worker processes of this machine (default: one per core)."""

    def __init__(self, jobs: int | None = None):
        self.jobs = max(1, jobs or os.cpu_count() or 1)
        self.pool = None
        self.preload: list[str] | None = None  # the caller's fork server preload list, given back at close

    def _pool(self, jobs: int):
        if self.preload is None:
            from multiprocessing import forkserver

            server = getattr(forkserver, "_forkserver", None)
            self.preload = list(getattr(server, "_preload_modules", ["__main__"]))
        return _pool(jobs)

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
                    pool, result = _next_result(window, pool, jobs, fn, on_crash)
                    yield result
            while window:
                pool, result = _next_result(window, pool, jobs, fn, on_crash)
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
    interrupted run would wait for it), then forgotten as extract's is."""
    import signal
    from multiprocessing import forkserver

    from .extract import _stop_fork_server as forget

    pid = getattr(getattr(forkserver, "_forkserver", None), "_forkserver_pid", None)
    if pid:
        try:
            os.kill(pid, signal.SIGKILL)
        except OSError:
            pass
    forget(preload)


def _pool(jobs: int):
    import multiprocessing
    from concurrent.futures import ProcessPoolExecutor

    # A fork server starts once per run with the stages imported and spaCy loaded,
    # then forks workers from itself: quick to start (a renewed worker costs no
    # reload), and free of the caller's threads and memory, unlike a plain fork.
    context = multiprocessing.get_context("forkserver")
    context.set_forkserver_preload(PRELOAD)
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


def _next_result(window: deque, pool, jobs: int, fn: Callable, on_crash: Callable[[tuple], Any]):
    from concurrent.futures.process import BrokenProcessPool

    args, future = window.popleft()
    try:
        return pool, future.result()
    except BrokenProcessPool:
        # Some task in flight killed its worker: retry this one alone, and the
        # others in a new pool.
        pool.shutdown(cancel_futures=True)
        pool = _pool(jobs)
        for i, (other, _) in enumerate(window):
            window[i] = (other, _submit(pool, fn, other))
        with _pool(1) as alone:
            try:
                return pool, _submit(alone, fn, args).result()
            except BrokenProcessPool:
                pass
        # Blame the file only if a worker that analyses nothing survives.
        with _pool(1) as check:
            try:
                check.submit(_alive).result()
            except BrokenProcessPool as exc:
                pool.shutdown(cancel_futures=True)
                raise LeviersError("the processes that analyse the files crash as they start: "
                                   "leviers cannot run here") from exc
        return pool, on_crash(args)


def _alive() -> bool:
    return True


class DaskExecutor:
    """The tasks on a Dask cluster: `address` is a scheduler's (tcp://host:8786), or
    "local" for a LocalCluster of `jobs` single-threaded worker processes here.

    Workers read the files and the model by the paths they are given: on a cluster,
    both must be on a filesystem every worker mounts at the same path."""

    def __init__(self, address: str, jobs: int | None = None, processes: bool = True):
        try:
            from distributed import Client, LocalCluster
        except ImportError as exc:
            raise LeviersError("--dask needs Dask: pip install 'leviers[dask]'") from exc
        self.address = address
        self.cluster = None
        try:
            if address == "local":
                # One thread per worker: the PDF reader (pdfium) is not thread-safe.
                self.cluster = LocalCluster(n_workers=max(1, jobs or os.cpu_count() or 1), threads_per_worker=1,
                                            processes=processes, dashboard_address=None)
                self.client = Client(self.cluster)
            else:
                self.client = Client(address, timeout="30s")
        except (OSError, TimeoutError) as exc:
            if self.cluster is not None:
                self.cluster.close()
            raise LeviersError(f"cannot reach the Dask scheduler at {address} ({exc})") from exc

    def start(self) -> None:
        pass

    def describe(self) -> str:
        workers = len(self.client.scheduler_info().get("workers", {}))
        return f"dask {self.address}, {workers} worker{'s' if workers != 1 else ''}"

    def map(self, fn: Callable, items: Sequence[tuple], on_crash: Callable[[tuple], Any]) -> Generator[Any, None, None]:
        from distributed import KilledWorker

        if not items:
            return
        columns = [list(column) for column in zip(*items)]
        futures = self.client.map(fn, *columns, pure=False)
        try:
            for args, future in zip(items, futures):
                try:
                    yield future.result()
                except KilledWorker:
                    yield on_crash(args)
                future.release()
        finally:
            self.client.cancel(futures)

    def close(self) -> None:
        self.client.close()
        if self.cluster is not None:
            self.cluster.close()
