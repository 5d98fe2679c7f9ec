"""Deterministic demo knowledge base: invented merchants, their rules and ~5,200 past offers.

Every past offer's copy is written from its own OfferTerms, so each number in it is one the terms
back (percent "10%", money "$50"/"€15"/"$50+", multiplier "3x", "500 points", "Dec 31, 2026",
"12 months", "4 payments"/"four payments"/"4 interest-free payments", "19.99% APR"). Rules are
generated first and the copy is generated to obey them (banned phrases, required phrases, reward
caps, voice, channel rules).

Copy varies the way real copy does: each channel has its own shapes (push: a line; SMS: short,
sender-first or hook-first, with an opt-out; in-app: a headline and a sentence or two; email: a
headline, a body that may restate the conditions on their own, a call to action and a sign-off),
the merchant's brand voice picks the openers, headlines, calls to action, deadline wording and
whether a sentence may end in "!", and the same reward is stated several ways ("5% back", "earn
5% cash back", "get $10 off $50+", "spend $50, save $10").

Performance figures are drawn apart from the copy (their own random stream): sends are lognormal
per channel with some small pilots (tens to hundreds of sends), click-through and redemption come
from a latent quality that is mostly middling with a heavy right tail, and counts are binomial, so
small pilots are noisy the way a ranking with a prior expects.

All randomness comes from `random.Random` instances seeded from `seed` and the merchant id, so the
same arguments always give the same KB, and one merchant's offers do not depend on how many other
merchants are generated.
"""

from __future__ import annotations

import functools
import math
import random
import re
from dataclasses import dataclass, field
from datetime import date, timedelta
from typing import Any

from offergen.schemas import (
    Channel,
    Merchant,
    MerchantRule,
    OfferKind,
    OfferTerms,
    PastOffer,
    RuleKind,
    Unit,
)

__all__ = ["DEMO_TENANTS", "DemoKB", "generate_demo_kb"]

STOP = "Reply STOP to opt out."
TERMS = "Terms apply."
# Other opt-out wordings carriers accept (CTIA); merchants with a must_end_with rule use STOP.
_OPT_OUTS = ("Text STOP to opt out.", "Reply STOP to unsubscribe.", "STOP to end.")
MAX_CHARS: dict[Channel, int] = {
    Channel.sms: 160,
    Channel.push: 110,
    Channel.in_app: 240,
    Channel.email: 420,
}
# What the channel check in guardrails/ allows (guardrails/data/channel.yaml): SMS one GSM-7
# segment, push 178, in-app 250, email 1,000 characters.
_GUARD_LIMITS: dict[Channel, int] = {
    Channel.sms: 160,
    Channel.push: 178,
    Channel.in_app: 250,
    Channel.email: 1000,
}
MAX_SENTENCES = {Channel.sms: 7, Channel.push: 4, Channel.in_app: 7, Channel.email: 9}
FIRST_SENT = date(2025, 1, 6)
LAST_SENT = date(2026, 10, 31)  # + at most 60 days of validity stays inside 2026


@dataclass
class DemoKB:
    merchants: list[Merchant] = field(default_factory=list)
    rules: list[MerchantRule] = field(default_factory=list)
    past_offers: list[PastOffer] = field(default_factory=list)


# --- data: voices, categories, merchants ---------------------------------------------------------
# Template placeholders: {m} merchant, {noun}, {R} reward phrase ({Rc} capitalised), {d} end date.
# A template whose placeholders the offer cannot fill is skipped; "sav..." wording is kept to offers
# that save money, and {R} in a headline to rewards that read as a noun phrase.


@dataclass(frozen=True)
class _Voice:
    description: str
    exclamation: bool
    openers: tuple[str, ...]  # lead-ins for SMS, push, in-app
    closers: tuple[str, ...]  # sign-offs for email and in-app
    headlines: tuple[str, ...]  # email / in-app first line
    ctas: tuple[str, ...]
    deadlines: tuple[str, ...]  # deadline sentences in this voice, with {d}
    urgent: tuple[str, ...] = ()  # deadline sentences for short windows (energetic voices)
    intros: tuple[str, ...] = ()  # sentences that name the merchant, in this voice


_VOICES: dict[str, _Voice] = {
    "friendly": _Voice(
        "Warm and upbeat, like a helpful neighbour; short sentences, exclamation marks welcome.",
        True,
        (
            "Good news!",
            "Hi {{first_name}}!",
            "Hey {{first_name}},",
            "Here's a treat:",
            "Something for you:",
            "Great news:",
            "Guess what?",
        ),
        ("Happy shopping!", "Enjoy!", "We can't wait to see you.", "See you soon!", "Have fun!"),
        (
            "Something good for {noun}!",
            "A little treat from {m}!",
            "{Rc} is waiting for you!",
            "Good news for {noun}.",
            "Your next visit just got better!",
            "Treat yourself, {{first_name}}!",
            "We saved you a deal.",
        ),
        ("Come say hi.", "Give it a try!", "Tap to add it to your card.", "Tap to activate."),
        ("Good until {d}.", "Make sure to use it by {d}.", "Offer ends {d}.", "Valid through {d}."),
        intros=(
            "Your friends at {m} have a treat for you!",
            "{m} has something for you!",
            "Thanks for choosing {m}!",
        ),
    ),
    "premium": _Voice(
        "Understated and polished; no exclamation marks, no slang, no hype.",
        False,
        (
            "{{first_name}}, an invitation:",
            "Reserved for you:",
            "With our compliments:",
            "For you, {{first_name}}:",
            "A considered offer:",
            "An exclusive offer:",
        ),
        ("We look forward to welcoming you.", "With our compliments.", "Enjoy, {{first_name}}."),
        (
            "An invitation from {m}.",
            "{Rc}, reserved for you.",
            "A considered offer on {noun}.",
            "Exclusively for you, {{first_name}}.",
            "Our compliments on {noun}.",
            "Something special from {m}.",
        ),
        (
            "Reserve yours in the app.",
            "Discover more in the app.",
            "Activate at your convenience.",
            "Explore in the app.",
        ),
        ("Available until {d}.", "Valid until {d}.", "The offer closes on {d}.", "Until {d}."),
        intros=(
            "{m} is pleased to offer you the following.",
            "With the compliments of {m}.",
            "A private offer from {m}.",
        ),
    ),
    "playful": _Voice(
        "Witty and light; wordplay is welcome, never sarcastic.",
        True,
        (
            "Psst!",
            "Guess what?",
            "Ooh, look:",
            "Plot twist:",
            "Yes, really:",
            "Surprise!",
            "Psst, {{first_name}}!",
        ),
        ("You're welcome.", "Go on, treat yourself!", "Your wallet says thanks.", "Nice, right?"),
        (
            "Your wallet called. It wants {R}.",
            "Plot twist: {noun} just got better.",
            "Spoiler alert: it's {R}.",
            "Good things come to those who tap.",
            "We made {noun} a little sweeter.",
            "Consider this your sign.",
        ),
        ("Go on, tap it.", "You know what to do.", "Tap to claim.", "Tap, save, smile!"),
        ("Tick tock: it ends {d}.", "It's gone after {d}.", "Ends {d}. No pressure.", "Ends {d}."),
        ("Tick tock: it ends {d}.", "Blink and you'll miss it: ends {d}."),
        intros=(
            "{m} has a little surprise for you.",
            "{m} here, with a treat.",
            "Knock knock. It's {m}.",
        ),
    ),
    "energetic": _Voice(
        "Bold and fast-paced; lead with the reward, keep it punchy.",
        True,
        (
            "Heads up!",
            "Don't miss this:",
            "Quick!",
            "Hot deal:",
            "Time to save:",
            "Ready, set, save:",
            "Act now:",
            "{{first_name}}, this is big:",
        ),
        ("Don't miss out!", "Make it count!", "Go get it!", "Grab it while it lasts!"),
        (
            "{Rc}. Right now.",
            "Big savings alert!",
            "Ready, set, save!",
            "Don't sit on this!",
            "Time to save big!",
            "Your upgrade is here!",
        ),
        ("Grab it now!", "Tap and save!", "Activate now!", "Claim it today!", "Don't wait."),
        ("Ends {d}.", "Offer ends {d}.", "Ends {d}, so be quick!", "Use it by {d}!"),
        ("Hurry, it ends {d}.", "Clock's ticking: ends {d}!", "Hurry, it ends {d}!"),
        intros=(
            "{m} is bringing the deals!",
            "Big news from {m}!",
            "{m} has a hot offer for you.",
        ),
    ),
    "practical": _Voice(
        "Clear and matter-of-fact; state the offer plainly, no exclamation marks.",
        False,
        (
            "New offer:",
            "Offer for you:",
            "Here's your offer:",
            "Update:",
            "{{first_name}}, your offer:",
            "Save on your next visit:",
        ),
        ("Simple as that.", "That's it.", "Questions? Ask us in the app."),
        (
            "Your {m} offer: {R}.",
            "Save on {noun}.",
            "{Rc} on {noun}.",
            "Offer details below.",
            "A new offer for your account.",
            "Here's what's new at {m}.",
        ),
        ("Activate in the app.", "Details in the app.", "Tap to activate.", "Add it in the app."),
        ("Valid through {d}.", "Offer valid until {d}.", "Use it by {d}.", "Expires {d}."),
        intros=(
            "Here's your offer from {m}.",
            "Your {m} offer is here.",
            "An update from {m}.",
        ),
    ),
    "caring": _Voice(
        "Calm and reassuring; gentle wording, never pushy, no exclamation marks.",
        False,
        (
            "Hi {{first_name}},",
            "A little help:",
            "Take care of yourself:",
            "Something to help:",
            "Looking after yourself?",
            "We thought of you:",
        ),
        ("Take care.", "We're here when you need us.", "Look after yourself."),
        (
            "A little help with {noun}.",
            "Something to make {noun} easier.",
            "We thought this might help.",
            "Looking after you, {{first_name}}.",
            "A small thank-you from {m}.",
        ),
        (
            "Add it whenever suits you.",
            "Take a look when you're ready.",
            "It's in the app when you need it.",
        ),
        ("It's yours until {d}.", "There's time: it's valid until {d}.", "Valid through {d}."),
        intros=(
            "{m} is here to help.",
            "A little something from {m}.",
            "From all of us at {m}.",
        ),
    ),
}

