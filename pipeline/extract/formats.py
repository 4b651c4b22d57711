"""Documents other than PDF: .docx, .odt, .html, .md, .txt → pages.

Each reader turns its file into a list of blocks: paragraphs (list items
prefixed with a bullet, table rows with cells separated by ' | '), headings
and page breaks. Pages are cut at the page breaks the file records (Word's
and LibreOffice's last layout, form feeds in text); a file without them is
cut into sections at its top-level headings, numbered like pages.
"""

from __future__ import annotations

import re
import zipfile
import zlib
from collections.abc import Iterator
from html.parser import HTMLParser
from pathlib import Path
from xml.etree import ElementTree

from ..errors import ExtractionError
from ..types import BULLET, Page
from .text import clean_text

# An archive member that inflates to more than this is refused (a zip bomb):
# the largest real documents' XML is a few tens of MiB, and its parsed tree
# takes a few times its size.
MAX_XML_BYTES = 64 << 20
PAGE_BREAK = ("break", "")

W = "{http://schemas.openxmlformats.org/wordprocessingml/2006/main}"
MC_FALLBACK = "{http://schemas.openxmlformats.org/markup-compatibility/2006}Fallback"
TEXT = "{urn:oasis:names:tc:opendocument:xmlns:text:1.0}"
TABLE = "{urn:oasis:names:tc:opendocument:xmlns:table:1.0}"
OFFICE = "{urn:oasis:names:tc:opendocument:xmlns:office:1.0}"

WORD, ODT = "a Word document (.docx)", "an OpenDocument text (.odt)"
Block = tuple[str, str]  # ("p" | "h1".."h6" | "break", text)


def read_text_document(path: Path) -> list[Page]:
    try:
        data = path.read_bytes()
    except OSError as exc:
        raise ExtractionError(f"cannot read the file ({exc.strerror})") from exc
    if not data.strip():
        raise ExtractionError("empty file (0 bytes)" if not data else "empty file (only spaces)")
    suffix = path.suffix.lower()
    if suffix == ".docx":
        blocks = _docx(data)
    elif suffix == ".odt":
        blocks = _odt(data)
    elif suffix in (".html", ".htm"):
        blocks = _html(_decode(data, html=True))
    elif suffix == ".md":
        blocks = _markdown(_decode(data))
    else:
        blocks = _plain(_decode(data))
    pages = _pages(blocks)
    if not any(page.text for page in pages):
        raise ExtractionError("no text in the document")
    return pages


def _pages(blocks: list[Block]) -> list[Page]:
    if not any(kind == "break" for kind, _ in blocks):
        levels = sorted({kind for kind, _ in blocks if kind.startswith("h")})
        top = levels[0] if levels else None
        blocks = [b for kind, text in blocks for b in ([PAGE_BREAK] if kind == top else []) + [(kind, text)]]
    pages: list[list[str]] = [[]]
    for kind, text in blocks:
        if kind == "break":
            if pages[-1]:
                pages.append([])
        else:
            text = clean_text(text).strip()
            if text:
                pages[-1].append(text)
    return [Page(number, "\n\n".join(texts)) for number, texts in enumerate(pages, 1)]


def _decode(data: bytes, html: bool = False) -> str:
    if html:
        declared = re.search(rb"""<meta[^>]+charset=["']?([\w-]+)""", data[:4096], re.I)
        if declared:
            try:
                return data.decode(declared.group(1).decode("ascii"), errors="replace")
            except LookupError:
                pass
    if data[:2] in (b"\xff\xfe", b"\xfe\xff"):  # Windows Notepad's "Unicode"
        return data.decode("utf-16", errors="replace")
    try:
        return data.decode("utf-8-sig")
    except UnicodeDecodeError:
        # French text that is not UTF-8 is nearly always Windows-1252.
        return data.decode("cp1252", errors="replace")


