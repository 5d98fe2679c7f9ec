"""Filling phrase templates and formatting the numbers and dates that go into demo copy."""

from __future__ import annotations

import functools
import re
from datetime import date

PLACEHOLDER = re.compile(r"(?<!\{)\{(\w+)\}(?!\})")  # "{m}" but not the merge tag "{{first_name}}"


@functools.cache
def _parts(template: str) -> tuple[str, ...]:
    """A template split into literal text (even places) and placeholder names (odd places)."""
    return tuple(PLACEHOLDER.split(template))


def fill(template: str, fields: dict[str, str]) -> str:
    parts = _parts(template)
    return "".join(p if i % 2 == 0 else fields[p] for i, p in enumerate(parts))


def num(v: float) -> str:
    return f"{int(v):,}" if float(v).is_integer() else f"{v:,.2f}".rstrip("0").rstrip(".")


def money(v: float, currency: str) -> str:
    sym = "€" if currency == "EUR" else "$"
    return f"{sym}{int(v):,}" if float(v).is_integer() else f"{sym}{v:,.2f}"


def pct(v: float) -> str:
    return f"{num(v)}%"


@functools.cache
def long_date(d: date) -> str:
    return f"{d:%b} {d.day}, {d.year}"


def slug(name: str) -> str:
    return re.sub(r"[^a-z0-9]+", "_", name.lower()).strip("_")


def cap_first(s: str) -> str:
    return s[:1].upper() + s[1:] if s else s


def tidy(s: str) -> str:
    s = re.sub(r"\s+", " ", s).strip()
    s = re.sub(r"\s+([.,:!?])", r"\1", s)
    s = re.sub(r"([!?:])\.", r"\1", s)
    return s


def sentences(text: str) -> list[str]:
    return re.split(r"(?<=[.!?])\s+", text)


def join(parts: list[str], keep_case: tuple[str, ...]) -> str:
    """Join parts; a part after one that ends in "," goes on in lower case ("Hi {{first_name}},
    get ..."), unless it starts with a name, a merge tag, a number or an acronym."""
    out: list[str] = []
    for part in parts:
        if not part:
            continue
        after_comma = out and out[-1].endswith(",") and not part.startswith(keep_case)
        if after_comma and part[:1].isupper() and not part[1:2].isupper():
            part = part[:1].lower() + part[1:]
        out.append(part)
    return " ".join(out)
