import numpy as np

from pipeline.report import coverage_matrix, coverage_table, passage_table
from pipeline.segment import Passage


def test_coverage_follows_the_stated_rule(taxonomy):
    ids = taxonomy.ids
    passages = [Passage("a.pdf", 1, 0, "premier"), Passage("a.pdf", 2, 1, "second"),
                Passage("a.pdf", 2, 2, "troisième"), Passage("b.pdf", 1, 0, "autre")]
    scores = np.zeros((4, len(ids)))
    scores[0, 0], scores[1, 0], scores[2, 0] = 0.6, 0.9, 0.4  # a.pdf: 2 passages carry lever 0
    scores[3, 1] = 0.49  # b.pdf: just under the threshold
    table = passage_table(passages, scores, ids)
    assert list(table["levers"]) == [ids[0], ids[0], "", ""]

    coverage = coverage_table(table, ["a.pdf", "b.pdf", "c.pdf"], taxonomy)
    assert len(coverage) == 3 * len(ids)
    a0 = coverage[(coverage.document == "a.pdf") & (coverage.lever == ids[0])].iloc[0]
    assert (a0.covered, a0.score, a0.passages, a0.evidence, a0.evidence_page) == (1, 0.9, 2, "second", 2)
    assert a0.share == round(2 / 3, 4)
    b1 = coverage[(coverage.document == "b.pdf") & (coverage.lever == ids[1])].iloc[0]
    assert (b1.covered, b1.score, b1.evidence) == (0, 0.49, "")
    # a document with no passage is listed, covering nothing
    assert coverage[coverage.document == "c.pdf"].covered.sum() == 0

    matrix = coverage_matrix(coverage)
    assert list(matrix.columns) == ["document", *ids]
    assert list(matrix.document) == ["a.pdf", "b.pdf", "c.pdf"]
    assert matrix.iloc[0][ids[0]] == 1 and matrix.iloc[1].drop("document").sum() == 0
