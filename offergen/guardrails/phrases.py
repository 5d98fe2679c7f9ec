"""Phrase matching that survives Unicode tricks, with spans that point into the original text.

text.normalise folds digits, spaces, dashes and full-width forms one character for one. Phrase
lists also need what cannot keep the length: dropping zero-width / format characters and combining
marks, and closing up letter-spaced words ("g u a r a n t e e d"). `fold` does both and keeps an
index map, so a match in the folded text maps back to a span of the original.

Lives here, not in checks/, because every module in checks/ is imported as a check.
"""

from __future__ import annotations

import re
import unicodedata
from collections.abc import Iterable
from dataclasses import dataclass
from functools import lru_cache
from typing import Any

from offergen.guardrails.text import mask_pattern, normalise

# Latin look-alikes from Cyrillic and Greek (the Unicode confusables most used to dodge filters),
# written as escapes so the source itself holds no look-alikes. Pairs: look-alike, then its letter.
# fmt: off
_CONFUSABLES = (
    # Cyrillic
    "\u0430a" "\u0432b" "\u0435e" "\u0451e" "\u04bbh" "\u0456i" "\u0457i" "\u0458j"
    "\u043ak" "\u043cm" "\u043dh" "\u043eo" "\u0440p" "\u0441c" "\u0455s" "\u0442t"
    "\u0443y" "\u0445x" "\u0501d" "\u051bq" "\u051dw" "\u04cfl" "\u04afy" "\u0410A"
    "\u0412B" "\u0415E" "\u0401E" "\u04baH" "\u0406I" "\u0407I" "\u0408J" "\u041aK"
    "\u041cM" "\u041dH" "\u041eO" "\u0420P" "\u0421C" "\u0405S" "\u0422T" "\u0423Y"
    "\u0425X" "\u0500D" "\u051aQ" "\u051cW" "\u04c0I" "\u04aeY"
    # Greek
    "\u03b1a" "\u03b5e" "\u03b9i" "\u03bak" "\u03bdv" "\u03bfo" "\u03c1p" "\u03c4t"
    "\u03c5u" "\u03c7x" "\u03c9w" "\u0391A" "\u0392B" "\u0395E" "\u0396Z" "\u0397H"
    "\u0399I" "\u039aK" "\u039cM" "\u039dN" "\u039fO" "\u03a1P" "\u03a4T" "\u03a5Y"
    "\u03a7X"
    # Latin variants and typographic apostrophes
    "\u0261g" "\u0131i" "\u017fs" "\u2113l" "\u01c0l" "\u2019'" "\u2018'" "\u02bc'"
    "\u2032'"
)
# fmt: on
_HOMOGLYPHS = str.maketrans(_CONFUSABLES[0::2], _CONFUSABLES[1::2])

# Letters written one at a time with single separators: "g u a r a n t e e d", "f.r.e.e".
_SPACED = re.compile(r"(?<![A-Za-z])(?:[A-Za-z][ ._*-]){3,}[A-Za-z](?![A-Za-z])")
_DROP_CATEGORIES = frozenset({"Cf", "Mn", "Me"})  # zero-width / format chars, combining marks

# Between the words of a phrase: any run of spaces, hyphens, underscores (segment slugs such as
# "single_moms"), or nothing at all ("preapproved", "riskfree").
GAP = r"[\s_-]*"
# Phrase edges: not inside a longer word or number.
START = r"(?<![A-Za-z0-9])"
END = r"(?![A-Za-z0-9])"


def _fold_char(ch: str) -> str:
    """One non-ASCII character to its plain look-alike ('' = drop), after text.normalise."""
    if unicodedata.category(ch) in _DROP_CATEGORIES:
        return ""
    mapped = ch.translate(_HOMOGLYPHS)
    if mapped != ch:
        return mapped
    # Mathematical / enclosed forms and ligatures (NFKC gives ASCII letters), then accented ones.
    compat = unicodedata.normalize("NFKC", ch)
    if compat.isascii() and compat.isalnum():  # may be several letters: the "fi" ligature
        return compat
    decomposed = unicodedata.normalize("NFKD", ch)
    base, marks = decomposed[0], decomposed[1:]
    # Only a letter plus combining marks ("é"); a ligature ("ﬁ") would lose letters.
    if base.isascii() and base.isalnum() and all(_is_mark(m) for m in marks):
        return base
    return ch


def _is_mark(ch: str) -> bool:
    return unicodedata.category(ch) in _DROP_CATEGORIES


@dataclass(frozen=True)
class Folded:
    """Folded text plus, for each of its characters, the index it came from in the original."""

    text: str
    index: tuple[int, ...]

    def span(self, start: int, end: int) -> tuple[int, int]:
        """The span of the original text that folded[start:end] came from."""
        if end <= start:
            if start < len(self.index):
                return self.index[start], self.index[start]
            pos = self.index[-1] + 1 if self.index else 0
            return pos, pos
        return self.index[start], self.index[end - 1] + 1


