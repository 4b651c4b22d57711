"""Where the per-document tasks run: local worker processes (workers.py), or a Dask cluster.

Both map one function over a list of argument tuples and yield the results in
the input order, so that the reports are the same whichever ran them.
"""

from __future__ import annotations

import os
from collections.abc import Callable, Generator, Sequence
from typing import Any

from .errors import LeviersError
from .workers import LocalExecutor

__all__ = ["DaskExecutor", "LocalExecutor"]


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
