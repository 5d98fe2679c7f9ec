"""Terms-locked drafting: the offer's numbers come from code, not from the model.

The prompt shows each offer term as a slot (`[REWARD]`, `[MIN_SPEND]`, `[VALID_UNTIL]`, ...), the
retrieved past offers are shown with their own values replaced by the same slots (`extract`), the
model writes copy with slots, and `fill` writes the request's terms into them. The slot names, the
fields they stand for and how each value is written per currency and locale are data
(prompts/slots.yaml); the written formats are ones the guard's numbers check reads. It joins the
prompt stage and the guard's reading of numbers, so it sits beside grounding and the pipeline, not
inside a stage package.
"""

from __future__ import annotations

import functools
import re
from dataclasses import dataclass
from datetime import date
from pathlib import Path
from typing import TYPE_CHECKING, Literal

from pydantic import BaseModel, ConfigDict, Field, model_validator

from offergen.guardrails.datafile import load_data
from offergen.paths import REPO_ROOT
from offergen.schemas import Finding, OfferKind, OfferTerms, Severity, Unit

if TYPE_CHECKING:
    from offergen.guardrails.checks.numbers import NumbersCheck

__all__ = [
    "SLOTS_FILE",
    "Filled",
    "SlotProblem",
    "SlotTable",
    "default_slots",
    "extract",
    "fill",
    "load_slots",
    "slot_terms",
]

SLOTS_FILE = REPO_ROOT / "prompts" / "slots.yaml"

Format = Literal["reward", "money", "percent", "date", "integer"]
ValueFormat = Literal["money", "percent", "multiplier", "number"]

# The OfferTerms fields a slot may stand for, and the formats each may be written in.
_FIELD_FORMATS: dict[str, tuple[str, ...]] = {
    "value": ("reward",),
    "min_spend": ("money",),
    "cap": ("money",),
    "annual_fee": ("money",),
    "valid_from": ("date",),
    "valid_until": ("date",),
    "apr_after_intro": ("percent",),
    "intro_months": ("integer",),
    "installments": ("integer",),
}
_MONTHS: tuple[str, ...] = ("January", "February", "March", "April", "May", "June", "July")
_MONTHS += ("August", "September", "October", "November", "December")
_SAMPLE_DAY = date(2026, 1, 2)

# What the model writes: "[REWARD]"; read leniently ("[ reward ]" is [REWARD] too).
SLOT_TOKEN = re.compile(r"\[[ \t]*([A-Za-z][A-Za-z0-9_]*)[ \t]*\]")
_MERGE_TAG = re.compile(r"\{\{\s*[A-Za-z_][A-Za-z0-9_.]*\s*\}\}")
_MASK = "\x00"
_SP = "[ \t\u00a0\u202f]?"  # an optional space between a number and its sign
_NUM_BEFORE = r"(?<![\d.,])"  # not inside a longer number
_NUM_AFTER = r"(?![\d]|[.,]\d)"
_EU_GROUPS = (".", " ", "\u00a0", "\u202f")  # thousands separators of 1.500,50 and 1 500,50


# --- the data file ------------------------------------------------------------------------------


class _Data(BaseModel):
    model_config = ConfigDict(extra="forbid", frozen=True)


def _check_regex(where: str, pattern: str | None) -> None:
    if pattern is None:
        return
    try:
        re.compile(pattern)
    except re.error as exc:
        raise ValueError(f"{where}: invalid regex {pattern!r}: {exc}") from None


class SlotSpec(_Data):
    field: str
    format: Format
    followed_by: str | None = None
    before: list[str] = Field(default_factory=list)
    after: list[str] = Field(default_factory=list)

    @model_validator(mode="after")
    def _valid(self) -> SlotSpec:
        formats = _FIELD_FORMATS.get(self.field)
        if formats is None:
            raise ValueError(
                f"unknown offer field {self.field!r}; valid: {', '.join(_FIELD_FORMATS)}"
            )
        if self.format not in formats:
            raise ValueError(f"field {self.field} is written as {' or '.join(formats)}")
        if self.format == "integer" and not self.followed_by:
            raise ValueError(
                "an integer slot needs `followed_by` (the words that make it the term)"
            )
        for key in ("followed_by", "before", "after"):
            value = getattr(self, key)
            for p in value if isinstance(value, list) else [value]:
                _check_regex(key, p)
        return self


