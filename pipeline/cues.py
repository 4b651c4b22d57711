"""Expert cues: the phrases of `cues.toml` that signal a lever, matched on lemmas.

The model learnt the words of the training corpus, whose writers did not write
like real documents; the cues carry what an expert knows of how French
territorial documents say each lever, and stay editable as data. `classify`
combines their evidence with the model's scores, or uses it alone for a lever
that no model was trained for yet; the matched strings let the reports show
why a passage carries a lever.
"""

from __future__ import annotations

import hashlib
from collections.abc import Iterable, Sequence
from dataclasses import dataclass
from pathlib import Path
from typing import TYPE_CHECKING

import numpy as np

from .errors import ModelError, TaxonomyError
from .nlp import load_nlp
from .taxonomy import Taxonomy, read_toml

if TYPE_CHECKING:
    from spacy.matcher import PhraseMatcher
    from spacy.tokens import Doc

# How the cues move the model's rescaled scores: expert priors, not fitted. Fitted
# on the corpus, cue weights come out near zero, because its hard negatives are
# full of cue words that its writers used without addressing the lever; on real
# documents cues are far more reliable (models/DESIGNS.md has the measurements).
CUE_LIFT = 0.5  # added when a strong cue hits and the model does not rule the lever out,
CUE_FLOOR = 0.2  # that is, when its score is at least this;
NO_CUE_PENALTY = 0.1  # taken off a lever no cue of either strength speaks for in the passage.
CUE_ONLY = {"strong": 0.75, "weak": 0.25}  # the score of a lever no model was trained for
MAX_LEVERS = 4  # carried per passage at most (the annotation guide's limit): the highest
CUE_RULE = (
    f"the model's score s, plus {CUE_LIFT} when a strong cue of the lever is in the passage and "
    f"s ≥ {CUE_FLOOR}, minus {NO_CUE_PENALTY} when no cue of the lever is; at most {MAX_LEVERS} levers "
    f"a passage; a lever without a trained model scores {CUE_ONLY['strong']} with a strong cue, "
    f"{CUE_ONLY['weak']} with a weak one"
)


STRENGTHS = ("strong", "weak")
KEYS = {"lever", "strength", "phrases", "exclude"}


@dataclass(frozen=True)
class CueTable:
    """One [[cues]] table: phrases of one strength for one lever, and their exclusions."""

    lever: str
    strength: str
    phrases: tuple[str, ...]
    exclude: tuple[str, ...] = ()


@dataclass(frozen=True)
class Cues:
    """The cue tables of a file, for the levers of a taxonomy."""

    tables: tuple[CueTable, ...]
    lever_ids: tuple[str, ...]  # the taxonomy's levers: the columns of the evidence
    digest: str  # of the file's text: a cached result depends on it

    @property
    def levers(self) -> set[str]:
        """The levers that have at least one cue."""
        return {table.lever for table in self.tables}

    def evidence(self, docs: Iterable[Doc]) -> CueEvidence:
        """The cue hits in passages analysed by spaCy (with lemmas)."""
        matcher = _MATCHERS.get(self.digest)
        if matcher is None:
            matcher = _MATCHERS[self.digest] = CueMatcher(self)
        return matcher.evidence(docs)


@dataclass
class CueEvidence:
    """Per passage and lever: the number of strong and weak hits, and the strings matched."""

    strong: np.ndarray  # (passages, levers) int
    weak: np.ndarray  # (passages, levers) int
    matches: list[dict[str, list[str]]]  # per passage: lever → the passage's words that matched


def load_cues(taxonomy: Taxonomy, path: str | Path | None = None) -> Cues:
    """Read a cue file (the packaged one by default) and check it against the taxonomy;
    every mistake is a TaxonomyError naming the file."""
    source, text, data = read_toml("cues.toml", path)
    tables = data.get("cues")
    if not isinstance(tables, list) or not tables:
        raise TaxonomyError(f"{source}: no [[cues]] table")
    known = set(taxonomy.ids)
    result = []
    for n, table in enumerate(tables, 1):
        where = f"{source}: [[cues]] table #{n}"
        unknown = set(table) - KEYS
        if unknown:
            raise TaxonomyError(f"{where}: unknown key(s) {', '.join(sorted(unknown))}")
        lever, strength = table.get("lever"), table.get("strength")
        if lever not in known:
            raise TaxonomyError(f"{where}: unknown lever '{lever}' (not in the taxonomy)")
        if strength not in STRENGTHS:
            raise TaxonomyError(f"{where} ({lever}): strength must be one of {', '.join(STRENGTHS)}, not '{strength}'")
        lists = {}
        for key in ("phrases", "exclude"):
            value = table.get(key, [])
            if not isinstance(value, list) or not all(isinstance(p, str) for p in value):
                raise TaxonomyError(f"{where} ({lever}): '{key}' must be a list of strings")
            if any(not p.strip() for p in value):
                raise TaxonomyError(f"{where} ({lever}): empty phrase in '{key}'")
            lists[key] = tuple(dict.fromkeys(p.strip().lower() for p in value))
        if not lists["phrases"]:
            raise TaxonomyError(f"{where} ({lever}): no phrases")
        result.append(CueTable(lever, strength, lists["phrases"], lists["exclude"]))
    return Cues(tuple(result), tuple(taxonomy.ids), hashlib.sha256(text.encode()).hexdigest()[:16])


