"""Where the repository's data folders are: the shipped models and the annotated corpus.

They are too large to ship inside the package, so leviers finds them beside
it, as in a clone of the repository (`pip install -e .`, what `make install`
does). This is the one place that knows it.
"""

from __future__ import annotations

from pathlib import Path

from .errors import LeviersError

REPOSITORY = Path(__file__).resolve().parent.parent


def repository_path(*parts: str) -> Path:
    """A folder of the repository, e.g. `repository_path("models", "default")`; a clear
    error when leviers runs from an installation without its repository."""
    path = REPOSITORY.joinpath(*parts)
    if not path.exists():
        raise LeviersError(
            f"{path}: not found; leviers reads {'/'.join(parts)}/ from its repository, so install it "
            "from a clone (`make install`), or name another folder (--model, $LEVIERS_MODEL)"
        )
    return path
