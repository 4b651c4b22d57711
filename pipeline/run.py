"""`analyse`: run the stages over a folder of documents; `predict`: score passages.

This is the one place that chains extract → segment → classify → report; the
CLI and the Python API both call these functions.
"""

from __future__ import annotations

import json
import os
import platform
from collections.abc import Callable, Sequence
from dataclasses import asdict
from datetime import UTC, datetime
from importlib.metadata import version
from pathlib import Path
from typing import TYPE_CHECKING

from . import __version__
from .cache import ResultCache, context_digest
from .cues import CUE_RULE, Cues, check_levers, load_cues
from .errors import LeviersError
from .executors import DaskExecutor, LocalExecutor
from .extract import walk_documents
from .extract.ocr import GARBLED
from .model import check_model, default_model_dir, load_meta, load_model
from .tasks import DocumentResult, Settings, analyse_document, failure, file_digest, table_frame
from .taxonomy import Taxonomy, load_taxonomy
from .types import CoverageRule, DocumentSummary, Result, carried

if TYPE_CHECKING:
    import pandas as pd


def display_name(name: str) -> str:
    """A file name as it can be written anywhere: bytes that are not UTF-8
    (an old drive's Latin-1 names) become U+FFFD."""
    return os.fsencode(name).decode("utf-8", "replace")


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
    cache: str | Path | None = None,
    dask: str | None = None,
) -> Result:
    """Analyse every document under `input_path`; a failing document is recorded, not fatal.

    `rule` decides when a document covers a lever (by default, when one passage carries it).
    Each document is one task (extract, segment, classify: `tasks.analyse_document`), run by
    `jobs` local worker processes (default: one per core) or, with `dask`, on the Dask
    cluster of that scheduler address ("local" for a LocalCluster of `jobs` workers). The
    results come back in the input order, so the reports do not depend on where they ran.
    With `cache`, a folder, a document whose bytes, model, cues and taxonomy are unchanged
    is read back from there instead of analysed again. Files matching one of the `exclude`
    glob patterns are left out. `on_found` is called with the number of documents, before
    anything loads; `on_document` with each one's summary as it is done.
    """
    started = datetime.now(UTC)
    taxonomy = taxonomy or load_taxonomy()
    # The input is checked first: a wrong folder is told at once, not after the model loads.
    root, files, refused = walk_documents(input_path, exclude)
    if on_found:
        on_found(len(files) + len(refused))
    model_dir = Path(model_dir) if model_dir else default_model_dir()
    # The main process reads the model's metadata only: the workers load the model and spaCy.
    meta = load_meta(model_dir)
    check_model(meta, taxonomy, model_dir)
    cues = cues or load_cues(taxonomy)
    check_levers(meta["levers"], cues)
    settings = Settings(str(model_dir.resolve()), taxonomy, cues)
    store = ResultCache(cache, context_digest(model_dir, taxonomy, cues)) if cache else None

    timings = dict.fromkeys(("extract", "segment", "classify"), 0.0)
    tables: list[pd.DataFrame] = []
    errors: list[dict] = []
    summaries: list[DocumentSummary] = []
    inputs: list[dict] = []
    digests: list[str] = []
    found: list[DocumentResult | None] = []
    renamed: set[str] = set()  # documents whose file name is not valid UTF-8
    todo: list[tuple[str, str, Settings]] = []
    for path, reason in refused.items():
        name = display_name(path.relative_to(root).as_posix())
        errors.append({"document": name, "stage": "find", "message": reason})
        summaries.append(DocumentSummary(name, error=f"find: {reason}"))
        if on_document:
            on_document(summaries[-1])
    executor = DaskExecutor(dask, jobs) if dask else LocalExecutor(jobs)
    computed = None
    try:
        for path in files:
            raw = path.relative_to(root).as_posix()
            name = display_name(raw)
            try:
                sha256 = file_digest(path)
                record: dict = {"document": name, "bytes": path.stat().st_size, "sha256": sha256}
            except (OSError, MemoryError) as exc:  # the file went, or cannot be read: it fails alone
                found.append(DocumentResult(name, error=("read", failure("read", exc))))
                digests.append("")
                continue
            if name != raw:
                record["raw_name"] = os.fsencode(raw).decode("ascii", "backslashreplace")
            inputs.append(record)
            digests.append(sha256)
            found.append(store.get(sha256, name) if store else None)
            if found[-1] is None:
                if not todo:
                    executor.start()  # the workers load while the other files are hashed
                todo.append((str(path), name, settings))
            if name != raw:
                renamed.add(name)

        computed = executor.map(analyse_document, todo, _crashed)
        for sha256, cached in zip(digests, found):
            result = cached or next(computed)
            if store and not cached:
                store.put(sha256, result)
            for stage, seconds in result.seconds.items():
                timings[stage] += seconds  # summed over the workers
            summary, table = _summarise(result, taxonomy, rule, errors, result.name in renamed)
            if table is not None:
                tables.append(table)
            summaries.append(summary)
            if on_document:
                on_document(summary)
        described = executor.describe()
    finally:
        if computed is not None:
            computed.close()  # the workers stop now, not when the generator is collected
        executor.close()

    # pandas and the tables' module are imported once the workers run, not before they start.
    import pandas as pd

    from .report.tables import ERROR_COLUMNS, coverage_table

    empty = table_frame({}, taxonomy.ids, "")
    passages_df = pd.concat(tables, ignore_index=True) if tables else empty
    done = [s.name for s in summaries if not s.error]
    coverage = coverage_table(passages_df, done, taxonomy, rule)
    errors_df = pd.DataFrame(errors, columns=ERROR_COLUMNS)
    run = {
        "leviers": __version__,
        "started": started.isoformat(timespec="seconds"),
        "seconds": round((datetime.now(UTC) - started).total_seconds(), 2),
        "stage_seconds": {k: round(v, 2) for k, v in timings.items()},
        "executor": described,
        "cache": {"folder": str(cache), "reused": store.hits} if store else None,
        "python": platform.python_version(),
        "versions": {pkg: version(pkg) for pkg in ("spacy", "scikit-learn", "pypdfium2", "pdfplumber", "pandas")},
        "model": {"path": str(model_dir), **{k: meta.get(k) for k in ("name", "trained", "taxonomy_digest")}},
        "input": display_name(str(input_path)),
        "exclude": list(exclude),
        "documents": {"found": len(summaries), "analysed": len(done), "failed": len(summaries) - len(done)},
        "passages": int(len(passages_df)),
        "coverage_rule": asdict(rule),
        "scoring": scoring(meta["levers"], cues),
        "files": inputs,
    }
    return Result(coverage, passages_df, errors_df, summaries, run, taxonomy, rule)


