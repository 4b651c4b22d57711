import numpy as np
import pandas as pd
import pytest

from pipeline.errors import LeviersError
from pipeline.report.spreadsheet import spreadsheet_safe, write_csv
from pipeline.report.tables import coverage_matrix, coverage_table, passage_table, summary_table
from pipeline.types import Classified, CoverageRule, Passage


def scored(taxonomy, rows: list[tuple[str, int, dict[int, float]]]) -> pd.DataFrame:
    """A passage table from (document, page, {lever index: score}) rows."""
    passages = [Passage(doc, page, i, f"Passage {i}.") for i, (doc, page, _) in enumerate(rows)]
    scores = np.zeros((len(rows), len(taxonomy.ids)))
    for i, (_, _, by_lever) in enumerate(rows):
        for j, score in by_lever.items():
            scores[i, j] = score
    return passage_table(passages, Classified(scores, [{}] * len(rows)), taxonomy.ids)


def row(coverage: pd.DataFrame, document: str, lever: str) -> pd.Series:
    return coverage[(coverage.document == document) & (coverage.lever == lever)].iloc[0]


def test_coverage_follows_the_stated_rule(taxonomy):
    ids = taxonomy.ids
    passages = [Passage("a.pdf", 1, 0, "Premier."), Passage("a.pdf", 2, 1, "Second."),
                Passage("a.pdf", 2, 2, "Troisième."), Passage("b.pdf", 1, 0, "Autre.")]
    scores = np.zeros((4, len(ids)))
    scores[0, 0], scores[1, 0], scores[2, 0] = 0.6, 0.9, 0.4  # a.pdf: 2 passages carry lever 0
    scores[3, 1] = 0.49  # b.pdf: just under the threshold
    found = [{ids[0]: ["premier"]}, {}, {}, {ids[1]: ["autre", "autre"]}]
    table = passage_table(passages, Classified(scores, found), ids)
    assert list(table["levers"]) == [ids[0], ids[0], "", ""]
    assert list(table["cues"]) == [f"{ids[0]}: premier", "", "", f"{ids[1]}: autre, autre"]

    coverage = coverage_table(table, ["a.pdf", "b.pdf", "c.pdf"], taxonomy)
    assert len(coverage) == 3 * len(ids)
    a0 = row(coverage, "a.pdf", ids[0])
    assert (a0.covered, a0.score, a0.passages, a0.evidence, a0.evidence_page) == (1, 0.9, 2, "Second.", 2)
    assert a0.share == round(2 / 3, 4)
    b1 = row(coverage, "b.pdf", ids[1])
    assert (b1.covered, b1.score, b1.evidence) == (0, 0.49, "")
    # a document with no passage is listed, covering nothing
    assert coverage[coverage.document == "c.pdf"].covered.sum() == 0

    matrix = coverage_matrix(coverage)
    assert list(matrix.columns) == ["document", *ids]
    assert list(matrix.document) == ["a.pdf", "b.pdf", "c.pdf"]
    assert matrix.iloc[0][ids[0]] == 1 and matrix.iloc[1].drop("document").sum() == 0


def test_a_score_that_rounds_to_the_threshold_carries_the_lever_everywhere(taxonomy):
    table = scored(taxonomy, [("a.pdf", 1, {0: 0.49996})])
    assert table.at[0, taxonomy.ids[0]] == 0.5 and table.at[0, "levers"] == taxonomy.ids[0]
    assert row(coverage_table(table, ["a.pdf"], taxonomy), "a.pdf", taxonomy.ids[0]).covered == 1


def test_min_passages_and_high_confidence(taxonomy):
    ids = taxonomy.ids
    table = scored(taxonomy, [
        ("a.pdf", 1, {0: 0.7, 1: 0.95, 2: 0.8}),
        ("a.pdf", 3, {0: 0.6, 3: 0.55}),
    ])
    default = coverage_table(table, ["a.pdf"], taxonomy)
    assert [row(default, "a.pdf", ids[j]).covered for j in range(5)] == [1, 1, 1, 1, 0]

    two = coverage_table(table, ["a.pdf"], taxonomy, CoverageRule(min_passages=2))
    assert [row(two, "a.pdf", ids[j]).covered for j in range(4)] == [1, 0, 0, 0]
    # one passage is not enough, but it is still the evidence, with its page
    lone = row(two, "a.pdf", ids[3])
    assert (lone.passages, lone.evidence, lone.evidence_page) == (1, "Passage 1.", 3)

    sure = coverage_table(table, ["a.pdf"], taxonomy, CoverageRule(min_passages=2, high_confidence=0.9))
    assert [row(sure, "a.pdf", ids[j]).covered for j in range(4)] == [1, 1, 0, 0]


def test_the_rule_refuses_impossible_values_and_states_itself():
    with pytest.raises(LeviersError, match="min_passages"):
        CoverageRule(min_passages=0)
    with pytest.raises(LeviersError, match="high_confidence"):
        CoverageRule(high_confidence=0.3)
    with pytest.raises(LeviersError, match="strong_score"):
        CoverageRule(strong_score=0.2)
    assert str(CoverageRule()) == (
        "a document covers a lever when at least 1 of its passages carries it (score ≥ 0.5); "
        "strongly when at least 3 carry it")
    assert str(CoverageRule(3, 0.9, 0.95, 4)).endswith(
        "at least 3 of its passages carry it (score ≥ 0.5), or when one passage scores at least 0.9; "
        "strongly when one scores at least 0.95 or at least 4 carry it")


