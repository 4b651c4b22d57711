"""Extract stage: a document file → its pages, each with its number and text.

A page's text follows the format described in `pipeline.types`, so that the
segment stage never has to guess layout. PDFs keep their pages (`pdf.py`);
formats without pages are cut into sections at their headings or page breaks
(`formats.py`); `text.py` normalises characters for both.
"""

from __future__ import annotations

import errno
import fnmatch
import os
import time
from collections.abc import Generator, Iterable, Sequence
from pathlib import Path

from ..errors import ExtractionError, LeviersError
from ..types import Page

PDF_SUFFIXES = (".pdf",)
TEXT_SUFFIXES = (".docx", ".odt", ".txt", ".md", ".html", ".htm")
SUPPORTED_SUFFIXES = PDF_SUFFIXES + TEXT_SUFFIXES


def excluded(relative: str, patterns: Sequence[str]) -> bool:
    """Whether a file, by its path relative to the input folder, matches a glob
    pattern, on its whole path ("archives/*") or on its name ("*brouillon*")."""
    name = relative.rpartition("/")[2]
    return any(fnmatch.fnmatch(relative, p) or fnmatch.fnmatch(name, p) for p in patterns)


def find_documents(input_path: str | Path, exclude: Sequence[str] = ()) -> tuple[Path, list[Path]]:
    """The folder that names are relative to, and the supported files under it."""
    root, files, _ = walk_documents(input_path, exclude)
    return root, files


def walk_documents(input_path: str | Path, exclude: Sequence[str] = ()
                   ) -> tuple[Path, list[Path], dict[Path, str]]:
    """The folder that names are relative to, the supported files under it but those
    matching one of the `exclude` glob patterns, and the entries refused with why:
    links that lead outside the folder, broken links and link loops.

    The folder is a boundary: a link is followed only to a file inside it, and
    a file reached by several names is read once."""
    input_path = Path(input_path)
    if input_path.is_file():
        return input_path.parent, [input_path], {}
    if not input_path.is_dir():
        raise LeviersError(f"{input_path}: no such file or folder")
    root = input_path.resolve()
    files: dict[Path, Path] = {}  # what a file is, resolved → the name it is found under
    refused: dict[Path, str] = {}
    # os.walk does not follow links to folders: no loop, nothing outside.
    for folder, subfolders, names in os.walk(input_path, onerror=None):
        subfolders.sort()
        for name in sorted(names + [d for d in subfolders if os.path.islink(os.path.join(folder, d))]):
            path = Path(folder, name)
            if name.startswith((".", "~$")):  # "~$…": the lock files Word leaves beside an open document
                continue
            if path.is_symlink():
                if path.suffix.lower() not in SUPPORTED_SUFFIXES and not path.is_dir():
                    continue
                try:
                    target = path.resolve(strict=True)
                except (OSError, RuntimeError) as exc:
                    loop = isinstance(exc, RuntimeError) or getattr(exc, "errno", 0) == errno.ELOOP
                    refused[path] = "a link that loops: not followed" if loop else "a broken link: not followed"
                    continue
                if not target.is_relative_to(root):
                    refused[path] = "a link to outside the input folder: not followed"
                    continue
                if target.is_dir():
                    continue  # its files are found under their own names, inside the folder
            else:
                target = path.resolve()
            if path.suffix.lower() not in SUPPORTED_SUFFIXES or not target.is_file():
                continue  # FIFOs, devices: not documents, and reading them could block
            if excluded(path.relative_to(input_path).as_posix(), exclude):
                continue
            # The real file's own name wins over a link's.
            if target not in files or files[target].is_symlink() and not path.is_symlink():
                files[target] = path
    if not files and not refused:
        left_out = f", leaving out {', '.join(exclude)}" if exclude else ""
        raise LeviersError(
            f"{input_path}: no document to analyse (looked for {', '.join(SUPPORTED_SUFFIXES)}{left_out})"
        )
    return input_path, sorted(files.values()), refused


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


def extract_many(
    paths: Iterable[Path], jobs: int | None = None
) -> Generator[tuple[Path, list[Page] | ExtractionError, float], None, None]:
    """Extract files in parallel worker processes (pdfium is not thread-safe),
    yielding (path, pages or the error, seconds spent) in the input order.

    `jobs` defaults to every core. The workers are those of the analysis
    (workers.LocalExecutor), with the readers only imported: a file that
    crashes its worker fails alone, and memory stays bounded."""
    from ..workers import LocalExecutor

    paths = list(paths)
    if min(jobs or os.cpu_count() or 1, len(paths)) <= 1:
        yield from map(_extract_one, paths)
        return
    executor = LocalExecutor(jobs, preload=READERS)
    try:
        yield from executor.map(_extract_one, [(path,) for path in paths], on_crash=_crashed)
    finally:
        executor.close()


# What the readers' fork server imports; `worker` keeps the workers from running
# the caller's script again (see there).
READERS = ["pipeline.extract.worker", "pipeline.extract.pdf", "pipeline.extract.formats"]


def _crashed(args: tuple[Path]) -> tuple[Path, ExtractionError, float]:
    return args[0], ExtractionError("the reader crashed on this file (damaged?)"), 0.0


def _extract_one(path: Path) -> tuple[Path, list[Page] | ExtractionError, float]:
    return (path, *_timed_extract(path))


def _timed_extract(path: Path) -> tuple[list[Page] | ExtractionError, float]:
    clock = time.perf_counter()
    try:
        pages: list[Page] | ExtractionError = extract(path)
    except ExtractionError as exc:
        pages = exc
    except MemoryError:
        pages = ExtractionError("out of memory while reading the file (too large, or a decompression bomb?)")
    except Exception as exc:  # a reader's bug on an odd file must not stop the batch
        pages = ExtractionError(f"unreadable file ({type(exc).__name__}: {exc})"[:300])
    return pages, time.perf_counter() - clock


def skipped_pages(pages: list[Page]) -> str:
    """'' or one line naming the pages that could not be read, and why."""
    by_reason: dict[str, list[str]] = {}
    for page in pages:
        if page.skipped:
            by_reason.setdefault(page.skipped, []).append(str(page.number))
    return "; ".join(f"page{'s' if len(n) > 1 else ''} {', '.join(n)} skipped: {reason}"
                     for reason, n in by_reason.items())
