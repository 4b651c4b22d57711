"""The Python API: the README's example runs, `import pipeline` stays light, and
the CLI gives what the API gives."""

import json
import re
import subprocess
import sys

import pandas as pd
import pytest
from click.testing import CliRunner

import pipeline
from pipeline import CoverageRule, analyse
from pipeline.cli import main
from tests.helpers import REPO


def test_the_readmes_python_example_runs(tmp_path, monkeypatch, capsys):
    example = re.search(r"```python\n(.*?)```", (REPO / "README.md").read_text("utf-8"), re.S).group(1)
    (tmp_path / "corpora").symlink_to(REPO / "corpora")  # the example's paths are relative to the repository
    monkeypatch.chdir(tmp_path)
    namespace: dict = {}
    exec(compile(example, "README.md", "exec"), namespace)

    result = namespace["result"]
    for table in (result.coverage, result.passages, result.errors):
        assert isinstance(table, pd.DataFrame)
    samples = {p.name for p in (REPO / "corpora" / "samples").glob("*.pdf")}
    assert samples <= set(result.coverage["document"])
    assert len(result.coverage) == 17 * result.coverage["document"].nunique()
    assert result.errors.empty and len(result.passages) > 100
    assert result.rule == CoverageRule(min_passages=2)
    assert "convention-pvd-saint-aubin.pdf" in capsys.readouterr().out
    assert (tmp_path / "resultats" / "report.html").is_file()
    assert (tmp_path / "resultats" / "summary.csv").read_text("utf-8-sig").startswith("ranking;rank;")


def test_import_pipeline_loads_nothing_heavy():
    code = "import sys, pipeline; print(sorted({'pandas', 'sklearn', 'spacy', 'numpy'} & set(sys.modules)))"
    completed = subprocess.run([sys.executable, "-c", code], capture_output=True, text=True, cwd=REPO, check=True)
    assert completed.stdout.strip() == "[]"
    assert pipeline.analyse is pipeline.run.analyse  # loaded on first use
    with pytest.raises(AttributeError):
        _ = pipeline.analyze


def test_the_cli_writes_what_the_api_returns(tiny_corpus, tmp_path):
    out = tmp_path / "out"
    cli = CliRunner().invoke(main, ["analyse", str(tiny_corpus), "-o", str(out), "--min-passages", "2",
                                    "--high-confidence", "0.9", "--excel"])
    assert cli.exit_code == 3, cli.output
    result = analyse(tiny_corpus, rule=CoverageRule(min_passages=2, high_confidence=0.9))

    written = pd.read_csv(out / "coverage.csv", sep=";", decimal=",", encoding="utf-8-sig")
    columns = ["document", "lever", "covered", "level", "score", "passages"]
    pd.testing.assert_frame_equal(written[columns], result.coverage[columns], check_dtype=False)
    assert json.loads((out / "run.json").read_text("utf-8"))["coverage_rule"] == {
        "min_passages": 2, "high_confidence": 0.9, "strong_score": None, "strong_passages": 3}
    strategy = result.coverage[result.coverage.document == "strategie.pdf"].groupby("framework").covered.sum()
    assert re.search(rf"✓ strategie\.pdf : .*leviers traités : cget {strategy['cget']}/10, "
                     rf"rameau {strategy['rameau']}/7", cli.output)
    assert sorted(result.errors["document"]) == ["note.pdf", "tronque.pdf", "vide.pdf"]


def test_the_cli_refuses_an_impossible_rule(tiny_corpus, tmp_path):
    for option, value in (("--min-passages", "0"), ("--high-confidence", "0.3")):
        cli = CliRunner().invoke(main, ["analyse", str(tiny_corpus), "-o", str(tmp_path), option, value])
        assert cli.exit_code == 2 and option in cli.output
        assert not (tmp_path / "coverage.csv").exists()
