"""Shared fixtures: the French nlp, the taxonomy, PDFs written by the tests."""

from __future__ import annotations

import json
from pathlib import Path

import pytest

from pipeline.extract import ocr
from pipeline.model import default_model_dir as shipped_model_dir
from pipeline.nlp import load_nlp
from pipeline.taxonomy import load_taxonomy
from tests.helpers import REPO, SHARED, STRATEGY_PAGES, write_pdf


def pytest_collection_modifyitems(items):
    """Tests that read ../shared are marked so, to be chosen or left out with -m."""
    for item in items:
        if "shared" in getattr(item, "fixturenames", ()):
            item.add_marker(pytest.mark.shared)


@pytest.fixture
def no_tesseract(monkeypatch, tmp_path):
    """A PATH where Tesseract cannot be found."""
    empty = tmp_path / "empty-path"
    empty.mkdir()
    monkeypatch.setenv("PATH", str(empty))
    ocr.ocr_unavailable.cache_clear()
    yield
    ocr.ocr_unavailable.cache_clear()


@pytest.fixture(scope="session")
def nlp():
    return load_nlp()


@pytest.fixture(scope="session")
def taxonomy():
    return load_taxonomy()


@pytest.fixture(scope="session")
def default_model_dir() -> Path:
    return shipped_model_dir()


@pytest.fixture(scope="session")
def shared() -> Path:
    if not SHARED.is_dir():
        pytest.skip("../shared is not present (it is not part of a user's clone)")
    return SHARED


@pytest.fixture
def make_pdf(tmp_path):
    def make(name: str, pages: list[list[str]], **kwargs) -> Path:
        return write_pdf(tmp_path / name, pages, **kwargs)

    return make


@pytest.fixture
def tiny_corpus(tmp_path, make_pdf) -> Path:
    """A folder with two good PDFs, an empty one, a text file named .pdf and a truncated PDF."""
    folder = tmp_path / "docs"
    folder.mkdir()
    good = write_pdf(folder / "strategie.pdf", STRATEGY_PAGES, header="Projet de territoire 2030")
    write_pdf(folder / "dossier.pdf", [[
        "Notre association propose une plateforme de réservation en ligne pour le transport solidaire.",
        "Nous suivrons trois indicateurs : nombre d'usagers, taux de retour à l'emploi et coût évité.",
    ]])
    (folder / "vide.pdf").write_bytes(b"")
    (folder / "note.pdf").write_text("Ceci est un simple fichier texte.", encoding="utf-8")
    (folder / "tronque.pdf").write_bytes(good.read_bytes()[:900])
    return folder


@pytest.fixture
def annotated_file(tmp_path) -> Path:
    """A small JSONL training file drawn from the shipped corpus: a few
    hundred passages, so that every lever has examples and training is quick."""
    rows = []
    for path in sorted((REPO / "corpora" / "annotated").glob("*.jsonl")):
        with path.open(encoding="utf-8") as handle:
            rows += [json.loads(line) for _, line in zip(range(25), handle)]
    target = tmp_path / "annotated.jsonl"
    target.write_text("".join(json.dumps(r, ensure_ascii=False) + "\n" for r in rows), "utf-8")
    return target
