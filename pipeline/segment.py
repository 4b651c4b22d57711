"""Segment stage: pages → passages of about one to six sentences.

A passage is the unit of the annotation guide: a paragraph, a list item with
its lead-in, or a table row. Each keeps its document and page.
"""

from __future__ import annotations

import re
from collections import Counter
from collections.abc import Callable, Iterable
from typing import TYPE_CHECKING

from .nlp import without
from .types import BULLET, REGION_END, Page, Passage

if TYPE_CHECKING:
    from spacy.language import Language

MAX_SENTENCES = 6
MAX_WORDS = 200
MIN_WORDS = 3
HEADING_WORDS = 12
# spaCy is given at most this many characters at once: a block longer than
# that (a text file on one line) is cut between sentences or words. Far below
# spaCy's limit: with BATCH, a 5 MB line costs ~40 MiB, not ~350.
MAX_CHARS = 10_000
BATCH = 8

HYPHENATED_BREAK = re.compile(r"([^\W_]+)-\n([^\W_]+)")
SPACES = re.compile(r"[ \t\n\r\f\v]+")  # not \s: no-break spaces stay
WORD = re.compile(r"\w+")
LETTERS = re.compile(r"[^\W\d_]+(?:-[^\W\d_]+)*")
# Words that make French compounds with a hyphen: a line that ends with one
# of the first set, or a line that starts with one of the second, after a
# hyphen, splits a compound ("grand-\nmère", "peut-\nêtre"), not a word.
COMPOUND_HEADS = {
    "saint", "sainte", "saints", "saintes", "grand", "grande", "demi", "semi", "mi", "ex", "non",
    "vice", "sous", "après", "avant", "arrière", "porte", "garde", "tiers", "contre", "haut", "basse",
}
COMPOUND_TAILS = {
    "être", "même", "mêmes", "ci", "là", "t", "il", "ils", "elle", "elles", "on", "nous", "vous",
    "moi", "toi", "lui", "leur", "eux", "y", "en", "dessus", "dessous", "delà",
}


def segment(pages: Iterable[Page], document: str, nlp: Language) -> list[Passage]:
    """Cut a document's pages into passages, in reading order."""
    pages = list(pages)
    repair = _hyphenation(pages, nlp)
    blocks = [(page.number, piece) for page in pages for block in _blocks(page.text, repair)
              for piece in _pieces(block)]
    # Small batches: spaCy holds a batch's hidden states at once, and blocks can be MAX_CHARS long.
    docs = nlp.pipe((text for _, text in blocks), disable=without(nlp, "senter"), batch_size=BATCH)
    passages: list[Passage] = []
    for (page, _), doc in zip(blocks, docs):
        for text in _chunks([s.text.strip() for s in doc.sents]):
            if len(WORD.findall(text)) >= MIN_WORDS:
                passages.append(Passage(document, page, len(passages), text))
    return passages


def _hyphenation(pages: list[Page], nlp: Language) -> Callable[[re.Match], str]:
    """How to join a word cut by a hyphen at a line's end: "dévelop-\npement"
    → "développement", but "bois-\nénergie" → "bois-énergie".

    The document's own spelling decides first (how often it writes the word
    joined or hyphenated within a line), then the words that form compounds,
    then whether spaCy's vocabulary knows one form only. Otherwise the hyphen
    was a cut."""
    seen = Counter(w.lower() for page in pages for w in LETTERS.findall(page.text))
    vocabulary = nlp.vocab

    def join(match: re.Match) -> str:
        head, tail = match.groups()
        joined, compound = head + tail, f"{head}-{tail}"
        if tail[0].isupper() or tail[0].isdigit() or head[-1].isdigit():
            return compound  # Saint-\nMalo, COVID-\n19, 2020-\n2026
        if seen[joined.lower()] != seen[compound.lower()]:
            return joined if seen[joined.lower()] > seen[compound.lower()] else compound
        if head.lower() in COMPOUND_HEADS or tail.lower() in COMPOUND_TAILS:
            return compound
        if vocabulary.has_vector(compound.lower()) and not vocabulary.has_vector(joined.lower()):
            return compound
        return joined

    return join


def _join_lines(block: str, repair: Callable[[re.Match], str]) -> str:
    return SPACES.sub(" ", HYPHENATED_BREAK.sub(repair, block)).strip()


def _is_heading(text: str) -> bool:
    # A table row (cells separated by " | ") is a passage of its own.
    return len(text.split()) <= HEADING_WORDS and not text.endswith((".", "!", "?", ":", ";")) and " | " not in text


def _blocks(page_text: str, repair: Callable[[re.Match], str]) -> list[str]:
    """A page's paragraphs, with headings carried into the paragraph they open
    and each list item carried with its lead-in, within a column or box."""
    out: list[str] = []
    heading = lead_in = ""
    lead_in_used = False
    for raw in page_text.split("\n\n") + [REGION_END]:
        if raw == REGION_END:
            # What is pending stays in its region, on its own.
            out += [t for t in (lead_in if not lead_in_used else "", heading) if t]
            heading = lead_in = ""
            lead_in_used = False
            continue
        text = _join_lines(raw, repair)
        if not text:
            continue
        if BULLET.match(text):
            item = BULLET.sub("", text, count=1)
            out.append(f"{lead_in or heading} {item}".strip())
            lead_in_used = lead_in_used or bool(lead_in)
            heading = ""
            continue
        if lead_in and not lead_in_used:
            out.append(lead_in)
        lead_in, lead_in_used = "", False
        if _is_heading(text):
            heading = f"{heading} {text}".strip()
            continue
        text = f"{heading} {text}".strip()
        heading = ""
        if text.endswith(":"):
            lead_in = text
        else:
            out.append(text)
    return out


def _pieces(text: str) -> list[str]:
    """A block cut into strings of at most MAX_CHARS characters, at the last
    sentence end, else the last space, else anywhere, before the limit."""
    pieces = []
    while len(text) > MAX_CHARS:
        window = text[:MAX_CHARS]
        cut = max(window.rfind(". "), window.rfind("! "), window.rfind("? ")) + 1 or window.rfind(" ")
        if cut < MAX_CHARS // 2:
            cut = window.rfind(" ") if window.rfind(" ") >= MAX_CHARS // 2 else MAX_CHARS
        pieces.append(text[:cut].strip())
        text = text[cut:].strip()
    return [*pieces, text] if text else pieces


def _cut_long(sentences: list[str]) -> Iterable[str]:
    """Sentences, a run-on one (text without full stops) cut every MAX_WORDS words."""
    for sentence in sentences:
        words = sentence.split()
        if len(words) <= MAX_WORDS:
            yield sentence
        else:
            yield from (" ".join(words[i:i + MAX_WORDS]) for i in range(0, len(words), MAX_WORDS))


def _chunks(sentences: list[str]) -> list[str]:
    """Group consecutive sentences into passages of at most MAX_SENTENCES
    sentences and about MAX_WORDS words."""
    chunks: list[list[str]] = [[]]
    words = 0
    for sentence in _cut_long(sentences):
        n = len(sentence.split())
        if chunks[-1] and (len(chunks[-1]) >= MAX_SENTENCES or words + n > MAX_WORDS):
            chunks.append([])
            words = 0
        chunks[-1].append(sentence)
        words += n
    return [" ".join(chunk) for chunk in chunks if chunk]
