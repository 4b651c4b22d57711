""".docx, .odt, .html, .md and .txt through the same pages → passages model;
bad files; character normalisation; parallel extraction."""

import zipfile

import pytest

from pipeline.errors import ExtractionError
from pipeline.extract import extract, extract_many
from pipeline.extract.text import clean_text
from pipeline.segment import segment
from tests.helpers import STRATEGY_PAGES, write_pdf

INTRO = "La commune compte 2\u202f350 habitants et un tiers-lieu de 120\u00a0m²."
ITEMS = ["un comité de pilotage annuel ;", "un comité technique mensuel."]
ROW = ["Saint-Aubin", "2 350", "Rénovation de l'école"]
GOVERNANCE = "Un comité de pilotage réunit les élus et les habitants tirés au sort."

EXPECTED = [
    f"Diagnostic du territoire\n\n{INTRO}\n\nLe projet repose sur deux instances :\n\n"
    f"• {ITEMS[0]}\n\n• {ITEMS[1]}\n\nCommune | Habitants | Projet\n\n{' | '.join(ROW)}",
    f"Gouvernance\n\n{GOVERNANCE}",
]


def write_docx(path):
    import docx

    document = docx.Document()
    document.add_heading("Diagnostic du territoire", 1)
    document.add_paragraph(INTRO)
    document.add_paragraph("Le projet repose sur deux instances :")
    for item in ITEMS:
        document.add_paragraph(item, style="List Bullet")
    table = document.add_table(rows=2, cols=3)
    for row, values in zip(table.rows, (["Commune", "Habitants", "Projet"], ROW)):
        for cell, value in zip(row.cells, values):
            cell.text = value
    document.add_heading("Gouvernance", 1)
    document.add_paragraph(GOVERNANCE)
    document.save(path)
    return path


def write_odt(path):
    from odf.opendocument import OpenDocumentText
    from odf.table import Table, TableCell, TableColumn, TableRow
    from odf.text import H, List, ListItem, P

    document = OpenDocumentText()
    body = document.text
    body.addElement(H(outlinelevel=1, text="Diagnostic du territoire"))
    body.addElement(P(text=INTRO))
    body.addElement(P(text="Le projet repose sur deux instances :"))
    items = List()
    for text in ITEMS:
        item = ListItem()
        item.addElement(P(text=text))
        items.addElement(item)
    body.addElement(items)
    table = Table()
    table.addElement(TableColumn(numbercolumnsrepeated=3))
    for values in (["Commune", "Habitants", "Projet"], ROW):
        row = TableRow()
        for value in values:
            cell = TableCell()
            cell.addElement(P(text=value))
            row.addElement(cell)
        table.addElement(row)
    body.addElement(table)
    body.addElement(H(outlinelevel=1, text="Gouvernance"))
    body.addElement(P(text=GOVERNANCE))
    document.save(str(path))
    return path


def write_html(path):
    path.write_text(
        "<!doctype html><html><head><meta charset='utf-8'><title>Titre</title>"
        "<style>p { color: red }</style><script>var x = 1;</script></head><body>"
        "<h1>Diagnostic du territoire</h1>"
        f"<p>{INTRO.replace(chr(0xa0), '&nbsp;')}</p><p>Le projet repose sur deux\n   instances :</p>"
        f"<ul><li>{ITEMS[0]}</li><li><b>{ITEMS[1]}</b></li></ul>"
        f"<table><tr><th>Commune</th><th>Habitants</th><th>Projet</th></tr>"
        f"<tr>{''.join(f'<td>{v}</td>' for v in ROW)}</tr></table>"
        f"<h1>Gouvernance</h1><p>{GOVERNANCE}</p></body></html>", "utf-8")
    return path


def write_markdown(path):
    path.write_text(
        f"# Diagnostic du territoire\n\n{INTRO}\n\nLe projet repose sur **deux instances** :\n\n"
        f"- {ITEMS[0]}\n- {ITEMS[1]}\n\n| Commune | Habitants | Projet |\n|---|---|---|\n| {' | '.join(ROW)} |\n\n"
        f"# Gouvernance\n\n{GOVERNANCE}\n", "utf-8")
    return path


@pytest.mark.parametrize("write, name", [
    (write_docx, "doc.docx"), (write_odt, "doc.odt"), (write_html, "doc.html"), (write_markdown, "doc.md"),
])
def test_documents_without_pages_become_sections(tmp_path, write, name):
    pages = extract(write(tmp_path / name))
    assert [(p.number, p.text) for p in pages] == list(enumerate(EXPECTED, 1))


