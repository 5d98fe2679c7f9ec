"""Numbers check: every number in the copy must be backed by the offer terms.

What counts as a mention (patterns, number words, idioms, months, currencies, per language; digit
formats per jurisdiction) and which OfferTerms field backs which kind of mention are data
(guardrails/data/numbers.yaml); this file finds mentions and compares them to the terms
numerically. Number words: offergen/guardrails/number_words.py; digits:
offergen/guardrails/number_formats.py.
"""

from __future__ import annotations

import math
import re
from collections.abc import Mapping
from dataclasses import dataclass, replace
from datetime import date
from pathlib import Path
from typing import ClassVar, Literal, get_args

from pydantic import BaseModel, ConfigDict, Field

from offergen.errors import ConfigError
from offergen.guardrails.base import CheckContext, CheckParams
from offergen.guardrails.datafile import DataParams, alternation, check_data, compile_pattern
from offergen.guardrails.number_formats import parse_number
from offergen.guardrails.number_words import NumberWords, NumberWordsData
from offergen.guardrails.registry import register
from offergen.guardrails.text import drop_invisible, mask_pattern, mask_spans, normalise
from offergen.schemas import Finding, Jurisdiction, OfferTerms, Severity, Unit

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
# A placeholder left in a pattern after substitution: a typo or a noun no language lists.
_PLACEHOLDER = re.compile(r"\{[a-z_]+\}")


class CurrencyData(BaseModel):
    model_config = ConfigDict(extra="forbid")

    symbols: dict[str, list[str]]
    codes: list[str]
    words: dict[str, list[str]]


class JurisdictionData(BaseModel):
    model_config = ConfigDict(extra="forbid")

    number: str
    dot_groups_thousands: bool = False
    slash_dates: Literal["either", "day_first"]


class MentionSpec(BaseModel):
    model_config = ConfigDict(extra="forbid")

    kind: Kind
    patterns: list[str] = Field(min_length=1)
    jurisdictions: list[Jurisdiction] | None = None  # None: every jurisdiction


class IdiomSpec(BaseModel):
    """A phrase that states a number without one ("double points", "un an et demi")."""

    model_config = ConfigDict(extra="forbid")

    kind: Kind
    words: dict[str, float] = Field(min_length=1)
    patterns: list[str] = Field(min_length=1)
    backing: list[str] | None = None  # replaces the kind's backing for this idiom


class LanguageData(BaseModel):
    model_config = ConfigDict(extra="forbid")

    words: NumberWordsData
    cardinal_days: bool = False
    lowercase_months: bool = False
    months: dict[str, int]
    nouns: dict[str, list[str]]
    idioms: list[IdiomSpec] = Field(default_factory=list)


class NumbersData(BaseModel):
    model_config = ConfigDict(extra="forbid")

    merge_tag: str
    jurisdictions: dict[Jurisdiction, JurisdictionData]
    currencies: CurrencyData
    backing: dict[Kind, list[str]]
    messages: dict[str, str]
    languages: dict[str, LanguageData] = Field(min_length=1)
    mentions: list[MentionSpec] = Field(min_length=1)


# (year or None, month, day): a date without a year matches any year.
DateParts = tuple[int | None, int, int]


@dataclass(frozen=True)
class _Backing:
    field: str
    unit: Unit | None  # only when the offer's unit is this one
    default: float | None = None  # the value when the offer leaves the field out


@dataclass(frozen=True)
class Mention:
    kind: str
    start: int
    end: int
    value: float = math.nan
    # None: the mention names no currency ("no minimum"), so there is none to compare.
    currencies: tuple[str, ...] | None = ()
    dates: tuple[DateParts, ...] = ()
    backing: tuple[_Backing, ...] | None = None  # an idiom's own backing, else the kind's


# Compared by identity: the gate hands back the very idioms the patterns point to.
@dataclass(frozen=True, eq=False)
class _Idiom:
    kind: str
    words: Mapping[str, float]  # lower case, single spaces -> value
    backing: tuple[_Backing, ...] | None


