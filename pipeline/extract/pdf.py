"""PDF → pages: runs of text and their boxes from pdfium, reading order from geometry.

The content stream's order is not trusted: some files draw line 1 of every
column, then line 2, and so on. Lines are rebuilt from the runs' boxes, ordered with
Breuel's rule (a line comes before another that it overlaps horizontally and
sits above, or that is wholly to its right with no line spanning both in
between), then grouped into paragraphs. Ruled tables are read row by row with
pdfplumber; pages without a text layer go to OCR.
"""

from __future__ import annotations

import ctypes
import heapq
import re
from collections import Counter
from dataclasses import dataclass
from math import ceil
from pathlib import Path
from statistics import median
from typing import NamedTuple

import numpy as np
import pypdfium2 as pdfium
import pypdfium2.raw as pdfium_c

from ..errors import ExtractionError
from ..types import BULLET, BULLET_MARKS, REGION_END, Page
from .ocr import GARBLED, ocr_page
from .text import clean_text

WORD_GAP = 0.8  # em: a wider gap on a line separates fragments (columns, table cells)
WIDE_GAP = 2.0  # em: the widest space of a justified line
MARKER_GAP = 4.0  # em: a list marker stays on the line of the text it introduces
MAX_ORDERED_LINES = 800  # more on a page are put in order top to bottom
MAX_EDGES = 2000  # more rules than this on a page is a drawing
MAX_CELL_WORDS = 60  # a "cell" with more text is a box of running text
MARGIN = 0.1  # share of the page height where running headers and footers sit
# A running head that changes with the chapter is the same on at least this
# many pages; a page's own first line (a narrow top margin) is not.
CHAPTER_PAGES = 3
MARKER = re.compile(rf"^(?:{BULLET_MARKS})$")
PAGE_NUMBER = re.compile(r"^(?:page\s*)?[-–—]?\s*\d{1,4}\s*(?:/\s*\d{1,4})?\s*[-–—]?$", re.I)
RUN = re.compile(r" *([^\n\r\ufffe]*[^\n\r\ufffe ])")  # pdfium writes U+FFFE for a hyphen that ends a line
SPACES = re.compile(r" {2,}")
GARBLED_SHARE = 0.01  # French loses more than this when its accented letters are dropped
BLANKS = frozenset((0x09, 0x0A, 0x0D, 0x20, 0xA0, 0x202F, 0xFFFE))


@dataclass(slots=True)
class Line:
    """A run of text on one line, in page points with y growing downwards."""

    x0: float
    top: float
    x1: float
    bottom: float
    text: str
    whole: bool = False  # text laid out already (a table, an OCR'd page): one block

    @property
    def size(self) -> float:
        return self.bottom - self.top


class Frame(NamedTuple):
    """A page as displayed: its rotation and size, and the page box that maps
    pdfium's coordinates (y up) to the displayed ones (y down)."""

    rotation: int
    width: float
    height: float
    left: float
    bottom: float
    right: float
    top: float


def read_pdf(path: Path) -> list[Page]:
    _check_header(path)
    try:
        document = pdfium.PdfDocument(path)
    except pdfium.PdfiumError as exc:
        if "password" in str(exc).lower():
            raise ExtractionError("the PDF is encrypted with a password") from exc
        raise ExtractionError(f"corrupt or truncated PDF ({exc})"[:300]) from exc
    try:
        if len(document) == 0:
            raise ExtractionError("the PDF has no pages")
        layouts = [_read_page(document, index) for index in range(len(document))]
    finally:
        document.close()
    unloaded = [i for i, (_, _, skipped) in enumerate(layouts) if skipped.startswith(UNLOADED)]
    if unloaded:
        loops = _page_tree_loops(path)
        if len(unloaded) == len(layouts):
            raise ExtractionError("the PDF's page tree loops: no page can be read" if loops
                                  else "no page of the PDF can be loaded (damaged?)")
        if loops:
            for i in unloaded:
                layouts[i] = (0.0, [], "the PDF's page tree loops there")
    pages = [
        Page(number, _paragraphs(_reading_order(body)), skipped)
        for number, (body, (_, _, skipped)) in enumerate(zip(_body(layouts), layouts), 1)
    ]
    if not any(page.text for page in pages):
        reasons = {page.skipped for page in pages if page.skipped}
        garbled = {reason for reason in reasons if reason.startswith(GARBLED)}
        if garbled:
            raise ExtractionError(f"no page can be read: {garbled.pop()}")
        raise ExtractionError(f"no text layer on any page ({reasons.pop() if reasons else 'nothing to read'})")
    return pages


