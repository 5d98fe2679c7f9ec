"""Phone numbers: a cheap regex finds digit runs that could be dialled, libphonenumber decides.

Scores (the entity's `options.scores`): an international number (+ or 00) that libphonenumber
finds valid; a national number valid for one of the packs' regions and written in that region's
own grouping ("052 948 46 74" in CH, "03 91 12 17 13" in FR) or in any grouping that starts with
the trunk prefix 0 or an area code in brackets ("07700 422 185", "(0117) 496 0649"); a written
shape that is a phone whatever its digits (`shapes`: the North American (NPA) NXX-XXXX shape, a
trunk-prefixed area code and subscriber groups); weaker, a number valid somewhere but grouped
otherwise, or an ungrouped digit run: those need a context word ("call", "tel", "my number").
The nearest label decides: a phone word ("call", "mobile") adds `context_boost`, an identifier
word ("order", "ref") takes `negative_penalty` off, whichever is closer to the number.
The offer's own figures (amounts, percentages, dates, APRs, counts) are ruled out before any
parsing: a currency or unit next to the run, or a shape in `not_phone` (dates, times, years).
"""

from __future__ import annotations

import re
from pathlib import Path
from typing import Any, ClassVar

from pydantic import BaseModel, ConfigDict, Field

from offergen.guardrails.recognizers.base import (
    Recognition,
    RecognizerOptions,
    Scan,
    word_set,
    words,
    words_after,
    words_before,
)


class PhoneScores(RecognizerOptions):
    international_valid: float
    international_possible: float
    national_format: float
    # Valid for a region, grouped with the trunk prefix 0 or a bracketed area code first.
    trunk_grouped: float
    national_valid: float
    plain_valid: float
    # Not valid anywhere, but a possible length for one of the regions: context must decide.
    national_possible: float


class PhoneShape(BaseModel):
    """A whole-candidate shape that is a phone number whatever its digits."""

    model_config = ConfigDict(extra="forbid")

    pattern: str
    score: float = Field(ge=0, le=1)
    explain: str


class PhoneOptions(RecognizerOptions):
    # Groups: `number` (what libphonenumber parses), optionally `ext` (an extension).
    candidate: str
    shapes: list[PhoneShape] = Field(default_factory=list)
    # Whole-candidate shapes that are never phones: dates, times, year ranges, thousands.
    not_phone: list[str] = Field(default_factory=list)
    regions: list[str] = Field(min_length=1)
    min_digits: int = 7
    # Digits a number grouped after its trunk-prefixed area code needs to score `trunk_grouped`
    # ("0230 7531" is as often a code as a local number).
    trunk_min_digits: int = 9
    # Digits (country code included) an international number needs to count when it is only
    # of a possible length, not valid ("00441623" is no phone).
    min_international_possible: int = 9
    max_digits: int = 15
    scores: PhoneScores
    # A context word among the few before the number adds `context_boost`; a word matches with
    # an inflection ending (`inflections`: "call" matches "called", "calling").
    context_words: list[str] = Field(default_factory=list)
    context_boost: float = 0.0
    # A label among the few words right after it ("office", "fax", "is my number") too.
    context_after: list[str] = Field(default_factory=list)
    context_after_span: int = Field(default=3, ge=1)
    inflections: list[str] = Field(default_factory=list)
    # An identifier word among the few before it ("order", "ref", "SSN") takes
    # `negative_penalty` off when it is nearer than any context word.
    negative_words: list[str] = Field(default_factory=list)
    negative_penalty: float = 0.0
    # Words for "number" skipped when looking for the nearest label ("no", "nr", "number"):
    # the word before decides, and an owner before ("my number") makes it a phone's.
    number_words: list[str] = Field(default_factory=list)
    owners: list[str] = Field(default_factory=list)
    owner_adjectives: list[str] = Field(default_factory=list)
    context_span: int = Field(default=4, ge=1)
    # A number alone on its line under this many lines of text (an address block) is in
    # context; 0 turns it off.
    contact_block_lines: int = Field(default=0, ge=0)
    # Characters right before, or words right after, that make the run a figure, not a phone.
    not_before: str = ""
    not_after: list[str] = Field(default_factory=list)