class RewardSpec(_Data):
    format: ValueFormat
    followed_by: str | None = None

    @model_validator(mode="after")
    def _valid(self) -> RewardSpec:
        if self.format == "number" and not self.followed_by:
            raise ValueError("a bare-number reward needs `followed_by` (e.g. the word points)")
        _check_regex("followed_by", self.followed_by)
        return self


class LocaleStyle(_Data):
    decimal: Literal[".", ","]
    group: Literal["", ",", ".", " ", "\u00a0", "\u202f", "'"]
    money: str
    money_code: str
    percent: str
    multiplier: str
    date: str
    month_names: list[str] | None = Field(default=None, min_length=12, max_length=12)

    @model_validator(mode="after")
    def _valid(self) -> LocaleStyle:
        if self.group == self.decimal:
            raise ValueError("group and decimal separators must differ")
        samples: dict[str, dict[str, object]] = {
            "money": {"symbol": "$", "amount": "1"},
            "money_code": {"code": "USD", "amount": "1"},
            "percent": {"number": "1"},
            "multiplier": {"number": "1"},
        }
        for key, kwargs in samples.items():
            _check_template(key, getattr(self, key), kwargs)
        _check_template("date", self.date, _date_fields(_SAMPLE_DAY, self.month_names))
        return self


def _check_template(key: str, template: str, kwargs: dict[str, object]) -> None:
    try:
        template.format(**kwargs)
    except (KeyError, IndexError, ValueError) as exc:
        raise ValueError(
            f"{key}: bad template {template!r} ({type(exc).__name__}: {exc}); "
            f"placeholders: {', '.join('{' + k + '}' for k in kwargs)}"
        ) from None


def _date_fields(d: date, month_names: list[str] | None) -> dict[str, object]:
    fields: dict[str, object] = {"day": d.day, "month": d.month, "year": d.year}
    if month_names is not None:
        fields["month_name"] = month_names[d.month - 1]
    return fields


class SlotsFile(_Data):
    """prompts/slots.yaml."""

    slots: dict[str, SlotSpec]
    required: list[str] = Field(default_factory=list)
    required_by_kind: dict[OfferKind, list[str]] = Field(default_factory=dict)
    reward: dict[Unit, RewardSpec]
    symbols: dict[str, list[str]] = Field(default_factory=dict)
    default_locale: str
    locales: dict[str, LocaleStyle]

    @model_validator(mode="after")
    def _valid(self) -> SlotsFile:
        bad = [n for n in self.slots if not re.fullmatch(r"[A-Z][A-Z0-9_]*", n)]
        if bad:
            raise ValueError(f"slot names are upper case words: {', '.join(bad)}")
        fields = [s.field for s in self.slots.values()]
        twice = sorted({f for f in fields if fields.count(f) > 1})
        if twice:
            raise ValueError(f"one slot per field: {', '.join(twice)} have several")
        unslotted = [f for f in _FIELD_FORMATS if f not in fields]
        if unslotted:
            raise ValueError(f"every term needs a slot: none for {', '.join(unslotted)}")
        named = [*self.required, *(n for ns in self.required_by_kind.values() for n in ns)]
        unknown = sorted({n for n in named if n not in self.slots})
        if unknown:
            raise ValueError(f"required: unknown slots {', '.join(unknown)}")
        units = [u.value for u in Unit if u not in self.reward]
        if units:
            raise ValueError(f"reward: no format for units {', '.join(units)}")
        for code, symbols in self.symbols.items():
            if not re.fullmatch(r"[A-Z]{3}", code) or not symbols:
                raise ValueError(f"symbols: {code!r} needs a currency code and one symbol or more")
        if self.default_locale not in self.locales:
            raise ValueError(f"default_locale {self.default_locale!r} is not in locales")
        return self


def load_slots(path: Path = SLOTS_FILE) -> SlotTable:
    """Read and validate the slots data file; any problem is a ConfigError naming file and key."""
    return SlotTable(load_data(path, SlotsFile, "slots file"))


@functools.cache
def default_slots() -> SlotTable:
    return load_slots(SLOTS_FILE)


@functools.cache
def _numbers_check() -> NumbersCheck:
    """The guard's reader of numbers: what it would read as one, `extract` must not leave."""
    from offergen.guardrails.checks.numbers import NumbersCheck, NumbersParams

    return NumbersCheck(NumbersParams(), Severity.block)


# --- results ------------------------------------------------------------------------------------


