"""Shared fixtures: the French nlp, the taxonomy, PDFs written by the tests."""

from __future__ import annotations

import json
from pathlib import Path

import pytest
from reportlab.lib.pagesizes import A4
from reportlab.pdfgen import canvas

from pipeline.model import DEFAULT_MODEL_DIR
from pipeline.nlp import load_nlp
from pipeline.taxonomy import load_taxonomy

REPO = Path(__file__).resolve().parent.parent
SHARED = REPO.parent / "shared"


@pytest.fixture(scope="session")
def nlp():
    return load_nlp()


@pytest.fixture(scope="session")
def taxonomy():
    return load_taxonomy()


@pytest.fixture(scope="session")
def default_model_dir() -> Path:
    return DEFAULT_MODEL_DIR


@pytest.fixture(scope="session")
def shared() -> Path:
    if not SHARED.is_dir():
        pytest.skip("../shared is not present (it is not part of a user's clone)")
    return SHARED


def write_pdf(path: Path, pages: list[list[str]], header: str | None = None, **options) -> Path:
    """A PDF whose pages hold the given paragraphs, wrapped at ~95 characters,
    with an optional running header and a page number in the footer."""
    width, height = A4
    pdf = canvas.Canvas(str(path), pagesize=A4, **options)
    for number, paragraphs in enumerate(pages, 1):
        if header:
            pdf.setFont("Helvetica", 8)
            pdf.drawString(50, height - 30, header)
            pdf.drawRightString(width - 50, 25, str(number))
        pdf.setFont("Helvetica", 10)
        y = height - 80
        for paragraph in paragraphs:
            line = ""
            for word in paragraph.split():
                if len(line) + len(word) > 95:
                    pdf.drawString(50, y, line)
                    y -= 13
                    line = ""
                line = f"{line} {word}".strip()
            pdf.drawString(50, y, line)
            y -= 26  # a blank line between paragraphs
        pdf.showPage()
    pdf.save()
    return path


@pytest.fixture
def make_pdf(tmp_path):
    def make(name: str, pages: list[list[str]], **kwargs) -> Path:
        return write_pdf(tmp_path / name, pages, **kwargs)

    return make


STRATEGY_PAGES = [
    [
        "Projet de territoire de la communauté de communes du Haut-Vernet",
        "Le territoire compte 9 400 habitants répartis dans 21 communes de moyenne montagne.",
        "La communauté de communes recrute une cheffe de projet, cofinancée à 75 % par l'État, "
        "pour piloter la revitalisation des centres-bourgs avec l'appui du Cerema.",
    ],
    [
        "Un comité de pilotage réunit chaque trimestre les élus, les associations et des habitants "
        "tirés au sort pour arbitrer les actions du programme.",
        "Le tiers-lieu de la gare accueille les porteurs de projets : son animatrice repère les idées "
        "et les met en relation avec les entreprises du territoire.",
    ],
]


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
