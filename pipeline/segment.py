"""Segment stage: pages → passages of about one to six sentences.

A passage is the unit of the annotation guide: a paragraph, a list item with
its lead-in, or a table row. Each keeps its document and page, and its kind:
a paragraph cut by a column or page break is joined again when its text runs
on, and what only names a subject (a heading alone, a template's question, a
caption, a table of contents, a glossary row, a text repeated on several
pages) is kept but marked, so that it is neither evidence nor a quote.
"""

from __future__ import annotations

import re
from collections import Counter
from collections.abc import Callable, Iterable
from dataclasses import dataclass
from typing import TYPE_CHECKING

from .types import BULLET, EVIDENCE_KINDS, REGION_END, Page, Passage

if TYPE_CHECKING:
    from spacy.language import Language

MAX_SENTENCES = 6
MAX_WORDS = 200
MIN_WORDS = 3
HEADING_WORDS = 12
REPEATED_LINE_WORDS = 4
# spaCy is given at most this many characters at once: a block longer than
# that (a text file on one line) is cut between sentences or words, so that a
# 5 MB line is never one Doc, nor a batch of BATCH of them.
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
# A text that ends on one of these ends a sentence, a lead-in or a list item;
# otherwise it runs on into the next block that starts in lower case.
CLOSING = (".", "!", "?", ":", ";", "…", "»", ")", '"', "”")
NUMBERED = re.compile(r"^\s*\d{1,2}[.)]\s+")
# The kinds of block a block that starts in lower case may continue.
RUNS_ON = ("paragraph", "list_item", "heading", "table_row")
# Tables of contents: dot leaders, or lines that end on a page number.
LEADERS = re.compile(r"(?:\.\s?){4,}|…{2,}|_{4,}")
ENDS_ON_NUMBER = re.compile(r"\s\d{1,3}$")
NUMBER = re.compile(r"^\d+(?:[.,]\d+)?%?$")
CAPTION = re.compile(r"^(?:figure|fig\.|tableau|graphique|carte|illustration|photo|sch[ée]ma|source)s?\b\s*(?:n°\s*)?"
                     r"(?:\d+|[:–-])", re.IGNORECASE)
# "ANCT : Agence nationale de la cohésion des territoires": an acronym and its expansion.
ACRONYM_LINE = re.compile(r"^[A-Z][A-Z0-9&]{1,9}s?\s*[:–=-]\s+[A-ZÉ]")
COMPOUND_TAILS = {
    "être", "même", "mêmes", "ci", "là", "t", "il", "ils", "elle", "elles", "on", "nous", "vous",
    "moi", "toi", "lui", "leur", "eux", "y", "en", "dessus", "dessous", "delà",
}


@dataclass
class Block:
    """A paragraph of a page as segment reads it, before it is cut into sentences."""

    page: int
    text: str
    kind: str
    lead: str = ""  # a list item's lead-in, for an item of the same list on the next page


def segment(pages: Iterable[Page], document: str, nlp: Language) -> list[Passage]:
    """Cut a document's pages into passages, in reading order."""
    pages = list(pages)
    repair = _hyphenation(pages, nlp)
    repeated = _repeated(pages, repair)
    whole = _run_on([block for page in pages for block in _blocks(page, repair, repeated)])
    blocks = [(block, piece) for block in whole for piece in _pieces(block.text)]
    docs = nlp.pipe((piece for _, piece in blocks), batch_size=BATCH)
    chunks = [(block, chunk) for (block, _), doc in zip(blocks, docs)
              for chunk in _chunks([s.text.strip() for s in doc.sents])
              if len(WORD.findall(" ".join(chunk))) >= MIN_WORDS]
    # A passage whose every sentence the document also writes on another page (a box
    # repeated through a guide, an annex that copies the body) is repeated text too.
    pages_of: dict[str, set[int]] = {}
    for block, chunk in chunks:
        for sentence in chunk:
            pages_of.setdefault(_key(sentence), set()).add(block.page)
    passages: list[Passage] = []
    for block, chunk in chunks:
        elsewhere = all(len(pages_of[_key(sentence)]) > 1 for sentence in chunk)
        kind = "repeated" if elsewhere and block.kind in EVIDENCE_KINDS else block.kind
        passages.append(Passage(document, block.page, len(passages), " ".join(chunk), kind))
    return passages


