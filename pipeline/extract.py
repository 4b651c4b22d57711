"""Extract stage: a document file → its pages, each with its number and text.

A page's text holds one paragraph per block, blocks separated by a blank line
and lines by a newline, so that the segment stage never has to guess layout. A
block holding only REGION_END marks where the reading moves on to another
column or box of a PDF page: a heading is not carried across it.
PDFs keep their pages (pipeline/pdf.py); formats without pages are cut into
sections at their headings or page breaks (pipeline/formats.py).
"""

from __future__ import annotations

import os
import re
import time
import unicodedata
from collections import deque
from collections.abc import Iterable, Iterator
from dataclasses import dataclass
from pathlib import Path

from .errors import ExtractionError

MAX_FILES_PER_WORKER = 50  # then a new worker: memory stays bounded however many files
PDF_SUFFIXES = (".pdf",)
TEXT_SUFFIXES = (".docx", ".odt", ".txt", ".md", ".html", ".htm")
SUPPORTED_SUFFIXES = PDF_SUFFIXES + TEXT_SUFFIXES

REGION_END = "\f"
# What opens a list item; pdf.py also uses it to keep a marker on its line.
BULLET_MARKS = r"[•▪◦‣●■□➢➤►✓✔–—\-*]|\d{1,2}[.)]"
BULLET = re.compile(rf"^\s*(?:{BULLET_MARKS})\s+")

# Ligatures, soft hyphens, odd and zero-width spaces. NFKC would do most of
# this but would also turn the French narrow no-break space into a plain
# space and "m²" into "m2".
CHARACTERS = str.maketrans(
    {
        "\ufb00": "ff", "\ufb01": "fi", "\ufb02": "fl", "\ufb03": "ffi", "\ufb04": "ffl",
        "\ufb05": "st", "\ufb06": "st", "\u2010": "-", "\u2011": "-",
        "\u00ad": None, "\u200b": None, "\u2060": None, "\ufeff": None,
        "\t": " ", "\u1680": " ", "\u205f": " ", "\u3000": " ",
        **{chr(c): " " for c in range(0x2000, 0x200B)},
    }
)
CONTROL = re.compile(r"[\x00-\x09\x0b-\x1f\x7f]")
PRIVATE_USE = re.compile(r"[\ue000-\uf8ff]")  # symbol-font glyphs, nearly always bullets


@dataclass(frozen=True)
class Page:
    number: int  # 1-based page as printed by a PDF reader, or section number
    text: str
    skipped: str = ""  # why the page's text could not be read (a scan without OCR)


def extract(path: str | Path) -> list[Page]:
    """Read a document and return its pages; raise ExtractionError if it cannot be read."""
    path = Path(path)
    suffix = path.suffix.lower()
    if suffix in PDF_SUFFIXES:
        from .pdf import read_pdf

        return read_pdf(path)
    if suffix in TEXT_SUFFIXES:
        from .formats import read_text_document

        return read_text_document(path)
    raise ExtractionError(f"unsupported file type '{path.suffix}'")


def clean_text(text: str) -> str:
    """Normalise the characters of extracted text (see CHARACTERS)."""
    text = unicodedata.normalize("NFC", text.replace("\r\n", "\n").replace("\r", "\n"))
    return PRIVATE_USE.sub("•", CONTROL.sub("", text.translate(CHARACTERS)))


def extract_many(
    paths: Iterable[Path], jobs: int | None = None
) -> Iterator[tuple[Path, list[Page] | ExtractionError, float]]:
    """Extract files in parallel worker processes (pdfium is not thread-safe),
    yielding (path, pages or the error, seconds spent) in the input order.

    `jobs` defaults to every core. At most two files per worker are in flight,
    and workers are renewed now and then, so memory stays bounded whatever the
    number of files. A file that crashes its worker fails alone."""
    paths = list(paths)
    jobs = max(1, min(jobs or os.cpu_count() or 1, len(paths)))
    if jobs == 1:
        for path in paths:
            yield (path, *_timed_extract(path))
        return
    pool = _pool(jobs)
    window: deque = deque()
    try:
        for path in paths:
            window.append((path, pool.submit(_timed_extract, path)))
            if len(window) >= 2 * jobs:
                pool, result = _next_result(window, pool, jobs)
                yield result
        while window:
            pool, result = _next_result(window, pool, jobs)
            yield result
    finally:
        pool.shutdown(cancel_futures=True)


def _pool(jobs: int):
    import multiprocessing
    from concurrent.futures import ProcessPoolExecutor

    # A fork server starts once per run with the readers imported, then forks
    # workers from itself: quick to start, and free of the caller's threads
    # and memory (spaCy's model), unlike a plain fork.
    context = multiprocessing.get_context("forkserver")
    context.set_forkserver_preload(["pipeline.pdf", "pipeline.formats"])
    return ProcessPoolExecutor(jobs, mp_context=context, max_tasks_per_child=MAX_FILES_PER_WORKER,
                               initializer=_use_environment, initargs=(dict(os.environ),))


def _use_environment(environment: dict[str, str]) -> None:
    """In a worker: the caller's environment as it is now, not as it was when
    the fork server started (PATH decides whether Tesseract is found)."""
    os.environ.clear()
    os.environ.update(environment)


def _next_result(window: deque, pool, jobs: int):
    from concurrent.futures.process import BrokenProcessPool

    path, future = window.popleft()
    try:
        return pool, (path, *future.result())
    except BrokenProcessPool:
        # Some file in flight killed its worker: retry this one alone, and
        # the others in a new pool.
        pool.shutdown(cancel_futures=True)
        pool = _pool(jobs)
        for i, (other, _) in enumerate(window):
            window[i] = (other, pool.submit(_timed_extract, other))
        with _pool(1) as alone:
            try:
                return pool, (path, *alone.submit(_timed_extract, path).result())
            except BrokenProcessPool:
                return pool, (path, ExtractionError("the reader crashed on this file (damaged?)"), 0.0)


def _timed_extract(path: Path) -> tuple[list[Page] | ExtractionError, float]:
    clock = time.perf_counter()
    try:
        pages: list[Page] | ExtractionError = extract(path)
    except ExtractionError as exc:
        pages = exc
    except Exception as exc:  # a reader's bug on an odd file must not stop the batch
        pages = ExtractionError(f"unreadable file ({type(exc).__name__}: {exc})"[:300])
    return pages, time.perf_counter() - clock


def skipped_pages(pages: list[Page]) -> str:
    """'' or one line naming the pages that could not be read, and why."""
    by_reason: dict[str, list[str]] = {}
    for page in pages:
        if page.skipped:
            by_reason.setdefault(page.skipped, []).append(str(page.number))
    return "; ".join(f"page{'s' if len(n) > 1 else ''} {', '.join(n)} skipped: {reason}" for reason, n in by_reason.items())
