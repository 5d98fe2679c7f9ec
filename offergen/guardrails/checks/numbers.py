"""Numbers check: every number in the copy must be backed by the offer terms.

What counts as a mention (patterns, number words, months, currencies) and which OfferTerms field
backs which kind of mention are data (guardrails/data/numbers.yaml); this file parses mentions
and compares them to the terms numerically.
"""

from __future__ import annotations

import math
import re
from dataclasses import dataclass, replace
from datetime import date
from pathlib import Path
from typing import ClassVar, Literal, get_args

from pydantic import BaseModel, ConfigDict, Field

from offergen.errors import ConfigError
from offergen.guardrails.base import CheckContext, CheckParams
from offergen.guardrails.datafile import DataParams, alternation, check_data, compile_pattern
from offergen.guardrails.registry import register
from offergen.guardrails.text import drop_invisible, mask_pattern, mask_spans, normalise
from offergen.schemas import Finding, OfferTerms, Severity, Unit

Kind = Literal[
    "date",
    "cap_amount",
    "reward_amount",
    "reward_percent",
    "amount",
    "percent",
    "multiplier",
    "points",
    "months",
    "installments",
    "number",
]
# Kinds that name money, so the currency must be the offer's.
_MONEY_KINDS = ("amount", "reward_amount", "cap_amount")
KINDS: tuple[str, ...] = get_args(Kind)
TOLERANCE = 1e-9
_DATE_FIELDS = ("valid_from", "valid_until")


class CurrencyData(BaseModel):
    model_config = ConfigDict(extra="forbid")

    symbols: dict[str, list[str]]
    codes: list[str]
    words: dict[str, list[str]]


class MentionSpec(BaseModel):
    model_config = ConfigDict(extra="forbid")

    kind: Kind
    patterns: list[str] = Field(min_length=1)


class NumbersData(BaseModel):
    model_config = ConfigDict(extra="forbid")

    merge_tag: str
    number: str
    number_words: dict[str, int]
    reward_words: list[str] = Field(min_length=1)
    tens_words: dict[str, int]
    months: dict[str, int]
    currencies: CurrencyData
    backing: dict[Kind, list[str]]
    messages: dict[str, str]
    mentions: list[MentionSpec] = Field(min_length=1)


# (year or None, month, day): a date without a year matches any year.
DateParts = tuple[int | None, int, int]


@dataclass(frozen=True)
class Mention:
    kind: str
    start: int
    end: int
    value: float = math.nan
    currencies: tuple[str, ...] = ()
    dates: tuple[DateParts, ...] = ()


@dataclass(frozen=True)
class _Backing:
    field: str
    unit: Unit | None  # only when the offer's unit is this one


class NumbersParams(DataParams):
    """The `params:` block of a `numbers` entry in a pack."""

    allow_bare_numbers: list[float] = Field(
        default_factory=list, description="bare numbers the copy may use freely (e.g. 24, 7)"
    )
    allow_years: bool = Field(
        default=True, description="a bare year equal to valid_from/valid_until's year is ok"
    )