# Openers that fit a customer segment better than a voice-generic one (SMS, push, in-app).
_SEGMENT_OPENERS: dict[str, tuple[str, ...]] = {
    "new_customers": ("Welcome to {m}!", "Welcome aboard!", "Thanks for joining {m}."),
    "lapsed_90d": ("We miss you!", "It's been a while, {{first_name}}.", "Come back and save."),
    "high_spenders": ("A thank-you for being a valued customer:", "Just for our best customers:"),
    "vip": ("A thank-you for being a valued customer:", "VIP perk:"),
    "students": ("Student perk:", "Study break:"),
    "families": ("For the whole family:", "Family perk:"),
    "frequent_travelers": ("For your next getaway:", "Ready for take-off?"),
    "commuters": ("For your daily commute:", "Commuter perk:"),
}
# Email / in-app body lines for a segment (a full sentence, after the headline).
_SEGMENT_LINES: dict[str, tuple[str, ...]] = {
    "new_customers": ("Welcome to {m}.", "Thanks for joining {m}, we're glad you're here."),
    "lapsed_90d": ("It's been a while, and we've missed you.", "Come back and see what's new."),
    "high_spenders": (
        "A thank-you for being a valued customer.",
        "As a valued customer, you get this first.",
    ),
    "vip": ("As a VIP, you get this first.", "A thank-you for being a valued customer."),
    "students": ("A little something for your student budget.",),
    "families": ("Something for the whole family.",),
    "frequent_travelers": ("For wherever you're headed next.",),
    "commuters": ("For the daily commute.",),
}


@dataclass(frozen=True)
class _Category:
    recipes: tuple[tuple[str, int], ...]  # offer recipe name, weight
    nouns: tuple[str, ...]  # what the reward applies to ("on {noun}")
    habit: str  # "every time you {habit}"
    orders: str  # "on {orders} of $50 or more"
    ctas: tuple[str, ...]
    segments: tuple[str, ...]
    max_percent: tuple[int, ...] = (15,)
    percents: tuple[float, ...] = (5, 10, 15)
    max_amount: tuple[int, ...] = (25,)
    amounts: tuple[float, ...] = (5, 10, 20)
    min_spends: tuple[float, ...] = (50, 75, 100)
    caps: tuple[float, ...] = (10, 25, 50)
    points: tuple[int, ...] = (250, 500, 1000)
    max_multiplier: tuple[int, ...] = ()
    multipliers: tuple[int, ...] = ()
    installments: tuple[int, ...] = ()
    ship: str = "shipping"
    banned: tuple[str, ...] = ("cheap", "bargain", "lowest price", "act now", "unbeatable")


_GENERIC_SEGMENTS = ("general", "new_customers", "lapsed_90d", "high_spenders")

_CATEGORIES: dict[str, _Category] = {
    "grocery": _Category(
        recipes=(
            ("cashback_pct", 4),
            ("cashback_amt", 2),
            ("discount_pct", 2),
            ("points_fixed", 2),
            ("free_shipping", 1),
        ),
        nouns=(
            "your weekly shop",
            "groceries",
            "fresh produce",
            "your next grocery order",
            "pantry staples",
        ),
        habit="shop at {m}",
        orders="orders",
        ctas=(
            "Shop now.",
            "Add it to your next order.",
            "Tap to activate.",
            "Load it to your card.",
            "See you in store.",
        ),
        segments=(*_GENERIC_SEGMENTS, "families", "students", "weekly_shoppers"),
        max_percent=(10, 12, 15),
        percents=(2, 3, 5, 8, 10, 12, 15),
        max_amount=(20, 25),
        amounts=(5, 10, 15, 20),
        min_spends=(40, 50, 75, 100),
        caps=(10, 15, 20, 25),
        points=(200, 250, 500, 750, 1000),
        ship="delivery",
    ),
    "dining": _Category(
        recipes=(
            ("cashback_pct", 3),
            ("discount_pct", 3),
            ("discount_amt", 2),
            ("points_mult", 2),
            ("free_shipping", 1),
        ),
        nouns=("your next meal", "dinner", "takeout", "lunch", "your next order"),
        habit="order from {m}",
        orders="orders",
        ctas=(
            "Order now.",
            "Book your table.",
            "Order in the app.",
            "Tap to claim.",
            "Come hungry.",
        ),
        segments=(*_GENERIC_SEGMENTS, "students", "families", "weekend_diners"),
        max_percent=(15, 20, 25),
        percents=(5, 10, 15, 20, 25),
        max_amount=(10, 15),
        amounts=(5, 7.5, 10, 15),
        min_spends=(25, 30, 40, 50),
        caps=(10, 15, 20),
        max_multiplier=(2, 3),
        multipliers=(2, 3),
        ship="delivery",
    ),
    "travel": _Category(
        recipes=(("points_mult", 4), ("discount_pct", 2), ("points_fixed", 2), ("cashback_pct", 1)),
        nouns=(
            "your next trip",
            "weekend getaways",
            "summer travel",
            "your next adventure",
            "your next booking",
        ),
        habit="book with {m}",
        orders="bookings",
        ctas=("Book now.", "Plan your trip.", "Start planning.", "Book in the app."),
        segments=(*_GENERIC_SEGMENTS, "frequent_travelers", "families", "business_travelers"),
        max_percent=(20, 25, 30),
        percents=(5, 10, 15, 20, 25, 30),
        min_spends=(200, 300, 500),
        caps=(50, 75, 100),
        points=(1000, 2000, 2500, 5000),
        max_multiplier=(4, 5),
        multipliers=(2, 3, 4, 5),
        banned=("cheap", "bargain", "once in a lifetime", "unbeatable", "lowest price"),
    ),
    "fuel": _Category(
        recipes=(("cashback_amt", 4), ("cashback_pct", 3), ("points_fixed", 1)),
        nouns=("every fill-up", "fuel", "your next fill-up", "gas", "fuel and snacks"),
        habit="fill up at {m}",
        orders="purchases",
        ctas=("Fill up and save.", "Pay at the pump.", "Tap to activate.", "Drive in today."),
        segments=(*_GENERIC_SEGMENTS, "commuters", "road_trippers", "fleet_drivers"),
        max_percent=(3, 5),
        percents=(2, 3, 5),
        max_amount=(5, 8),
        amounts=(2, 3, 5, 8),
        min_spends=(25, 30, 40),
        caps=(10, 15, 20),
        points=(100, 200, 300),
        banned=("cheap", "free money", "unbeatable", "act now"),
    ),
    "electronics": _Category(
        recipes=(("bnpl", 4), ("discount_pct", 3), ("discount_amt", 2), ("free_shipping", 1)),
        nouns=(
            "your next gadget",
            "new laptops",
            "headphones",
            "smart home gear",
            "TVs and tablets",
        ),
        habit="shop at {m}",
        orders="orders",
        ctas=("Shop now.", "Upgrade today.", "See the deals.", "Shop in the app."),
        segments=(*_GENERIC_SEGMENTS, "students", "gamers", "early_adopters"),
        max_percent=(15, 20),
        percents=(5, 10, 15, 20),
        max_amount=(50, 100),
        amounts=(25, 50, 75, 100),
        min_spends=(150, 200, 300, 500),
        caps=(50, 100),
        installments=(4, 6, 12),
    ),
    "fashion": _Category(
        recipes=(("discount_pct", 5), ("free_shipping", 2), ("bnpl", 2), ("discount_amt", 2)),
        nouns=(
            "new-season styles",
            "your next look",
            "shoes and bags",
            "the new collection",
            "everyday basics",
        ),
        habit="shop at {m}",
        orders="orders",
        ctas=("Shop the collection.", "Shop now.", "Find your fit.", "Browse the edit."),
        segments=(*_GENERIC_SEGMENTS, "style_lovers", "students", "vip"),
        max_percent=(30, 40),
        percents=(10, 15, 20, 25, 30, 40),
        max_amount=(25, 40),
        amounts=(10, 15, 20, 25, 40),
        min_spends=(50, 75, 100, 150),
        caps=(50, 75),
        installments=(4,),
        banned=("cheap", "bargain", "knock-off", "unbeatable", "act now"),
    ),
    "pharmacy": _Category(
        recipes=(
            ("points_fixed", 3),
            ("discount_pct", 3),
            ("cashback_amt", 2),
            ("free_shipping", 1),
        ),
        nouns=(
            "health and beauty essentials",
            "vitamins",
            "your next order",
            "skincare",
            "everyday essentials",
        ),
        habit="shop at {m}",
        orders="orders",
        ctas=("Shop now.", "Tap to activate.", "Find it in store.", "Order in the app."),
        segments=(*_GENERIC_SEGMENTS, "families", "seniors", "wellness_fans"),
        max_percent=(15, 20, 25),
        percents=(10, 15, 20, 25),
        max_amount=(10, 15),
        amounts=(5, 10, 15),
        min_spends=(30, 40, 50),
        points=(100, 200, 300, 500),
        banned=("cheap", "miracle", "cure", "guaranteed results", "act now"),
    ),
    "home": _Category(
        recipes=(("discount_pct", 3), ("bnpl", 3), ("free_shipping", 2), ("discount_amt", 2)),
        nouns=("home upgrades", "furniture", "bedding and bath", "tools", "your next project"),
        habit="shop at {m}",
        orders="orders",
        ctas=("Shop now.", "Get inspired.", "Start your project.", "Shop in the app."),
        segments=(*_GENERIC_SEGMENTS, "homeowners", "movers", "diy_fans"),
        max_percent=(20, 25, 30),
        percents=(10, 15, 20, 25, 30),
        max_amount=(50, 75),
        amounts=(20, 25, 50, 75),
        min_spends=(100, 150, 250, 500),
        caps=(50, 100),
        installments=(4, 6, 12),
    ),
    "entertainment": _Category(
        recipes=(("discount_pct", 3), ("discount_amt", 2), ("cashback_pct", 2), ("points_mult", 2)),
        nouns=("tickets", "movie night", "your next show", "family days out", "snacks and tickets"),
        habit="book tickets with {m}",
        orders="bookings",
        ctas=("Book now.", "Get your tickets.", "Grab your seats.", "Book in the app."),
        segments=(*_GENERIC_SEGMENTS, "families", "students", "weekend_planners"),
        max_percent=(20, 25),
        percents=(10, 15, 20, 25),
        max_amount=(10, 15),
        amounts=(5, 10, 15),
        min_spends=(30, 40, 60),
        caps=(10, 20),
        max_multiplier=(2, 3),
        multipliers=(2, 3),
    ),
    "streaming": _Category(
        recipes=(("discount_pct", 4), ("discount_amt", 2), ("cashback_pct", 2)),
        nouns=("your subscription", "your monthly plan", "an annual plan", "premium"),
        habit="renew with {m}",
        orders="plans",
        ctas=("Upgrade in the app.", "Start watching.", "Press play.", "Switch your plan."),
        segments=(*_GENERIC_SEGMENTS, "students", "families", "binge_watchers"),
        max_percent=(30, 50),
        percents=(10, 20, 25, 30, 50),
        max_amount=(5, 10),
        amounts=(3, 5, 10),
        min_spends=(),
        caps=(),
    ),
    "rideshare": _Category(
        recipes=(("discount_pct", 3), ("cashback_pct", 2), ("points_mult", 2), ("discount_amt", 2)),
        nouns=(
            "your next ride",
            "airport rides",
            "rides this week",
            "late-night rides",
            "your commute",
        ),
        habit="ride with {m}",
        orders="rides",
        ctas=("Book a ride.", "Open the app.", "Ride now.", "Tap to claim."),
        segments=(*_GENERIC_SEGMENTS, "commuters", "students", "night_owls"),
        max_percent=(20, 25, 30),
        percents=(10, 15, 20, 25, 30),
        max_amount=(10,),
        amounts=(3, 5, 10),
        min_spends=(15, 20),
        caps=(5, 10, 15),
        max_multiplier=(3, 5),
        multipliers=(2, 3, 5),
    ),
    "telecom": _Category(
        recipes=(("bnpl", 4), ("discount_amt", 3), ("fee_waiver_amt", 2)),
        nouns=("a new phone", "the latest phones", "a new tablet", "your next upgrade"),
        habit="pay your {m} bill",
        orders="plans",
        ctas=("Upgrade today.", "Switch today.", "Visit a store.", "Check your plan."),
        segments=(*_GENERIC_SEGMENTS, "families", "switchers", "upgraders"),
        max_percent=(15,),
        percents=(10, 15),
        max_amount=(10, 15, 20),
        amounts=(5, 10, 15, 20),
        min_spends=(),
        installments=(12, 24, 36),
        banned=("cheap", "unlimited everything", "free phone", "act now"),
    ),
    "bank": _Category(
        recipes=(
            ("intro_apr", 3),
            ("fee_waiver_card", 2),
            ("points_fixed", 2),
            ("cashback_pct", 3),
        ),
        nouns=("everyday purchases", "dining and groceries", "travel purchases", "purchases"),
        habit="use your {card}",
        orders="purchases",
        ctas=("Apply in minutes.", "Activate in the app.", "Apply today.", "See if you qualify."),
        segments=(*_GENERIC_SEGMENTS, "students", "frequent_travelers", "prime_credit"),
        max_percent=(3, 5),
        percents=(1.5, 2, 3, 5),
        min_spends=(500, 1000, 2000, 3000),
        caps=(),
        points=(10000, 20000, 30000, 50000),
        banned=("free money", "guaranteed approval", "no credit check", "risk-free", "cheap"),
    ),
}