UNLOADED = "the page cannot be read"


def _page_tree_loops(path: Path) -> bool:
    """Whether the document's page tree refers back to one of its own nodes
    (pdfium only says that it cannot load those pages)."""
    from pdfminer.pdfdocument import PDFDocument
    from pdfminer.pdfparser import PDFParser
    from pdfminer.pdftypes import PDFObjRef, resolve1

    try:
        with path.open("rb") as handle:
            catalog = PDFDocument(PDFParser(handle)).catalog
            pending, seen = [catalog.get("Pages")], set[int]()
            while pending and len(seen) < 1_000_000:
                node = pending.pop()
                if isinstance(node, PDFObjRef):
                    if node.objid in seen:
                        return True  # a tree reaches each node once
                    seen.add(node.objid)
                node = resolve1(node)
                if isinstance(node, dict):
                    kids = resolve1(node.get("Kids"))
                    pending += kids if isinstance(kids, list) else []
    except Exception:  # pdfminer fails its own way on damaged files: then it cannot tell
        return False
    return False


def _check_header(path: Path) -> None:
    try:
        with path.open("rb") as handle:
            head = handle.read(1024)
    except OSError as exc:
        raise ExtractionError(f"cannot read the file ({exc.strerror})") from exc
    if not head:
        raise ExtractionError("empty file (0 bytes)")
    if b"%PDF-" not in head:
        raise ExtractionError("not a PDF (no %PDF header): a file of another type named .pdf?")


def _read_page(document, index: int) -> tuple[float, list[Line], str]:
    """A page's height, its lines (tables as single lines) and, when its text
    could not be read, why."""
    try:
        page = document[index]
    except pdfium.PdfiumError as exc:
        return 0.0, [], f"{UNLOADED} ({exc})"
    try:
        frame = _frame(page)
        textpage = page.get_textpage()
        try:
            runs = _runs(textpage, frame)
            garbled = bool(runs) and _garbled(textpage)
        finally:
            textpage.close()
        if garbled or not runs:
            if not garbled and not _has_images(page):
                return frame.height, [], ""
            text, skipped = ocr_page(page, GARBLED if garbled else "no text layer")
            return frame.height, ([Line(0, 0, frame.width, frame.height, text, whole=True)] if text else []), skipped
        runs, tables = _tables(runs, page, frame)
        return frame.height, _lines(runs) + tables, ""
    finally:
        page.close()


def _garbled(textpage) -> bool:
    """Whether the page's text came out without its letters: characters that
    pdfium could not map to Unicode (a font without a ToUnicode map), private-use
    glyphs or replacement characters, inside words, are GARBLED_SHARE or more of
    its characters. A lone symbol-font bullet between spaces does not count."""
    handle = textpage.raw
    count = pdfium_c.FPDFText_CountChars(handle)
    buffer = (ctypes.c_ushort * (count + 1))()
    pdfium_c.FPDFText_GetText(handle, 0, count, buffer)
    units = buffer[:count]
    unmapped = pdfium_c.FPDFText_HasUnicodeMapError
    visible = bad = 0
    for i, unit in enumerate(units):
        if unit in BLANKS:
            continue
        visible += 1
        if unit == 0xFFFD or 0xE000 <= unit <= 0xF8FF or unmapped(handle, i):
            neighbours = units[max(i - 1, 0)], units[min(i + 1, count - 1)]
            bad += any(n not in BLANKS for n in neighbours)
    return bad >= max(3, GARBLED_SHARE * visible)


def _frame(page) -> Frame:
    left, bottom, right, top = page.get_bbox()
    rotation = page.get_rotation() % 360
    width, height = right - left, top - bottom
    if rotation in (90, 270):
        width, height = height, width
    return Frame(rotation, width, height, left, bottom, right, top)


def _display(frame: Frame, x0: float, y0: float, x1: float, y1: float) -> tuple[float, float, float, float]:
    """A box in PDF space (y up) → (x0, top, x1, bottom) as displayed (y down)."""
    rotation, _, _, left, bottom, right, top = frame
    if rotation == 0:
        xs, ys = (x0 - left, x1 - left), (top - y0, top - y1)
    elif rotation == 90:
        xs, ys = (y0 - bottom, y1 - bottom), (x0 - left, x1 - left)
    elif rotation == 180:
        xs, ys = (right - x0, right - x1), (y0 - bottom, y1 - bottom)
    else:
        xs, ys = (top - y0, top - y1), (right - x0, right - x1)
    return min(xs), min(ys), max(xs), max(ys)