def test_text_files_keep_their_form_feed_pages_and_lists(tmp_path, nlp):
    path = tmp_path / "notes.txt"
    text = f"{INTRO}\nSuite du paragraphe.\n\n- {ITEMS[0]}\n- {ITEMS[1]}\n\f{GOVERNANCE}\n"
    path.write_bytes(text.encode("cp1252", "replace"))
    pages = extract(path)
    assert [p.number for p in pages] == [1, 2]
    assert pages[1].text == GOVERNANCE
    passages = segment(pages, "notes.txt", nlp)
    assert [p.page for p in passages] == [1, 1, 1, 2]
    assert passages[1].text.endswith(ITEMS[0]) and passages[2].text.endswith(ITEMS[1])


def test_word_page_breaks_are_pages(tmp_path):
    import docx
    from docx.enum.text import WD_BREAK

    document = docx.Document()
    document.add_paragraph(INTRO)
    document.add_paragraph().add_run().add_break(WD_BREAK.PAGE)
    document.add_paragraph(GOVERNANCE)
    path = tmp_path / "pages.docx"
    document.save(path)
    assert [(p.number, p.text) for p in extract(path)] == [(1, INTRO), (2, GOVERNANCE)]


@pytest.mark.parametrize("name, content, reason", [
    ("faux.docx", b"Ceci n'est pas un document Word.", "not a Word document .*not a zip"),
    ("archive.docx", None, "no word/document.xml"),
    ("tronque.odt", b"PK\x03\x04\x14\x00\x00\x00", "not an OpenDocument text .*not a zip"),
    ("vide.txt", b"", "empty file"),
    ("blanc.md", b"\n\n   \n", "empty file"),
    ("protege.docx", b"\xd0\xcf\x11\xe0\xa1\xb1\x1a\xe1" + bytes(500), "encrypted document or an old binary format"),
])
def test_bad_documents_raise_a_clear_reason(tmp_path, name, content, reason):
    path = tmp_path / name
    if content is None:
        with zipfile.ZipFile(path, "w") as archive:
            archive.writestr("mimetype", "application/zip")
    else:
        path.write_bytes(content)
    with pytest.raises(ExtractionError, match=reason):
        extract(path)


def test_characters_are_normalised_without_nfkc():
    assert clean_text("l’e\ufb03cacité, la \ufb01lière, le \ufb02ux") == "l’efficacité, la filière, le flux"
    assert clean_text("dévelop\u00adpement\u200b durable\u2003ici") == "développement durable ici"
    # NFKC would turn these into a plain space and "m2".
    assert clean_text("2\u202f350 habitants, 120\u00a0m²") == "2\u202f350 habitants, 120\u00a0m²"
    assert clean_text("e\u0301cole") == "école"  # combining accents are composed
    assert clean_text("\uf0b7 point") == "• point"  # a symbol font's bullet


def test_extract_many_keeps_the_order_and_goes_on_after_bad_files(tmp_path):
    paths = []
    for i in range(5):
        paths.append(write_pdf(tmp_path / f"doc{i}.pdf", STRATEGY_PAGES))
        bad = tmp_path / f"bad{i}.pdf"
        bad.write_bytes(b"%PDF-1.4 tronque")
        paths.append(bad)
    results = list(extract_many(paths, jobs=2))
    assert [path for path, _, _ in results] == paths
    for path, pages, seconds in results:
        if path.name.startswith("bad"):
            assert isinstance(pages, ExtractionError) and "corrupt or truncated" in str(pages)
        else:
            assert [p.number for p in pages] == [1, 2] and seconds > 0


def test_bad_files_are_one_line_each_in_errors_csv_and_the_batch_goes_on(tmp_path):
    import csv

    from click.testing import CliRunner

    from pipeline.cli import EXIT_SOME_FAILED, main

    folder = tmp_path / "docs"
    folder.mkdir()
    write_docx(folder / "bon.docx")
    (folder / "faux.docx").write_text("Ceci n'est pas un document Word.", encoding="utf-8")
    with zipfile.ZipFile(folder / "archive.docx", "w") as archive:
        archive.writestr("notes.txt", "une archive, pas un document")
    write_pdf(folder / "secret.pdf", STRATEGY_PAGES, encrypt="motdepasse")
    good = write_pdf(tmp_path / "entier.pdf", STRATEGY_PAGES)
    (folder / "tronque.pdf").write_bytes(good.read_bytes()[:900])
    (folder / "~$bon.docx").write_bytes(b"\x00" * 162)  # Word's lock file: not a document

    result = CliRunner().invoke(main, ["analyse", str(folder), "-o", str(tmp_path / "out"), "--jobs", "2"])
    assert result.exit_code == EXIT_SOME_FAILED, result.output
    assert "Documents analysés : 1 sur 5" in result.output
    with (tmp_path / "out" / "errors.csv").open(encoding="utf-8-sig") as handle:
        errors = {row["document"]: row["message"] for row in csv.DictReader(handle)}
    assert sorted(errors) == ["archive.docx", "faux.docx", "secret.pdf", "tronque.pdf"]
    assert "encrypted with a password" in errors["secret.pdf"]
    assert "not a zip archive" in errors["faux.docx"]
