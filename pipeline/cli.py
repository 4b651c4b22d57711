"""The `leviers` command line: a thin layer over the pipeline's functions."""

from __future__ import annotations

import contextlib
import functools
import json
import signal
import sys
import threading
from pathlib import Path

import click

from . import __version__
from .errors import LeviersError
from .i18n import DEFAULT_LANG, LANGUAGES, plural, translator
from .types import SCORINGS, CoverageRule

# Exit status of `analyse` when some documents could not be analysed (the
# others are, and every output file is written).
EXIT_SOME_FAILED = 3

model_option = click.option(
    "--model", "model_dir", type=click.Path(path_type=Path), envvar="LEVIERS_MODEL",
    help="Model directory (default: models/default, or $LEVIERS_MODEL).",
)
lang_option = click.option(
    "--lang", type=click.Choice(LANGUAGES), default=DEFAULT_LANG, show_default=True, envvar="LEVIERS_LANG",
    help="Language of the messages and of report.html: fr or en (or $LEVIERS_LANG).",
)
quiet_option = click.option("-q", "--quiet", is_flag=True, help="No progress bar nor line per document.")


class Failure(click.ClickException):
    """A library error as one line, framed in the user's language."""

    def __init__(self, message: str, lang: str) -> None:
        super().__init__(message)
        self.lang = lang

    def show(self, file=None) -> None:
        click.echo(translator(self.lang)("error", message=self.format_message()), err=True)


def reported(command):
    """Turn the library's errors into one-line messages and exit status 1."""

    @functools.wraps(command)
    def wrapper(*args, **kwargs):
        lang = kwargs.get("lang", DEFAULT_LANG)
        try:
            return command(*args, **kwargs)
        except LeviersError as exc:
            raise Failure(str(exc), lang) from exc
        except MemoryError as exc:
            raise Failure("out of memory", lang) from exc
        except OSError as exc:  # an output folder that cannot be written, a full disk
            raise Failure(f"{exc.filename or ''}: {exc.strerror or exc}".lstrip(": "), lang) from exc
        except (RuntimeError, ValueError, TypeError, AttributeError, KeyError, ImportError) as exc:
            # Not a user's document (those fail alone, in errors.csv): the tool itself.
            raise Failure(f"internal error of leviers ({type(exc).__name__}: {exc})", lang) from exc

    return wrapper


class Progress:
    """A progress bar on stderr (done / total, rate and time left), drawn only on a
    terminal and unless quiet, above which lines can be printed without breaking it."""

    def __init__(self, quiet: bool) -> None:
        self.quiet = quiet
        self.bar = None

    def start(self, total: int, label: str) -> None:
        self.close()
        if self.quiet:
            return
        from tqdm import tqdm

        # disable=None: drawn on a terminal only, so that logs and pipes get plain lines.
        self.bar = tqdm(total=total, desc=label, unit="", disable=None,
                        bar_format="{desc} {n_fmt}/{total_fmt} |{bar}| {elapsed}<{remaining}")

    def update(self, done: int) -> None:
        """Move the bar to `done`."""
        if self.bar is not None:
            self.bar.update(done - self.bar.n)

    def advance(self) -> None:
        if self.bar is not None:
            self.bar.update(1)

    def echo(self, line: str, err: bool = False) -> None:
        if self.quiet:
            return
        if self.bar is not None and not self.bar.disable:
            self.bar.write(line, file=sys.stderr if err else sys.stdout)
        else:
            click.echo(line, err=err)

    def close(self) -> None:
        if self.bar is not None:
            self.bar.close()
            self.bar = None


@contextlib.contextmanager
def training_progress(quiet: bool, t):
    """The function that training calls as it goes, drawing one bar per phase."""
    progress = Progress(quiet)
    labels = {"passages": t("progress_passages"), "folds": t("progress_folds")}
    phase = None

    def report(name: str, done: int, total: int) -> None:
        nonlocal phase
        if name != phase:
            phase = name
            progress.start(total, labels[name])
        progress.update(done)

    try:
        yield report
    finally:
        progress.close()


@click.group(context_settings={"help_option_names": ["-h", "--help"]})
@click.version_option(__version__, prog_name="leviers")
def main() -> None:
    """Which innovation levers do French territorial documents address?"""


