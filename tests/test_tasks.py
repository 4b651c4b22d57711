"""One task per document, the result cache, and the Dask executor: the same reports whoever ran them."""

from __future__ import annotations

import importlib.util
import json
import shutil
from pathlib import Path

import pytest
from click.testing import CliRunner

from pipeline.cache import CACHE_FOLDER
from pipeline.cli import main
from pipeline.report import write_outputs
from pipeline.run import analyse
from tests.helpers import REPO, write_pdf

SAMPLES = REPO / "corpora" / "samples"
TABLES = ("coverage.csv", "coverage_matrix.csv", "summary.csv", "passages.csv", "errors.csv")


def tables(folder: Path) -> dict[str, bytes]:
    return {name: (folder / name).read_bytes() for name in TABLES}


def reused(folder: Path) -> int:
    cache = json.loads((folder / "run.json").read_text("utf-8"))["cache"]
    return cache["reused"] if cache else 0


def run(corpus: Path, out: Path, *options: str) -> None:
    result = CliRunner().invoke(main, ["analyse", str(corpus), "-o", str(out), "-q", *options])
    assert result.exit_code in (0, 3), result.output


@pytest.fixture
def corpus(tmp_path) -> Path:
    folder = tmp_path / "docs"
    folder.mkdir()
    for number, lever_text in enumerate([
        "Un comité de pilotage réunit chaque trimestre les élus, les associations et des habitants.",
        "Le tiers-lieu de la gare accueille les porteurs de projets et les met en relation.",
        "Nous suivrons trois indicateurs : nombre d'usagers, taux de retour à l'emploi et coût évité.",
    ]):
        write_pdf(folder / f"doc{number}.pdf", [["Projet de territoire.", lever_text]])
    return folder


def test_a_rerun_reads_unchanged_documents_back_and_gives_the_same_reports(corpus, tmp_path):
    out = tmp_path / "out"
    run(corpus, out)
    first = tables(out)
    assert reused(out) == 0 and len(list((out / CACHE_FOLDER).glob("*.json"))) == 3
    run(corpus, out)
    assert reused(out) == 3
    assert tables(out) == first

    # One file changed: it alone is analysed again, and its new content is in the report.
    write_pdf(corpus / "doc1.pdf", [["Projet de territoire.", "Une ingénierie mutualisée appuie les communes."]])
    run(corpus, out)
    assert reused(out) == 2
    passages = (out / "passages.csv").read_text("utf-8-sig")
    assert "ingénierie mutualisée" in passages and "tiers-lieu" not in passages

    # --no-cache analyses everything and the same reports come out.
    run(corpus, tmp_path / "fresh", "--no-cache")
    assert reused(tmp_path / "fresh") == 0 and not (tmp_path / "fresh" / CACHE_FOLDER).exists()
    assert tables(tmp_path / "fresh") == tables(out)


def test_the_cache_never_serves_another_models_result_nor_a_damaged_file(corpus, tmp_path, default_model_dir):
    out, cache = tmp_path / "out", tmp_path / "cache"
    run(corpus, out, "--cache", str(cache))
    assert reused(out) == 0
    model = tmp_path / "model"
    shutil.copytree(default_model_dir, model)
    meta = json.loads((model / "model.json").read_text("utf-8"))
    meta["name"] = "retrained"
    (model / "model.json").write_text(json.dumps(meta), "utf-8")
    run(corpus, out, "--cache", str(cache), "--model", str(model))
    assert reused(out) == 0  # another model: nothing reused
    # A damaged or foreign cache file is a miss, not a failure nor a wrong result.
    for path in cache.glob("*.json"):
        path.write_text("{not json", "utf-8")
    run(corpus, out, "--cache", str(cache))
    assert reused(out) == 0
    run(corpus, out, "--cache", str(cache))
    assert reused(out) == 3


def test_a_failed_document_is_not_cached(tmp_path, corpus):
    (corpus / "vide.pdf").write_bytes(b"")
    out = tmp_path / "out"
    run(corpus, out)
    run(corpus, out)
    assert reused(out) == 3
    assert "vide.pdf" in (out / "errors.csv").read_text("utf-8-sig")


@pytest.mark.skipif(importlib.util.find_spec("distributed") is None, reason="dask[distributed] is not installed")
def test_the_dask_executor_gives_the_local_reports_byte_for_byte(tmp_path):
    from distributed import LocalCluster

    local = analyse(SAMPLES, jobs=2)
    write_outputs(tmp_path / "local", local)
    # In this process, in a thread: spaCy and the model load here, once.
    with LocalCluster(n_workers=1, threads_per_worker=1, processes=False, dashboard_address=None) as cluster:
        on_dask = analyse(SAMPLES, dask=cluster.scheduler_address)
    write_outputs(tmp_path / "dask", on_dask)
    assert on_dask.run["executor"].startswith("dask")
    assert tables(tmp_path / "dask") == tables(tmp_path / "local")
    assert len(local.passages) > 100