def _key(text: str) -> str:
    # Numbers left out, so that "Fiche 2 – Quel est notre objectif ?" matches "Fiche 3 – …".
    return " ".join(WORD.findall(re.sub(r"\d+", "", text.lower())))


def _repeated(pages: list[Page], repair: Callable[[re.Match], str]) -> set[str]:
    """The blocks, and the lines that are short questions, written on more than one
    page: a template's questions, running titles."""
    pages_of: dict[str, set[int]] = {}
    for page in pages:
        for raw in page.text.split("\n\n"):
            keys = {_key(_join_lines(raw, repair))}
            keys |= {_key(line) for line in raw.split("\n") if _question(line)}
            for key in keys - {""}:
                pages_of.setdefault(key, set()).add(page.number)
    return {key for key, seen in pages_of.items() if len(seen) > 1}


def _question(line: str) -> bool:
    return line.rstrip().endswith("?") and REPEATED_LINE_WORDS <= len(line.split()) <= HEADING_WORDS


def _set_apart(raw: str, repeated: set[str]) -> list[str]:
    """A block's lines, with the questions written on other pages too (a template's
    question the PDF drew close to a paragraph) as blocks of their own."""
    parts: list[list[str]] = [[]]
    for line in raw.split("\n"):
        if _question(line) and _key(line) in repeated:
            parts += [[line], []]
        else:
            parts[-1].append(line)
    return ["\n".join(part) for part in parts if part]


def _glossary(text: str) -> bool:
    # "ANCT | Agence nationale de la cohésion des territoires", "CRTE : Contrat de relance …"
    cells = [cell.strip() for cell in text.split(" | ")]
    if len(cells) == 2:
        return len(cells[0].split()) == 1 and bool(LETTERS.search(cells[0]))
    return bool(ACRONYM_LINE.match(text)) and len(text.split()) <= HEADING_WORDS + 4


def _kind(raw: str, text: str) -> str | None:
    """What a block is when it cannot be evidence, from its lines (`raw`) and its text."""
    lines = [line.strip() for line in raw.split("\n") if line.strip()]
    tokens = text.replace("|", " ").split()
    if LEADERS.search(text) or (len(lines) > 1 and sum(bool(ENDS_ON_NUMBER.search(l)) for l in lines) > len(lines) / 2):
        return "toc"
    if tokens and sum(bool(NUMBER.match(t)) for t in tokens) >= max(2, len(tokens) / 2):
        return "toc"  # a run of page numbers, or a row of figures without a word to say what they are
    entries = sum(_glossary(line) for line in lines)  # a glossary's title line is not one
    if (" | " in text and _glossary(text)) or (entries and entries >= len(lines) - 1 and entries > len(lines) / 2):
        return "glossary"
    if CAPTION.match(text) and len(tokens) <= 3 * HEADING_WORDS:
        return "caption"
    if text.endswith("?") and len(tokens) <= HEADING_WORDS:
        return "heading"  # a template's question
    return None


def _run_on(blocks: list[Block]) -> list[Block]:
    """Join a block to the one it continues across a column or page break: it starts
    in lower case, and the previous text block does not close its sentence (the two
    are one paragraph), or is a list item closed by ";" or "," (it is the next item
    of the same list, whose lead-in it takes). Blocks repeated on several pages
    (running titles) between them are passed over."""
    out: list[Block] = []
    for block in blocks:
        previous = next((b for b in reversed(out) if b.kind != "repeated"), None)
        if (previous is not None and block.text[:1].islower() and block.kind in ("paragraph", "list_item", "heading")
                and previous.kind in RUNS_ON):
            if not previous.text.endswith(CLOSING):
                previous.text = f"{previous.text} {block.text}"
                previous.kind = "paragraph" if previous.kind == "heading" else previous.kind
                continue
            if previous.kind == "list_item" and previous.lead and previous.text.endswith((";", ",")):
                block = Block(block.page, f"{previous.lead} {block.text}", "list_item", previous.lead)
        out.append(block)
    return out


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


