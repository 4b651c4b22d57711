"""Passage-level metrics: per-lever precision, recall and F1, micro and macro."""

from __future__ import annotations

import numpy as np

MIN_SUPPORT = 5  # levers rarer than this in a gold set are left out of the macro average
# Under this many gold examples, one passage more or less moves a lever's F1 by 0.1 or more.
FEW_EXAMPLES = 10


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


def compare_table(results: dict[str, dict]) -> str:
    """A plain-text table of several models' metrics on the same gold set, one row per lever,
    flagging the levers with too few examples for their figures to mean much."""
    names = list(results)
    first = results[names[0]]

    def cells(pick) -> str:
        return "".join(
            f" {m['precision']:5.2f} {m['recall']:5.2f} {m['f1']:5.2f} |" for m in map(pick, results.values())
        )

    rows = [
        f"{'':41}" + "".join(f" {chr(65 + i):^17} |" for i in range(len(names))),
        f"{'lever':32} {'support':>8}" + f" {'P':>5} {'R':>5} {'F1':>5} |" * len(names),
    ]
    for lever, m in first["per_lever"].items():
        few = "  (few examples)" if m["support"] < FEW_EXAMPLES else ""
        rows.append(f"{lever:32} {m['support']:8d}" + cells(lambda r: r["per_lever"][lever]) + few)
    rows += [
        "",
        f"{'micro':41}" + cells(lambda r: r["micro"]),
        f"{'macro':41}" + cells(lambda r: r["macro"])
        + f"  over {first['macro_levers']} levers with support >= {first['macro_min_support']}",
        f"{'passages with no lever → none':32} {first['none_support']:8d}"
        + "".join(f" {r['none_correct']:17.2f} |" for r in results.values()),
        "",
        *(f"{chr(65 + i)}: {name} ({results[name]['passages']} passages)" for i, name in enumerate(names)),
        f"(few examples): fewer than {FEW_EXAMPLES} gold passages carry the lever; its figures can swing widely.",
    ]
    return "\n".join(rows)
