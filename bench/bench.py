"""The whole pipeline's speed and memory, measured in one run on the same files (`make bench`).

    python bench/bench.py [--synthetic 1000] [--json bench/results.json] [--skip-dask]

The files: the sample PDFs of corpora/samples and, when present, the real PDFs of
../shared/pdfs. Measured, each as a separate `leviers analyse` process:

- pdftotext's pages/s on those files, one process (the reference);
- `leviers analyse` with --jobs 1 and --jobs 2, no cache: whole-run pages/s (start-up
  included), the time from start to the first document done, the pages/s from then
  on (the other documents' pages over the time they took), and the peak resident
  memory (RSS) of the main process and of the largest other process (workers);
  (the peak of RSS, which counts in full the pages a worker shares with the fork
  server it was forked from, and the peak of PSS, which counts them in part);
- the same run twice with a cache: the second run reads every document back;
- one PDF of 300 pages (those files' pages over again, written here), --jobs 1: the
  peak memory of a worker on a long document;
- a synthetic corpus of short documents (written here) through the local executor
  (--jobs 2) and through a Dask LocalCluster of 2 workers (--dask local --jobs 2).

Prints a table and writes it as JSON.
"""

from __future__ import annotations

import argparse
import json
import os
import platform
import random
import re
import shutil
import subprocess
import sys
import tempfile
import threading
import time
from pathlib import Path

import psutil
from extract_bench import page_count  # this folder is on the path of a script run from it

REPO = Path(__file__).resolve().parent.parent
SHARED_PDFS = REPO.parent / "shared" / "pdfs"
LEVIERS = [sys.executable, "-m", "pipeline"]

SENTENCES = [
    "La communauté de communes recrute une cheffe de projet pour piloter la revitalisation du centre-bourg.",
    "Un comité de pilotage réunit chaque trimestre les élus, les associations et des habitants tirés au sort.",
    "Le tiers-lieu de la gare accueille les porteurs de projets et les met en relation avec les entreprises.",
    "Nous suivrons trois indicateurs : nombre d'usagers, taux de retour à l'emploi et coût évité.",
    "Une plateforme numérique de covoiturage solidaire sera expérimentée sur deux bassins de vie.",
    "Les retours d'expérience seront partagés avec les autres territoires lauréats du programme.",
    "La rénovation énergétique des écoles est financée par la dotation de soutien à l'investissement local.",
    "Le territoire compte 9 400 habitants répartis dans 21 communes de moyenne montagne.",
    "Une ingénierie mutualisée appuie les petites communes dans le montage de leurs dossiers.",
    "Le manque de coordination entre les acteurs freine aujourd'hui les projets de mobilité.",
]


def synthetic_corpus(folder: Path, count: int, seed: int = 14) -> Path:
    """`count` short documents (.txt, two to four paragraphs of a few sentences each)."""
    rng = random.Random(seed)
    folder.mkdir(parents=True, exist_ok=True)
    for number in range(count):
        paragraphs = [" ".join(rng.sample(SENTENCES, rng.randint(1, 3))) for _ in range(rng.randint(2, 4))]
        text = f"Fiche action n° {number + 1}\n\n" + "\n\n".join(paragraphs) + "\n"
        (folder / f"fiche-{number:04d}.txt").write_text(text, "utf-8")
    return folder


def long_document(sources: list[Path], path: Path, pages: int) -> int:
    """A PDF of about `pages` pages, the sources' pages one after the other, over again:
    the memory a worker needs for a long document."""
    import pypdfium2

    documents = [pypdfium2.PdfDocument(source) for source in sources]
    out = pypdfium2.PdfDocument.new()
    while len(out) < pages:
        for document in documents:
            if len(out) < pages:
                out.import_pages(document, list(range(min(len(document), pages - len(out)))))
    out.save(path)
    return len(out)


