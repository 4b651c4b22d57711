"""report.html: an analysis as one self-contained page, to open offline or mail.

The charts are inline SVG drawn here and the only script sorts tables, so the
page fetches nothing. Every value that comes from a document or the run (names,
passages, messages) goes through `esc`: a passage holding markup shows as text.
"""

from __future__ import annotations

from html import escape
from typing import TYPE_CHECKING

import pandas as pd

from .classify import DECISION
from .report import SCORE_FORMULA, CoverageRule, summary_table, top_passages
from .taxonomy import Lever, Taxonomy

if TYPE_CHECKING:
    from .run import DocumentSummary, Result

QUOTES_PER_LEVER = 3


def esc(value: object) -> str:
    return escape(str(value), quote=True)


def clip(text: str, length: int) -> str:
    return text if len(text) <= length else text[: length - 1].rstrip() + "…"


def plural(count: int, word: str) -> str:
    return f"{count} {word}{'' if count == 1 else 's'}"


def lever_tip(lever: Lever) -> str:
    """What a lever's hover text says: its label and description."""
    return f"{lever.label} ({lever.id}): {lever.description}"


def colour(score: float) -> str:
    """Greys below the threshold, blues from it up, darker as the score rises."""
    if score < DECISION:
        low, high, t = (246, 246, 246), (196, 196, 196), score / DECISION
    else:
        low, high, t = (158, 202, 225), (8, 69, 148), (score - DECISION) / (1 - DECISION)
    return "#" + "".join(f"{round(a + (b - a) * t):02x}" for a, b in zip(low, high))


def render_report(result: Result) -> str:
    """The whole page for an analysis."""
    documents = list(dict.fromkeys(result.coverage["document"]))
    anchors = {name: f"doc-{i}" for i, name in enumerate(documents, 1)}
    summaries = {s.name: s for s in result.documents}
    sections = [
        rule_section(result.rule),
        heatmap_section(result.coverage, anchors, result.taxonomy),
        corpus_section(result.coverage, summaries, anchors, result.taxonomy),
        *(document_section(name, anchors[name], summaries[name], result) for name in documents),
        errors_section(result.errors),
    ]
    return PAGE.format(style=STYLE, script=SCRIPT, header=header(result), sections="\n".join(sections))


def header(result: Result) -> str:
    run, counts = result.run, result.run["documents"]
    failed = f', <a href="#errors">{counts["failed"]} failed</a>' if counts["failed"] else ""
    return f"""<header>
  <h1>Innovation levers: coverage report</h1>
  <p>{esc(counts["analysed"])} of {esc(counts["found"])} documents analysed{failed},
  {esc(run["passages"])} passages, from <code>{esc(run["input"])}</code>;
  model <code>{esc(run["model"].get("name"))}</code>; run {esc(run["started"])}, leviers {esc(run["leviers"])}.</p>
</header>"""


def rule_section(rule: CoverageRule) -> str:
    return f"""<section id="rule">
  <h2>How to read it</h2>
  <p>Each passage gets a score per lever from 0 to 1; a passage <em>carries</em> a lever from
  {DECISION} up. The score: {esc(SCORE_FORMULA)}.</p>
  <p><strong>Coverage rule of this run:</strong> {esc(rule)}.</p>
  <p>Levers are grouped by framework; hover over a lever's name for its description.</p>
</section>"""


