"""Deterministic demo knowledge base: invented merchants, their rules and ~2,400 past offers.

Every past offer's copy is written from its own OfferTerms, so each number in it is one the terms
back (percent "10%", money "$50"/"€15", multiplier "3x", "500 points", "Dec 31, 2026",
"12 months", "4 payments"/"four payments", "19.99% APR"). Rules are generated first and the copy
is generated to obey them (banned phrases, required phrases, reward caps, voice, channel rules).

All randomness comes from `random.Random` instances seeded from `seed` and the merchant id, so the
same arguments always give the same KB, and one merchant's offers do not depend on how many other
merchants are generated.
"""

from __future__ import annotations

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

__all__ = ["DemoKB", "generate_demo_kb"]

STOP = "Reply STOP to opt out."
TERMS = "Terms apply."
MAX_CHARS: dict[Channel, int] = {
    Channel.sms: 160,
    Channel.push: 110,
    Channel.in_app: 240,
    Channel.email: 420,
}
FIRST_SENT = date(2025, 1, 6)
LAST_SENT = date(2026, 10, 31)  # + at most 60 days of validity stays inside 2026


@dataclass
class DemoKB:
    merchants: list[Merchant] = field(default_factory=list)
    rules: list[MerchantRule] = field(default_factory=list)
    past_offers: list[PastOffer] = field(default_factory=list)


# --- data: voices, categories, merchants ---------------------------------------------------------


@dataclass(frozen=True)
class _Voice:
    description: str
    exclamation: bool
    openers: tuple[str, ...]
    closers: tuple[str, ...]


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
        ("Happy shopping!", "Enjoy!", "We can't wait to see you.", "See you soon!"),
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
    ),
}

# Openers that fit a customer segment better than a voice-generic one.
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

# --- copy phrasing, per offer recipe -------------------------------------------------------------
# Placeholders: {m} merchant, {noun}, {habit}, {R} reward phrase, {capc} cap clause, {cond}
# min-spend clause, {until} inline deadline, and the formatted numbers
# ({p} {a} {x} {pts} {n} {mo} {apr} {fee}).

_REWARD: dict[str, tuple[str, ...]] = {
    "cashback_pct": ("{p} cash back", "{p} back", "{p} cashback"),
    "cashback_amt": ("{a} cash back", "{a} back"),
    "discount_pct": ("{p} off",),
    "discount_amt": ("{a} off",),
    "points_mult": ("{x} points",),
    "points_fixed": ("{pts}", "a bonus of {pts}"),
    "bnpl": ("{n} payments with no interest", "{n} payments, interest-free"),
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
    ),
    "cashback_amt": (
        "Get {R} on {noun} at {m}{cond}{until}.",
        "Grab {R}{cond} at {m}{until}.",
        "Enjoy {R} when you {habit}{cond}{until}.",
        "{R} on {noun}{cond}{until}.",
    ),
    "discount_pct": (
        "Take {R} {noun}{capc}{cond}{until}.",
        "Save {p} on {noun} at {m}{capc}{cond}{until}.",
        "Enjoy {R} {noun}{capc}{cond}{until}.",
        "{R} {noun} at {m}{capc}{cond}{until}.",
        "Save {p} when you {habit}{capc}{cond}{until}.",
    ),
    "discount_amt": (
        "Save {a} on {noun}{cond}{until}.",
        "Take {a} off {noun} at {m}{cond}{until}.",
        "Get {a} off when you {habit}{cond}{until}.",
        "{a} off {noun}{cond}{until}.",
    ),
    "points_mult": (
        "Earn {x} points on {noun}{cond}{until}.",
        "Collect {x} points every time you {habit}{until}.",
        "{x} points on {noun} at {m}{until}.",
        "Rack up {x} points on {noun}{cond}{until}.",
    ),
    "points_fixed": (
        "Earn {pts} on {noun}{cond}{until}.",
        "Get a bonus of {pts} when you {habit}{cond}{until}.",
        "Collect {pts} with {noun} at {m}{cond}{until}.",
        "{pts} are yours on {noun}{cond}{until}.",
    ),
    "bnpl": (
        "Split {noun} into {n} payments with no interest{cond}{until}.",
        "Pay for {noun} over {n} payments, interest-free{cond}{until}.",
        "Buy now, pay later at {m}: {n} payments, no interest{cond}{until}.",
        "Take home {noun} today and pay in {n} payments, interest-free{cond}{until}.",
    ),
    "intro_apr": (
        "Enjoy a {p} intro APR on purchases for {mo} with your {card}, then a variable {apr} APR.",
        "Get {p} intro APR for {mo} on purchases, then a variable {apr} APR{until}.",
        "Make big plans: {p} intro APR for {mo} on purchases with {m}, then a variable {apr} APR.",
        "Pay over time with a {p} intro APR for {mo}, then a variable {apr} APR{until}.",
    ),
    "fee_waiver_card": (
        "We'll waive the {fee} annual fee on your {card} for the first year{until}.",
        "Your {fee} annual fee is on us for the first year{until}.",
        "Keep your {card} and skip the {fee} annual fee for the first year{until}.",
    ),
    "fee_waiver_amt": (
        "Switch to {m} and we'll waive the {a} activation fee{until}.",
        "No {a} activation fee when you join {m}{until}.",
        "Skip the {a} activation fee on a new line{until}.",
    ),
    "free_shipping": (
        "Enjoy free {ship} on {noun}{cond}{until}.",
        "Free {ship} from {m}{cond}{until}.",
        "Get free {ship}{cond}{until}.",
        "Free {ship} on {noun} at {m}{cond}{until}.",
    ),
}