def pdftotext_seconds(paths: list[Path]) -> float | None:
    if not shutil.which("pdftotext"):
        return None
    clock = time.perf_counter()
    for path in paths:
        subprocess.run(["pdftotext", str(path), os.devnull], check=False, capture_output=True)
    return time.perf_counter() - clock


class Peaks:
    """Samples the resident memory of a process and all its descendants until stopped."""

    def __init__(self, pid: int):
        self.root = psutil.Process(pid)
        self.peaks: dict[int, tuple[int, str]] = {}
        self.pss: dict[int, int] = {}  # proportional: pages shared with the fork server counted in part
        self.running = True
        self.thread = threading.Thread(target=self._sample, daemon=True)
        self.thread.start()

    def _sample(self) -> None:
        rounds = 0
        while self.running:
            rounds += 1
            try:
                processes = [self.root, *self.root.children(recursive=True)]
            except psutil.Error:
                processes = []
            for process in processes:
                try:
                    rss = process.memory_info().rss
                    if rss > self.peaks.get(process.pid, (0, ""))[0]:
                        self.peaks[process.pid] = (rss, " ".join(process.cmdline())[-60:])
                    if rounds % 10 == 0:  # reading smaps is slow
                        pss = process.memory_full_info().pss
                        self.pss[process.pid] = max(pss, self.pss.get(process.pid, 0))
                except psutil.Error:
                    pass
            time.sleep(0.05)

    def stop(self) -> dict[str, float]:
        self.running = False
        self.thread.join()
        main = self.peaks.get(self.root.pid, (0, ""))[0]
        others = [rss for pid, (rss, _) in self.peaks.items() if pid != self.root.pid]
        other_pss = [pss for pid, pss in self.pss.items() if pid != self.root.pid]
        return {"main_mib": round(main / 2**20), "worker_mib": round(max(others, default=0) / 2**20),
                "worker_pss_mib": round(max(other_pss, default=0) / 2**20), "processes": len(self.peaks)}