_DIGITS = re.compile(r"[0-9]+")
# The trunk prefix some write inside an international number: +49 (0)30 ..., +44(0)20 ...
_TRUNK = re.compile(r"\(0\)")
# A clause end: the words after a number are read up to it.
_CLAUSE_END = re.compile(r"[.!?;\n]")


class PhoneRecognizer:
    name: ClassVar[str] = "phone"
    Options: ClassVar[type[RecognizerOptions]] = PhoneOptions

    def __init__(self, options: Any, data_dir: Path) -> None:
        # libphonenumber loads at pack load, not when the check module is imported.
        import phonenumbers

        self._pn = phonenumbers
        self.o: PhoneOptions = options
        self._candidate = re.compile(options.candidate)
        self._shapes = [(re.compile(s.pattern), s) for s in options.shapes]
        self._not_phone = [re.compile(p) for p in options.not_phone]
        self._context = word_set(options.context_words)
        self._negative = word_set(options.negative_words)
        self._number_words = word_set(options.number_words)
        self._owners = word_set(options.owners)
        self._owner_adjectives = word_set(options.owner_adjectives)
        self._context_after = word_set(options.context_after)
        self._inflections = sorted(options.inflections, key=len, reverse=True)
        self._not_after = word_set(options.not_after)
        self._not_after_chars = "".join(w for w in options.not_after if not w.isalnum())

    def analyze(self, scan: Scan) -> list[Recognition]:
        found = []
        for m in self._candidate.finditer(scan.text):
            hit = self._judge(scan.text, m)
            if hit is not None:
                found.append(hit)
        return found

    def _judge(self, text: str, m: re.Match[str]) -> Recognition | None:
        start, end = m.span("number")
        raw = text[start:end]
        digits = "".join(_DIGITS.findall(_TRUNK.sub("", raw)))
        o = self.o
        if not o.min_digits <= len(digits) <= o.max_digits:
            return None
        if any(p.fullmatch(raw) for p in self._not_phone) or self._is_figure(text, start, end):
            return None
        judged = self._parse(raw, digits)
        if judged is None:
            return None
        score, why = judged
        label = self._label_before(words_before(text, start, o.context_span))
        if label == "context":
            score += o.context_boost
            why += ", after a phone context word"
        elif label is None and self._label_after(text, m.end()):
            score += o.context_boost
            why += ", before a phone label"
        elif label is None and self._contact_block(text, m.start(), m.end()):
            score += o.context_boost
            why += ", on its own line below an address block"
        elif label == "negative":
            score -= o.negative_penalty
            why += ", after an identifier word"
        return Recognition(
            m.start(), m.end(), max(0.0, min(1.0, score)), f"{len(digits)}-digit {why}"
        )

    def _is(self, word: str, vocabulary: frozenset[str]) -> bool:
        """`word` or its stem without an inflection ending ("called" -> "call")."""
        if word in vocabulary:
            return True
        return any(
            word.endswith(end) and word[: -len(end)] in vocabulary
            for end in self._inflections
            if len(word) > len(end) + 2
        )

    def _label_before(self, before: list[str]) -> str | None:
        """The nearest phone or identifier word before the number: 'context', 'negative'."""
        for i in range(len(before) - 1, -1, -1):
            word = before[i]
            if word in self._number_words:
                # "number", "no.": the word before decides ("order number", "tel. no."); an
                # owner makes it a phone's ("my number", "her new number").
                owner = before[i - 1] if i > 0 else ""
                if owner in self._owners or (
                    i > 1 and owner in self._owner_adjectives and before[i - 2] in self._owners
                ):
                    return "context"
                continue
            if word in self._negative:
                return "negative"
            if self._is(word, self._context):
                return "context"
        return None

    def _contact_block(self, text: str, start: int, end: int) -> bool:
        """The number is a line of its own under at least `contact_block_lines` lines of text
        (a name, a street, a city: a letterhead or a signature)."""
        n = self.o.contact_block_lines
        if n == 0:
            return False
        line_start = text.rfind("\n", 0, start) + 1
        line_end = text.find("\n", end)
        line = text[line_start : len(text) if line_end < 0 else line_end]
        if line.strip() != text[start:end] or line_start == 0:
            return False
        above = [ln for ln in text[: line_start - 1].split("\n")[-n:] if ln.strip()]
        return len(above) >= n and all(any(ch.isalpha() for ch in ln) for ln in above)

    def _label_after(self, text: str, end: int) -> bool:
        clause = text[end : end + 40]
        cut = _CLAUSE_END.search(clause)
        after = words(clause[: cut.start()] if cut else clause)[: self.o.context_after_span]
        return any(self._is(w, self._context_after) for w in after)

    def _is_figure(self, text: str, start: int, end: int) -> bool:
        """A currency sign before it or a unit after it: an amount or a count, not a phone."""
        before = text[max(0, start - 2) : start].rstrip()
        if before and before[-1] in self.o.not_before:
            return True
        after = text[end : end + 2].lstrip()
        if after and after[0] in self._not_after_chars:
            return True
        nxt = words_after(text, end, 1, window=16)
        prev = words_before(text, start, 1, window=8)
        return bool(
            (nxt and nxt[0] in self._not_after and text[end : end + 1].isspace())
            or (prev and prev[0] in self._not_after and text[start - 1 : start].isspace())
        )

    def _international(self, number: str) -> tuple[float, str] | None:
        pn = self._pn
        s = self.o.scores
        try:
            parsed = pn.parse("+" + number, None)
        except pn.NumberParseException:
            return None
        region = pn.region_code_for_number(parsed) or f"+{parsed.country_code}"
        if pn.is_valid_number(parsed):
            return s.international_valid, f"international number valid for {region}"
        if pn.is_possible_number(parsed) and len(number) >= self.o.min_international_possible:
            return s.international_possible, f"international number possible for {region}"
        return None

    def _parse(self, raw: str, digits: str) -> tuple[float, str] | None:
        pn = self._pn
        s = self.o.scores
        groups = _DIGITS.findall(_TRUNK.sub("", raw))
        if raw.startswith(("+", "00")):
            judged = self._international(digits[2:] if raw.startswith("00") else digits)
            if judged is not None or raw.startswith("+"):
                return judged
            # "00" that is no international prefix: an area code ("0018-006 27") is read below.
        best: tuple[float, str] | None = None
        for pattern, shape in self._shapes:
            if pattern.fullmatch(raw) and (best is None or shape.score > best[0]):
                best = shape.score, shape.explain
        trunk = (
            len(groups) > 1
            and raw.startswith(("0", "(0"))
            and len(digits) >= self.o.trunk_min_digits
        )
        possible = None
        for region in self.o.regions:
            try:
                parsed = pn.parse(raw, region)
            except pn.NumberParseException:
                continue
            if not pn.is_valid_number_for_region(parsed, region):
                if possible is None and pn.is_possible_number(parsed):
                    possible = region
                continue
            national = _DIGITS.findall(pn.format_number(parsed, pn.PhoneNumberFormat.NATIONAL))
            if len(groups) > 1 and national == groups:
                judged = s.national_format, f"number valid for {region} in its national grouping"
            elif trunk:
                judged = s.trunk_grouped, f"number valid for {region} grouped after its area code"
            elif len(groups) == 1:
                judged = s.plain_valid, f"digit run valid for {region}"
            else:
                judged = s.national_valid, f"number valid for {region}"
            if best is None or judged[0] > best[0]:
                best = judged
            if best[0] >= s.national_format:
                break  # regions are in order of importance; nothing scores higher
        if best is None and possible is not None:
            best = s.national_possible, f"digits of a possible length for {possible}"
        return best