_CAP_CLAUSE = {
    "cashback_pct": (" (up to {cap} back)", ", up to {cap}", " (max {cap})"),
    "discount_pct": (" (up to {cap} off)", ", up to {cap} off", " (max savings {cap})"),
}
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
)
_BANK_POINTS_COND = (" after you spend {ms}", " once you spend {ms}")
_UNTIL_INLINE = (" through {d}", " until {d}")
_UNTIL_SENTENCE = (
    "Offer ends {d}.",
    "Ends {d}.",
    "Valid through {d}.",
    "Hurry, it ends {d}.",
    "Offer valid until {d}.",
    "Use it by {d}.",
)
_MERCHANT_SENTENCE = (
    "Your {m} offer is here.",
    "A new offer from {m}.",
    "{m} has something for you.",
    "Thanks for choosing {m}.",
)
_DEAL_WORDS = ("deal", "offer", "alert", "exclusive", "perk")
_GENERIC_CTAS = ("Tap to activate.", "Details in the app.", "Don't wait.")

# --- helpers -------------------------------------------------------------------------------------

_PLACEHOLDER = re.compile(r"(?<!\{)\{(\w+)\}(?!\})")  # "{m}" but not the merge tag "{{first_name}}"


def _fill(template: str, fields: dict[str, str]) -> str:
    return _PLACEHOLDER.sub(lambda mt: fields[mt.group(1)], template)


def _num(v: float) -> str:
    return f"{int(v):,}" if float(v).is_integer() else f"{v:,.2f}".rstrip("0").rstrip(".")


def _money(v: float, currency: str) -> str:
    sym = "€" if currency == "EUR" else "$"
    return f"{sym}{int(v):,}" if float(v).is_integer() else f"{sym}{v:,.2f}"


def _pct(v: float) -> str:
    return f"{_num(v)}%"


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


