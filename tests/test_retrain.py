"""The retraining loop: analyse → suggest → annotate → train → evaluate, for each import format."""

import csv
import hashlib
import json

import numpy as np
import pytest
from click.testing import CliRunner

from pipeline.classify import model_scores
from pipeline.cli import main
from pipeline.model import load_model
from pipeline.training import train as train_module
from pipeline.training.card import save_model
from pipeline.training.train import train
from tests.helpers import write_pdf

# Every test here trains models.
pytestmark = pytest.mark.slow

# Three levers, each in its own words, and passages that carry none.
THEMES = {
    "cget.ingenierie": ("la cheffe de projet", "le chargé de mission", "le bureau d'études", "l'ingénieure recrutée"),
    "cget.catalyseurs": ("le tiers-lieu", "l'incubateur rural", "la fabrique à initiatives",
                         "la pépinière d'entreprises"),
    "cget.organisation_collective": ("le comité de pilotage", "le conseil de développement", "l'assemblée citoyenne",
                                     "le collectif d'habitants"),
}
ACTIONS = ("prépare chaque mois les dossiers de financement des communes",
           "accompagne les porteurs d'idées jusqu'à la création de leur activité",
           "réunit les élus et les associations pour arbitrer le programme d'actions",
           "suit le chantier de la médiathèque et rend compte aux partenaires")
PLACES = ("à Vernet", "au bourg de Saint-Aubin", "dans la vallée", "sur le plateau", "au centre-bourg")
FACTS = [f"La commune de {town} compte {n} habitants et {k} % de logements vacants en {year}."
         for town, n, k, year in [("Vernet", 2350, 12, 2021), ("Arbois", 1800, 9, 2019),
                                  ("Lure", 950, 15, 2020), ("Saint-Aubin", 2780, 14, 2022),
                                  ("Mirande", 3100, 7, 2018), ("Cazals", 640, 18, 2023)]]


def paragraphs():
    """Some forty passages, each a sentence that names its lever's cue."""
    out = []
    for t, subjects in enumerate(THEMES.values()):
        for s, subject in enumerate(subjects):
            for a in range(3):
                action, place = ACTIONS[(s + a + t) % len(ACTIONS)], PLACES[(s * 3 + a) % len(PLACES)]
                out.append(f"{place.capitalize()}, {subject} {action} depuis {2015 + s + a}.")
    return out + FACTS


def annotate(text):
    """The annotator of this test: a passage carries the lever whose cue it names."""
    return sorted(lever for lever, subjects in THEMES.items() if any(s in text for s in subjects))


def run(*args):
    return CliRunner().invoke(main, [str(a) for a in args], catch_exceptions=False)


@pytest.fixture(scope="module")
def suggestions(tmp_path_factory):
    """The suggestions of an analysis of a small PDF, with this test's labels."""
    folder = tmp_path_factory.mktemp("retrain")
    texts = paragraphs()
    write_pdf(folder / "docs.pdf", [texts[i:i + 12] for i in range(0, len(texts), 12)])
    assert run("analyse", folder / "docs.pdf", "-o", folder / "out").exit_code == 0
    result = run("suggest", folder / "out", "-n", 60, "-o", folder / "s" / "to_annotate.jsonl")
    assert result.exit_code == 0, result.output
    rows = [json.loads(line) for line in (folder / "s" / "to_annotate.jsonl").read_text("utf-8").splitlines()]
    assert len(rows) >= 30
    gold = folder / "gold.jsonl"
    gold.write_text("".join(json.dumps({**r, "labels": annotate(r["text"])}, ensure_ascii=False) + "\n"
                            for r in rows), "utf-8")
    return folder, rows, gold


def write_import(fmt, folder, rows):
    """The test's annotations as the given tool exports them."""
    if fmt == "jsonl":
        return folder / "gold.jsonl"
    if fmt == "csv":
        path = folder / "annotated.csv"
        with (folder / "s" / "to_annotate.csv").open(encoding="utf-8-sig") as handle:
            table = list(csv.DictReader(handle))
        with path.open("w", encoding="utf-8", newline="") as handle:
            writer = csv.DictWriter(handle, fieldnames=list(table[0]))
            writer.writeheader()
            writer.writerows({**r, "labels": "|".join(annotate(r["text"]))} for r in table)
        return path
    if fmt == "labelstudio":
        tasks = json.loads((folder / "s" / "to_annotate.labelstudio.json").read_text("utf-8"))
        for number, task in enumerate(tasks, 1):
            labels = annotate(task["data"]["text"])
            task["id"] = number
            task["annotations"] = [{"was_cancelled": False, "updated_at": "2025-05-02T09:00:00Z", "result": [
                {"from_name": "levers", "to_name": "text", "type": "choices", "value": {"choices": labels}}]}]
        tasks[-1]["annotations"] = []  # not annotated yet
        path = folder / "export.json"
        path.write_text(json.dumps(tasks, ensure_ascii=False, indent=2), "utf-8")
        return path
    path = folder / "doccano.jsonl"
    path.write_text("".join(json.dumps({"text": r["text"], "label": annotate(r["text"])}, ensure_ascii=False)
                            + "\n" for r in rows), "utf-8")
    return path


