import json

import numpy as np
import pytest
from sklearn.base import clone

from pipeline.classify import (
    LeverClassifier,
    SpacyFeatures,
    TextViews,
    best_threshold,
    build_model,
    model_scores,
    rescale,
)
from pipeline.errors import ModelError
from pipeline.model import META_FILE, MODEL_FILE, STRUCTURE, load_model
from pipeline.taxonomy import load_taxonomy
from pipeline.training.card import save_model
from pipeline.training.train import train

TEXTS = [
    "La communauté de communes recrute un chef de projet pour le centre-bourg.",
    "Une cheffe de projet est recrutée avec l'appui de l'ingénierie de l'État.",
    "Le chargé de mission accompagne les élus dans le montage des dossiers.",
    "Le bureau d'études assure l'assistance technique à maîtrise d'ouvrage.",
    "Le tiers-lieu accueille les porteurs de projets chaque semaine.",
    "L'animatrice du tiers-lieu met en relation les créateurs et les entreprises.",
    "Un incubateur rural accompagne les pionniers de l'économie locale.",
    "La fabrique à initiatives repère les idées et accompagne leurs porteurs.",
    "La commune compte 2 350 habitants et 18 % de logements vacants.",
    "Le territoire est traversé par la rivière et bordé de forêts.",
] * 2
Y = np.array([[1, 0]] * 4 + [[0, 1]] * 4 + [[0, 0]] * 2 + [[1, 0]] * 4 + [[0, 1]] * 4 + [[0, 0]] * 2)


def test_spacy_features_are_lemmas_and_a_unit_vector(nlp):
    analysed = SpacyFeatures().transform(["Les communes développeront 3 projets innovants !", "12"])
    assert list(analysed.lemmas) == ["le commune développer projet innovant", ""]
    assert np.linalg.norm(analysed.vectors[0]) == pytest.approx(1.0, abs=1e-5)
    assert not analysed.vectors[1].any()  # no content word, no vector
    assert len(analysed[[1]]) == 1 and analysed[[1]].lemmas[0] == ""


def test_views_follow_their_parameter(nlp):
    analysed = SpacyFeatures().transform(TEXTS)
    views = TextViews(views=("chars", "vectors")).fit(analysed).transform(analysed)
    assert [v.shape[0] for v in views] == [len(TEXTS)] * 2 and views[1].shape[1] == 300
    with pytest.raises(ValueError, match="unknown views"):
        TextViews(views=("words", "bogus")).fit(analysed)


def test_estimator_contract():
    estimator = LeverClassifier(C=(2.0,), cv=3)
    assert estimator.get_params() == {"C": (2.0,), "cv": 3, "random_state": 0, "n_jobs": -1}
    assert not [k for k in vars(estimator) if k.endswith("_")]  # __init__ only stores parameters
    assert clone(estimator).get_params() == estimator.get_params()


def test_fit_returns_self_and_learns_thresholds(nlp):
    model = build_model()
    model.set_params(levers__cv=3)
    assert model.fit(TEXTS, Y) is model
    clf = model[-1]
    assert clf.n_outputs_ == 2 and [coef.shape[0] for coef in clf.coefs_] == [2, 2, 2] and clf.learnt_.all()
    assert np.all((clf.thresholds_ > 0) & (clf.thresholds_ < 1))
    scores = model_scores(model, ["Nous recrutons un chef de projet pour piloter le programme."])
    assert scores.shape == (1, 2) and scores[0, 0] > scores[0, 1]
    assert model_scores(model, []).shape == (0, 2)


def test_a_lever_without_examples_scores_zero(nlp):
    Y3 = np.column_stack([Y, np.zeros(len(Y), int)])
    model = build_model().set_params(levers__cv=3).fit(TEXTS, Y3)
    assert list(model[-1].learnt_) == [True, True, False]
    assert np.all(model_scores(model, TEXTS[:3])[:, 2] == 0)


def test_rescale_puts_each_threshold_at_one_half():
    proba = np.array([[0.2, 0.2], [0.0, 0.9], [1.0, 0.1]])
    scores = rescale(proba, np.array([0.2, 0.6]))
    assert scores[0, 0] == pytest.approx(0.5)
    assert scores[0, 1] < 0.5 and scores[1, 1] > 0.5
    assert scores[1, 0] == 0.0 and scores[2, 0] == 1.0
    # monotone: the order of passages for a lever is unchanged
    assert np.all(np.argsort(scores[:, 1]) == np.argsort(proba[:, 1]))


def test_best_threshold_separates_when_it_can():
    y = np.array([0, 0, 0, 1, 1])
    p = np.array([0.1, 0.2, 0.3, 0.7, 0.8])
    assert 0.3 < best_threshold(y, p) <= 0.7
    assert best_threshold(np.zeros(3), p[:3]) == 0.5


