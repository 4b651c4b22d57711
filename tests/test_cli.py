"""Every command through Click's runner, and one end-to-end `leviers analyse`."""

import csv
import io
import json
import shutil
import subprocess
import sys

import pytest
from click.testing import CliRunner

from pipeline.cli import EXIT_SOME_FAILED, main


def run(*args):
    return CliRunner().invoke(main, [str(a) for a in args], catch_exceptions=False)


def read_csv(path):
    with path.open(encoding="utf-8-sig") as handle:  # the reports start with a byte-order mark, for Excel
        return list(csv.DictReader(handle))


def test_analyse_end_to_end(tiny_corpus, tmp_path, taxonomy):
    out = tmp_path / "out"
    result = run("analyse", tiny_corpus, "-o", out)
    assert result.exit_code == EXIT_SOME_FAILED, result.output
    assert "✓ strategie.pdf : 2 pages" in result.output
    assert "Documents analysés : 2 sur 5" in result.output

    errors = read_csv(out / "errors.csv")
    assert sorted((e["document"], e["stage"]) for e in errors) == [
        ("note.pdf", "extract"), ("tronque.pdf", "extract"), ("vide.pdf", "extract")]
    assert all(e["message"] for e in errors)

    coverage = read_csv(out / "coverage.csv")
    assert list(coverage[0]) == ["document", "framework", "lever", "label", "covered", "level", "score",
                                 "passages", "share", "evidence", "evidence_page"]
    assert len(coverage) == 2 * 17
    assert {row["document"] for row in coverage} == {"dossier.pdf", "strategie.pdf"}
    for row in coverage:
        assert row["covered"] in {"0", "1"} and 0 <= float(row["score"]) <= 1
        assert (row["covered"] == "1") == (row["level"] in {"strong", "weak"})
        assert (row["covered"] == "1") == (int(row["passages"]) > 0) == bool(row["evidence"])

    passages = read_csv(out / "passages.csv")
    assert list(passages[0])[:8] == ["document", "page", "passage", "text", "levers", "cues", "kind", "deplores"]
    assert list(passages[0])[8:] == taxonomy.ids
    # every quote in the coverage table is a passage, on the page it cites ("…" marks a cut)
    for row in coverage:
        if row["evidence"]:
            quoted = row["evidence"].removeprefix("… ").removesuffix(" …")
            assert any(p["text"].rstrip(":;,") == quoted and p["page"] == row["evidence_page"]
                       and p["document"] == row["document"] for p in passages)
    assert not any("Projet de territoire 2030" in p["text"] for p in passages)  # running header

    matrix = read_csv(out / "coverage_matrix.csv")
    assert [m["document"] for m in matrix] == ["dossier.pdf", "strategie.pdf"]

    run_info = json.loads((out / "run.json").read_text())
    assert run_info["documents"] == {"found": 5, "analysed": 2, "failed": 3}
    assert len(run_info["files"]) == 5 and all(len(f["sha256"]) == 64 for f in run_info["files"])


def test_analyse_exits_zero_when_all_documents_succeed(tiny_corpus, tmp_path):
    for name in ("vide.pdf", "note.pdf", "tronque.pdf"):
        (tiny_corpus / name).unlink()
    result = run("analyse", tiny_corpus, "-o", tmp_path / "out")
    assert result.exit_code == 0, result.output
    assert read_csv(tmp_path / "out" / "errors.csv") == []
    assert (tmp_path / "out" / "errors.csv").read_text("utf-8-sig").strip() == "document,stage,message"


def test_analyse_without_documents_is_a_clear_error(tmp_path):
    result = run("analyse", tmp_path, "-o", tmp_path / "out")
    assert result.exit_code == 1
    assert "Erreur : " in result.output and "no document to analyse" in result.output


def test_the_input_is_checked_before_the_model_loads(tmp_path):
    result = run("analyse", tmp_path, "-o", tmp_path / "out", "--model", tmp_path / "nomodel", "--lang", "en")
    assert result.exit_code == 1
    assert "Error: " in result.output and "no document to analyse" in result.output and "model" not in result.output


