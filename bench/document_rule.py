"""Choose the document rule (when a document covers a lever, and how strongly) by
cross-validation on the whole documents of the corpus, then measure it on dev documents.

    python bench/document_rule.py [--scores /tmp/oof.npz] [--dev FILE ...]

1. Out-of-fold passage scores of the shipped design on the whole annotated corpus
   (5 folds grouped by file, as `leviers crossval`; cached in --scores, since it
   takes minutes).
2. The `docs-*` files are whole documents: their passages are grouped by document
   (the id before "-p"); a document's gold levers are the union of its passages'.
3. Each candidate rule is scored by document-level micro precision, recall and F1
   over (document, lever) pairs; the rule is chosen by 5-fold CV over documents
   (chosen on four fifths, measured on the fifth), and the default is the best on
   all of them. The strong level is the rule with the most recall among those whose
   CV precision is at least STRONG_PRECISION.
4. Only then, the chosen rules are measured with the shipped model on the documents
   of the dev files, with and without setting aside the passages that deplore a
   lever's absence (tasks.deplored).
"""

from __future__ import annotations

import argparse
import json
import sys
from collections.abc import Callable
from pathlib import Path

import numpy as np

REPO = Path(__file__).resolve().parent.parent
sys.path.insert(0, str(REPO))

from pipeline.types import DECISION  # noqa: E402

STRONG_PRECISION = 0.97
Rule = Callable[[np.ndarray], np.ndarray]  # a document's passages × levers scores → covered per lever


def candidates() -> dict[str, Rule]:
    rules: dict[str, Rule] = {}
    for k in (1, 2, 3, 4):
        rules[f"≥{k} passages"] = lambda s, k=k: (s >= DECISION).sum(0) >= k
        for h in (0.6, 0.7, 0.8, 0.9):
            if k > 1:
                rules[f"≥{k} passages or best ≥ {h}"] = (
                    lambda s, k=k, h=h: ((s >= DECISION).sum(0) >= k) | (s.max(0) >= h))
    for h in (0.6, 0.7, 0.8, 0.9):
        rules[f"best ≥ {h}"] = lambda s, h=h: s.max(0) >= h
    for share in (0.02, 0.05, 0.1):
        rules[f"share ≥ {share:.0%}"] = lambda s, share=share: (s >= DECISION).mean(0) >= share
    return rules


def documents(ids: list[str]) -> dict[str, list[int]]:
    groups: dict[str, list[int]] = {}
    for i, passage in enumerate(ids):
        groups.setdefault(passage.rsplit("-p", 1)[0], []).append(i)
    return groups


def prf(gold: np.ndarray, predicted: np.ndarray) -> tuple[float, float, float]:
    tp = float((gold & predicted).sum())
    p = tp / predicted.sum() if predicted.sum() else 0.0
    r = tp / gold.sum() if gold.sum() else 0.0
    return round(p, 4), round(r, 4), round(2 * p * r / (p + r), 4) if p + r else 0.0


def decide(rule: Rule, scores: np.ndarray, groups: list[list[int]]) -> np.ndarray:
    return np.array([rule(scores[rows]) for rows in groups])


def gold_of(Y: np.ndarray, groups: list[list[int]]) -> np.ndarray:
    return np.array([Y[rows].any(0) for rows in groups])