# Two demo tenants share the deployment, so tenant isolation can be seen and tested: `acme` (a card
# issuer) and `globex` (a wallet) own alternate categories, so even a KB cut down to the first
# few merchants (one per category, in this order) holds both.
DEMO_TENANTS: dict[str, str] = {
    "grocery": "acme",
    "dining": "globex",
    "travel": "acme",
    "fuel": "globex",
    "electronics": "acme",
    "fashion": "globex",
    "pharmacy": "acme",
    "home": "globex",
    "entertainment": "acme",
    "streaming": "globex",
    "rideshare": "acme",
    "telecom": "globex",
    "bank": "acme",
}

# (name, category, voice, currency, tagline). Names are invented; none contains a digit or a
# number word, so every number in generated copy comes from the offer terms.
_MERCHANTS: tuple[tuple[str, str, str, str, str], ...] = (
    ("FreshMart", "grocery", "friendly", "USD", "Fresh every day."),
    ("GreenBasket", "grocery", "caring", "USD", "Good food, grown right."),
    ("Harvest Lane", "grocery", "practical", "USD", "Your neighbourhood market."),
    ("PantryPlus", "grocery", "energetic", "USD", "Stock up, save more."),
    ("Corner Crate", "grocery", "playful", "EUR", "Small shop, big flavour."),
    ("Bella Forno", "dining", "friendly", "USD", "Wood-fired, always."),
    ("Urban Bowl", "dining", "playful", "USD", "Bowled over yet?"),
    ("Smoke & Sage BBQ", "dining", "energetic", "USD", "Low and slow, every time."),
    ("Noodle Nest", "dining", "playful", "EUR", "Slurp happily."),
    ("Sunrise Diner", "dining", "friendly", "USD", "Breakfast all day."),
    ("SkyHop Airways", "travel", "premium", "USD", "Fly further."),
    ("Wanderly Hotels", "travel", "premium", "USD", "Stay somewhere better."),
    ("Coastline Cruises", "travel", "friendly", "USD", "The sea is calling."),
    ("RoamRail", "travel", "practical", "EUR", "Travel the easy way."),
    ("Atlas Car Rental", "travel", "practical", "USD", "Keys to the open road."),
    ("Bolt Fuel", "fuel", "energetic", "USD", "Fill up fast."),
    ("Apex Petrol", "fuel", "practical", "USD", "Fuel you can count on."),
    ("Milepost Gas", "fuel", "playful", "USD", "Every mile counts."),
    ("EverFill", "fuel", "friendly", "USD", "Ready when you are."),
    ("Northstar Energy", "fuel", "practical", "EUR", "Energy for every journey."),
    ("Voltix", "electronics", "energetic", "USD", "Power up."),
    ("PixelPoint", "electronics", "playful", "USD", "Tech that clicks."),
    ("Circuitry Hub", "electronics", "practical", "USD", "All your tech, sorted."),
    ("Nimbus Tech", "electronics", "premium", "USD", "Technology, refined."),
    ("ByteBarn", "electronics", "friendly", "EUR", "Gadgets for everyone."),
    ("Thread & Co", "fashion", "premium", "USD", "Made to last."),
    ("Luxe Lane", "fashion", "premium", "USD", "Effortless elegance."),
    ("StrideWear", "fashion", "energetic", "USD", "Move in style."),
    ("Urban Loom", "fashion", "playful", "USD", "Wear your mood."),
    ("Marigold Boutique", "fashion", "friendly", "EUR", "Style with a smile."),
    ("CareWell Pharmacy", "pharmacy", "caring", "USD", "Here for your health."),
    ("VitaPlus", "pharmacy", "friendly", "USD", "Feel your best."),
    ("Remedy Row", "pharmacy", "caring", "USD", "Care, close to home."),
    ("PureDose", "pharmacy", "practical", "USD", "Wellness made simple."),
    ("Bloom Health", "pharmacy", "caring", "EUR", "Grow well."),
    ("NestHome", "home", "friendly", "USD", "Make it yours."),
    ("Hearth & Oak", "home", "premium", "USD", "Crafted for living."),
    ("FixRight Hardware", "home", "practical", "USD", "Get it done right."),
    ("Cozy Quarters", "home", "playful", "USD", "Home, but cozier."),
    ("Maple Living", "home", "caring", "EUR", "Rooms that feel like you."),
    ("StarLight Cinemas", "entertainment", "playful", "USD", "Lights, camera, savings."),
    ("Arcadia Arenas", "entertainment", "energetic", "USD", "Game on."),
    ("TicketTide", "entertainment", "energetic", "USD", "Catch the moment."),
    ("Rhythm Hall", "entertainment", "premium", "USD", "Live, and in tune."),
    ("Playland Parks", "entertainment", "friendly", "USD", "Fun for the whole family."),
    ("Streamly", "streaming", "playful", "USD", "Press play."),
    ("CineBox", "streaming", "friendly", "USD", "Movie night, every night."),
    ("TuneWave", "streaming", "energetic", "USD", "Turn it up."),
    ("Nebula Play", "streaming", "premium", "EUR", "Stories, beautifully told."),
    ("Binge Bay", "streaming", "playful", "USD", "Next episode? Always."),
    ("Zoomly Rides", "rideshare", "energetic", "USD", "Get there faster."),
    ("Hopr", "rideshare", "playful", "USD", "Hop in."),
    ("CityGlide", "rideshare", "practical", "USD", "Your city, your ride."),
    ("Swift Cabs", "rideshare", "friendly", "USD", "Ready when you are."),
    ("Wheelz", "rideshare", "playful", "EUR", "Roll with us."),
    ("Skyline Mobile", "telecom", "practical", "USD", "Stay connected."),
    ("Pulse Telecom", "telecom", "energetic", "USD", "Feel the signal."),
    ("Orbit Wireless", "telecom", "friendly", "USD", "Coverage that goes further."),
    ("ClearWave", "telecom", "premium", "USD", "Clarity in every call."),
    ("Beacon Mobile", "telecom", "caring", "EUR", "Always within reach."),
    ("Summit Card", "bank", "premium", "USD", "Reach higher."),
    ("Harbor Bank", "bank", "practical", "USD", "Banking with a steady hand."),
    ("Keystone Credit", "bank", "practical", "USD", "Credit, made clear."),
    ("Meridian Pay", "bank", "friendly", "USD", "Pay your way."),
    ("Aurora Wallet", "bank", "playful", "EUR", "Your money, brighter."),
)