def test_analyse_in_english_quietly_leaving_files_out(tiny_corpus, tmp_path):
    out = tmp_path / "out"
    result = run("analyse", tiny_corpus, "-o", out, "--lang", "en", "--quiet", "--exclude", "vide.pdf",
                 "--exclude", "n*.pdf")
    assert result.exit_code == EXIT_SOME_FAILED, result.output  # tronque.pdf still fails
    assert "Analysing" in result.output and "3 documents" in result.output
    assert "✓" not in result.output and "✗" not in result.output  # quiet: no line per document
    assert "2 of 3 documents analysed" in result.output
    assert sorted(e["document"] for e in read_csv(out / "errors.csv")) == ["tronque.pdf"]
    page = (out / "report.html").read_text("utf-8")
    assert '<html lang="en">' in page and "This document addresses" in page
    assert json.loads((out / "run.json").read_text())["exclude"] == ["vide.pdf", "n*.pdf"]


def test_the_progress_bar_counts_documents_on_a_terminal(monkeypatch):
    from pipeline.cli import Progress

    class Terminal(io.StringIO):
        def isatty(self):
            return True

    terminal = Terminal()
    monkeypatch.setattr(sys, "stderr", terminal)
    progress = Progress(quiet=False)
    progress.start(3, "Documents :")
    progress.advance()
    progress.echo("  ✓ a.pdf", err=True)  # printed above the bar, which is drawn again below
    progress.advance()
    progress.close()
    drawn = terminal.getvalue()
    assert "Documents : 1/3" in drawn and "Documents : 2/3" in drawn and "  ✓ a.pdf\n" in drawn

    quiet = Terminal()
    monkeypatch.setattr(sys, "stderr", quiet)
    progress = Progress(quiet=True)
    progress.start(3, "Documents :")
    progress.advance()
    progress.echo("  ✓ a.pdf", err=True)
    progress.close()
    assert quiet.getvalue() == ""


def test_analyse_with_a_missing_model(tiny_corpus, tmp_path):
    result = run("analyse", tiny_corpus, "-o", tmp_path / "out", "--model", tmp_path / "nomodel")
    assert result.exit_code == 1
    assert "no model here" in result.output and "Traceback" not in result.output


def test_predict(tmp_path, taxonomy):
    source = tmp_path / "in.jsonl"
    source.write_text(
        json.dumps({"id": "p1", "text": "Un comité de pilotage réunit élus et habitants.", "other": 1}) + "\n"
        + json.dumps({"id": 2, "text": "La commune compte 2 350 habitants."}) + "\n", "utf-8")
    result = run("predict", source, "-o", tmp_path / "out.jsonl")
    assert result.exit_code == 0, result.output
    lines = [json.loads(l) for l in (tmp_path / "out.jsonl").read_text().splitlines()]
    assert [l["id"] for l in lines] == ["p1", 2]
    for line in lines:
        assert list(line["scores"]) == taxonomy.ids
        assert line["labels"] == [k for k, v in line["scores"].items() if v >= 0.5]


def test_predict_names_a_malformed_line(tmp_path):
    source = tmp_path / "in.jsonl"
    source.write_text('{"id": "a", "text": "bonjour"}\n{"text": "sans id"}\n', "utf-8")
    result = run("predict", source, "-o", tmp_path / "out.jsonl")
    assert result.exit_code == 1
    assert f"{source}:2" in result.output


@pytest.mark.slow
def test_train_then_evaluate(annotated_file, tmp_path, default_model_dir):
    model_dir = tmp_path / "model"
    result = run("train", annotated_file, "-o", model_dir, "--no-base")
    assert result.exit_code == 0, result.output
    assert "Validation croisée" in result.output and "micro" in result.output
    # the fixture's levers with fewer than 10 examples are said to be left out, not learnt
    assert "ne peuvent pas être appris" in result.output and "cget.territoire_referent (5)" in result.output
    meta = json.loads((model_dir / "model.json").read_text())
    assert "cget.territoire_referent" in meta["not_learnt"] and "cget.ingenierie" not in meta["not_learnt"]
    assert "scored from their cues alone: " in (model_dir / "MODEL_CARD.md").read_text()
    assert "cget.territoire_referent" not in meta["levers"]
    assert {p.name for p in model_dir.iterdir()} == {"model.npz", "model.json", "MODEL_CARD.md"}

    shutil.copytree(default_model_dir, tmp_path / "copy")
    metrics_file = tmp_path / "m.json"
    result = run("evaluate", annotated_file, "--model", tmp_path / "copy", "--json", metrics_file, "--record")
    assert result.exit_code == 0, result.output
    assert "macro" in result.output and "cget.ingenierie" in result.output
    figures = json.loads(metrics_file.read_text())
    assert 0 <= figures["micro"]["f1"] <= 1 and len(figures["per_lever"]) == 17
    meta = json.loads((tmp_path / "copy" / "model.json").read_text())
    assert meta["evaluations"][annotated_file.name] == figures
    assert f"Evaluation on `{annotated_file.name}`" in (tmp_path / "copy" / "MODEL_CARD.md").read_text()