@main.command()
@click.argument("input_path", type=click.Path(exists=True, path_type=Path))
@click.option("-o", "--output", type=click.Path(file_okay=False, path_type=Path), default="outputs",
              show_default=True, help="Folder for the report files.")
@model_option
@click.option("--min-passages", type=click.IntRange(min=1), default=1, show_default=True,
              help="A document covers a lever when at least this many of its passages carry it (score >= 0.5).")
@click.option("--high-confidence", type=click.FloatRange(0.5, 1), metavar="SCORE",
              help="A document also covers a lever when one of its passages scores at least SCORE (off by default).")
@click.option("--strong-score", type=click.FloatRange(0.5, 1), metavar="SCORE",
              help="A covered lever is covered strongly (✓, else weakly ◐) when one passage scores at least SCORE "
                   "(off by default).")
@click.option("--strong-passages", type=click.IntRange(min=1), metavar="N", default=CoverageRule().strong_passages,
              show_default=True, help="A covered lever is covered strongly when at least N of its passages carry it.")
@click.option("--excel", is_flag=True, help="CSV files for French Excel: ';' separators and decimal commas.")
@click.option("-j", "--jobs", type=click.IntRange(min=1),
              help="Documents analysed in parallel, one worker process each (default: one per core).")
@click.option("--dask", "dask", metavar="ADDRESS",
              help="Run the documents on a Dask cluster: its scheduler (tcp://host:8786), or 'local' for a "
                   "LocalCluster of --jobs workers here (needs pip install 'leviers[dask]').")
@click.option("--cache", "cache_dir", type=click.Path(file_okay=False, path_type=Path),
              help="Folder of the per-document results kept between runs (default: OUTPUT/.leviers-cache).")
@click.option("--no-cache", is_flag=True, help="Analyse every document again, and keep nothing for the next run.")
@click.option("--exclude", "exclude", metavar="GLOB", multiple=True,
              help="Leave out the files whose path or name matches GLOB (e.g. '*brouillon*'); repeatable.")
@lang_option
@quiet_option
@reported
def analyse(input_path: Path, output: Path, model_dir: Path | None, min_passages: int,
            high_confidence: float | None, strong_score: float | None, strong_passages: int | None, excel: bool,
            jobs: int | None, dask: str | None, cache_dir: Path | None, no_cache: bool, exclude: tuple[str, ...],
            lang: str, quiet: bool) -> None:
    """Analyse the documents in INPUT_PATH (a folder or one file) and write report.html and coverage tables.

    Documents: .pdf, .docx, .odt, .html, .md and .txt files.

    A document whose bytes, model, cues and taxonomy have not changed since a previous
    run into the same cache is read back, not analysed again (--no-cache to turn it off).

    Exit status: 0 when every document was analysed, 3 when some failed or some
    pages could not be read (they are listed in errors.csv; the others are in the
    reports), 1 on an error that stops the run.
    """
    from .cache import CACHE_FOLDER
    from .run import analyse as run_analysis
    from .run import display_name

    t = translator(lang)
    progress = Progress(quiet)

    def found(count: int) -> None:
        click.echo(t("analysing", input=display_name(str(input_path)), count=plural(count, "document", lang)))
        progress.start(count, t("progress"))

    def show(summary) -> None:
        progress.advance()
        if summary.error:
            progress.echo(t("doc_failed", name=summary.name, error=summary.error), err=True)
            return
        levers = ", ".join(f"{fw} {n}/{total}" for fw, (n, total) in summary.covered.items())
        progress.echo(t("doc_done", name=summary.name, pages=plural(summary.pages, "page", lang),
                        passages=plural(summary.passages, "passage", lang), levers=levers))
        if summary.missing:
            progress.echo(t("doc_missing", levers=", ".join(summary.missing)))

    # SIGTERM unwinds like Ctrl-C: the workers stop and no report is left half-written.
    if threading.current_thread() is threading.main_thread():
        signal.signal(signal.SIGTERM, _terminate)
    rule = CoverageRule(min_passages, high_confidence, strong_score, strong_passages)
    try:
        cache = None if no_cache else cache_dir or output / CACHE_FOLDER
        result = run_analysis(input_path, model_dir, on_document=show, rule=rule, jobs=jobs, exclude=exclude,
                              on_found=found, cache=cache, dask=dask)
    finally:
        progress.close()
    # Imported now: pandas and the reports' modules would hold back the workers' start.
    from .report import write_outputs

    write_outputs(output, result, excel=excel, lang=lang)
    counts = result.run["documents"]
    shown = Path(display_name(str(output)))
    click.echo(t("analysed", analysed=counts["analysed"], found=counts["found"], output=shown,
                 report=shown / "report.html"))
    if result.failed:
        click.echo(t("some_failed", count=len(result.failed), errors=output / "errors.csv"), err=True)
    partial = [d for d in result.documents if d.skipped]
    if partial:
        from .extract.ocr import ocr_unavailable

        why = ocr_unavailable()
        click.echo(t("some_partial", count=len(partial), errors=output / "errors.csv",
                     why=": " + why if why else ""), err=True)
    if result.failed or partial or not result.errors.empty:
        raise SystemExit(EXIT_SOME_FAILED)


