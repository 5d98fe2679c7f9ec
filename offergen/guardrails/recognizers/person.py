"""Person names: capitalised word runs, a first/last-name dictionary, and the words around them.

No NER model runs here. A run of capitalised words is cut into name parts at words that are
never names (common English words, the knowledge base's own vocabulary, brands, the merchant);
each part is scored by the dictionary (a listed first name then a listed last name scores high,
an unlisted capitalised word low) and by its context: an honorific, a greeting, a job title
before it, a reporting verb after it, or another name beside it ("Kleist and Arnold").
The dictionary is data built offline from names-dataset (guardrails/data/names/README.md).
"""

from __future__ import annotations

import functools
import re
import unicodedata
from collections.abc import Iterator
from dataclasses import dataclass
from pathlib import Path
from typing import Any, ClassVar

from pydantic import Field

from offergen.guardrails.recognizers.base import (
    Recognition,
    RecognizerOptions,
    Scan,
    read_list,
    word_set,
    words,
)


class PersonScores(RecognizerOptions):
    """Base scores of a name part, before context."""

    first_last: float  # listed first name, then listed last name(s)
    listed: float  # every word listed, in another order
    listed_and_unknown: float  # at least one listed word, the others unlisted
    ambiguous_only: float  # listed words that are also common words ("Grace", "Will")
    unknown: float  # capitalised words found in no list
    single_listed: float
    single_unknown: float
    single_ambiguous: float


class PersonBoosts(RecognizerOptions):
    honorific: float
    greeting: float
    title: float
    cue: float
    possessive: float  # "Wendy's daughter"
    speaker: float  # "Sandy: ..." at a line start (a dialogue)
    verb: float
    name_list: float
    # Negative: a place preposition before a lone word ("in Paris"), an organisation word after.
    place: float
    organisation: float
    # Negative: one of several listed words is also a common word ("Grace Kelly" vs "Jane Doe").
    ambiguous_part: float


class PersonOptions(RecognizerOptions):
    # One capitalised name word (regex); an initial ("Q.") and `particles` may sit between two.
    name_word: str
    particles: list[str] = Field(default_factory=list)
    # Word lists (files relative to the data file's folder, one entry a line).
    first_names_file: str
    last_names_file: str
    common_words_files: list[str] = Field(default_factory=list)
    # Words that are never a name, even when a name list has them (the knowledge base's own
    # vocabulary, offer words): files, and the lists below.
    never_name_files: list[str] = Field(default_factory=list)
    common_words: list[str] = Field(default_factory=list)
    months_and_days: list[str] = Field(default_factory=list)
    eu_function_words: list[str] = Field(default_factory=list)
    nationalities: list[str] = Field(default_factory=list)
    brands: list[str] = Field(default_factory=list)
    greetings: list[str] = Field(default_factory=list)
    honorifics: list[str] = Field(default_factory=list)
    # Honorifics that are also other words ("Ocean Dr", "Don't Miss Out"): only at a clause
    # start or after a greeting.
    honorifics_need_context: list[str] = Field(default_factory=list)
    titles: list[str] = Field(default_factory=list)
    # Phrases (1-3 words) right before a name: "says", "call me", "friends like", "ship to".
    cues: list[str] = Field(default_factory=list)
    verbs: list[str] = Field(default_factory=list)
    joiners: list[str] = Field(default_factory=list)
    place_prepositions: list[str] = Field(default_factory=list)
    organisation_words: list[str] = Field(default_factory=list)
    max_words: int = Field(default=4, ge=1)
    scores: PersonScores
    boosts: PersonBoosts


_ADJACENT = re.compile(r"[^\W\d_][ \t:,\"'“\u2018]*$")


@dataclass(frozen=True)
class _Token:
    start: int
    end: int
    key: str  # lower case
    after_initial: bool = False  # "Jane Q. Public": a word after an initial is a surname


def _fold(word: str) -> str:
    """Lower case without accents: "José" and "Jose" meet in the lists."""
    decomposed = unicodedata.normalize("NFKD", word.lower())
    return "".join(ch for ch in decomposed if not unicodedata.combining(ch))


@functools.cache
def _lexicon(path: Path) -> frozenset[str]:
    entries = read_list(path.parent, path.name)
    return frozenset(e.lower() for e in entries) | frozenset(_fold(e) for e in entries)


