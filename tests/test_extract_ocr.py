"""Pages without a text layer: OCR with Tesseract when it is installed,
skipped and reported when it is not."""

import csv

import pytest
from click.testing import CliRunner
from reportlab.lib.pagesizes import A4
from reportlab.lib.utils import ImageReader
from reportlab.pdfgen import canvas

from pipeline.cli import EXIT_SOME_FAILED, main
from pipeline.errors import ExtractionError
from pipeline.extract import extract, ocr
from tests.helpers import write_pdf

TEXT_PAGE = ["La communauté de communes recrute une cheffe de projet pour la revitalisation des centres-bourgs."]
SCANNED = [
    "Le conseil de développement réunit les habitants",
    "et les associations chaque trimestre pour suivre",
    "les actions du projet de territoire.",
]


def scanned_page(tmp_path):
    """An image of a page of text, as a scanner makes, without a text layer."""
    import pypdfium2 as pdfium

    source = tmp_path / "source.pdf"
    pdf = canvas.Canvas(str(source), pagesize=A4)
    pdf.setFont("Helvetica", 16)
    for row, line in enumerate(SCANNED):
        pdf.drawString(60, 760 - 24 * row, line)
    pdf.showPage()
    pdf.save()
    document = pdfium.PdfDocument(source)
    image = document[0].render(scale=200 / 72, grayscale=True).to_pil()
    document.close()
    return image


def write_scan(path, image, text_pages=()):
    """A PDF with the given text pages, then the image as a page of its own."""
    width, height = A4
    pdf = canvas.Canvas(str(path), pagesize=A4)
    for paragraphs in text_pages:
        pdf.setFont("Helvetica", 10)
        for row, paragraph in enumerate(paragraphs):
            pdf.drawString(50, 760 - 26 * row, paragraph)
        pdf.showPage()
    pdf.drawImage(ImageReader(image), 0, 0, width, height)
    pdf.showPage()
    pdf.save()
    return path




@pytest.mark.ocr
def test_scanned_page_is_read_by_tesseract(tmp_path):
    ocr.ocr_unavailable.cache_clear()
    if ocr.ocr_unavailable():
        pytest.skip(ocr.ocr_unavailable())
    pages = extract(write_scan(tmp_path / "scan.pdf", scanned_page(tmp_path), [TEXT_PAGE]))
    assert [p.number for p in pages] == [1, 2]
    assert pages[0].text == TEXT_PAGE[0]
    assert not pages[1].skipped
    words = " ".join(SCANNED).split()
    read = set(pages[1].text.split())
    assert sum(w in read for w in words) / len(words) >= 0.9, pages[1].text


def test_without_tesseract_scanned_pages_are_skipped_and_listed(tmp_path, no_tesseract):
    pages = extract(write_scan(tmp_path / "scan.pdf", scanned_page(tmp_path), [TEXT_PAGE]))
    assert pages[0].text == TEXT_PAGE[0] and not pages[0].skipped
    assert pages[1].text == ""
    assert "Tesseract is not installed" in pages[1].skipped


def test_without_tesseract_a_fully_scanned_pdf_fails_with_its_reason(tmp_path, no_tesseract):
    with pytest.raises(ExtractionError, match="no text layer on any page.*Tesseract is not installed"):
        extract(write_scan(tmp_path / "scan.pdf", scanned_page(tmp_path)))


def test_analyse_lists_skipped_pages_in_errors_csv_and_goes_on(tmp_path, no_tesseract):
    folder = tmp_path / "docs"
    folder.mkdir()
    write_scan(folder / "scan.pdf", scanned_page(tmp_path), [TEXT_PAGE * 3])
    write_pdf(folder / "texte.pdf", [TEXT_PAGE])
    result = CliRunner().invoke(main, ["analyse", str(folder), "-o", str(tmp_path / "out"), "--jobs", "2"])
    assert result.exit_code == EXIT_SOME_FAILED, result.output
    assert "Documents analysés : 2 sur 2" in result.output
    assert result.output.count("Tesseract is not installed") == 1
    with (tmp_path / "out" / "errors.csv").open(encoding="utf-8-sig") as handle:
        errors = list(csv.DictReader(handle))
    assert [(e["document"], e["stage"]) for e in errors] == [("scan.pdf", "ocr")]
    assert errors[0]["message"].startswith("page 2 skipped: no text layer")