_INTRO_MONTHS = (12, 15, 18, 21)
_APRS = (19.99, 21.24, 22.49, 24.99, 27.49)
_ANNUAL_FEES = (95, 99, 150, 250)
_ACTIVATION_FEES = (25, 30, 35)
_VALIDITY_DAYS = (7, 10, 14, 21, 30, 45, 60)
_CHANNEL_WEIGHTS = {Channel.email: 3, Channel.push: 3, Channel.sms: 2, Channel.in_app: 2}
_NUMBER_WORDS = {2: "two", 3: "three", 4: "four", 6: "six", 12: "twelve"}


# Per category: question hooks (SMS, push, in-app) and brand colour for email bodies. Neither
# says anything about the offer, so neither can contradict its terms.
_HOOKS: dict[str, tuple[str, ...]] = {
    "grocery": ("Stocking up this week?", "Fridge looking empty?", "Meal planning?"),
    "dining": ("Hungry?", "Dinner plans?", "Craving something good?"),
    "travel": ("Dreaming of a getaway?", "Where to next?", "Bags packed?"),
    "fuel": ("Running low?", "Road trip ahead?", "Time to fill up?"),
    "electronics": ("Due an upgrade?", "Eyeing something new?", "Ready for new tech?"),
    "fashion": ("Wardrobe refresh?", "New season, new look?", "Need a new look?"),
    "pharmacy": ("Running low on essentials?", "Time to restock?", "Self-care day?"),
    "home": ("Planning a project?", "Time for a refresh?", "Room makeover?"),
    "entertainment": ("Plans this weekend?", "Movie night?", "Date night?"),
    "streaming": ("Nothing to watch?", "Weekend binge?", "Ready for a new series?"),
    "rideshare": ("Need a lift?", "Late night?", "Running late?"),
    "telecom": ("Phone acting up?", "Ready for a new phone?", "Thinking of switching?"),
    "bank": ("Big purchase coming up?", "Planning ahead?", "Want more from your card?"),
}
_COLOUR: dict[str, tuple[str, ...]] = {
    "grocery": (
        "Fresh produce arrives every morning.",
        "From pantry staples to weekend treats, we've got your list covered.",
        "Your local store, stocked and ready.",
    ),
    "dining": (
        "Our kitchen is ready when you are.",
        "Made fresh, served fast.",
        "Bring your appetite.",
    ),
    "travel": (
        "The world is waiting.",
        "Your next getaway starts with a plan.",
        "Pack light and travel well.",
    ),
    "fuel": (
        "Every journey starts with a full tank.",
        "Quick stops and friendly faces, wherever the road takes you.",
    ),
    "electronics": (
        "From laptops to headphones, find the right gear.",
        "Upgrade the way you work and play.",
        "The latest tech, in store and online.",
    ),
    "fashion": (
        "The new season has landed.",
        "Find the pieces you'll wear on repeat.",
        "New styles arrive every week.",
    ),
    "pharmacy": (
        "Everyday essentials, close to home.",
        "We're here to help you feel your best.",
        "Our pharmacists are happy to help.",
    ),
    "home": (
        "Make your space feel like you.",
        "Every project starts with a plan.",
        "Small changes make a big difference at home.",
    ),
    "entertainment": (
        "Great nights out start here.",
        "The show is about to begin.",
        "Gather your crew.",
    ),
    "streaming": (
        "New stories arrive every week.",
        "Your watchlist is calling.",
        "Press play on something new.",
    ),
    "rideshare": ("Sit back and enjoy the ride.", "Get where you're going, on your schedule."),
    "telecom": ("Stay connected to what matters.", "The latest phones, ready when you are."),
    "bank": (
        "Banking that works around you.",
        "Your card, your way.",
        "Smart spending starts here.",
    ),
}

# --- copy phrasing, per offer recipe -------------------------------------------------------------
# Placeholders: {m} merchant, {noun}, {habit}, {R} reward phrase, {capc} cap clause, {cond}
# min-spend clause, {until} inline deadline, and the formatted numbers
# ({p} {a} {x} {pts} {n} {mo} {apr} {fee} {ms} {cap}). A sentence that names {ms} states the
# minimum spend itself, so it is not given a {cond} clause too.

_SAVING = frozenset(
    {"cashback_pct", "cashback_amt", "discount_pct", "discount_amt", "free_shipping"}
    | {"fee_waiver_card", "fee_waiver_amt"}
)
_NOUN_REWARD = frozenset(
    {"cashback_pct", "cashback_amt", "discount_pct", "discount_amt", "points_mult"}
    | {"points_fixed", "free_shipping"}
)
_CREDIT = frozenset({"bnpl", "intro_apr"})
EU_CREDIT_WARNING = "Borrowing money costs money."  # Consumer Credit Directive (EU) 2023/2225
_CARD_LINKED = frozenset({"cashback_pct", "cashback_amt", "points_mult", "points_fixed"})

_REWARD: dict[str, tuple[str, ...]] = {
    "cashback_pct": ("{p} cash back", "{p} back", "{p} cashback"),
    "cashback_amt": ("{a} cash back", "{a} back"),
    "discount_pct": ("{p} off",),
    "discount_amt": ("{a} off",),
    "points_mult": ("{x} points", "{x} the points"),
    "points_fixed": ("{pts}", "a bonus of {pts}", "an extra {pts}"),
    "bnpl": ("{n} payments with no interest", "{n} interest-free payments"),
    "intro_apr": ("{p} intro APR for {mo}, then a variable {apr} APR",),
    "fee_waiver_card": ("your {fee} annual fee waived for the first year",),
    "fee_waiver_amt": ("the {a} activation fee waived", "no {a} activation fee"),
    "free_shipping": ("free {ship}",),
}

_SENTENCES: dict[str, tuple[str, ...]] = {
    "cashback_pct": (
        "Get {R} on {noun} at {m}{capc}{cond}{until}.",
        "Earn {R} on {noun}{capc}{cond}{until}.",
        "Enjoy {R} every time you {habit}{capc}{cond}{until}.",
        "{R} on {noun}{capc}{cond}{until}.",
        "Every time you {habit}, get {R}{capc}{cond}{until}.",
        "Pay with your card at {m} and earn {R}{capc}{cond}{until}.",
        "{m} is giving {R} on {noun}{capc}{cond}{until}.",
        "Spend {ms} or more at {m} and get {R}{capc}{until}.",
        "Make {noun} pay you back: {R}{capc}{cond}{until}.",
    ),
    "cashback_amt": (
        "Get {R} on {noun} at {m}{cond}{until}.",
        "Grab {R}{cond} at {m}{until}.",
        "Enjoy {R} when you {habit}{cond}{until}.",
        "{R} on {noun}{cond}{until}.",
        "Spend {ms}+ at {m}, get {a} back{until}.",
        "Spend {ms} at {m} and we'll give you {a} back{until}.",
        "{a} back when you spend {ms} or more at {m}{until}.",
        "Here's {R} for your next visit to {m}{cond}{until}.",
    ),
    "discount_pct": (
        "Take {R} {noun}{capc}{cond}{until}.",
        "Save {p} on {noun} at {m}{capc}{cond}{until}.",
        "Enjoy {R} {noun}{capc}{cond}{until}.",
        "{R} {noun} at {m}{capc}{cond}{until}.",
        "Save {p} when you {habit}{capc}{until}.",
        "Knock {p} off {noun}{capc}{cond}{until}.",
        "{m} is taking {p} off {noun}{capc}{cond}{until}.",
        "Spend {ms} or more and save {p} at {m}{capc}{until}.",
    ),
    "discount_amt": (
        "Save {a} on {noun}{cond}{until}.",
        "Take {a} off {noun} at {m}{cond}{until}.",
        "Get {a} off when you {habit}{cond}{until}.",
        "{a} off {noun}{cond}{until}.",
        "Get {a} off {ms}+ at {m}{until}.",
        "Spend {ms}, save {a} at {m}{until}.",
        "Spend {ms} or more on {noun} and take {a} off{until}.",
        "{m} is knocking {a} off {noun}{cond}{until}.",
    ),
    "points_mult": (
        "Earn {x} points on {noun}{cond}{until}.",
        "Collect {x} points every time you {habit}{until}.",
        "{x} points on {noun} at {m}{until}.",
        "Rack up {x} points on {noun}{cond}{until}.",
        "Turn {noun} into {x} points{cond}{until}.",
        "Multiply your points: {x} on {noun} at {m}{until}.",
        "{m} is giving {x} the points on {noun}{until}.",
    ),
    "points_fixed": (
        "Earn {pts} on {noun}{cond}{until}.",
        "Get a bonus of {pts} when you {habit}{cond}{until}.",
        "Collect {pts} with {noun} at {m}{cond}{until}.",
        "{pts} are yours on {noun}{cond}{until}.",
        "Pick up an extra {pts} when you {habit}{cond}{until}.",
        "Add {pts} to your balance with {noun} at {m}{cond}{until}.",
    ),
    "bnpl": (
        "Split {noun} into {n} payments with no interest{cond}.",
        "Pay for {noun} over {n} payments, interest-free{cond}.",
        "Buy now, pay later at {m}: {n} payments, no interest{cond}.",
        "Take home {noun} today and pay in {n} payments, interest-free{cond}.",
        "Get {noun} now and pay in {n} interest-free payments{cond}.",
        "Spread the cost of {noun} over {n} payments, with no interest{cond}.",
        "{m} lets you pay for {noun} in {n} interest-free payments{cond}.",
    ),
    "intro_apr": (
        "Enjoy a {p} intro APR on purchases for {mo} with your {card}, then a variable {apr} APR.",
        "Get {p} intro APR for {mo} on purchases, then a variable {apr} APR.",
        "Make big plans: {p} intro APR for {mo} on purchases with {m}, then a variable {apr} APR.",
        "Pay over time with a {p} intro APR for {mo}, then a variable {apr} APR.",
        "Your {card} comes with {p} intro APR on purchases for {mo}, then {apr} variable APR.",
        "Spread out big purchases: {p} intro APR for {mo}, then a variable {apr} APR.",
    ),
    "fee_waiver_card": (
        "We'll waive the {fee} annual fee on your {card} for the first year.",
        "Your {fee} annual fee is on us for the first year.",
        "Keep your {card} and skip the {fee} annual fee for the first year.",
        "No annual fee on your {card} for the first year (normally {fee}).",
        "Your first year with the {card} comes without the {fee} annual fee.",
    ),
    "fee_waiver_amt": (
        "Switch to {m} and we'll waive the {a} activation fee{until}.",
        "No {a} activation fee when you join {m}{until}.",
        "Skip the {a} activation fee on a new line{until}.",
        "Join {m} and skip the {a} activation fee{until}.",
        "New line at {m}? The {a} activation fee is on us{until}.",
    ),
    "free_shipping": (
        "Enjoy free {ship} on {noun}{cond}{until}.",
        "Free {ship} from {m}{cond}{until}.",
        "Get free {ship}{cond}{until}.",
        "Free {ship} on {noun} at {m}{cond}{until}.",
        "{Ship} is on us{cond}{until}.",
        "Skip the {ship} fee on {noun} at {m}{cond}{until}.",
        "Spend {ms} or more at {m} and {ship} is free{until}.",
    ),
}