def corpus_section(
    coverage: pd.DataFrame, summaries: dict[str, DocumentSummary], anchors: dict[str, str], taxonomy: Taxonomy,
) -> str:
    if coverage.empty:
        return '<section id="corpus"><h2>Corpus</h2><p>No document could be analysed.</p></section>'
    summary = summary_table(coverage)
    by_framework = coverage.groupby(["document", "framework"], sort=False)["covered"].agg(["sum", "size"])
    framework_heads = "".join(f'<th data-type="number"><button>{esc(f.id.upper())}</button></th>'
                              for f in taxonomy.frameworks)
    document_rows = []
    for row in summary[summary["ranking"] == "documents"].itertuples():
        cells = ""
        for framework in taxonomy.frameworks:
            covered, levers = by_framework.loc[(row.name, framework.id)]
            cells += f'<td data-sort="{covered}">{covered}/{levers}</td>'
        about = summaries[row.name]
        document_rows.append(
            f'<tr><td data-sort="{row.rank}">{row.rank}</td>'
            f'<td><a href="#{anchors[row.name]}">{esc(row.name)}</a></td>'
            f'<td data-sort="{row.covered}">{row.covered}/{row.out_of}</td>{cells}'
            f'<td data-sort="{about.pages}">{about.pages}</td><td data-sort="{about.passages}">{about.passages}</td></tr>'
        )
    lever_rows = []
    for row in summary[summary["ranking"] == "levers"].itertuples():
        lever = taxonomy.lever(row.name)
        lever_rows.append(
            f'<tr><td data-sort="{row.rank}">{row.rank}</td>'
            f'<td title="{esc(lever_tip(lever))}">{esc(lever.label)}</td><td>{esc(lever.framework.upper())}</td>'
            f'<td data-sort="{row.covered}">{row.covered}/{row.out_of}</td>'
            f'<td data-sort="{row.share}">{row.share:.0%}</td></tr>'
        )
    return f"""<section id="corpus">
  <h2>Corpus</h2>
  <div class="pair">
  <table class="sortable">
    <caption>Documents, by the number of levers they cover</caption>
    <thead><tr><th data-type="number" aria-sort="ascending"><button>Rank</button></th><th><button>Document</button></th>
      <th data-type="number"><button>Levers covered</button></th>{framework_heads}
      <th data-type="number"><button>Pages</button></th><th data-type="number"><button>Passages</button></th></tr></thead>
    <tbody>{"".join(document_rows)}</tbody>
  </table>
  <table class="sortable">
    <caption>Levers, by the number of documents that cover them</caption>
    <thead><tr><th data-type="number" aria-sort="ascending"><button>Rank</button></th><th><button>Lever</button></th>
      <th><button>Framework</button></th><th data-type="number"><button>Documents</button></th>
      <th data-type="number"><button>Share</button></th></tr></thead>
    <tbody>{"".join(lever_rows)}</tbody>
  </table>
  </div>
</section>"""


