"""A hostile folder beside good documents, through `leviers analyse`: the exit
status, the errors.csv lines, the peak memory of every process.

    python bench/hostile_bench.py [--unprivileged] [--keep DIR]

The folder holds the samples, the real PDFs of ../shared/pdfs when present,
generated documents (a 1,000-page report with a 2 cm top margin, 5 MB texts on
one line, a file with NULs, a name in Latin-1, a PDF without ToUnicode map…)
and bad entries: links out of the folder, a link loop, a broken link, .docx
bombs, a page-tree loop, empty, truncated, encrypted and mislabelled files, and
a file of mode 000. With --unprivileged, root runs leviers without the
capabilities that let it read any file, so that file is unreadable as for a
normal user.
"""

from __future__ import annotations

import argparse
import csv
import json
import os
import shutil
import subprocess
import sys
import tempfile
import time
from pathlib import Path

REPO = Path(__file__).resolve().parent.parent
sys.path.insert(0, str(REPO))

from tests.helpers import (  # noqa: E402  (the repository is put on the path first)
    PARAGRAPH,
    SHARED,
    STRATEGY_PAGES,
    heading,
    write_docx_bomb,
    write_page_tree_loop_pdf,
    write_pdf,
    write_pdf_without_unicode_map,
    write_report_with_narrow_margin,
)


def build(base: Path) -> tuple[Path, set[str]]:
    """The folder, and the names of the entries that must fail."""
    import docx

    outside = base / "ailleurs"
    outside.mkdir()
    (outside / "secret.txt").write_text("compte-secret-hors-du-dossier", "utf-8")
    folder = base / "partage"
    folder.mkdir()
    for pdf in sorted((REPO / "corpora" / "samples").glob("*.pdf")):
        shutil.copy(pdf, folder)
    for pdf in sorted((SHARED / "pdfs").glob("*.pdf")):
        shutil.copy(pdf, folder)
    write_pdf(folder / "strategie.pdf", STRATEGY_PAGES, header="Projet de territoire 2030")
    write_report_with_narrow_margin(folder / "rapport-1000-pages.pdf", pages=1000)
    (folder / "long.md").write_text(" ".join([PARAGRAPH] * 30000)[:5_000_000], "utf-8")
    (folder / "long.txt").write_text(" ".join([PARAGRAPH] * 30000)[:5_000_000], "utf-8")
    (folder / "nuls.txt").write_bytes(PARAGRAPH.replace(" ", "\x00").encode())
    Path(os.fsdecode(os.fsencode(folder) + b"/r\xe9sum\xe9.txt")).write_text(PARAGRAPH, "utf-8")
    document = docx.Document()
    for _ in range(30):
        document.add_paragraph(PARAGRAPH)
    document.save(folder / "note.docx")
    (folder / "page.html").write_text(f"<html><body><h1>Projet</h1><p>{PARAGRAPH}</p></body></html>", "utf-8")
    write_pdf_without_unicode_map(folder / "sans-unicode.pdf", [PARAGRAPH[:90], PARAGRAPH[90:180]] * 10)
    bad = {"passwd.txt", "secret.txt", "ailleurs", "boucle.txt", "casse.pdf", "bombe.docx", "bombe-honnete.docx",
           "arbre.pdf", "vide.pdf", "tronque.pdf", "faux.pdf", "chiffre.pdf", "interdit.txt"}
    (folder / "passwd.txt").symlink_to("/etc/passwd")
    (folder / "secret.txt").symlink_to(outside / "secret.txt")
    (folder / "ailleurs").symlink_to(outside, target_is_directory=True)
    (folder / "boucle.txt").symlink_to("boucle.txt")
    (folder / "casse.pdf").symlink_to("absent.pdf")
    (folder / "lien-interne.pdf").symlink_to("strategie.pdf")
    write_docx_bomb(folder / "bombe.docx", inflated=1 << 30)
    write_docx_bomb(folder / "bombe-honnete.docx", inflated=1 << 30, declared=None)
    write_page_tree_loop_pdf(folder / "arbre.pdf")
    (folder / "vide.pdf").write_bytes(b"")
    (folder / "tronque.pdf").write_bytes((folder / "strategie.pdf").read_bytes()[:900])
    (folder / "faux.pdf").write_text("Ceci est un simple fichier texte.", "utf-8")
    write_pdf(folder / "chiffre.pdf", STRATEGY_PAGES, encrypt="secret")
    (folder / "interdit.txt").write_text(PARAGRAPH, "utf-8")
    (folder / "interdit.txt").chmod(0)
    return folder, bad