@dataclass(frozen=True)
class _Pattern:
    kind: str
    regex: re.Pattern[str]
    # The same pattern reading digits only ({count} without words), for a text without number
    # words; None where the pattern reads no {count}.
    digits: re.Pattern[str] | None = None
    day_words: bool = False  # reads a day in words ({day_word})
    idiom: _Idiom | None = None


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
        self._words = NumberWords({k: v.words for k, v in data.languages.items()})
        self._months = _month_forms(path, data.languages)
        self._currency = {
            **{k: tuple(v) for k, v in data.currencies.symbols.items()},
            **{code: (code,) for code in data.currencies.codes},
            **{k.lower(): tuple(v) for k, v in data.currencies.words.items()},
        }
        self._backing: dict[str, list[_Backing]] = {
            kind: _parse_backing(path, f"backing.{kind}", refs)
            for kind, refs in data.backing.items()
        }
        missing = [k for k in (*KINDS, "currency_mismatch") if k not in data.messages]
        if missing:
            raise ConfigError(f"data file {path}: messages: missing {', '.join(missing)}")
        missing = [j.value for j in Jurisdiction if j not in data.jurisdictions]
        if missing:
            raise ConfigError(f"data file {path}: jurisdictions: missing {', '.join(missing)}")
        for j, settings in data.jurisdictions.items():
            compile_pattern(path, f"jurisdictions.{j.value}.number", settings.number)
        self._idioms = [
            _Idiom(
                idiom.kind,
                {_phrase_key(w): v for w, v in idiom.words.items()},
                None
                if idiom.backing is None
                else tuple(_parse_backing(path, f"{where}.backing", idiom.backing)),
            )
            for where, idiom in _idiom_specs(data)
        ]
        # Cheap looks at the whole text, so that the patterns they rule out are not run: number
        # words anywhere, a day in words anywhere, and where each idiom word starts (the longest
        # idiom phrase at each position; it also stands for the shorter ones it starts with).
        self._word_gate = re.compile(self._words.pattern())
        self._day_gate = re.compile(self._day_word())
        every_word = _alternation([w for idiom in self._idioms for w in idiom.words]) or "(?!)"
        self._idiom_gate = re.compile(rf"(?i:(?<!\w)(?=({every_word})(?!\w)))")
        self._patterns = {j: self._compile(path, data, j) for j in Jurisdiction}

    def check(self, text: str, ctx: CheckContext) -> list[Finding]:
        findings = []
        for mention in self.mentions(text, ctx.offer.merchant, ctx.jurisdiction):
            finding = self._judge(mention, text, ctx.offer)
            if finding is not None:
                findings.append(finding)
        return findings

    def mentions(
        self, text: str, merchant: str = "", jurisdiction: Jurisdiction = Jurisdiction.US
    ) -> list[Mention]:
        """Number mentions in `text` by position; patterns earlier in the data claim text first.

        `jurisdiction` decides how digits and numeric dates read ("1.500" is 1500 in EU copy).
        """
        # Invisible characters ("1\u200b0%") must not split a number; spans are mapped back.
        visible = drop_invisible(normalise(text))
        folded = mask_pattern(visible.text, self._merge_tag)
        if merchant:
            # Digits in the merchant's own name ("7-Eleven") are not offer numbers.
            merchant_re = re.compile(re.escape(normalise(merchant)), re.IGNORECASE)
            folded = mask_spans(folded, (m.span() for m in merchant_re.finditer(folded)))
        settings = self._data.jurisdictions[jurisdiction]
        words = self._word_gate.search(folded) is not None
        day_words = self._day_gate.search(folded) is not None
        idioms = self._idioms_in(folded)
        claimed: list[tuple[int, int]] = []
        found: list[Mention] = []
        for pattern in self._patterns[jurisdiction]:
            if (pattern.day_words and not day_words) or (
                pattern.idiom is not None and pattern.idiom not in idioms
            ):
                continue
            regex = pattern.regex if words or pattern.digits is None else pattern.digits
            pos = 0
            while (m := regex.search(folded, pos)) is not None:
                pos = max(m.end(), m.start() + 1)
                start, end = m.span("idiom") if pattern.idiom is not None else m.span()
                if any(start < e and s < end for s, e in claimed):
                    continue
                mention = self._parse(pattern, m, settings)
                if mention is not None:
                    claimed.append((start, end))
                    found.append(mention)
                elif m.groupdict().get("word") is not None:
                    # Words the grammar rejects ("five and ten percent"): look again from the
                    # next word, so "ten percent" is still found.
                    pos = m.start() + 1
        if visible.positions is not None:
            found = [_moved(m, *visible.span(m.start, m.end)) for m in found]
        return sorted(found, key=lambda x: x.start)

    def _idioms_in(self, folded: str) -> set[_Idiom]:
        """The idioms one of whose words occurs in `folded`."""
        found = {_phrase_key(m.group(1)) for m in self._idiom_gate.finditer(folded)}
        if not found:
            return set()
        return {
            idiom
            for idiom in self._idioms
            if any(f == w or f.startswith(w + " ") for f in found for w in idiom.words)
        }

    def _compile(self, path: Path, data: NumbersData, jurisdiction: Jurisdiction) -> list[_Pattern]:
        full = self._placeholders(data, jurisdiction)
        digits = full | {"count": f"(?:{full['num']})"}
        out: list[_Pattern] = []
        for (where, spec), idiom in zip(_idiom_specs(data), self._idioms, strict=True):
            extra = {"words": f"(?i:{_alternation(spec.words)})"}
            for j, source in enumerate(spec.patterns):
                regex = _compile_one(path, f"{where}.patterns[{j}]", source, full | extra)
                if "idiom" not in regex.groupindex:
                    raise ConfigError(
                        f"data file {path}: {where}.patterns[{j}]: idiom patterns need the "
                        "group idiom"
                    )
                out.append(_Pattern(idiom.kind, regex, idiom=idiom))
        for i, mention in enumerate(data.mentions):
            if mention.jurisdictions is not None and jurisdiction not in mention.jurisdictions:
                continue
            for j, source in enumerate(mention.patterns):
                where = f"mentions[{i}].patterns[{j}]"
                regex = _compile_one(path, where, source, full)
                _require_groups(path, where, mention.kind, regex)
                only_digits = None
                if "{count}" in source:
                    only_digits = _compile_one(path, where, source, digits)
                out.append(_Pattern(mention.kind, regex, only_digits, "{day_word}" in source))
        return out

    def _day_word(self) -> str:
        # A day in words: any language's ordinal, or a cardinal where dates use them (French).
        langs = self._data.languages
        ordinal = self._words.pattern(ordinal=True)
        cardinal = self._words.pattern([n for n, lang in langs.items() if lang.cardinal_days])
        return f"(?:{ordinal}|{cardinal})(?!-)"

    def _placeholders(self, data: NumbersData, jurisdiction: Jurisdiction) -> dict[str, str]:
        langs = data.languages
        num = f"(?P<num>{data.jurisdictions[jurisdiction].number})"
        capitalised = {form for form in self._months if not form.islower()}
        out = {
            "num": num,
            "count": f"(?:{num}|(?P<word>{self._words.pattern()}))",
            "day_word": f"(?P<day_word>{self._day_word()})",
            "month": f"(?P<month>{alternation(self._months)})",
            "month_capitalised": f"(?P<month>{alternation(capitalised)})",
            "currency_symbol": f"(?P<cur>{alternation(data.currencies.symbols)})",
            "currency_code": f"(?P<cur>{alternation(data.currencies.codes)})",
            "currency_word": f"(?P<cur>(?i:{alternation(data.currencies.words)}))",
        }
        nouns = sorted({noun for lang in langs.values() for noun in lang.nouns})
        for noun in nouns:
            phrases = [p for lang in langs.values() for p in lang.nouns.get(noun, ())]
            body = _alternation(phrases) if phrases else "(?!)"
            out[f"{noun}_word"] = rf"(?i:(?<!\w)(?:{body})(?!\w))"
        return out

    def _parse(self, pattern: _Pattern, m: re.Match[str], jur: JurisdictionData) -> Mention | None:
        if pattern.idiom is not None:
            start, end = m.span("idiom")
            value = pattern.idiom.words.get(_phrase_key(m.group("idiom")))
            if value is None:
                return None
            backing = pattern.idiom.backing
            return Mention(pattern.kind, start, end, value=value, currencies=None, backing=backing)
        if pattern.kind == "date":
            dates = self._dates(m, jur)
            return Mention(pattern.kind, *m.span(), dates=dates) if dates else None
        value = self._value(m, jur)
        if value is None:
            return None
        currencies: tuple[str, ...] = ()
        if "cur" in m.re.groupindex:
            token = m.group("cur")
            currencies = self._currency.get(token) or self._currency.get(token.lower(), ())
        return Mention(pattern.kind, *m.span(), value=value, currencies=currencies)

    def _value(self, m: re.Match[str], jur: JurisdictionData) -> float | None:
        groups = m.groupdict()
        if groups.get("num") is not None:
            return parse_number(groups["num"], dot_groups_thousands=jur.dot_groups_thousands)
        if groups.get("word") is not None:
            value = self._words.value(groups["word"])
            return None if value is None else float(value)
        return None

    def _dates(self, m: re.Match[str], jur: JurisdictionData) -> tuple[DateParts, ...]:
        g = m.groupdict()
        year = int(g["year"]) if g.get("year") else None
        if year is not None and year < 100:
            year += 2000
        readings: list[tuple[int, int]]  # (month, day)
        if g.get("first") is not None:
            a, b = int(g["first"]), int(g["second"])
            if jur.slash_dates == "either":
                readings = [(a, b), (b, a)]
            else:
                # Day first; month first only where the shape allows nothing else ("12/31").
                readings = [(b, a)] if _is_date(year, b, a) else [(a, b)]
        elif g.get("day_word") is not None:
            day = self._words.value(g["day_word"], ordinal=True) or self._words.value(g["day_word"])
            if day is None:
                return ()
            readings = [(self._months[g["month"]], day)]
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
        currencies = mention.currencies
        if (
            mention.kind in _MONEY_KINDS
            and currencies is not None
            and offer.currency not in currencies
        ):
            return self._finding(
                "currency_mismatch",
                mention,
                f"found {surface!r} (amount {_fmt(mention.value)} in "
                f"{'/'.join(currencies) or 'an unknown currency'}); "
                f"the offer is in {offer.currency}",
            )
        backing_values = self._number_backing(mention, offer)
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

    def _number_backing(self, mention: Mention, offer: OfferTerms) -> list[tuple[str, float]]:
        kind = mention.kind
        refs = self._backing.get(kind, ()) if mention.backing is None else mention.backing
        values: list[tuple[str, float]] = []
        for ref in refs:
            if ref.unit is not None and offer.unit is not ref.unit:
                continue
            value = getattr(offer, ref.field)
            if value is None and ref.default is not None:
                values.append((f"no {ref.field}", ref.default))
            elif isinstance(value, int | float) and not isinstance(value, bool):
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
        frozenset({"month", "day_word"}),
        frozenset({"month_num", "day"}),
        frozenset({"first", "second"}),
    ),
    "amount": (frozenset({"num", "cur"}),),
    "reward_amount": (frozenset({"num", "cur"}),),
    "cap_amount": (frozenset({"num", "cur"}),),
}
_NUMBER_GROUPS = (frozenset({"num"}), frozenset({"word"}))