def _runs(textpage, frame: Frame) -> list[Line]:
    """The page's runs of text in content-stream order, each with its box.

    A run is what pdfium read without a break: it inserts a space or a line
    break of its own ("generated") wherever the text jumps, so a run lies on
    one line, and its box is that of its first and last characters. One
    pdfium call per character would be several times slower."""
    handle = textpage.raw
    count = pdfium_c.FPDFText_CountChars(handle)
    if count <= 0:
        return []
    buffer = (ctypes.c_ushort * (count + 1))()
    pdfium_c.FPDFText_GetText(handle, 0, count, buffer)
    # One str character per UTF-16 unit keeps indices equal to pdfium's.
    units = list(map(chr, buffer[:count]))
    generated = pdfium_c.FPDFText_IsGenerated
    for space in re.finditer(" ", "".join(units)):
        if generated(handle, space.start()):
            units[space.start()] = "\n"
    text = "".join(units)
    rect = pdfium_c.FS_RECTF()
    get_box = pdfium_c.FPDFText_GetLooseCharBox
    rotation, _, _, left, _, _, top = frame

    def box(i: int) -> tuple[float, float, float, float]:
        get_box(handle, i, rect)
        if rotation == 0:
            return rect.left - left, top - rect.top, rect.right - left, top - rect.bottom
        return _display(frame, rect.left, rect.bottom, rect.right, rect.top)

    runs = []
    for match in RUN.finditer(text):
        start, end = match.span(1)
        if end < count and text[end] == "\ufffe":
            end += 1  # the hyphen that pdfium took off the line's end
        first, last = box(start), box(end - 1)
        content = text[start:end].replace("\ufffe", "-")
        size = max(first[3] - first[1], 1.0)
        spread = last[2] - first[0]
        if abs(last[1] - first[1]) > size / 2 or spread < -size or spread > (end - start) * size * 1.5:
            # pdfium saw no break, but the characters are not on one line:
            # split the run where they jump.
            runs += _split(content, start, box)
        elif first[3] > first[1]:
            bounds = (first[0], min(first[1], last[1]), last[2], max(first[3], last[3]))
            runs.append(Line(*bounds, SPACES.sub(" ", content)))
    return runs


def _split(text: str, start: int, box) -> list[Line]:
    pieces: list[Line] = []
    for offset, char in enumerate(text):
        x0, top, x1, bottom = box(start + offset)
        last = pieces[-1] if pieces else None
        if last and _same_row(last, top, bottom) and -last.size <= x0 - last.x1 <= WORD_GAP * last.size:
            last.x1, last.text = max(last.x1, x1), last.text + char
        elif bottom > top:
            pieces.append(Line(x0, top, x1, bottom, char))
    return pieces


def _same_row(line: Line, top: float, bottom: float) -> bool:
    overlap = min(line.bottom, bottom) - max(line.top, top)
    return overlap >= 0.5 * min(line.size, bottom - top)


def _lines(runs: list[Line]) -> list[Line]:
    """Join runs into lines: neighbours in the stream first, then fragments
    of one row that the stream drew apart. A gap wider than WORD_GAP (a
    gutter, a table's column) keeps them apart, unless it is a justified
    line's stretched space or follows a list marker."""
    fragments: list[Line] = []
    for run in runs:
        last = fragments[-1] if fragments else None
        if last and _same_row(last, run.top, run.bottom) and -0.3 <= (run.x0 - last.x1) / last.size <= WORD_GAP:
            _extend(last, run)
        else:
            fragments.append(run)
    for fragment in fragments:
        # Characters outside the BMP came as two UTF-16 units.
        fragment.text = clean_text(fragment.text.encode("utf-16", "surrogatepass").decode("utf-16"))
    fragments.sort(key=lambda f: (f.top + f.bottom) / 2)
    rows: list[list[Line]] = []
    for fragment in fragments:
        if rows and _same_row(rows[-1][0], fragment.top, fragment.bottom):
            rows[-1].append(fragment)
        else:
            rows.append([fragment])
    starts = Counter(round(f.x0) for f in fragments)
    lines = []
    for i, row in enumerate(rows):
        row.sort(key=lambda f: f.x0)
        neighbours = rows[i - 1] if i else [], rows[i + 1] if i + 1 < len(rows) else []
        merged = [row[0]]
        for fragment in row[1:]:
            last = merged[-1]
            gap = (fragment.x0 - last.x1) / max(last.size, 1.0)
            # A column starts where several lines start; a justified line's
            # stretched space leads to a word that starts anywhere, and the
            # lines above and below cover it.
            column = sum(starts[round(fragment.x0) + d] for d in (-1, 0, 1)) >= 3
            if (-0.3 <= gap <= WORD_GAP or (gap <= MARKER_GAP and MARKER.match(last.text))
                    or (gap <= WIDE_GAP and not column)
                    or any(_covers(other, last, fragment) for near in neighbours for other in near)):
                _extend(last, fragment)
            else:
                merged.append(fragment)
        lines += merged
    return lines


