"""Report stage: an analysis → the files of the output folder.

`tables.py` builds the coverage and summary tables, `spreadsheet.py` writes
them as CSV for spreadsheets, `html.py` renders report.html from its template.
"""

from __future__ import annotations

import functools
import json
import os
import shutil
import signal
import tempfile
import threading
from collections.abc import Callable, Iterator
from contextlib import contextmanager
from pathlib import Path

from ..i18n import DEFAULT_LANG
from ..types import Result
from .html import render_report
from .spreadsheet import write_csv
from .tables import ERROR_COLUMNS, coverage_matrix, summary_table

REPORT_FILES = ("coverage.csv", "coverage_matrix.csv", "summary.csv", "passages.csv", "errors.csv",
                "run.json", "report.html")


def write_outputs(folder: str | Path, result: Result, excel: bool = False, lang: str = DEFAULT_LANG) -> list[Path]:
    """Write the report files of an analysis into `folder` and return their paths;
    report.html is in `lang` (French by default), the CSV files' columns are the same in both.

    The files are written in a temporary folder beside it, then moved into
    place together with the signals that stop a run held back: an interrupted
    run leaves the previous run's complete files, never a mix or a part."""
    folder = Path(folder)
    folder.mkdir(parents=True, exist_ok=True)
    tables = {
        "coverage.csv": result.coverage,
        "coverage_matrix.csv": coverage_matrix(result.coverage),
        "summary.csv": summary_table(result.coverage),
        "passages.csv": result.passages,
        "errors.csv": result.errors.reindex(columns=ERROR_COLUMNS),
    }
    writers: dict[str, Callable[[Path], object]] = {
        name: functools.partial(_write_table, table, excel=excel) for name, table in tables.items()
    }
    writers["run.json"] = functools.partial(_write_text, json.dumps(result.run, ensure_ascii=False, indent=2) + "\n")
    writers["report.html"] = functools.partial(_write_text, render_report(result, lang))
    # In the same folder as the target, so that each move is a rename on one file system.
    staging = Path(tempfile.mkdtemp(prefix=".leviers-", dir=folder))
    try:
        for name, write in writers.items():
            write(staging / name)
            with (staging / name).open("rb") as handle:
                os.fsync(handle.fileno())
        with _signals_held():
            for name in REPORT_FILES:
                os.replace(staging / name, folder / name)
    finally:
        shutil.rmtree(staging, ignore_errors=True)
    return [folder / name for name in REPORT_FILES]


def _write_table(table, path: Path, excel: bool) -> None:
    write_csv(table, path, excel)


def _write_text(text: str, path: Path) -> None:
    path.write_text(text, "utf-8")


@contextmanager
def _signals_held() -> Iterator[None]:
    """SIGINT and SIGTERM wait until the block is done (it only renames files)."""
    if not hasattr(signal, "pthread_sigmask") or threading.current_thread() is not threading.main_thread():
        yield
        return
    stopping = {signal.SIGINT, signal.SIGTERM}
    previous = signal.pthread_sigmask(signal.SIG_BLOCK, stopping)
    try:
        yield
    finally:
        signal.pthread_sigmask(signal.SIG_SETMASK, previous)
