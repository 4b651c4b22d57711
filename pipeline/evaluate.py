"""Passage-level metrics: per-lever precision, recall and F1, micro and macro."""

from __future__ import annotations

import numpy as np

MIN_SUPPORT = 5  # levers rarer than this in a gold set are left out of the macro average


def _prf(tp: int, predicted: int, actual: int) -> tuple[float, float, float]:
    precision = tp / predicted if predicted else 0.0
    recall = tp / actual if actual else 0.0
    f1 = 2 * tp / (predicted + actual) if predicted + actual else 0.0
    return precision, recall, f1


def metrics(Y_true: np.ndarray, Y_pred: np.ndarray, lever_ids: list[str]) -> dict:
    """Metrics of predictions against gold labels, both binary (passages × levers)."""
    Y_true, Y_pred = np.asarray(Y_true, bool), np.asarray(Y_pred, bool)
    per_lever = {}
    for j, lever in enumerate(lever_ids):
        tp = int(np.sum(Y_true[:, j] & Y_pred[:, j]))
        p, r, f = _prf(tp, int(Y_pred[:, j].sum()), int(Y_true[:, j].sum()))
        per_lever[lever] = {"precision": p, "recall": r, "f1": f, "support": int(Y_true[:, j].sum())}
    p, r, f = _prf(int(np.sum(Y_true & Y_pred)), int(Y_pred.sum()), int(Y_true.sum()))
    counted = [m for m in per_lever.values() if m["support"] >= MIN_SUPPORT]
    none = ~Y_true.any(axis=1)
    return {
        "passages": int(len(Y_true)),
        "per_lever": per_lever,
        "micro": {"precision": p, "recall": r, "f1": f},
        "macro": {
            key: float(np.mean([m[key] for m in counted])) if counted else 0.0
            for key in ("precision", "recall", "f1")
        },
        "macro_levers": len(counted),
        "macro_min_support": MIN_SUPPORT,
        "none_support": int(none.sum()),
        # Share of the passages with no lever that the model also leaves empty.
        "none_correct": float((~Y_pred[none].any(axis=1)).mean()) if none.any() else 0.0,
    }


def format_table(result: dict) -> str:
    """A plain-text table of a metrics dict, one row per lever."""
    rows = [f"{'lever':32} {'P':>6} {'R':>6} {'F1':>6} {'support':>8}"]
    for lever, m in result["per_lever"].items():
        rare = "" if m["support"] >= result["macro_min_support"] else "  (rare)"
        rows.append(
            f"{lever:32} {m['precision']:6.2f} {m['recall']:6.2f} {m['f1']:6.2f} {m['support']:8d}{rare}"
        )
    micro, macro = result["micro"], result["macro"]
    rows += [
        "",
        f"{'micro':32} {micro['precision']:6.2f} {micro['recall']:6.2f} {micro['f1']:6.2f}",
        f"{'macro':32} {macro['precision']:6.2f} {macro['recall']:6.2f} {macro['f1']:6.2f}"
        f"   over {result['macro_levers']} levers with support >= {result['macro_min_support']}",
        f"passages with no lever predicted as none: {result['none_correct']:.2f}"
        f" ({result['none_support']} such passages, {result['passages']} in all)",
    ]
    return "\n".join(rows)
