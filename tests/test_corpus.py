import json

import pytest

from pipeline.corpus import label_matrix, read_examples
from pipeline.errors import AnnotationError


def write_jsonl(path, rows):
    path.write_text("".join(json.dumps(r, ensure_ascii=False) + "\n" for r in rows), "utf-8")
    return path


def test_reads_jsonl_and_csv(tmp_path, taxonomy):
    jsonl = write_jsonl(tmp_path / "a.jsonl", [
        {"id": "a1", "text": "Un comité de pilotage réunit les élus.", "labels": ["cget.organisation_collective"],
         "source": "x", "genre": "crte"},
        {"id": "a2", "text": "La commune compte 2 350 habitants.", "labels": []},
    ])
    csv = tmp_path / "b.csv"
    csv.write_text('id,text,labels\nb1,"Le tiers-lieu, ouvert en 2024.",cget.catalyseurs|rameau.alliances\n'
                   "b2,Rien ici.,\n", "utf-8")
    examples = read_examples([jsonl, csv], taxonomy)
    assert [e.id for e in examples] == ["a1", "a2", "b1", "b2"]
    assert examples[2].labels == ("cget.catalyseurs", "rameau.alliances")
    assert examples[3].labels == ()
    Y = label_matrix(examples, taxonomy.ids)
    assert Y.shape == (4, 17) and Y.sum() == 3


@pytest.mark.parametrize(
    "lines, message",
    [
        (['{"id": "x", "text": "t", "labels": ["cget.inconnu"]}'], r"x\.jsonl:1: unknown lever id cget\.inconnu"),
        (['{"id": "x", "text": "  ", "labels": []}'], r"x\.jsonl:1: empty text"),
        (['{"id": "x", "text": "a", "labels": []}', '{"id": "x", "text": "b", "labels": []}'],
         r"x\.jsonl:2: duplicate id 'x'"),
        (['{"id": "1", "text": "même texte", "labels": []}',
          '{"id": "2", "text": "même texte", "labels": ["rameau.numerique"]}'],
         r"x\.jsonl:2: same text as .*x\.jsonl:1 with different labels"),
        (['{"id": "x", "text": "a", "labels": []}', '{"id": "y", "text": "b", '], r"x\.jsonl:2: malformed JSON"),
        (['{"id": "x", "text": "a", "labels": "rameau.numerique"}'], r"x\.jsonl:1: 'labels' must be a list"),
        (['["x", "a"]'], r"x\.jsonl:1: expected an object"),
    ],
)
def test_bad_annotations_name_the_file_and_line(tmp_path, taxonomy, lines, message):
    path = tmp_path / "x.jsonl"
    path.write_text("\n".join(lines) + "\n", "utf-8")
    with pytest.raises(AnnotationError, match=message):
        read_examples([path], taxonomy)


def test_csv_without_labels_column(tmp_path, taxonomy):
    path = tmp_path / "x.csv"
    path.write_text("id,text\n1,bonjour\n", "utf-8")
    with pytest.raises(AnnotationError, match="missing CSV column"):
        read_examples([path], taxonomy)
