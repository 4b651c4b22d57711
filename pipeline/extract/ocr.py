"""OCR of PDF pages without a text layer, with Tesseract when it is installed.

Tesseract is optional: without it such pages are skipped and reported, and
the rest of the document is read.
"""

from __future__ import annotations

import functools
import os
import shutil
import subprocess

from .text import clean_text

LANGUAGE = "fra"
DPI = 300
TIMEOUT = 300  # seconds for one page; Tesseract takes a few
# Why a page with a text layer is OCR'd all the same, or skipped.
GARBLED = "unreadable text (its fonts do not map their glyphs to letters)"


@functools.cache
def ocr_unavailable() -> str:
    """Why Tesseract cannot read French here, or '' when it can."""
    program = shutil.which("tesseract")
    if not program:
        return "Tesseract is not installed (apt-get install tesseract-ocr tesseract-ocr-fra)"
    try:
        listed = subprocess.run([program, "--list-langs"], capture_output=True, text=True, timeout=60)
        languages = listed.stdout + listed.stderr  # Tesseract 4.0 wrote the list on stderr
    except (OSError, subprocess.SubprocessError) as exc:
        return f"Tesseract does not run ({exc})"
    if LANGUAGE not in languages.split():
        return "Tesseract has no French data (apt-get install tesseract-ocr-fra)"
    return ""


def ocr_page(page, why: str = "no text layer") -> tuple[str, str]:
    """A pdfium page's text read by Tesseract, and '' or why it could not be
    (`why` says why the page needs OCR)."""
    unavailable = ocr_unavailable()
    if unavailable:
        return "", f"{why} and {unavailable}"
    pixels = page.render(scale=DPI / 72, grayscale=True).to_numpy()
    image = f"P5\n{pixels.shape[1]} {pixels.shape[0]}\n255\n".encode() + pixels.tobytes()
    try:
        done = subprocess.run(
            ["tesseract", "stdin", "stdout", "-l", LANGUAGE, "--dpi", str(DPI)],
            input=image, capture_output=True, timeout=TIMEOUT,
            # Pages are read in parallel across documents: one thread each.
            env={**os.environ, "OMP_THREAD_LIMIT": "1"},
        )
    except subprocess.TimeoutExpired:
        return "", f"{why} and OCR took over {TIMEOUT} s"
    if done.returncode:
        reason = done.stderr.decode(errors="replace").strip().splitlines()[-1:] or ["no message"]
        return "", f"{why} and OCR failed ({reason[0][:200]})"
    return clean_text(done.stdout.decode("utf-8", errors="replace")).strip(), ""
