"""report.html: what it shows, that it escapes what documents say, and that a
real browser draws it without an error."""

import html
import json
import re
import shutil
import subprocess

import numpy as np
import pandas as pd
import pytest
from markupsafe import escape

from pipeline import analyse, write_outputs
from pipeline.report.html import render_report
from pipeline.report.tables import coverage_table, passage_table
from pipeline.types import Classified, CoverageRule, DocumentSummary, Passage, Result
from tests.helpers import REPO, write_pdf

MARKUP_NAME = "note <img src=x onerror=window.pwned=true>.pdf"
SCRIPT_TEXT = "<script>window.pwned = true</script>"


# A strong level by score, so that one passage can make a lever strong here.
BY_SCORE = CoverageRule(strong_score=0.7, strong_passages=None)


def make_result(taxonomy, rule: CoverageRule = BY_SCORE) -> Result:
    """Two analysed documents and one failure, with markup in a name, a passage and a message."""
    first, second = taxonomy.ids[:2]
    rows = [  # (document, page, text, {lever: score})
        ("strategie.pdf", 1, "Un comité réunit les habitants.", {first: 0.6}),
        ("strategie.pdf", 2, "Les associations animent le bourg.", {first: 0.9}),
        ("strategie.pdf", 2, "Les bénévoles accueillent les nouveaux venus.", {first: 0.7}),
        ("strategie.pdf", 3, "Le conseil citoyen se réunit chaque mois.", {first: 0.95, second: 0.8}),
        ("strategie.pdf", 3, "Des habitants rejoignent le comité.", {first: 0.55}),
        ("strategie.pdf", 3, "La commune compte 2 350 habitants.", {}),
        (MARKUP_NAME, 1, f"Le tiers-lieu accueille les porteurs de projet. {SCRIPT_TEXT}", {second: 0.9}),
    ]
    passages = [Passage(doc, page, i, text) for i, (doc, page, text, _) in enumerate(rows)]
    scores = np.array([[by_lever.get(lever, 0.1) for lever in taxonomy.ids] for *_, by_lever in rows])
    # the best passage of the first lever matched two of its cues
    found = [{}] * 3 + [{first: ["conseil citoyen", "mois"]}] + [{}] * (len(rows) - 4)
    table = passage_table(passages, Classified(scores, found), taxonomy.ids)
    coverage = coverage_table(table, ["strategie.pdf", MARKUP_NAME], taxonomy, rule)
    errors = pd.DataFrame([{"document": "casse.pdf", "stage": "extract", "message": "<b>not a PDF</b>"}])
    documents = [DocumentSummary("strategie.pdf", 3, 6), DocumentSummary(MARKUP_NAME, 1, 1),
                 DocumentSummary("casse.pdf", error="extract: <b>not a PDF</b>")]
    run = {"leviers": "0.1.0", "started": "2026-01-01T00:00:00+00:00", "input": "docs", "passages": len(table),
           "model": {"name": "test"}, "documents": {"found": 3, "analysed": 2, "failed": 1},
           "scoring": {"rule": "the rule of the cues", "cues_only": []}}
    return Result(coverage, table, errors, documents, run, taxonomy, rule)


def document_part(page: str, name: str) -> str:
    """The section of the page about one document."""
    return next(part for part in page.split('<section class="document"')[1:]
                if f"<h2>{escape(name)}</h2>" in part)


def test_text_from_documents_stays_text(taxonomy):
    page = render_report(make_result(taxonomy))
    assert page.count("<script") == 1  # the page's own, which sorts tables
    assert escape(SCRIPT_TEXT) in page
    assert "<img" not in page and escape(MARKUP_NAME) in page
    assert "<b>not a PDF</b>" not in page and "&lt;b&gt;not a PDF&lt;/b&gt;" in page


def test_the_page_fetches_nothing(taxonomy):
    page = render_report(make_result(taxonomy))
    assert not re.search(r'\s(src|srcset|xlink:href)="', page)  # the page writes every attribute in quotes
    links = re.findall(r'\shref="([^"]*)"', page)
    assert links and all(link.startswith("#") for link in links)
    assert "<link" not in page and "@import" not in page and "url(" not in page


