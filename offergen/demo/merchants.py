"""Demo merchants and their rules: banned and required phrases, reward caps, voice, channel rules.

Rules are drawn first; the copy is then written to obey them (the profile carries what it needs).
"""

from __future__ import annotations

import random
from collections.abc import Mapping, Sequence
from dataclasses import dataclass
from typing import Any

from offergen.demo.tables import Category, MerchantSpec, Voice, tables
from offergen.demo.text import money, slug
from offergen.schemas import Channel, Merchant, MerchantRule, RuleKind

__all__ = ["STOP", "TERMS", "Profile", "demo_tenants", "make_profile", "merchant_order"]

# Fixed wording that rules require and the copy writer checks for, so it is code, not data.
STOP = "Reply STOP to opt out."
TERMS = "Terms apply."


@dataclass
class Profile:
    """A merchant plus the constraints its copy is generated under (mirrors its rules)."""

    merchant: Merchant
    category: Category
    voice: Voice
    currency: str
    tagline: str
    banned: list[str]
    max_percent: int
    max_amount: int | None
    max_multiplier: int | None
    required: str
    required_channels: list[Channel]
    channel_rules: list[dict[str, Any]]
    rules: list[MerchantRule]


def demo_tenants() -> dict[str, str]:
    """The tenant that owns each category: `acme` and `globex` alternate (categories.yaml)."""
    return {name: cat.tenant for name, cat in tables().categories.items()}


def merchant_order(
    merchants: Mapping[str, Sequence[MerchantSpec]], n: int | None
) -> list[tuple[str, MerchantSpec]]:
    """(category, merchant) round-robin over categories, so a reduced KB covers every category."""
    ordered: list[tuple[str, MerchantSpec]] = []
    depth = max(len(specs) for specs in merchants.values())
    for i in range(depth):
        ordered.extend((cat, specs[i]) for cat, specs in merchants.items() if i < len(specs))
    return ordered if n is None else ordered[:n]


def make_profile(
    rng: random.Random, cat_name: str, spec: MerchantSpec, cat: Category, voice: Voice
) -> Profile:
    name, currency, tagline = spec.name, spec.currency, spec.tagline
    mid = f"m_{slug(name)}"
    merchant = Merchant(
        id=mid,
        name=name,
        category=cat_name,
        locale="en-IE" if currency == "EUR" else "en-US",
        brand_voice=f"{voice.description} Tagline: '{tagline}'",
        tenant=cat.tenant,
    )
    rules: list[MerchantRule] = []

    def add(kind: RuleKind, text: str, params: dict[str, Any]) -> None:
        rules.append(
            MerchantRule(
                id=f"r_{slug(name)}_{len(rules) + 1:02d}",
                merchant_id=mid,
                kind=kind,
                text=text,
                params=params,
            )
        )

    n_banned = 2 if rng.random() < 0.3 else 1
    banned = rng.sample(list(cat.banned), n_banned)
    quoted = " or ".join(f"'{b}'" for b in banned)
    add(RuleKind.banned_phrase, f"Never say {quoted}.", {"phrases": banned})

    if cat_name == "bank" or rng.random() < 0.35:
        required, req_channels = TERMS, list(Channel)
        req_text = "Every message includes 'Terms apply.'"
    elif rng.random() < 0.5:
        required, req_channels = TERMS, [Channel.email, Channel.in_app]
        req_text = "Email and in-app copy include 'Terms apply.'"
    else:
        required, req_channels = tagline, [Channel.email]
        req_text = f"Emails end with our tagline '{tagline}'"
    add(
        RuleKind.required_phrase,
        req_text,
        {"phrase": required, "channels": [c.value for c in req_channels]},
    )

    max_percent = rng.choice(cat.max_percent)
    params: dict[str, Any] = {"max_percent": max_percent, "applies_to": ["cashback", "discount"]}
    text = f"Cash back and discounts never exceed {max_percent}%"
    max_amount: int | None = None
    if any(r in ("cashback_amt", "discount_amt") for r in cat.recipes):
        max_amount = rng.choice(cat.max_amount)
        params["max_amount"] = max_amount
        text += f"; fixed rewards never exceed {money(max_amount, currency)}"
    max_multiplier: int | None = None
    if cat.multipliers:
        max_multiplier = rng.choice(cat.max_multiplier)
        params["max_multiplier"] = max_multiplier
        text += f"; points multipliers never exceed {max_multiplier}x"
    add(RuleKind.max_reward, text + ".", params)

    add(
        RuleKind.brand_voice,
        f"Voice: {voice.description}",
        {"tone": spec.voice, "exclamation_marks": voice.exclamation},
    )

    options: list[tuple[str, dict[str, Any]]] = [
        (f"Every SMS ends with '{STOP}'", {"channel": "sms", "must_end_with": STOP}),
        (
            "Push notifications stay within 90 characters.",
            {"channel": "push", "max_chars": 90},
        ),
        (
            "No merge tags such as {{first_name}} in SMS.",
            {"channel": "sms", "merge_tags": False},
        ),
        (
            f"Every SMS starts with '{name}:' so the sender is clear.",
            {"channel": "sms", "must_start_with": f"{name}:"},
        ),
    ]
    if cat_name == "bank":  # regulated senders always carry the opt-out
        picked = [options[0]]
        if rng.random() < 0.5:
            picked.append(rng.choice(options[1:]))
    else:
        picked = rng.sample(options, 2 if rng.random() < 0.25 else 1)
    for text, params in picked:
        add(RuleKind.channel_rule, text, params)

    return Profile(
        merchant=merchant,
        category=cat,
        voice=voice,
        currency=currency,
        tagline=tagline,
        banned=banned,
        max_percent=max_percent,
        max_amount=max_amount,
        max_multiplier=max_multiplier,
        required=required,
        required_channels=req_channels,
        channel_rules=[p for _, p in picked],
        rules=rules,
    )
