"""`analyse`: run the stages over a folder of documents; `predict`: score passages.

This is the one place that chains extract → segment → classify → report; the
CLI and the Python API both call these functions.
"""

from __future__ import annotations

import hashlib
import json
import os
import platform
import time
from collections.abc import Callable, Sequence
from contextlib import closing
from dataclasses import asdict
from datetime import UTC, datetime
from importlib.metadata import version
from pathlib import Path

import numpy as np
import pandas as pd

from . import __version__
from .absence import affirmed
from .classify import CUE_RULE, check_scorable, classify
from .cues import Cues, load_cues
from .errors import LeviersError
from .extract import extract_many, skipped_pages, walk_documents
from .extract.ocr import GARBLED
from .model import LeverModel, default_model_dir, load_model
from .nlp import load_nlp
from .report.tables import ERROR_COLUMNS, coverage_table, evidence_scores, passage_table
from .segment import segment
from .taxonomy import Taxonomy, load_taxonomy
from .types import Classified, CoverageRule, DocumentSummary, Result, carried


def display_name(name: str) -> str:
    """A file name as it can be written anywhere: bytes that are not UTF-8
    (an old drive's Latin-1 names) become U+FFFD."""
    return os.fsencode(name).decode("utf-8", "replace")


def _failure(stage: str, exc: BaseException) -> str:
    """One line saying why a document failed: the file's fault only when it is."""
    if isinstance(exc, LeviersError):
        return str(exc)
    if isinstance(exc, MemoryError):
        return f"out of memory in {stage}: the document is too large to analyse"
    if isinstance(exc, OSError):
        return f"cannot read the file ({exc.strerror or exc})"
    # A bug of leviers met on this file: say so rather than blame the file.
    return f"internal error of leviers in {stage} ({type(exc).__name__}: {exc}); please report it"[:300]


def _sha256(path: Path) -> str:
    digest = hashlib.sha256()
    with path.open("rb") as handle:
        for block in iter(lambda: handle.read(1 << 20), b""):
            digest.update(block)
    return digest.hexdigest()


def deplored(texts: list[str], scores: np.ndarray, model: LeverModel, cues: Cues) -> list[list[str]]:
    """For each passage, the levers it carries only through the sentences that negate or
    deplore them: scored again without those sentences, it no longer carries them."""
    lever_ids = list(cues.lever_ids)
    out: list[list[str]] = [[] for _ in texts]
    rest = {i: affirmed(text) for i, text in enumerate(texts)}
    changed = [i for i, text in rest.items() if text != texts[i] and carried(scores[i], lever_ids)]
    if not changed:
        return out
    kept = [i for i in changed if rest[i]]
    rescored = dict(zip(kept, classify([rest[i] for i in kept], model, cues).scores))
    for i in changed:
        still = set(carried(rescored[i], lever_ids)) if i in rescored else set()
        out[i] = [lever for lever in carried(scores[i], lever_ids) if lever not in still]
    return out


def analyse(
    input_path: str | Path,
    model_dir: str | Path | None = None,
    taxonomy: Taxonomy | None = None,
    cues: Cues | None = None,
    on_document: Callable[[DocumentSummary], None] | None = None,
    rule: CoverageRule = CoverageRule(),
    jobs: int | None = None,
    exclude: Sequence[str] = (),
    on_found: Callable[[int], None] | None = None,
) -> Result:
    """Analyse every document under `input_path`; a failing document is recorded, not fatal.

    `rule` decides when a document covers a lever (by default, when one passage carries it).
    `jobs` worker processes extract the files (default: one per core). Files matching one
    of the `exclude` glob patterns are left out. `on_found` is called with the number of
    documents, before the model loads; `on_document` with each one's summary as it is done.
    """
    started = datetime.now(UTC)
    taxonomy = taxonomy or load_taxonomy()
    # The input is checked first: a wrong folder is told at once, not after the model loads.
    root, files, refused = walk_documents(input_path, exclude)
    if on_found:
        on_found(len(files) + len(refused))
    model_dir = Path(model_dir) if model_dir else default_model_dir()
    model = load_model(model_dir, taxonomy)
    cues = cues or load_cues(taxonomy)
    check_scorable(model, cues)
    nlp = load_nlp()

    timings = dict.fromkeys(("extract", "segment", "classify"), 0.0)
    tables: list[pd.DataFrame] = []
    errors: list[dict] = []
    summaries: list[DocumentSummary] = []
    inputs: list[dict] = []
    for path, reason in refused.items():
        name = display_name(path.relative_to(root).as_posix())
        errors.append({"document": name, "stage": "find", "message": reason})
        summaries.append(DocumentSummary(name, error=f"find: {reason}"))
        if on_document:
            on_document(summaries[-1])
    with closing(extract_many(files, jobs)) as extracted_files:
        for path, extracted, seconds in extracted_files:
            summary, table = _document(root, path, extracted, nlp, model, cues, taxonomy, rule, errors, inputs,
                                       timings)
            timings["extract"] += seconds  # summed over the workers
            if table is not None:
                tables.append(table)
            summaries.append(summary)
            if on_document:
                on_document(summary)

    empty = passage_table([], Classified(np.zeros((0, len(taxonomy.ids))), []), taxonomy.ids)
    passages_df = pd.concat(tables, ignore_index=True) if tables else empty
    done = [s.name for s in summaries if not s.error]
    coverage = coverage_table(passages_df, done, taxonomy, rule)
    errors_df = pd.DataFrame(errors, columns=ERROR_COLUMNS)
    run = {
        "leviers": __version__,
        "started": started.isoformat(timespec="seconds"),
        "seconds": round((datetime.now(UTC) - started).total_seconds(), 2),
        "stage_seconds": {k: round(v, 2) for k, v in timings.items()},
        "python": platform.python_version(),
        "versions": {pkg: version(pkg) for pkg in ("spacy", "scikit-learn", "pypdfium2", "pdfplumber", "pandas")},
        "model": {"path": str(model_dir), **{k: model.meta.get(k) for k in ("name", "trained", "taxonomy_digest")}},
        "input": display_name(str(input_path)),
        "exclude": list(exclude),
        "documents": {"found": len(summaries), "analysed": len(done), "failed": len(summaries) - len(done)},
        "passages": int(len(passages_df)),
        "coverage_rule": asdict(rule),
        "scoring": scoring(model, cues),
        "files": inputs,
    }
    return Result(coverage, passages_df, errors_df, summaries, run, taxonomy, rule)


