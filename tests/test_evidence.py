"""Only evidence proves coverage: what a report quotes, and how strongly it says a lever is covered."""

from __future__ import annotations

import html
import re

import pandas as pd

from pipeline.report import write_outputs
from pipeline.run import analyse
from pipeline.types import EVIDENCE_KINDS
from tests.helpers import write_pdf
from tests.test_segment import COOPERATION

DEPLORING = [[
    "Le conseil de développement relève le manque de vision stratégique du plan d'action et regrette "
    "qu'aucun objectif précis ne soit fixé pour les six années à venir, ce qui rend son suivi impossible.",
    "Les habitants n'ont pas été associés à l'élaboration du plan, et aucune instance de concertation "
    "ne réunit les associations du territoire autour de ses actions.",
]]


def test_the_report_quotes_evidence_only_and_shows_deplored_levers_apart(tmp_path):
    folder = tmp_path / "docs"
    folder.mkdir()
    write_pdf(folder / "plan.pdf", COOPERATION, header="Projet de territoire 2030")
    write_pdf(folder / "avis.pdf", DEPLORING)
    result = analyse(folder)
    write_outputs(tmp_path / "out", result)

    passages = pd.read_csv(tmp_path / "out" / "passages.csv", keep_default_na=False)
    assert list(passages.columns[5:8]) == ["cues", "kind", "deplores"]
    others = passages[~passages["kind"].isin(EVIDENCE_KINDS)]
    assert set(others["kind"]) == {"toc", "glossary", "repeated", "caption", "heading"}
    assert others["levers"].astype(bool).any()  # the model does score some of them: they would be quoted
    page = (tmp_path / "out" / "report.html").read_text("utf-8")
    quotes = [html.unescape(re.sub("<[^>]+>", "", q))  # without the marks of the cues
              for q in re.findall(r'<blockquote lang="fr"><p>(.*?)</p>', page, re.S)]
    assert quotes and not {q.strip(" …") for q in quotes} & set(others["text"])
    assert not [q for q in quotes if "objectif de coopération ?" in q or "...." in q or "ANCT :" in q]

    avis = passages[passages["document"] == "avis.pdf"]
    assert (avis["deplores"] == avis["levers"]).all() and avis["deplores"].astype(bool).any()
    coverage = pd.read_csv(tmp_path / "out" / "coverage.csv")
    assert coverage[coverage["document"] == "avis.pdf"]["covered"].sum() == 0
    assert set(coverage["level"]) <= {"strong", "weak", "none"}
    assert (coverage["covered"] == (coverage["level"] != "none")).all()
    vigilance = page.split('<h2>avis.pdf</h2>')[1].split('<ul class="vigilance">')[1].split("</ul>")[0]
    assert "manque de vision stratégique" in html.unescape(vigilance)