def peak_kib(pid: int) -> int:
    try:
        status = Path(f"/proc/{pid}/status").read_text()
    except OSError:
        return 0
    return int(status.split("VmHWM:")[1].split()[0]) if "VmHWM:" in status else 0


def main() -> None:
    import psutil

    parser = argparse.ArgumentParser()
    parser.add_argument("--unprivileged", action="store_true", help="as root, run leviers without DAC override")
    parser.add_argument("--keep", type=Path, help="build the folder here and keep it")
    args = parser.parse_args()
    base = args.keep or Path(tempfile.mkdtemp(prefix="hostile-"))
    base.mkdir(parents=True, exist_ok=True)
    folder, bad = build(base)
    out = base / "sorties"
    command = [sys.executable, "-m", "pipeline", "analyse", str(folder), "-o", str(out)]
    if args.unprivileged:
        dropped = "-dac_override,-dac_read_search"
        command = ["setpriv", f"--bounding-set={dropped}", f"--inh-caps={dropped}", *command]
    clock = time.monotonic()
    process = psutil.Popen(command, cwd=REPO, env={**os.environ, "PYTHONPATH": str(REPO)},
                           stdout=subprocess.PIPE, stderr=subprocess.PIPE)
    peaks: dict[int, tuple[str, int]] = {}
    while process.poll() is None:
        try:
            family = [process, *process.children(recursive=True)]
        except psutil.Error:
            family = [process]
        for member in family:
            try:
                name = " ".join(member.cmdline())[-60:]
            except psutil.Error:
                continue
            peaks[member.pid] = (name, max(peaks.get(member.pid, ("", 0))[1], peak_kib(member.pid)))
        time.sleep(0.05)
    stdout, stderr = process.communicate()
    seconds = time.monotonic() - clock
    print(f"exit status {process.returncode} in {seconds:.0f} s")
    print(stderr.decode("utf-8", "replace")[-2000:])
    with (out / "errors.csv").open(encoding="utf-8-sig") as handle:
        errors = list(csv.DictReader(handle))
    with (out / "coverage.csv").open(encoding="utf-8-sig") as handle:
        covered = {row["document"] for row in csv.DictReader(handle)}
    found = json.loads((out / "run.json").read_text("utf-8"))["documents"]
    print(f"documents {found}; {len(covered)} in coverage.csv; {len(errors)} errors.csv lines:")
    for row in errors:
        print(f"  {row['document']} [{row['stage']}] {row['message'][:110]}")
    lines = [row["document"] for row in errors]
    print("bad entries without exactly one line:", sorted(n for n in bad if lines.count(n) != 1) or "none")
    everything = "".join(p.read_text("utf-8", "replace") for p in out.iterdir() if p.is_file())
    print("outside text in the outputs:", "compte-secret" in everything or "root:x:0:0" in everything)
    passages = out / "passages.csv"
    text = passages.read_text("utf-8-sig")
    lost = sum(1 for n in range(1, 1001) if f"{heading(n)}" not in text)
    print(f"1,000-page report: {lost} page headings missing from passages.csv")
    print("peak memory per process (VmHWM, MiB):")
    for pid, (name, kib) in sorted(peaks.items(), key=lambda item: -item[1][1]):
        print(f"  {kib / 1024:7.0f}  {pid}  {name}")


if __name__ == "__main__":
    main()
