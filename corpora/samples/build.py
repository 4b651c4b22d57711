"""Render the sample documents of corpora/sample-sources/*.md into corpora/samples/.

The sources use a small markup: `title:` and `header:` lines, `#`/`##`
headings, blank-line-separated paragraphs, `- ` bullets, `| ` table rows and
`\\newpage`. Each PDF gets a running header and page numbers, as real
documents do, so that the extraction stage meets them. Run: `make samples`.
"""

from __future__ import annotations

import sys
from pathlib import Path
from xml.sax.saxutils import escape

from reportlab.lib import colors
from reportlab.lib.pagesizes import A4
from reportlab.lib.styles import getSampleStyleSheet
from reportlab.lib.units import cm
from reportlab.platypus import (
    ListFlowable,
    ListItem,
    PageBreak,
    Paragraph,
    SimpleDocTemplate,
    Spacer,
    Table,
    TableStyle,
)

HERE = Path(__file__).resolve().parent
STYLES = getSampleStyleSheet()


def parse(source: str) -> tuple[dict[str, str], list]:
    """Metadata and flowables of one source file."""
    head, _, body = source.partition("\n\n")
    meta = dict(line.split(": ", 1) for line in head.splitlines())
    flowables: list = []
    bullets: list[str] = []
    rows: list[list[str]] = []

    def flush() -> None:
        if bullets:
            items = [ListItem(Paragraph(escape(b), STYLES["BodyText"])) for b in bullets]
            flowables.append(ListFlowable(items, bulletType="bullet", start="•", leftIndent=14))
            bullets.clear()
        if rows:
            table = Table([[Paragraph(escape(c), STYLES["BodyText"]) for c in r] for r in rows],
                          repeatRows=1)
            table.setStyle(TableStyle([("GRID", (0, 0), (-1, -1), 0.4, colors.grey),
                                       ("BACKGROUND", (0, 0), (-1, 0), colors.whitesmoke)]))
            flowables.extend([table, Spacer(1, 8)])
            rows.clear()

    for line in body.splitlines():
        line = line.rstrip()
        if line.startswith("- "):
            bullets.append(line[2:])
            continue
        if line.startswith("| "):
            rows.append([cell.strip() for cell in line.strip("| ").split(" | ")])
            continue
        flush()
        if not line:
            continue
        if line == r"\newpage":
            flowables.append(PageBreak())
        elif line.startswith("## "):
            flowables.append(Paragraph(escape(line[3:]), STYLES["Heading2"]))
        elif line.startswith("# "):
            flowables.append(Paragraph(escape(line[2:]), STYLES["Heading1"]))
        else:
            flowables.append(Paragraph(escape(line), STYLES["BodyText"]))
    flush()
    return meta, flowables


def render(source: Path, target: Path) -> None:
    meta, flowables = parse(source.read_text("utf-8"))

    def furniture(canvas, doc) -> None:
        canvas.saveState()
        canvas.setFont("Helvetica", 8)
        canvas.drawString(2 * cm, A4[1] - 1.2 * cm, meta["header"])
        canvas.drawRightString(A4[0] - 2 * cm, 1.2 * cm, f"{doc.page}")
        canvas.restoreState()

    doc = SimpleDocTemplate(str(target), pagesize=A4, title=meta["title"], author="leviers samples",
                            topMargin=2.2 * cm, bottomMargin=2.2 * cm)
    # A fixed creation date keeps the files identical from one build to the next.
    doc.build(flowables, onFirstPage=furniture, onLaterPages=furniture)


def main() -> None:
    from reportlab import rl_config

    rl_config.invariant = 1
    # The sources live outside corpora/samples, which `make analyse` reads.
    for source in sorted((HERE.parent / "sample-sources").glob("*.md")):
        target = HERE / f"{source.stem}.pdf"
        render(source, target)
        print(f"{target.relative_to(HERE.parent.parent)}")


if __name__ == "__main__":
    sys.exit(main())