def _crashed(args: tuple[str, str, Settings]) -> DocumentResult:
    """The result of a document whose task killed its worker, twice."""
    return DocumentResult(args[1], error=("extract", "the reader crashed on this file (damaged?)"))


def _summarise(result: DocumentResult, taxonomy: Taxonomy, rule: CoverageRule, errors: list[dict],
               renamed: bool = False) -> tuple[DocumentSummary, pd.DataFrame | None]:
    """A document's summary and passage table from its task's result; its failure, at
    the stage where it happened, or the pages it could not read, go to `errors`."""
    from .report.tables import evidence_scores

    summary = DocumentSummary(result.name)
    stage, message = result.error or ("report", "")
    try:
        if result.error:
            raise LeviersError(message)
        table = table_frame(result.table, taxonomy.ids, result.name)
        carried = rule.covers(evidence_scores(table, taxonomy.ids))  # the rounded scores, as in the reports
        covered = {}
        for framework in taxonomy.frameworks:
            mask = [lever.framework == framework.id for lever in taxonomy.levers]
            covered[framework.id] = (int(carried[mask].sum()), int(sum(mask)))
    except (Exception, MemoryError) as exc:
        message = failure(stage, exc)
        summary.error = f"{stage}: {message}"
        errors.append({"document": result.name, "stage": stage, "message": message})
        return summary, None
    summary.pages, summary.passages = result.pages, result.passages
    summary.missing = [lever for lever, c in zip(taxonomy.ids, carried) if not c]
    summary.covered = covered
    summary.skipped = result.skipped
    if summary.skipped:
        # Unreadable text is the file's matter; a scan without OCR is this machine's.
        stage = "extract" if GARBLED in summary.skipped else "ocr"
        errors.append({"document": result.name, "stage": stage, "message": summary.skipped})
    if renamed:
        errors.append({"document": result.name, "stage": "name", "message": "the file name is not valid UTF-8: "
                       "analysed, shown with \ufffd; its bytes are in run.json"})
    return summary, table


def scoring(levers: Sequence[str], cues: Cues) -> dict:
    """How the levers were scored, for run.json and the report: which by the model
    and the cues, which by their cues alone (no model was trained for them yet)."""
    return {
        "rule": CUE_RULE,
        "cues_digest": cues.digest,
        "model_and_cues": [lever for lever in cues.lever_ids if lever in levers],
        "cues_only": [lever for lever in cues.lever_ids if lever not in levers],
    }


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
    from .classify import classify

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