def test_summary_ranks_documents_and_levers(taxonomy):
    ids = taxonomy.ids
    table = scored(taxonomy, [
        ("a.pdf", 1, {0: 0.9}),
        ("b.pdf", 1, {0: 0.9, 1: 0.8, 2: 0.7}),
        ("c.pdf", 1, {1: 0.6}),
    ])
    summary = summary_table(coverage_table(table, ["a.pdf", "b.pdf", "c.pdf"], taxonomy))
    documents = summary[summary.ranking == "documents"]
    assert list(zip(documents["name"], documents["rank"], documents["covered"])) == [
        ("b.pdf", 1, 3), ("a.pdf", 2, 1), ("c.pdf", 2, 1)]
    assert set(documents["out_of"]) == {len(ids)}
    levers = summary[summary.ranking == "levers"]
    assert list(levers["name"])[:3] == [ids[0], ids[1], ids[2]]
    assert list(levers["rank"])[:4] == [1, 1, 3, 4]
    assert list(levers["share"])[:3] == [round(2 / 3, 4), round(2 / 3, 4), round(1 / 3, 4)]
    assert levers.iloc[0]["label"] == taxonomy.levers[0].label
    assert len(levers) == len(ids)


TRAPS = pd.DataFrame({
    "text": ["=HYPERLINK(\"http://x\")", "+33 1 23", "-2+3", "@SUM(A1)", "\t=1", "a = b", "Début"],
    "score": [0.5, 0.25, -1.5, 0.0, 1.0, 0.125, 0.75],
})


def test_cells_that_could_start_a_formula_are_neutralised():
    safe = spreadsheet_safe(TRAPS)
    assert list(safe["text"]) == ["'=HYPERLINK(\"http://x\")", "'+33 1 23", "'-2+3", "'@SUM(A1)", "'\t=1",
                                  "a = b", "Début"]
    assert list(safe["score"]) == list(TRAPS["score"])  # numbers are not formulas
    assert TRAPS.at[0, "text"].startswith("=")  # the caller's table is left alone


def test_csv_for_excel(tmp_path):
    plain, excel = tmp_path / "plain.csv", tmp_path / "excel.csv"
    write_csv(TRAPS, plain)
    write_csv(TRAPS, excel, excel=True)
    for path in (plain, excel):
        assert path.read_bytes().startswith(b"\xef\xbb\xbf")  # UTF-8 byte-order mark
    plain_lines = plain.read_text("utf-8-sig").splitlines()
    assert plain_lines[0] == "text,score" and "Début,0.75" in plain_lines
    assert plain_lines[1] == '"\'=HYPERLINK(""http://x"")",0.5'
    lines = excel.read_text("utf-8-sig").splitlines()
    assert lines[0] == "text;score"
    assert lines[2:4] == ["'+33 1 23;0,25", "'-2+3;-1,5"]
    assert "Début;0,75" in lines
    back = pd.read_csv(excel, sep=";", decimal=",", encoding="utf-8-sig")
    assert list(back["score"]) == list(TRAPS["score"])


def test_levels_tell_a_single_weak_mention_from_a_sure_one(taxonomy):
    ids = taxonomy.ids
    table = scored(taxonomy, [("a.pdf", 1, {0: 0.5, 1: 0.95, 2: 0.55}), ("a.pdf", 2, {2: 0.6})])
    default = coverage_table(table, ["a.pdf"], taxonomy)  # strong from three carrying passages
    assert [row(default, "a.pdf", ids[j]).level for j in range(4)] == ["weak", "weak", "weak", "none"]
    by_count = coverage_table(table, ["a.pdf"], taxonomy, CoverageRule(strong_passages=2))
    assert [row(by_count, "a.pdf", ids[j]).level for j in range(4)] == ["weak", "weak", "strong", "none"]
    by_score = coverage_table(table, ["a.pdf"], taxonomy, CoverageRule(strong_score=0.9, strong_passages=None))
    assert [row(by_score, "a.pdf", ids[j]).level for j in range(4)] == ["weak", "strong", "weak", "none"]
    assert list(summary_table(by_score).query("ranking == 'documents'")[["covered", "strong"]].iloc[0]) == [3, 1]


def test_passages_that_are_not_evidence_neither_cover_nor_are_quoted(taxonomy):
    ids = taxonomy.ids
    passages = [Passage("a.pdf", 1, 0, "Gouvernance et coopération", "heading"),
                Passage("a.pdf", 2, 1, "Aucune coopération n'est prévue.", "paragraph"),
                Passage("a.pdf", 3, 2, "Les communes coopèrent.", "paragraph")]
    scores = np.zeros((3, len(ids)))
    scores[:, 4] = [0.9, 0.8, 0.0]
    table = passage_table(passages, Classified(scores, [{}] * 3), ids, [[], [ids[4]], []])
    assert list(table.columns[:8]) == ["document", "page", "passage", "text", "levers", "cues", "kind", "deplores"]
    lever = row(coverage_table(table, ["a.pdf"], taxonomy), "a.pdf", ids[4])
    assert (lever.covered, lever.level, lever.score, lever.passages, lever.evidence) == (0, "none", 0.0, 0, "")
    assert list(table["levers"]) == [ids[4], ids[4], ""]  # the scores stay in passages.csv
