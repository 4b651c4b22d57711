"""Whatever a folder holds, the batch goes on: each bad file is one errors.csv
line, nothing outside the folder is read, and the reports are whole.

The files are written by the tests and kept small on disk (the bombs inflate
to 100 MiB, the long report has 100 pages)."""

from __future__ import annotations

import csv
import json
import os
import pathlib
import subprocess
import sys

import pytest
from click.testing import CliRunner

from pipeline.cli import EXIT_SOME_FAILED, main
from pipeline.errors import ExtractionError, LeviersError
from pipeline.extract import extract, extract_many, ocr, walk_documents
from pipeline.segment import MAX_CHARS, segment
from tests.helpers import (
    PARAGRAPH,
    REPO,
    STRATEGY_PAGES,
    heading,
    write_docx_bomb,
    write_page_tree_loop_pdf,
    write_pdf,
    write_pdf_without_unicode_map,
    write_report_with_narrow_margin,
)

SECRET = "compte-secret-hors-du-dossier"
ACCENTED = ["Les études réalisées à Vernadou montrent l'intérêt du projet de territoire.",
            "La communauté de communes crée un tiers-lieu numérique et une maison de santé."] * 3


def read_rows(path: pathlib.Path) -> list[dict]:
    with path.open(encoding="utf-8-sig", newline="") as handle:
        return list(csv.DictReader(handle))


def latin1_name(folder: pathlib.Path, name: bytes) -> pathlib.Path:
    """A path whose name holds bytes that are not UTF-8, as an old drive's names do."""
    path = pathlib.Path(os.fsdecode(os.fsencode(folder) + b"/" + name))
    return path


def hostile_folder(tmp_path: pathlib.Path) -> tuple[pathlib.Path, dict[str, str], set[str]]:
    """Good documents beside bad ones: (folder, bad name → expected reason, good names)."""
    outside = tmp_path / "ailleurs"
    outside.mkdir()
    (outside / "secret.txt").write_text(f"{SECRET} : mots de passe du service.", "utf-8")
    folder = tmp_path / "partage"
    folder.mkdir()
    good = {"strategie.pdf", "projet.txt", "notes.md", "nuls.txt", "dossier/annexe.pdf"}
    write_pdf(folder / "strategie.pdf", STRATEGY_PAGES)
    (folder / "projet.txt").write_text(PARAGRAPH, "utf-8")
    (folder / "notes.md").write_text(" ".join([PARAGRAPH] * 6000), "utf-8")  # ~1.3 MB on one line
    (folder / "nuls.txt").write_bytes(PARAGRAPH.replace(" ", "\x00").encode())
    (folder / "dossier").mkdir()
    write_pdf(folder / "dossier" / "annexe.pdf", STRATEGY_PAGES[1:])
    latin1_name(folder, b"r\xe9sum\xe9.txt").write_text(PARAGRAPH, "utf-8")
    good.add("r\ufffdsum\ufffd.txt")
    (folder / "lien-interne.pdf").symlink_to("strategie.pdf")  # read once, as strategie.pdf
    os.mkfifo(folder / "tube.txt")  # not a document: reading it would wait forever
    bad = {
        "passwd.txt": "outside the input folder",
        "secret.txt": "outside the input folder",
        "ailleurs": "outside the input folder",
        "boucle.txt": "loops",
        "casse.pdf": "broken link",
        "bombe.docx": "corrupt file",
        "bombe-honnete.docx": "decompression bomb",
        "sans-unicode.pdf": "unreadable text",
        "arbre.pdf": "page tree loops",
        "vide.pdf": "empty file",
        "tronque.pdf": "corrupt or truncated",
        "faux.pdf": "not a PDF",
    }
    (folder / "passwd.txt").symlink_to("/etc/passwd")
    (folder / "secret.txt").symlink_to(outside / "secret.txt")
    (folder / "ailleurs").symlink_to(outside, target_is_directory=True)
    (folder / "boucle.txt").symlink_to("boucle.txt")
    (folder / "casse.pdf").symlink_to("absent.pdf")
    write_docx_bomb(folder / "bombe.docx")
    write_docx_bomb(folder / "bombe-honnete.docx", declared=None)
    write_pdf_without_unicode_map(folder / "sans-unicode.pdf", ACCENTED)
    write_page_tree_loop_pdf(folder / "arbre.pdf")
    (folder / "vide.pdf").write_bytes(b"")
    (folder / "tronque.pdf").write_bytes((folder / "strategie.pdf").read_bytes()[:900])
    (folder / "faux.pdf").write_text("Ceci est un simple fichier texte.", "utf-8")
    return folder, bad, good


