"""Phone numbers: a cheap regex finds digit runs that could be dialled, libphonenumber decides.

Scores (the entity's `options.scores`): an international number (+ or 00) that libphonenumber
finds valid; a national number valid for one of the packs' regions and written in that region's
own grouping ("052 948 46 74" in CH, "03 91 12 17 13" in FR); the North American (NPA) NXX-XXXX
shape, which is unmistakable even with an unassigned area code; weaker, a number valid somewhere
but grouped otherwise, or an ungrouped digit run: those need a context word ("call", "tel").
The offer's own figures (amounts, percentages, dates, APRs, counts) are ruled out before any
parsing: a currency or unit next to the run, or a shape in `not_phone` (dates, times, years).
"""

from __future__ import annotations

import re
from pathlib import Path
from typing import Any, ClassVar

from pydantic import Field

from offergen.guardrails.recognizers.base import (
    Recognition,
    RecognizerOptions,
    Scan,
    word_set,
    words_after,
    words_before,
)


class PhoneScores(RecognizerOptions):
    international_valid: float
    international_possible: float
    national_format: float
    nanp_shape: float
    national_valid: float
    plain_valid: float
    # Not valid anywhere, but a possible length for one of the regions: context must decide.
    national_possible: float


class PhoneOptions(RecognizerOptions):
    # Groups: `number` (what libphonenumber parses), optionally `ext` (an extension).
    candidate: str
    nanp_shape: str
    # Whole-candidate shapes that are never phones: dates, times, year ranges, thousands.
    not_phone: list[str] = Field(default_factory=list)
    regions: list[str] = Field(min_length=1)
    min_digits: int = 7
    max_digits: int = 15
    scores: PhoneScores
    # A context word among the few before the number adds `context_boost`.
    context_words: list[str] = Field(default_factory=list)
    context_boost: float = 0.0
    # A label right after it ("office", "fax", "mobile") adds `context_boost` too.
    context_after: list[str] = Field(default_factory=list)
    # An identifier word among the few before it ("order", "ref", "SSN") takes
    # `negative_penalty` off.
    negative_words: list[str] = Field(default_factory=list)
    negative_penalty: float = 0.0
    context_span: int = Field(default=4, ge=1)
    # Characters right before, or words right after, that make the run a figure, not a phone.
    not_before: str = ""
    not_after: list[str] = Field(default_factory=list)


_DIGITS = re.compile(r"[0-9]+")
# The trunk prefix some write inside an international number: +49 (0)30 ..., +44(0)20 ...
_TRUNK = re.compile(r"\(0\)")


class PhoneRecognizer:
    name: ClassVar[str] = "phone"
    Options: ClassVar[type[RecognizerOptions]] = PhoneOptions

    def __init__(self, options: Any, data_dir: Path) -> None:
        # libphonenumber loads at pack load, not when the check module is imported.
        import phonenumbers

        self._pn = phonenumbers
        self.o: PhoneOptions = options
        self._candidate = re.compile(options.candidate)
        self._nanp = re.compile(options.nanp_shape)
        self._not_phone = [re.compile(p) for p in options.not_phone]
        self._context = word_set(options.context_words)
        self._negative = word_set(options.negative_words)
        self._context_after = word_set(options.context_after)
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
        before = words_before(text, start, o.context_span)
        after = words_after(text, m.end(), 1, window=12)
        if self._context.intersection(before):
            score += o.context_boost
            why += ", after a phone context word"
        elif after and after[0] in self._context_after:
            score += o.context_boost
            why += ", before a phone label"
        if self._negative.intersection(before):
            score -= o.negative_penalty
            why += ", after an identifier word"
        return Recognition(
            m.start(), m.end(), max(0.0, min(1.0, score)), f"{len(digits)}-digit {why}"
        )

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

    def _parse(self, raw: str, digits: str) -> tuple[float, str] | None:
        pn = self._pn
        s = self.o.scores
        groups = _DIGITS.findall(_TRUNK.sub("", raw))
        if raw.startswith(("+", "00")):
            number = digits[2:] if raw.startswith("00") else digits
            try:
                parsed = pn.parse("+" + number, None)
            except pn.NumberParseException:
                return None
            region = pn.region_code_for_number(parsed) or f"+{parsed.country_code}"
            if pn.is_valid_number(parsed):
                return s.international_valid, f"international number valid for {region}"
            if pn.is_possible_number(parsed):
                return s.international_possible, f"international number possible for {region}"
            return None
        best: tuple[float, str] | None = None
        possible = None
        if self._nanp.fullmatch(raw):
            best = s.nanp_shape, "number in the North American (NPA) NXX-XXXX shape"
        for region in self.o.regions:
            try:
                parsed = pn.parse(raw, region)
            except pn.NumberParseException:
                continue
            if not pn.is_valid_number_for_region(parsed, region):
                if possible is None and len(groups) > 1 and pn.is_possible_number(parsed):
                    possible = region
                continue
            national = _DIGITS.findall(pn.format_number(parsed, pn.PhoneNumberFormat.NATIONAL))
            if len(groups) > 1 and national == groups:
                judged = s.national_format, f"number valid for {region} in its national grouping"
            elif len(groups) == 1:
                judged = s.plain_valid, f"digit run valid for {region}"
            else:
                judged = s.national_valid, f"number valid for {region}"
            if best is None or judged[0] > best[0]:
                best = judged
            if best[0] >= s.national_format:
                break  # regions are in order of importance; nothing scores higher
        if best is None and possible is not None:
            best = s.national_possible, f"grouped number of a possible length for {possible}"
        return best