def oof_scores(path: Path):
    if not path.exists():
        from pipeline.classify import combine
        from pipeline.cues import load_cues
        from pipeline.model import load_model
        from pipeline.nlp import load_nlp
        from pipeline.taxonomy import load_taxonomy
        from pipeline.training.corpus import read_examples
        from pipeline.training.train import out_of_fold_scores, shipped_corpus

        taxonomy = load_taxonomy()
        views = tuple(load_model(None, taxonomy).meta["params"]["views"])
        examples = read_examples(sorted(shipped_corpus().glob("*.jsonl")), taxonomy)
        Y, S, _, _ = out_of_fold_scores(examples, taxonomy.ids, views)
        # The scores a document gets in `analyse`: the model's, moved by the cues.
        nlp = load_nlp()
        docs = nlp.pipe([e.text for e in examples])
        S = combine(S, list(range(len(taxonomy.ids))), load_cues(taxonomy).evidence(docs))
        np.savez(path, Y=Y, S=S, ids=np.array([e.id for e in examples]),
                 where=np.array([e.where for e in examples]))
    data = np.load(path, allow_pickle=True)
    return data["Y"].astype(bool), data["S"], list(data["ids"]), list(data["where"])


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.split("\n")[0])
    parser.add_argument("--scores", type=Path, default=Path("/tmp/leviers-oof.npz"))
    parser.add_argument("--dev", type=Path, nargs="*", default=[
        REPO.parent / "shared" / "eval" / "dev.jsonl", REPO.parent / "shared" / "eval" / "dev-territoires.jsonl"])
    parser.add_argument("--json", type=Path, help="Write the figures here too.")
    args = parser.parse_args()

    Y, S, ids, where = oof_scores(args.scores)
    whole = [i for i, w in enumerate(where) if Path(w.rsplit(":", 1)[0]).name.startswith("docs-")]
    groups = list(documents([ids[i] for i in whole]).values())
    groups = [[whole[i] for i in rows] for rows in groups]
    gold = gold_of(Y, groups)
    rules = candidates()
    print(f"{len(groups)} whole documents of the corpus, {int(gold.sum())} (document, lever) gold pairs")

    decided = {name: decide(rule, S, groups) for name, rule in rules.items()}
    folds = np.arange(len(groups)) % 5
    np.random.default_rng(0).shuffle(folds)
    cv_pred: dict[str, np.ndarray] = {"chosen by CV": np.zeros_like(gold)}
    for fold in range(5):
        train, test = folds != fold, folds == fold
        best = max(rules, key=lambda name: prf(gold[train], decided[name][train])[2])
        cv_pred["chosen by CV"][test] = decided[best][test]
    figures = {name: prf(gold, d) for name, d in decided.items()}
    print(f"\n{'rule (corpus docs, out-of-fold passage scores)':<44} {'P':>5} {'R':>5} {'F1':>5}")
    for name, (p, r, f) in sorted(figures.items(), key=lambda kv: -kv[1][2]):
        print(f"{name:<44} {p:5.2f} {r:5.2f} {f:5.2f}")
    p, r, f = prf(gold, cv_pred["chosen by CV"])
    print(f"{'the selection itself, 5-fold over documents':<44} {p:5.2f} {r:5.2f} {f:5.2f}")
    covered = max(figures, key=lambda name: figures[name][2])
    strong_pool = {n: v for n, v in figures.items() if v[0] >= STRONG_PRECISION}
    strong = max(strong_pool, key=lambda n: strong_pool[n][1]) if strong_pool else covered
    print(f"\ncovered: {covered} {figures[covered]}\n"
          f"strong (most recall at precision ≥ {STRONG_PRECISION}): {strong} {figures[strong]}")

    results = {"corpus_documents": len(groups), "rules": figures, "covered": covered, "strong": strong,
               "selection_cv": (p, r, f), "dev": {}}
    if args.dev:
        results["dev"] = measure_dev(args.dev, rules[covered], rules[strong])
    if args.json:
        args.json.write_text(json.dumps(results, ensure_ascii=False, indent=2) + "\n")


def measure_dev(paths: list[Path], covered: Rule, strong: Rule) -> dict:
    from pipeline.classify import classify
    from pipeline.cues import load_cues
    from pipeline.model import load_model
    from pipeline.tasks import deplored
    from pipeline.taxonomy import load_taxonomy
    from pipeline.training.corpus import label_matrix, read_examples

    taxonomy = load_taxonomy()
    model, cues = load_model(None, taxonomy), load_cues(taxonomy)
    out = {}
    print(f"\n{'dev documents (shipped model)':<44} {'docs':>4} {'P':>5} {'R':>5} {'F1':>5}")
    for path in paths:
        examples = read_examples([path], taxonomy)
        texts = [ex.text for ex in examples]
        scores = classify(texts, model, cues).scores
        evidence = scores.copy()
        column = {lever: i for i, lever in enumerate(taxonomy.ids)}
        for row, levers in enumerate(deplored(texts, scores, model, cues)):
            for lever in levers:
                evidence[row, column[lever]] = 0.0
        groups = list(documents([ex.id for ex in examples]).values())
        gold = gold_of(label_matrix(examples, taxonomy.ids).astype(bool), groups)
        for label, s in (("", scores), (", absence set aside", evidence)):
            for level, rule in (("covered", covered), ("strong", strong)):
                p, r, f = prf(gold, decide(rule, s, groups))
                name = f"{path.name} {level}{label}"
                out[name] = {"documents": len(groups), "precision": p, "recall": r, "f1": f}
                print(f"{name:<44} {len(groups):4d} {p:5.2f} {r:5.2f} {f:5.2f}")
    return out


if __name__ == "__main__":
    main()