def test_heatmap_bars_quotes_and_what_is_left_out(taxonomy):
    result = make_result(taxonomy)
    page = render_report(result)
    first, second = taxonomy.levers[:2]
    assert page.count('class="cell"') == 2 * 17
    assert page.count('class="tick') == 3  # strategie: two levers; the other document: one
    assert page.count('class="chart bars"') == 2 * len(taxonomy.frameworks)
    for lever in taxonomy.levers:  # French labels, with the description on hover
        assert f"<title>{escape(lever.label + ' (' + lever.id + '): ' + lever.description)}</title>" in page

    strategy = document_part(page, "strategie.pdf")
    assert "3 pages, 6 passages ; leviers traités : CGET 2/10, RAMEAU 0/7" in strategy
    quotes = strategy.split(f'id="doc-1-{first.id}"')[1].split('<div class="lever"')[0]
    # the best passage of each page first: three pages rather than two passages of page 2
    assert re.findall(r"page (\d+), score ([\d,]+)", quotes) == [("3", "0,95"), ("2", "0,90"), ("1", "0,60")]
    assert "Les associations animent le bourg." in quotes and "Les bénévoles" not in quotes
    assert "Le <mark>conseil citoyen</mark> se réunit chaque <mark>mois</mark>." in quotes  # the cues it matched
    left_out = strategy.split('<ul class="missing">')[1].split("</ul>")[0]
    assert left_out.count("<li>") == 15
    assert escape(taxonomy.levers[2].label) in left_out and escape(first.label) not in left_out
    # each gap recalls what its framework asks about the lever
    assert escape(taxonomy.levers[2].question) in left_out and escape(first.question) not in left_out

    assert "s = p / (2t)" in page and "indices d&#39;expert (les expressions de cues.toml" in page
    errors = page.split('id="errors"')[1]
    assert "casse.pdf" in errors and "extract" in errors


def test_the_first_screen_gives_the_results_in_plain_french_and_the_formula_comes_last(taxonomy):
    page = render_report(make_result(taxonomy))
    assert '<html lang="fr">' in page
    brief = page.split('id="brief"')[1].split("</section>")[0]
    assert "Ce document traite 2 leviers sur 17, dont 2 de façon appuyée." in brief
    assert "Ce document traite 1 levier sur 17, dont 1 de façon appuyée." in brief
    assert "Les 2 documents traitent en moyenne 1,5 leviers sur 17" in brief
    assert page.index('id="brief"') < page.index('id="heatmap"') < page.index("s = p / (2t)")
    assert page.index('id="rule"') > page.index('class="document"')


def test_weak_levels_show_in_the_heatmap_and_among_the_gaps(taxonomy):
    result = make_result(taxonomy)
    second = taxonomy.ids[1]
    weak = (result.coverage["document"] == "strategie.pdf") & (result.coverage["lever"] == second)
    result.coverage = result.coverage.assign(level=result.coverage["covered"].map({1: "strong", 0: "none"}))
    result.coverage.loc[weak, "level"] = "weak"
    page = render_report(result)
    assert page.count(">◐</text>") == 1 and page.count(">✓</text>") == 2
    assert "Ce document traite 2 leviers sur 17, dont 1 de façon appuyée." in page
    gaps = document_part(page, "strategie.pdf").split('<ul class="missing">')[1].split("</ul>")[0]
    assert gaps.count("<li>") == 16 and "traité faiblement" in gaps


def test_english_on_demand(taxonomy):
    page = render_report(make_result(taxonomy), "en")
    assert '<html lang="en">' in page and "<h1>Innovation levers: coverage report</h1>" in page
    assert "This document addresses 2 levers out of 17, 2 of them strongly." in page
    strategy = document_part(page, "strategie.pdf")
    assert "3 pages, 6 passages; levers addressed: CGET 2/10, RAMEAU 0/7" in strategy
    assert escape(taxonomy.levers[2].label_en) in strategy and escape(taxonomy.levers[2].question_en) in strategy
    assert "page 3, score 0.95" in strategy
    assert "leviers traités" not in page and "Ce document" not in page


def test_long_labels_and_names_wrap_rather_than_being_cut(taxonomy):
    page = render_report(make_result(taxonomy))
    assert "…" not in "".join(re.findall(r"<svg.*?</svg>", page, re.S))  # no label cut in the charts
    longest = max((lever.label for lever in taxonomy.levers), key=len)
    first, second = longest.split(" coopération")
    assert f">{escape(first)}</tspan>" in page and f">coopération{escape(second)}</tspan>" in page


def test_a_stricter_rule_shows_in_the_charts_and_the_list_of_what_is_left_out(taxonomy):
    page = render_report(make_result(taxonomy, CoverageRule(min_passages=2, high_confidence=0.9)))
    strategy = document_part(page, "strategie.pdf")
    assert strategy.count('class="threshold"') == 2 * len(taxonomy.frameworks)  # 0.5 and 0.9
    assert "passages qui le portent : 1, il en faut 2" in strategy.split('<ul class="missing">')[1]
    assert "au moins 2 de ses passages le portent (score ≥ 0,5), ou quand un passage atteint au moins 0,90" in page
    assert "leviers traités : CGET 1/10" in strategy


def test_a_run_where_every_document_failed_still_has_a_report(taxonomy):
    result = make_result(taxonomy)
    result.coverage = result.coverage.iloc[0:0]
    result.passages = result.passages.iloc[0:0]
    page = render_report(result)
    assert escape("Aucun document n'a pu être analysé.") in page and "casse.pdf" in page


