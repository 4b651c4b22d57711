"""The `leviers` command line: a thin layer over the pipeline's functions."""

from __future__ import annotations

import functools
import json
import signal
import threading
from pathlib import Path

import click

from . import __version__
from .errors import LeviersError

# Exit status of `analyse` when some documents could not be analysed (the
# others are, and every output file is written).
EXIT_SOME_FAILED = 3

model_option = click.option(
    "--model", "model_dir", type=click.Path(path_type=Path), envvar="LEVIERS_MODEL",
    help="Model directory (default: models/default, or $LEVIERS_MODEL).",
)


def reported(command):
    """Turn the library's errors into one-line messages and exit status 1."""

    @functools.wraps(command)
    def wrapper(*args, **kwargs):
        try:
            return command(*args, **kwargs)
        except LeviersError as exc:
            raise click.ClickException(str(exc)) from exc
        except MemoryError as exc:
            raise click.ClickException("out of memory") from exc
        except OSError as exc:  # an output folder that cannot be written, a full disk
            raise click.ClickException(f"{exc.filename or ''}: {exc.strerror or exc}".lstrip(": ")) from exc
        except (RuntimeError, ValueError, TypeError, AttributeError, KeyError, ImportError) as exc:
            # Not a user's document (those fail alone, in errors.csv): the tool itself.
            raise click.ClickException(f"internal error of leviers ({type(exc).__name__}: {exc})") from exc

    return wrapper


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
@click.option("--excel", is_flag=True, help="CSV files for French Excel: ';' separators and decimal commas.")
@click.option("-j", "--jobs", type=click.IntRange(min=1), help="Files read in parallel (default: one per core).")
@reported
def analyse(input_path: Path, output: Path, model_dir: Path | None, min_passages: int,
            high_confidence: float | None, excel: bool, jobs: int | None) -> None:
    """Analyse the documents in INPUT_PATH (a folder or one file) and write report.html and coverage tables.

    Documents: .pdf, .docx, .odt, .html, .md and .txt files.

    Exit status: 0 when every document was analysed, 3 when some failed or some
    pages could not be read (they are listed in errors.csv; the others are in the
    reports), 1 on an error that stops the run.
    """
    from .report import write_outputs
    from .run import analyse as run_analysis
    from .types import CoverageRule

    def show(summary) -> None:
        if summary.error:
            click.secho(f"  ✗ {summary.name}: {summary.error}", fg="red", err=True)
            return
        levers = ", ".join(f"{fw} {n}/{total}" for fw, (n, total) in summary.covered.items())
        pages = f"{summary.pages} page{'s' if summary.pages != 1 else ''}"
        click.echo(f"  ✓ {summary.name}: {pages}, {summary.passages} passages; levers covered: {levers}")
        if summary.missing:
            click.echo(f"      not covered: {', '.join(summary.missing)}")

    from .run import display_name

    # SIGTERM unwinds like Ctrl-C: the workers stop and no report is left half-written.
    if threading.current_thread() is threading.main_thread():
        signal.signal(signal.SIGTERM, _terminate)
    click.echo(f"Analysing {display_name(str(input_path))} …")
    result = run_analysis(input_path, model_dir, on_document=show,
                          rule=CoverageRule(min_passages, high_confidence), jobs=jobs)
    write_outputs(output, result, excel=excel)
    counts = result.run["documents"]
    shown = Path(display_name(str(output)))
    click.echo(f"{counts['analysed']} of {counts['found']} documents analysed; reports in {shown}/, "
               f"to read in a browser: {shown / 'report.html'}")
    if result.failed:
        click.echo(f"{len(result.failed)} document(s) failed: see {output / 'errors.csv'}", err=True)
    partial = [d for d in result.documents if d.skipped]
    if partial:
        from .extract.ocr import ocr_unavailable

        why = ocr_unavailable()
        click.echo(f"{len(partial)} document(s) with pages that could not be read, listed in "
                   f"{output / 'errors.csv'}{': ' + why if why else ''}", err=True)
    if result.failed or partial or not result.errors.empty:
        raise SystemExit(EXIT_SOME_FAILED)


def _terminate(signum: int, frame) -> None:
    raise SystemExit(128 + signum)


@main.command()
@click.argument("passages", type=click.Path(exists=True, dir_okay=False, path_type=Path))
@click.option("-o", "--output", type=click.Path(dir_okay=False, path_type=Path), required=True,
              help="JSONL file of predictions.")
@model_option
@reported
def predict(passages: Path, output: Path, model_dir: Path | None) -> None:
    """Score each line {"id", "text"} of a JSONL file for every lever."""
    from .run import predict as score

    count = score(passages, output, model_dir)
    click.echo(f"{count} passages scored into {output}")


@main.command()
@click.argument("gold", type=click.Path(exists=True, dir_okay=False, path_type=Path))
@click.option("--model", "model_dirs", type=click.Path(path_type=Path), multiple=True, envvar="LEVIERS_MODEL",
              help="Model directory; repeat to compare models (default: models/default, or $LEVIERS_MODEL).")