# One matcher per cue file and process: building it lemmatises every phrase.
_MATCHERS: dict[str, CueMatcher] = {}


class CueMatcher:
    """Matches the phrases on lemmas and on lowercased words; a hit on either counts once."""

    def __init__(self, cues: Cues):
        from spacy.matcher import PhraseMatcher

        self.cues = cues
        self.nlp = load_nlp()
        self.matchers: dict[str, PhraseMatcher] = {
            attr: PhraseMatcher(self.nlp.vocab, attr=attr) for attr in ("LEMMA", "LOWER")}
        for k, table in enumerate(cues.tables):
            for key, phrases in (("i", table.phrases), ("x", table.exclude)):
                if phrases:
                    docs = [self.nlp.make_doc(p) for p in phrases]
                    self.matchers["LOWER"].add(f"{key}{k}", docs)
                    self.matchers["LEMMA"].add(f"{key}{k}", docs + self._as_written(docs))

    def _as_written(self, docs: list[Doc]) -> list[Doc]:
        """The phrases whose words are not their own lemmas, with their words as lemmas:
        the lookup table does not always give one lemma to all the forms of a word, and
        a phrase is written in the form the cue means."""
        written = []
        for doc in docs:
            if any(token.lemma != token.lower for token in doc):
                copy = self.nlp.make_doc(doc.text)
                for token in copy:
                    token.lemma = token.lower
                written.append(copy)
        return written

    def evidence(self, docs: Iterable[Doc]) -> CueEvidence:
        docs = list(docs)
        column = {lever: j for j, lever in enumerate(self.cues.lever_ids)}
        strong = np.zeros((len(docs), len(column)), dtype=int)
        weak = np.zeros_like(strong)
        matches = []
        for i, doc in enumerate(docs):
            spans: dict[str, set[tuple[int, int]]] = {}
            for matcher in self.matchers.values():
                for match_id, start, end in matcher(doc):
                    spans.setdefault(self.nlp.vocab.strings[match_id], set()).add((start, end))
            # Per lever: the hits no exclusion overlaps, longest first, strong
            # before weak on a tie, never two overlapping hits.
            found: dict[str, list[tuple[int, int, int]]] = {}
            for key, spotted in spans.items():
                if key[0] != "i":
                    continue
                table = self.cues.tables[int(key[1:])]
                excluded = spans.get("x" + key[1:], set())
                rank = STRENGTHS.index(table.strength)
                found.setdefault(table.lever, []).extend(
                    (s, e, rank) for s, e in spotted if not any(s < xe and xs < e for xs, xe in excluded))
            per_lever: dict[str, list[str]] = {}
            for lever, hits in found.items():
                kept: list[tuple[int, int, int]] = []
                for s, e, rank in sorted(hits, key=lambda h: (h[0] - h[1], h[2], h[0])):
                    if not any(s < ke and ks < e for ks, ke, _ in kept):
                        kept.append((s, e, rank))
                if kept:
                    strong[i, column[lever]] = sum(1 for h in kept if h[2] == 0)
                    weak[i, column[lever]] = sum(1 for h in kept if h[2] == 1)
                    per_lever[lever] = [doc[s:e].text for s, e, _ in sorted(kept)]
            matches.append(per_lever)
        return CueEvidence(strong, weak, matches)


def check_levers(model_levers: Sequence[str], cues: Cues) -> None:
    """Refuse a taxonomy with a lever that neither the model (trained for `model_levers`)
    nor any cue can score."""
    missing = set(cues.lever_ids) - set(model_levers) - cues.levers
    if missing:
        raise ModelError(f"no model and no cue for {', '.join(sorted(missing))}: "
                         "add cues to cues.toml or retrain the model with annotated passages")