def test_write_outputs_writes_every_file(taxonomy, tmp_path):
    result = make_result(taxonomy)
    written = write_outputs(tmp_path, result, excel=True)
    assert sorted(p.name for p in written) == sorted(p.name for p in tmp_path.iterdir()) == [
        "coverage.csv", "coverage_matrix.csv", "errors.csv", "passages.csv", "report.html", "run.json",
        "summary.csv"]
    assert (tmp_path / "report.html").read_text("utf-8") == render_report(result)
    summary = (tmp_path / "summary.csv").read_text("utf-8-sig").splitlines()
    assert summary[0] == "ranking;rank;name;label;framework;covered;out_of;share;strong"
    assert summary[1] == "documents;1;strategie.pdf;;;2;17;0,1176;2"


# A real browser: Debian's chromium, which .ci/run installs.
CHROMIUM = next(filter(None, map(shutil.which, ("chromium", "chromium-browser", "google-chrome"))), None)

# Appended to a copy of the report: once the page has loaded, it measures what
# was drawn, sorts a table twice and writes its findings into the page.
PROBE = """<script>
window.addEventListener("load", () => {
  const drawn = (selector) => [...document.querySelectorAll(selector)].filter((element) => {
    const box = element.getBoundingClientRect();
    return box.width > 0 && box.height > 0;
  }).length;
  const table = document.querySelector("#corpus table");
  const button = [...table.tHead.rows[0].cells].find((th) => th.textContent === "Passages").querySelector("button");
  const column = () => [...table.tBodies[0].rows].map((row) => Number(row.cells[row.cells.length - 1].textContent));
  button.click();
  const firstClick = column();
  button.click();
  const probe = {
    charts: drawn("svg.chart"), cells: drawn("svg.heatmap rect.cell"), bars: drawn("svg.bars rect.bar"),
    fetched: performance.getEntriesByType("resource").length, pwned: window.pwned === true,
    scripts: document.scripts.length, quotes: [...document.querySelectorAll("blockquote p")].map((p) => p.textContent),
    headings: [...document.querySelectorAll("section.document h2")].map((h) => h.textContent),
    firstClick, secondClick: column(),
  };
  const out = document.createElement("pre");
  out.id = "probe";
  out.textContent = JSON.stringify(probe);
  document.body.append(out);
});
</script>
"""


@pytest.fixture(scope="module")
def sample_report(tmp_path_factory):
    """The sample corpus plus a document whose name and text carry markup, analysed and reported."""
    corpus = tmp_path_factory.mktemp("corpus")
    for pdf in (REPO / "corpora" / "samples").glob("*.pdf"):
        shutil.copy(pdf, corpus)
    write_pdf(corpus / MARKUP_NAME, [[
        "Dossier de candidature",
        "La communauté de communes recrute une cheffe de projet, cofinancée à 75 % par l'État, pour piloter "
        f"la revitalisation des centres-bourgs avec l'appui du Cerema. {SCRIPT_TEXT}",
    ]])
    result = analyse(corpus)
    out = tmp_path_factory.mktemp("out")
    write_outputs(out, result)
    return out / "report.html", result


@pytest.mark.browser
@pytest.mark.skipif(CHROMIUM is None, reason="no chromium installed")
def test_a_browser_draws_the_sample_report_without_an_error(sample_report, tmp_path):
    report, result = sample_report
    assert result.errors.empty
    probed = tmp_path / "probed.html"
    probed.write_text(report.read_text("utf-8").replace("</body>", PROBE + "</body>"), "utf-8")
    completed = subprocess.run(
        [CHROMIUM, "--headless", "--no-sandbox", "--disable-gpu", "--disable-background-networking",
         "--disable-component-update", "--no-first-run", "--disable-sync", f"--user-data-dir={tmp_path / 'profile'}",
         "--enable-logging=stderr", "--v=0", "--dump-dom", probed.as_uri()],
        capture_output=True, text=True, timeout=180,
    )
    # Chromium logs every console message and uncaught error of the page as CONSOLE.
    assert re.findall(r"CONSOLE.*", completed.stderr) == []
    found = re.search(r'<pre id="probe">(.*?)</pre>', completed.stdout, re.S)
    assert found, completed.stderr[-2000:]
    probe = json.loads(html.unescape(found.group(1)))

    documents = result.coverage["document"].nunique()
    assert documents == 4
    assert probe["charts"] == 1 + documents * 2  # the heatmap, and one bar chart per framework and document
    assert probe["cells"] == documents * 17
    assert probe["bars"] == int((result.coverage["score"] > 0).sum())
    assert probe["fetched"] == 0
    assert not probe["pwned"] and probe["scripts"] == 2  # the report's and the probe
    assert any(SCRIPT_TEXT in quote for quote in probe["quotes"])
    assert MARKUP_NAME in probe["headings"]
    passages = sorted(s.passages for s in result.documents)
    assert probe["firstClick"] == passages[::-1] and probe["secondClick"] == passages