def _covers(other: Line, left: Line, right: Line) -> bool:
    """Whether a line of the same size just above or below spans the space
    between two fragments: then that space is inside a paragraph, not a gutter."""
    return (other.x0 < left.x1 and other.x1 > right.x0
            and abs(other.size - left.size) <= 0.2 * left.size
            and min(abs(other.top - left.bottom), abs(left.top - other.bottom)) <= left.size)


def _extend(line: Line, other: Line) -> None:
    line.text = f"{line.text} {other.text}"
    line.x0, line.x1 = min(line.x0, other.x0), max(line.x1, other.x1)
    line.top, line.bottom = min(line.top, other.top), max(line.bottom, other.bottom)


def _reading_order(lines: list[Line]) -> list[Line]:
    """Lines in reading order by Breuel's rule, ties broken top to bottom."""
    n = len(lines)
    if n < 2:
        return lines
    if n > MAX_ORDERED_LINES:  # the rule costs n³: a page of scattered labels
        return sorted(lines, key=lambda l: (l.top, l.x0))
    x0 = np.array([l.x0 for l in lines])
    x1 = np.array([l.x1 for l in lines])
    centre = np.array([(l.top + l.bottom) / 2 for l in lines])
    slack = 0.5  # points: touching boxes do not overlap
    overlap = (x0[:, None] < x1[None, :] - slack) & (x0[None, :] < x1[:, None] - slack)
    left_of = ~overlap & (x1[:, None] <= x0[None, :] + slack)
    before = (overlap & (centre[:, None] < centre[None, :])) | left_of
    # A line left of another comes first unless a line that overlaps both
    # lies between them (a heading or paragraph across the columns). Only
    # lines that overlap both sides of some such pair need checking.
    pairs = overlap.astype(np.float32) @ left_of.astype(np.float32)
    for c in np.nonzero(((pairs > 0) & overlap).any(axis=1))[0]:
        under = np.nonzero(overlap[c])[0]
        low = np.minimum(centre[under][:, None], centre[under][None, :])
        high = np.maximum(centre[under][:, None], centre[under][None, :])
        blocked = left_of[np.ix_(under, under)] & (low < centre[c]) & (centre[c] < high)
        before[np.ix_(under, under)] &= ~blocked
    return [lines[i] for i in _topological(before, [(l.top, l.x0) for l in lines])]


def _topological(before: np.ndarray, keys: list[tuple[float, float]]) -> list[int]:
    """Kahn's algorithm; among lines free to come next, the highest first. A
    cycle (overlapping boxes) is broken at its highest line."""
    pending = before.sum(axis=0)
    done = np.zeros(len(keys), bool)
    heap = [(keys[i], i) for i in np.nonzero(pending == 0)[0]]
    heapq.heapify(heap)
    order: list[int] = []
    while len(order) < len(keys):
        if not heap:
            heap.append(min((keys[i], i) for i in np.nonzero(~done)[0]))
        _, i = heapq.heappop(heap)
        if done[i]:
            continue
        done[i] = True
        order.append(int(i))
        pending -= before[i]
        for j in np.nonzero(before[i] & (pending == 0) & ~done)[0]:
            heapq.heappush(heap, (keys[j], j))
    return order