@dataclass
class _Copy:
    """Writes one piece of copy for one offer; every number comes from `terms`."""

    rng: random.Random
    pr: _Profile
    recipe: str
    terms: OfferTerms
    channel: Channel
    segment: str

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
            elif self.recipe == "points_fixed" and self.pr.merchant.category == "bank":
                clauses = _BANK_POINTS_COND
            else:
                clauses = _COND_CLAUSE
            f["cond"] = _fill(rng.choice(clauses), f)
        f["habit"] = _fill(cat.habit, f)
        f["R"] = _fill(rng.choice(_REWARD[self.recipe]), f)
        return f

    def write(self) -> str:
        for _ in range(60):
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
        deadline_inline = self.terms.valid_until is not None and rng.random() < 0.5
        deadline_sentence = ""
        if self.terms.valid_until is not None:
            d = _date(self.terms.valid_until)
            if deadline_inline:
                f["until"] = rng.choice(_UNTIL_INLINE).replace("{d}", d)
            elif rng.random() < 0.6:
                deadline_sentence = rng.choice(_UNTIL_SENTENCE).replace("{d}", d)
        writer = {
            Channel.sms: self._sms,
            Channel.push: self._push,
            Channel.email: self._long,
            Channel.in_app: self._long,
        }[self.channel]
        return self._finish(writer(f, deadline_sentence))

    def _sentence(self, f: dict[str, str], with_m: bool | None) -> str:
        pool = _SENTENCES[self.recipe]
        if with_m is not None:
            pool = tuple(s for s in pool if ("{m}" in s) == with_m) or pool
        return _cap_first(_fill(self.rng.choice(pool), f))

    def _opener(self) -> str:
        rng = self.rng
        seg = _SEGMENT_OPENERS.get(self.segment)
        if self.terms.firm_offer and rng.random() < 0.6:
            return rng.choice(("You're pre-approved.", "Good news: you're pre-approved."))
        pool = seg if seg and rng.random() < 0.5 else self.pr.voice.openers
        return rng.choice(pool).replace("{m}", self.pr.merchant.name)

    def _rules(self) -> list[dict[str, Any]]:
        return [r for r in self.pr.channel_rules if r["channel"] == self.channel.value]

    def _reward_on(self, f: dict[str, str]) -> str:
        """The reward phrase with what it applies to, where that reads naturally."""
        if self.recipe in ("discount_pct", "discount_amt"):
            return f"{f['R']} {f['noun']}{f['capc']}"
        if self.recipe in ("cashback_pct", "cashback_amt", "points_mult", "points_fixed"):
            return f"{f['R']} on {f['noun']}{f['capc']}"
        return f["R"]

    def _cta(self) -> str:
        pool = self.pr.category.ctas + _GENERIC_CTAS
        return self.rng.choice(pool)

    def _sms(self, f: dict[str, str], deadline: str) -> str:
        rng, m = self.rng, self.pr.merchant.name
        # a merchant whose SMS must open with "Name:" gets the shape that already does
        prefixed = any("must_start_with" in r for r in self._rules())
        shape = 0 if prefixed else rng.randrange(4)
        parts: list[str]
        if shape == 0:
            opener = self._opener() if rng.random() < 0.4 else ""
            parts = [f"{m}:", opener, self._sentence(f, with_m=False), deadline]
        elif shape == 1:
            parts = [self._opener(), self._sentence(f, with_m=True), deadline]
        elif shape == 2:
            deal = rng.choice(_DEAL_WORDS)
            parts = [f"{m} {deal}: {f['R']}{f['capc']}{f['cond']}{f['until']}.", deadline]
        else:
            parts = [self._sentence(f, with_m=True), deadline]
        if rng.random() < 0.5:
            parts.append(self._cta())
        if rng.random() < 0.4:
            parts.append(TERMS)
        if rng.random() < 0.85:
            parts.append(STOP)
        return " ".join(parts)

    def _push(self, f: dict[str, str], deadline: str) -> str:
        rng, m = self.rng, self.pr.merchant.name
        shape = rng.randrange(4)
        if shape == 0:
            parts = [f"{_cap_first(self._reward_on(f))} at {m}{f['until']}."]
        elif shape == 1:
            parts = [self._opener(), self._sentence(f, with_m=True)]
        elif shape == 2:
            parts = [f"{m}:", self._sentence(f, with_m=False)]
        else:
            parts = [f"{m}: {_cap_first(self._reward_on(f))}{f['cond']}{f['until']}."]
        if rng.random() < 0.4:
            parts.append(self._cta())
        return " ".join(parts)

    def _long(self, f: dict[str, str], deadline: str) -> str:
        rng, m = self.rng, self.pr.merchant.name
        parts: list[str] = []
        if rng.random() < 0.55:
            parts.append(self._opener())
        sentence = self._sentence(f, with_m=None)
        if m not in sentence:
            parts.append(rng.choice(_MERCHANT_SENTENCE).replace("{m}", m))
        parts.append(sentence)
        extras = [deadline] if deadline else []
        extras.append(self._cta())
        if rng.random() < 0.5:
            extras.append(rng.choice(self.pr.voice.closers))
        limit = 1 if self.channel is Channel.in_app else 2
        parts.extend(rng.sample(extras, min(len(extras), rng.randint(0, limit))))
        credit = self.terms.kind in (OfferKind.intro_apr, OfferKind.fee_waiver)
        bank = self.pr.merchant.category == "bank"
        if credit and bank and not self.terms.firm_offer and rng.random() < 0.6:
            parts.append("Subject to credit approval.")
        if rng.random() < (0.7 if self.channel is Channel.email else 0.5):
            parts.append(TERMS)
        return " ".join(parts)

    def _finish(self, text: str) -> str:
        """Apply the merchant's required phrase and channel rules that can be satisfied by edits."""
        text = _tidy(text)
        name = self.pr.merchant.name
        if self.pr.merchant.category == "bank":  # you pay *with* a card, not *at* it
            card = name if name.endswith("Card") else f"{name} card"
            text = text.replace(f" at {name}", f" with your {card}")
        if self.channel in self.pr.required_channels and self.pr.required not in text:
            if text.endswith(STOP):
                text = text[: -len(STOP)].rstrip() + f" {self.pr.required} {STOP}"
            else:
                text = f"{text} {self.pr.required}"
        for rule in self._rules():
            end = rule.get("must_end_with")
            if end and not text.endswith(end):
                text = f"{text} {end}"
            start = rule.get("must_start_with")
            if start and not text.startswith(start):
                text = f"{start} {text}"
        return _tidy(text)

    def _ok(self, text: str) -> bool:
        limit = MAX_CHARS[self.channel]
        for rule in self._rules():
            limit = min(limit, rule.get("max_chars", limit))
            if rule.get("merge_tags") is False and "{{" in text:
                return False
        if len(text) > limit or self.pr.merchant.name not in text:
            return False
        if re.split(r"[.!?]", text, maxsplit=1)[0].count(":") > 1:
            return False  # "Update: Make big plans: ..." reads badly
        if not self.pr.voice.exclamation and "!" in text:
            return False
        low = text.lower()
        return not any(b.lower() in low for b in self.pr.banned)

    def _fallback(self) -> str:
        f = self.fields()
        return self._finish(f"{self.pr.merchant.name}: {_cap_first(f['R'])}.")