def _idiom_specs(data: NumbersData) -> list[tuple[str, IdiomSpec]]:
    """Every language's idioms in data order, each with where it is in the data file."""
    return [
        (f"languages.{name}.idioms[{i}]", idiom)
        for name, lang in data.languages.items()
        for i, idiom in enumerate(lang.idioms)
    ]


def _moved(mention: Mention, start: int, end: int) -> Mention:
    return replace(mention, start=start, end=end)


def _compile_one(
    path: Path, where: str, source: str, placeholders: Mapping[str, str]
) -> re.Pattern[str]:
    for key, value in placeholders.items():
        source = source.replace("{" + key + "}", value)
    left = _PLACEHOLDER.search(source)
    if left:
        raise ConfigError(f"data file {path}: {where}: unknown placeholder {left.group()}")
    return compile_pattern(path, where, source)


def _require_groups(path: Path, where: str, kind: str, pattern: re.Pattern[str]) -> None:
    options = _REQUIRED_GROUPS.get(kind, _NUMBER_GROUPS)
    if not any(option <= pattern.groupindex.keys() for option in options):
        wanted = " or ".join("+".join(sorted(o)) for o in options)
        raise ConfigError(f"data file {path}: {where}: {kind} patterns need the groups {wanted}")


def _alternation(phrases: list[str] | dict[str, float]) -> str:
    # French copy writes the apostrophe straight or curly (U+2019): "jusqu'à" either way.
    return alternation(phrases).replace("'", "['\u2019]")