def heatmap_section(coverage: pd.DataFrame, anchors: dict[str, str], taxonomy: Taxonomy) -> str:
    if coverage.empty:
        return ""
    cell, gap, group_gap = 30, 3, 14
    left, top = 300, 190  # room for the documents' names and the levers' slanted labels
    x, columns, bands = left, {}, []
    for framework in taxonomy.frameworks:
        levers = [lever for lever in taxonomy.levers if lever.framework == framework.id]
        start = x
        for lever in levers:
            columns[lever.id] = x
            x += cell + gap
        bands.append(
            f'<g><title>{esc(framework.label)}</title>'
            f'<rect class="band" x="{start}" y="{top - 24}" width="{x - gap - start}" height="18"/>'
            f'<text class="band-label" x="{(start + x - gap) / 2}" y="{top - 11}">{esc(framework.id.upper())}</text></g>'
        )
        x += group_gap
    heads = "".join(
        f'<g transform="translate({columns[lever.id] + cell / 2},{top - 30}) rotate(-50)">'
        f'<title>{esc(lever_tip(lever))}</title><text class="lever-label">{esc(clip(lever.label, 34))}</text></g>'
        for lever in taxonomy.levers
    )
    rows = []
    for i, (document, mine) in enumerate(coverage.groupby("document", sort=False)):
        y = top + i * (cell + gap)
        cells = []
        for row in mine.itertuples():
            cx, fill = columns[row.lever], colour(row.score)
            mark = (f'<text class="tick" x="{cx + cell / 2}" y="{y + cell / 2 + 5}" '
                    f'fill="{"#fff" if row.score > 0.75 else "#123"}">✓</text>') if row.covered else ""
            state = "covered" if row.covered else "not covered"
            cells.append(
                f'<g><title>{esc(document)}: {esc(row.label)}, score {row.score:.2f}, '
                f'{plural(row.passages, "passage")}, {state}</title>'
                f'<rect class="cell" x="{cx}" y="{y}" width="{cell}" height="{cell}" fill="{fill}"/>{mark}</g>'
            )
        rows.append(
            f'<a href="#{anchors[document]}"><text class="doc-label" x="{left - 8}" y="{y + cell / 2 + 4}">'
            f'<title>{esc(document)}</title>{esc(clip(document, 38))}</text></a>{"".join(cells)}'
        )
    height = top + len(rows) * (cell + gap) + 50
    legend_y = height - 30
    legend = "".join(
        f'<rect x="{left + i * 44}" y="{legend_y}" width="44" height="12" fill="{colour(s)}"/>'
        f'<text class="legend" x="{left + i * 44}" y="{legend_y + 26}">{s:.1f}</text>'
        for i, s in enumerate((0, 0.2, 0.4, 0.5, 0.6, 0.8, 1.0))
    )
    return f"""<section id="heatmap">
  <h2>Levers × documents</h2>
  <p>Each cell is a document's score for a lever (its best passage); ✓ marks the levers the rule counts as covered.
  Click a document's name for its detail.</p>
  <div class="scroll"><svg class="chart heatmap" role="img" aria-label="Heatmap of the documents' scores per lever"
    width="{x + 120}" height="{height}" viewBox="0 0 {x + 120} {height}">
    {"".join(bands)}{heads}{"".join(rows)}
    <text class="legend" x="{left - 8}" y="{legend_y + 11}" text-anchor="end">score</text>{legend}
  </svg></div>
</section>"""


def bars(framework_label: str, rows: pd.DataFrame, taxonomy: Taxonomy, anchor: str, rule: CoverageRule) -> str:
    """One horizontal bar per lever of a framework: the document's score, with the rule's thresholds."""
    label_width, bar_width, row_height, top = 360, 260, 24, 30
    height = top + len(rows) * row_height + 22

    def scale(score: float) -> float:
        return label_width + score * bar_width

    items = []
    for i, row in enumerate(rows.itertuples()):
        y = top + i * row_height
        lever = taxonomy.lever(row.lever)
        name = esc(clip(lever.label, 60))
        if row.covered:
            name = f'<a href="#{anchor}-{esc(row.lever)}">{name}</a>'
        items.append(
            f'<g class="{"covered" if row.covered else "missing"}"><title>{esc(lever_tip(lever))}\n'
            f'score {row.score:.2f}, {plural(row.passages, "passage")} carrying it</title>'
            f'<text class="bar-label" x="{label_width - 8}" y="{y + 15}">{name}</text>'
            f'<rect class="track" x="{label_width}" y="{y + 4}" width="{bar_width}" height="16"/>'
            f'<rect class="bar" x="{label_width}" y="{y + 4}" width="{row.score * bar_width:.1f}" height="16"/>'
            f'<text class="value" x="{scale(row.score) + 4}" y="{y + 16}">{row.score:.2f}</text></g>'
        )
    thresholds = [DECISION] + ([rule.high_confidence] if rule.high_confidence is not None else [])
    marks = "".join(
        f'<line class="threshold" x1="{scale(s)}" x2="{scale(s)}" y1="{top - 4}" y2="{height - 20}"/>'
        f'<text class="legend" x="{scale(s)}" y="{height - 6}" text-anchor="middle">{s:g}</text>'
        for s in thresholds
    )
    width = label_width + bar_width + 50
    return f"""<svg class="chart bars" role="img" aria-label="Scores per lever: {esc(framework_label)}"
  width="{width}" height="{height}" viewBox="0 0 {width} {height}">
  <text class="chart-title" x="0" y="16">{esc(framework_label)}</text>{"".join(items)}{marks}
</svg>"""


