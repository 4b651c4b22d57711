"""The French spaCy pipeline, loaded once per process and shared by the stages."""

from __future__ import annotations

import functools
from typing import TYPE_CHECKING

from .errors import ModelError

if TYPE_CHECKING:
    from spacy.language import Language

DEFAULT_SPACY_MODEL = "fr_core_news_md"

# Components the stages use: `senter` for sentence boundaries (segment), the
# tagger chain for lemmas (classify). The parser and NER are never needed.
LEMMA_PIPES = ("tok2vec", "morphologizer", "attribute_ruler", "lemmatizer")


@functools.cache
def load_nlp(name: str = DEFAULT_SPACY_MODEL) -> Language:
    import spacy

    try:
        nlp = spacy.load(name, exclude=["parser", "ner"])
    except OSError as exc:
        raise ModelError(
            f"spaCy model '{name}' is not installed (it is a dependency of leviers: "
            "reinstall with `make install`)"
        ) from exc
    if "senter" in nlp.disabled:
        nlp.enable_pipe("senter")
    # spaCy's own limit on one text stays: segment cuts long texts before
    # they reach it (see segment.MAX_CHARS).
    return nlp


def without(nlp: Language, *keep: str) -> list[str]:
    """Names of the loaded components to disable so that only `keep` run."""
    return [name for name in nlp.pipe_names if name not in keep]
