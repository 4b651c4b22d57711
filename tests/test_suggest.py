import json
import xml.etree.ElementTree as ET

import numpy as np
import pytest

from pipeline.errors import LeviersError
from pipeline.report.spreadsheet import write_csv
from pipeline.report.tables import passage_table
from pipeline.training.corpus import read_examples
from pipeline.training.suggest import label_studio_config, pick, read_passages, write_suggestions
from pipeline.types import Classified, Passage

WORDS = ("commune comité tiers-lieu habitants projet mobilité école santé forêt énergie numérique emploi "
         "association élus bourg gare vélo ferme marché atelier").split()


def passages_table(taxonomy, rows):
    """The passages table of `analyse`: rows of (document, text, {lever: score}); other levers score 0."""
    scores = np.zeros((len(rows), len(taxonomy.ids)))
    for i, (_, _, levers) in enumerate(rows):
        for lever, score in levers.items():
            scores[i, taxonomy.ids.index(lever)] = score
    passages = [Passage(document, 1, i, text) for i, (document, text, _) in enumerate(rows)]
    return passage_table(passages, Classified(scores, [{}] * len(rows)), taxonomy.ids)


def sentence(i):
    """A sentence of ten words that shares few with the sentence of another i."""
    return " ".join(WORDS[(i * 3 + k) % len(WORDS)] + str(i) for k in range(10)) + "."


def test_pick_prefers_scores_near_the_thresholds(taxonomy):
    a, b = taxonomy.ids[:2]
    table = passages_table(taxonomy, [
        ("d1", sentence(0), {a: 0.95}), ("d1", sentence(1), {a: 0.52}), ("d1", sentence(2), {a: 0.1}),
        ("d1", sentence(3), {b: 0.47}), ("d1", "Trop court.", {a: 0.5}),
    ])
    picked = pick(table, taxonomy.ids, 2)
    assert list(picked["text"]) == [sentence(1), sentence(3)]
    assert list(picked["uncertain"]) == [a, b]
    assert picked["score"].tolist() == [0.52, 0.47]
    # a title or a figure alone is never suggested, however uncertain
    assert "Trop court." not in pick(table, taxonomy.ids, 5)["text"].tolist()


def test_pick_spreads_across_levers_and_documents_and_drops_near_duplicates(taxonomy):
    a, b = taxonomy.ids[:2]
    rows = [("d1", sentence(i), {a: 0.5 + i / 1000}) for i in range(6)]  # the most uncertain: lever a, d1
    rows += [("d2", sentence(10), {b: 0.6}), ("d1", sentence(11), {b: 0.62})]
    rows += [("d3", sentence(0) + " Voir p4.", {a: 0.5})]  # nearly the text of rows[0]
    picked = pick(passages_table(taxonomy, rows), taxonomy.ids, 4)
    # after the most uncertain, another lever in another document comes before the next most uncertain
    assert picked["text"].tolist() == [sentence(0), sentence(10), sentence(1), sentence(2)]
    assert picked["uncertain"].tolist() == [a, b, a, a]


def test_read_passages_as_written_by_analyse_also_for_excel(tmp_path, taxonomy):
    table = passages_table(taxonomy, [("d1", "- Une liste à puces de plusieurs mots ici.", {taxonomy.ids[0]: 0.45})])
    for excel in (False, True):
        write_csv(table, tmp_path / "passages.csv", excel=excel)
        read = read_passages(tmp_path, taxonomy)
        assert read["text"][0] == "- Une liste à puces de plusieurs mots ici."  # no spreadsheet apostrophe
        assert read[taxonomy.ids[0]][0] == 0.45
    table.drop(columns=taxonomy.ids[-1]).to_csv(tmp_path / "passages.csv", index=False)
    with pytest.raises(LeviersError, match="passages.csv: not the passages.csv"):
        read_passages(tmp_path, taxonomy)
    with pytest.raises(LeviersError, match="run `leviers analyse` first"):
        read_passages(tmp_path / "nowhere", taxonomy)


def test_suggestions_are_written_in_every_format(tmp_path, taxonomy):
    a, b = taxonomy.ids[:2]
    table = passages_table(taxonomy, [("d1", sentence(0), {a: 0.55, b: 0.52}), ("d2", sentence(1), {a: 0.4})])
    files = write_suggestions(pick(table, taxonomy.ids, 5), taxonomy, tmp_path / "out" / "to_annotate.jsonl")
    assert [f.name for f in files] == ["to_annotate.jsonl", "to_annotate.csv", "to_annotate.labelstudio.json",
                                       "to_annotate.labelstudio.xml"]
    # the guide's files read back as annotations, the model's levers filled in
    for path in files[:2]:
        examples = read_examples([path], taxonomy)
        assert [(e.text, e.labels) for e in examples] == [(sentence(0), (a, b)), (sentence(1), ())]
    tasks = json.loads(files[2].read_text("utf-8"))
    assert [t["data"]["text"] for t in tasks] == [sentence(0), sentence(1)]
    assert tasks[0]["predictions"][0]["result"][0]["value"]["choices"] == [a, b]
    assert tasks[1]["predictions"][0]["result"] == []


def test_label_studio_config_shows_the_french_labels_and_exports_the_ids(taxonomy):
    view = ET.fromstring(label_studio_config(taxonomy))
    assert view.tag == "View" and view.find("Text").get("name") == "text"
    choices = view.find("Choices")
    assert choices.get("choice") == "multiple" and choices.get("toName") == "text"
    # Label Studio shows a choice's value and exports its alias
    assert [(c.get("value"), c.get("alias"), c.get("hint")) for c in choices] == [
        (l.label, l.id, l.description) for l in taxonomy.levers]


def test_suggestions_for_french_excel_and_label_studio_sorting(tmp_path, taxonomy):
    a, b = taxonomy.ids[:2]
    bullet = "- " + sentence(2)  # a spreadsheet would read it as a formula
    table = passages_table(taxonomy, [("d1", sentence(0), {a: 0.55, b: 0.52}), ("d2", bullet, {a: 0.3})])
    jsonl, csv_file, tasks_file, _ = write_suggestions(pick(table, taxonomy.ids, 5), taxonomy,
                                                       tmp_path / "to_annotate.jsonl", excel=True)
    lines = csv_file.read_text("utf-8-sig").splitlines()
    assert lines[0] == "id;text;labels;document;page;uncertain;score"
    assert lines[1].endswith(f";{b};0,52") and f";'{bullet};" in lines[2]
    # read back as annotations: the separator found, the guard's apostrophe gone
    assert [(e.text, e.labels) for e in read_examples([csv_file], taxonomy)] == [
        (sentence(0), (a, b)), (bullet, ())]
    tasks = json.loads(tasks_file.read_text("utf-8"))
    assert [(t["data"]["uncertain"], t["data"]["score"]) for t in tasks] == [
        (taxonomy.lever(b).label, 0.52), (taxonomy.lever(a).label, 0.3)]
    assert [t["predictions"][0]["score"] for t in tasks] == [0.04, 0.4]  # confidence: 0 at the threshold