def analyse(input_path: Path, output: Path, *options: str) -> dict:
    """One `leviers analyse` process: seconds, seconds to the first document, peaks."""
    environment = {**os.environ, "PYTHONPATH": str(REPO), "PYTHONUNBUFFERED": "1"}
    clock = time.perf_counter()
    process = subprocess.Popen([*LEVIERS, "analyse", str(input_path), "-o", str(output), *options],
                               stdout=subprocess.PIPE, stderr=subprocess.DEVNULL, text=True, env=environment,
                               cwd=REPO)
    peaks = Peaks(process.pid)
    done: list[tuple[float, int]] = []  # when each document was reported, and its pages
    assert process.stdout is not None
    for line in process.stdout:
        if line.lstrip().startswith(("✓", "✗")):
            pages = re.search(r" (\d+) pages?,", line)
            done.append((time.perf_counter() - clock, int(pages.group(1)) if pages else 0))
    status = process.wait()
    seconds = time.perf_counter() - clock
    memory = peaks.stop()
    if status not in (0, 3):
        raise SystemExit(f"leviers analyse {' '.join(options)} failed with status {status}")
    run = json.loads((output / "run.json").read_text("utf-8"))
    reused = (run.get("cache") or {}).get("reused", 0)
    first = done[0][0] if done else None
    # Once the workers are loaded: the pages of the other documents over the time they took.
    later = sum(pages for _, pages in done[1:])
    started = round(later / (done[-1][0] - first), 1) \
        if later and first and done[-1][0] > first and reused < len(done) else None
    return {"seconds": round(seconds, 2), "first_document_s": round(first, 2) if first else None,
            "started_pages_per_s": started, "documents": run["documents"]["analysed"], "reused": reused,
            **memory}


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.split("\n")[0])
    parser.add_argument("--synthetic", type=int, default=1000, help="Short documents in the synthetic corpus.")
    parser.add_argument("--json", type=Path, default=REPO / "bench" / "results.json")
    parser.add_argument("--skip-dask", action="store_true")
    arguments = parser.parse_args()

    work = Path(tempfile.mkdtemp(prefix="leviers-bench-"))
    real = work / "real"
    real.mkdir()
    sources = sorted((REPO / "corpora" / "samples").glob("*.pdf"))
    if SHARED_PDFS.is_dir():
        sources += sorted(SHARED_PDFS.glob("*.pdf"))
    for path in sources:
        shutil.copy(path, real / path.name)
    files = sorted(real.glob("*.pdf"))
    pages = page_count(files)
    rows: list[dict] = []

    def row(name: str, pages_done: int, figures: dict) -> None:
        figures = {"run": name, **figures}
        if pages_done and figures.get("seconds"):
            figures["pages_per_s"] = round(pages_done / figures["seconds"], 1)
        rows.append(figures)
        print(f"  {name}: {figures}", flush=True)

    print(f"{len(files)} PDFs, {pages} pages; {os.cpu_count()} cores", flush=True)
    reference = pdftotext_seconds(files)
    if reference:
        row("pdftotext (1 process)", pages, {"seconds": round(reference, 2)})
    row("analyse --jobs 1 --no-cache", pages, analyse(real, work / "o1", "--jobs", "1", "--no-cache"))
    row("analyse --jobs 2 --no-cache", pages, analyse(real, work / "o2", "--jobs", "2", "--no-cache"))
    row("analyse --jobs 2, cache filled", pages, analyse(real, work / "o3", "--jobs", "2"))
    row("analyse --jobs 2, cached re-run", pages, analyse(real, work / "o3", "--jobs", "2"))

    big = work / "big"
    big.mkdir()
    big_pages = long_document(files, big / "long.pdf", 300)
    row(f"one PDF of {big_pages} pages, --jobs 1", big_pages, analyse(big, work / "b1", "--jobs", "1", "--no-cache"))

    synthetic = synthetic_corpus(work / "synthetic", arguments.synthetic)
    row(f"{arguments.synthetic} short docs, --jobs 2", 0,
        analyse(synthetic, work / "s1", "--jobs", "2", "--no-cache"))
    if not arguments.skip_dask:
        row(f"{arguments.synthetic} short docs, --dask local (2 workers)", 0,
            analyse(synthetic, work / "s2", "--dask", "local", "--jobs", "2", "--no-cache"))

    by_name = {r["run"]: r for r in rows}
    first, again = by_name["analyse --jobs 2, cache filled"], by_name["analyse --jobs 2, cached re-run"]
    summary = {
        "pages": pages, "files": len(files), "cores": os.cpu_count(), "python": platform.python_version(),
        "analyse_over_pdftotext": round(by_name["analyse --jobs 2 --no-cache"]["pages_per_s"]
                                        / by_name["pdftotext (1 process)"]["pages_per_s"], 3) if reference else None,
        "cached_speed_up": round(first["seconds"] / again["seconds"], 1),
        "peak_rss_mib": max(max(r.get("main_mib", 0), r.get("worker_mib", 0)) for r in rows),
    }
    print()
    print(f"{'run':48} {'s':>7} {'pages/s':>8} {'first doc s':>11} {'then pages/s':>12} {'main MiB':>9} "
          f"{'worker MiB':>10} {'worker PSS':>10}")
    for r in rows:
        print(f"{r['run']:48} {r['seconds']:>7} {r.get('pages_per_s', ''):>8} {r.get('first_document_s') or '':>11} "
              f"{r.get('started_pages_per_s') or '':>12} {r.get('main_mib', ''):>9} {r.get('worker_mib', ''):>10} "
              f"{r.get('worker_pss_mib', ''):>10}")
    print(json.dumps(summary))
    arguments.json.parent.mkdir(parents=True, exist_ok=True)
    arguments.json.write_text(json.dumps({"summary": summary, "runs": rows}, indent=2) + "\n", "utf-8")
    shutil.rmtree(work, ignore_errors=True)


if __name__ == "__main__":
    main()