@register
class NumbersCheck:
    """Flags numbers, amounts, dates and counts that the offer terms do not back."""

    name: ClassVar[str] = "numbers"
    Params: ClassVar[type[CheckParams]] = NumbersParams

    def __init__(self, params: CheckParams, severity: Severity) -> None:
        if not isinstance(params, NumbersParams):
            raise TypeError(f"expected NumbersParams, got {type(params).__name__}")
        self.params = params
        self.severity = severity
        path, data = check_data(self.name, params, NumbersData)
        self._data = data
        self._merge_tag = compile_pattern(path, "merge_tag", data.merge_tag)
        self._words = {k.lower(): v for k, v in (data.number_words | data.tens_words).items()}
        self._months = _month_forms(data.months)
        self._currency = {
            **{k: tuple(v) for k, v in data.currencies.symbols.items()},
            **{code: (code,) for code in data.currencies.codes},
            **{k.lower(): tuple(v) for k, v in data.currencies.words.items()},
        }
        self._backing = _parse_backing(path, data.backing)
        missing = [k for k in (*KINDS, "currency_mismatch") if k not in data.messages]
        if missing:
            raise ConfigError(f"data file {path}: messages: missing {', '.join(missing)}")
        placeholders = _placeholders(data, self._months)
        self._mentions: list[tuple[str, re.Pattern[str]]] = []
        for i, spec in enumerate(data.mentions):
            for j, source in enumerate(spec.patterns):
                for key, value in placeholders.items():
                    source = source.replace("{" + key + "}", value)
                where = f"mentions[{i}].patterns[{j}]"
                pattern = compile_pattern(path, where, source)
                _require_groups(path, where, spec.kind, pattern)
                self._mentions.append((spec.kind, pattern))

    def check(self, text: str, ctx: CheckContext) -> list[Finding]:
        findings = []
        for mention in self.mentions(text, ctx.offer.merchant):
            finding = self._judge(mention, text, ctx.offer)
            if finding is not None:
                findings.append(finding)
        return findings

    def mentions(self, text: str, merchant: str = "") -> list[Mention]:
        """Number mentions in `text` by position; kinds earlier in the data claim text first."""
        # Invisible characters ("1\u200b0%") must not split a number; spans are mapped back.
        visible = drop_invisible(normalise(text))
        folded = mask_pattern(visible.text, self._merge_tag)
        if merchant:
            # Digits in the merchant's own name ("7-Eleven") are not offer numbers.
            merchant_re = re.compile(re.escape(normalise(merchant)), re.IGNORECASE)
            folded = mask_spans(folded, (m.span() for m in merchant_re.finditer(folded)))
        claimed: list[tuple[int, int]] = []
        found: list[Mention] = []
        for kind, pattern in self._mentions:
            for m in pattern.finditer(folded):
                if any(m.start() < e and s < m.end() for s, e in claimed):
                    continue
                mention = self._parse(kind, m)
                if mention is not None:
                    claimed.append((m.start(), m.end()))
                    found.append(mention)
        if visible.positions is not None:
            found = [_moved(m, *visible.span(m.start, m.end)) for m in found]
        return sorted(found, key=lambda x: x.start)

    def _parse(self, kind: str, m: re.Match[str]) -> Mention | None:
        if kind == "date":
            dates = self._dates(m)
            return Mention(kind, *m.span(), dates=dates) if dates else None
        value = self._value(m)
        if value is None:
            return None
        currencies: tuple[str, ...] = ()
        if "cur" in m.re.groupindex:
            token = m.group("cur")
            currencies = self._currency.get(token) or self._currency.get(token.lower(), ())
        return Mention(kind, *m.span(), value=value, currencies=currencies)

    def _value(self, m: re.Match[str]) -> float | None:
        groups = m.groupdict()
        if groups.get("num") is not None:
            return _parse_number(groups["num"])
        if groups.get("word") is not None:
            parts = re.split(r"[\s-]+", groups["word"].lower())
            return float(sum(self._words[p] for p in parts))
        return None

    def _dates(self, m: re.Match[str]) -> tuple[DateParts, ...]:
        g = m.groupdict()
        year = int(g["year"]) if g.get("year") else None
        if year is not None and year < 100:
            year += 2000
        if g.get("first") is not None:
            a, b = int(g["first"]), int(g["second"])
            readings = [(a, b), (b, a)]  # (month, day): US order first, then day-first
        elif g.get("month") is not None:
            readings = [(self._months[g["month"]], int(g["day"]))]
        else:
            readings = [(int(g["month_num"]), int(g["day"]))]
        valid = dict.fromkeys((year, mo, d) for mo, d in readings if _is_date(year, mo, d))
        return tuple(valid)

    def _judge(self, mention: Mention, text: str, offer: OfferTerms) -> Finding | None:
        surface = text[mention.start : mention.end]
        if mention.kind == "date":
            backing = self._date_backing(offer)
            if any(_date_matches(d, b) for d in mention.dates for _, b in backing):
                return None
            found = " or ".join(_fmt_date(d) for d in mention.dates)
            terms = ", ".join(f"{b.isoformat()} ({label})" for label, b in backing)
            return self._finding(
                "date",
                mention,
                f"found {surface!r} (date {found}); "
                + (f"the offer terms back dates: {terms}" if terms else "the offer has no dates"),
            )
        if mention.kind in _MONEY_KINDS and offer.currency not in mention.currencies:
            return self._finding(
                "currency_mismatch",
                mention,
                f"found {surface!r} (amount {_fmt(mention.value)} in "
                f"{'/'.join(mention.currencies) or 'an unknown currency'}); "
                f"the offer is in {offer.currency}",
            )
        backing_values = self._number_backing(mention.kind, offer)
        if any(abs(mention.value - v) <= TOLERANCE for _, v in backing_values):
            return None
        noun = "numbers" if mention.kind == "number" else f"{mention.kind.replace('_', ' ')} values"
        terms = ", ".join(f"{_fmt(v)} ({label})" for label, v in backing_values)
        return self._finding(
            mention.kind,
            mention,
            f"found {surface!r} ({mention.kind} {_fmt(mention.value)}); "
            + (f"the offer terms back {noun}: {terms}" if terms else f"the offer backs no {noun}"),
        )

    def _number_backing(self, kind: str, offer: OfferTerms) -> list[tuple[str, float]]:
        values: list[tuple[str, float]] = []
        for ref in self._backing.get(kind, ()):
            if ref.unit is not None and offer.unit is not ref.unit:
                continue
            value = getattr(offer, ref.field)
            if isinstance(value, int | float) and not isinstance(value, bool):
                values.append((ref.field, float(value)))
        if kind == "number":
            values += [("allowed by the pack", v) for v in self.params.allow_bare_numbers]
            if self.params.allow_years:
                for field in _DATE_FIELDS:
                    day = getattr(offer, field)
                    if isinstance(day, date):
                        values.append((f"year of {field}", float(day.year)))
        return values

    def _date_backing(self, offer: OfferTerms) -> list[tuple[str, date]]:
        out = []
        for ref in self._backing.get("date", ()):
            value = getattr(offer, ref.field)
            if isinstance(value, date):
                out.append((ref.field, value))
        return out

    def _finding(self, rule: str, mention: Mention, explanation: str) -> Finding:
        prefix = "" if rule == "currency_mismatch" else "unbacked_"
        return Finding(
            check=self.name,
            rule_id=f"{self.name}.{prefix}{rule}",
            severity=self.severity,
            start=mention.start,
            end=mention.end,
            message=self._data.messages[rule],
            explanation=explanation,
        )