def _paragraphs(lines: list[Line]) -> str:
    """Ordered lines → paragraphs separated by a blank line, lines by a
    newline, and REGION_END where the reading moves to another column or box."""
    if not lines:
        return ""
    spacing = _line_spacing(lines)
    blocks: list[list[Line]] = [[lines[0]]]
    ends: set[int] = set()  # blocks after which a region ends
    right = lines[0].x1  # the current paragraph's right edge
    for line in lines[1:]:
        prev = blocks[-1][-1]
        if not (prev.whole or line.whole) and line.x0 >= prev.x1 - 1 and _same_row(prev, line.top, line.bottom):
            # The next piece of the same line (a wide space kept them apart).
            blocks[-1][-1] = Line(prev.x0, min(prev.top, line.top), line.x1, max(prev.bottom, line.bottom),
                                  f"{prev.text} {line.text}")
            continue
        size = max(prev.size, 1.0)
        gap = line.top - prev.bottom
        below = -0.3 * size <= gap <= max(0.6 * size, spacing + 0.4 * size)
        same_column = gap >= -0.3 * size and min(prev.x1, line.x1) - max(prev.x0, line.x0) > 0
        same_size = abs(line.size - prev.size) <= 0.2 * max(line.size, prev.size)
        right = max(right, line.x1)
        ends_short = prev.text.endswith((".", "!", "?", ":")) and prev.x1 < right - 2 * size
        # A sentence that goes on at the top of the next column.
        flows_on = not prev.text.endswith((".", "!", "?", ":", ";")) and line.text[:1].islower()
        if prev.whole or line.whole or not (same_column or flows_on and same_size):
            ends.add(len(blocks) - 1)  # on to another column or box
        elif not same_column or (below and same_size and not ends_short and not BULLET.match(line.text)):
            blocks[-1].append(line)  # the paragraph goes on
            continue
        blocks.append([line])
        right = line.x1
    return "\n\n".join(
        "\n".join(l.text for l in block) + (f"\n\n{REGION_END}" if i in ends else "")
        for i, block in enumerate(blocks)
    )


def _line_spacing(lines: list[Line]) -> float:
    """The usual gap between a line and the next one of the same paragraph."""
    gaps = [
        b.top - a.bottom
        for a, b in zip(lines, lines[1:])
        if 0 <= b.top - a.bottom <= 1.5 * a.size and min(a.x1, b.x1) > max(a.x0, b.x0)
    ]
    return median(gaps) if gaps else 0.0


def _shape(text: str) -> str:
    return re.sub(r"\d+", "#", text.lower())


def _body(layouts: list[tuple[float, list[Line], str]]) -> list[list[Line]]:
    """Each page's lines less its running headers, footers and page numbers.

    Only lines in the top or bottom MARGIN of a page can be furniture: a page
    number there always is; another line is when it stands apart from the
    text (more than two line heights away), and either its text recurs there
    on a third of the pages, or a line of body size or smaller sits at the
    same place on a third of the pages and its text recurs there on
    CHAPTER_PAGES pages (a running head that changes with the chapter). A
    paragraph's opening line is never that far from the next; a heading at the
    top of a page with a narrow margin is, but its text does not recur."""
    needed = max(2, ceil(len(layouts) / 3))
    sizes = [l.size for _, lines, _ in layouts for l in lines if not l.whole]
    body_size = median(sizes) if sizes else 0.0
    margins = []
    for height, lines, _ in layouts:
        inner = [l for l in lines if not _in_margin(l, height)]
        margins.append([(l, _apart(l, inner)) for l in lines if _in_margin(l, height)])
    shapes = Counter(s for margin in margins for s in {_shape(l.text) for l, apart in margin if apart})
    slots = Counter(s for margin in margins for s in {_slot(l) for l, apart in margin if apart})
    at_slot = Counter(s for margin in margins for s in {(_slot(l), _shape(l.text)) for l, apart in margin if apart})
    pages = []
    for (_, lines, _), margin in zip(layouts, margins):
        furniture = {
            id(l) for l, apart in margin
            if PAGE_NUMBER.match(l.text)
            or apart and (shapes[_shape(l.text)] >= needed
                          or slots[_slot(l)] >= needed and l.size <= body_size * 1.05
                          and at_slot[_slot(l), _shape(l.text)] >= CHAPTER_PAGES)
        }
        pages.append([l for l in lines if id(l) not in furniture])
    return pages


def _in_margin(line: Line, height: float) -> bool:
    return not line.whole and (line.bottom < height * MARGIN or line.top > height * (1 - MARGIN))


