"""Reading order, furniture, hyphenation and tables on PDFs with known text.

Each fixture draws paragraphs whose text the test knows, in one, two or
three columns, in the usual drawing order or line by line across the columns
(so that the content stream's order is wrong), with running headers, footers
and page numbers. The extracted text is scored: order of consecutive
paragraphs, completeness of words, and no paragraph holding text of two.
"""

import re

import pytest
from reportlab.lib.pagesizes import A4
from reportlab.pdfbase.pdfmetrics import stringWidth
from reportlab.pdfgen import canvas

from pipeline.extract import extract
from pipeline.segment import segment
from pipeline.types import REGION_END

SUBJECTS = [
    "La communauté de communes du Haut-Vernet", "Le syndicat mixte du pays de Brocéliande",
    "La commune nouvelle de Val-d'Arbois", "Le pôle d'équilibre territorial du Ségala",
    "La métropole rurale de Saint-Aubin", "Le conseil de développement de la vallée",
    "L'association des maires du canton", "Le parc naturel régional des Causses",
    "La régie de territoire du bocage", "Le tiers-lieu de la gare de Montbrison",
    "La maison France Services de Lunel", "Le groupement d'employeurs agricoles",
]
ACTIONS = [
    "recrute une cheffe de projet pour animer la revitalisation des centres-bourgs",
    "ouvre un guichet unique qui accompagne les porteurs de projets pendant deux ans",
    "réunit chaque trimestre les élus, les associations et des habitants tirés au sort",
    "mutualise un poste d'ingénieur avec les intercommunalités voisines du département",
    "finance la rénovation thermique des écoles avec le fonds vert et la région",
    "expérimente un transport solidaire conduit par des bénévoles formés",
    "organise des ateliers de concertation sur le plan local d'urbanisme",
    "mesure chaque année trois indicateurs publiés sur son site internet",
]


def paragraphs(count: int, seed: int = 0) -> list[str]:
    """Distinct French paragraphs of three to five sentences."""
    out = []
    for i in range(count):
        k = i + seed
        sentences = [
            f"{SUBJECTS[(k + j) % len(SUBJECTS)]} {ACTIONS[(k * 3 + j) % len(ACTIONS)]} (action {k + 1}.{j + 1})."
            for j in range(3 + k % 3)
        ]
        out.append(" ".join(sentences))
    return out


def wrap(text: str, width: float, size: float = 10) -> list[str]:
    lines, line = [], ""
    for word in text.split():
        candidate = f"{line} {word}".strip()
        if line and stringWidth(candidate, "Helvetica", size) > width:
            lines.append(line)
            line = word
        else:
            line = candidate
    return lines + [line]


def write_columns(path, texts, columns: int, crossing: bool = False, justify: bool = False,
                  title: str | None = None, header: str | None = None, top: float = A4[1] - 90):
    """Paragraphs flowed through `columns` columns over as many pages as they
    take; a text "\\f" starts a new page.

    With `crossing`, each page's lines are drawn row by row across the
    columns, so the content stream interleaves them. With `justify`, lines
    are stretched to the column width (wide spaces inside a line)."""
    width, height = A4
    margin, gutter, leading = 50, 24, 13
    column_width = (width - 2 * margin - (columns - 1) * gutter) / columns
    flow: list = []  # (line, stretched?), None between paragraphs, "\f" at a page break
    for text in texts:
        lines = wrap(text, column_width) if text != "\f" else []
        flow += [(line, i < len(lines) - 1) for i, line in enumerate(lines)] + [None if lines else "\f"]
    rows = int((top - 60) / leading)
    pdf = canvas.Canvas(str(path), pagesize=A4)
    position, number = 0, 0
    while position < len(flow):
        number += 1
        if header:
            pdf.setFont("Helvetica", 8)
            pdf.drawString(margin, height - 35, header)
            pdf.drawRightString(width - margin, 30, f"Page {number}")
        first_row = 0
        if title and number == 1:
            pdf.setFont("Helvetica-Bold", 16)
            pdf.drawString(margin, top, title)
            first_row = 3
        cells = []  # (row, column, (line, stretched?)) of this page
        column, row = 0, first_row
        while position < len(flow) and column < columns:
            item = flow[position]
            position += 1
            if item == "\f":
                break
            if item is not None:
                cells.append((row, column, item))
            if item is not None or row > first_row:  # no blank line at a column's top
                row += 1
            if row >= rows:
                column, row = column + 1, first_row
        cells.sort(key=(lambda c: (c[0], c[1])) if crossing else (lambda c: (c[1], c[0])))
        for row, column, (line, stretched) in cells:
            text = pdf.beginText(margin + column * (column_width + gutter), top - row * leading)
            text.setFont("Helvetica", 10)
            if justify and stretched and line.count(" "):
                text.setWordSpace((column_width - stringWidth(line, "Helvetica", 10)) / line.count(" "))
            text.textLine(line)
            pdf.drawText(text)
        pdf.showPage()
    pdf.save()
    return path


