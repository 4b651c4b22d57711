"""Randomly damaged copies of real documents go through extraction in bounded
time, each one giving its pages or one ExtractionError, never anything else."""

from __future__ import annotations

import random
import time
from pathlib import Path

from pipeline.errors import ExtractionError
from pipeline.extract import extract_many
from tests.helpers import REPO

COPIES = {".pdf": 240, ".docx": 120}
SECONDS = 300  # for all of them, on two cores; most copies take a few milliseconds


def damaged(data: bytes, rng: random.Random) -> bytes:
    """One to three of the damages files suffer on the way: flipped bytes,
    a cut, a lost or doubled stretch, stray bytes."""
    data = bytearray(data)
    for _ in range(rng.randint(1, 3)):
        at = rng.randrange(len(data))
        size = rng.randint(1, 4096)
        kind = rng.choice(("flip", "cut", "lose", "double", "insert"))
        if kind == "flip":
            for i in rng.sample(range(len(data)), min(len(data), rng.randint(1, 64))):
                data[i] = rng.randrange(256)
        elif kind == "cut":
            del data[at:]
        elif kind == "lose":
            del data[at:at + size]
        elif kind == "double":
            data[at:at] = data[at:at + size]
        else:
            data[at:at] = rng.randbytes(size)
        if not data:
            break
    return bytes(data)


def sources(tmp_path: Path) -> dict[str, list[bytes]]:
    import docx

    document = docx.Document()
    document.add_heading("Projet de territoire", level=1)
    for _ in range(20):
        document.add_paragraph("La communauté de communes recrute une cheffe de projet pour les centres-bourgs.")
        document.add_paragraph("Tiers-lieu numérique", style="List Bullet")
    document.save(tmp_path / "source.docx")
    return {
        ".pdf": [p.read_bytes() for p in sorted((REPO / "corpora" / "samples").glob("*.pdf"))],
        ".docx": [(tmp_path / "source.docx").read_bytes()],
    }


def test_damaged_copies_of_real_documents_fail_cleanly(tmp_path):
    rng = random.Random(13)
    folder = tmp_path / "fuzz"
    folder.mkdir()
    paths = []
    for suffix, originals in sources(tmp_path).items():
        for number in range(COPIES[suffix]):
            path = folder / f"{number:03d}{suffix}"
            path.write_bytes(damaged(rng.choice(originals), rng))
            paths.append(path)
    clock = time.monotonic()
    results = list(extract_many(paths, jobs=2))
    assert time.monotonic() - clock < SECONDS
    assert [path for path, _, _ in results] == paths
    unexpected = [(path.name, pages) for path, pages, _ in results if not isinstance(pages, (list, ExtractionError))]
    assert unexpected == []
    failed = [pages for _, pages, _ in results if isinstance(pages, ExtractionError)]
    assert all(str(error) and "\n" not in str(error) for error in failed)
    assert 0 < len(failed) < len(paths)  # damage is not always fatal, and is caught when it is
