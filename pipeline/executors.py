"""Where the per-document tasks run: local worker processes (workers.py), or a Dask cluster.

Both map one function over a list of argument tuples and yield the results in
the input order, so that the reports are the same whichever ran them.
"""

from __future__ import annotations

import importlib.util
import os
from collections.abc import Callable, Generator, Sequence
from typing import TYPE_CHECKING, Any

from .errors import LeviersError
from .workers import LocalExecutor

if TYPE_CHECKING:
    from distributed import Client, LocalCluster

__all__ = ["DaskExecutor", "LocalExecutor"]


class DaskExecutor:
    """The tasks on a Dask cluster: `address` is a scheduler's (tcp://host:8786), or
    "local" for a LocalCluster of `jobs` single-threaded worker processes here.

    Workers read the files and the model by the paths they are given: on a cluster,
    both must be on a filesystem every worker mounts at the same path."""

    def __init__(self, address: str, jobs: int | None = None, processes: bool = True):
        if importlib.util.find_spec("distributed") is None:
            raise LeviersError("--dask needs Dask: pip install 'leviers[dask]'")
        self.address = address
        self.workers = max(1, jobs or os.cpu_count() or 1)  # of a LocalCluster
        self.processes = processes
        self.cluster: LocalCluster | None = None
        self.client: Client | None = None

    def start(self) -> None:
        self._connect()

    def _connect(self) -> Client:
        """Connect to the cluster, or start the LocalCluster: only once a document needs
        analysing, so that a re-run served from the cache pays for neither."""
        if self.client is not None:
            return self.client
        from distributed import Client, LocalCluster

        try:
            if self.address == "local":
                # One thread per worker: the PDF reader (pdfium) is not thread-safe.
                self.cluster = LocalCluster(n_workers=self.workers, threads_per_worker=1,
                                            processes=self.processes, dashboard_address=None)
                self.client = Client(self.cluster)
            else:
                self.client = Client(self.address, timeout="30s")
        except (OSError, TimeoutError) as exc:
            if self.cluster is not None:
                self.cluster.close()
                self.cluster = None
            raise LeviersError(f"cannot reach the Dask scheduler at {self.address} ({exc})") from exc
        return self.client

    def describe(self) -> str:
        if self.client is not None:
            workers = len(self.client.scheduler_info().get("workers", {}))
        elif self.address == "local":
            workers = self.workers  # the LocalCluster it would have started
        else:
            return f"dask {self.address}, not contacted: nothing to analyse"
        return f"dask {self.address}, {workers} worker{'s' if workers != 1 else ''}"

    def map(self, fn: Callable, items: Sequence[tuple], on_crash: Callable[[tuple], Any]) -> Generator[Any, None, None]:
        if not items:
            return
        from distributed import KilledWorker

        client = self._connect()
        columns = [list(column) for column in zip(*items)]
        futures = client.map(fn, *columns, pure=False)
        try:
            for args, future in zip(items, futures):
                try:
                    yield future.result()
                except KilledWorker:
                    yield on_crash(args)
                future.release()
        finally:
            client.cancel(futures)

    def close(self) -> None:
        if self.client is not None:
            self.client.close()
        if self.cluster is not None:
            self.cluster.close()