class PersonRecognizer:
    name: ClassVar[str] = "person_name"
    Options: ClassVar[type[RecognizerOptions]] = PersonOptions

    def __init__(self, options: Any, data_dir: Path) -> None:
        o: PersonOptions = options
        self.o = o
        self._word = re.compile(o.name_word)
        particles = "|".join(re.escape(p) for p in sorted(o.particles, key=len, reverse=True))
        # What may separate two words of one name: spaces, an initial, particles.
        self._gap = re.compile(
            r"[ \t]+(?:[A-Z]\.?[ \t]+)?" + (rf"(?:(?:{particles})[ \t]+)*" if particles else "")
        )
        self._initial = re.compile(r"[A-Z]\.?[ \t]")
        self._first = _lexicon((data_dir / o.first_names_file).resolve())
        self._last = _lexicon((data_dir / o.last_names_file).resolve())
        never = set(
            word_set([*o.common_words, *o.months_and_days, *o.eu_function_words, *o.nationalities])
        )
        for name in o.never_name_files:
            never |= _lexicon((data_dir / name).resolve())
        self._never = frozenset(never)
        common: set[str] = set()
        for name in o.common_words_files:
            common |= _lexicon((data_dir / name).resolve())
        self._common = frozenset(common)
        self._brands = word_set(o.brands)
        self._brand_words = frozenset(w for b in self._brands for w in b.split())
        self._greetings = word_set(o.greetings)
        self._greeting_words = frozenset(w for g in self._greetings for w in g.split())
        self._honorifics = word_set(o.honorifics)
        self._need_context = word_set(o.honorifics_need_context)
        self._titles = word_set(o.titles)
        self._verbs = word_set(o.verbs)
        joiners = "|".join(re.escape(j) for j in o.joiners)
        self._joiner_gap = re.compile(
            rf"[ \t]*(?:,|&)[ \t]*|(?:[ \t]*,)?[ \t]+(?:{joiners})[ \t]+"
            if joiners
            else r"[ \t]*,[ \t]*"
        )
        self._places = word_set(o.place_prepositions)
        self._organisations = word_set(o.organisation_words)
        self._cues = word_set(o.cues)
        self._stops = self._greeting_words | self._honorifics | self._titles | self._organisations

    # -- tokens and runs -------------------------------------------------------------------

    def _runs(self, text: str) -> Iterator[list[_Token]]:
        """Runs of capitalised words that may be one name (spaces, initials, particles between;
        a full stop only after an honorific: "Mrs. Garcia")."""
        run: list[_Token] = []
        for m in self._word.finditer(text):
            token = _Token(m.start(), m.end(), m.group().lower())
            if run:
                prev = run[-1]
                gap = self._gap.fullmatch(text, prev.end, token.start)
                if (
                    gap is None
                    and prev.key in self._honorifics
                    and text[prev.end : prev.end + 1] == "."
                ):
                    gap = self._gap.fullmatch(text, prev.end + 1, token.start)
                if gap is None:
                    yield run
                    run = []
                elif self._initial.search(gap.group()):
                    token = _Token(token.start, token.end, token.key, after_initial=True)
            run.append(token)
        if run:
            yield run

    def _kind(self, token: _Token) -> str:
        """'name' (listed, not a common word), 'ambiguous' (listed and common), 'common',
        'unknown', or 'stop' (a greeting, honorific or title: context, never a name)."""
        key = token.key
        if key in self._stops:
            return "stop"
        if key in self._never:
            return "common"
        listed = self._listed(key) or (
            "-" in key and all(self._listed(p) for p in key.split("-"))  # Smith-Jones
        )
        if token.after_initial:
            return "name"
        common = key in self._common
        if listed:
            return "ambiguous" if common else "name"
        return "common" if common else "unknown"

    def _listed(self, key: str) -> bool:
        folded = _fold(key)
        return (
            key in self._first or key in self._last or folded in self._first or folded in self._last
        )

    # -- analysis --------------------------------------------------------------------------

    def analyze(self, scan: Scan) -> list[Recognition]:
        text = scan.text
        parts: list[tuple[list[_Token], list[str], str | None]] = []
        for run in self._runs(text):
            keys = [w for t in run for w in words(t.key)]
            if any(w in scan.merchant_words for w in keys):
                continue  # the merchant's own name ("Jane Doe Bakery")
            if self._brands and self._brand_words.intersection(keys):
                joined = f" {' '.join(keys)} "
                if any(f" {b} " in joined for b in self._brands):
                    continue
            parts.extend(self._name_parts(text, run))
        found = []
        for i, (tokens, kinds, honorific) in enumerate(parts):
            hit = self._score(text, tokens, kinds, honorific, parts, i)
            if hit is not None:
                found.append(hit)
        return found

    def _name_parts(
        self, text: str, run: list[_Token]
    ) -> Iterator[tuple[list[_Token], list[str], str | None]]:
        """Split a run at words that are no names; keep an honorific right before a part."""
        part: list[_Token] = []
        kinds: list[str] = []
        honorific: str | None = None
        for i, token in enumerate(run):
            kind = self._kind(token)
            if token.key in self._honorifics and self._honorific_here(text, run, i):
                if part:
                    yield part, kinds, honorific
                part, kinds, honorific = [], [], token.key
                continue
            # A listed first name that is also a word joins only before a listed last name:
            # "Grace Kelly", "Will Smith"; not "May Sale", "Rose Gold".
            is_name = (
                kind in ("name", "unknown")
                or (kind == "ambiguous" and (bool(part) or self._starts_full_name(run, i)))
                # Right after an honorific any capitalised word is the name: "Mr. Brown".
                or (honorific is not None and not part and kind != "stop")
            )
            if is_name and len(part) < self.o.max_words:
                part.append(token)
                kinds.append(kind)
                continue
            if part:
                yield part, kinds, honorific
            part, kinds, honorific = [], [], None
            if is_name or kind == "ambiguous":
                part, kinds = [token], [kind]  # a lone ambiguous word scores low
        if part:
            yield part, kinds, honorific

    def _starts_full_name(self, run: list[_Token], i: int) -> bool:
        if i + 1 >= len(run) or not self._in(run[i].key, self._first):
            return False
        nxt = run[i + 1]
        return self._kind(nxt) == "name" and self._in(nxt.key, self._last)

    @staticmethod
    def _in(key: str, lexicon: frozenset[str]) -> bool:
        return key in lexicon or _fold(key) in lexicon

    def _honorific_here(self, text: str, run: list[_Token], i: int) -> bool:
        token = run[i]
        if i + 1 >= len(run):
            return False  # nothing after it to be the name
        if token.key not in self._need_context:
            return True
        # "Ocean Dr Miami": only at a clause start or right after a greeting.
        if i > 0:
            return run[i - 1].key in self._greeting_words
        before = text[max(0, token.start - 40) : token.start].rstrip(" \t")
        if not before or not before[-1].isalpha():
            return True
        prev = words(before)
        return bool(prev) and prev[-1] in self._greeting_words

    def _score(
        self,
        text: str,
        tokens: list[_Token],
        kinds: list[str],
        honorific: str | None,
        parts: list[tuple[list[_Token], list[str], str | None]],
        i: int,
    ) -> Recognition | None:
        s, b = self.o.scores, self.o.boosts
        start, end = tokens[0].start, tokens[-1].end
        named = sum(k == "name" for k in kinds)
        ambiguous = sum(k == "ambiguous" for k in kinds)
        if len(tokens) == 1:
            kind = kinds[0]
            score, why = {
                "name": (s.single_listed, "a listed name"),
                "ambiguous": (s.single_ambiguous, "a listed name that is also a common word"),
                "unknown": (s.single_unknown, "a capitalised word"),
            }[kind]
        else:
            listed = named + ambiguous
            first_ok = self._in(tokens[0].key, self._first)
            last_ok = self._in(tokens[-1].key, self._last)
            if named == 0:
                score, why = (
                    (s.ambiguous_only, "listed names that are also common words")
                    if ambiguous
                    else (s.unknown, "capitalised words in no name list")
                )
            elif listed == len(tokens) and first_ok and last_ok:
                score, why = s.first_last, "a listed first name and a listed last name"
            elif listed == len(tokens):
                score, why = s.listed, "listed names"
            else:
                score, why = s.listed_and_unknown, "a listed name beside capitalised words"
            if ambiguous:
                score -= b.ambiguous_part
        reasons = [why]
        # Context is read on the same line: a job title on the line above is no title of this.
        line_start = text.rfind("\n", 0, start) + 1
        prev = words(text[max(line_start, start - 40) : start])
        # A title or cue counts only right before the name ("Producer Svitlana"), not a few
        # words back ("Calle Mayor 5 Madrid").
        adjacent = (
            bool(prev) and _ADJACENT.search(text, max(line_start, start - 40), start) is not None
        )
        if honorific is not None:
            score += b.honorific
            reasons.append(f"after the honorific '{honorific.title()}'")
            start = self._honorific_start(text, start)
        elif (
            greeting := self._phrase_before(self._same_sentence(text, start, prev), self._greetings)
        ) is not None:
            if len(tokens) > 1 or kinds[0] != "ambiguous":  # "Hello Summer", "Hi June"
                score += b.greeting
                reasons.append(f"after the greeting '{greeting}'")
        elif adjacent and prev[-1] in self._titles:
            score += b.title
            reasons.append(f"after the title '{prev[-1]}'")
        elif adjacent and (cue := self._phrase_before(prev, self._cues)) is not None:
            score += b.cue
            reasons.append(f"after '{cue.lower()}'")
        elif prev and prev[-1] in self._places:
            score -= b.place
            reasons.append(f"after '{prev[-1]}'")
        if text[end : end + 2] in ("'s", "\u2019s"):
            score += b.possessive
            reasons.append("before a possessive 's")
        elif (
            text[end : end + 1] == ":"
            and not text[line_start:start].strip()
            and (len(tokens) > 1 or kinds[0] != "ambiguous")  # "Bot: ...", "Note: ..."
        ):
            score += b.speaker
            reasons.append("as a speaker label at a line start")
        nxt = words(text[end : end + 30])
        if nxt and nxt[0] in self._verbs and text[end : end + 1] in (" ", ","):
            score += b.verb
            reasons.append(f"before '{nxt[0]}'")
        if nxt and nxt[0] in self._organisations and text[end : end + 1] == " ":
            score -= b.organisation
            reasons.append(f"before '{nxt[0]}'")
        if any(k == "name" for k in kinds) and self._in_name_list(text, parts, i):
            score += b.name_list
            reasons.append("in a list of names")
        if score <= 0:
            return None
        return Recognition(start, end, min(1.0, score), "; ".join(reasons))

    @staticmethod
    def _same_sentence(text: str, start: int, prev: list[str]) -> list[str]:
        """The words of `prev` after the last sentence end before `start`: a greeting that ends
        its sentence ("exclamation marks welcome. Tagline") is no greeting of the next word."""
        cut = max(text.rfind(mark, max(0, start - 40), start) for mark in ".!?")
        return prev if cut < 0 else prev[len(prev) - len(words(text[cut + 1 : start])) :]

    @staticmethod
    def _phrase_before(prev: list[str], phrases: frozenset[str]) -> str | None:
        for n in (3, 2, 1):
            if len(prev) >= n and " ".join(prev[-n:]) in phrases:
                return " ".join(prev[-n:]).title()
        return None

    def _honorific_start(self, text: str, start: int) -> int:
        m = re.search(r"[^\W\d_]+\.?[ \t]+$", text[max(0, start - 20) : start])
        return start - (len(m.group()) if m else 0)

    def _in_name_list(
        self, text: str, parts: list[tuple[list[_Token], list[str], str | None]], i: int
    ) -> bool:
        """Exactly one other listed name beside it, joined by 'and', '&', ',' or 'or'
        ("Kleist and Arnold"); a longer chain only of first names ("Barnett, Melton and Garcia"
        is more often a firm)."""
        chain = 1
        j = i
        while j > 0 and self._joined(text, parts, j - 1, j):
            chain, j = chain + 1, j - 1
        j = i
        while j + 1 < len(parts) and self._joined(text, parts, j, j + 1):
            chain, j = chain + 1, j + 1
        if chain == 2:
            return True
        # A longer list counts when every member is a listed first name ("Olga, Maria, Kyle
        # and Donna"); surnames in a row are more often a firm.
        members = [parts[k][0] for k in range(j - chain + 1, j + 1)]
        return chain > 2 and all(self._in(m[0].key, self._first) for m in members)

    def _joined(
        self, text: str, parts: list[tuple[list[_Token], list[str], str | None]], a: int, b: int
    ) -> bool:
        if "name" not in parts[a][1] or "name" not in parts[b][1]:
            return False
        return (
            self._joiner_gap.fullmatch(text, parts[a][0][-1].end, parts[b][0][0].start) is not None
        )