def _zip_member(data: bytes, name: str, kind: str) -> ElementTree.Element:
    """Parse one XML member of an office document's zip archive."""
    import io

    if data[:8] == b"\xd0\xcf\x11\xe0\xa1\xb1\x1a\xe1":
        raise ExtractionError(f"not {kind}: an encrypted document or an old binary format renamed")
    try:
        archive = zipfile.ZipFile(io.BytesIO(data))
    except zipfile.BadZipFile as exc:
        raise ExtractionError(f"not {kind} (not a zip archive: {exc}); a file of another type renamed?") from exc
    except (OSError, EOFError, ValueError, NotImplementedError) as exc:
        raise ExtractionError(f"corrupt file ({exc})"[:300]) from exc
    try:
        with archive:
            try:
                info = archive.getinfo(name)
            except KeyError:
                raise ExtractionError(f"not {kind}: the zip archive has no {name}") from None
            return _parse_bounded(archive, info)
    except (zipfile.BadZipFile, zlib.error) as exc:  # a damaged member, or a size that lies
        raise ExtractionError(f"corrupt file ({exc})"[:300]) from exc
    except ElementTree.ParseError as exc:
        raise ExtractionError(f"corrupt file ({name}: {exc})") from exc
    except (OSError, EOFError, ValueError, NotImplementedError) as exc:
        raise ExtractionError(f"corrupt file ({exc})"[:300]) from exc


def _parse_bounded(archive: zipfile.ZipFile, info: zipfile.ZipInfo) -> ElementTree.Element:
    """Parse a member while it is decompressed, and stop once MAX_XML_BYTES
    came out: the size the archive declares is not trusted (a zip bomb lies),
    and reading the whole member at once would inflate it all in one call."""
    parser = ElementTree.XMLParser()
    size = 0
    with archive.open(info) as member:
        while chunk := member.read(1 << 20):
            size += len(chunk)
            if size > MAX_XML_BYTES:
                raise ExtractionError(f"{info.filename} inflates to over {MAX_XML_BYTES >> 20} MiB: "
                                      "refused as a decompression bomb")
            parser.feed(chunk)
    return parser.close()


def _docx(data: bytes) -> list[Block]:
    body = _zip_member(data, "word/document.xml", WORD).find(f"{W}body")
    if body is None:
        raise ExtractionError("corrupt file: word/document.xml has no body")
    try:
        styles = _zip_member(data, "word/styles.xml", WORD)
    except ExtractionError:
        styles = None
    return list(_docx_blocks(body, _docx_styles(styles)))


def _docx_styles(styles: ElementTree.Element | None) -> dict[str, int]:
    """Style id → heading level (from outline levels or names), or 0 for a
    list style (numbered or bulleted)."""
    levels: dict[str, int] = {}
    for style in styles.iter(f"{W}style") if styles is not None else ():
        if style.find(f"{W}pPr/{W}numPr") is not None:
            levels[style.get(f"{W}styleId", "")] = 0
            continue
        outline = style.find(f"{W}pPr/{W}outlineLvl")
        name = style.find(f"{W}name")
        match = re.fullmatch(r"(?:heading|titre)\s*(\d)", (name.get(f"{W}val", "") if name is not None else "").lower())
        level = outline.get(f"{W}val", "9") if outline is not None else "9"
        if level.isdigit() and int(level) < 9:
            levels[style.get(f"{W}styleId", "")] = int(level) + 1
        elif match:
            levels[style.get(f"{W}styleId", "")] = int(match.group(1))
        elif name is not None and name.get(f"{W}val", "").lower() == "title":
            levels[style.get(f"{W}styleId", "")] = 1
    return levels


def _docx_blocks(parent: ElementTree.Element, headings: dict[str, int]) -> Iterator[Block]:
    for element in parent:
        if element.tag == f"{W}p":
            yield from _docx_paragraph(element, headings)
        elif element.tag == f"{W}tbl":
            for row in element.iter(f"{W}tr"):
                cells = [" ".join(_docx_text(p) for p in cell.iter(f"{W}p")).strip() for cell in row.findall(f"{W}tc")]
                yield "p", " | ".join(c for c in cells if c)
        elif element.tag == f"{W}sdt":
            content = element.find(f"{W}sdtContent")
            if content is not None:
                yield from _docx_blocks(content, headings)