@pytest.mark.slow
def test_a_hostile_folder_costs_each_bad_file_one_line_and_nothing_else(tmp_path):
    folder, bad, good = hostile_folder(tmp_path)
    out = tmp_path / "sorties"
    no_tesseract = tmp_path / "bin"
    no_tesseract.mkdir()
    done = subprocess.run([sys.executable, "-m", "pipeline", "analyse", str(folder), "-o", str(out)],
                          capture_output=True, cwd=REPO, timeout=600,
                          env={**os.environ, "PYTHONPATH": str(REPO), "PATH": str(no_tesseract)})
    stderr = done.stderr.decode("utf-8", "replace")
    assert done.returncode == EXIT_SOME_FAILED, stderr
    assert "Traceback" not in stderr

    covered = {row["document"] for row in read_rows(out / "coverage.csv")}
    assert covered == good
    errors = read_rows(out / "errors.csv")
    lines = {}
    for row in errors:
        lines.setdefault(row["document"], []).append(row)
    assert set(lines) == set(bad) | {"r\ufffdsum\ufffd.txt"}
    for name, reason in bad.items():
        assert len(lines[name]) == 1 and reason in lines[name][0]["message"], (name, lines[name])
    assert lines["r\ufffdsum\ufffd.txt"][0]["stage"] == "name"
    assert lines["sans-unicode.pdf"][0]["stage"] == "extract"

    run = json.loads((out / "run.json").read_text("utf-8"))
    assert {"document": "r\ufffdsum\ufffd.txt", "raw_name": "r\\xe9sum\\xe9.txt"}.items() <= next(
        f for f in run["files"] if f["document"].startswith("r")).items()
    passwd = pathlib.Path("/etc/passwd").read_text("utf-8").splitlines()[0]
    for report in (path for path in out.rglob("*") if path.is_file()):  # the cache's files too
        text = report.read_text("utf-8")
        assert SECRET not in text and passwd not in text, report.name
    passages = read_rows(out / "passages.csv")
    assert any("Le plateau du Vernadou s'étend" in p["text"] for p in passages if p["document"] == "nuls.txt")
    assert len([p for p in passages if p["document"] == "strategie.pdf"]) > 0
    assert not [p for p in passages if p["document"] == "lien-interne.pdf"]


def test_links_are_followed_only_inside_the_folder_and_once(tmp_path):
    folder = tmp_path / "docs"
    (folder / "sous").mkdir(parents=True)
    (folder / "a.txt").write_text(PARAGRAPH, "utf-8")
    (folder / "sous" / "b.txt").write_text(PARAGRAPH, "utf-8")
    (folder / "alias.txt").symlink_to("sous/b.txt")
    (folder / "sous" / "retour").symlink_to("..", target_is_directory=True)  # a loop through a folder
    (folder / "dehors.md").symlink_to(tmp_path / "ailleurs.md")
    (tmp_path / "ailleurs.md").write_text("hors du dossier", "utf-8")
    root, files, refused = walk_documents(folder)
    assert [f.relative_to(folder).as_posix() for f in files] == ["a.txt", "sous/b.txt"]
    assert {p.name: r for p, r in refused.items()} == {"dehors.md": "a link to outside the input folder: not followed"}