@dataclass(frozen=True)
class SlotProblem:
    """A slot `fill` could not fill. start/end index the text given to `fill` (the draft), where
    the slot stands; a missing slot spans all of it."""

    rule_id: Literal["slots.unknown", "slots.unset", "slots.missing", "slots.doubled"]
    message: str
    start: int
    end: int


_RULE_MESSAGES = {
    "slots.unknown": "the draft has a slot that does not exist",
    "slots.unset": "the draft has a slot for a term the offer does not have",
    "slots.missing": "the draft lacks a slot the offer's terms require",
    "slots.doubled": "the draft writes a sign beside a slot that writes it already",
}


@dataclass(frozen=True)
class Filled:
    text: str  # slots replaced by the offer's values; those that could not be filled stay
    problems: tuple[SlotProblem, ...] = ()

    @property
    def ok(self) -> bool:
        return not self.problems

    def findings(self, severity: Severity = Severity.block) -> list[Finding]:
        """The problems as guard findings (check `slots`), spans into the draft."""
        return [
            Finding(
                check="slots",
                rule_id=p.rule_id,
                severity=severity,
                start=p.start,
                end=p.end,
                message=_RULE_MESSAGES[p.rule_id],
                explanation=p.message,
            )
            for p in self.problems
        ]


# --- the table ----------------------------------------------------------------------------------