def _docx_paragraph(paragraph: ElementTree.Element, headings: dict[str, int]) -> Iterator[Block]:
    properties = paragraph.find(f"{W}pPr")
    kind, prefix = "p", ""
    if properties is not None:
        style = properties.find(f"{W}pStyle")
        level = headings.get(style.get(f"{W}val", "") if style is not None else "")
        if level:
            kind = f"h{min(level, 6)}"
        elif level == 0 or properties.find(f"{W}numPr") is not None:
            prefix = "• "
        if properties.find(f"{W}pageBreakBefore") is not None:
            yield PAGE_BREAK
    # Text up to each page break belongs to the page before it.
    for i, part in enumerate(_docx_text(paragraph, breaks=True).split("\f")):
        if i:
            yield PAGE_BREAK
        if part.strip():
            yield kind, prefix + part.strip()


def _docx_text(element: ElementTree.Element, breaks: bool = False) -> str:
    """A paragraph's text; with `breaks`, page breaks as form feeds."""
    out: list[str] = []

    def walk(node: ElementTree.Element) -> None:
        for child in node:
            tag = child.tag
            if tag == MC_FALLBACK:
                continue  # the same content as the mc:Choice beside it
            if tag == f"{W}t":
                out.append(child.text or "")
            elif tag in (f"{W}tab", f"{W}cr"):
                out.append(" ")
            elif tag == f"{W}br":
                out.append("\f" if breaks and child.get(f"{W}type") == "page" else " ")
            elif tag == f"{W}lastRenderedPageBreak":
                out.append("\f" if breaks else "")
            elif tag == f"{W}noBreakHyphen":
                out.append("-")
            elif tag != f"{W}pPr":
                walk(child)

    walk(element)
    return "".join(out)


def _odt(data: bytes) -> list[Block]:
    root = _zip_member(data, "content.xml", ODT)
    body = root.find(f"{OFFICE}body/{OFFICE}text")
    if body is None:
        raise ExtractionError(f"not {ODT}: content.xml has no text body")
    return list(_odt_blocks(body, ""))


def _odt_blocks(parent: ElementTree.Element, prefix: str) -> Iterator[Block]:
    for element in parent:
        tag = element.tag
        if tag == f"{TEXT}soft-page-break":
            yield PAGE_BREAK
        elif tag == f"{TEXT}h":
            yield f"h{min(int(element.get(f'{TEXT}outline-level', '1') or 1), 6)}", _odt_text(element)
        elif tag == f"{TEXT}p":
            yield "p", prefix + _odt_text(element)
        elif tag == f"{TEXT}list":
            for item in element:
                yield from _odt_blocks(item, "• ")
        elif tag == f"{TABLE}table":
            for row in element.iter(f"{TABLE}table-row"):
                cells = [" ".join(_odt_text(p) for p in cell.iter(f"{TEXT}p")).strip()
                         for cell in row.findall(f"{TABLE}table-cell")]
                yield "p", " | ".join(c for c in cells if c)
        elif tag in (f"{TEXT}section", f"{TABLE}table-rows", f"{TABLE}table-header-rows"):
            yield from _odt_blocks(element, prefix)


def _odt_text(element: ElementTree.Element) -> str:
    out = [element.text or ""]
    for child in element:
        tag = child.tag
        if tag == f"{TEXT}s":
            out.append(" " * int(child.get(f"{TEXT}c", "1") or 1))
        elif tag in (f"{TEXT}tab", f"{TEXT}line-break"):
            out.append(" ")
        elif tag not in (f"{TEXT}note", f"{OFFICE}annotation"):
            out.append(_odt_text(child))
        out.append(child.tail or "")
    return "".join(out)


