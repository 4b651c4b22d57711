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


def load_nlp(name: str = DEFAULT_SPACY_MODEL) -> Language:
    """The pipeline `name`, loaded on the first call of the process."""
    # One cache entry per name: `load_nlp()` and `load_nlp("fr_core_news_md")` (the
    # model's SpacyFeatures) used to be two entries, and two copies of spaCy (+225 MiB).
    return _load(name)


@functools.cache
def _load(name: str) -> Language:
    import spacy

    try:
        # "strings": the vocabulary's 700,000 strings (130 MiB in memory) are those of
        # the word vectors, which are looked up by hash; the strings of the texts are
        # added as they come. The lemmas and vectors are the same without them.
        nlp = spacy.load(name, exclude=["parser", "ner", "strings"])
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