class SlotTable:
    """The slots of one data file: describe, extract and fill with them."""

    def __init__(self, data: SlotsFile) -> None:
        self.data = data
        self._by_field = {spec.field: name for name, spec in data.slots.items()}
        # What a filled money or percent slot writes itself (the draft must not write it too).
        self._signs = frozenset({"%", *(s for symbols in data.symbols.values() for s in symbols)})
        self._before = {
            name: [re.compile(rf"(?<![A-Za-z])(?:{p})\s*\Z") for p in spec.before]
            for name, spec in data.slots.items()
        }
        self._after = {
            name: [re.compile(rf"\s*(?:{p})") for p in spec.after]
            for name, spec in data.slots.items()
        }

    @property
    def names(self) -> tuple[str, ...]:
        return tuple(self.data.slots)

    def token(self, field: str) -> str:
        """The slot standing for an OfferTerms field, as the model writes it: "[MIN_SPEND]"."""
        return f"[{self._by_field[field]}]"

    def unset(self, offer: OfferTerms) -> list[str]:
        """The slots whose term the offer leaves empty, as the model would write them: an example
        that shows one teaches the model to write it, and the backend keeps it from doing so."""
        return [
            f"[{name}]"
            for name, spec in self.data.slots.items()
            if getattr(offer, spec.field) is None
        ]

    def within(self, offer: OfferTerms, like: OfferTerms) -> OfferTerms:
        """`offer` without the slot terms `like` leaves empty: an example's terms as the prompt
        shows them, so that no example line names a slot the new offer cannot fill."""
        empty = {s.field: None for s in self.data.slots.values() if getattr(like, s.field) is None}
        return offer.model_copy(update=empty)

    def required(self, kind: OfferKind) -> list[str]:
        return list(dict.fromkeys([*self.data.required, *self.data.required_by_kind.get(kind, [])]))

    def required_for(self, offer: OfferTerms) -> list[str]:
        """The slots copy for `offer` must contain: the required ones it has a term for."""
        return [n for n in self.required(offer.kind) if self.value(n, offer) is not None]

    def required_tokens(self, offer: OfferTerms) -> list[str]:
        """The same as the model writes them ("[INSTALLMENTS]" for a BNPL offer)."""
        return [f"[{n}]" for n in self.required_for(offer)]

    # --- describing -----------------------------------------------------------------------------

    def slot_terms(self, offer: OfferTerms) -> str:
        """The terms on one line with slots for values, worded as `offergen.terms.describe`:
        '[REWARD] cashback; min spend [MIN_SPEND]; max [CAP]; until [VALID_UNTIL]'."""
        t = self.token
        v = t("value") if offer.value is not None and offer.unit is not None else ""
        counted = offer.unit in (Unit.multiplier, Unit.points)
        label = {
            OfferKind.cashback: f"{v} cashback",
            OfferKind.discount: f"{v} off",
            OfferKind.points: f"{v} points" if counted else v,
            OfferKind.bnpl: "pay in installments",
            OfferKind.intro_apr: f"{v} intro APR",
            OfferKind.fee_waiver: f"{v} fee waived" if v else "fee waived",
            OfferKind.free_shipping: "free shipping",
        }[offer.kind]
        parts = [label.strip()]
        wording = (
            ("installments", "{} payments"),
            ("intro_months", "for {} months"),
            ("apr_after_intro", "then {} APR"),
            ("annual_fee", "annual fee {}"),
            ("min_spend", "min spend {}"),
            ("cap", "max {}"),
            ("valid_from", "from {}"),
            ("valid_until", "until {}"),
        )
        parts += [w.format(t(f)) for f, w in wording if getattr(offer, f) is not None]
        return "; ".join(parts)

    # --- filling --------------------------------------------------------------------------------

    def style(self, locale: str) -> LocaleStyle:
        """The writing style of a locale: "de-AT", else "de", else the default."""
        locales = self.data.locales
        for key in (locale, locale.split("-")[0]):
            if key in locales:
                return locales[key]
        return locales[self.data.default_locale]

    def value(self, name: str, offer: OfferTerms, locale: str = "en-US") -> str | None:
        """What slot `name` is filled with for `offer` (None: the offer has no such term)."""
        spec = self.data.slots[name]
        raw = getattr(offer, spec.field)
        if raw is None:
            return None
        style = self.style(locale)
        if isinstance(raw, date):
            return style.date.format(**_date_fields(raw, style.month_names))
        if spec.format == "integer":
            return str(raw)
        fmt: str = spec.format
        if spec.format == "reward":
            if offer.unit is None:
                return None
            fmt = self.data.reward[offer.unit].format
        return self._write(fmt, float(raw), offer.currency, style)

    def _write(self, fmt: str, v: float, currency: str, style: LocaleStyle) -> str:
        if fmt == "money":
            amount = _number(v, style, money=True)
            symbols = self.data.symbols.get(currency)
            if symbols:
                return style.money.format(symbol=symbols[0], amount=amount)
            return style.money_code.format(code=currency, amount=amount)
        number = _number(v, style)
        if fmt == "percent":
            return style.percent.format(number=number)
        if fmt == "multiplier":
            return style.multiplier.format(number=number)
        return number

    def fill(self, text: str, offer: OfferTerms, locale: str = "en-US") -> Filled:
        """`text` with every slot replaced by the offer's value, written for `locale`.

        A slot that cannot be filled stays as written and is reported, at its place in `text`:
        `slots.unknown` (no such slot), `slots.unset` (the offer has no such term); a required
        slot that `text` lacks is `slots.missing`, spanning all of `text`.
        """
        out: list[str] = []
        problems: list[SlotProblem] = []
        used: set[str] = set()
        pos = 0
        for m in SLOT_TOKEN.finditer(text):
            out.append(text[pos : m.start()])
            pos = m.end()
            name, token = m.group(1).upper(), m.group(0)
            value = self.value(name, offer, locale) if name in self.data.slots else None
            out.append(token if value is None else value)
            if value is not None:
                used.add(name)
                sign = _doubled_sign(text[: m.start()], value, text[m.end() :], self._signs)
                if sign is not None:
                    message = f"{token} writes its own sign; leave the {sign!r} beside it out"
                    problems.append(SlotProblem("slots.doubled", message, *m.span()))
            elif name in self.data.slots:
                field = self.data.slots[name].field
                message = f"{token}: the offer has no {field}; leave it out"
                problems.append(SlotProblem("slots.unset", message, *m.span()))
            else:
                known = ", ".join(f"[{n}]" for n in self.data.slots)
                message = f"{token} is not a slot; slots: {known}"
                problems.append(SlotProblem("slots.unknown", message, *m.span()))
        out.append(text[pos:])
        for name in self.required_for(offer):
            if name not in used:
                field = self.data.slots[name].field
                message = f"[{name}] is missing: the copy must state the offer's {field}"
                problems.append(SlotProblem("slots.missing", message, 0, len(text)))
        return Filled("".join(out), tuple(problems))

    # --- extracting -----------------------------------------------------------------------------

    def extract(self, text: str, offer: OfferTerms) -> str | None:
        """A past offer's copy with its own term values replaced by slots, or None when a number
        would be left that no slot explains (a digit, a number word, an unplaced date) or a value
        could stand for two slots: such copy is not shown as an example."""
        if SLOT_TOKEN.search(text):
            return None  # copy that already has bracketed tokens would read as slots
        masked = _masked(text, offer.merchant)
        spans: dict[tuple[int, int], list[str]] = {}
        for name, pattern in self._patterns(offer):
            for m in pattern.finditer(masked):
                spans.setdefault(m.span(), []).append(name)
        chosen: list[tuple[int, int, str]] = []
        for (start, end), names in sorted(spans.items(), key=lambda x: (x[0][0] - x[0][1], x[0])):
            if any(start < e and s < end for s, e, _ in chosen):
                continue
            slot = names[0] if len(names) == 1 else self._decide(masked, start, end, names)
            if slot is None:
                return None
            chosen.append((start, end, slot))
        out, pos = [], 0
        for start, end, name in sorted(chosen):
            out += [text[pos:start], f"[{name}]"]
            pos = end
        out.append(text[pos:])
        result = "".join(out)
        if re.search(r"\d", _masked(result, offer.merchant)):
            return None
        if _numbers_check().mentions(result, offer.merchant):
            return None  # a number word ("four payments") or another number the guard reads
        return result

    def _decide(self, text: str, start: int, end: int, names: list[str]) -> str | None:
        """Of slots written the same, the one whose context words are at the match, if just one."""
        before, after = text[:start], text[end:]
        fits = [
            n
            for n in names
            if any(p.search(before) for p in self._before[n])
            or any(p.match(after) for p in self._after[n])
        ]
        return fits[0] if len(fits) == 1 else None

    def _patterns(self, offer: OfferTerms) -> list[tuple[str, re.Pattern[str]]]:
        out = []
        for name, spec in self.data.slots.items():
            raw = getattr(offer, spec.field)
            if raw is None:
                continue
            if isinstance(raw, date):
                out.append((name, _date_pattern(raw)))
                continue
            fmt: str = spec.format
            followed_by = spec.followed_by
            if fmt == "reward":
                if offer.unit is None:
                    continue
                reward = self.data.reward[offer.unit]
                fmt, followed_by = reward.format, reward.followed_by
            symbols = tuple(self.data.symbols.get(offer.currency, ()))
            out.append(
                (name, _value_pattern(fmt, float(raw), offer.currency, symbols, followed_by))
            )
        return out