def _phrase_key(phrase: str) -> str:
    return " ".join(phrase.replace("\u2019", "'").lower().split())


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


def _month_forms(path: Path, languages: Mapping[str, LanguageData]) -> dict[str, int]:
    # Title case always; upper case only for the full name, so "APR" (the rate) is not April;
    # lower case where the language writes months so ("31 décembre").
    forms: dict[str, int] = {}
    for name, lang in languages.items():
        months = lang.months
        full = {
            number: max((n for n, v in months.items() if v == number), key=len)
            for number in months.values()
        }
        variants = [(n.title(), v) for n, v in months.items()]
        variants += [(n.upper(), v) for v, n in full.items()]
        if lang.lowercase_months:
            variants += [(n.lower(), v) for n, v in months.items()]
        for form, number in variants:
            if forms.setdefault(form, number) != number:
                raise ConfigError(
                    f"data file {path}: languages.{name}.months: {form!r} is month {number} "
                    f"here and month {forms[form]} in another language"
                )
    return forms


def _parse_backing(path: Path, where: str, refs: list[str]) -> list[_Backing]:
    fields = OfferTerms.model_fields
    out: list[_Backing] = []
    for ref in refs:
        ref, _, default = ref.partition("|")
        field, _, unit = ref.partition("@")
        if field not in fields:
            raise ConfigError(
                f"data file {path}: {where}: unknown offer field {field!r}; "
                f"valid fields: {', '.join(fields)}"
            )
        if unit and unit not in Unit.__members__:
            raise ConfigError(
                f"data file {path}: {where}: unknown unit {unit!r}; "
                f"valid units: {', '.join(Unit.__members__)}"
            )
        try:
            fallback = float(default) if default else None
        except ValueError:
            raise ConfigError(f"data file {path}: {where}: {default!r} is no number") from None
        out.append(_Backing(field, Unit(unit) if unit else None, fallback))
    return out
