"""The retraining loop, simulated on the real dev sets: what annotating passages of
one's own documents gains on documents that were not annotated.

    python bench/retraining_loop.py [--runs dev:50:suggest terr:100:random1 ...]

Each dev set is split by document into two halves (documents sorted, shuffled with
seed 0). From half A, n passages are picked, by `leviers suggest`'s rule on the
shipped scores or at random (seed k for `randomk`), and given their gold labels;
the shipped design is refitted on the corpus plus them, as `leviers train --base`
does; the model is measured on half B, which nothing was fitted on, alone and with
the cues as `analyse` combines them. Each run takes under a minute on 2 cores (the
corpus's spaCy features are computed once). Aggregate figures only are printed.
"""

from __future__ import annotations

import argparse
import sys
from pathlib import Path

import numpy as np
from sklearn.metrics import f1_score

REPO = Path(__file__).resolve().parent.parent
sys.path.insert(0, str(REPO))

from pipeline.classify import Analysed, build_model, combine  # noqa: E402
from pipeline.cues import load_cues  # noqa: E402
from pipeline.model import load_model  # noqa: E402
from pipeline.nlp import load_nlp  # noqa: E402
from pipeline.report.tables import passage_table  # noqa: E402
from pipeline.taxonomy import load_taxonomy  # noqa: E402
from pipeline.training.corpus import label_matrix, read_examples  # noqa: E402
from pipeline.training.metrics import PASSAGE_ID  # noqa: E402
from pipeline.training.suggest import pick  # noqa: E402
from pipeline.training.train import shipped_corpus  # noqa: E402
from pipeline.types import DECISION, Classified, Passage  # noqa: E402

SETS = {"dev": "dev.jsonl", "terr": "dev-territoires.jsonl"}
RUNS = ["dev:0:-", "terr:0:-", "dev:50:suggest", "dev:50:random1", "dev:100:suggest", "dev:100:random1",
        "dev:100:random2", "dev:200:suggest", "terr:50:suggest", "terr:50:random1", "terr:100:suggest",
        "terr:100:random1", "terr:100:random2", "terr:200:suggest", "terr:200:random1"]


def figures(Y: np.ndarray, scores: np.ndarray, documents: np.ndarray) -> tuple[float, float]:
    """Passage micro-F1 and document micro-F1 (a document carries what one passage carries)."""
    names = sorted(set(documents))
    gold = np.array([Y[documents == d].any(axis=0) for d in names])
    found = np.array([(scores[documents == d] >= DECISION).any(axis=0) for d in names])
    return (f1_score(Y, scores >= DECISION, average="micro", zero_division=0.0),
            f1_score(gold, found, average="micro", zero_division=0.0))


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.split("\n")[0])
    parser.add_argument("--runs", nargs="*", default=RUNS, help="set:n:picking, e.g. terr:100:suggest")
    parser.add_argument("--eval", type=Path, default=REPO.parent / "shared" / "eval")
    args = parser.parse_args()

    taxonomy = load_taxonomy()
    shipped, cues = load_model(None, taxonomy), load_cues(taxonomy)
    nlp = load_nlp()
    corpus = read_examples(sorted(shipped_corpus().glob("*.jsonl")), taxonomy)
    corpus_X = build_model()[:1].transform([ex.text for ex in corpus])
    corpus_Y = label_matrix(corpus, taxonomy.ids)
    columns = list(range(len(taxonomy.ids)))

    print(f"{'set':5} {'n':>4} {'picked by':9} {'got':>4}   model alone: micro / doc F1"
          "   with the cues: micro / doc F1")
    for run in args.runs:
        name, n_text, how = run.split(":")
        examples = read_examples([args.eval / SETS[name]], taxonomy)
        texts = [ex.text for ex in examples]
        Y = label_matrix(examples, taxonomy.ids)
        documents = np.array([m.group("document") for m in map(PASSAGE_ID.match, (ex.id for ex in examples)) if m])
        names = sorted(set(documents))
        half_a = {names[i] for i in np.random.RandomState(0).permutation(len(names))[: len(names) // 2]}
        in_a = np.array([d in half_a for d in documents])
        a, b = np.flatnonzero(in_a), np.flatnonzero(~in_a)
        X = build_model()[:1].transform(texts)
        shipped_scores = shipped.estimator[-1].decision_scores(shipped.estimator[1:-1].transform(X))
        n = int(n_text)
        if n == 0:
            picked, estimator = np.array([], dtype=int), shipped.estimator
        else:
            if how == "suggest":
                passages = [Passage(documents[i], 1, k, texts[i]) for k, i in enumerate(a)]
                table = passage_table(passages, Classified(shipped_scores[a], [{}] * len(a)), taxonomy.ids)
                picked = a[pick(table, taxonomy.ids, n).index.to_numpy()]
            else:
                picked = np.sort(np.random.RandomState(int(how.removeprefix("random"))).permutation(a)[:n])
            estimator = build_model()
            estimator[1:].fit(Analysed(np.concatenate([corpus_X.lemmas, X.lemmas[picked]]),
                                       np.vstack([corpus_X.vectors, X.vectors[picked]])),
                              np.vstack([corpus_Y, Y[picked]]))
        learnt = estimator[-1].decision_scores(estimator[1:-1].transform(X[b]))
        evidence = cues.evidence(nlp.pipe([texts[i] for i in b]))
        alone = figures(Y[b], learnt, documents[b])
        hybrid = figures(Y[b], combine(learnt, columns, evidence), documents[b])
        print(f"{name:5} {n:4d} {how:9} {len(picked):4d}   {alone[0]:.2f} / {alone[1]:.2f}"
              f"{'':20}{hybrid[0]:.2f} / {hybrid[1]:.2f}", flush=True)


if __name__ == "__main__":
    main()
