import json

import pytest

from pipeline.errors import AnnotationError
from pipeline.training.corpus import label_matrix, read_examples


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


# A CSV as French Excel saves it: ';' between cells, CRLF line ends, and in its
# plain "CSV (séparateur : point-virgule)" format, Windows-1252.
FRENCH_EXCEL = ('id;text;labels\r\n'
                'e1;"Le tiers-lieu, géré par l’association, accueille les porteurs de projet.";cget.catalyseurs\r\n'
                'e2;"Un comité réunit élus et habitants ; il décide chaque trimestre.";'
                'Organisation collective et mobilisation des acteurs|rameau.alliances\r\n'
                "e3;'- Une liste à puces : « essai » et erreur.;\r\n")


@pytest.mark.parametrize("encoding", ["cp1252", "utf-8-sig"])
def test_reads_a_csv_saved_by_french_excel(tmp_path, taxonomy, encoding):
    path = tmp_path / "annotations.csv"
    path.write_bytes(FRENCH_EXCEL.encode(encoding))
    examples = read_examples([path], taxonomy)
    assert [(e.id, e.text, e.labels) for e in examples] == [
        ("e1", "Le tiers-lieu, géré par l’association, accueille les porteurs de projet.", ("cget.catalyseurs",)),
        # a lever named by its French label is read as its id
        ("e2", "Un comité réunit élus et habitants ; il décide chaque trimestre.",
         ("cget.organisation_collective", "rameau.alliances")),
        ("e3", "- Une liste à puces : « essai » et erreur.", ()),  # without the formula guard's apostrophe
    ]


def test_a_wrongly_encoded_file_gets_a_hint_that_names_the_fix(tmp_path, taxonomy):
    twice = tmp_path / "twice.csv"  # UTF-8 read as Windows-1252, then saved again
    twice.write_text(FRENCH_EXCEL.encode("utf-8").decode("cp1252"), "utf-8")
    with pytest.raises(AnnotationError, match=r"twice\.csv: accents garbled .*CSV UTF-8"):
        read_examples([twice], taxonomy)
    latin = tmp_path / "latin.jsonl"
    latin.write_bytes('{"id": "1", "text": "élus", "labels": []}\n'.encode("cp1252"))
    with pytest.raises(AnnotationError, match=r"latin\.jsonl: not a UTF-8 text file; save it as UTF-8"):
        read_examples([latin], taxonomy)
    undefined = tmp_path / "undefined.csv"
    undefined.write_bytes(b"id;text;labels\r\n1;\x81\x8d;\r\n")
    with pytest.raises(AnnotationError, match=r"neither UTF-8 nor Windows-1252; in Excel, .*CSV UTF-8"):
        read_examples([undefined], taxonomy)


def test_csv_without_labels_column(tmp_path, taxonomy):
    path = tmp_path / "x.csv"
    path.write_text("id,text\n1,bonjour\n", "utf-8")
    with pytest.raises(AnnotationError, match="missing CSV column"):
        read_examples([path], taxonomy)


def label_studio_task(task_id, text, *annotations, data_key="text"):
    return {"id": task_id, "data": {data_key: text, "page": 3},
            "annotations": [{"was_cancelled": cancelled, "updated_at": when,
                             "result": [{"type": "choices", "from_name": "levers", "to_name": "text",
                                         "value": {"choices": labels}}]}
                            for labels, cancelled, when in annotations]}


def test_reads_a_label_studio_export(tmp_path, taxonomy):
    tasks = [
        # the latest annotation that was not cancelled wins
        label_studio_task(7, "Le tiers-lieu accueille les porteurs de projets.",
                          (["cget.ingenierie"], False, "2025-01-02T10:00:00Z"),
                          (["cget.catalyseurs"], False, "2025-03-01T10:00:00Z"),
                          (["rameau.numerique"], True, "2025-04-01T10:00:00Z")),
        label_studio_task(8, "Personne n'a encore annoté ce passage."),
        label_studio_task(9, "La commune compte 2 350 habitants.", ([], False, "2025-01-01T00:00:00Z"),
                          data_key="passage"),  # text under another key: the first string value
    ]
    path = tmp_path / "export.txt"  # told by its content, not its name
    path.write_text("[\n" + ",\n".join(json.dumps(t, ensure_ascii=False) for t in tasks) + "\n]", "utf-8")
    skipped = []
    examples = read_examples([path], taxonomy, skipped)
    assert [(e.id, e.labels) for e in examples] == [("7", ("cget.catalyseurs",)), ("9", ())]
    assert examples[1].text == "La commune compte 2 350 habitants."
    assert skipped == [f"{path}:3"]


