"""CSV files that spreadsheets open safely, and read back as they were written.

French Excel expects ';' between cells and decimal commas, and garbles accents
without a byte-order mark; a cell that starts like a formula is neutralised.
"""

from __future__ import annotations

import re
from pathlib import Path

import pandas as pd
from pandas.api.types import is_numeric_dtype

# A spreadsheet reads a cell that starts with one of these as a formula; tab and
# carriage return are on OWASP's list too, because some spreadsheets skip them.
FORMULA_STARTS = ("=", "+", "-", "@", "\t", "\r")
_NEUTRALISED = re.compile("^'(?=[" + re.escape("".join(FORMULA_STARTS)) + "])")


def spreadsheet_safe(table: pd.DataFrame) -> pd.DataFrame:
    """A copy in which no text cell can start a formula: those that could get a leading apostrophe."""

    def neutralise(value):
        return "'" + value if isinstance(value, str) and value.startswith(FORMULA_STARTS) else value

    safe = table.copy()
    for column in safe.columns:
        if not is_numeric_dtype(safe[column]):
            safe[column] = safe[column].map(neutralise)
    return safe


def write_csv(table: pd.DataFrame, path: str | Path, excel: bool = False) -> None:
    """Write a table as UTF-8 with a byte-order mark, without which Excel garbles
    accents; `excel` switches to the ';' separator and decimal commas of French Excel."""
    spreadsheet_safe(table).to_csv(
        path, index=False, encoding="utf-8-sig", sep=";" if excel else ",", decimal="," if excel else "."
    )


def unguarded(text: str) -> str:
    """A text cell as it was before the formula guard."""
    return _NEUTRALISED.sub("", text)


def read_csv(path: Path, text_columns: tuple[str, ...]) -> pd.DataFrame:
    """A table written by `write_csv`, with either separator, its text cells as they were
    before the formula guard; raises OSError when the file cannot be read."""
    with path.open(encoding="utf-8-sig") as handle:
        header = handle.readline()
    excel = header.count(";") > header.count(",")
    table = pd.read_csv(path, sep=";" if excel else ",", decimal="," if excel else ".", encoding="utf-8-sig",
                        dtype={c: str for c in text_columns}, keep_default_na=False)
    for column in text_columns:
        if column in table:
            table[column] = table[column].str.replace(_NEUTRALISED, "", regex=True)
    return table