def scoring(model: LeverModel, cues: Cues) -> dict:
    """How the levers were scored, for run.json and the report: which by the model
    and the cues, which by their cues alone (no model was trained for them yet)."""
    return {
        "rule": CUE_RULE,
        "cues_digest": cues.digest,
        "model_and_cues": [lever for lever in cues.lever_ids if lever in model.levers],
        "cues_only": [lever for lever in cues.lever_ids if lever not in model.levers],
    }


def _document(root: Path, path: Path, extracted, nlp, model: LeverModel, cues: Cues, taxonomy: Taxonomy,
              rule: CoverageRule, errors: list[dict], inputs: list[dict], timings: dict[str, float],
              ) -> tuple[DocumentSummary, pd.DataFrame | None]:
    """Segment, classify and tabulate one extracted document; whatever it raises
    is recorded against it, at the stage where it happened, and the batch goes on."""
    raw = path.relative_to(root).as_posix()
    name = display_name(raw)
    summary = DocumentSummary(name)
    stage = "read"
    try:
        record: dict = {"document": name, "bytes": path.stat().st_size, "sha256": _sha256(path)}
        if name != raw:
            record["raw_name"] = os.fsencode(raw).decode("ascii", "backslashreplace")
        inputs.append(record)
        stage = "extract"
        if isinstance(extracted, BaseException):
            raise extracted
        pages = extracted
        stage = "segment"
        clock = time.perf_counter()
        passages = segment(pages, name, nlp)
        timings["segment"] += time.perf_counter() - clock
        stage = "classify"
        clock = time.perf_counter()
        texts = [p.text for p in passages]
        scored = classify(texts, model, cues)
        absent = deplored(texts, scored.scores, model, cues)
        timings["classify"] += time.perf_counter() - clock
        stage = "report"
        table = passage_table(passages, scored, taxonomy.ids, absent)
        carried = rule.covers(evidence_scores(table, taxonomy.ids))  # the rounded scores, as in the reports
        covered = {}
        for framework in taxonomy.frameworks:
            mask = [lever.framework == framework.id for lever in taxonomy.levers]
            covered[framework.id] = (int(carried[mask].sum()), int(sum(mask)))
    except (Exception, MemoryError) as exc:
        message = _failure(stage, exc)
        summary.error = f"{stage}: {message}"
        errors.append({"document": name, "stage": stage, "message": message})
        return summary, None
    summary.pages, summary.passages = len(pages), len(passages)
    summary.missing = [lever for lever, c in zip(taxonomy.ids, carried) if not c]
    summary.covered = covered
    summary.skipped = skipped_pages(pages)
    if summary.skipped:
        # Unreadable text is the file's matter; a scan without OCR is this machine's.
        stage = "extract" if GARBLED in summary.skipped else "ocr"
        errors.append({"document": name, "stage": stage, "message": summary.skipped})
    if name != raw:
        errors.append({"document": name, "stage": "name", "message": "the file name is not valid UTF-8: "
                       "analysed, shown with \ufffd; its bytes are in run.json"})
    return summary, table


def predict(passages: str | Path, output: str | Path, model_dir: str | Path | None = None) -> int:
    """Score each line {"id", "text"} of a JSONL file for every lever into a JSONL file of
    {"id", "labels", "scores"}; returns how many passages were scored."""
    passages = Path(passages)
    records = []
    with passages.open(encoding="utf-8") as handle:
        for number, line in enumerate(handle, 1):
            if not line.strip():
                continue
            try:
                record = json.loads(line)
                records.append((record["id"], str(record["text"])))
            except (json.JSONDecodeError, KeyError, TypeError) as exc:
                raise LeviersError(f"{passages}:{number}: expected a JSON object with 'id' and 'text'") from exc
    taxonomy = load_taxonomy()
    scored = classify([text for _, text in records], load_model(model_dir, taxonomy), load_cues(taxonomy))
    with Path(output).open("w", encoding="utf-8") as out:
        for (record_id, _), row, cues in zip(records, scored.scores, scored.cues):
            prediction = {
                "id": record_id,
                "labels": carried(row, taxonomy.ids),
                "scores": {lever: round(float(s), 4) for lever, s in zip(taxonomy.ids, row)},
                "cues": cues,
            }
            out.write(json.dumps(prediction, ensure_ascii=False) + "\n")
    return len(records)
