"""Expert cues: the file is checked like the taxonomy, phrases match on lemmas, and
`classify` combines them with the model by its fixed rule, or alone for a new framework."""

from __future__ import annotations

import json

import numpy as np
import pytest

from pipeline import analyse
from pipeline.classify import CUE_FLOOR, MAX_LEVERS, NO_CUE_PENALTY, classify, model_scores
from pipeline.cues import load_cues
from pipeline.errors import ModelError, TaxonomyError
from pipeline.model import load_model
from pipeline.taxonomy import load_taxonomy
from pipeline.types import DECISION
from tests.helpers import write_pdf


@pytest.mark.parametrize("body, message", [
    ('lever = "cget.nope"\nstrength = "strong"\nphrases = ["x"]', "unknown lever 'cget.nope'"),
    ('lever = "cget.ingenierie"\nstrength = "medium"\nphrases = ["x"]', "strength must be"),
    ('lever = "cget.ingenierie"\nstrength = "weak"\nphrases = ["x", " "]', "empty phrase"),
    ('lever = "cget.ingenierie"\nstrength = "weak"\nphrases = []', "no phrases"),
    ('lever = "cget.ingenierie"\nstrength = "weak"\nphrase = ["x"]', "unknown key"),
    ('lever = "cget.ingenierie"\nstrength = "weak"\nphrases = "x"', "must be a list"),
])
def test_a_bad_cue_file_is_named_with_its_mistake(tmp_path, taxonomy, body, message):
    path = tmp_path / "cues.toml"
    path.write_text("[[cues]]\n" + body + "\n", "utf-8")
    with pytest.raises(TaxonomyError, match=message) as info:
        load_cues(taxonomy, path)
    assert str(path) in str(info.value)


def test_the_shipped_cues_give_every_lever_strong_phrases(taxonomy):
    cues = load_cues(taxonomy)
    assert {t.lever for t in cues.tables if t.strength == "strong"} == set(taxonomy.ids)


def test_phrases_match_inflected_words_and_exclusions_cancel_them(nlp, taxonomy):
    cues = load_cues(taxonomy)
    docs = list(nlp.pipe([
        "Les chargées de mission recrutées accompagnent les porteurs de projets.",
        "Les voies de communication sont saturées.",
    ]))
    evidence = cues.evidence(docs)
    ingenierie, communication = taxonomy.ids.index("cget.ingenierie"), taxonomy.ids.index("cget.communication")
    assert evidence.strong[0, ingenierie] >= 1
    assert "chargées de mission" in evidence.matches[0]["cget.ingenierie"]
    assert evidence.strong[1, communication] == 0 and "cget.communication" not in evidence.matches[1]


PASSAGES = [
    "La commune a été retenue lauréate de l'appel à projets national et devient territoire pilote.",
    "Le territoire est traversé par la rivière et bordé de forêts.",
]


def test_the_rule_lifts_what_cues_and_model_agree_on(taxonomy, default_model_dir):
    model, cues = load_model(default_model_dir, taxonomy), load_cues(taxonomy)
    referent = taxonomy.ids.index("cget.territoire_referent")
    learnt = model_scores(model.estimator, PASSAGES)
    hybrid = classify(PASSAGES, model, cues)
    assert "cget.territoire_referent" in hybrid.cues[0]
    if learnt[0, referent] >= CUE_FLOOR:
        assert hybrid.scores[0, referent] >= DECISION
    # the levers no cue speaks for in the second passage lose the penalty (down to 0)
    silent = [j for j, lever in enumerate(taxonomy.ids) if lever not in hybrid.cues[1]]
    assert len(silent) > 10
    assert np.allclose(hybrid.scores[1, silent], np.clip(learnt[1, silent] - NO_CUE_PENALTY, 0, 1))
    assert np.array_equal(classify(PASSAGES, model, cues, "model").scores, learnt)
    alone = classify(PASSAGES, model, cues, "cues").scores
    assert alone[0, referent] > DECISION and not (alone[1] >= DECISION).any()


def test_at_most_four_levers_a_passage(taxonomy, default_model_dir):
    model, cues = load_model(default_model_dir, taxonomy), load_cues(taxonomy)
    crowded = ("Le tiers-lieu, lauréat d'un appel à projets, recrute une cheffe de projet, expérimente une "
               "plateforme numérique, co-construit avec les habitants en comité de pilotage, noue un "
               "partenariat avec la Région et évalue son impact avec des indicateurs.")
    scores = classify([crowded], model, cues).scores
    assert (scores >= DECISION).sum() <= MAX_LEVERS


def test_a_new_framework_with_cues_is_scored_from_them_until_trained(tmp_path, default_model_dir):
    taxonomy_file = tmp_path / "taxonomy.toml"
    taxonomy_file.write_text(
        load_taxonomy_text() + '\n[[frameworks]]\nid = "eau"\nlabel = "Gestion de l\'eau"\nlabel_en = "Water"\n'
        'level = "territoire"\n[[levers]]\nid = "eau.sobriete"\nframework = "eau"\nlabel = "Sobriété hydrique"\n'
        'label_en = "Water sobriety"\ndescription = "Réduire les prélèvements d\'eau."\n'
        'question = "Comment réduire les prélèvements ?"\nquestion_en = "How to draw less water?"\n', "utf-8")
    taxonomy = load_taxonomy(taxonomy_file)
    cue_file = tmp_path / "cues.toml"
    cue_file.write_text(load_cues_text() + '\n[[cues]]\nlever = "eau.sobriete"\nstrength = "strong"\n'
                        'phrases = ["économies d\'eau", "récupération des eaux de pluie"]\n', "utf-8")
    cues = load_cues(taxonomy, cue_file)
    folder = tmp_path / "docs"
    folder.mkdir()
    write_pdf(folder / "plan.pdf", [[
        "Plan d'action pour l'eau du bassin versant de la Varonne",
        "Le syndicat engage un programme d'économies d'eau dans les bâtiments publics et généralise la "
        "récupération des eaux de pluie pour l'arrosage des espaces verts communaux.",
    ]])
    result = analyse(folder, default_model_dir, taxonomy=taxonomy, cues=cues)
    assert result.run["scoring"]["cues_only"] == ["eau.sobriete"]
    assert result.passages["eau.sobriete"].max() >= DECISION
    assert result.coverage.set_index("lever").loc["eau.sobriete", "covered"] == 1
    json.dumps(result.run)  # run.json can say it

    cue_file.write_text(load_cues_text(), "utf-8")  # the new lever has neither model nor cues
    with pytest.raises(ModelError, match="no model and no cue for eau.sobriete"):
        analyse(folder, default_model_dir, taxonomy=taxonomy, cues=load_cues(taxonomy, cue_file))


def load_taxonomy_text() -> str:
    from importlib import resources

    return resources.files("pipeline").joinpath("taxonomy.toml").read_text("utf-8")


def load_cues_text() -> str:
    from importlib import resources

    return resources.files("pipeline").joinpath("cues.toml").read_text("utf-8")
