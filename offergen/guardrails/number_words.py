"""Numbers written as words ("twenty-four", "vierundzwanzig", "vingt-quatre", "thirty-first"):
the regex that finds them and the value they stand for, per language.

A language lists its words (data: guardrails/data/numbers.yaml); words combine by one small grammar
that covers English, German and French:
  - a ten takes a following unit ("twenty-four", "vingt-quatre", "vingt et un");
  - tens listed in `teens_after` also take a teen ("soixante-dix", "quatre-vingt-douze");
  - a unit-first joiner puts the unit before the ten ("vier|und|zwanzig");
  - 100 and 1000 multiply what comes before them ("two hundred", "zweitausend", "deux cents");
  - an ordinal word may only come last ("thirty-first", "einunddreißigste", "trente et unième").
A run of words the grammar does not accept ("five and ten") has no value: the caller looks again
from the next word.
"""

from __future__ import annotations

import re
from collections.abc import Iterable, Mapping, Sequence
from dataclasses import dataclass
from typing import Any, Literal

from pydantic import BaseModel, ConfigDict, Field, model_validator

_MULTIPLIERS = (100, 1000)
# Between two words of one number: a space or hyphen, or nothing in German compounds.
_SEPARATOR = "[ -]"

JoinerKind = Literal["", "plain", "unit_first"]


class NumberWordsData(BaseModel):
    """One language's number words (a `words:` block of the data file)."""

    model_config = ConfigDict(extra="forbid")

    cardinals: dict[str, int] = Field(min_length=1)
    # Ordinal stems; each takes every ending in `ordinal_endings` ("erst" + "en" = "ersten").
    ordinals: dict[str, int] = Field(default_factory=dict)
    ordinal_endings: list[str] = Field(default_factory=lambda: [""])
    joiners: list[str] = Field(default_factory=list)
    unit_first_joiners: list[str] = Field(default_factory=list)
    teens_after: list[int] = Field(default_factory=list)

    @model_validator(mode="after")
    def _values(self) -> NumberWordsData:
        bad = [w for w, v in self.cardinals.items() if not (0 <= v < 100 or v in _MULTIPLIERS)]
        bad += [w for w, v in self.ordinals.items() if not 0 < v < 100]
        if bad:
            raise ValueError(f"values must be 0-99, 100 or 1000 (ordinals 1-99): {', '.join(bad)}")
        words = [*self.cardinals, *self.ordinals, *self.joiners, *self.unit_first_joiners]
        spaced = [w for w in words if not w or re.search(r"\s", w)]
        if spaced:
            raise ValueError(f"each word is one word, without spaces: {spaced}")
        return self


@dataclass(frozen=True)
class _Token:
    value: int = 0
    ordinal: bool = False
    joiner: JoinerKind = ""


class _Language:
    """One language's tokens, its regexes and its reading of a run of words."""

    def __init__(self, data: NumberWordsData) -> None:
        self.teens_after = frozenset(data.teens_after)
        cardinals = {w.lower(): _Token(v) for w, v in data.cardinals.items()}
        ordinals = {
            (stem + ending).lower(): _Token(v, ordinal=True)
            for stem, v in data.ordinals.items()
            for ending in data.ordinal_endings
        }
        joiners = {w.lower(): _Token(joiner="plain") for w in data.joiners}
        joiners |= {w.lower(): _Token(joiner="unit_first") for w in data.unit_first_joiners}
        self.tokens = cardinals | ordinals | joiners
        # Atomic token choice and possessive repetition: a run is read one way only, so a long
        # run of words cannot make the regex backtrack exponentially.
        card = f"(?>{_trie(cardinals)})"
        join = f"(?>{_trie(joiners)})" if joiners else None
        step = f"{_SEPARATOR}?+(?:{join}{_SEPARATOR}?+)?+" if join else f"{_SEPARATOR}?+"
        self.cardinal = f"{card}(?:{step}{card})*+"
        if ordinals:
            # Before the ordinal, each cardinal is followed by a separator or a joiner, so the
            # cardinal "acht" does not swallow the start of the ordinal "achte".
            after = f"(?:{_SEPARATOR}?+{join}{_SEPARATOR}?+|{_SEPARATOR})" if join else _SEPARATOR
            self.ordinal: str | None = f"(?:{card}{after})*+(?>{_trie(ordinals)})"
        else:
            self.ordinal = None
        self._scan = re.compile(f"{_SEPARATOR}*({_trie(self.tokens)})", re.IGNORECASE)

    def value(self, text: str, ordinal: bool) -> int | None:
        tokens: list[_Token] = []
        pos = 0
        while pos < len(text):
            m = self._scan.match(text, pos)
            if m is None:
                return None
            tokens.append(self.tokens[m.group(1).lower()])
            pos = m.end()
        return _combine(tokens, ordinal, self.teens_after)