def _blocks(page: Page, repair: Callable[[re.Match], str], repeated: set[str]) -> list[Block]:
    """A page's paragraphs and their kinds, with headings carried into the paragraph
    they open and each list item carried with its lead-in (a paragraph, or an item of
    the list above, that ends with ":"), within a column or box."""
    out: list[Block] = []
    heading = lead_in = sub_lead = ""
    lead_in_used = sub_used = False

    def add(text: str, kind: str, lead: str = "") -> None:
        out.append(Block(page.number, text, kind, lead))

    def flush() -> None:
        # What is pending stays where it is, on its own.
        nonlocal heading, lead_in, lead_in_used, sub_lead, sub_used
        if sub_lead and not sub_used:
            add(sub_lead, "list_item")
        if lead_in and not lead_in_used:
            add(lead_in, "paragraph")
        if heading:
            add(heading, "heading")
        heading = lead_in = sub_lead = ""
        lead_in_used = sub_used = False

    for raw in [part for block in page.text.split("\n\n") for part in _set_apart(block, repeated)] + [REGION_END]:
        if raw == REGION_END:
            flush()
            continue
        text = _join_lines(raw, repair)
        if not text:
            continue
        # A lead-in repeated on several pages ("La commune s'engage à :") still opens its list.
        other = "repeated" if _key(text) in repeated and not text.endswith(":") else _kind(raw, text)
        if other:
            flush()
            add(BULLET.sub("", text, count=1), other)  # a title's "b)" says nothing
            continue
        if (text[:1].islower() and not heading and out and out[-1].kind in RUNS_ON
                and not out[-1].text.endswith(CLOSING)):
            out[-1].text = f"{out[-1].text} {text}"  # the next line of a paragraph drawn with wide spacing
            continue
        # After a lead-in, an item whose bullet the PDF drew as a picture still starts in lower case.
        # A short numbered line outside a list is a section's title: "2. Notre stratégie".
        numbered_title = bool(NUMBERED.match(text)) and not lead_in and _is_heading(text)
        if (BULLET.match(text) and not numbered_title) or (lead_in and text[:1].islower()):
            item = BULLET.sub("", text, count=1).lstrip("| ")
            # An item of a sub-list: the first after its lead-in, or one in lower case.
            if sub_lead and (item[:1].islower() or not sub_used):
                add(f"{sub_lead} {item}", "list_item", sub_lead)
                sub_used = True
                continue
            if sub_lead and not sub_used:
                add(sub_lead, "list_item")
            lead = lead_in or heading
            sub_lead, sub_used = ("", False) if not item.endswith(":") else (f"{lead} {item}".strip(), False)
            if not sub_lead:
                add(f"{lead} {item}".strip(), "list_item", lead)
            lead_in_used = lead_in_used or bool(lead_in)
            heading = ""
            continue
        if sub_lead and not sub_used:
            add(sub_lead, "list_item")
        sub_lead, sub_used = "", False
        if lead_in and not lead_in_used:
            add(lead_in, "paragraph")
        lead_in, lead_in_used = "", False
        if _is_heading(text):
            heading = f"{heading} {text}".strip()
            continue
        text = f"{heading} {text}".strip()
        heading = ""
        if text.endswith(":"):
            lead_in = text
        else:
            add(text, "table_row" if " | " in text else "paragraph")
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


def _chunks(sentences: list[str]) -> list[list[str]]:
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
    return [chunk for chunk in chunks if chunk]