def _terminate(signum: int, frame) -> None:
    raise SystemExit(128 + signum)


@main.command()
@click.argument("passages", type=click.Path(exists=True, dir_okay=False, path_type=Path))
@click.option("-o", "--output", type=click.Path(dir_okay=False, path_type=Path), required=True,
              help="JSONL file of predictions.")
@model_option
@lang_option
@reported
def predict(passages: Path, output: Path, model_dir: Path | None, lang: str) -> None:
    """Score each line {"id", "text"} of a JSONL file for every lever."""
    from .run import predict as score

    count = score(passages, output, model_dir)
    click.echo(translator(lang)("scored", count=count, output=output))


@main.command()
@click.argument("gold", type=click.Path(exists=True, dir_okay=False, path_type=Path))
@click.option("--model", "model_dirs", type=click.Path(path_type=Path), multiple=True, envvar="LEVIERS_MODEL",
              help="Model directory; repeat to compare models (default: models/default, or $LEVIERS_MODEL).")
@click.option("--json", "json_path", type=click.Path(dir_okay=False, path_type=Path),
              help="Also write the metrics as JSON (with several models, keyed by model directory).")
@click.option("--record", is_flag=True,
              help="Store the figures in each model's metadata and model card.")
@click.option("--scoring", type=click.Choice(SCORINGS), default="hybrid", show_default=True,
              help="Score with the model and the cues as `analyse` does, or with either alone.")
@lang_option
@reported
def evaluate(gold: Path, model_dirs: tuple[Path, ...], json_path: Path | None, record: bool, scoring: str,
             lang: str) -> None:
    """Precision, recall and F1 per lever of one or more models on the same annotated passages
    (GOLD: a file in any format `leviers train` reads)."""
    from .taxonomy import load_taxonomy
    from .training.evaluate import evaluate as measure
    from .training.metrics import metrics_table

    t = translator(lang)
    done = measure(gold, load_taxonomy(), model_dirs or (None,), record, scoring)
    left_out = t("left_out_tasks", count=len(done.skipped)) if done.skipped else ""
    click.echo(t("gold", gold=gold, passages=done.passages, left_out=left_out))
    click.echo(metrics_table(done.results))
    if json_path:
        figures = next(iter(done.results.values())) if len(done.results) == 1 else done.results
        json_path.write_text(json.dumps(figures, indent=2) + "\n", "utf-8")


@main.command()
@click.argument("annotated", nargs=-1, required=True, type=click.Path(exists=True, dir_okay=False, path_type=Path))
@model_option
@click.option("--record", is_flag=True, help="Store the figures in the model's metadata and model card.")
@lang_option
@quiet_option
@reported
def crossval(annotated: tuple[Path, ...], model_dir: Path | None, record: bool, lang: str, quiet: bool) -> None:
    """Cross-validate the model's design on annotated files (folds grouped by file when there are enough)."""
    from .taxonomy import load_taxonomy
    from .training.metrics import metrics_table
    from .training.train import crossval as cross_validate

    t = translator(lang)
    with training_progress(quiet, t) as progress:
        done = cross_validate(annotated, load_taxonomy(), model_dir, record, progress=progress)
    click.echo(t("crossval", views=", ".join(done.views), passages=done.passages, method=done.method))
    click.echo(metrics_table({"cv": done.metrics}))


