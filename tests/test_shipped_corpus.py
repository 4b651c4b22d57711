"""The shipped corpus keeps to the annotation guide and to what the model needs."""

import json
from collections import Counter

import pytest

from pipeline.training.corpus import read_examples
from tests.helpers import REPO

FILES = sorted((REPO / "corpora" / "annotated").glob("*.jsonl"))
GENRES = {
    "projet_de_territoire", "crte", "contrat_ruralite", "pvd_acv", "leader", "pcaet", "charte_pnr",
    "scot_padd", "appel_a_projets", "dossier_projet", "rapport_activite", "deliberation",
    "rapport_evaluation", "avis_conseil_developpement", "discours", "fiche_action", "candidature",
    "page_service", "compte_rendu", "article",
}


@pytest.fixture(scope="module")
def records():
    return [json.loads(line) for path in FILES for line in path.open(encoding="utf-8")]


def test_every_file_is_valid_for_training(taxonomy):
    assert len(read_examples(FILES, taxonomy)) >= 2000


def test_volume_and_balance(records, taxonomy):
    counts = Counter(label for r in records for label in r["labels"])
    assert {lever: counts[lever] for lever in taxonomy.ids if counts[lever] < 80} == {}
    assert sum(not r["labels"] for r in records) >= 700
    multi = sum(len(r["labels"]) >= 2 for r in records) / len(records)
    assert 0.15 <= multi <= 0.4
    assert max(len(r["labels"]) for r in records) <= 4


def test_each_passage_records_its_genre_and_whether_it_is_a_hard_negative(records):
    assert {r["genre"] for r in records} == GENRES
    assert all(isinstance(r["hard_negative"], bool) for r in records)
    assert sum(r["hard_negative"] for r in records) >= 100
