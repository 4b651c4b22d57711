import numpy as np
import pytest

from pipeline.training.metrics import metrics, metrics_table

LEVERS = ["a.x", "a.y", "a.z"]


def test_metrics_by_hand():
    gold = np.array([[1, 0, 0], [1, 1, 0], [0, 0, 0], [0, 0, 0], [1, 0, 0], [1, 0, 0], [1, 0, 0]])
    pred = np.array([[1, 0, 0], [0, 1, 0], [0, 1, 0], [0, 0, 0], [1, 0, 0], [1, 0, 0], [1, 0, 1]])
    result = metrics(gold, pred, LEVERS)
    x = result["per_lever"]["a.x"]
    assert (x["precision"], x["recall"], x["support"]) == (1.0, 0.8, 5)
    assert x["f1"] == pytest.approx(2 * 0.8 / 1.8)
    assert result["per_lever"]["a.y"]["precision"] == 0.5
    # micro: 5 true positives, 7 predicted, 6 gold
    assert result["micro"]["precision"] == pytest.approx(5 / 7)
    assert result["micro"]["recall"] == pytest.approx(5 / 6)
    # only a.x has support >= 5, so the macro average is its figure alone
    assert result["macro_levers"] == 1
    assert result["macro"]["f1"] == pytest.approx(x["f1"])
    # two passages have no lever; one of them is predicted as none
    assert (result["none_support"], result["none_correct"]) == (2, 0.5)
    table = metrics_table({"m": result})
    assert "a.y" in table and "(rare)" in table and "micro" in table


def test_one_table_for_one_or_several_models_as_text_or_markdown():
    gold = np.array([[1, 0, 0]] * 6 + [[0, 1, 0]])
    results = {"first": metrics(gold, gold, LEVERS), "second": metrics(gold, np.zeros_like(gold), LEVERS)}
    text = metrics_table(results)
    assert "A P" in text and "B F1" in text and "A: first" in text and "B: second" in text
    assert "none: A 1.00, B 0.00" not in text  # no passage without a lever here
    markdown = metrics_table({"cv": results["first"]}, markdown=True).splitlines()
    assert markdown[0] == "| lever | support | P | R | F1 |  |"
    assert "| `a.x` | 6 | 1.00 | 1.00 | 1.00 | (few examples) |" in markdown
