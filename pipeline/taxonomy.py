"""The levers as data: load and validate the taxonomy file."""

from __future__ import annotations

import hashlib
import re
import tomllib
from dataclasses import dataclass
from importlib import resources
from pathlib import Path

from .errors import TaxonomyError

LEVER_ID = re.compile(r"^[a-z][a-z0-9_]*\.[a-z][a-z0-9_]*$")


@dataclass(frozen=True)
class Lever:
    id: str
    framework: str
    label: str
    label_en: str
    description: str
    # What the framework asks of a document about the lever, recalled where a
    # document leaves it out: a project team's questions for Le RAMEAU, a
    # territory's capacities for the CGET.
    question: str
    question_en: str

    def label_in(self, lang: str) -> str:
        return self.label_en if lang == "en" else self.label

    def question_in(self, lang: str) -> str:
        return self.question_en if lang == "en" else self.question


@dataclass(frozen=True)
class Framework:
    id: str
    label: str
    label_en: str
    level: str

    def label_in(self, lang: str) -> str:
        return self.label_en if lang == "en" else self.label


@dataclass(frozen=True)
class Taxonomy:
    frameworks: tuple[Framework, ...]
    levers: tuple[Lever, ...]
    digest: str  # identifies the lever ids a model was trained for

    @property
    def ids(self) -> list[str]:
        return [lever.id for lever in self.levers]

    def lever(self, lever_id: str) -> Lever:
        for lever in self.levers:
            if lever.id == lever_id:
                return lever
        raise KeyError(lever_id)


def _require(table: dict, key: str, where: str) -> str:
    value = table.get(key)
    if not isinstance(value, str) or not value.strip():
        raise TaxonomyError(f"{where}: '{key}' is missing or empty")
    return value.strip()


def read_toml(packaged: str, path: str | Path | None) -> tuple[str, str, dict]:
    """A data file of the package's (`packaged`, by default) or a user's: its name for
    messages, its text and its tables; a TaxonomyError names the file when it cannot be read."""
    if path is None:
        source = f"pipeline/{packaged}"
        text = resources.files("pipeline").joinpath(packaged).read_text("utf-8")
    else:
        source = str(path)
        try:
            text = Path(path).read_text("utf-8")
        except OSError as exc:
            raise TaxonomyError(f"{source}: cannot read the file ({exc.strerror})") from exc
    try:
        return source, text, tomllib.loads(text)
    except tomllib.TOMLDecodeError as exc:
        raise TaxonomyError(f"{source}: not valid TOML ({exc})") from exc


def load_taxonomy(path: str | Path | None = None) -> Taxonomy:
    """Read a taxonomy TOML file (the packaged one by default) and validate it."""
    source, text, data = read_toml("taxonomy.toml", path)

    frameworks = []
    for i, table in enumerate(data.get("frameworks", []), 1):
        where = f"{source}: framework #{i}"
        frameworks.append(
            Framework(*(_require(table, key, where) for key in ("id", "label", "label_en", "level")))
        )
    framework_ids = [f.id for f in frameworks]
    if len(set(framework_ids)) != len(framework_ids):
        raise TaxonomyError(f"{source}: duplicate framework id")

    levers = []
    seen: set[str] = set()
    for i, table in enumerate(data.get("levers", []), 1):
        where = f"{source}: lever #{i}"
        lever = Lever(*(_require(table, key, where)
                        for key in ("id", "framework", "label", "label_en", "description", "question",
                                    "question_en")))
        if not LEVER_ID.match(lever.id):
            raise TaxonomyError(
                f"{where}: malformed id '{lever.id}' (expected 'framework.name' in lowercase)"
            )
        if lever.id in seen:
            raise TaxonomyError(f"{where}: duplicate lever id '{lever.id}'")
        if lever.framework not in framework_ids:
            raise TaxonomyError(f"{where}: unknown framework '{lever.framework}'")
        if not lever.id.startswith(lever.framework + "."):
            raise TaxonomyError(f"{where}: id '{lever.id}' does not start with '{lever.framework}.'")
        seen.add(lever.id)
        levers.append(lever)
    if not levers:
        raise TaxonomyError(f"{source}: no levers defined")

    digest = hashlib.sha256("\n".join(l.id for l in levers).encode()).hexdigest()[:16]
    return Taxonomy(tuple(frameworks), tuple(levers), digest)
