"""Segment stage: pages → passages of about one to six sentences.

A passage is the unit of the annotation guide: a paragraph, a list item with
its lead-in, or a table row. Each keeps its document and page.
"""

from __future__ import annotations

import re
from collections.abc import Iterable
from dataclasses import dataclass
from typing import TYPE_CHECKING

from .extract import BULLET, Page
from .nlp import without

if TYPE_CHECKING:
    from spacy.language import Language

MAX_SENTENCES = 6
MAX_WORDS = 200
MIN_WORDS = 3
HEADING_WORDS = 12

HYPHENATED_BREAK = re.compile(r"(\w)-\n(?=[a-zàâçéèêëîïôûùüÿœæ])")
WORD = re.compile(r"\w+")


@dataclass(frozen=True)
class Passage:
    document: str
    page: int
    index: int  # 0-based position in the document
    text: str


def segment(pages: Iterable[Page], document: str, nlp: Language) -> list[Passage]:
    """Cut a document's pages into passages, in reading order."""
    blocks = [(page.number, block) for page in pages for block in _blocks(page.text)]
    docs = nlp.pipe((text for _, text in blocks), disable=without(nlp, "senter"))
    passages: list[Passage] = []
    for (page, _), doc in zip(blocks, docs):
        for text in _chunks([s.text.strip() for s in doc.sents]):
            if len(WORD.findall(text)) >= MIN_WORDS:
                passages.append(Passage(document, page, len(passages), text))
    return passages


def _join_lines(block: str) -> str:
    block = HYPHENATED_BREAK.sub(r"\1", block)
    return re.sub(r"\s+", " ", block).strip()


def _is_heading(text: str) -> bool:
    return len(text.split()) <= HEADING_WORDS and not text.endswith((".", "!", "?", ":", ";"))


def _blocks(page_text: str) -> list[str]:
    """A page's paragraphs, with headings carried into the paragraph they open
    and each list item carried with its lead-in."""
    out: list[str] = []
    heading = lead_in = ""
    lead_in_used = False
    for raw in page_text.split("\n\n"):
        text = _join_lines(raw)
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
    if lead_in and not lead_in_used:
        out.append(lead_in)
    if heading:
        out.append(heading)
    return out


def _chunks(sentences: list[str]) -> list[str]:
    """Group consecutive sentences into passages of at most MAX_SENTENCES
    sentences and about MAX_WORDS words."""
    chunks: list[list[str]] = [[]]
    words = 0
    for sentence in sentences:
        n = len(sentence.split())
        if chunks[-1] and (len(chunks[-1]) >= MAX_SENTENCES or words + n > MAX_WORDS):
            chunks.append([])
            words = 0
        chunks[-1].append(sentence)
        words += n
    return [" ".join(chunk) for chunk in chunks if chunk]
