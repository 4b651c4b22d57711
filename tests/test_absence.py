"""A passage that negates a lever or deplores its absence does not count toward covering it."""

from __future__ import annotations

import json

import pytest

from pipeline.absence import affirmed, deploring
from pipeline.classify import classify
from pipeline.cues import load_cues
from pipeline.model import load_model
from pipeline.report.tables import coverage_table, evidence_scores, passage_table
from pipeline.tasks import deplored
from pipeline.types import DECISION, CoverageRule, Passage
from tests.helpers import REPO

FIXTURE = REPO / "tests" / "fixtures" / "deploring.jsonl"
DEPLORING = [json.loads(line) for line in FIXTURE.read_text("utf-8").splitlines() if line.strip()]
# Sentences that look like negations, or name a lack to remedy, but state what the document does.
AFFIRMING = [
    "La communauté de communes a défini une stratégie de long terme partagée par ses 21 communes.",
    "Pour pallier le manque de coordination, un comité de pilotage réunit les partenaires chaque trimestre.",
    "Le conseil de développement, qui ne manque pas d'idées, anime trois ateliers avec les habitants.",
    "L'intérêt de la coopération avec les territoires voisins n'est plus à démontrer.",
    "Les communes coopèrent non seulement sur la mobilité mais aussi sur la gestion de l'eau.",
    "Afin de combler l'absence de médecins, la commune ouvre une maison de santé pluriprofessionnelle.",
]


def test_the_fixture_is_large_enough_and_names_real_levers(taxonomy):
    assert len(DEPLORING) >= 30
    assert {case["lever"] for case in DEPLORING} <= set(taxonomy.ids)


@pytest.mark.parametrize("text", [case["text"] for case in DEPLORING])
def test_each_written_passage_deplores(text):
    assert deploring(text) and affirmed(text) == ""


@pytest.mark.parametrize("text", AFFIRMING)
def test_affirmations_and_remedies_are_not_deplorings(text):
    assert not deploring(text) and affirmed(text) == text


def test_only_the_deploring_sentence_is_set_aside():
    text = "Aucun indicateur de suivi n'est prévu. Un tiers-lieu accueille les porteurs de projets."
    assert affirmed(text) == "Un tiers-lieu accueille les porteurs de projets."


def test_no_deploring_passage_carries_its_lever_as_evidence(taxonomy, default_model_dir):
    model, cues = load_model(default_model_dir, taxonomy), load_cues(taxonomy)
    texts = [case["text"] for case in DEPLORING]
    scored = classify(texts, model, cues)
    scores = scored.scores
    passages = [Passage("avis.pdf", 1, i, text) for i, text in enumerate(texts)]
    table = passage_table(passages, scored, taxonomy.ids, deplored(texts, scores, model, cues))
    evidence = evidence_scores(table, taxonomy.ids)
    column = {lever: i for i, lever in enumerate(taxonomy.ids)}
    for row, case in enumerate(DEPLORING):
        assert evidence[row, column[case["lever"]]] < DECISION, case["text"]
    # the model scores many of them as carrying their lever: the test would be empty otherwise
    assert sum(scores[row, column[case["lever"]]] >= DECISION for row, case in enumerate(DEPLORING)) >= 10
    # a document made of them covers nothing, and names what each deplores
    assert coverage_table(table, ["avis.pdf"], taxonomy, CoverageRule())["covered"].sum() == 0
    assert (table["deplores"] == table["levers"]).all()