def test_an_unreadable_file_fails_alone(tmp_path, monkeypatch):
    """As a normal user a file of mode 000 cannot be opened; the tests run as
    root, so opening it is made to fail the same way."""
    folder = tmp_path / "docs"
    folder.mkdir()
    write_pdf(folder / "strategie.pdf", STRATEGY_PAGES)
    locked = folder / "interdit.txt"
    locked.write_text(PARAGRAPH, "utf-8")
    opened = pathlib.Path.open

    def open_unless_locked(self, *args, **kwargs):
        if self.name == "interdit.txt":
            raise PermissionError(13, "Permission denied", str(self))
        return opened(self, *args, **kwargs)

    monkeypatch.setattr(pathlib.Path, "open", open_unless_locked)
    out = tmp_path / "out"
    result = CliRunner().invoke(main, ["analyse", str(folder), "-o", str(out), "-j", "1"])
    assert result.exit_code == EXIT_SOME_FAILED, result.output
    errors = read_rows(out / "errors.csv")
    assert [(e["document"], e["message"]) for e in errors] == [
        ("interdit.txt", "cannot read the file (Permission denied)")]
    assert {r["document"] for r in read_rows(out / "coverage.csv")} == {"strategie.pdf"}


@pytest.mark.parametrize("failure, stage, message", [
    (RuntimeError("index out of range"), "segment", "internal error of leviers in segment (RuntimeError"),
    (MemoryError(), "classify", "out of memory in classify"),
])
def test_whatever_a_stage_raises_fails_one_document(tiny_corpus, monkeypatch, failure, stage, message,
                                                     default_model_dir, taxonomy):
    # The document's task, as a worker runs it, here in this process so that the stage can be patched.
    import pipeline.classify
    import pipeline.segment
    from pipeline.cues import load_cues
    from pipeline.tasks import Settings, analyse_document

    module = {"segment": pipeline.segment, "classify": pipeline.classify}[stage]
    real = getattr(module, stage)

    def failing(first, *args, **kwargs):
        texts = first if stage == "classify" else [p.text for p in first]
        if any("tiers-lieu" in text for text in texts):
            raise failure
        return real(first, *args, **kwargs)

    monkeypatch.setattr(module, stage, failing)
    settings = Settings(str(default_model_dir), taxonomy, load_cues(taxonomy))
    failed = analyse_document(tiny_corpus / "strategie.pdf", "strategie.pdf", settings)
    assert failed.error is not None and failed.error[0] == stage
    assert failed.error[1].startswith(message)
    done = analyse_document(tiny_corpus / "dossier.pdf", "dossier.pdf", settings)
    assert done.error is None and done.passages


def test_workers_that_cannot_run_stop_the_run_without_blaming_a_file(tiny_corpus, tmp_path, monkeypatch):
    import multiprocessing
    from concurrent.futures import ProcessPoolExecutor

    import pipeline.workers

    def dying_pool(jobs, preload=()):
        # Every worker exits as it starts, as when the machinery itself is broken.
        return ProcessPoolExecutor(jobs, mp_context=multiprocessing.get_context("forkserver"),
                                   initializer=os._exit, initargs=(7,))

    monkeypatch.setattr(pipeline.workers, "_pool", dying_pool)
    out = tmp_path / "out"
    result = CliRunner().invoke(main, ["analyse", str(tiny_corpus), "-o", str(out), "-j", "2"])
    assert result.exit_code == 1
    assert "leviers cannot run here" in result.output
    assert "damaged" not in result.output and not (out / "coverage.csv").exists()


def peak_mib(code: str) -> float:
    """Peak resident memory of a Python process running `code`, in MiB."""
    # VmHWM, not getrusage: that one counts the pytest process it was forked from.
    code += "\nprint(open('/proc/self/status').read().split('VmHWM:')[1].split()[0])"
    done = subprocess.run([sys.executable, "-c", code], check=True, cwd=REPO, timeout=300, capture_output=True,
                          text=True, env={**os.environ, "PYTHONPATH": str(REPO)})
    return int(done.stdout.split()[-1]) / 1024


