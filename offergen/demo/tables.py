"""The demo's voice, category, merchant, phrase and channel tables (data/*.yaml), typed.

Nothing is read at import time: `tables()` parses and validates the files on first use and keeps
them. What the placeholders in the phrases mean is said at the top of each file.
"""

from __future__ import annotations

import functools
from pathlib import Path
from typing import Any, Literal

from pydantic import BaseModel, ConfigDict, model_validator

from offergen.errors import ConfigError
from offergen.guardrails.datafile import load_data
from offergen.schemas import Channel

__all__ = [
    "Category",
    "ChannelStyle",
    "DemoTables",
    "MerchantSpec",
    "OfferNumbers",
    "Phrases",
    "Voice",
    "tables",
]

DATA_DIR = Path(__file__).resolve().parent / "data"

PhraseList = tuple[str, ...]  # phrases or templates, one of which is picked


class _Data(BaseModel):
    model_config = ConfigDict(frozen=True, extra="forbid")


class Voice(_Data):
    description: str
    exclamation: bool  # whether a sentence may end in "!"
    openers: PhraseList  # lead-ins for SMS, push, in-app
    closers: PhraseList  # sign-offs for email and in-app
    headlines: PhraseList  # email / in-app first line
    ctas: PhraseList
    deadlines: PhraseList  # deadline sentences in this voice, with {d}
    urgent: PhraseList = ()  # deadline sentences for short windows (energetic voices)
    intros: PhraseList = ()  # sentences that name the merchant, in this voice


class Category(_Data):
    tenant: str
    recipes: dict[str, int]  # offer recipe -> weight
    nouns: PhraseList  # what the reward applies to ("on {noun}")
    habit: str  # "every time you {habit}"
    orders: str  # "on {orders} of $50 or more"
    ctas: PhraseList
    segments: PhraseList  # the generic segments first, then the category's own
    hooks: PhraseList  # questions that say nothing about the offer (SMS, push, in-app)
    colour: PhraseList  # brand colour for email bodies, equally free of offer facts
    max_percent: tuple[int, ...]  # the max_reward rule draws its caps from these
    percents: tuple[float, ...]
    max_amount: tuple[int, ...]
    amounts: tuple[float, ...]
    min_spends: tuple[float, ...]
    caps: tuple[float, ...]
    points: tuple[int, ...]
    max_multiplier: tuple[int, ...]
    multipliers: tuple[int, ...]
    installments: tuple[int, ...]
    ship: str
    banned: PhraseList


class OfferNumbers(_Data):
    """Term values not tied to one category."""

    validity_days: tuple[int, ...]
    intro_months: tuple[int, ...]
    aprs: tuple[float, ...]
    annual_fees: tuple[float, ...]
    activation_fees: tuple[float, ...]


class _CategoryFile(_Data):
    """categories.yaml: `generic_segments` and `defaults` are folded into each category."""

    categories: dict[str, Category]
    offer_numbers: OfferNumbers

    @model_validator(mode="before")
    @classmethod
    def _fold_in_shared(cls, raw: Any) -> Any:
        if not isinstance(raw, dict) or not isinstance(raw.get("categories"), dict):
            return raw
        raw = dict(raw)
        generic = list(raw.pop("generic_segments", None) or [])
        defaults = raw.pop("defaults", None) or {}
        raw["categories"] = {
            name: {**defaults, **own, "segments": generic + list(own.get("segments") or [])}
            for name, own in raw["categories"].items()
        }
        return raw


class _VoiceFile(_Data):
    voices: dict[str, Voice]


class MerchantSpec(_Data):
    name: str
    voice: str
    currency: Literal["USD", "EUR"]
    tagline: str


class _MerchantFile(_Data):
    merchants: dict[str, tuple[MerchantSpec, ...]]  # per category


class Phrases(_Data):
    segment_openers: dict[str, PhraseList]
    segment_lines: dict[str, PhraseList]
    reward: dict[str, PhraseList]  # per recipe
    sentences: dict[str, PhraseList]  # per recipe
    how: dict[str, PhraseList]
    how_for_recipe: dict[str, str]
    cap_clause: dict[str, PhraseList]  # per recipe
    cap_sentence: dict[str, PhraseList]  # per recipe
    cond_clause: PhraseList
    bnpl_cond: PhraseList
    ship_cond: PhraseList
    bank_points_cond: PhraseList
    cond_sentence: PhraseList
    until_inline: PhraseList
    until_sentence: PhraseList
    range_sentence: PhraseList
    merchant_sentence: PhraseList
    preapproved: PhraseList
    greetings: PhraseList
    deal_words: PhraseList
    push_leads: PhraseList
    push_activate: PhraseList
    push_get: PhraseList
    sms_ctas: PhraseList
    opt_outs: PhraseList
    number_words: dict[int, str]


class ChannelStyle(_Data):
    """How the demo spreads its copy over channels and how long it writes it."""

    weights: dict[Channel, int]  # how often each channel is drawn
    demo_max_chars: dict[Channel, int]  # shorter than the guard allows; unlisted: the guard's
    max_sentences: dict[Channel, int]


class DemoTables(_Data):
    voices: dict[str, Voice]
    categories: dict[str, Category]
    offer_numbers: OfferNumbers
    merchants: dict[str, tuple[MerchantSpec, ...]]  # per category, in category order
    phrases: Phrases
    channels: ChannelStyle


def _problems(t: DemoTables) -> list[str]:
    """Names one table uses that another must define."""
    out = [f"merchants: unknown category {c!r}" for c in t.merchants if c not in t.categories]
    out += [
        f"merchants: {m.name!r}: unknown voice {m.voice!r}"
        for specs in t.merchants.values()
        for m in specs
        if m.voice not in t.voices
    ]
    out += [
        f"categories: {name}: recipe {recipe!r} has no {table}"
        for name, cat in t.categories.items()
        for recipe in cat.recipes
        for table in ("reward", "sentences")
        if recipe not in getattr(t.phrases, table)
    ]
    out += [
        f"channels: {table}: no {c.value}"
        for table in ("weights", "max_sentences")
        for c in Channel
        if c not in getattr(t.channels, table)
    ]
    return out


@functools.cache
def tables() -> DemoTables:
    """All demo tables, read and checked on first use (a ConfigError names the file and field)."""
    categories = load_data(DATA_DIR / "categories.yaml", _CategoryFile)
    out = DemoTables(
        voices=load_data(DATA_DIR / "voices.yaml", _VoiceFile).voices,
        categories=categories.categories,
        offer_numbers=categories.offer_numbers,
        merchants=load_data(DATA_DIR / "merchants.yaml", _MerchantFile).merchants,
        phrases=load_data(DATA_DIR / "phrases.yaml", Phrases),
        channels=load_data(DATA_DIR / "channels.yaml", ChannelStyle),
    )
    if problems := _problems(out):
        raise ConfigError(f"demo data in {DATA_DIR}: {'; '.join(problems)}")
    return out
