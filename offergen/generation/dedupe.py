"""Near-duplicate variants: two texts that differ only in punctuation, case, a merge tag or a word
or two are one variant to a marketer, not two."""

from __future__ import annotations

import re

__all__ = ["NearDuplicates"]

_TAG = re.compile(r"\{\{\s*\w+\s*\}\}")
_WORD = re.compile(r"[a-z0-9$%€£.]+")


def _tokens(text: str) -> frozenset[str]:
    words = _WORD.findall(_TAG.sub(" ", text.lower()))
    return frozenset(w.strip(".") for w in words if w.strip("."))


class NearDuplicates:
    """Remembers kept texts; `seen(text)` is True when the text is too close to one of them
    (Jaccard similarity of word sets at or above `threshold`)."""

    def __init__(self, threshold: float = 0.85) -> None:
        self.threshold = threshold
        self._kept: list[frozenset[str]] = []

    def seen(self, text: str) -> bool:
        words = _tokens(text)
        for other in self._kept:
            union = words | other
            if not union or len(words & other) / len(union) >= self.threshold:
                return True
        self._kept.append(words)
        return False
