"""Statements of absence: "le manque de vision stratégique", "aucun objectif n'est fixé".

A passage that deplores that a lever is missing speaks of the lever without
covering it: a bag-of-words classifier scores it as high as one that says the
document pursues it. The sentences that negate or deplore are found here by
their grammar (negations, nouns of lack), not by a lever's words, so that run.py
can score the passage again without them and keep as evidence only the levers
that the rest of the passage still carries.
"""

from __future__ import annotations

import re

# Sentences, and the clauses of a list item or an opinion separated by ";".
CLAUSE_END = re.compile(r"(?<=[.!?;])\s+")
APOSTROPHE = "['’]"
DEPLORING = re.compile(
    rf"""\b(?:manque|absence|défaut|carence|insuffisance|faiblesse|lacune)s?\s+(?:d{APOSTROPHE}|de\b|du\b|des\b)
    | \bfaute\s+(?:d{APOSTROPHE}|de\b|du\b|des\b)
    | \bfai(?:t|saient|sait)\s+(?:cruellement\s+)?défaut\b
    | \bmanqu(?:e|ent|ait|aient)\s+(?:cruellement\s+|encore\s+|toujours\s+)?
        (?:d{APOSTROPHE}|de\b|une?\b|du\b|des\b|la\b|le\b|les\b)
    | \binsuffisan(?:t|te|ts|tes|ce)\b
    | \baucune?\b
    | \bnul(?:le)?\b\s+(?:part|stratégie|objectif|vision|action)
    | \bsans\s+(?:aucune?\s+|réel(?:le)?\s+|véritable\s+)?(?:stratégie|vision|objectif|concertation|coordination|
        évaluation|suivi|pilotage|gouvernance|partenariat|moyens|financement|cap|ambition|lien)
    | \bn{APOSTROPHE}(?:\w+\s+){{1,4}}?(?:pas|jamais|guère|plus|point)\b
    | \bne\s+(?:\w+{APOSTROPHE}?\s*){{1,4}}?(?:pas|jamais|guère|plus|point)\b
    | \bpas\s+(?:de|d{APOSTROPHE}|encore|assez|suffisamment)\b
    """,
    re.IGNORECASE | re.VERBOSE,
)
# What reads like a negation but is none: idioms that affirm, and a lack the text sets out to remedy.
NOT_DEPLORING = re.compile(
    rf"""\bnon\s+seulement\b | \bpas\s+seulement\b | \bne\s+\w+\s+pas\s+seulement\b
    | \bn{APOSTROPHE}est\s+plus\s+à\s+(?:démontrer|prouver)\b | \bne\s+fait\s+(?:pas|aucun)\s+(?:de\s+)?doute\b
    | \bne\s+manque(?:nt)?\s+pas\b | \bn{APOSTROPHE}hésit\w*\s+pas\b | \bne\s+cesse\w*\s+(?:pas\s+)?de\b
    | \b(?:pallier|remédier|combler|compenser|répondre|réduire|résorber|lutter\s+contre|face)\s+
        (?:à\s+|au\s+|aux\s+)?(?:l{APOSTROPHE}|le\s+|la\s+|les\s+|ce\s+|cette\s+|ces\s+)?
        (?:\w+\s+){{0,2}}?(?:manque|absence|défaut|carence|insuffisance|faiblesse|lacune)s?
    """,
    re.IGNORECASE | re.VERBOSE,
)


def deploring(sentence: str) -> bool:
    """Whether a sentence negates its statement or deplores an absence."""
    return bool(DEPLORING.search(NOT_DEPLORING.sub(" ", sentence)))


def affirmed(text: str) -> str:
    """The text without its deploring sentences ("" when all of it deplores)."""
    return " ".join(s for s in CLAUSE_END.split(text) if not deploring(s)).strip()