# How the offer works, for email/in-app bodies; no numbers, nothing the terms would have to back.
_HOW: dict[str, tuple[str, ...]] = {
    "card": (
        "Activate the offer in the app, then pay as usual.",
        "Pay with your linked card and the rewards follow.",
        "Activate once and every eligible purchase counts.",
    ),
    "discount": ("The discount is applied at checkout.", "Your savings show at checkout."),
    "bnpl": ("Choose pay later at checkout.", "Pick the pay-later option at checkout."),
    "free_shipping": ("Applied automatically at checkout.",),
    "fee_waiver_amt": ("We'll apply it when you activate your line.",),
    "bank": (
        "Use your card as usual and the rewards add up.",
        "Rewards post to your account as you spend.",
    ),
}
_HOW_KEY = {
    "cashback_pct": "card",
    "cashback_amt": "card",
    "points_mult": "card",
    "points_fixed": "card",
    "discount_pct": "discount",
    "discount_amt": "discount",
    "bnpl": "bnpl",
    "free_shipping": "free_shipping",
    "fee_waiver_amt": "fee_waiver_amt",
}

_CAP_CLAUSE = {
    "cashback_pct": (" (up to {cap} back)", ", up to {cap}", " (max {cap})"),
    "discount_pct": (" (up to {cap} off)", ", up to {cap} off", " (max savings {cap})"),
}
# The cap and the minimum spend restated as sentences of their own (email, in-app).
_CAP_SENTENCE = {
    "cashback_pct": (
        "Cash back is capped at {cap}.",
        "Earn up to {cap} back.",
        "Max reward {cap}.",
    ),
    "discount_pct": ("Save up to {cap}.", "Savings are capped at {cap}.", "Max discount {cap}."),
}
_COND_SENTENCE = (
    "Minimum spend {ms}.",
    "Valid on {orders} of {ms} or more.",
    "Just spend {ms} or more.",
    "Applies when you spend {ms} or more.",
)
_COND_CLAUSE = (
    " on {orders} of {ms} or more",
    " when you spend {ms} or more",
    " on {ms}+ {orders}",
    " with a {ms} minimum spend",
)
_BNPL_COND = (" on purchases of {ms} or more", " on orders over {ms}")
_SHIP_COND = (
    " when you spend {ms} or more",
    " with a {ms} minimum order",
    " (orders of {ms} or more)",
    " on {ms}+ {orders}",
)
_BANK_POINTS_COND = (" after you spend {ms}", " once you spend {ms}")
_UNTIL_INLINE = (" through {d}", " until {d}", " until {d}")
_UNTIL_SENTENCE = ("Offer ends {d}.", "Ends {d}.", "Valid through {d}.", "Use it by {d}.")
_RANGE_SENTENCE = ("Valid {df} to {d}.", "Runs {df} through {d}.", "From {df} until {d}.")
_MERCHANT_SENTENCE = (
    "Your {m} offer is here.",
    "A new offer from {m}.",
    "{m} has something for you.",
    "Thanks for choosing {m}.",
)
_URGENT = re.compile(
    r"\b(?:hurry|act now|don't miss|while it lasts|clock's ticking|tick tock|last chance)\b",
    re.IGNORECASE,
)
_DEAL_WORDS = ("deal", "offer", "alert", "exclusive", "perk")
_PUSH_LEADS = ("New:", "Heads up:", "Just in:", "Today:", "For you:")
_SMS_CTAS = ("Tap to activate.", "Details in the app.", "Activate in the app.", "See the app.")
# --- helpers -------------------------------------------------------------------------------------

_PLACEHOLDER = re.compile(r"(?<!\{)\{(\w+)\}(?!\})")  # "{m}" but not the merge tag "{{first_name}}"


@functools.cache
def _parts(template: str) -> tuple[str, ...]:
    """A template split into literal text (even places) and placeholder names (odd places)."""
    return tuple(_PLACEHOLDER.split(template))


def _fill(template: str, fields: dict[str, str]) -> str:
    parts = _parts(template)
    return "".join(p if i % 2 == 0 else fields[p] for i, p in enumerate(parts))


def _num(v: float) -> str:
    return f"{int(v):,}" if float(v).is_integer() else f"{v:,.2f}".rstrip("0").rstrip(".")


def _money(v: float, currency: str) -> str:
    sym = "€" if currency == "EUR" else "$"
    return f"{sym}{int(v):,}" if float(v).is_integer() else f"{sym}{v:,.2f}"


def _pct(v: float) -> str:
    return f"{_num(v)}%"


@functools.cache
def _date(d: date) -> str:
    return f"{d:%b} {d.day}, {d.year}"


def _slug(name: str) -> str:
    return re.sub(r"[^a-z0-9]+", "_", name.lower()).strip("_")


def _cap_first(s: str) -> str:
    return s[:1].upper() + s[1:] if s else s


def _tidy(s: str) -> str:
    s = re.sub(r"\s+", " ", s).strip()
    s = re.sub(r"\s+([.,:!?])", r"\1", s)
    s = re.sub(r"([!?:])\.", r"\1", s)
    return s


def _weighted(rng: random.Random, items: tuple[tuple[str, int], ...]) -> str:
    names, weights = zip(*items, strict=True)
    return str(rng.choices(names, weights=weights)[0])


# --- merchants and rules -------------------------------------------------------------------------


@dataclass
class _Profile:
    """A merchant plus the constraints its copy is generated under (mirrors its rules)."""

    merchant: Merchant
    category: _Category
    voice: _Voice
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