def test_reads_a_doccano_export(tmp_path, taxonomy):
    path = write_jsonl(tmp_path / "doccano.json", [
        {"text": "Un comité de pilotage réunit les élus.", "label": ["cget.organisation_collective"]},
        {"id": 12, "text": "Le tiers-lieu ouvre en 2024.", "label": ["cget.catalyseurs", "rameau.alliances"]},
        {"text": "La commune compte 2 350 habitants.", "labels": []},
    ])
    examples = read_examples([path], taxonomy)
    assert [e.id for e in examples] == ["doccano.json:1", "12", "doccano.json:3"]
    assert examples[1].labels == ("cget.catalyseurs", "rameau.alliances") and examples[2].labels == ()


TASK = '{"id": %s, "data": {"text": %s}, "annotations": [{"result": [{"type": "choices", "value": {"choices": %s}}]}]}'


@pytest.mark.parametrize(
    "name, content, message",
    [
        ("ls.json", "[\n" + TASK % (1, '"a"', '["cget.inconnu"]') + "\n]",
         r"ls\.json:2: unknown lever id cget\.inconnu"),
        ("ls.json", "[\n" + TASK % (1, '"a"', "[]") + ",\n" + TASK % (2, '" "', "[]") + "\n]",
         r"ls\.json:3: empty text"),
        ("ls.json", "[\n" + TASK % (1, '"a"', "[]") + ",\n" + TASK % (1, '"b"', "[]") + "\n]",
         r"ls\.json:3: duplicate id '1'"),
        ("ls.json", "[\n" + TASK % (1, '"a"', "[]") + ",\n" + TASK % (2, '"a"', '["cget.ingenierie"]') + "\n]",
         r"ls\.json:3: same text as .*ls\.json:2 with different labels"),
        ("ls.json", "[\n" + TASK % (1, '"a"', "[]") + ",\n{\"id\": 2, \n]", r"ls\.json:4: malformed JSON"),
        ("ls.json", '[\n{"id": 1, "text": "a"}\n]', r"ls\.json:2: expected an object with 'data'"),
        ("dc.jsonl", '{"text": "a", "label": ["cget.inconnu"]}\n', r"dc\.jsonl:1: unknown lever id cget\.inconnu"),
        ("dc.jsonl", '{"text": "a", "label": []}\n{"text": "", "label": []}\n', r"dc\.jsonl:2: empty text"),
        ("dc.jsonl", '{"id": 4, "text": "a", "label": []}\n{"id": 4, "text": "b", "label": []}\n',
         r"dc\.jsonl:2: duplicate id '4'"),
        ("dc.jsonl", '{"text": "a", "label": []}\n{"text": "a", "label": ["cget.ingenierie"]}\n',
         r"dc\.jsonl:2: same text as .*dc\.jsonl:1 with different labels"),
        ("dc.jsonl", '{"text": "a", "label": []}\n{"text": "b", "label": [\n', r"dc\.jsonl:2: malformed JSON"),
        ("dc.jsonl", '{"text": "Le maire", "labels": [[4, 9, "PER"]]}\n', r"dc\.jsonl:1: .*spans.*text classification"),
    ],
)
def test_bad_exports_name_the_file_and_line(tmp_path, taxonomy, name, content, message):
    path = tmp_path / name
    path.write_text(content, "utf-8")
    with pytest.raises(AnnotationError, match=message):
        read_examples([path], taxonomy)
