"""`analyse`: run the stages over a folder of documents.

This is the one place that chains extract → segment → classify → report; the
CLI and the Python API both call `analyse`.
"""

from __future__ import annotations

import hashlib
import platform
import time
from collections.abc import Callable
from dataclasses import asdict, dataclass, field
from datetime import datetime, timezone
from importlib.metadata import version
from pathlib import Path

import numpy as np
import pandas as pd

from . import __version__
from .classify import classify
from .errors import LeviersError
from .extract import SUPPORTED_SUFFIXES, extract_many, skipped_pages
from .model import DEFAULT_MODEL_DIR, load_model
from .nlp import load_nlp
from .report import ERROR_COLUMNS, CoverageRule, coverage_table, passage_table
from .segment import segment
from .taxonomy import Taxonomy, load_taxonomy


@dataclass
class DocumentSummary:
    name: str
    pages: int = 0
    passages: int = 0
    covered: dict[str, tuple[int, int]] = field(default_factory=dict)  # framework → (covered, levers)
    missing: list[str] = field(default_factory=list)  # ids of the levers not covered
    error: str | None = None  # "stage: message" when the document failed
    skipped: str = ""  # pages that could not be read (scans without OCR), and why


@dataclass
class Result:
    coverage: pd.DataFrame
    passages: pd.DataFrame
    errors: pd.DataFrame
    documents: list[DocumentSummary]
    run: dict
    taxonomy: Taxonomy
    rule: CoverageRule

    @property
    def failed(self) -> list[DocumentSummary]:
        return [d for d in self.documents if d.error]


def find_documents(input_path: str | Path) -> tuple[Path, list[Path]]:
    """The folder that names are relative to, and the supported files under it."""
    input_path = Path(input_path)
    if input_path.is_file():
        return input_path.parent, [input_path]
    if not input_path.is_dir():
        raise LeviersError(f"{input_path}: no such file or folder")
    files = sorted(
        p for p in input_path.rglob("*")
        # "~$…" files are the lock files Word leaves beside an open document.
        if p.is_file() and p.suffix.lower() in SUPPORTED_SUFFIXES and not p.name.startswith((".", "~$"))
    )
    if not files:
        raise LeviersError(
            f"{input_path}: no document to analyse (looked for {', '.join(SUPPORTED_SUFFIXES)})"
        )
    return input_path, files


def _sha256(path: Path) -> str:
    digest = hashlib.sha256()
    with path.open("rb") as handle:
        for block in iter(lambda: handle.read(1 << 20), b""):
            digest.update(block)
    return digest.hexdigest()


def analyse(
    input_path: str | Path,
    model_dir: str | Path | None = None,
    taxonomy: Taxonomy | None = None,
    on_document: Callable[[DocumentSummary], None] | None = None,
    rule: CoverageRule = CoverageRule(),
    jobs: int | None = None,
) -> Result:
    """Analyse every document under `input_path`; a failing document is recorded, not fatal.

    `rule` decides when a document covers a lever (by default, when one passage carries it).
    `jobs` worker processes extract the files (default: one per core).
    """
    started = datetime.now(timezone.utc)
    taxonomy = taxonomy or load_taxonomy()
    model_dir = Path(model_dir) if model_dir else DEFAULT_MODEL_DIR
    model = load_model(model_dir, taxonomy)
    root, files = find_documents(input_path)
    nlp = load_nlp()

    timings = dict.fromkeys(("extract", "segment", "classify"), 0.0)
    tables: list[pd.DataFrame] = []
    errors: list[dict] = []
    summaries: list[DocumentSummary] = []
    inputs = []
    for path, extracted, seconds in extract_many(files, jobs):
        name = path.relative_to(root).as_posix()
        summary = DocumentSummary(name)
        inputs.append({"document": name, "bytes": path.stat().st_size, "sha256": _sha256(path)})
        stage = "extract"
        timings["extract"] += seconds  # summed over the workers
        try:
            if isinstance(extracted, LeviersError):
                raise extracted
            pages = extracted
            stage = "segment"
            clock = time.perf_counter()
            passages = segment(pages, name, nlp)
            timings["segment"] += time.perf_counter() - clock
            stage = "classify"
            clock = time.perf_counter()
            scores = classify([p.text for p in passages], model.estimator)
            timings["classify"] += time.perf_counter() - clock
        except LeviersError as exc:
            summary.error = f"{stage}: {exc}"
            errors.append({"document": name, "stage": stage, "message": str(exc)})
        else:
            table = passage_table(passages, scores, model.levers)
            tables.append(table)
            summary.pages, summary.passages = len(pages), len(passages)
            summary.skipped = skipped_pages(pages)
            if summary.skipped:
                errors.append({"document": name, "stage": "ocr", "message": summary.skipped})
            carried = rule.covers(table[model.levers].to_numpy())  # the rounded scores, as in the reports
            summary.missing = [lever for lever, c in zip(model.levers, carried) if not c]
            for framework in taxonomy.frameworks:
                mask = [lever.framework == framework.id for lever in taxonomy.levers]
                summary.covered[framework.id] = (int(carried[mask].sum()), int(sum(mask)))
        summaries.append(summary)
        if on_document:
            on_document(summary)

    empty = passage_table([], np.zeros((0, len(model.levers))), model.levers)
    passages_df = pd.concat(tables, ignore_index=True) if tables else empty
    done = [s.name for s in summaries if not s.error]
    coverage = coverage_table(passages_df, done, taxonomy, rule)
    errors_df = pd.DataFrame(errors, columns=ERROR_COLUMNS)
    run = {
        "leviers": __version__,
        "started": started.isoformat(timespec="seconds"),
        "seconds": round((datetime.now(timezone.utc) - started).total_seconds(), 2),
        "stage_seconds": {k: round(v, 2) for k, v in timings.items()},
        "python": platform.python_version(),
        "versions": {pkg: version(pkg) for pkg in ("spacy", "scikit-learn", "pypdfium2", "pdfplumber", "pandas")},
        "model": {"path": str(model_dir), **{k: model.meta.get(k) for k in ("name", "trained", "taxonomy_digest")}},
        "input": str(input_path),
        "documents": {"found": len(files), "analysed": len(done), "failed": len(files) - len(done)},
        "passages": int(len(passages_df)),
        "coverage_rule": asdict(rule),
        "files": inputs,
    }
    return Result(coverage, passages_df, errors_df, summaries, run, taxonomy, rule)