def normalise(text: str) -> str:
    return re.sub(r"\s+", " ", text.replace("-\n", "-")).strip()


def score(pages, expected: list[str]) -> dict:
    """Order of consecutive paragraphs, completeness of words, and the
    extracted paragraphs that are not part of one expected paragraph."""
    extracted = [normalise(b) for p in pages for b in p.text.split("\n\n") if b.strip()]
    whole = " ".join(extracted)
    # A paragraph is found by its first sentence, unique by its action number.
    positions = [whole.find(normalise(text).split(")")[0]) for text in expected]
    ordered = sum(0 <= a < b for a, b in zip(positions, positions[1:]))
    expected_words = " ".join(expected).split()
    found = set(whole.split())
    return {
        "order": ordered / (len(expected) - 1),
        "completeness": sum(w in found for w in expected_words) / len(expected_words),
        "mixed": [b for b in extracted if not any(b in normalise(text) for text in expected)],
    }


LAYOUTS = {
    "one column": {"columns": 1},
    "two columns": {"columns": 2},
    "three columns": {"columns": 3},
    "two columns drawn across": {"columns": 2, "crossing": True},
    "three columns drawn across": {"columns": 3, "crossing": True},
    "two justified columns drawn across": {"columns": 2, "crossing": True, "justify": True},
}


@pytest.mark.parametrize("layout", LAYOUTS)
def test_reading_order_and_completeness(tmp_path, layout):
    options = LAYOUTS[layout]
    texts = paragraphs(24)
    title = "Projet de territoire 2030 du Haut-Vernet"
    path = write_columns(tmp_path / "doc.pdf", texts, title=title, header="Projet de territoire — synthèse", **options)
    pages = extract(path)
    result = score(pages, [title] + texts)
    assert result["order"] >= 0.98, result
    assert result["completeness"] >= 0.99, result
    assert result["mixed"] == []
    assert pages[0].text.startswith(title)


def test_no_running_header_footer_or_page_number_is_left(tmp_path):
    header = "Projet de territoire — synthèse"
    path = write_columns(tmp_path / "doc.pdf", paragraphs(24), columns=2, header=header)
    pages = extract(path)
    for page in pages:
        assert header not in page.text
        assert not re.search(r"Page \d+", page.text)
        assert not any(re.fullmatch(r"\d+", line.strip()) for line in page.text.splitlines())


def test_a_paragraph_opening_like_another_page_is_kept(tmp_path):
    """The same text at the top of two pages, in the header's band, but it is
    body text: its next line follows at the usual spacing."""
    opening = paragraphs(1)[0]
    path = write_columns(tmp_path / "doc.pdf", [opening, *paragraphs(3, 1), "\f", opening, *paragraphs(3, 20)],
                         columns=1, header="Projet de territoire — synthèse", top=A4[1] - 70)
    pages = extract(path)
    assert len(pages) == 2
    assert all(normalise(page.text).startswith(normalise(opening)) for page in pages)


HYPHENATED_LINES = [
    ("Le projet de territoire vise le dévelop-", "pement des services de proximité dans les"),
    ("communes rurales, avec une chaufferie bois-", "énergie partagée entre les écoles et la"),
    ("maison de santé de la communauté de Saint-", "Malo, qui pourra peut-"),
    ("être accueillir une nouvelle intercommu-", "nalité à partir de janvier prochain, et les"),
    ("centres-bourgs seront revitalisés par les", "centres-bourgs voisins et leurs tiers-lieux."),
]


