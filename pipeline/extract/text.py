"""Normalising the characters of extracted text, the same way for every reader."""

from __future__ import annotations

import re
import unicodedata

# Ligatures, soft hyphens, odd and zero-width spaces. NFKC would do most of
# this but would also turn the French narrow no-break space into a plain
# space and "m²" into "m2".
CHARACTERS = str.maketrans(
    {
        "\ufb00": "ff", "\ufb01": "fi", "\ufb02": "fl", "\ufb03": "ffi", "\ufb04": "ffl",
        "\ufb05": "st", "\ufb06": "st", "\u2010": "-", "\u2011": "-",
        "\u00ad": None, "\u200b": None, "\u2060": None, "\ufeff": None,
        "\t": " ", "\u1680": " ", "\u205f": " ", "\u3000": " ",
        **{chr(c): " " for c in range(0x2000, 0x200B)},
    }
)
CONTROL = re.compile(r"[\x00-\x09\x0b-\x1f\x7f]")
PRIVATE_USE = re.compile(r"[\ue000-\uf8ff]")  # symbol-font glyphs, nearly always bullets


def clean_text(text: str) -> str:
    """Normalise the characters of extracted text (see CHARACTERS)."""
    text = unicodedata.normalize("NFC", text.replace("\r\n", "\n").replace("\r", "\n"))
    # A control character stands between words more often than inside one
    # (NULs of a badly converted file): a space keeps the words apart.
    return PRIVATE_USE.sub("•", CONTROL.sub(" ", text.translate(CHARACTERS)))