def _make_profile(rng: random.Random, spec: tuple[str, str, str, str, str]) -> _Profile:
    name, cat_name, voice_name, currency, tagline = spec
    cat = _CATEGORIES[cat_name]
    voice = _VOICES[voice_name]
    slug = _slug(name)
    mid = f"m_{slug}"
    merchant = Merchant(
        id=mid,
        name=name,
        category=cat_name,
        locale="en-IE" if currency == "EUR" else "en-US",
        brand_voice=f"{voice.description} Tagline: '{tagline}'",
        tenant=DEMO_TENANTS[cat_name],
    )
    rules: list[MerchantRule] = []

    def add(kind: RuleKind, text: str, params: dict[str, Any]) -> None:
        rules.append(
            MerchantRule(
                id=f"r_{slug}_{len(rules) + 1:02d}",
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
    if any(r in ("cashback_amt", "discount_amt") for r, _ in cat.recipes):
        max_amount = rng.choice(cat.max_amount)
        params["max_amount"] = max_amount
        text += f"; fixed rewards never exceed {_money(max_amount, currency)}"
    max_multiplier: int | None = None
    if cat.multipliers:
        max_multiplier = rng.choice(cat.max_multiplier)
        params["max_multiplier"] = max_multiplier
        text += f"; points multipliers never exceed {max_multiplier}x"
    add(RuleKind.max_reward, text + ".", params)

    add(
        RuleKind.brand_voice,
        f"Voice: {voice.description}",
        {"tone": voice_name, "exclamation_marks": voice.exclamation},
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

    return _Profile(
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


# --- offer terms ---------------------------------------------------------------------------------


def _make_terms(rng: random.Random, pr: _Profile, recipe: str, sent_at: date) -> OfferTerms:
    cat = pr.category
    percents = [p for p in cat.percents if p <= pr.max_percent] or [min(cat.percents)]
    amounts = [a for a in cat.amounts if pr.max_amount is None or a <= pr.max_amount]
    kw: dict[str, Any] = {"merchant": pr.merchant.name, "currency": pr.currency}
    if rng.random() < 0.7:
        kw["valid_from"] = sent_at
    if rng.random() < 0.85:
        kw["valid_until"] = sent_at + timedelta(days=rng.choice(_VALIDITY_DAYS))

    def min_spend(p: float, above: float = 0) -> None:
        options = [m for m in cat.min_spends if m > above]
        if options and rng.random() < p:
            kw["min_spend"] = float(rng.choice(options))

    if recipe in ("cashback_pct", "discount_pct"):
        kind = OfferKind.cashback if recipe == "cashback_pct" else OfferKind.discount
        kw.update(kind=kind, value=float(rng.choice(percents)), unit=Unit.percent)
        if cat.caps and rng.random() < 0.45:
            kw["cap"] = float(rng.choice(cat.caps))
        min_spend(0.3)
    elif recipe in ("cashback_amt", "discount_amt"):
        kind = OfferKind.cashback if recipe == "cashback_amt" else OfferKind.discount
        value = float(rng.choice(amounts))
        kw.update(kind=kind, value=value, unit=Unit.amount)
        min_spend(0.85, above=value * 2)
    elif recipe == "points_mult":
        mults = [x for x in cat.multipliers if pr.max_multiplier is None or x <= pr.max_multiplier]
        kw.update(kind=OfferKind.points, value=float(rng.choice(mults)), unit=Unit.multiplier)
        min_spend(0.15)
    elif recipe == "points_fixed":
        kw.update(kind=OfferKind.points, value=float(rng.choice(cat.points)), unit=Unit.points)
        min_spend(1.0 if pr.merchant.category == "bank" else 0.4)
    elif recipe == "bnpl":
        kw.update(kind=OfferKind.bnpl, installments=rng.choice(cat.installments))
        min_spend(0.5)
    elif recipe == "intro_apr":
        kw.update(
            kind=OfferKind.intro_apr,
            value=0.0,
            unit=Unit.percent,
            intro_months=rng.choice(_INTRO_MONTHS),
            apr_after_intro=rng.choice(_APRS),
            firm_offer=rng.random() < 0.2,
        )
    elif recipe == "fee_waiver_card":
        kw.update(
            kind=OfferKind.fee_waiver,
            annual_fee=float(rng.choice(_ANNUAL_FEES)),
            firm_offer=rng.random() < 0.2,
        )
    elif recipe == "fee_waiver_amt":
        kw.update(
            kind=OfferKind.fee_waiver, value=float(rng.choice(_ACTIVATION_FEES)), unit=Unit.amount
        )
    elif recipe == "free_shipping":
        kw.update(kind=OfferKind.free_shipping)
        min_spend(0.6)
    else:  # pragma: no cover - recipe names are data in this module
        raise ValueError(f"unknown recipe {recipe!r}")
    return OfferTerms(**kw)


# --- copy ----------------------------------------------------------------------------------------


def _names_merchant(template: str) -> bool:
    return any(k in template for k in ("{m}", "{habit}", "{card}"))


@functools.cache
def _shape(template: str) -> tuple[frozenset[str], bool, bool]:
    """A template's placeholders, whether it speaks of saving, whether it only fits a merchant
    you shop at (not a card issuer)."""
    names = frozenset(_PLACEHOLDER.findall(template))
    return names, "sav" in template.lower(), "your card at" in template or "visit" in template


def _sentences(text: str) -> list[str]:
    return re.split(r"(?<=[.!?])\s+", text)


def _join(parts: list[str], keep_case: tuple[str, ...]) -> str:
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


@dataclass
class _Copy:
    """Writes one piece of copy for one offer; every number comes from `terms`."""

    rng: random.Random
    pr: _Profile
    recipe: str
    terms: OfferTerms
    channel: Channel
    segment: str
    opt_out: str = ""  # the SMS opt-out this attempt ends with ("" = none)
    eu_warning: bool = True
    stated_ms: bool = field(default=False, init=False)  # the main sentence names the min spend

    @property
    def _bank(self) -> bool:
        return self.pr.merchant.category == "bank"

    @property
    def _eu_credit(self) -> bool:
        """Credit advertised to EU customers carries the directive's warning."""
        return self.eu_warning and self.terms.currency == "EUR" and self.recipe in _CREDIT

    def fields(self) -> dict[str, str]:
        t, rng, cat, cur = self.terms, self.rng, self.pr.category, self.terms.currency
        name = self.pr.merchant.name
        f: dict[str, str] = {
            "m": name,
            "noun": rng.choice(cat.nouns),
            # "Summit Card" is already a card; "Harbor Bank" issues a "Harbor Bank card"
            "card": name if name.endswith("Card") else f"{name} card",
            "orders": cat.orders,
            "ship": cat.ship,
            "Ship": _cap_first(cat.ship),
            "capc": "",
            "cond": "",
            "until": "",
        }
        if t.value is not None:
            f["p"] = _pct(t.value)
            f["a"] = _money(t.value, cur)
            f["x"] = f"{_num(t.value)}x"
            f["pts"] = f"{_num(t.value)} points"
        if t.installments is not None:
            word = _NUMBER_WORDS.get(t.installments)
            f["n"] = word if word and rng.random() < 0.35 else str(t.installments)
        if t.intro_months is not None:
            f["mo"] = f"{t.intro_months} months"
        if t.apr_after_intro is not None:
            f["apr"] = _pct(t.apr_after_intro)
        if t.annual_fee is not None:
            f["fee"] = _money(t.annual_fee, cur)
        if t.cap is not None:
            f["cap"] = _money(t.cap, cur)
            f["capc"] = _fill(rng.choice(_CAP_CLAUSE[self.recipe]), f)
        if t.min_spend is not None:
            f["ms"] = _money(t.min_spend, cur)
            clauses: tuple[str, ...]
            if self.recipe == "bnpl":
                clauses = _BNPL_COND
            elif self.recipe == "free_shipping":
                clauses = _SHIP_COND
            elif self.recipe == "points_fixed" and self._bank:
                clauses = _BANK_POINTS_COND
            else:
                clauses = _COND_CLAUSE
            f["cond"] = _fill(rng.choice(clauses), f)
        if t.valid_until is not None:
            f["d"] = _date(t.valid_until)
            if t.valid_from is not None and t.valid_from < t.valid_until:
                f["df"] = _date(t.valid_from)
        f["habit"] = _fill(cat.habit, f)
        f["R"] = _fill(rng.choice(_REWARD[self.recipe]), f)
        f["Rc"] = _cap_first(f["R"])
        return f

    # --- picking phrases ------------------------------------------------------------------------

    def _fits(self, template: str, f: dict[str, str], headline: bool = False) -> bool:
        names, saving, card_only = _shape(template)
        if not names <= f.keys():
            return False
        if headline and ("R" in names or "Rc" in names) and self.recipe not in _NOUN_REWARD:
            return False
        if saving and self.recipe not in _SAVING:
            return False
        return not (card_only and self._bank)

    def _pick(self, pool: tuple[str, ...] | list[str], f: dict[str, str], **kw: bool) -> str:
        options = [t for t in pool if self._fits(t, f, **kw)]
        return _fill(self.rng.choice(options), f) if options else ""

    def _intro(self, f: dict[str, str]) -> str:
        """A sentence that names the merchant: mostly in the brand's voice."""
        voice = self.pr.voice.intros
        return self._pick(voice if voice and self.rng.random() < 0.7 else _MERCHANT_SENTENCE, f)

    def _emph(self, s: str) -> str:
        """A voice that allows "!" ends some sentences with one."""
        if self.pr.voice.exclamation and s.endswith(".") and self.rng.random() < 0.3:
            return s[:-1] + "!"
        return s

    def _sentence(
        self, f: dict[str, str], with_m: bool | None, separate: bool = False, first: str = ""
    ) -> str:
        """The main sentence. `separate`: conditions and deadline left for sentences of their
        own; `first`: only templates that start with this word (if any fit)."""
        pool = [s for s in _SENTENCES[self.recipe] if self._fits(s, f)]
        if with_m is not None:
            pool = [s for s in pool if _names_merchant(s) == with_m] or pool
        if first:
            pool = [s for s in pool if s.startswith(first)] or pool
        template = self.rng.choice(pool)
        g = dict(f)
        if separate:
            g.update(capc="", cond="", until="")
        if "{ms}" in template:
            g["cond"] = ""  # the sentence states the minimum spend itself
        self.stated_ms = "{ms}" in template or bool(g["cond"])
        return _cap_first(_fill(template, g))

    def _reward_on(self, f: dict[str, str], cap: bool = True) -> str:
        """The reward phrase with what it applies to, where that reads naturally."""
        capc = f["capc"] if cap else ""
        if self.recipe in ("discount_pct", "discount_amt"):
            return f"{f['R']} {f['noun']}{capc}"
        if self.recipe in _CARD_LINKED:
            return f"{f['R']} on {f['noun']}{capc}"
        return f["R"]

    def _opener(self, f: dict[str, str]) -> str:
        rng = self.rng
        if self.terms.firm_offer and rng.random() < 0.6:
            return rng.choice(("You're pre-approved.", "Good news: you're pre-approved."))
        seg = _SEGMENT_OPENERS.get(self.segment)
        r = rng.random()
        if seg and r < 0.35:
            pool = seg
        elif r < 0.55:
            pool = _HOOKS[self.pr.merchant.category]
        else:
            pool = self.pr.voice.openers
        return self._pick(pool, f) or self._pick(self.pr.voice.openers, f)

    def _deadline(self, f: dict[str, str], text: str, allow_range: bool = False) -> str:
        """A deadline sentence, unless `text` already states the date (or by chance)."""
        d, rng = f.get("d"), self.rng
        if d is None or d in text or rng.random() < 0.2:
            return ""
        if allow_range and "df" in f and rng.random() < 0.4:
            return _fill(rng.choice(_RANGE_SENTENCE), f)
        voice = self.pr.voice
        start, end = self.terms.valid_from, self.terms.valid_until
        short = start is not None and end is not None and (end - start).days <= 14
        if short and voice.urgent and rng.random() < 0.6:
            pool = voice.urgent
        else:
            pool = voice.deadlines + _UNTIL_SENTENCE
        return rng.choice(pool).replace("{d}", d)

    def _details(self, f: dict[str, str]) -> list[str]:
        """Cap and minimum spend as sentences of their own (after a `separate` main sentence)."""
        out: list[str] = []
        if "cap" in f and self.recipe in _CAP_SENTENCE:
            out.append(_fill(self.rng.choice(_CAP_SENTENCE[self.recipe]), f))
        if "ms" in f and not self.stated_ms:
            out.append(_fill(self.rng.choice(_COND_SENTENCE), f))
        return out

    def _cta(self, short: bool = False) -> str:
        pool = self.pr.category.ctas + self.pr.voice.ctas
        if short:
            pool = tuple(c for c in pool if len(c) <= 22) + _SMS_CTAS
        return self._pick(pool, {})

    def _rules(self) -> list[dict[str, Any]]:
        return [r for r in self.pr.channel_rules if r["channel"] == self.channel.value]

    # --- writing --------------------------------------------------------------------------------

    def write(self) -> str:
        for _ in range(80):
            text = self._attempt()
            if self._ok(text):
                return text
        if self._eu_credit:  # e.g. a 90-character push cannot also hold the warning
            self.eu_warning = False
            for _ in range(80):
                text = self._attempt()
                if self._ok(text):
                    return text
        text = self._fallback()
        if not self._ok(text):  # pragma: no cover - would be a bug in the data above
            raise RuntimeError(f"cannot write copy for {self.pr.merchant.id}: {text!r}")
        return text

    # one random draw of the copy; _ok() decides whether it obeys every constraint
    def _attempt(self) -> str:
        rng, f = self.rng, self.fields()
        self.stated_ms = False
        # "interest-free until May 9" would misstate the terms: credit offers date in a sentence
        if "d" in f and self.recipe not in _CREDIT and rng.random() < 0.45:
            f["until"] = rng.choice(_UNTIL_INLINE).replace("{d}", f["d"])
        self.opt_out = ""
        if self.channel is Channel.sms:
            if any(r.get("must_end_with") == STOP for r in self._rules()):
                self.opt_out = STOP
            elif rng.random() < 0.92:
                self.opt_out = STOP if rng.random() < 0.8 else rng.choice(_OPT_OUTS)
        writer = {
            Channel.sms: self._sms,
            Channel.push: self._push,
            Channel.email: self._email,
            Channel.in_app: self._in_app,
        }[self.channel]
        return self._finish(writer(f))

    def _keep_case(self) -> tuple[str, ...]:
        return (self.pr.merchant.name, "{{", "$", "€", *"0123456789")

    def _sms(self, f: dict[str, str]) -> str:
        rng, m = self.rng, self.pr.merchant.name
        rules = self._rules()
        # a merchant whose SMS must open with "Name:" gets the shapes that already do
        if any("must_start_with" in r for r in rules):
            shape = rng.choice((0, 5, 8))
        else:
            shape = rng.randrange(9)
        if shape == 6 and any(r.get("merge_tags") is False for r in rules):
            shape = 3
        parts: list[str]
        if shape == 0:
            opener = self._opener(f) if rng.random() < 0.4 else ""
            parts = [f"{m}:", opener, self._sentence(f, with_m=False)]
        elif shape == 1:
            parts = [self._opener(f), self._sentence(f, with_m=True)]
        elif shape == 2:
            deal = rng.choice(_DEAL_WORDS)
            parts = [f"{m} {deal}: {f['Rc']}{f['capc']}{f['cond']}{f['until']}."]
        elif shape == 3:
            parts = [self._emph(self._sentence(f, with_m=True))]
        elif shape == 4:
            parts = [self._pick(_HOOKS[self.pr.merchant.category], f), self._sentence(f, True)]
        elif shape == 5:
            hook = self._pick(_HOOKS[self.pr.merchant.category], f)
            parts = [f"{m}:", hook, self._sentence(f, with_m=False)]
        elif shape == 6:
            parts = ["{{first_name}},", self._sentence(f, with_m=True)]
        elif shape == 7:
            parts = [self._emph(self._sentence(f, with_m=True, first="Spend"))]
        else:
            parts = [f"{m}: {_cap_first(self._reward_on(f))}{f['cond']}{f['until']}."]
        parts.append(self._deadline(f, " ".join(parts)))
        if rng.random() < 0.45:
            parts.append(self._cta(short=True))
        if rng.random() < 0.5:
            parts.append(TERMS)
        parts.append(self.opt_out)
        return _join(parts, self._keep_case())

    def _push(self, f: dict[str, str]) -> str:
        rng, m = self.rng, self.pr.merchant.name
        on = _cap_first(self._reward_on(f))
        shape = rng.randrange(9)
        if shape == 5 and self.recipe not in _CARD_LINKED:
            shape = 0
        if shape == 7 and "d" not in f:
            shape = 8
        if shape == 0:
            parts = [self._emph(f"{on} at {m}{f['until']}.")]
        elif shape == 1:
            parts = [self._opener(f), self._sentence(f, with_m=True)]
        elif shape == 2:
            parts = [f"{m}:", self._emph(self._sentence(f, with_m=False))]
        elif shape == 3:
            parts = [f"{m}: {on}{f['cond']}{f['until']}."]
        elif shape == 4:
            parts = [self._pick(_HOOKS[self.pr.merchant.category], f), f"{on} at {m}."]
        elif shape == 5:
            verb = rng.choice(("Activate", "Unlock", "Tap to activate"))
            parts = [self._emph(f"{verb} {f['R']} at {m}{f['until']}.")]
        elif shape == 6:
            verb = rng.choice(("get", "grab", "enjoy"))
            parts = [f"{{{{first_name}}}}, {verb} {self._reward_on(f)} at {m}."]
        elif shape == 7:
            parts = [f"Ends {f['d']}: {on} at {m}."]
        else:
            lead = rng.choice((*_PUSH_LEADS, f"New from {m}:"))
            parts = [lead, f"{on} at {m}." if m not in lead else f"{on}."]
        if rng.random() < 0.25:
            parts.append(self._cta(short=True))
        if rng.random() < 0.3:
            parts.append(TERMS)
        return _join(parts, self._keep_case())

    def _credit_note(self) -> str:
        credit = self.terms.kind in (OfferKind.intro_apr, OfferKind.fee_waiver)
        if credit and self._bank and not self.terms.firm_offer and self.rng.random() < 0.6:
            return "Subject to credit approval."
        if self.recipe == "bnpl" and self.rng.random() < 0.3:
            return "Subject to eligibility."
        return ""

    def _how(self) -> str:
        key = "bank" if self._bank and self.recipe in _CARD_LINKED else _HOW_KEY.get(self.recipe)
        return self.rng.choice(_HOW[key]) if key else ""

    def _in_app(self, f: dict[str, str]) -> str:
        rng, m, voice = self.rng, self.pr.merchant.name, self.pr.voice
        separate = rng.random() < 0.35
        shape = rng.randrange(5)
        if shape == 1 and self.recipe not in _NOUN_REWARD:
            shape = 0
        lead: list[str]
        if shape == 0:
            lead = [self._emph(self._pick(voice.headlines, f, headline=True))]
        elif shape == 1:
            lead = [f"{_cap_first(self._reward_on(f, cap=False))} at {m}."]
            separate = True
        elif shape == 2:
            lead = [self._opener(f)]
        elif shape == 3:
            lead = [self._pick(_HOOKS[self.pr.merchant.category], f)]
        else:
            seg = _SEGMENT_LINES.get(self.segment)
            lead = [self._pick(seg, f) if seg else self._intro(f)]
        named = m in " ".join(lead)
        with_m = False if named else None
        main = "" if shape == 1 else self._sentence(f, with_m=with_m, separate=separate)
        body = [main]
        if m not in " ".join(lead + body):
            body.insert(0, self._intro(f))
        details = self._details(f) if separate else []
        deadline = self._deadline(f, " ".join(lead + body), allow_range=separate)
        tail: list[tuple[str, float]] = [
            (self._how(), 0.2),
            (self._cta(), 0.7),
            (rng.choice(voice.closers), 0.2),
        ]
        extra = [s for s, p in tail if s and rng.random() < p]
        parts = [*lead, *body, *details, deadline, *extra, self._credit_note()]
        if rng.random() < 0.55:
            parts.append(TERMS)
        return self._trim(parts, keep={*lead, *body})

    def _email(self, f: dict[str, str]) -> str:
        rng, voice, cat = self.rng, self.pr.voice, self.pr.merchant.category
        separate = rng.random() < 0.45
        headline = ""
        if rng.random() < 0.8:
            g = {**f, "noun": rng.choice(self.pr.category.nouns)}
            headline = self._emph(self._pick(voice.headlines, g, headline=True))
        seg = _SEGMENT_LINES.get(self.segment)
        segline = self._pick(seg, f) if seg and rng.random() < 0.5 else ""
        named = self.pr.merchant.name in headline + segline
        main = self._sentence(f, with_m=False if named else None, separate=separate)
        greeting = ""
        if "{{" not in headline and rng.random() < 0.3:
            greeting = rng.choice(
                ("Hi {{first_name}},", "Hello {{first_name}},", "{{first_name}},")
            )
        colour = rng.choice(_COLOUR[cat]) if rng.random() < 0.6 else ""
        before, after = (colour, "") if rng.random() < 0.5 else ("", colour)
        body = [main]
        if self.pr.merchant.name not in " ".join([headline, segline, main]):
            body.insert(0, self._intro(f))
        details = self._details(f) if separate else []
        deadline = self._deadline(f, main, allow_range=separate)
        how = self._how() if rng.random() < 0.5 else ""
        cta = self._cta() if rng.random() < 0.9 else ""
        closer = rng.choice(voice.closers) if rng.random() < 0.45 else ""
        tagline = self.pr.tagline if rng.random() < 0.15 else ""
        ending = [cta, deadline] if rng.random() < 0.3 else [deadline, cta]
        # a greeting goes straight before the segment line or the body: "Hi {{first_name}},
        # welcome to ...", never before brand colour
        parts = [headline, before, greeting, segline, *body, after, *details, how, *ending, closer]
        parts.append(self._credit_note())
        if rng.random() < 0.75:
            parts.append(TERMS)
        parts.append(tagline)
        return self._trim(parts, keep={main, *body, *details})

    def _trim(self, parts: list[str], keep: set[str]) -> str:
        """Drop optional sentences at random until the copy fits its length and sentence count
        (leaving room for what _finish adds)."""
        parts = [p for p in parts if p]
        reserve = len(self.pr.required) + 1 if self.channel in self.pr.required_channels else 0
        reserve += len(EU_CREDIT_WARNING) + 1 if self._eu_credit else 0
        limit = MAX_CHARS[self.channel] - reserve
        text = _join(parts, self._keep_case())
        while len(text) > limit or len(_sentences(text)) > MAX_SENTENCES[self.channel]:
            optional = [i for i, p in enumerate(parts) if p not in keep and p != TERMS]
            if not optional:
                break
            del parts[self.rng.choice(optional)]
            text = _join(parts, self._keep_case())
        return text

    def _finish(self, text: str) -> str:
        """Apply the merchant's required phrase and channel rules that can be satisfied by edits."""
        text = text.strip()  # parts are joined with single spaces; _tidy runs once, below
        name = self.pr.merchant.name
        if self._bank:  # you pay *with* a card, not *at* it
            card = name if name.endswith("Card") else f"{name} card"
            text = text.replace(f" at {name}", f" with your {card}")
        required = []
        if self.channel in self.pr.required_channels and self.pr.required not in text:
            required.append(self.pr.required)
        if self._eu_credit and EU_CREDIT_WARNING not in text:
            required.insert(0, EU_CREDIT_WARNING)
        for phrase in required:
            if self.opt_out and text.endswith(self.opt_out):
                head = text[: -len(self.opt_out)].rstrip()
                text = f"{head} {phrase} {self.opt_out}"
            else:
                text = f"{text} {phrase}"
        for rule in self._rules():
            end = rule.get("must_end_with")
            if end and not text.endswith(end):
                text = f"{text} {end}"
            start = rule.get("must_start_with")
            if start and not text.startswith(start):
                text = f"{start} {text}"
        return _tidy(text)

    def _ok(self, text: str) -> bool:
        if text.count("{{") > 1:
            return False  # one merge tag is personal; two read like a mail merge
        limit = MAX_CHARS[self.channel]
        guard_limit = _GUARD_LIMITS[self.channel]
        for rule in self._rules():
            if "max_chars" in rule:
                limit = min(limit, rule["max_chars"])
                guard_limit = min(guard_limit, rule["max_chars"])
            if rule.get("merge_tags") is False and "{{" in text:
                return False
        size = len(text)
        if self.channel is Channel.sms:
            size += text.count("€")  # GSM-7: an extension-table character takes two septets
        if size > limit or self.pr.merchant.name not in text:
            return False
        # leave room for what a guard adds where it is missing ("Terms apply.", the SMS opt-out),
        # so the copy still fits once fixed
        if TERMS not in text:
            size += len(TERMS) + 1
        if self.channel is Channel.sms and not self.opt_out:
            size += len(STOP) + 1
        if size > guard_limit:
            return False
        sentences = _sentences(text)
        if len(sentences) > MAX_SENTENCES[self.channel]:
            return False
        if re.split(r"[.!?]", text, maxsplit=1)[0].count(":") > 1:
            return False  # "Update: Make big plans: ..." reads badly
        if any(s.count("when you") > 1 for s in sentences):
            return False  # "Save 10% when you shop ... when you spend $50"
        if re.search(r"\b(\w+) \1\b", text, re.IGNORECASE):
            return False
        if not self.pr.voice.exclamation and "!" in text:
            return False
        if _URGENT.search(text):  # pressure only against a deadline the copy states
            end = self.terms.valid_until
            if end is None or _date(end) not in text:
                return False
        low = text.lower()
        return not any(b.lower() in low for b in self.pr.banned)

    def _fallback(self) -> str:
        f = self.fields()
        self.opt_out = STOP if self.channel is Channel.sms else ""
        text = f"{self.pr.merchant.name}: {f['Rc']}."
        if self.channel is Channel.sms:
            text = f"{text} {TERMS} {STOP}"
        return self._finish(text)


# --- metrics -------------------------------------------------------------------------------------

_SENT_MEDIAN = {Channel.email: 30000, Channel.push: 20000, Channel.sms: 6000, Channel.in_app: 12000}
_CTR_MEDIAN = {Channel.email: 0.018, Channel.push: 0.022, Channel.sms: 0.028, Channel.in_app: 0.03}
_SEGMENT_LIFT = {"new_customers": 1.1, "lapsed_90d": 0.7, "high_spenders": 1.15, "vip": 1.25}
PILOT_SHARE = 0.08  # test cells and pilots: tens to hundreds of sends


def _binomial(rng: random.Random, n: int, p: float) -> int:
    """A draw of Binomial(n, p): exact for small n, Poisson or normal approximations above."""
    if n <= 0 or p <= 0.0:
        return 0
    if p >= 1.0:
        return n
    if n <= 120:
        return sum(1 for _ in range(n) if rng.random() < p)
    mean = n * p
    if mean < 25:  # Poisson (Knuth); rare events in a large send
        limit, k, prod = math.exp(-mean), 0, rng.random()
        while prod > limit:
            k += 1
            prod *= rng.random()
        return min(n, k)
    return min(n, max(0, round(rng.gauss(mean, math.sqrt(mean * (1.0 - p))))))


def _metrics(
    rng: random.Random, channel: Channel, segment: str, text: str, merchant_quality: float
) -> tuple[int, int, int]:
    if rng.random() < PILOT_SHARE:
        sent = min(900, max(20, round(rng.lognormvariate(math.log(150), 0.8))))
    else:
        sent = max(500, round(rng.lognormvariate(math.log(_SENT_MEDIAN[channel]), 0.7)))
    # latent quality: mostly middling, a heavy right tail
    quality = merchant_quality * _SEGMENT_LIFT.get(segment, 1.0) * rng.lognormvariate(0.0, 0.4)
    if "{{first_name}}" in text:
        quality *= 1.1  # personalised copy does a little better
    if rng.random() < 0.05:
        quality *= rng.uniform(2.0, 4.0)  # the occasional standout
    ctr = min(0.2, _CTR_MEDIAN[channel] * quality)
    clicks = _binomial(rng, sent, ctr)
    conversion = min(0.9, rng.betavariate(2.0, 5.0) * math.sqrt(quality))
    return sent, clicks, _binomial(rng, clicks, conversion)


# --- entry point ---------------------------------------------------------------------------------


def _merchant_order(n: int | None) -> list[tuple[str, str, str, str, str]]:
    """Round-robin over categories, so a reduced KB still covers every category."""
    by_cat: dict[str, list[tuple[str, str, str, str, str]]] = {}
    for spec in _MERCHANTS:
        by_cat.setdefault(spec[1], []).append(spec)
    ordered: list[tuple[str, str, str, str, str]] = []
    depth = max(len(v) for v in by_cat.values())
    for i in range(depth):
        ordered.extend(v[i] for v in by_cat.values() if i < len(v))
    return ordered if n is None else ordered[:n]


def generate_demo_kb(
    seed: int = 7, *, n_merchants: int | None = None, offers_per_merchant: int | None = None
) -> DemoKB:
    """Generate the demo KB. Same arguments -> identical output.

    `n_merchants` / `offers_per_merchant` shrink it (for tests); by default 65 merchants with
    72-88 past offers each (~5,200). A merchant's records depend only on `seed` and its id.
    """
    if n_merchants is not None and n_merchants < 1:
        raise ValueError("n_merchants must be >= 1")
    if offers_per_merchant is not None and offers_per_merchant < 0:
        raise ValueError("offers_per_merchant must be >= 0")
    kb = DemoKB()
    channels = list(_CHANNEL_WEIGHTS)
    channel_weights = list(_CHANNEL_WEIGHTS.values())
    span = (LAST_SENT - FIRST_SENT).days
    for spec in _merchant_order(n_merchants):
        rng = random.Random(f"{seed}/{_slug(spec[0])}")
        # performance figures have their own stream: rewording copy does not move them
        metrics_rng = random.Random(f"{seed}/{_slug(spec[0])}/metrics")
        merchant_quality = metrics_rng.lognormvariate(0.0, 0.3)
        pr = _make_profile(rng, spec)
        kb.merchants.append(pr.merchant)
        kb.rules.extend(pr.rules)
        count = offers_per_merchant if offers_per_merchant is not None else rng.randint(72, 88)
        offers: list[PastOffer] = []
        for _ in range(count):
            sent_at = FIRST_SENT + timedelta(days=rng.randint(0, span))
            recipe = _weighted(rng, pr.category.recipes)
            terms = _make_terms(rng, pr, recipe, sent_at)
            channel = rng.choices(channels, weights=channel_weights)[0]
            segment = rng.choice(pr.category.segments)
            text = _Copy(rng, pr, recipe, terms, channel, segment).write()
            sent, clicks, redemptions = _metrics(
                metrics_rng, channel, segment, text, merchant_quality
            )
            offers.append(
                PastOffer(
                    id="",  # numbered below, in date order
                    merchant_id=pr.merchant.id,
                    offer=terms,
                    channel=channel,
                    segment=segment,
                    text=text,
                    sent=sent,
                    clicks=clicks,
                    redemptions=redemptions,
                    sent_at=sent_at,
                    shareable=rng.random() < 0.1,
                )
            )
        offers.sort(key=lambda o: o.sent_at)
        slug = pr.merchant.id.removeprefix("m_")
        for i, o in enumerate(offers, start=1):
            kb.past_offers.append(o.model_copy(update={"id": f"po_{slug}_{i:03d}"}))
    return kb
