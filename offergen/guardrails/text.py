"""Text helpers shared by checks: same-length normalisation and masking, so spans stay valid."""

from __future__ import annotations

import re
import unicodedata
from collections.abc import Iterable
from dataclasses import dataclass

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
    if text.isascii():
        return text  # nothing to fold; skips a per-character loop on the common case
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


@dataclass(frozen=True)
class Visible:
    """A text without its invisible format characters, and the way back to the original indices."""

    text: str
    # Index in the original of each character of `text`; None when nothing was dropped.
    positions: tuple[int, ...] | None = None

    def span(self, start: int, end: int) -> tuple[int, int]:
        """Map a span of `text` to the span of the original that covers the same characters."""
        if self.positions is None or start >= end:
            return start, end
        return self.positions[start], self.positions[end - 1] + 1


def drop_invisible(text: str) -> Visible:
    """Drop format characters (Unicode Cf: zero-width space/joiners, word joiner, BOM, soft hyphen,
    bidi marks) so they cannot split a number or a word; `Visible.span` maps spans back.
    """
    # ASCII has no Cf characters: the common case costs one scan and no copy.
    if text.isascii():
        return Visible(text)
    keep = [i for i, ch in enumerate(text) if ch.isascii() or unicodedata.category(ch) != "Cf"]
    if len(keep) == len(text):
        return Visible(text)
    return Visible("".join(text[i] for i in keep), tuple(keep))
