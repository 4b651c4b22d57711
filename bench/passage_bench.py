"""Are passages whole, and are the report's quotes evidence? Measured on output folders.

    leviers analyse ../shared/pdfs -o /tmp/out && python bench/passage_bench.py /tmp/out [...]

For each folder (passages.csv and report.html of an analysis), prints:
- passages that start in lower case, and that end within a sentence (no closing
  punctuation), over all passages and, when passages.csv has a `kind`, over the
  evidence passages;
- quotes of report.html that are not evidence, found by rules of their own (so that
  an analysis made before passages had kinds can be measured the same way): a
  heading (twelve words or fewer, no closing punctuation), a line of a table of
  contents (dot leaders, or mostly numbers), a glossary row ("ANCT | Agence …"),
  a text written on several pages of its document; and quotes cut within a sentence
  without a "…" to say so.
"""

from __future__ import annotations

import html
import re
import sys
from collections import Counter
from pathlib import Path

import pandas as pd

CLOSING = (".", "!", "?", ":", ";", "…", "»", ")", '"', "”")
QUOTE = re.compile(r'<blockquote lang="fr"><p>(.*?)</p><footer>page (\d+)', re.S)
TAG = re.compile(r"<[^>]+>")  # the marks of the cues' words


def key(text: str) -> str:
    return " ".join(re.findall(r"\w+", re.sub(r"\d+", "", text.lower())))


def lower_start(text: str) -> bool:
    letter = re.search(r"[^\W\d_]", text)
    return bool(letter) and text.lstrip()[:1].isalpha() and letter.group().islower()


def fragment(text: str) -> bool:
    """Starts in lower case with a word, not with "a)", "b." or a web or mail address."""
    first = text.split()[0] if text.split() else ""
    return lower_start(text) and not re.match(r"^[a-z][.)]$|.*[.@]\w", first)


def audit(text: str, repeated: set[str]) -> str | None:
    bare = text.strip().strip("…").strip()
    tokens = bare.replace("|", " ").split()
    cells = [c.strip() for c in bare.split(" | ")]
    if re.search(r"(?:\.\s?){4,}|…{2,}", bare) or (tokens and sum(bool(re.match(r"^\d+$", t)) for t in tokens)
                                                    >= len(tokens) / 2):
        return "toc"
    if (len(cells) == 2 and len(cells[0].split()) == 1) or re.match(r"^[A-Z]{2,10}\s*[:–-]\s+[A-ZÉ]", bare):
        return "glossary"
    sentences = [part for part in re.split(r"(?<=[?!.])\s+", bare) if len(part.split()) >= 3]
    if key(bare) in repeated or (sentences and all(key(part) in repeated for part in sentences)):
        return "repeated"
    if any(key(part) in repeated for part in sentences):
        return "one sentence of several repeated"
    if len(tokens) <= 12 and not bare.endswith(CLOSING) and len(cells) == 1:
        return "heading"
    if not text.rstrip().endswith(CLOSING) or lower_start(text):
        return "cut, unmarked"
    return None


def measure(folder: Path) -> None:
    passages = pd.read_csv(folder / "passages.csv", keep_default_na=False)
    texts = passages["text"].astype(str)
    starts, ends = texts.map(lower_start), ~texts.str.rstrip().str.endswith(CLOSING)
    fragments = texts.map(fragment)
    print(f"\n{folder}: {len(passages)} passages")
    print(f"  start in lower case: {starts.sum()} ({starts.mean():.1%}), of which with a word (not "
          f"'a)', 'b.', an address): {fragments.sum()} ({fragments.mean():.1%}); end within a sentence: "
          f"{ends.sum()} ({ends.mean():.1%})")
    if "kind" in passages:
        evidence = passages["kind"].isin(["paragraph", "list_item", "table_row"])
        print(f"  evidence passages: {evidence.sum()}; start in lower case {starts[evidence].sum()} "
              f"({starts[evidence].mean():.1%}), end within a sentence {ends[evidence].sum()} "
              f"({ends[evidence].mean():.1%})")
        print("  kinds: " + ", ".join(f"{k} {n}" for k, n in passages["kind"].value_counts().items()))
    repeated: dict[str, set[str]] = {}
    for document, mine in passages.groupby("document"):
        pages: dict[str, set[int]] = {}
        for text, page in zip(mine["text"], mine["page"]):
            for part in [text, *re.split(r"(?<=[?!.])\s+", text)]:
                pages.setdefault(key(part), set()).add(page)
        repeated[str(document)] = {k for k, p in pages.items() if len(p) > 1 and k}
    page = (folder / "report.html").read_text("utf-8")
    found: Counter[str] = Counter()
    total = 0
    for section in page.split('<section class="document"')[1:]:
        name = html.unescape(re.search(r"<h2>(.*?)</h2>", section).group(1))
        for text, _ in QUOTE.findall(section):
            total += 1
            problem = audit(html.unescape(TAG.sub("", text)), repeated.get(name, set()))
            if problem:
                found[problem] += 1
    print(f"  quotes in report.html: {total}; not evidence or cut unmarked: "
          + (", ".join(f"{k} {n}" for k, n in found.most_common()) or "none"))


if __name__ == "__main__":
    for argument in sys.argv[1:]:
        measure(Path(argument))