def document_section(name: str, anchor: str, about: DocumentSummary, result: Result) -> str:
    taxonomy, rule = result.taxonomy, result.rule
    coverage = result.coverage[result.coverage["document"] == name]
    passages = result.passages[result.passages["document"] == name]
    charts, counts = [], []
    for framework in taxonomy.frameworks:
        rows = coverage[coverage["framework"] == framework.id]
        charts.append(bars(framework.label, rows, taxonomy, anchor, rule))
        counts.append(f"{framework.id.upper()} {rows['covered'].sum()}/{len(rows)}")
    missing = []
    for row in coverage[coverage["covered"] == 0].itertuples():
        lever = taxonomy.lever(row.lever)
        why = (f"{plural(row.passages, 'passage')} carrying it, fewer than {rule.min_passages}" if row.passages
               else f"best score {row.score:.2f}")
        missing.append(f'<li><span title="{esc(lever_tip(lever))}">{esc(lever.label)}</span> '
                       f'<small>{esc(lever.framework.upper())}, {why}</small></li>')
    evidence = []
    for row in coverage[coverage["covered"] == 1].itertuples():
        lever = taxonomy.lever(row.lever)
        quotes = "".join(
            f'<blockquote lang="fr"><p>{esc(quote["text"])}</p>'
            f'<footer>page {quote["page"]}, score {quote[row.lever]:.2f}</footer></blockquote>'
            for _, quote in top_passages(passages, row.lever, QUOTES_PER_LEVER).iterrows()
        )
        evidence.append(
            f'<div class="lever" id="{anchor}-{esc(row.lever)}"><h4 title="{esc(lever_tip(lever))}">'
            f'{esc(lever.label)} <small>{esc(lever.framework.upper())}, score {row.score:.2f}, '
            f'{plural(row.passages, "passage")}</small></h4>{quotes}</div>'
        )
    return f"""<section class="document" id="{anchor}">
  <h2>{esc(name)}</h2>
  <p class="facts">{plural(about.pages, "page")}, {plural(about.passages, "passage")}; levers covered: {", ".join(counts)}</p>
  <div class="detail">
    <div class="charts">{"".join(charts)}
      <h3>Levers it leaves out</h3>
      {f'<ul class="missing">{"".join(missing)}</ul>' if missing else "<p>None: every lever is covered.</p>"}
    </div>
    <div class="evidence">
      <h3>Evidence for the levers it covers</h3>
      {"".join(evidence) or "<p>No lever is covered.</p>"}
    </div>
  </div>
</section>"""


def errors_section(errors: pd.DataFrame) -> str:
    if errors.empty:
        return ""
    rows = "".join(
        f"<tr><td>{esc(e.document)}</td><td>{esc(e.stage)}</td><td>{esc(e.message)}</td></tr>"
        for e in errors.itertuples()
    )
    return f"""<section id="errors">
  <h2>What could not be read</h2>
  <p>Documents left out of the report, or analysed without some of their pages (as in errors.csv).</p>
  <table class="sortable">
    <thead><tr><th><button>Document</button></th><th><button>Stage</button></th><th><button>Reason</button></th></tr></thead>
    <tbody>{rows}</tbody>
  </table>
</section>"""


PAGE = """<!doctype html>
<html lang="en">
<head>
<meta charset="utf-8">
<meta name="viewport" content="width=device-width, initial-scale=1">
<title>Innovation levers: coverage report</title>
<style>{style}</style>
</head>
<body>
{header}
<main>
{sections}
</main>
<script>{script}</script>
</body>
</html>
"""

