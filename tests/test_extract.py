import pytest

from pipeline.errors import ExtractionError
from pipeline.extract import extract
from tests.helpers import STRATEGY_PAGES


def test_pages_keep_their_numbers_and_paragraphs(make_pdf):
    pages = extract(make_pdf("doc.pdf", STRATEGY_PAGES))
    assert [p.number for p in pages] == [1, 2]
    paragraphs = pages[1].text.split("\n\n")
    assert len(paragraphs) == 2
    assert paragraphs[0].startswith("Un comité de pilotage")
    assert "tiers-lieu de la gare" in paragraphs[1]


def test_running_header_and_page_numbers_are_removed(make_pdf):
    pages = extract(make_pdf("doc.pdf", STRATEGY_PAGES * 2, header="Projet de territoire 2030"))
    for page in pages:
        assert "Projet de territoire 2030" not in page.text
        assert not any(line.strip().isdigit() for line in page.text.splitlines())
    # The body text, including a title that looks like a heading, is kept.
    assert pages[0].text.startswith("Projet de territoire de la communauté de communes")


def test_unmapped_bullet_glyphs_become_bullets(make_pdf, tmp_path):
    from reportlab.lib.styles import getSampleStyleSheet
    from reportlab.platypus import ListFlowable, ListItem, Paragraph, SimpleDocTemplate

    style = getSampleStyleSheet()["BodyText"]
    path = tmp_path / "list.pdf"
    items = [ListItem(Paragraph(t, style)) for t in ("premier point de la liste", "second point")]
    SimpleDocTemplate(str(path)).build([ListFlowable(items, bulletType="bullet", start="•")])
    text = extract(path)[0].text
    assert "(cid:" not in text
    assert "premier point de la liste" in text


@pytest.mark.parametrize(
    "content, reason",
    [
        (b"", "empty file"),
        (b"Bonjour, ceci est un texte.", "not a PDF"),
        (b"%PDF-1.4\n1 0 obj\n<< /Type /Catalog", "corrupt or truncated"),
    ],
)
def test_unreadable_files_raise_a_clear_reason(tmp_path, content, reason):
    path = tmp_path / "bad.pdf"
    path.write_bytes(content)
    with pytest.raises(ExtractionError, match=reason):
        extract(path)


def test_truncated_pdf(make_pdf):
    path = make_pdf("doc.pdf", STRATEGY_PAGES)
    path.write_bytes(path.read_bytes()[:700])
    with pytest.raises(ExtractionError, match="corrupt or truncated"):
        extract(path)


def test_password_protected_pdf(make_pdf):
    path = make_pdf("secret.pdf", STRATEGY_PAGES, encrypt="motdepasse")
    with pytest.raises(ExtractionError, match="encrypted with a password"):
        extract(path)


def test_pdf_without_text_layer(tmp_path):
    from reportlab.pdfgen import canvas

    path = tmp_path / "scan.pdf"
    pdf = canvas.Canvas(str(path))
    pdf.rect(50, 50, 200, 200, fill=1)  # a drawing, no text
    pdf.showPage()
    pdf.save()
    with pytest.raises(ExtractionError, match="no text layer"):
        extract(path)


def test_unsupported_suffix(tmp_path):
    path = tmp_path / "notes.xyz"
    path.write_text("x")
    with pytest.raises(ExtractionError, match="unsupported file type"):
        extract(path)
