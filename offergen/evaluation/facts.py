"""The facts a copy states that can be traced: its numbers and the merchants it names.

Numbers are compared as normalised decimal strings ("1,000.50" -> "1000.5"), so "$50" in the
copy and `min_spend: 50` in the terms are the same fact.
"""

from __future__ import annotations

import re
from collections.abc import Iterable
from datetime import date

from offergen.guardrails.text import normalise
from offergen.schemas import OfferTerms

_NUMBER = re.compile(r"(?<![\d.,])\d{1,3}(?:,\d{3})+(?:\.\d+)?|(?<![\d.,])\d+(?:\.\d+)?")
_MERGE_TAG = re.compile(r"\{\{.*?\}\}")


def canonical(number: float | str) -> str:
    """'5', '5.0', '5.00' and 5.0 are all '5'; '1,000' is '1000'."""
    value = float(str(number).replace(",", ""))
    return f"{value:f}".rstrip("0").rstrip(".")


def numbers_in(text: str) -> list[tuple[str, int, int]]:
    """Each number in `text` (merge tags skipped) as (canonical value, start, end)."""
    view = _MERGE_TAG.sub(lambda m: " " * len(m.group()), normalise(text))
    return [(canonical(m.group()), m.start(), m.end()) for m in _NUMBER.finditer(view)]


def _date_parts(d: date) -> Iterable[int]:
    return (d.day, d.month, d.year, d.year % 100)


def offer_numbers(offer: OfferTerms) -> set[str]:
    """Every number the terms back: amounts, rates, counts and the parts of each date."""
    values: list[float] = [
        v
        for v in (
            offer.value,
            offer.min_spend,
            offer.cap,
            offer.apr_after_intro,
            offer.intro_months,
            offer.installments,
            offer.annual_fee,
        )
        if v is not None
    ]
    for d in (offer.valid_from, offer.valid_until):
        if d is not None:
            values.extend(_date_parts(d))
    return {canonical(v) for v in values}


def name_pattern(name: str) -> re.Pattern[str]:
    """A merchant name as written in copy: any case, any spacing, '&' or 'and', possessive ok."""
    words = [re.escape(w) if w != "&" else r"(?:&|and)" for w in name.split()]
    return re.compile(r"(?<![A-Za-z0-9])" + r"\s+".join(words) + r"(?![A-Za-z0-9])", re.I)


def mentions(text: str, name: str) -> list[tuple[int, int]]:
    return [m.span() for m in name_pattern(name).finditer(normalise(text))]
