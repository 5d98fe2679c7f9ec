"""Street addresses: regex candidates, the usaddress parser for US forms, patterns for the EU.

US and UK forms (house number, street name, a suffix such as St or Lane) are found by a cheap
regex, then the usaddress CRF tags just that span: when it reads a house number, a street name and
a street type the score is high, when it does not, lower. EU forms are patterns per street type
(number before the type: "46 rue Nationale"; after the name: "Via Roma 12", "Hauptstraße 5",
"Orrspelsv 49"). Every street found is extended over what follows it on the same or the next line
when that is an address part: a unit ("Apt. 440"), a postcode and city, a US city, state and ZIP.
"""

from __future__ import annotations

import re
from pathlib import Path
from typing import Any, ClassVar

from pydantic import BaseModel, ConfigDict, Field

from offergen.guardrails.recognizers.base import Recognition, RecognizerOptions, Scan


class AddressPattern(BaseModel):
    model_config = ConfigDict(extra="forbid")

    pattern: str
    explain: str
    score: float = Field(ge=0, le=1)
    # Run the US parser on the span: its verdict picks `score` or `unparsed_score`.
    us_parser: bool = False
    unparsed_score: float = Field(default=0.0, ge=0, le=1)


class AddressOptions(RecognizerOptions):
    # `{key}` in any pattern becomes this regex (shared sub-patterns).
    placeholders: dict[str, str] = Field(default_factory=dict)
    # Lists that become a named group `(?P<key>a|b|...)` wherever `{key}` appears.
    lists: dict[str, list[str]] = Field(default_factory=dict)
    patterns: list[AddressPattern] = Field(min_length=1)
    # What may follow a street on the same or the next line and still be the address.
    tail: str = ""
    max_tail_parts: int = Field(default=3, ge=0)
    # usaddress labels that make the span a street: all of `us_required`, and the first token
    # labelled `AddressNumber`.
    us_required: list[str] = Field(default_factory=list)


class AddressRecognizer:
    name: ClassVar[str] = "street_address"
    Options: ClassVar[type[RecognizerOptions]] = AddressOptions

    def __init__(self, options: Any, data_dir: Path) -> None:
        o: AddressOptions = options
        self.o = o
        self._patterns = [(re.compile(self._expand(p.pattern)), p) for p in o.patterns]
        self._tail = re.compile(self._expand(o.tail)) if o.tail else None
        self._parser: Any = None
        if any(p.us_parser for p in o.patterns):
            import usaddress  # a CRF model: loaded at pack load, not at module import

            self._parser = usaddress

    def _expand(self, source: str) -> str:
        for key, value in self.o.placeholders.items():
            source = source.replace("{" + key + "}", value)
        for key, phrases in self.o.lists.items():
            alternation = "|".join(
                re.escape(p) for p in sorted(set(phrases), key=len, reverse=True)
            )
            # The first use is a named group (its word goes into the explanation), later uses
            # plain groups: a regex may not name two groups alike.
            source = source.replace("{" + key + "}", f"(?P<{key}>{alternation})", 1)
            source = source.replace("{" + key + "}", f"(?:{alternation})")
        return source

    def analyze(self, scan: Scan) -> list[Recognition]:
        text = scan.text
        found = []
        for pattern, spec in self._patterns:
            for m in pattern.finditer(text):
                start, end = m.span("value") if "value" in pattern.groupindex else m.span()
                if end <= start:
                    continue
                score, why = spec.score, spec.explain
                if spec.us_parser and not self._us_street(text[start:end]):
                    score, why = spec.unparsed_score, why + " (not confirmed by the US parser)"
                elif spec.us_parser:
                    why += " (confirmed by the US parser)"
                # List words only ("St", "rue"): never a group that holds the value itself.
                facts = {
                    k: m.group(k) for k in self.o.lists if k in pattern.groupindex and m.group(k)
                }
                end, parts = self._extend(text, end)
                if parts:
                    why += f", with {parts} more address part{'s' if parts > 1 else ''}"
                found.append(Recognition(start, end, score, _format(why, facts)))
        return found

    def _us_street(self, span: str) -> bool:
        try:
            labels = [label for _, label in self._parser.parse(span)]
        except Exception:  # the CRF raises on odd input; the pattern still stands, scored lower
            return False
        return (
            bool(labels) and labels[0] == "AddressNumber" and set(self.o.us_required) <= set(labels)
        )

    def _extend(self, text: str, end: int) -> tuple[int, int]:
        """Take in a unit, postcode, city or state that follows the street."""
        parts = 0
        while self._tail is not None and parts < self.o.max_tail_parts:
            m = self._tail.match(text, end)
            if m is None or m.end() == end:
                break
            end = m.end()
            parts += 1
        return end, parts


class _Facts(dict[str, str]):
    def __missing__(self, key: str) -> str:
        return "?"


def _format(template: str, facts: dict[str, str]) -> str:
    return template.format_map(_Facts(facts))