def test_french_hyphenation_is_repaired_and_compounds_keep_their_hyphen(tmp_path, nlp):
    path = tmp_path / "hyphens.pdf"
    pdf = canvas.Canvas(str(path), pagesize=A4)
    pdf.setFont("Helvetica", 10)
    y = 760
    for pair in HYPHENATED_LINES:
        for line in pair:
            pdf.drawString(60, y, line)
            y -= 13
    pdf.showPage()
    pdf.save()
    text = " ".join(p.text for p in segment(extract(path), "hyphens.pdf", nlp))
    for word in ("développement", "bois-énergie", "Saint-Malo", "peut-être", "intercommunalité", "centres-bourgs"):
        assert word in text, (word, text)
    for damaged in ("dévelop-pement", "boisénergie", "SaintMalo", "peutêtre", "intercommu-nalité", "- "):
        assert damaged not in text, (damaged, text)


def test_table_rows_are_read_as_text_cell_by_cell(tmp_path):
    from reportlab.lib import colors
    from reportlab.lib.styles import getSampleStyleSheet
    from reportlab.platypus import Paragraph, SimpleDocTemplate, Table, TableStyle

    style = getSampleStyleSheet()["BodyText"]
    rows = [
        ["Commune", "Habitants", "Projet"],
        ["Saint-Aubin", "2 350", Paragraph("Rénovation de l'école et création d'un tiers-lieu numérique", style)],
        ["Val-d'Arbois", "9 400", "Maison de santé pluriprofessionnelle"],
    ]
    table = Table(rows, colWidths=[120, 70, 160])
    table.setStyle(TableStyle([("GRID", (0, 0), (-1, -1), 0.5, colors.black)]))
    path = tmp_path / "table.pdf"
    SimpleDocTemplate(str(path)).build([Paragraph("Les projets retenus sont les suivants.", style), table,
                                        Paragraph("Le comité valide cette liste.", style)])
    assert extract(path)[0].text.split("\n\n") == [
        "Les projets retenus sont les suivants.",
        REGION_END,  # the table is a region of its own: no heading carries into it
        "Commune | Habitants | Projet",
        "Saint-Aubin | 2 350 | Rénovation de l'école et création d'un tiers-lieu numérique",
        "Val-d'Arbois | 9 400 | Maison de santé pluriprofessionnelle",
        REGION_END,
        "Le comité valide cette liste.",
    ]


def test_bullets_stay_with_their_items(tmp_path):
    lines = [
        ("•", "un comité de pilotage annuel qui réunit les élus,"),
        ("", "les partenaires financeurs et les habitants ;"),
        ("•", "un comité technique mensuel."),
    ]
    path = tmp_path / "list.pdf"
    pdf = canvas.Canvas(str(path), pagesize=A4)
    pdf.setFont("Helvetica", 10)
    pdf.drawString(60, 760, "Le projet repose sur deux instances :")
    for row, (bullet, text) in enumerate(lines):
        pdf.drawString(60, 747 - 13 * row, bullet)
        pdf.drawString(80, 747 - 13 * row, text)
    pdf.showPage()
    pdf.save()
    assert extract(path)[0].text.split("\n\n") == [
        "Le projet repose sur deux instances :",
        f"• {lines[0][1]}\n{lines[1][1]}",
        f"• {lines[2][1]}",
    ]


@pytest.mark.parametrize("rotation", [90, 180, 270])
def test_rotated_pages_read_as_displayed(tmp_path, rotation):
    """A page whose /Rotate turns text drawn sideways upright on screen."""
    lines = ["Première ligne en haut de la page affichée.", "Deuxième ligne juste en dessous."]
    width, height = A4
    path = tmp_path / "rotated.pdf"
    pdf = canvas.Canvas(str(path), pagesize=A4)
    pdf.setPageRotation(rotation)
    # Move the origin to the displayed page's top left corner, x to the right.
    corner = {90: (0, 0), 180: (width, 0), 270: (width, height)}[rotation]
    pdf.translate(*corner)
    pdf.rotate({90: 90, 180: 180, 270: -90}[rotation])
    pdf.setFont("Helvetica", 10)
    for row, line in enumerate(lines):
        pdf.drawString(50, -80 - 13 * row, line)
    pdf.showPage()
    pdf.save()
    assert extract(path)[0].text == "\n".join(lines)
