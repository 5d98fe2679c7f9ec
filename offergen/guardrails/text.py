"""Text helpers shared by checks: same-length normalisation and masking, so spans stay valid."""

from __future__ import annotations

import re
import unicodedata
from collections.abc import Iterable

# Masked characters become NUL: not a digit, letter or space, so no pattern can match across them.
MASK_CHAR = "\x00"

_FULLWIDTH = range(0xFF01, 0xFF5F)


def _fold(ch: str) -> str:
    if ch.isascii():
        return ch
    category = unicodedata.category(ch)
    if category == "Nd":
        return str(unicodedata.decimal(ch))
    if category == "Zs":
        return " "
    if category == "Pd":
        return "-"
    if ord(ch) in _FULLWIDTH:
        return unicodedata.normalize("NFKC", ch)
    return ch


def normalise(text: str) -> str:
    """Fold any decimal digit to ASCII, spaces to ' ', dashes to '-', full-width forms to ASCII.

    One character in, one character out, so an index into the result is an index into `text`.
    """
    return "".join(_fold(ch) for ch in text)


def mask_spans(text: str, spans: Iterable[tuple[int, int]]) -> str:
    """Replace each span with MASK_CHAR, keeping the length."""
    chars = list(text)
    for start, end in spans:
        chars[start:end] = MASK_CHAR * (end - start)
    return "".join(chars)


def mask_pattern(text: str, pattern: re.Pattern[str]) -> str:
    """Mask every match of `pattern` (e.g. merge tags like {{first_name}})."""
    return mask_spans(text, (m.span() for m in pattern.finditer(text)))
