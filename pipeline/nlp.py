"""The French analyser, loaded once per process and shared by the stages.

Built from the data of the spaCy package `fr_core_news_md` (a dependency), but
not with `spacy.load`, for two reasons measured on 2 cores:

- importing spaCy's French language compiles a 1.4 MB regular expression (the
  hyphenated words kept whole, "tiers-lieu", "éco-quartier") in 2.3 s, in every
  process; the same expression written with `[^\\W\\d_]` for spaCy's long letter
  classes compiles in 0.05 s and tokenises every word of the corpus alike;
- the neural components (tok2vec, morphologizer, senter) took three quarters of
  the analysis time for lemmas and sentence ends. Lemmas come from the package's
  lookup table instead (a word → its lemma, whatever its role in the sentence),
  and sentences end on their punctuation.

The pipeline is a spaCy `Language`: its tokenizer and word vectors are the
package's, so the stages keep using Docs, the PhraseMatcher and `Token.vector`.
"""

from __future__ import annotations

import functools
import importlib.util
import re
from collections.abc import Iterator
from pathlib import Path
from typing import TYPE_CHECKING

from .errors import ModelError

if TYPE_CHECKING:
    from spacy.language import Language
    from spacy.tokenizer import Tokenizer
    from spacy.tokens import Doc

DEFAULT_SPACY_MODEL = "fr_core_news_md"
# Part of what a model was trained on (model.json): lemmas from the lookup table.
ANALYSER = "lookup-lemmas-1"


def load_nlp(name: str = DEFAULT_SPACY_MODEL) -> Language:
    """The analyser built from the spaCy package `name`, on the first call of the process."""
    return _load(name)


def package_data(name: str = DEFAULT_SPACY_MODEL) -> Path:
    """The folder of the spaCy package `name` that holds its data (config.cfg, vocab…)."""
    from spacy.util import get_package_path

    try:
        package = get_package_path(name)
    except (ModuleNotFoundError, OSError) as exc:
        raise ModelError(
            f"spaCy model '{name}' is not installed (it is a dependency of leviers: "
            "reinstall with `make install`)"
        ) from exc
    return next(path for path in package.iterdir() if (path / "config.cfg").is_file())


@functools.cache
def _load(name: str) -> Language:
    import srsly
    from spacy.language import BaseDefaults, Language
    from spacy.tokenizer import Tokenizer

    data = package_data(name)

    class FrenchDefaults(BaseDefaults):
        stop_words = _stop_words()

    class French(Language):
        lang = "fr"
        Defaults = FrenchDefaults

    nlp = French()
    # "strings": the vocabulary's 700,000 strings (130 MiB in memory) are those of
    # the word vectors, which are looked up by hash; the strings of the texts are
    # added as they come.
    nlp.vocab.from_disk(data / "vocab", exclude=["strings"])
    settings = (data / "tokenizer").read_bytes()
    tokenizer = Tokenizer(nlp.vocab).from_bytes(settings, exclude=["token_match"])
    tokenizer.token_match = re.compile(_short_letter_classes(srsly.msgpack_loads(settings)["token_match"])).match
    lemmas = dict(_lookup_table(data / "lemmatizer" / "lookups" / "lookups.bin"))
    nlp.tokenizer = _Lemmatizing(tokenizer, lemmas)
    nlp.add_pipe("sentencizer")
    # spaCy's own limit on one text stays: segment cuts long texts before they reach it.
    return nlp


class _Lemmatizing:
    """spaCy's tokenizer, then each token's lemma from the lookup table (a word the
    table lacks is its own lemma). In the tokenizer, so that every Doc has lemmas,
    even one made with `make_doc` (the cue phrases)."""

    def __init__(self, tokenizer: Tokenizer, lemmas: dict[int, str]):
        self.tokenizer, self.lemmas = tokenizer, lemmas  # the hash of a word → its lemma

    def __call__(self, text: str) -> Doc:
        doc = self.tokenizer(text)
        lemmas = self.lemmas
        for token in doc:
            lemma = lemmas.get(token.orth) or lemmas.get(token.lower)
            token.lemma_ = lemma.lower() if lemma else token.lower_
        return doc


def _lookup_table(path: Path, name: str = "lemma_lookup") -> Iterator[tuple[int, str]]:
    """The (word hash, lemma) pairs of one table of spaCy's lookups file, read one at a
    time and the other tables skipped: read whole, the file took 120 MiB of a worker's
    memory for a mapping of 25 MiB."""
    from srsly.msgpack import Unpacker

    with path.open("rb") as handle:
        unpacker = Unpacker(handle, raw=False, strict_map_key=False)
        for _ in range(unpacker.read_map_header()):
            if unpacker.unpack() != name:
                unpacker.skip()
                continue
            for _ in range(unpacker.read_map_header()):
                key, lemmas = unpacker.unpack(), unpacker.unpack()
                yield key, lemmas[0]
            return
    raise ModelError(f"{path}: no '{name}' table in the spaCy model")


def _short_letter_classes(pattern: str) -> str:
    """spaCy's French `token_match` with its letter classes (3,000 characters each,
    repeated 450 times) written as "any letter": the pattern is case-insensitive, so
    lower-case letters and letters are the same class."""
    from spacy.lang.char_classes import ALPHA, ALPHA_LOWER

    def shorter(match: re.Match) -> str:
        others = match.group(1) + match.group(2)
        return rf"(?:[^\W\d_]|[{others}])" if others else r"[^\W\d_]"

    # Marked first, then replaced with their brackets: an expression holding the
    # classes themselves would cost as much to compile as the one it shortens.
    for letters in (ALPHA, ALPHA_LOWER):
        pattern = pattern.replace(letters, "\0")
    return re.sub(r"\[([^\[\]\0]*)\0([^\[\]\0]*)\]", shorter, pattern)


def _stop_words() -> set[str]:
    """spaCy's French stop words, read from their module alone: importing it as part of
    `spacy.lang.fr` would compile the long expression this module avoids."""
    import spacy

    path = Path(spacy.__file__).parent / "lang" / "fr" / "stop_words.py"
    spec = importlib.util.spec_from_file_location("_leviers_fr_stop_words", path)
    assert spec is not None and spec.loader is not None
    module = importlib.util.module_from_spec(spec)
    spec.loader.exec_module(module)
    return set(module.STOP_WORDS)