# --- formats ------------------------------------------------------------------------------------


def _plain(v: float, money: bool = False) -> str:
    """`v` with "," grouping and "." decimals: cents on money that has them, else up to 6 places."""
    if float(v).is_integer():
        return f"{int(v):,}"
    if money and abs(v * 100 - round(v * 100)) < 1e-6:
        return f"{v:,.2f}"
    return f"{v:,.6f}".rstrip("0").rstrip(".")


def _number(v: float, style: LocaleStyle, money: bool = False) -> str:
    return "".join(
        style.group if c == "," else style.decimal if c == "." else c for c in _plain(v, money)
    )


def _forms(v: float, money: bool) -> list[str]:
    """Every way copy may write the number `v`: with or without grouping or cents, in en or EU
    style (1,500.50 / 1500.50 / 1.500,50 / 1 500,50), longest first."""
    if float(v).is_integer():
        parts = [(int(v), "")] + ([(int(v), "00")] if money else [])
    else:
        head, _, frac = f"{v:.6f}".rstrip("0").partition(".")
        parts = [(int(head), frac)]
        if len(frac) < 2:
            parts.append((int(head), frac.ljust(2, "0")))
    forms: set[str] = set()
    for whole, frac in parts:
        en = f"{whole:,}"
        eu = [en.replace(",", g) for g in _EU_GROUPS]
        if frac:
            forms.update({f"{whole}.{frac}", f"{whole},{frac}", f"{en}.{frac}"})
            forms.update(f"{w},{frac}" for w in eu)
        else:
            forms.update({str(whole), en, *eu})
    return sorted(forms, key=len, reverse=True)


@functools.lru_cache(maxsize=4096)
def _value_pattern(
    fmt: str, v: float, currency: str, symbols: tuple[str, ...], followed_by: str | None
) -> re.Pattern[str]:
    num = _NUM_BEFORE + "(?:" + "|".join(map(re.escape, _forms(v, fmt == "money"))) + ")"
    num += _NUM_AFTER
    if fmt == "money":
        signs = [re.escape(s) for s in sorted(symbols, key=len, reverse=True)]
        prefix = f"(?<![A-Za-z])(?:{'|'.join([*signs, currency])})"  # $5, US$5, USD 5
        suffix = rf"(?:{'|'.join([*signs, currency])})(?![A-Za-z])"  # 5 €, 5 EUR
        source = f"{prefix}{_SP}{num}|{num}{_SP}{suffix}"
    elif fmt == "percent":
        source = rf"{num}{_SP}(?:%|(?i:per ?cent|pct)\b)"
    elif fmt == "multiplier":
        source = rf"{num}(?:{_SP}[xX\u00d7](?![A-Za-z0-9])|\s+(?i:times)\b)"
    else:
        source = num
    if followed_by:
        source = f"(?:{source})(?={followed_by})"
    return re.compile(source)


