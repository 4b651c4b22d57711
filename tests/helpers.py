"""What several test modules share: where things are, and files the tests write themselves."""

from __future__ import annotations

from pathlib import Path

from reportlab.lib.pagesizes import A4
from reportlab.pdfgen import canvas

REPO = Path(__file__).resolve().parent.parent
SHARED = REPO.parent / "shared"
# A paragraph that the hostile files (long lines, NUL bytes, odd names) are made of.
PARAGRAPH = ("Le plateau du Vernadou s'étend sur douze communes. La communauté de communes recrute une cheffe de "
             "projet pour la revitalisation des centres-bourgs, avec un comité de pilotage ouvert aux habitants.")


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


# Hostile files: what a shared drive holds besides good documents. Each is
# small on disk; the tests that use them check what leviers makes of them.

def raw_pdf(objects: list[bytes]) -> bytes:
    """A PDF from its numbered objects (object 1 is the catalog), with a correct xref table."""
    out = bytearray(b"%PDF-1.4\n%\xe2\xe3\xcf\xd3\n")
    offsets = []
    for number, body in enumerate(objects, 1):
        offsets.append(len(out))
        out += b"%d 0 obj\n" % number + body + b"\nendobj\n"
    xref = len(out)
    out += b"xref\n0 %d\n0000000000 65535 f \n" % (len(objects) + 1)
    out += b"".join(b"%010d 00000 n \n" % offset for offset in offsets)
    out += b"trailer\n<< /Size %d /Root 1 0 R >>\nstartxref\n%d\n%%%%EOF\n" % (len(objects) + 1, xref)
    return bytes(out)


def write_page_tree_loop_pdf(path: Path) -> Path:
    """A PDF whose page tree refers back to itself."""
    content = b"BT /F1 12 Tf 50 700 Td (Le plateau du Vernadou) Tj ET"
    path.write_bytes(raw_pdf([
        b"<< /Type /Catalog /Pages 2 0 R >>",
        b"<< /Type /Pages /Kids [4 0 R] /Count 3 >>",
        b"<< /Type /Page /Parent 4 0 R /MediaBox [0 0 595 842] /Resources << /Font << /F1 5 0 R >> >> "
        b"/Contents 6 0 R >>",
        b"<< /Type /Pages /Kids [2 0 R 3 0 R] /Parent 2 0 R /Count 3 >>",
        b"<< /Type /Font /Subtype /Type1 /BaseFont /Helvetica >>",
        b"<< /Length %d >>\nstream\n%s\nendstream" % (len(content), content),
    ]))
    return path


def write_pdf_without_unicode_map(path: Path, lines: list[str]) -> Path:
    """A PDF in an embedded TrueType font whose ToUnicode map is taken out, as
    some publishing tools write them: the glyphs display right, but pdfium
    cannot tell which letters the accented ones are."""
    import reportlab
    from reportlab.pdfbase import pdfmetrics
    from reportlab.pdfbase.ttfonts import TTFont

    pdfmetrics.registerFont(TTFont("Vera", str(Path(reportlab.__file__).parent / "fonts" / "Vera.ttf")))
    pdf = canvas.Canvas(str(path), pagesize=A4, pageCompression=0)
    pdf.setFont("Vera", 11)
    for row, line in enumerate(lines):
        pdf.drawString(50, 760 - 16 * row, line)
    pdf.showPage()
    pdf.save()
    data = path.read_bytes()
    assert data.count(b"/ToUnicode") == 1
    path.write_bytes(data.replace(b"/ToUnicode", b"/NoUnicode"))  # same length: the xref holds
    return path


def write_docx_bomb(path: Path, inflated: int = 100 << 20, declared: int | None = 4096) -> Path:
    """A .docx whose word/document.xml inflates to `inflated` bytes (a few
    hundred KiB on disk) and, unless `declared` is None, declares that size instead."""
    import struct
    import zipfile

    head = (b'<?xml version="1.0" encoding="UTF-8"?><w:document xmlns:w="http://schemas.openxmlformats.org/'
            b'wordprocessingml/2006/main"><w:body><w:p><w:r><w:t>')
    tail = b"</w:t></w:r></w:p></w:body></w:document>"
    with zipfile.ZipFile(path, "w", zipfile.ZIP_DEFLATED) as archive:
        archive.writestr("[Content_Types].xml", "<Types/>")
        with archive.open("word/document.xml", "w") as member:
            member.write(head)
            block = b" " * (1 << 20)
            for _ in range((inflated - len(head) - len(tail)) // len(block)):
                member.write(block)
            member.write(tail)
    if declared is not None:
        data = bytearray(path.read_bytes())
        entry = data.index(b"PK\x01\x02")
        while True:  # the central directory's entry for document.xml
            name_length = struct.unpack_from("<H", data, entry + 28)[0]
            if data[entry + 46:entry + 46 + name_length] == b"word/document.xml":
                break
            entry = data.index(b"PK\x01\x02", entry + 4)
        struct.pack_into("<I", data, entry + 24, declared)
        path.write_bytes(bytes(data))
    return path


def write_report_with_narrow_margin(path: Path, pages: int = 100) -> Path:
    """A long report whose pages each open, 2 cm from the top, with their own
    heading set apart from the text: no running header at all."""
    width, height = A4
    pdf = canvas.Canvas(str(path), pagesize=A4)
    for number in range(1, pages + 1):
        pdf.setFont("Helvetica", 10)
        pdf.drawString(57, height - 57, heading(number))
        y = height - 100
        for line in BODY_LINES:
            pdf.drawString(57, y, line)
            y -= 13
        pdf.drawRightString(width - 57, 30, str(number))
        pdf.showPage()
    pdf.save()
    return path


def heading(number: int) -> str:
    """A heading of its own for each page up to 1,050 (numbers are not told apart)."""
    places = len(HEADINGS) * len(COMMUNES)
    return (f"{HEADINGS[number % len(HEADINGS)]} à {COMMUNES[number // len(HEADINGS) % len(COMMUNES)]}, "
            f"{PHASES[number // places % len(PHASES)]}")


PHASES = ["diagnostic", "concertation", "programmation", "chiffrage", "travaux", "inauguration", "évaluation",
          "bilan", "suite", "archives"]


COMMUNES = ["Saint-Aubin", "Val-d'Arbois", "Vernadou", "Haut-Vernet", "Montbrison", "Lavaur", "Figeac",
            "Riom", "Tulle", "Millau", "Guéret", "Mende", "Aurillac", "Privas", "Digne"]
HEADINGS = ["Mobilité solidaire", "Revitalisation du centre-bourg", "Tiers-lieu numérique",
            "Maison de santé", "Chaufferie bois-énergie", "Habitat inclusif", "Commerce de proximité"]
BODY_LINES = [
    "La communauté de communes soutient ce projet avec l'appui d'une cheffe de projet cofinancée",
    "par l'État, et un comité de pilotage réunit chaque trimestre les élus et les habitants.",
]