def fold(text: str, *masks: re.Pattern[str] | None) -> Folded:
    """Fold `text` for phrase matching; what `masks` match (merge tags, the merchant's name) is
    blanked out first, so no phrase can match inside it."""
    base = normalise(text)
    for mask in masks:
        if mask is not None:
            base = mask_pattern(base, mask)
    chars: list[str] = []
    index: list[int] = []
    if base.isascii():
        chars = list(base)
        index = list(range(len(base)))
    else:
        for i, ch in enumerate(base):
            out = ch if ch.isascii() else _fold_char(ch)
            chars.append(out)
            index.extend([i] * len(out))
    folded = "".join(chars)
    if _SPACED.search(folded):
        keep = [True] * len(folded)
        for m in _SPACED.finditer(folded):
            for i in range(m.start() + 1, m.end(), 2):
                keep[i] = False
        chars = [c for c, k in zip(folded, keep, strict=True) if k]
        index = [i for i, k in zip(index, keep, strict=True) if k]
        folded = "".join(chars)
    return Folded(folded, tuple(index))


@lru_cache(maxsize=256)
def name_pattern(name: str) -> re.Pattern[str] | None:
    """The merchant's display name as a pattern (any case, any spacing); None for an empty name.

    "Free People" or "Guaranteed Rate" is a name, not a claim: checks mask it before matching.
    """
    words = normalise(name).split()
    if not words:
        return None
    return re.compile(r"\s+".join(re.escape(w) for w in words), re.IGNORECASE)


def phrase_words(phrase: str) -> list[str]:
    """A phrase's words: split on spaces, hyphens and underscores, lower-cased."""
    return [w for w in _SEPARATORS.split(phrase.strip().lower()) if w]


def phrase_key(surface: str) -> str:
    """What a phrase and every spelling of it that GAP allows have in common."""
    return "".join(phrase_words(surface))


def phrase_regex(phrase: str) -> str:
    """Regex source for one literal phrase: words joined by GAP, edges not inside a word."""
    return _trie_regex([phrase_words(phrase)])


def phrase_alternation(phrases: Iterable[str]) -> str:
    """One regex for many literal phrases; at a position the longest phrase wins."""
    return _trie_regex([phrase_words(p) for p in phrases])


_SEPARATORS = re.compile(r"[\s_-]+")
_WORD_END = "\x00"  # trie marker: a phrase ends here


def _trie_regex(phrases: list[list[str]]) -> str:
    """Phrases as a prefix tree, so the regex engine does not retry every phrase at a position.

    Between words GAP; after a phrase ending in a letter or digit, END. Alternatives are ordered
    so a longer phrase is tried first and a shorter one only if the longer one fails.
    """
    trie: dict[str, Any] = {}
    for words in phrases:
        if not words:
            continue
        node = trie
        for k, word in enumerate(words):
            for ch in word:
                node = node.setdefault(ch, {})
            if k < len(words) - 1:
                node = node.setdefault(" ", {})
        node[_WORD_END] = {}
    if not trie:
        return r"(?!)"
    # Phrases starting with a letter or digit must not start inside a word.
    return f"(?:{_node_regex(trie, '')})"


def _node_regex(node: dict[str, Any], prev: str) -> str:
    branches = []
    ends = False
    for ch, child in sorted(node.items()):
        if ch == _WORD_END:
            ends = True
            continue
        if ch == " ":
            head = GAP
        else:
            head = re.escape(ch)
            if not prev:
                head = (START if ch.isalnum() else "") + head
        branches.append(head + _node_regex(child, ch))
    if ends:
        # Tried last: the longest phrase through this node wins.
        branches.append(END if prev.isalnum() else "")
    if len(branches) == 1:
        return branches[0]
    return "(?:" + "|".join(branches) + ")"


@dataclass(frozen=True)
class Hit:
    label: str  # the entry it belongs to
    start: int  # in the folded text
    end: int


class PhraseMatcher:
    """Many labelled phrase lists and regexes in one compiled pattern: one scan per text.

    Regex entries are tried first (in order), then the literal phrases, longest first, so at any
    position the longest phrase wins whichever list it is in; matches never overlap. Benign phrases
    take part in that race but are not reported ("toll-free" hides its "free").
    Regex entries must not define groups named g0, g1, ... (used to tell the entries apart).
    """

    def __init__(
        self,
        entries: Iterable[tuple[str, Iterable[str], Iterable[str]]],
        benign: Iterable[str] = (),
        flags: int = re.IGNORECASE,
    ) -> None:
        self._regex_labels: list[str] = []
        sources: list[str] = []
        # Phrase key -> label ("" = benign); the first list wins a phrase listed twice.
        self._labels: dict[str, str] = {}
        words: list[list[str]] = []
        for label, entry_phrases, entry_patterns in [*entries, ("", benign, ())]:
            for source in entry_patterns:
                sources.append(f"(?P<g{len(sources)}>{source})")
                self._regex_labels.append(label)
            for phrase in entry_phrases:
                key = phrase_key(phrase)
                if key and key not in self._labels:
                    self._labels[key] = label
                    words.append(phrase_words(phrase))
        if words:
            sources.append(_trie_regex(words))
        self.pattern = re.compile("|".join(sources) or r"(?!)", flags)

    def hits(self, folded: str) -> list[Hit]:
        out = []
        for m in self.pattern.finditer(folded):
            if m.end() == m.start():
                continue
            if m.lastgroup is not None and m.lastgroup[1:].isdigit():
                label = self._regex_labels[int(m.lastgroup[1:])]
            else:
                label = self._labels.get(phrase_key(m.group()), "")
            if label:
                out.append(Hit(label, m.start(), m.end()))
        return out
