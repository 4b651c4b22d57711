import json
import re

import pytest
import srsly

from pipeline.nlp import _short_letter_classes, package_data
from tests.helpers import REPO


def test_lemmas_come_lowercased_from_the_lookup_table_and_unknown_words_are_their_own(nlp):
    doc = nlp("Les Élus développent des tiers-lieux. Zorbulex arrive.")
    assert [t.lemma_ for t in doc] == ["le", "élu", "développer", "un", "tiers-lieux", ".", "zorbulex", "arriver", "."]
    assert nlp.make_doc("habitants")[0].lemma_ == "habitant"  # cue phrases are Docs made this way


def test_sentences_end_on_their_punctuation_not_on_abbreviations(nlp):
    doc = nlp("M. Durand préside le comité. Il se réunit deux fois par an ! Qui y siège ?")
    assert [s.text for s in doc.sents] == ["M. Durand préside le comité.", "Il se réunit deux fois par an !",
                                           "Qui y siège ?"]


def test_stop_words_and_vectors_are_french(nlp):
    doc = nlp("les habitants du territoire")
    assert [t.is_stop for t in doc] == [True, False, True, False]
    assert all(t.has_vector for t in doc)


@pytest.mark.slow
def test_the_short_token_match_keeps_whole_the_words_spacy_keeps_whole():
    """spaCy's own French expression (compiled here, in 2–3 s) and the short one agree
    on every word of the shipped corpus."""
    original = srsly.msgpack_loads((package_data() / "tokenizer").read_bytes())["token_match"]
    long, short = re.compile(original), re.compile(_short_letter_classes(original))
    assert len(short.pattern) < len(original) / 50
    words = {word for path in sorted((REPO / "corpora" / "annotated").glob("*.jsonl"))
             for line in path.read_text("utf-8").splitlines() for word in json.loads(line)["text"].split()}
    kept = {word for word in words if long.match(word)}
    assert len(kept) > 100  # "tiers-lieu", "éco-quartier", "Saint-Amans"…
    assert {word for word in words if short.match(word)} == kept