@click.option("--json", "json_path", type=click.Path(dir_okay=False, path_type=Path),
              help="Also write the metrics as JSON (with several models, keyed by model directory).")
@click.option("--record", is_flag=True,
              help="Store the figures in each model's metadata and model card.")
@reported
def evaluate(gold: Path, model_dirs: tuple[Path, ...], json_path: Path | None, record: bool) -> None:
    """Precision, recall and F1 per lever of one or more models on the same annotated passages
    (GOLD: a file in any format `leviers train` reads)."""
    from .taxonomy import load_taxonomy
    from .training.evaluate import evaluate as measure
    from .training.metrics import metrics_table

    done = measure(gold, load_taxonomy(), model_dirs or (None,), record)
    left_out = f"; {len(done.skipped)} task(s) without annotation left out" if done.skipped else ""
    click.echo(f"{gold} ({done.passages} passages{left_out})")
    click.echo(metrics_table(done.results))
    if json_path:
        figures = next(iter(done.results.values())) if len(done.results) == 1 else done.results
        json_path.write_text(json.dumps(figures, indent=2) + "\n", "utf-8")


@main.command()
@click.argument("annotated", nargs=-1, required=True, type=click.Path(exists=True, dir_okay=False, path_type=Path))
@model_option
@click.option("--record", is_flag=True, help="Store the figures in the model's metadata and model card.")
@reported
def crossval(annotated: tuple[Path, ...], model_dir: Path | None, record: bool) -> None:
    """Cross-validate the model's design on annotated files (folds grouped by file when there are enough)."""
    from .taxonomy import load_taxonomy
    from .training.metrics import metrics_table
    from .training.train import crossval as cross_validate

    done = cross_validate(annotated, load_taxonomy(), model_dir, record)
    click.echo(f"Cross-validation of views {', '.join(done.views)} on {done.passages} passages ({done.method}):")
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
@reported
def train(annotated: tuple[Path, ...], output: Path, name: str, views: str | None, base: bool) -> None:
    """Train a model on annotated files: the annotation guide's JSONL or CSV, a Label Studio
    JSON export or a Doccano JSONL export (multi-label text classification)."""
    from .classify import VIEWS
    from .taxonomy import load_taxonomy
    from .training.card import save_model
    from .training.metrics import metrics_table
    from .training.train import train as fit

    chosen = tuple(v.strip() for v in views.split(",") if v.strip()) if views else VIEWS
    unknown = set(chosen) - set(VIEWS)
    if unknown or not chosen:
        raise click.BadParameter(f"choose among {', '.join(VIEWS)}", param_hint="--views")
    click.echo(f"Training on {len(annotated)} file(s){' and the shipped corpus' if base else ''} …")
    model = fit(annotated, load_taxonomy(), views=chosen, name=name, base=base)
    data = model.meta["training_data"]
    click.echo(f"{data['passages']} passages from {len(data['files'])} file(s)"
               + (f"; {data['skipped']} task(s) without annotation left out" if data["skipped"] else ""))
    save_model(model, output)
    cv = model.meta["cv"]
    click.echo(f"Cross-validation ({cv['method']}):")
    click.echo(metrics_table({"cv": cv["metrics"]}))
    click.echo(f"Model written to {output}/")


@main.command()
@click.argument("output_dir", type=click.Path(exists=True, file_okay=False, path_type=Path))
@click.option("-n", "count", type=click.IntRange(min=1), default=50, show_default=True,
              help="How many passages to suggest.")
@click.option("-o", "--output", type=click.Path(dir_okay=False, path_type=Path), default="to_annotate.jsonl",
              show_default=True, help="JSONL file to write; the CSV and Label Studio files go beside it.")
@reported
def suggest(output_dir: Path, count: int, output: Path) -> None:
    """Pick the passages of an `analyse` OUTPUT_DIR whose annotation would help the model most:
    those it is least sure about, spread across levers and documents, without near-duplicates."""
    from .taxonomy import load_taxonomy
    from .training.suggest import pick, read_passages, write_suggestions

    taxonomy = load_taxonomy()
    picked = pick(read_passages(output_dir, taxonomy), taxonomy.ids, count)
    jsonl, table, tasks, config = write_suggestions(picked, taxonomy, output)
    click.echo(f"{len(picked)} passages from {picked['document'].nunique()} document(s), near the threshold of "
               f"{picked['uncertain'].nunique()} lever(s): {jsonl}, {table}")
    click.echo(f"For Label Studio: import {tasks}, with the labelling config {config}")


@main.command()
@reported
def levers() -> None:
    """List the levers of the taxonomy."""
    from .taxonomy import load_taxonomy

    for lever in load_taxonomy().levers:
        click.echo(f"{lever.id:30} {lever.label}")