@pytest.mark.parametrize("declared, reason", [(4096, "corrupt file"), (None, "decompression bomb")])
def test_a_docx_bomb_is_refused_in_bounded_memory(tmp_path, declared, reason):
    bomb = write_docx_bomb(tmp_path / "bombe.docx", declared=declared)
    assert bomb.stat().st_size < 1 << 20
    with pytest.raises(ExtractionError, match=reason):
        extract(bomb)
    code = f"""
from pipeline.extract import extract
try:
    extract({str(bomb)!r})
except Exception:
    pass
"""
    assert peak_mib(code) < 400


def test_control_characters_and_nuls_separate_words(tmp_path):
    path = tmp_path / "nuls.txt"
    path.write_bytes(b"Le\x00plateau\x00du\x00Vernadou\x01s'\xc3\xa9tend\x02sur douze communes.")
    assert extract(path)[0].text == "Le plateau du Vernadou s'étend sur douze communes."
    utf16 = tmp_path / "unicode.txt"
    utf16.write_bytes("Le plateau du Vernadou s'étend.".encode("utf-16"))
    assert extract(utf16)[0].text == "Le plateau du Vernadou s'étend."


def test_a_long_text_on_one_line_is_cut_before_spacy(tmp_path, nlp):
    path = tmp_path / "long.md"
    path.write_text(" ".join([PARAGRAPH] * 6000), "utf-8")  # over spaCy's limit of 1,000,000 characters
    pages = extract(path)
    assert max(len(p.text) for p in pages) > nlp.max_length
    seen = []
    real_pipe = nlp.pipe

    def pipe(texts, **kwargs):
        texts = list(texts)
        seen.extend(len(t) for t in texts)
        return real_pipe(texts, **kwargs)

    nlp.pipe = pipe
    try:
        passages = segment(pages, "long.md", nlp)
    finally:
        del nlp.pipe
    assert max(seen) <= MAX_CHARS and nlp.max_length == 1_000_000
    assert len(passages) >= 6000 * 2 / 6 and max(len(p.text.split()) for p in passages) <= 200




def test_a_pdf_without_a_unicode_map_is_not_read_as_text(tmp_path, no_tesseract):
    path = write_pdf_without_unicode_map(tmp_path / "sans-unicode.pdf", ACCENTED)
    with pytest.raises(ExtractionError, match="unreadable text .* Tesseract is not installed"):
        extract(path)


@pytest.mark.ocr
def test_a_pdf_without_a_unicode_map_is_read_by_ocr(tmp_path):
    if ocr.ocr_unavailable():
        pytest.skip(ocr.ocr_unavailable())
    path = write_pdf_without_unicode_map(tmp_path / "sans-unicode.pdf", ACCENTED)
    text = extract(path)[0].text
    assert "études réalisées" in text and "\x01" not in text


def test_a_page_tree_loop_is_named(tmp_path):
    with pytest.raises(ExtractionError, match="page tree loops"):
        extract(write_page_tree_loop_pdf(tmp_path / "arbre.pdf"))


def test_a_narrow_top_margin_is_not_taken_for_a_running_header(tmp_path):
    pages = extract(write_report_with_narrow_margin(tmp_path / "rapport.pdf", pages=100))
    assert len(pages) == 100
    lost = [n for n, page in enumerate(pages, 1) if not page.text.startswith(heading(n))]
    assert lost == []
    assert not any(page.text.rstrip().endswith(str(n)) for n, page in enumerate(pages, 1))  # page numbers go


def test_an_interrupted_write_leaves_the_previous_reports(tiny_corpus, tmp_path, monkeypatch):
    import pipeline.report
    from pipeline import analyse, write_outputs

    out = tmp_path / "out"
    result = analyse(tiny_corpus, jobs=1)
    write_outputs(out, result)
    before = {p.name: p.read_bytes() for p in out.iterdir()}
    assert len(before) == 7

    real = pipeline.report.write_csv

    def interrupted(table, path, excel=False):
        if path.name == "passages.csv":
            real(table, path, excel)
            raise KeyboardInterrupt
        real(table, path, excel)

    monkeypatch.setattr(pipeline.report, "write_csv", interrupted)
    result.run["started"] = "2099-01-01T00:00:00+00:00"
    with pytest.raises(KeyboardInterrupt):
        write_outputs(out, result)
    assert {p.name: p.read_bytes() for p in out.iterdir()} == before  # and no temporary folder is left