STYLE = """
body { font: 15px/1.45 system-ui, -apple-system, "Segoe UI", Roboto, sans-serif; color: #1b1f24; margin: 0; }
header, main { max-width: 1280px; margin: 0 auto; padding: 0 24px; }
header { padding-top: 16px; border-bottom: 1px solid #d8dee4; }
h1 { font-size: 26px; margin: 8px 0; }
h2 { font-size: 20px; margin: 32px 0 8px; padding-top: 8px; border-top: 1px solid #d8dee4; overflow-wrap: anywhere; }
h3 { font-size: 16px; margin: 16px 0 8px; }
h4 { font-size: 15px; margin: 14px 0 6px; }
small, .facts, caption, footer { color: #57606a; }
code { font-size: 13px; background: #f3f4f6; padding: 1px 4px; border-radius: 3px; overflow-wrap: anywhere; }
a { color: #0a58ca; }
.pair { display: flex; flex-wrap: wrap; gap: 24px; align-items: flex-start; }
table { border-collapse: collapse; font-size: 14px; }
caption { text-align: left; padding-bottom: 6px; }
th, td { padding: 4px 10px; border-bottom: 1px solid #e5e7eb; text-align: left; vertical-align: top; }
th[data-type="number"], td[data-sort] { text-align: right; }
th button { font: inherit; font-weight: 600; border: 0; background: none; padding: 0; cursor: pointer; color: inherit; }
th[aria-sort="ascending"] button::after { content: " ▲"; }
th[aria-sort="descending"] button::after { content: " ▼"; }
.scroll { overflow-x: auto; }
.chart text { font-size: 12px; fill: #1b1f24; }
.chart a text { fill: #0a58ca; }
.doc-label, .bar-label { text-anchor: end; }
.lever-label { font-size: 11.5px; }
.band { fill: #e8eef5; }
.band-label { text-anchor: middle; font-weight: 600; }
.cell { stroke: #fff; }
.tick { text-anchor: middle; font-size: 15px; font-weight: 700; }
.chart-title { font-weight: 600; }
.track { fill: #f3f4f6; }
.covered .bar { fill: #2f6fb2; }
.missing .bar { fill: #b8bec6; }
.missing .bar-label { fill: #6e7781; }
.threshold { stroke: #cf222e; stroke-dasharray: 4 3; }
.legend { font-size: 11px; fill: #57606a; }
.detail { display: grid; grid-template-columns: minmax(0, 680px) minmax(0, 1fr); gap: 32px; }
/* The charts stay in view beside the quotes while one scrolls through them. */
.charts { position: sticky; top: 0; align-self: start; }
@media (max-width: 1100px) { .detail { grid-template-columns: minmax(0, 1fr); } .charts { position: static; } }
svg.bars { display: block; margin-bottom: 12px; max-width: 100%; height: auto; }
ul.missing { padding-left: 20px; margin: 0; }
blockquote { margin: 6px 0 10px; padding: 6px 12px; border-left: 3px solid #2f6fb2; background: #f6f8fa; }
blockquote p { margin: 0 0 4px; }
footer { font-size: 13px; }
"""

# Sorts a table by the column whose header button is clicked: numbers (cells
# with data-sort) largest first on the first click, text in French order.
SCRIPT = """
for (const button of document.querySelectorAll("table.sortable th button")) {
  button.addEventListener("click", () => {
    const th = button.parentElement, body = th.closest("table").tBodies[0], column = th.cellIndex;
    const numeric = th.dataset.type === "number";
    const current = th.getAttribute("aria-sort");
    const ascending = current ? current === "descending" : !numeric;
    for (const cell of th.parentElement.cells) cell.removeAttribute("aria-sort");
    th.setAttribute("aria-sort", ascending ? "ascending" : "descending");
    const key = (row) => numeric ? parseFloat(row.cells[column].dataset.sort) : row.cells[column].textContent.trim();
    const rows = [...body.rows].sort((a, b) => {
      const order = numeric ? key(a) - key(b) : key(a).localeCompare(key(b), "fr");
      return ascending ? order : -order;
    });
    body.append(...rows);
  });
}
"""
