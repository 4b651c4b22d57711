"""The real PDFs of ../shared/pdfs (skipped when ../shared is absent)."""

import re
from collections import Counter

import pytest

from pipeline.extract import extract
from pipeline.extract.text import clean_text


def words(text: str) -> Counter:
    return Counter(re.findall(r"\w+", clean_text(text).lower()))


def test_real_pdfs_keep_every_page_and_all_their_words(shared):
    import pypdfium2 as pdfium

    paths = sorted((shared / "pdfs").glob("*.pdf"))
    if not paths:
        pytest.skip("no PDF in ../shared/pdfs")
    for path in paths:
        document = pdfium.PdfDocument(path)
        count = len(document)
        stream = words(" ".join(document[i].get_textpage().get_text_range() for i in range(count)))
        document.close()
        pages = extract(path)
        assert [p.number for p in pages] == list(range(1, count + 1)), path.name
        ours = words(" ".join(p.text for p in pages))
        # Nothing is invented, and nothing but running headers, footers and
        # page numbers is lost.
        assert not ours - stream, path.name
        assert sum((stream - ours).values()) <= 0.01 * sum(stream.values()) + 2 * count, path.name