def _apart(line: Line, others: list[Line]) -> bool:
    gaps = [max(o.top - line.bottom, line.top - o.bottom) for o in others]
    return not gaps or min(gaps) > 2 * line.size


def _slot(line: Line) -> tuple[int, int]:
    return round(line.top / 4), round(line.size)


def _has_images(page) -> bool:
    return any(True for _ in _objects(page, pdfium_c.FPDF_PAGEOBJ_IMAGE))


def _edges(page, frame: Frame) -> list[dict]:
    """Straight rules and rectangle sides drawn on the page, as pdfplumber's
    table finder takes them."""
    edges = []
    left, bottom, right, top = (ctypes.c_float() for _ in range(4))
    for obj in _objects(page, pdfium_c.FPDF_PAGEOBJ_PATH):
        pdfium_c.FPDFPageObj_GetBounds(obj, left, bottom, right, top)
        x0, y0, x1, y1 = _display(frame, left.value, bottom.value, right.value, top.value)
        width, height = x1 - x0, y1 - y0
        if height <= 3 and width >= 5:
            edges.append(_edge("h", x0, x1, (y0 + y1) / 2))
        elif width <= 3 and height >= 5:
            edges.append(_edge("v", y0, y1, (x0 + x1) / 2))
        elif pdfium_c.FPDFPath_CountSegments(obj) <= 5:  # a rectangle
            edges += [_edge("h", x0, x1, y0), _edge("h", x0, x1, y1), _edge("v", y0, y1, x0), _edge("v", y0, y1, x1)]
        if len(edges) > MAX_EDGES:
            return []  # a drawing, not tables
    return edges


def _objects(page, kind: int):
    """The page's top-level objects of one kind (raw handles: pypdfium2's
    wrappers cost too much on pages of thousands of objects)."""
    handle = page.raw
    for i in range(pdfium_c.FPDFPage_CountObjects(handle)):
        obj = pdfium_c.FPDFPage_GetObject(handle, i)
        if pdfium_c.FPDFPageObj_GetType(obj) == kind:
            yield obj


def _edge(orientation: str, start: float, end: float, at: float) -> dict:
    if orientation == "h":
        return {"orientation": "h", "x0": start, "x1": end, "top": at, "bottom": at, "width": end - start, "height": 0}
    return {"orientation": "v", "x0": at, "x1": at, "top": start, "bottom": end, "width": 0, "height": end - start}


def _tables(runs: list[Line], page, frame: Frame) -> tuple[list[Line], list[Line]]:
    """Take the runs inside ruled tables out of the flow; each table becomes
    one line whose text has a paragraph per row, cells separated by ' | '."""
    edges = _edges(page, frame)
    if sum(e["orientation"] == "h" for e in edges) < 3 or sum(e["orientation"] == "v" for e in edges) < 2:
        return runs, []
    from pdfplumber.table import Table, cells_to_tables, edges_to_intersections, intersections_to_cells, merge_edges

    edges = merge_edges(edges, 3, 3, 3, 3)  # pdfplumber's default tolerances
    cells = intersections_to_cells(edges_to_intersections(edges, 3, 3))
    tables = []
    # A Table needs its page only to extract text, which is done here from pdfium's runs.
    for table in (Table(None, group) for group in cells_to_tables(cells)):  # type: ignore[arg-type]
        rows = table.rows
        if len(rows) < 2 or len(rows[0].cells) < 2:
            continue
        inside = [r for r in runs if _within(r, *table.bbox)]
        grid = [[_cell_text([r for r in inside if _within(r, *cell)]) if cell else "" for cell in row.cells]
                for row in rows]
        if not inside or max(len(cell.split()) for row in grid for cell in row) > MAX_CELL_WORDS:
            continue  # boxes of running text laid out side by side, not a table
        runs = [r for r in runs if not _within(r, *table.bbox)]
        text = "\n\n".join(" | ".join(c for c in row if c) for row in grid if any(row))
        tables.append(Line(*table.bbox, text=text, whole=True))
    return runs, tables


def _cell_text(runs: list[Line]) -> str:
    lines = _lines(runs)
    lines.sort(key=lambda l: (l.top, l.x0))
    return " ".join(l.text for l in lines)


def _within(line: Line, x0: float, top: float, x1: float, bottom: float) -> bool:
    cx, cy = (line.x0 + line.x1) / 2, (line.top + line.bottom) / 2
    return x0 <= cx <= x1 and top <= cy <= bottom
