"""Speed and memory of extraction, measured in one run on the same files.

    python bench/extract_bench.py [--jobs N] [--pages 300]

The files: a generated two-column document of --pages pages (drawn line by
line across the columns, with running headers and page numbers), the sample
PDFs of corpora/samples and, when present, the real PDFs of ../shared/pdfs.
Prints pages per second of pdftotext (when installed, as the reference), of
the extraction stage and of the whole `analyse`, then the peak memory of
extracting the generated document and of the whole analyse.
"""

from __future__ import annotations

import argparse
import os
import shutil
import subprocess
import sys
import tempfile
import time
from concurrent.futures import ThreadPoolExecutor
from pathlib import Path

REPO = Path(__file__).resolve().parent.parent
sys.path.insert(0, str(REPO))

WORDS = (
    "la communauté de communes engage avec les habitants un programme de revitalisation des "
    "centres-bourgs, de mobilité solidaire et de rénovation énergétique des équipements publics "
    "en s'appuyant sur un tiers-lieu, une ingénierie mutualisée et des partenaires associatifs"
).split()


def generate(path: Path, pages: int) -> Path:
    """A long two-column report whose content stream crosses the columns."""
    from reportlab.lib.pagesizes import A4
    from reportlab.pdfgen import canvas

    width, height = A4
    pdf = canvas.Canvas(str(path), pagesize=A4)
    word = 0
    for number in range(1, pages + 1):
        pdf.setFont("Helvetica", 8)
        pdf.drawString(50, height - 35, "Projet de territoire 2030 — rapport de synthèse")
        pdf.drawRightString(width - 50, 30, str(number))
        pdf.setFont("Helvetica", 10)
        for row in range(58):
            for column in range(2):
                if row % 9 == 8:
                    continue  # a blank line between paragraphs
                line = " ".join(WORDS[(word + i) % len(WORDS)] for i in range(6))
                word += 6
                pdf.drawString(50 + column * 255, height - 80 - 12.5 * row, line)
        pdf.showPage()
    pdf.save()
    return path


def page_count(paths: list[Path]) -> int:
    import pypdfium2 as pdfium

    total = 0
    for path in paths:
        document = pdfium.PdfDocument(path)
        total += len(document)
        document.close()
    return total


def timed(function, repeat: int = 3) -> float:
    """The best of `repeat` runs, in seconds: the least disturbed by other work."""
    best = float("inf")
    for _ in range(repeat):
        clock = time.perf_counter()
        function()
        best = min(best, time.perf_counter() - clock)
    return best


def pdftotext(paths: list[Path], jobs: int) -> None:
    def one(path: Path) -> None:
        subprocess.run(["pdftotext", str(path), os.devnull], check=False, capture_output=True)

    with ThreadPoolExecutor(jobs) as pool:
        list(pool.map(one, paths))


def extraction(paths: list[Path], jobs: int) -> None:
    from pipeline.extract import extract_many

    for _ in extract_many(paths, jobs):
        pass


def peak_mib(*arguments: str) -> tuple[float, float]:
    """Peak resident memory, in MiB, of this script run with `arguments`:
    of its main process and of its largest worker process."""
    done = subprocess.run([sys.executable, __file__, *arguments], capture_output=True, text=True, check=True)
    main, worker = done.stdout.split()[-2:]
    return float(main), float(worker)


def status_kib(pid: int | str, field: str) -> int:
    """A memory figure of /proc/PID/status (VmHWM is the peak since exec:
    getrusage's ru_maxrss would carry the parent's peak across fork and exec)."""
    try:
        with open(f"/proc/{pid}/status") as status:
            return next(int(line.split()[1]) for line in status if line.startswith(field + ":"))
    except (OSError, StopIteration):
        return 0


def measure_memory(mode: str, target: str, jobs: int, model: str | None) -> None:
    """The child side of peak_mib: run one task, print the peaks."""
    import threading

    workers, running = [0], True

    def sample() -> None:  # workers exit before they can be asked their peak
        while running:
            children = Path(f"/proc/self/task/{os.getpid()}/children").read_text().split()
            workers[0] = max([workers[0]] + [status_kib(child, "VmRSS") for child in children])
            time.sleep(0.02)

    sampler = threading.Thread(target=sample, daemon=True)
    sampler.start()
    if mode == "extract":
        from pipeline.extract import extract

        extract(target)
    else:
        from pipeline.run import analyse

        analyse(target, model, jobs=jobs)
    running = False
    sampler.join()
    print(status_kib("self", "VmHWM") / 1024, workers[0] / 1024)


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--jobs", type=int, default=os.cpu_count() or 1)
    parser.add_argument("--pages", type=int, default=300)
    parser.add_argument("--model", help="model directory for the whole analyse (default: models/default)")
    parser.add_argument("--memory", nargs=2, metavar=("MODE", "TARGET"), help=argparse.SUPPRESS)
    args = parser.parse_args()
    if args.memory:
        measure_memory(*args.memory, args.jobs, args.model)
        return

    with tempfile.TemporaryDirectory() as folder:
        folder = Path(folder)
        long = generate(folder / "rapport-long.pdf", args.pages)
        sources = sorted((REPO / "corpora" / "samples").glob("*.pdf"))
        shared = REPO.parent / "shared" / "pdfs"
        sources += sorted(shared.glob("*.pdf")) if shared.is_dir() else []
        for source in sources:
            shutil.copy(source, folder / source.name)
        real = [folder / source.name for source in sources]
        sets = {
            f"real PDFs ({len(real)} files)": real,
            "generated report (1 file)": [long],
            f"all ({len(real) + 1} files)": real + [long],
        }
        extraction(real[:1] or [long], 1)  # imports and caches, before any clock runs
        reference = shutil.which("pdftotext")
        if not reference:
            print("pdftotext is not installed (apt-get install poppler-utils): no reference figure\n")
        print(f"pages per second, best of 3 runs, {args.jobs} jobs on {os.cpu_count()} cores "
              f"(ratio: extraction with {args.jobs} jobs / pdftotext in 1 process)")
        print(f"{'files':28} {'pages':>6} {'pdftotext':>10} {'extract -j1':>12} "
              f"{f'extract -j{args.jobs}':>12} {'ratio':>6}")
        for label, paths in sets.items():
            pages = page_count(paths)
            poppler = pages / timed(lambda p=paths: pdftotext(p, 1)) if reference else float("nan")
            one = pages / timed(lambda p=paths: extraction(p, 1))
            # One file is read by one process whatever --jobs says.
            many = pages / timed(lambda p=paths: extraction(p, args.jobs)) if len(paths) > 1 else one
            print(f"{label:28} {pages:6} {poppler:10.0f} {one:12.0f} {many:12.0f} {many / poppler:6.2f}")

        from pipeline.run import analyse

        pages = page_count(real + [long])
        seconds = timed(lambda: analyse(folder, args.model, jobs=args.jobs), repeat=1)
        print(f"\nwhole analyse of all files, --jobs {args.jobs}: {pages / seconds:.0f} pages/s ({seconds:.1f} s)")
        extracting, _ = peak_mib("--memory", "extract", str(long))
        print(f"peak memory, extracting the {args.pages}-page report: {extracting:.0f} MiB")
        main, worker = peak_mib("--memory", "analyse", str(folder), "--jobs", str(args.jobs),
                                *(["--model", args.model] if args.model else []))
        print(f"peak memory, whole analyse: {main:.0f} MiB in the main process (spaCy, the model), "
              f"{worker:.0f} MiB in the largest extraction worker")


if __name__ == "__main__":
    main()