# --- metrics -------------------------------------------------------------------------------------

_SENT_MEDIAN = {Channel.email: 30000, Channel.push: 20000, Channel.sms: 6000, Channel.in_app: 12000}
_CTR_MEDIAN = {Channel.email: 0.018, Channel.push: 0.022, Channel.sms: 0.028, Channel.in_app: 0.03}


def _metrics(rng: random.Random, channel: Channel, text: str) -> tuple[int, int, int]:
    sent = max(500, round(rng.lognormvariate(math.log(_SENT_MEDIAN[channel]), 0.6)))
    ctr = _CTR_MEDIAN[channel] * rng.lognormvariate(0.0, 0.45)
    if "{{first_name}}" in text:
        ctr *= 1.15  # personalised copy does a little better
    if rng.random() < 0.06:
        ctr *= rng.uniform(2.0, 3.5)  # the occasional standout
    ctr = min(max(ctr, 0.002), 0.15)
    clicks = round(sent * ctr)
    redemptions = round(clicks * rng.betavariate(2, 5))
    return sent, clicks, redemptions


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
    34-42 past offers each (~2,500). A merchant's records depend only on `seed` and its id.
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
        pr = _make_profile(rng, spec)
        kb.merchants.append(pr.merchant)
        kb.rules.extend(pr.rules)
        count = offers_per_merchant if offers_per_merchant is not None else rng.randint(34, 42)
        offers: list[PastOffer] = []
        for _ in range(count):
            sent_at = FIRST_SENT + timedelta(days=rng.randint(0, span))
            recipe = _weighted(rng, pr.category.recipes)
            terms = _make_terms(rng, pr, recipe, sent_at)
            channel = rng.choices(channels, weights=channel_weights)[0]
            segment = rng.choice(pr.category.segments)
            text = _Copy(rng, pr, recipe, terms, channel, segment).write()
            sent, clicks, redemptions = _metrics(rng, channel, text)
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
