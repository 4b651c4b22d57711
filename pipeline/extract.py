"""Extract stage: a document file → its pages, each with its number and text.

A page's text holds one paragraph per block, blocks separated by a blank line,
so that the segment stage never has to guess layout.
"""

from __future__ import annotations

import re
from collections import Counter
from dataclasses import dataclass
from pathlib import Path
from statistics import median

from .errors import ExtractionError

SUPPORTED_SUFFIXES = (".pdf",)

BULLET = re.compile(r"^\s*(?:[•▪◦‣●■□–—\-*]|\d{1,2}[.)])\s+")
PAGE_NUMBER = re.compile(r"^\s*(?:page\s*)?[-–—]?\s*\d{1,4}\s*(?:/\s*\d{1,4})?\s*[-–—]?\s*$", re.I)
CID = re.compile(r"\(cid:\d+\)")
MARGIN = 0.08  # share of the page height where running headers and footers sit


@dataclass(frozen=True)
class Page:
    number: int  # 1-based, as printed by a PDF reader
    text: str


def extract(path: str | Path) -> list[Page]:
    """Read a document and return its pages; raise ExtractionError if it cannot be read."""
    path = Path(path)
    if path.suffix.lower() not in SUPPORTED_SUFFIXES:
        raise ExtractionError(f"unsupported file type '{path.suffix}'")
    return extract_pdf(path)


def extract_pdf(path: Path) -> list[Page]:
    _check_pdf_header(path)
    import pdfplumber
    from pdfminer.pdfdocument import PDFPasswordIncorrect

    raw: list[tuple[float, list[dict]]] = []
    try:
        with pdfplumber.open(path) as pdf:
            for page in pdf.pages:
                try:
                    lines = page.extract_text_lines(return_chars=False)
                    raw.append((float(page.height), [_clean(line) for line in lines]))
                finally:
                    # Without it pdfplumber keeps every page's objects alive.
                    page.close()
    except Exception as exc:  # pdfminer raises many unrelated types on broken files
        # pdfplumber wraps pdfminer's exception as its first argument.
        cause = exc.args[0] if exc.args and isinstance(exc.args[0], Exception) else exc
        if isinstance(cause, PDFPasswordIncorrect):
            raise ExtractionError("the PDF is encrypted with a password") from exc
        detail = str(cause) or type(cause).__name__
        raise ExtractionError(f"corrupt or truncated PDF ({detail})"[:300]) from exc

    if not raw:
        raise ExtractionError("the PDF has no pages")
    furniture = _running_lines(raw)
    pages = [
        Page(number, _paragraphs([l for l in lines if not _is_furniture(l, height, furniture)]))
        for number, (height, lines) in enumerate(raw, 1)
    ]
    if not any(page.text for page in pages):
        raise ExtractionError("no text layer on any page (scanned document?)")
    return pages


def _clean(line: dict) -> dict:
    # pdfminer writes "(cid:N)" for glyphs it cannot map; at the start of a
    # line such a glyph is nearly always a bullet.
    text = CID.sub("", CID.sub("•", line["text"], count=1) if line["text"].startswith("(cid:") else line["text"])
    return {**line, "text": text.strip()}


def _check_pdf_header(path: Path) -> None:
    try:
        with path.open("rb") as handle:
            head = handle.read(1024)
    except OSError as exc:
        raise ExtractionError(f"cannot read the file ({exc.strerror})") from exc
    if not head:
        raise ExtractionError("empty file (0 bytes)")
    if b"%PDF-" not in head:
        raise ExtractionError("not a PDF (no %PDF header): a file of another type named .pdf?")


def _shape(text: str) -> str:
    return re.sub(r"\d+", "#", text.strip().lower())


def _in_margin(line: dict, height: float) -> bool:
    return line["bottom"] < height * MARGIN or line["top"] > height * (1 - MARGIN)


def _running_lines(raw: list[tuple[float, list[dict]]]) -> set[str]:
    """Shapes of lines that recur in the margins of several pages (headers, footers)."""
    counts = Counter(
        shape
        for height, lines in raw
        for shape in {_shape(l["text"]) for l in lines if _in_margin(l, height)}
    )
    needed = max(2, len(raw) // 3)
    return {shape for shape, n in counts.items() if n >= needed}


def _is_furniture(line: dict, height: float, running: set[str]) -> bool:
    if not _in_margin(line, height):
        return False
    return bool(PAGE_NUMBER.match(line["text"])) or _shape(line["text"]) in running


def _paragraphs(lines: list[dict]) -> str:
    """Group a page's lines into paragraphs from their geometry."""
    if not lines:
        return ""
    line_height = median(l["bottom"] - l["top"] for l in lines)
    right_edge = max(l["x1"] for l in lines)
    blocks: list[list[str]] = [[lines[0]["text"]]]
    for prev, line in zip(lines, lines[1:]):
        gap = line["top"] - prev["bottom"]
        ends_short = prev["text"].rstrip().endswith((".", "!", "?", ":")) and (
            prev["x1"] < right_edge - 4 * line_height
        )
        if gap > 0.6 * line_height or BULLET.match(line["text"]) or ends_short:
            blocks.append([])
        blocks[-1].append(line["text"])
    return "\n\n".join("\n".join(block) for block in blocks)