class NumberWords:
    """Number words of several languages: regexes to find them, and their values."""

    def __init__(self, languages: Mapping[str, NumberWordsData]) -> None:
        self._languages = {name: _Language(data) for name, data in languages.items()}

    def pattern(self, languages: Iterable[str] | None = None, *, ordinal: bool = False) -> str:
        """A regex (no groups) for one number in words in any of `languages` (default: all).

        Each language is its own alternative, so one number never mixes languages ("six cents"
        is French 600, not English 6 and French "cents").
        """
        names = list(self._languages) if languages is None else list(languages)
        parts = []
        for name in names:
            lang = self._languages[name]
            source = lang.ordinal if ordinal else lang.cardinal
            if source is not None:
                parts.append(f"(?>{source})")
        if not parts:
            return "(?!)"
        return rf"(?i:\b(?:{'|'.join(parts)})\b)"

    def value(self, text: str, *, ordinal: bool = False) -> int | None:
        """The value of `text` read as one number in words, or None if no language reads it."""
        for lang in self._languages.values():
            value = lang.value(text, ordinal)
            if value is not None:
                return value
        return None


def _combine(tokens: Sequence[_Token], ordinal: bool, teens_after: frozenset[int]) -> int | None:
    """The value of a run of tokens, or None if the grammar (module docstring) rejects it."""
    total = group = small = 0  # thousands, hundreds, and the part below 100 being built
    last: _Token | None = None  # the previous number token since the last multiplier
    joiner: JoinerKind = ""
    seen = False
    for i, tok in enumerate(tokens):
        if tok.joiner:
            if not seen or joiner:
                return None
            joiner = tok.joiner
            continue
        if tok.ordinal != (ordinal and i == len(tokens) - 1):
            return None
        v = tok.value
        if v in _MULTIPLIERS:
            if joiner or (v == 100 and (group or small >= 100)) or (v == 1000 and total):
                return None
            if v == 100:
                group, small = (small or 1) * 100, 0
            else:
                total, group, small = ((group + small) or 1) * 1000, 0, 0
            last = None
        elif last is None:
            if joiner == "unit_first":
                return None
            small = v
            last = tok
        else:
            p = last.value
            if joiner == "unit_first":
                ok = 0 < p < 10 and small == p and v % 10 == 0 and 20 <= v < 100
            else:
                ok = p >= 10 and p % 10 == 0 and v > 0 and (v < 10 or (v < 20 and p in teens_after))
            if not ok:
                return None
            small += v
            last = tok
        joiner = ""
        seen = True
    if not seen or joiner:
        return None
    return total + group + small


def _trie(words: Iterable[str]) -> str:
    """A regex for any of `words` (lower case), branching on one character at a time.

    The regex engine tries the branches of a flat alternation one by one at every word start;
    here the first character already rules out all but one branch. Longer words win: each
    optional tail is greedy.
    """
    root: dict[str, dict[str, Any]] = {}
    for word in words:
        node = root
        for ch in word:
            node = node.setdefault(ch, {})
        node[""] = {}
    return _emit(root)


def _emit(node: dict[str, dict[str, Any]]) -> str:
    tails = [re.escape(ch) + _emit(child) for ch, child in sorted(node.items()) if ch]
    if not tails:
        return ""
    body = tails[0] if len(tails) == 1 else f"(?:{'|'.join(tails)})"
    if "" in node:  # a word ends here; a longer one may go on
        return f"(?:{body})?"
    return body