@pytest.mark.slow
def test_train_on_a_csv_saved_by_french_excel(annotated_file, tmp_path):
    """`;` between cells, Windows-1252, CRLF: what Excel's "CSV (séparateur : point-virgule)" writes."""
    rows = [json.loads(line) for line in annotated_file.read_text("utf-8").splitlines()]
    rows = [r for r in rows if r["text"].encode("cp1252", errors="ignore").decode("cp1252") == r["text"]]
    excel = tmp_path / "annotations.csv"
    with excel.open("w", encoding="cp1252", newline="") as handle:
        writer = csv.writer(handle, delimiter=";")
        writer.writerow(["id", "text", "labels"])
        writer.writerows([r["id"], r["text"], "|".join(r["labels"])] for r in rows)
    assert b"\xe9" in excel.read_bytes()  # é in Windows-1252
    result = run("train", excel, "-o", tmp_path / "model", "--no-base", "--views", "words", "--quiet")
    assert result.exit_code == 0, result.output
    assert f"{len(rows)} passages de 1 fichier(s)" in result.output
    meta = json.loads((tmp_path / "model" / "model.json").read_text())
    assert meta["training_data"]["passages"] == len(rows) and sum(meta["training_data"]["per_lever"].values()) > 0


def test_train_refuses_unknown_views(annotated_file, tmp_path):
    result = run("train", annotated_file, "-o", tmp_path / "model", "--no-base", "--views", "words,pictures")
    assert result.exit_code == 2 and "choisissez parmi words, chars, vectors" in result.output
    assert not (tmp_path / "model").exists()


def test_train_refuses_bad_annotations(tmp_path):
    bad = tmp_path / "bad.jsonl"
    bad.write_text('{"id": "1", "text": "Texte.", "labels": ["cget.nimporte"]}\n', "utf-8")
    result = run("train", bad, "-o", tmp_path / "model", "--no-base")
    assert result.exit_code == 1
    assert f"{bad}:1: unknown lever id cget.nimporte" in result.output
    assert not (tmp_path / "model").exists()


def test_levers_and_help():
    result = run("levers")
    assert result.exit_code == 0 and len(result.output.splitlines()) == 17
    for command in ("analyse", "predict", "evaluate", "crossval", "train", "levers"):
        assert run(command, "--help").exit_code == 0


def test_python_dash_m_pipeline():
    completed = subprocess.run([sys.executable, "-m", "pipeline", "--version"], capture_output=True, text=True)
    assert completed.returncode == 0 and completed.stdout.startswith("leviers, version")


def test_dev_set_evaluation_runs(shared, tmp_path):
    result = run("evaluate", shared / "eval" / "dev.jsonl", "--json", tmp_path / "dev.json")
    assert result.exit_code == 0, result.output
    assert json.loads((tmp_path / "dev.json").read_text())["passages"] == 266


@pytest.mark.slow
def test_crossval_records_its_figures_in_the_model_card(annotated_file, tmp_path, default_model_dir):
    shutil.copytree(default_model_dir, tmp_path / "copy")
    result = run("crossval", annotated_file, "--model", tmp_path / "copy", "--record")
    assert result.exit_code == 0, result.output
    assert "Validation croisée des vues words, chars, vectors" in result.output
    meta = json.loads((tmp_path / "copy" / "model.json").read_text())
    passages = len(annotated_file.read_text().splitlines())
    assert meta["cv"]["metrics"]["passages"] == passages
    assert meta["cv"]["method"] == "5-fold, shuffled"  # one file: nothing to group by
    assert f"{passages} passages" in (tmp_path / "copy" / "MODEL_CARD.md").read_text()