@pytest.mark.slow
def test_sigint_or_sigterm_at_any_moment_leaves_whole_reports_of_one_run(tiny_corpus, tmp_path):
    import signal
    import time

    out = tmp_path / "out"
    command = [sys.executable, "-m", "pipeline", "analyse", str(tiny_corpus), "-o", str(out)]
    env = {**os.environ, "PYTHONPATH": str(REPO)}
    subprocess.run(command, env=env, cwd=REPO, capture_output=True, timeout=300)
    for attempt, delay in enumerate([0.5, 2, 4, 5, 5.5, 6, 6.5, 7, 8, 10]):
        process = subprocess.Popen(command, env=env, cwd=REPO, stdout=subprocess.DEVNULL, stderr=subprocess.DEVNULL)
        time.sleep(delay)
        process.send_signal(signal.SIGINT if attempt % 2 else signal.SIGTERM)
        process.wait(timeout=120)
        files = {p.name for p in out.iterdir() if not p.name.startswith(".")}
        assert files == {"coverage.csv", "coverage_matrix.csv", "summary.csv", "passages.csv", "errors.csv",
                         "run.json", "report.html"}
        run = json.loads((out / "run.json").read_text("utf-8"))
        assert run["started"] in (out / "report.html").read_text("utf-8")  # the same run as run.json
        for name in files - {"run.json", "report.html"}:
            assert read_rows(out / name), name


def test_the_readmes_python_example_runs_as_a_script(tmp_path):
    """Saved as a file and run with `python`, with no `if __name__ == "__main__"`:
    the worker processes must not run the script again."""
    import re

    example = re.search(r"```python\n(.*?)```", (REPO / "README.md").read_text("utf-8"), re.S).group(1)
    (tmp_path / "corpora").symlink_to(REPO / "corpora")
    (tmp_path / "analyse.py").write_text(example, "utf-8")
    done = subprocess.run([sys.executable, "analyse.py"], cwd=tmp_path, capture_output=True, text=True, timeout=600,
                          env={**os.environ, "PYTHONPATH": str(REPO)})
    assert done.returncode == 0, done.stderr
    assert "Traceback" not in done.stderr
    for sample in (REPO / "corpora" / "samples").glob("*.pdf"):
        assert sample.name in done.stdout
    assert "Empty DataFrame" in done.stdout  # result.errors: every sample analysed
    assert (tmp_path / "resultats" / "coverage.csv").is_file()


def test_no_worker_outlives_the_run(tiny_corpus):
    psutil = pytest.importorskip("psutil")
    from multiprocessing import forkserver

    from pipeline import analyse

    me = psutil.Process()
    before = {p.pid for p in me.children(recursive=True)}  # other tests' pools (joblib's) may linger
    analyse(tiny_corpus, jobs=2)
    # Python's resource tracker stays for the life of this process; no worker, nor the fork server.
    left = [p for p in me.children(recursive=True)
            if p.pid not in before and "resource_tracker" not in " ".join(p.cmdline())]
    assert left == []
    assert forkserver._forkserver._preload_modules == ["__main__"]  # the caller's processes are left as they were


def test_find_refuses_what_is_not_a_folder_or_a_file(tmp_path):
    with pytest.raises(LeviersError, match="no such file or folder"):
        walk_documents(tmp_path / "absent")


def test_extract_many_reports_every_file_of_a_hostile_folder(tmp_path):
    folder, bad, good = hostile_folder(tmp_path)
    root, files, refused = walk_documents(folder)
    results = list(extract_many(files, jobs=2))
    assert len(results) == len(files)
    assert [path for path, pages, _ in results if not isinstance(pages, (list, ExtractionError))] == []