FORMATS = ["jsonl", "csv", "labelstudio", "doccano"]


@pytest.fixture(scope="module")
def trained(suggestions):
    """For each import format, the output of `leviers train --no-base` and the model's folder."""
    folder, rows, _ = suggestions
    models = {}
    for fmt in FORMATS:
        model_dir = folder / f"model-{fmt}"
        result = run("train", write_import(fmt, folder, rows), "-o", model_dir, "--no-base")
        assert result.exit_code == 0, result.output
        models[fmt] = (result.output, model_dir)
    return models


@pytest.mark.parametrize("fmt", FORMATS)
def test_train_on_each_import_format(suggestions, trained, fmt):
    _, rows, _ = suggestions
    output, model_dir = trained[fmt]
    annotated = len(rows) - (fmt == "labelstudio")
    assert f"{annotated} passages de 1 fichier(s)" in output
    assert ("1 tâche(s) sans annotation laissée(s) de côté" in output) == (fmt == "labelstudio")
    assert (model_dir / "model.npz").is_file()


def test_evaluate_compares_the_new_models_with_the_shipped_one(suggestions, trained, default_model_dir):
    folder, rows, gold = suggestions
    models = [default_model_dir] + [model_dir for _, model_dir in trained.values()]
    figures = folder / "figures.json"
    result = run("evaluate", gold, *(arg for m in models for arg in ("--model", m)), "--json", figures)
    assert result.exit_code == 0, result.output
    for letter, model in zip("ABCDE", models):
        assert f"{letter}: {model} ({len(rows)} passages)" in result.output
    assert "(few examples)" in result.output  # the 14 levers without passages here
    every = json.loads(figures.read_text())
    assert list(every) == [str(m) for m in models]
    for model in models[1:]:
        for lever in THEMES:
            assert every[str(model)]["per_lever"][lever]["support"] == sum(lever in annotate(r["text"]) for r in rows)
        # each new model learnt its cues: on the passages it was trained on, it finds most of them
        assert every[str(model)]["micro"]["recall"] >= 0.8


def test_training_is_reproducible(suggestions, tmp_path, taxonomy):
    _, rows, gold = suggestions
    first, second = train([gold], taxonomy), train([gold], taxonomy)
    assert first.meta["cv"] == second.meta["cv"] and first.meta["thresholds"] == second.meta["thresholds"]
    assert first.meta["training_data"] == second.meta["training_data"]
    save_model(first, tmp_path / "a")
    texts = [r["text"] for r in rows]
    reloaded = load_model(tmp_path / "a", taxonomy)
    assert np.array_equal(model_scores(reloaded.estimator, texts), model_scores(second.estimator, texts))


def test_base_adds_the_shipped_corpus(suggestions, tmp_path, monkeypatch):
    _, rows, gold = suggestions
    shipped = tmp_path / "corpus"
    shipped.mkdir()
    (shipped / "part-a.jsonl").write_text(json.dumps(
        {"id": "base-1", "text": "Le territoire est bordé de forêts et traversé par la rivière.", "labels": []}) + "\n",
        "utf-8")
    monkeypatch.setattr(train_module, "shipped_corpus", lambda: shipped)
    assert train_module.training_files([gold, shipped / "part-a.jsonl"], base=True) == [shipped / "part-a.jsonl", gold]

    result = run("train", gold, "-o", tmp_path / "model", "--base")
    assert result.exit_code == 0, result.output
    data = json.loads((tmp_path / "model" / "model.json").read_text())["training_data"]
    assert data["files"] == ["part-a.jsonl", "gold.jsonl"] and data["passages"] == len(rows) + 1
    # the digest covers the shipped corpus and the user's file
    assert data["sha256"] == hashlib.sha256((shipped / "part-a.jsonl").read_bytes() + gold.read_bytes()).hexdigest()

    monkeypatch.setattr(train_module, "shipped_corpus", lambda: tmp_path / "nowhere")
    result = run("train", gold, "-o", tmp_path / "model2", "--base")
    assert result.exit_code == 1 and "no shipped corpus" in result.output


def test_train_refuses_bad_or_too_little_data(tmp_path):
    export = tmp_path / "export.json"
    export.write_text('[\n{"id": 1, "data": {"text": "Un comité de pilotage."}, "annotations": [{"result": '
                      '[{"type": "choices", "value": {"choices": ["cget.comite"]}}]}]}\n]', "utf-8")
    result = run("train", export, "-o", tmp_path / "model", "--no-base")
    assert result.exit_code == 1 and f"{export}:2: unknown lever id cget.comite" in result.output
    few = tmp_path / "few.jsonl"
    few.write_text("".join(json.dumps({"text": t, "label": []}) + "\n" for t in FACTS), "utf-8")
    result = run("train", few, "-o", tmp_path / "model", "--no-base")
    assert result.exit_code == 1 and "6 annotated passages" in result.output and "too few" in result.output
    assert not (tmp_path / "model").exists()