@main.command()
@click.argument("annotated", nargs=-1, required=True, type=click.Path(exists=True, dir_okay=False, path_type=Path))
@click.option("-o", "--output", type=click.Path(file_okay=False, path_type=Path), required=True,
              help="Model directory to write.")
@click.option("--name", default="leviers", show_default=True, help="Name shown in the model card.")
@click.option("--views", help="Feature views to combine, comma-separated, among words, chars and vectors "
                               "(default: all three).")
@click.option("--base/--no-base", default=True, show_default=True,
              help="Add your files to the shipped corpus (corpora/annotated), or train on them alone.")
@lang_option
@quiet_option
@reported
def train(annotated: tuple[Path, ...], output: Path, name: str, views: str | None, base: bool, lang: str,
          quiet: bool) -> None:
    """Train a model on annotated files: the annotation guide's JSONL or CSV, a Label Studio
    JSON export or a Doccano JSONL export (multi-label text classification)."""
    from .classify import VIEWS
    from .taxonomy import load_taxonomy
    from .training.card import save_model
    from .training.metrics import metrics_table
    from .training.train import MIN_PASSAGES
    from .training.train import train as fit

    t = translator(lang)
    chosen = tuple(v.strip() for v in views.split(",") if v.strip()) if views else VIEWS
    unknown = set(chosen) - set(VIEWS)
    if unknown or not chosen:
        raise click.BadParameter(t("choose_views", views=", ".join(VIEWS)), param_hint="--views")
    click.echo(t("training", files=len(annotated), base=t("with_base") if base else ""))
    with training_progress(quiet, t) as progress:
        model = fit(annotated, load_taxonomy(), views=chosen, name=name, base=base, progress=progress)
    data = model.meta["training_data"]
    left_out = t("left_out_tasks", count=data["skipped"]) if data["skipped"] else ""
    click.echo(t("trained_on", passages=data["passages"], files=len(data["files"]), left_out=left_out))
    if model.meta["not_learnt"]:
        scarce = ", ".join(f"{lever} ({data['per_lever'][lever]})" for lever in model.meta["not_learnt"])
        click.secho(t("not_learnt", count=len(model.meta["not_learnt"]), min=MIN_PASSAGES, levers=scarce),
                    fg="yellow", err=True)
    save_model(model, output)
    cv = model.meta["cv"]
    click.echo(t("cv", method=cv["method"]))
    click.echo(metrics_table({"cv": cv["metrics"]}))
    click.echo(t("model_written", output=output))


@main.command()
@click.argument("output_dir", type=click.Path(exists=True, file_okay=False, path_type=Path))
@click.option("-n", "count", type=click.IntRange(min=1), default=50, show_default=True,
              help="How many passages to suggest.")
@click.option("-o", "--output", type=click.Path(dir_okay=False, path_type=Path), default="to_annotate.jsonl",
              show_default=True, help="JSONL file to write; the CSV and Label Studio files go beside it.")
@click.option("--excel", is_flag=True, help="The CSV file for French Excel: ';' separators and decimal commas.")
@lang_option
@reported
def suggest(output_dir: Path, count: int, output: Path, excel: bool, lang: str) -> None:
    """Pick the passages of an `analyse` OUTPUT_DIR whose annotation would help the model most:
    those it is least sure about, spread across levers and documents, without near-duplicates."""
    from .taxonomy import load_taxonomy
    from .training.suggest import pick, read_passages, write_suggestions

    t = translator(lang)
    taxonomy = load_taxonomy()
    picked = pick(read_passages(output_dir, taxonomy), taxonomy.ids, count)
    jsonl, table, tasks, config = write_suggestions(picked, taxonomy, output, excel)
    click.echo(t("suggested", count=len(picked), documents=picked["document"].nunique(),
                 levers=picked["uncertain"].nunique(), jsonl=jsonl, table=table))
    click.echo(t("label_studio", tasks=tasks, config=config))


@main.command()
@lang_option
@reported
def levers(lang: str) -> None:
    """List the levers of the taxonomy."""
    from .taxonomy import load_taxonomy

    for lever in load_taxonomy().levers:
        click.echo(f"{lever.id:30} {lever.label_in(lang)}")