@pytest.fixture(scope="module")
def saved_model(tmp_path_factory):
    folder = tmp_path_factory.mktemp("model")
    names = ["cget.ingenierie", "cget.catalyseurs"]
    data = folder / "data.jsonl"
    # Each text twice: training leaves out a lever with fewer than 10 examples.
    data.write_text("".join(
        json.dumps({"id": str(i), "text": text, "labels": [n for n, y in zip(names, row) if y]}) + "\n"
        for i, (text, row) in enumerate(zip(TEXTS * 2, np.vstack([Y, Y])))
    ), "utf-8")
    save_model(train([data], load_taxonomy()), folder / "model")
    return folder / "model"


def test_saved_model_loads_and_scores_the_same(saved_model, taxonomy):
    model = load_model(saved_model, taxonomy)
    # the levers without examples are not learnt: their cues alone will score them
    assert model.levers == ["cget.catalyseurs", "cget.ingenierie"]
    assert len(model.meta["not_learnt"]) == 15
    assert model.meta["training_data"]["passages"] == 2 * len(TEXTS)
    assert (saved_model / "MODEL_CARD.md").read_text().startswith("# Model card")
    scores = model_scores(model.estimator, [TEXTS[0], TEXTS[4]])
    assert scores.shape == (2, 2)
    assert [model.levers[j] for j in scores.argmax(axis=1)] == ["cget.ingenierie", "cget.catalyseurs"]


def test_model_for_another_taxonomy_is_refused(saved_model, tmp_path):
    other = tmp_path / "t.toml"
    other.write_text('[[frameworks]]\nid = "f"\nlabel = "F"\nlabel_en = "F"\nlevel = "p"\n[[levers]]\nid = "f.x"\n'
                     'framework = "f"\nlabel = "x"\nlabel_en = "x"\ndescription = "x"\nquestion = "x ?"\n'
                     'question_en = "x?"\n', "utf-8")
    with pytest.raises(ModelError, match="levers the taxonomy does not have"):
        load_model(saved_model, load_taxonomy(other))


def test_a_file_that_is_not_a_model_is_refused(saved_model, tmp_path, taxonomy):
    folder = tmp_path / "fake"
    folder.mkdir()
    (folder / "model.json").write_text((saved_model / "model.json").read_text())
    (folder / "model.npz").write_bytes(b"not a zip at all")
    with pytest.raises(ModelError, match="not a leviers model file"):
        load_model(folder, taxonomy)
    with pytest.raises(ModelError, match="no model here"):
        load_model(tmp_path / "nowhere", taxonomy)


def _copy_meta(saved_model, folder, **changes) -> None:
    folder.mkdir()
    meta = json.loads((saved_model / META_FILE).read_text())
    (folder / META_FILE).write_text(json.dumps({**meta, **changes}))


def test_a_model_file_that_names_another_class_or_holds_a_pickle_is_refused(saved_model, tmp_path, taxonomy):
    with np.load(saved_model / MODEL_FILE) as archive:
        arrays = {key: archive[key] for key in archive.files}
    structure = json.loads(arrays[STRUCTURE].tobytes())
    structure["steps"][0][1] = "subprocess.Popen"
    _copy_meta(saved_model, tmp_path / "code")
    np.savez(tmp_path / "code" / MODEL_FILE, **{**arrays, STRUCTURE: np.frombuffer(json.dumps(structure).encode(),
                                                                              dtype=np.uint8)})
    with pytest.raises(ModelError, match="refused, it names the class subprocess.Popen"):
        load_model(tmp_path / "code", taxonomy)
    _copy_meta(saved_model, tmp_path / "pickle")
    np.savez(tmp_path / "pickle" / MODEL_FILE, **{**arrays, "levers/thresholds_": np.array([object()])})
    with pytest.raises(ModelError, match="not a leviers model file"):
        load_model(tmp_path / "pickle", taxonomy)


def test_a_model_of_an_earlier_analyser_must_be_retrained(saved_model, tmp_path, taxonomy):
    _copy_meta(saved_model, tmp_path / "old", analyser="spacy-tagger")
    with pytest.raises(ModelError, match="retrain it"):
        load_model(tmp_path / "old", taxonomy)


def test_one_value_of_C_per_view(nlp):
    analysed = SpacyFeatures().transform(TEXTS)
    views = TextViews(views=("words", "vectors")).fit(analysed).transform(analysed)
    with pytest.raises(ValueError, match="2 views but 1 values of C"):
        LeverClassifier(C=(1.0,)).fit(views, Y)
