"""Report stage: an analysis → the files of the output folder.

`tables.py` builds the coverage and summary tables, `spreadsheet.py` writes
them as CSV for spreadsheets, `html.py` renders report.html from its template.
"""

from __future__ import annotations

import json
from pathlib import Path

from ..i18n import DEFAULT_LANG
from ..types import Result
from .html import render_report
from .spreadsheet import write_csv
from .tables import ERROR_COLUMNS, coverage_matrix, summary_table


def write_outputs(folder: str | Path, result: Result, excel: bool = False, lang: str = DEFAULT_LANG) -> list[Path]:
    """Write the report files of an analysis into `folder` and return their paths;
    report.html is in `lang` (French by default), the CSV files' columns are the same in both."""
    folder = Path(folder)
    folder.mkdir(parents=True, exist_ok=True)
    tables = {
        "coverage.csv": result.coverage,
        "coverage_matrix.csv": coverage_matrix(result.coverage),
        "summary.csv": summary_table(result.coverage),
        "passages.csv": result.passages,
        "errors.csv": result.errors.reindex(columns=ERROR_COLUMNS),
    }
    written = []
    for name, table in tables.items():
        write_csv(table, folder / name, excel)
        written.append(folder / name)
    (folder / "run.json").write_text(json.dumps(result.run, ensure_ascii=False, indent=2) + "\n", "utf-8")
    (folder / "report.html").write_text(render_report(result, lang), "utf-8")
    return written + [folder / "run.json", folder / "report.html"]