# The named groups a pattern of each kind must define (any one of the sets), checked at load so
# a data-file mistake is a ConfigError rather than a failing check.
_REQUIRED_GROUPS: dict[str, tuple[frozenset[str], ...]] = {
    "date": (
        frozenset({"month", "day"}),
        frozenset({"month_num", "day"}),
        frozenset({"first", "second"}),
    ),
    "amount": (frozenset({"num", "cur"}),),
    "reward_amount": (frozenset({"num", "cur"}),),
    "cap_amount": (frozenset({"num", "cur"}),),
}
_NUMBER_GROUPS = (frozenset({"num"}), frozenset({"word"}))


def _moved(mention: Mention, start: int, end: int) -> Mention:
    return replace(mention, start=start, end=end)


def _require_groups(path: Path, where: str, kind: str, pattern: re.Pattern[str]) -> None:
    options = _REQUIRED_GROUPS.get(kind, _NUMBER_GROUPS)
    if not any(option <= pattern.groupindex.keys() for option in options):
        wanted = " or ".join("+".join(sorted(o)) for o in options)
        raise ConfigError(f"data file {path}: {where}: {kind} patterns need the groups {wanted}")


def _parse_number(raw: str) -> float:
    # "19,99" (one or two digits after the comma) is a decimal comma; other commas group thousands.
    if "," in raw and "." not in raw and len(raw.rsplit(",", 1)[1]) <= 2:
        return float(raw.replace(",", "."))
    return float(raw.replace(",", ""))


def _is_date(year: int | None, month: int, day: int) -> bool:
    try:
        date(year if year is not None else 2000, month, day)  # 2000: a leap year, Feb 29 ok
    except ValueError:
        return False
    return True


def _date_matches(parts: DateParts, backing: date) -> bool:
    year, month, day = parts
    return (year is None or year == backing.year) and (month, day) == (backing.month, backing.day)


def _fmt_date(parts: DateParts) -> str:
    year, month, day = parts
    return f"{year:04d}-{month:02d}-{day:02d}" if year else f"{month:02d}-{day:02d} (any year)"


def _fmt(value: float) -> str:
    return str(int(value)) if value == int(value) else f"{value:.10g}"


def _month_forms(months: dict[str, int]) -> dict[str, int]:
    # Title case always; upper case only for the full name, so "APR" (the rate) is not April.
    full = {
        number: max((n for n, v in months.items() if v == number), key=len)
        for number in months.values()
    }
    forms = {name.title(): number for name, number in months.items()}
    forms.update({name.upper(): number for number, name in full.items()})
    return forms


def _parse_backing(path: Path, raw: dict[Kind, list[str]]) -> dict[str, list[_Backing]]:
    fields = OfferTerms.model_fields
    out: dict[str, list[_Backing]] = {}
    for kind, refs in raw.items():
        for ref in refs:
            field, _, unit = ref.partition("@")
            if field not in fields:
                raise ConfigError(
                    f"data file {path}: backing.{kind}: unknown offer field {field!r}; "
                    f"valid fields: {', '.join(fields)}"
                )
            if unit and unit not in Unit.__members__:
                raise ConfigError(
                    f"data file {path}: backing.{kind}: unknown unit {unit!r}; "
                    f"valid units: {', '.join(Unit.__members__)}"
                )
            out.setdefault(kind, []).append(_Backing(field, Unit(unit) if unit else None))
    return out


def _placeholders(data: NumbersData, months: dict[str, int]) -> dict[str, str]:
    units = "|".join(sorted(data.number_words, key=len, reverse=True))
    ones = "|".join(w for w, v in data.number_words.items() if 1 <= v <= 9)
    tens = "|".join(data.tens_words)
    word = rf"(?i:\b(?:(?:{tens})(?:[ -](?:{ones}))?|{units})\b)"
    num = f"(?P<num>{data.number})"
    return {
        "num": num,
        "count": f"(?:{num}|(?P<word>{word}))",
        "month": f"(?P<month>{alternation(months)})",
        "currency_symbol": f"(?P<cur>{alternation(data.currencies.symbols)})",
        "currency_code": f"(?P<cur>{alternation(data.currencies.codes)})",
        "currency_word": f"(?P<cur>(?i:{alternation(data.currencies.words)}))",
        "reward_word": rf"(?i:{alternation(data.reward_words)})\b",
    }
