"""What several test modules share: where things are, and files the tests write themselves."""

from __future__ import annotations

from pathlib import Path

from reportlab.lib.pagesizes import A4
from reportlab.pdfgen import canvas

REPO = Path(__file__).resolve().parent.parent
SHARED = REPO.parent / "shared"


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