class _HTMLBlocks(HTMLParser):
    BLOCKS = {
        "p", "div", "section", "article", "main", "header", "footer", "aside", "blockquote", "pre",
        "ul", "ol", "li", "dl", "dt", "dd", "table", "tr", "figure", "figcaption", "form", "address",
        "h1", "h2", "h3", "h4", "h5", "h6", "br", "hr", "body", "nav",
    }
    SKIPPED = {"script", "style", "noscript", "template", "head", "svg", "iframe", "object"}

    def __init__(self) -> None:
        super().__init__(convert_charrefs=True)
        self.blocks: list[Block] = []
        self.kind, self.skipping = "p", 0
        self.text: list[str] = []

    def flush(self, kind: str = "p") -> None:
        # Plain white space only: no-break spaces stay.
        text = re.sub(r"[ \t\n\r\f\v]+", " ", "".join(self.text)).strip()
        if text:
            self.blocks.append((self.kind, text))
        self.kind, self.text = kind, []

    def handle_starttag(self, tag: str, attrs) -> None:
        if tag in self.SKIPPED:
            self.skipping += 1
        elif tag in self.BLOCKS:
            self.flush(tag if tag in ("h1", "h2", "h3", "h4", "h5", "h6") else "p")
            if tag == "li":
                self.text.append("• ")
        elif tag in ("td", "th") and self.text:
            self.text.append(" | ")

    def handle_endtag(self, tag: str) -> None:
        if tag in self.SKIPPED:
            self.skipping = max(0, self.skipping - 1)
        elif tag in self.BLOCKS:
            self.flush()

    def handle_data(self, data: str) -> None:
        if not self.skipping:
            self.text.append(data)


def _html(text: str) -> list[Block]:
    parser = _HTMLBlocks()
    parser.feed(text)
    parser.close()
    parser.flush()
    return parser.blocks


MD_HEADING = re.compile(r"^(#{1,6})\s+(.*?)\s*#*\s*$")
MD_LIST = re.compile(r"^\s*[-*+]\s+")
MD_INLINE = [
    (re.compile(r"!\[([^\]]*)\]\([^)]*\)"), ""),  # images
    (re.compile(r"\[([^\]]+)\]\([^)]*\)"), r"\1"),  # links keep their text
    (re.compile(r"<[^>]+>"), ""),  # inline HTML
    (re.compile(r"(\*\*|__|\*|`)(?=\S)(.+?)(?<=\S)\1"), r"\2"),  # emphasis, code
]


def _markdown(text: str) -> list[Block]:
    blocks: list[Block] = []
    in_code = False
    for paragraph in _paragraphs(text):
        lines = []
        for line in paragraph.splitlines():
            if line.lstrip().startswith(("```", "~~~")):
                in_code = not in_code
                continue
            if in_code or re.fullmatch(r"\s*\|?[\s:|-]+\|?\s*", line) and "-" in line:
                continue  # code, a table's rule
            heading = MD_HEADING.match(line)
            if heading:
                blocks.append((f"h{len(heading.group(1))}", _md_inline(heading.group(2))))
                continue
            line = MD_LIST.sub("• ", line.lstrip("> "))
            if line.strip().startswith("|"):
                line = " | ".join(c.strip() for c in line.strip().strip("|").split("|"))
            lines.append(_md_inline(line))
        blocks += [("p", b) for b in _items(lines)]
    return blocks


def _md_inline(text: str) -> str:
    for pattern, replacement in MD_INLINE:
        text = pattern.sub(replacement, text)
    return text


def _plain(text: str) -> list[Block]:
    blocks: list[Block] = []
    for number, page in enumerate(text.split("\f")):
        if number:
            blocks.append(PAGE_BREAK)
        blocks += [("p", b) for paragraph in _paragraphs(page) for b in _items(paragraph.splitlines())]
    return blocks


def _paragraphs(text: str) -> list[str]:
    return [p for p in re.split(r"\n\s*\n", text.replace("\r\n", "\n").replace("\r", "\n")) if p.strip()]


def _items(lines: list[str]) -> list[str]:
    """A paragraph's lines, cut where a list item or a table row starts."""
    blocks: list[list[str]] = []
    for line in lines:
        if not line.strip():
            continue
        if not blocks or BULLET.match(line) or " | " in line:
            blocks.append([])
        blocks[-1].append(line.strip())
    return ["\n".join(block) for block in blocks]