@functools.lru_cache(maxsize=4096)
def _date_pattern(d: date) -> re.Pattern[str]:
    """Every way copy may write `d`: "Jun 8, 2026", "June 8th", "8 June 2026", "2026-06-08",
    "08.06.2026", "6/8/2026", "8/6/26", "6/8". A year, if written, must be `d`'s."""
    full = _MONTHS[d.month - 1]
    names = {full, full[:3], full.upper()} | ({"Sept"} if d.month == 9 else set())
    month = "(?:" + "|".join(sorted(names, key=len, reverse=True)) + ")"
    day, mon, y = f"0?{d.day}", f"0?{d.month}", f"{d.year}"
    year = rf"(?:,?\s+{y}(?!\d))?"
    suffix = "(?:st|nd|rd|th)?"
    sources = [
        rf"(?<![A-Za-z]){month}\b\.?\s+{day}{suffix}(?![\d])\b{year}",
        rf"(?<![\d.,]){day}{suffix}\s+(?:of\s+)?{month}\b\.?{year}",
        rf"(?<![\d./-]){y}-{mon}-{day}(?!\d)",
        rf"(?<![\d.,]){day}\.{mon}\.{y}(?!\d)",
        rf"(?<![\d/]){mon}/{day}/(?:{y}|{y[2:]})(?![\d/])",
        rf"(?<![\d/]){day}/{mon}/(?:{y}|{y[2:]})(?![\d/])",
        rf"(?<![\d/]){mon}/{day}(?![\d/])",
    ]
    return re.compile("|".join(f"(?:{s})" for s in sources))


def _masked(text: str, merchant: str) -> str:
    """`text` with merge tags and the merchant's name masked (same length): not offer numbers."""
    spans = [m.span() for m in _MERGE_TAG.finditer(text)]
    if merchant:
        spans += [m.span() for m in re.finditer(re.escape(merchant), text, re.IGNORECASE)]
    chars = list(text)
    for start, end in spans:
        chars[start:end] = _MASK * (end - start)
    return "".join(chars)


def _doubled_sign(before: str, value: str, after: str, signs: frozenset[str]) -> str | None:
    """A currency or percent sign written beside a filled slot that writes one already
    ("$[MIN_SPEND]" -> "$$40", "[REWARD] %" -> "10% %"), or None."""
    if not any(sign in value for sign in signs):
        return None
    head, tail = before.rstrip(), after.lstrip()
    return next((s for s in signs if head.endswith(s) or tail.startswith(s)), None)


# --- the shipped table --------------------------------------------------------------------------


def slot_terms(offer: OfferTerms) -> str:
    """The offer's terms on one line with slots: '[REWARD] cashback; min spend [MIN_SPEND]'."""
    return default_slots().slot_terms(offer)


def required_slots(offer: OfferTerms) -> list[str]:
    """The slots copy for the offer must contain ("[REWARD]" when it has a reward)."""
    return default_slots().required_tokens(offer)


def unset_slots(offer: OfferTerms) -> list[str]:
    """The slots the offer has no term for ("[VALID_FROM]" when it sets no start date)."""
    return default_slots().unset(offer)


def slot_terms_within(offer: OfferTerms, like: OfferTerms) -> str:
    """An example's terms with slots, naming only the slots the new offer (`like`) can fill."""
    table = default_slots()
    return table.slot_terms(table.within(offer, like))


def extract(text: str, offer: OfferTerms) -> str | None:
    """A past offer's copy with its terms' values as slots; None when it cannot be mapped."""
    return _extract(text, offer.model_dump_json())


@functools.lru_cache(maxsize=8192)
def _extract(text: str, offer_json: str) -> str | None:
    # Every terms-locked request maps the same retrieved past offers again (about 1 ms each, the
    # guard's number reading included): remembered per process by copy and terms.
    return default_slots().extract(text, OfferTerms.model_validate_json(offer_json))


def fill(text: str, offer: OfferTerms, locale: str = "en-US") -> Filled:
    """Copy with slots, filled with the offer's terms written for `locale`."""
    return default_slots().fill(text, offer, locale)
