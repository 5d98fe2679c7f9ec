"""Build the independent PII evaluation set (eval/pii/set.jsonl and eval/pii/README.md).

The sentences come from presidio-evaluator's templates and fake identities (the data Presidio
itself is evaluated with) plus offer-copy templates written here, filled per locale by Faker so
that names, phone numbers, street addresses, IBANs and national IDs come in national formats.
The set is written blind to the project's PII check: nothing here reads its rules.

presidio-evaluator is NOT a project dependency (its pins could disturb the project's venv); run
this script from a separate venv:

    python3.11 -m venv /tmp/pii-venv && /tmp/pii-venv/bin/pip install presidio-evaluator
    /tmp/pii-venv/bin/python eval/pii/build_set.py [--check]

`--check` regenerates in memory and exits 1 if the result differs from the committed set.
The output is deterministic for a given presidio-evaluator and Faker version (SEED below).
Score the project's guard on it with `.venv/bin/python eval/bench/pii.py`.
"""

from __future__ import annotations

import argparse
import contextlib
import hashlib
import io
import itertools
import json
import random
import re
import sys
from datetime import date, datetime
from importlib.metadata import version
from pathlib import Path
from typing import Any

from faker.providers import BaseProvider
from presidio_evaluator.data_generator import PresidioSentenceFaker, presidio_templates_file_path
from presidio_evaluator.data_generator.faker_extensions import (
    AddressProviderNew,
    AgeProvider,
    IpAddressProvider,
    NationalityProvider,
    OrganizationProvider,
    PhoneNumberProviderNew,
    ReligionProvider,
    UsDriverLicenseProvider,
)
from presidio_evaluator.data_generator.faker_extensions.datasets import load_fake_person_df

SEED = 20260301
OUT_DIR = Path(__file__).resolve().parent
SET_PATH = OUT_DIR / "set.jsonl"
README_PATH = OUT_DIR / "README.md"
CALIBRATION_PERCENT = 40  # share of template families in the calibration split
LOWER_CASE_RATIO = 0.05  # presidio-evaluator's default: some sentences all lower case

# locale -> (FakeNameGenerator country code for the identity records, weight)
LOCALES: dict[str, tuple[str, int]] = {
    "en_US": ("US", 2),
    "en_GB": ("GB", 1),
    "de_DE": ("DE", 1),
    "fr_FR": ("FR", 1),
    "es_ES": ("ES", 1),
    "it_IT": ("IT", 1),
    "nl_NL": ("NL", 1),
    "sv_SE": ("SE", 1),
    "da_DK": ("DK", 1),
}
# sentences per unit of locale weight, per group of templates
PER_UNIT = {"presidio_pii": 100, "presidio_other": 20, "offer_pii": 50, "offer_clean": 35}

# The entity types the guard must find.
TARGET_TYPES = (
    "PHONE_NUMBER",
    "PERSON",
    "STREET_ADDRESS",
    "CREDIT_CARD",
    "EMAIL_ADDRESS",
    "IBAN_CODE",
    "US_SSN",
)
# Personal, but not required: a sentence holding one is neither scored for recall on it nor
# counted as entity-free.
OTHER_PERSONAL = (
    "NATIONAL_ID",
    "IP_ADDRESS",
    "US_DRIVER_LICENSE",
    "DATE_OF_BIRTH",
    "ZIP_CODE",
    "AGE",
    "URL",
)
# Not personal data: a sentence with only these is entity-free. The number-like ones (PRICE ...
# SHORT_CODE) are the offer-copy numbers a PII check must leave alone.
NOT_PERSONAL = (
    "GPE",
    "ORGANIZATION",
    "NRP",
    "DATE_TIME",
    "TITLE",
    "PRICE",
    "PERCENT",
    "DATE",
    "TIME",
    "ORDER_NUMBER",
    "REF_NUMBER",
    "PRODUCT_CODE",
    "PROMO_CODE",
    "COUNT",
    "SHORT_CODE",
)

# presidio-evaluator / Faker placeholder -> type in this set (ssn is decided by its format)
RAW_TYPES: dict[str, str] = {
    **dict.fromkeys(
        (
            "person",
            "name",
            "name_male",
            "name_female",
            "first_name",
            "first_name_male",
            "first_name_female",
            "first_name_nonbinary",
            "last_name",
            "last_name_male",
            "last_name_female",
        ),
        "PERSON",
    ),
    **dict.fromkeys(
        ("address", "street_address", "street_name", "building_number", "secondary_address"),
        "STREET_ADDRESS",
    ),
    "phone_number": "PHONE_NUMBER",
    "credit_card_number": "CREDIT_CARD",
    "credit_card_grouped": "CREDIT_CARD",
    "email": "EMAIL_ADDRESS",
    "iban": "IBAN_CODE",
    "ssn": "US_SSN",
    "us_ssn": "US_SSN",
    "ip_address": "IP_ADDRESS",
    "us_driver_license": "US_DRIVER_LICENSE",
    "date_of_birth": "DATE_OF_BIRTH",
    "zipcode": "ZIP_CODE",
    "postcode": "ZIP_CODE",
    "age": "AGE",
    "url": "URL",
    **dict.fromkeys(("city", "country", "state", "state_abbr"), "GPE"),
    "organization": "ORGANIZATION",
    **dict.fromkeys(("nationality", "nation_woman", "nation_man", "nation_plural"), "NRP"),
    **dict.fromkeys(("date_time", "day_of_week", "year"), "DATE_TIME"),
    **dict.fromkeys(("prefix", "prefix_male", "prefix_female", "job"), "TITLE"),
    "price": "PRICE",
    "percent": "PERCENT",
    "apr": "PERCENT",
    "offer_date": "DATE",
    "short_date": "DATE",
    "time_of_day": "TIME",
    "order_number": "ORDER_NUMBER",
    "ref_number": "REF_NUMBER",
    "product_code": "PRODUCT_CODE",
    "ean": "PRODUCT_CODE",
    "promo_code": "PROMO_CODE",
    "points": "COUNT",
    "months": "COUNT",
    "store_count": "COUNT",
    "store_number": "COUNT",
    "short_code": "SHORT_CODE",
}
PII_PLACEHOLDERS = {k for k, v in RAW_TYPES.items() if v in TARGET_TYPES} | {"postcode"}
US_SSN_RE = re.compile(r"^\d{3}-\d{2}-\d{4}$")
# A run of these placeholders separated only by spaces/commas/newlines (and the ">"/"???"
# quoting of the templates) is one postal address when it holds a street part.
ADDRESS_PARTS = {
    "address",
    "street_address",
    "street_name",
    "building_number",
    "secondary_address",
    "postcode",
    "zipcode",
    "city",
    "state",
    "state_abbr",
    "country",
}
STREET_PARTS = {"address", "street_address", "street_name", "building_number", "secondary_address"}
ADDRESS_GAP_RE = re.compile(r"^[\s,>?]{0,8}$")
STREET_SUFFIX_RE = re.compile(r"^ (?:St\.|St\b|[Ss]treet\b)")

# ---------------------------------------------------------------------------------------------
# Offer-copy templates written for this set. [[first_name]] is the project's literal merge tag
# (not PII); it becomes {{first_name}} in the text after generation.

OFFER_CLEAN_EN = [
    "Get {{percent}} cash back at FreshMart on orders of {{price}} or more through {{offer_date}}."
    " Terms apply.",
    "{{percent}} cash back on {{price}}+ through {{short_date}}.",
    "Call us at the number on the back of your card if you have questions about this offer.",
    "Your order {{order_number}} ships in 3-5 business days.",
    "Earn {{points}} bonus points when you spend {{price}} in the first {{months}} months.",
    "Intro APR of 0% for {{months}} months, then {{apr}} variable APR. Terms apply.",
    "Use code {{promo_code}} at checkout to save {{price}} on your next order.",
    "Offer valid {{offer_date}} to {{offer_date}} at participating stores.",
    "Doors open at {{time_of_day}}; the first 100 shoppers get an extra {{percent}} off.",
    "Item {{product_code}} is back in stock at {{price}}.",
    "Text JOIN to {{short_code}} for weekly deals. Msg & data rates may apply."
    " Reply STOP to opt out.",
    "Pay in 4 interest-free installments of {{price}}. No annual fee.",
    "Reference {{ref_number}}: your reward of {{price}} has been credited.",
    "Shop at {{store_count}} FreshMart locations and earn {{percent}} back, up to {{price}}"
    " per month.",
    "Hi [[first_name]], your {{percent}} cash back at FreshMart is waiting. Ends {{short_date}}."
    " Terms apply.",
    "Free delivery on orders over {{price}} placed before {{time_of_day}} on {{offer_date}}.",
    "Spend {{price}}, get {{price}} back - max one reward per account.",
    "Limited time: {{percent}} off everything from {{offer_date}} through {{offer_date}}.",
    "Your statement for the period ending {{offer_date}} is ready. Minimum payment due: {{price}}.",
    "Save {{percent}} on model {{product_code}} with code {{promo_code}}.",
    "Order {{order_number}} of {{offer_date}}: total {{price}} (incl. VAT).",
    "Earn 3x points on dining and 1x on everything else, up to {{price}} in combined purchases"
    " per quarter.",
    "Cash back is credited within 30-45 days after the purchase posts.",
    "The offer applies to purchases made between {{time_of_day}} and {{time_of_day}} on weekdays.",
    "Your {{price}} welcome bonus unlocks after {{price}} in purchases within 90 days.",
    "Transfer a balance by {{offer_date}} for 0% intro APR for {{months}} months; a {{percent}}"
    " fee applies (min {{price}}).",
    "Win one of 500 vouchers worth {{price}} each. Draw on {{offer_date}} at {{time_of_day}}.",
    "Batch {{product_code}}, best before {{offer_date}}.",
    "Enter promo code {{promo_code}} before {{short_date}} to unlock {{percent}} back.",
    "Ticket {{ref_number}} was closed on {{offer_date}}.",
    "Rates from {{apr}} to {{apr}} APR based on creditworthiness.",
    "Open Monday to Saturday, {{time_of_day}}-{{time_of_day}}.",
    "Buy 2, get 1 free on items {{product_code}} and {{product_code}}.",
    "Offer ID {{order_number}} expires {{offer_date}}.",
    "Top up by {{price}} and receive {{points}} points.",
    "The 2026 FreshMart rewards program gives {{percent}} back on groceries, fuel and pharmacy.",
    "Your card is on its way and should arrive within 7-10 business days.",
    "Activate this offer in the app by {{short_date}}; cash back is capped at {{price}}.",
    "Store #{{store_number}} will close early at {{time_of_day}} on {{offer_date}}.",
    "Questions? Visit the Help Center in the app or call the number on your card.",
    "Stack this {{percent}} offer with your {{points}} points for up to {{price}} off.",
    "Voucher {{promo_code}} is valid for one use per customer until {{offer_date}}.",
    "The minimum order value is {{price}}; shipping costs {{price}} below that.",
    "Receipts dated {{offer_date}} or later qualify; keep receipt number {{ref_number}}.",
    "Pay with your card at any contactless terminal and get {{percent}} back.",
    "Scan barcode {{ean}} at the register to apply the {{percent}} discount.",
    "[[first_name]], 5% cash back on $50+ at FreshMart through 12/31. Terms apply.",
    "Earn 2% on up to $10,000 in yearly purchases, then 1%. Terms apply.",
    "Flash sale ends {{offer_date}} at {{time_of_day}}: {{percent}} off {{store_count}} items.",
    "Your order number is {{order_number}}; keep it for returns within 30 days.",
    "Confirmation code {{ref_number}}: show it at the pickup counter.",
    "Text SAVE to {{short_code}} to get {{percent}} off your next visit.",
    "Reward {{ref_number}} of {{price}} posts to your account within 2 billing cycles.",
    "Gift card balance: {{price}}. Valid until {{offer_date}}.",
    "Your 12-month plan costs {{price}} a month, {{price}} in total.",
    "Prices valid {{offer_date}} to {{offer_date}} while supplies last; item {{ean}}.",
    "Tracking updates for order {{order_number}} will appear in the app.",
    "Fuel discount of 10 cents per gallon on up to 20 gallons, once per day.",
    "Offer {{order_number}}: {{percent}} back at FreshMart, {{percent}} at partner stores.",
]

OFFER_PII_EN = [
    "Hi {{first_name}}, your {{percent}} cash back at FreshMart is ready. Terms apply.",
    "{{person}}, get {{percent}} back on groceries through {{short_date}}.",
    "Questions about this offer? Call {{person}} directly at {{phone_number}}.",
    "Your new card will be mailed to {{address}} within 7-10 days.",
    "We'll send your {{price}} reward to {{email}}.",
    "Congrats {{first_name}}! Your card {{credit_card_grouped}} now earns {{percent}} back at"
    " FreshMart.",
    "Reply to {{email}} or text {{phone_number}} to claim your {{price}} bonus.",
    "Cash back will be deposited to IBAN {{iban}} by {{offer_date}}.",
    "To verify your identity for this offer, confirm your SSN {{ssn}}.",
    "Dear {{prefix}} {{last_name}}, enjoy {{percent}} off at FreshMart until {{offer_date}}.",
    "{{first_name}} {{last_name}} at {{street_address}}, {{city}} is pre-approved for {{apr}} APR.",
    "Ship to: {{name}}\n{{address}}\nPhone: {{phone_number}}",
    "Your referral from {{person}} ({{email}}) earned you {{points}} points.",
    "Hey {{first_name}}! Spend {{price}} at FreshMart before {{short_date}} and get {{price}}"
    " back. Questions? {{phone_number}}",
    "Card {{credit_card_number}} is enrolled: {{percent}} back on fuel through {{offer_date}}.",
    "Refunds for order {{order_number}} go to account {{iban}}.",
    "Delivery for {{person}}, {{street_address}}, between {{time_of_day}} and {{time_of_day}}.",
    "Our store manager {{name}} will be happy to help at {{phone_number}}.",
    "Invite friends like {{first_name}} and you both get {{price}}.",
    "We noticed {{email}} hasn't redeemed the {{percent}} offer yet.",
    "Your account manager is {{person}}; reach them at {{email}} or {{phone_number}}.",
    "Payment of {{price}} from card {{credit_card_grouped}} received on {{offer_date}}.",
    "{{person}} just saved {{price}} with FreshMart's {{percent}} cash back - you can too!",
    "Pick up your welcome gift at {{building_number}} {{street_name}} before {{offer_date}}.",
    "SSN on file: {{ssn}}. Your pre-approved limit is {{price}}.",
    "Thanks, {{first_name}} - your {{points}} points are worth {{price}} at checkout.",
    "Billing address {{street_address}}, {{postcode}} {{city}} confirmed for this offer.",
    "Mobile {{phone_number}} is now registered for SMS offers. Reply STOP to opt out.",
    "{{name}}, {{percent}} back is live on card {{credit_card_grouped}} until {{short_date}}.",
    "Send the {{price}} voucher to {{name}} at {{email}}.",
    "Applicant {{person}}, SSN {{us_ssn}}, is pre-approved for the 0% intro APR offer.",
    "Tax ID (SSN) {{us_ssn}} verified - your {{price}} bonus is on its way.",
    "We could not verify SSN {{us_ssn}}; please call us about your offer.",
    "Your cash back goes to {{iban}} every month.",
]

OFFER_CLEAN_NATIVE: dict[str, list[str]] = {
    "de_DE": [
        "{{percent}} Cashback bei FreshMart ab {{price}} Einkaufswert, gültig bis {{offer_date}}."
        " Es gelten die Teilnahmebedingungen.",
        "Ihre Bestellung {{order_number}} wird am {{offer_date}} zwischen {{time_of_day}} und"
        " {{time_of_day}} geliefert.",
        "Mit dem Code {{promo_code}} sparen Sie {{price}} auf Artikel {{product_code}}.",
    ],
    "fr_FR": [
        "Profitez de {{percent}} de remise dès {{price}} d'achat jusqu'au {{offer_date}}."
        " Voir conditions.",
        "Commande {{order_number}} : livraison prévue le {{offer_date}} avant {{time_of_day}}.",
        "Code {{promo_code}} : {{price}} offerts sur la référence {{product_code}}.",
    ],
    "es_ES": [
        "Consigue un {{percent}} de reembolso en compras desde {{price}} hasta el {{offer_date}}."
        " Consulta las condiciones.",
        "Tu pedido {{order_number}} llegará el {{offer_date}} antes de las {{time_of_day}}.",
    ],
    "it_IT": [
        "Ottieni il {{percent}} di cashback su spese da {{price}} fino al {{offer_date}}."
        " Si applicano termini e condizioni.",
        "Ordine {{order_number}}: consegna il {{offer_date}} entro le {{time_of_day}}.",
    ],
    "nl_NL": [
        "Ontvang {{percent}} cashback bij besteding vanaf {{price}} t/m {{offer_date}}."
        " Voorwaarden van toepassing.",
        "Bestelling {{order_number}} wordt op {{offer_date}} tussen {{time_of_day}} en"
        " {{time_of_day}} bezorgd.",
    ],
    "sv_SE": [
        "Få {{percent}} återbäring på köp över {{price}} till och med {{offer_date}}."
        " Villkor gäller.",
        "Order {{order_number}} levereras {{offer_date}} före kl. {{time_of_day}}.",
    ],
    "da_DK": [
        "Få {{percent}} cashback ved køb over {{price}} frem til {{offer_date}}."
        " Betingelser gælder.",
        "Ordre {{order_number}} leveres den {{offer_date}} inden kl. {{time_of_day}}.",
    ],
}

OFFER_PII_NATIVE: dict[str, list[str]] = {
    "de_DE": [
        "Bei Fragen erreichen Sie {{person}} unter {{phone_number}}.",
        "Bitte überweisen Sie die Gutschrift auf das Konto {{iban}}.",
        "Ihre Karte wird an {{street_address}}, {{postcode}} {{city}} gesendet.",
    ],
    "fr_FR": [
        "Pour toute question, contactez {{person}} au {{phone_number}}.",
        "Votre carte sera envoyée au {{street_address}}, {{postcode}} {{city}}.",
    ],
    "es_ES": [
        "Enviaremos la tarjeta a {{street_address}}, {{postcode}} {{city}}.",
        "Para dudas, llama a {{person}} al {{phone_number}}.",
    ],
    "it_IT": [
        "Per informazioni chiama {{person}} al {{phone_number}}.",
        "Il rimborso sarà accreditato sull'IBAN {{iban}}.",
    ],
    "nl_NL": [
        "Je pas wordt verstuurd naar {{street_address}}, {{postcode}} {{city}}.",
        "Vragen? Bel {{person}} op {{phone_number}}.",
    ],
    "sv_SE": [
        "Kortet skickas till {{street_address}}, {{postcode}} {{city}}.",
        "Frågor? Ring {{person}} på {{phone_number}}.",
    ],
    "da_DK": [
        "Kortet sendes til {{street_address}}, {{postcode}} {{city}}.",
        "Spørgsmål? Ring til {{person}} på {{phone_number}}.",
    ],
}

# ---------------------------------------------------------------------------------------------
# Faker providers: offer numbers (not personal data), and placeholders some locales lack.

CURRENCY = {
    "en_US": ("$", "before", ".", ","),
    "en_GB": ("£", "before", ".", ","),
    "de_DE": ("€", "after", ",", "."),
    "fr_FR": ("€", "after", ",", "\u202f"),
    "es_ES": ("€", "after", ",", "."),
    "it_IT": ("€", "before_space", ",", "."),
    "nl_NL": ("€", "before_space", ",", "."),
    "sv_SE": ("kr", "after", ",", " "),
    "da_DK": ("kr", "after", ",", "."),
}
DATE_FORMATS = {
    "en_US": ["%m/%d/%Y", "%b %d, %Y", "%B %d", "%m/%d/%y", "%Y-%m-%d"],
    "en_GB": ["%d/%m/%Y", "%d %B %Y", "%d %b", "%Y-%m-%d"],
    "de_DE": ["%d.%m.%Y", "%d.%m.%y", "%Y-%m-%d"],
    "fr_FR": ["%d/%m/%Y", "%d.%m.%Y", "%Y-%m-%d"],
    "es_ES": ["%d/%m/%Y", "%d-%m-%Y", "%Y-%m-%d"],
    "it_IT": ["%d/%m/%Y", "%d.%m.%Y", "%Y-%m-%d"],
    "nl_NL": ["%d-%m-%Y", "%d/%m/%Y", "%Y-%m-%d"],
    "sv_SE": ["%Y-%m-%d", "%d/%m %Y"],
    "da_DK": ["%d.%m.%Y", "%d-%m-%Y", "%Y-%m-%d"],
}
SECONDARY_ADDRESS = {
    "de_DE": ["Whg. ##", "#. OG", "App. ##", "Hinterhaus, #. OG"],
    "fr_FR": ["Appartement ##", "Bât. B, Apt. ##", "#e étage", "Résidence les Lilas, Apt. #"],
    "nl_NL": ["Appartement ##", "#e verdieping", "bus ##"],
    "sv_SE": ["Lgh 1###", "# tr", "Lgh 1###, # tr"],
    "da_DK": ["#. th.", "#. tv.", "st. th.", "#. mf."],
}
STATE_ABBR = {
    "en_GB": ["ENG", "SCT", "WLS", "NIR"],
    "de_DE": ["BY", "NW", "BE", "HH", "HE", "BW", "SN"],
    "fr_FR": ["IDF", "ARA", "PACA", "NAQ", "OCC"],
    "es_ES": ["MD", "CT", "AN", "VC", "GA"],
    "it_IT": ["MI", "RM", "TO", "NA", "FI"],
    "nl_NL": ["NH", "ZH", "UT", "NB", "GR"],
    "sv_SE": ["AB", "M", "O", "E", "C"],
    "da_DK": ["DK-84", "DK-85", "DK-82", "DK-83", "DK-81"],
}


# Fixed ranges: Faker's own dates are relative to today, which would make the set unreproducible.
OFFER_DATES = (date(2026, 1, 5), date(2027, 6, 30))
PAST_DATETIMES = (datetime(1970, 1, 1), datetime(2025, 12, 31))
BIRTH_DATES = (date(1940, 1, 1), date(2006, 12, 31))


def offer_provider(locale: str) -> type[BaseProvider]:
    symbol, position, dec, thou = CURRENCY[locale]
    date_formats = DATE_FORMATS[locale]

    class OfferNumbersProvider(BaseProvider):
        def _group(self, n: int) -> str:
            return f"{n:,}".replace(",", thou)

        def price(self) -> str:
            whole = self.random_element([5, 10, 15, 20, 25, 50, 75, 100, 150, 250, 500, 1500])
            whole = self.random_int(1, 9) * whole // 5 or whole
            cents = self.random_element([None, None, 0, 99, 49, 95, 50])
            amount = self._group(whole)
            if cents is not None:
                amount += f"{dec}{cents:02d}"
            if position == "before":
                return f"{symbol}{amount}"
            if position == "before_space":
                return f"{symbol} {amount}"
            return f"{amount} {symbol}"

        def percent(self) -> str:
            value = self.random_element(["1", "2", "3", "5", "10", "12", "15", "20", "25", "40"])
            if self.generator.random.random() < 0.15:
                value += dec + self.random_element(["5", "25", "75"])
            sep = "\u00a0" if locale == "fr_FR" else (" " if locale in ("de_DE", "sv_SE") else "")
            return f"{value}{sep}%"

        def apr(self) -> str:
            return f"{self.random_int(9, 29)}.{self.random_int(0, 99):02d}%"

        def offer_date(self) -> str:
            d = self.generator.date_between_dates(OFFER_DATES[0], OFFER_DATES[1])
            return d.strftime(self.random_element(date_formats))

        def short_date(self) -> str:
            d = self.generator.date_between_dates(OFFER_DATES[0], OFFER_DATES[1])
            if locale == "en_US":
                return f"{d.month}/{d.day}"
            if locale in ("de_DE", "da_DK"):
                return f"{d.day}.{d.month}"
            return f"{d.day}/{d.month}"

        def time_of_day(self) -> str:
            h, m = self.random_int(6, 22), self.random_element([0, 0, 15, 30, 45])
            if locale == "en_US":
                return f"{(h - 1) % 12 + 1}:{m:02d} {'AM' if h < 12 else 'PM'}"
            if locale == "en_GB":
                return f"{(h - 1) % 12 + 1}.{m:02d}{'am' if h < 12 else 'pm'}"
            if locale == "fr_FR":
                return f"{h}h{m:02d}"
            return f"{h:02d}:{m:02d}"

        def order_number(self) -> str:
            return self.bothify(
                self.random_element(
                    [
                        "#1########",
                        "ORD-2026-######",
                        "###########",
                        "??##-??##",
                        "W#########",
                        "#########",
                        "FM-########",
                    ]
                )
            ).upper()

        def ref_number(self) -> str:
            return self.bothify(
                self.random_element(["2026-##-######", "00######", "REF-#######", "R########"])
            )

        def product_code(self) -> str:
            return self.bothify(
                self.random_element(["SKU-#####-???", "XR-####", "#####-##", "P#######", "L####A"])
            ).upper()

        def ean(self) -> str:
            digits = [self.random_int(0, 9) for _ in range(12)]
            check = (10 - sum(d * (3 if i % 2 else 1) for i, d in enumerate(digits)) % 10) % 10
            return "".join(map(str, digits)) + str(check)

        def promo_code(self) -> str:
            return self.bothify(
                self.random_element(["SAVE##", "FRESH#", "WELCOME-2026", "????##", "BONUS###"])
            ).upper()

        def points(self) -> str:
            return self._group(self.random_element([500, 1000, 2500, 5000, 10000, 25000, 60000]))

        def months(self) -> str:
            return str(self.random_element([6, 12, 15, 18, 21]))

        def store_count(self) -> str:
            return self._group(self.random_element([120, 350, 1200, 2400, 4800])) + "+"

        def store_number(self) -> str:
            return self.numerify("0###")

        def short_code(self) -> str:
            return self.numerify(self.random_element(["7####", "3####", "22####"]))

        def us_ssn(self) -> str:
            area = self.random_element([self.random_int(1, 665), self.random_int(667, 899)])
            group, serial = self.random_int(1, 99), self.random_int(1, 9999)
            sep = self.random_element(["-", "-", " ", ""])
            return f"{area:03d}{sep}{group:02d}{sep}{serial:04d}"

        def credit_card_grouped(self) -> str:
            number = self.generator.credit_card_number()
            sep = self.random_element([" ", " ", "-"])
            if len(number) == 15:  # Amex: 4-6-5
                return sep.join([number[:4], number[4:10], number[10:]])
            return sep.join(number[i : i + 4] for i in range(0, len(number), 4))

    return OfferNumbersProvider


def fallback_provider(locale: str) -> type[BaseProvider]:
    """Placeholders the templates use that this Faker locale lacks, in its national style."""
    secondary = SECONDARY_ADDRESS.get(locale)
    states = STATE_ABBR.get(locale)

    class LocaleFallbackProvider(BaseProvider):
        """Also the date placeholders, from fixed ranges instead of relative to today."""

        def date_time(self) -> datetime:
            dt = self.generator.date_time_between_dates(*PAST_DATETIMES)
            return dt.replace(microsecond=0)

        def year(self) -> str:
            return str(self.date_time().year)

        def date_of_birth(self) -> date:
            return self.generator.date_between_dates(*BIRTH_DATES)

        def day_of_week(self) -> str:
            dt = self.date_time()
            for provider in self.generator.providers:
                names = getattr(provider, "DAY_NAMES", None)
                if isinstance(names, dict) and names:
                    return str(names[dt.strftime("%w")])
            return dt.strftime("%A")

    def secondary_address(self: BaseProvider) -> str:
        return self.numerify(self.random_element(secondary))

    def state_abbr(self: BaseProvider) -> str:
        return self.random_element(states)

    def zipcode(self: BaseProvider) -> str:
        return self.generator.postcode()

    if secondary:
        LocaleFallbackProvider.secondary_address = secondary_address  # type: ignore[attr-defined]
    if states:
        LocaleFallbackProvider.state_abbr = state_abbr  # type: ignore[attr-defined]
    if locale != "en_US":
        LocaleFallbackProvider.zipcode = zipcode  # type: ignore[attr-defined]
    return LocaleFallbackProvider


def providers_for(locale: str) -> list[type[BaseProvider]]:
    # presidio-evaluator's default providers, except HospitalProvider (fetches WikiData; no
    # template uses it). Its address/phone providers are en_US formats: only en_US gets them,
    # the other locales keep Faker's national ones.
    base: list[type[BaseProvider]] = [
        IpAddressProvider,
        NationalityProvider,
        OrganizationProvider,
        UsDriverLicenseProvider,
        AgeProvider,
        ReligionProvider,
    ]
    if locale == "en_US":
        base += [AddressProviderNew, PhoneNumberProviderNew]
    return [*base, fallback_provider(locale), offer_provider(locale)]


# ---------------------------------------------------------------------------------------------

NAME_KEYS = (
    "person",
    "name",
    "first_name",
    "last_name",
    "first_name_female",
    "first_name_male",
    "last_name_female",
    "last_name_male",
    "email",
)


def identity_records(country: str, rng: random.Random) -> list[dict[str, Any]]:
    """presidio-evaluator's FakeNameGenerator identities living in `country`. The record's
    street address is a full one ("Rhinstrasse 91"), so it fills {{street_address}} only; in
    40 % of the records the name (and e-mail) and in 50 % the phone number are left to Faker's
    locale, so both national Faker formats and the records' own appear."""
    random.seed(SEED)  # load_fake_person_df draws middle initials with `random`
    df = load_fake_person_df()
    records = []
    for raw in df[df["country_code"] == country].to_dict(orient="records"):
        # text fields only (numeric columns lost their leading zeros in pandas)
        rec = {k: v for k, v in raw.items() if isinstance(v, str) and v.strip()}
        rec["street_address"] = rec.pop("street_name", "")
        if rng.random() < 0.4:
            for k in NAME_KEYS:
                rec.pop(k, None)
        if rng.random() < 0.5:
            rec.pop("phone_number", None)
        records.append(rec)
    return records


# PresidioSentenceFaker turns "<" and ">" into "{{" and "}}"; the templates' literal ones (mail
# quoting "> ") are swapped for these one-character stand-ins and restored after generation.
ANGLE_STANDINS = {"<": "\ue000", ">": "\ue001"}


def clean_template(t: str) -> str:
    t = t.replace("\\n", "\n").replace("\\,", ",").replace("\ufffd", "-")
    # one template writes {street_name} with single braces
    return re.sub(r"(?<!\{)\{(\w+)\}(?!\})", r"{{\1}}", t)


def placeholders(t: str) -> list[str]:
    return [m.lower() for m in re.findall(r"\{\{\s*(\w+)\s*\}\}", t)]


def family_key(t: str) -> str:
    """Templates differing only by gendered placeholders, quoting or spacing are one family;
    templates made of placeholders alone (address blocks) are one family per address shape."""
    k = re.sub(r"_(male|female|nonbinary)\}\}", "}}", t.lower())
    literal = re.sub(r"\{\{\w+\}\}", " ", k)
    if not re.search(r"[a-zäöüéèàåæø]{3,}", literal):
        parts = sorted(set(placeholders(k)) & ADDRESS_PARTS)
        return "block:" + ",".join(parts)
    k = re.sub(r"[^a-z{}_äöüéèàåæøß]+", " ", k)
    return " ".join(k.split())


def split_of(t: str) -> str:
    h = int(hashlib.sha256(family_key(t).encode()).hexdigest()[:8], 16)
    return "calibration" if h % 100 < CALIBRATION_PERCENT else "heldout"


def template_id(source: str, t: str) -> str:
    prefix = {"presidio": "pe", "offer": "og"}[source]
    return f"{prefix}-{hashlib.sha256(t.encode()).hexdigest()[:10]}"


def is_target_template(t: str) -> bool:
    return bool(set(placeholders(t)) & PII_PLACEHOLDERS)


def to_spans(text: str, raw_spans: list[Any]) -> list[dict[str, Any]]:
    raw = sorted(
        ((s.start_position, s.end_position, s.entity_type, str(s.entity_value)) for s in raw_spans),
        key=lambda x: x[0],
    )
    for start, end, kind, value in raw:
        if text[start:end] != value:
            raise AssertionError(f"span {kind} {value!r} != {text[start:end]!r} in {text!r}")
        if kind not in RAW_TYPES:
            raise AssertionError(f"unmapped placeholder {kind!r}")
    # merge postal-address runs
    merged: list[tuple[int, int, str, list[str]]] = []
    for start, end, kind, _ in raw:
        if (
            merged
            and kind in ADDRESS_PARTS
            and set(merged[-1][3]) <= ADDRESS_PARTS
            and ADDRESS_GAP_RE.match(text[merged[-1][1] : start])
        ):
            s0, _, _, kinds = merged[-1]
            merged[-1] = (s0, end, "", [*kinds, kind])
        else:
            merged.append((start, end, "", [kind]))
    spans = []
    for start, end, _, kinds in merged:
        if set(kinds) & STREET_PARTS:
            m = STREET_SUFFIX_RE.match(text[end:])
            if m and kinds[-1] == "street_name":
                end += m.end()
            spans.append({"type": "STREET_ADDRESS", "start": start, "end": end})
            continue
        if len(kinds) > 1:  # no street part, e.g. "{{city}}, {{country}}": keep the parts
            for s, e, k, _ in raw:
                if s >= start and e <= end:
                    spans.append({"type": RAW_TYPES[k], "start": s, "end": e})
            continue
        k = kinds[0]
        t = RAW_TYPES[k]
        if k == "ssn" and not US_SSN_RE.match(text[start:end]):
            t = "NATIONAL_ID"
        spans.append({"type": t, "start": start, "end": end})
    for a, b in itertools.pairwise(spans):
        assert a["end"] <= b["start"], (a, b, text)
    return spans


def generate(
    locale: str, templates: list[str], n: int, seed: int, lower_ratio: float
) -> list[tuple[str, str, list[Any]]]:
    """n sentences from `templates` with presidio-evaluator's PresidioSentenceFaker."""
    country, _ = LOCALES[locale]
    rng = random.Random(seed)
    protected = [t.translate(str.maketrans(ANGLE_STANDINS)) for t in templates]
    with contextlib.redirect_stdout(io.StringIO()), contextlib.redirect_stderr(io.StringIO()):
        faker = PresidioSentenceFaker(
            locale=locale,
            lower_case_ratio=0.0,  # its lower-casing leaves full_text as is; done below
            sentence_templates=protected,
            entity_providers=providers_for(locale),
            base_records=identity_records(country, rng),
            entity_type_mapping={k: k for k in RAW_TYPES},
            random_seed=seed,
        )
        samples = faker.generate_new_fake_sentences(n)
    out = []
    for sample in samples:
        text = sample.full_text
        for char, standin in ANGLE_STANDINS.items():
            text = text.replace(standin, char)
        t = templates[sample.template_id]
        if rng.random() < lower_ratio and len(text.lower()) == len(text):
            text = text.lower()
            for span in sample.spans:
                span.entity_value = str(span.entity_value).lower()
        out.append((t, text, sample.spans))
    return out


def build() -> tuple[list[dict[str, Any]], dict[str, Any]]:
    presidio = []
    for line in presidio_templates_file_path.read_text(encoding="utf-8").splitlines():
        t = clean_template(line.strip())
        if t and t not in presidio:
            presidio.append(t)
    groups_common = {
        "presidio_pii": [t for t in presidio if is_target_template(t)],
        "presidio_other": [t for t in presidio if not is_target_template(t)],
    }
    rows: list[dict[str, Any]] = []
    for li, (locale, (_, weight)) in enumerate(LOCALES.items()):
        groups = {
            **groups_common,
            "offer_pii": OFFER_PII_EN + OFFER_PII_NATIVE.get(locale, []),
            "offer_clean": OFFER_CLEAN_EN + OFFER_CLEAN_NATIVE.get(locale, []),
        }
        for gi, (group, templates) in enumerate(groups.items()):
            source = "presidio" if group.startswith("presidio") else "offer"
            lower = LOWER_CASE_RATIO if source == "presidio" else 0.0
            n = PER_UNIT[group] * weight
            for t, text, raw_spans in generate(locale, templates, n, SEED + 100 * li + gi, lower):
                if "[[first_name]]" in t:
                    text = text.replace("[[first_name]]", "{{first_name}}")
                spans = to_spans(text, raw_spans)
                types = {s["type"] for s in spans}
                rows.append(
                    {
                        "id": "",
                        "text": text,
                        "locale": locale,
                        "split": split_of(t),
                        "template_id": template_id(source, t),
                        "source": source,
                        "entity_free": not (types & set(TARGET_TYPES + OTHER_PERSONAL)),
                        "spans": spans,
                    }
                )
    for i, row in enumerate(rows, 1):
        row["id"] = f"pii-{i:05d}"
    meta = {
        "presidio_templates": len(presidio),
        "offer_templates": len(
            set(OFFER_PII_EN + OFFER_CLEAN_EN)
            | {t for d in (OFFER_PII_NATIVE, OFFER_CLEAN_NATIVE) for ts in d.values() for t in ts}
        ),
    }
    return rows, meta


def serialise(rows: list[dict[str, Any]]) -> str:
    return "".join(json.dumps(r, ensure_ascii=False) + "\n" for r in rows)


def readme(rows: list[dict[str, Any]], meta: dict[str, Any]) -> str:
    splits = ("calibration", "heldout")
    by_split = {s: [r for r in rows if r["split"] == s] for s in splits}
    n_templates = {s: len({r["template_id"] for r in by_split[s]}) for s in splits}

    def table(header: list[str], body: list[list[Any]]) -> str:
        lines = ["| " + " | ".join(header) + " |", "|" + "---|" * len(header)]
        lines += ["| " + " | ".join(str(c) for c in row) + " |" for row in body]
        return "\n".join(lines)

    def has_target(r: dict[str, Any]) -> bool:
        return any(s["type"] in TARGET_TYPES for s in r["spans"])

    sent_rows = []
    for label, pick in (
        ("sentences", lambda r: True),
        ("with a target entity", has_target),
        ("entity-free", lambda r: r["entity_free"]),
        (
            "other (only non-required personal spans)",
            lambda r: not has_target(r) and not r["entity_free"],
        ),
    ):
        counts = [sum(1 for r in by_split[s] if pick(r)) for s in splits]
        sent_rows.append([label, *counts, sum(counts)])
    sent_rows.append(["templates", n_templates["calibration"], n_templates["heldout"], ""])

    def type_rows(types: tuple[str, ...]) -> list[list[Any]]:
        out = []
        for t in types:
            counts = [
                sum(1 for r in by_split[s] for x in r["spans"] if x["type"] == t) for s in splits
            ]
            out.append([t, *counts, sum(counts)])
        return out

    loc_rows = []
    for loc in LOCALES:
        counts = [sum(1 for r in by_split[s] if r["locale"] == loc) for s in splits]
        ents = sum(
            1 for r in rows if r["locale"] == loc for x in r["spans"] if x["type"] in TARGET_TYPES
        )
        free = sum(1 for r in rows if r["locale"] == loc and r["entity_free"])
        loc_rows.append([loc, *counts, sum(counts), ents, free])
    src_rows = []
    for src in ("presidio", "offer"):
        counts = [sum(1 for r in by_split[s] if r["source"] == src) for s in splits]
        src_rows.append([src, *counts, sum(counts)])

    return f"""# PII evaluation set

`set.jsonl` is an independent set for scoring the guard's PII detection (names, phone numbers,
street addresses, card numbers, e-mail addresses, IBANs, US SSNs) in copy and request text. It was
written without sight of the project's PII check or its data: it measures, it is not derived from
the rules.

Score the guard on it: `HF_HUB_OFFLINE=1 TRANSFORMERS_OFFLINE=1 .venv/bin/python eval/bench/pii.py`.

## How it was made

`build_set.py` (run it from its own venv, see its docstring; not a project dependency) fills
templates with fake identities through presidio-evaluator's `PresidioSentenceFaker`, the generator
of the data set Presidio itself is evaluated with:

- **presidio templates**: the {meta["presidio_templates"]} distinct templates shipped with
  presidio-evaluator (`raw_data/templates.txt`; literal `\\n` turned into newlines, one
  `{{street_name}}` written with single braces fixed, one mis-encoded dash replaced). 5 % of these
  sentences are lower-cased, as presidio-evaluator does by default.
- **offer templates**: {meta["offer_templates"]} templates written for this set in the style of the
  service's copy: offer copy carrying personal data, and offer copy with none but full of numbers
  that are not personal data (prices, percentages, dates, times, order/reference numbers, product
  codes and EAN barcodes, promo codes, SMS short codes, point counts; "Call us at the number on your
  card", "5% cash back on $50+ through 12/31", the `{{{{first_name}}}}` merge tag), in English and,
  for the EU locales, a few in the local language.
- **identities**: presidio-evaluator's FakeNameGenerator records of people living in the locale's
  country (names of many origins, national phone formats, `Rhinstrasse 91`-style streets), with
  Faker's locale providers for everything else (and for the name in 40 %, the phone in 50 % of the
  records). en_US also gets presidio-evaluator's extended address and phone providers (multi-line
  addresses with apartment, `(711)471-0497`, `+41 36 507 52 91`, ...); the other locales keep
  Faker's national formats (`03.91.12.17.13`, `46 rue Nationale`, `Orrspelsv 49`). Placeholders a
  Faker locale lacks (apartment, region code) are filled in that country's style. presidio-
  evaluator's HospitalProvider is left out (it queries WikiData; no template uses it).
- Seed {SEED}; Faker {version("faker")}, presidio-evaluator {version("presidio-evaluator")},
  Python {sys.version.split()[0]}. Rebuilding with these versions reproduces the file byte for byte
  (`build_set.py --check`).

Per locale and weight unit (en_US weighs 2, the others 1) the script draws
{PER_UNIT["presidio_pii"]} sentences from presidio templates with a target placeholder,
{PER_UNIT["presidio_other"]} from those without, {PER_UNIT["offer_pii"]} from offer templates
with personal data and {PER_UNIT["offer_clean"]} from those without.

## Format

One JSON object a line:

```json
{{"id": "pii-00001", "text": "...", "locale": "en_US", "split": "calibration",
 "template_id": "pe-3f2a...", "source": "presidio", "entity_free": false,
 "spans": [{{"type": "PHONE_NUMBER", "start": 12, "end": 26}}]}}
```

- `spans`: exact character offsets (`text[start:end]` is the generated value; checked when
  building), sorted, not overlapping.
- **Target types** (the guard must find these): {", ".join(TARGET_TYPES)}.
  `US_SSN` is a US social security number: presidio's `ssn` placeholder when Faker's value has
  the US format `###-##-####` (en_US, and the locales whose Faker falls back to it), and the offer
  templates' SSN as `###-##-####`, `### ## ####` or `#########`. Other national IDs from presidio's
  `ssn` placeholder (UK NINO, French NIR, Italian codice fiscale, Dutch BSN, Swedish personnummer)
  are `NATIONAL_ID`.
  `STREET_ADDRESS` covers a whole postal address: adjacent street/number/apartment/city/region/
  postcode/country placeholders separated only by spaces, commas or line breaks are one span (a
  multi-line address is one span, and a following " St."/" street" belongs to it); a street
  name alone is also one.
- **Other personal types** (recorded, never required; a sentence with one is not entity-free):
  {", ".join(OTHER_PERSONAL)}.
- **Not personal** (a sentence with only these is entity-free; a PII finding on them is a false
  alarm): {", ".join(NOT_PERSONAL)}. GPE/ORGANIZATION/NRP/DATE_TIME/TITLE are presidio-evaluator's
  city/country, company, nationality, date and title placeholders; the rest are offer numbers.
- `entity_free`: no span of a target or other personal type.
- `split` / `template_id`: the split is per template family, never per sentence: a family is the
  template text with gendered placeholders, quoting and spacing normalised (templates made only of
  address placeholders form one family per address shape);
  `sha256(family) % 100 < {CALIBRATION_PERCENT}` is `calibration`, the rest `heldout`. The same
  template is in the same split in every locale. Tune on `calibration` only; read `heldout` as
  counts.

## Counts

{table(["", "calibration", "heldout", "total"], sent_rows)}

Entities (spans) per type and split:

{table(["type", "calibration", "heldout", "total"], type_rows(TARGET_TYPES))}

Not required:

{table(["type", "calibration", "heldout", "total"], type_rows(OTHER_PERSONAL + NOT_PERSONAL))}

Per locale (sentences; target entities; entity-free sentences):

{table(["locale", "calibration", "heldout", "total", "target entities", "entity-free"], loc_rows)}

Per source:

{table(["source", "calibration", "heldout", "total"], src_rows)}

## Caveats

- Labels follow presidio-evaluator's templates: names in song-review or film prose, a lone street
  name ("The bus station is on Elizabeth Fall"), a surname that is also a word ("says King") all
  count as PERSON/STREET_ADDRESS. Some of these are hard by design.
- Within one sentence the first value of a type comes from the same identity record (name and
  e-mail agree); further values of the same type come from Faker.
- The presidio templates are English in every locale; only the values are national. The offer
  templates are English plus a few in each EU locale's language.
- The split is by family, so the non-required types are unevenly spread (e.g. `SHORT_CODE` can fall
  wholly in one split); the target types are in both.
- The set is synthetic: it measures coverage of formats and contexts, not the rate of PII in real
  traffic.

## Licence

presidio-evaluator (templates, FakeNameGenerator sample, providers) is MIT-licensed
(Copyright (c) Microsoft Corporation); Faker is MIT-licensed. The identities are fake. The offer
templates are this project's.
"""


def main() -> int:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--check", action="store_true", help="compare with the committed set")
    args = parser.parse_args()
    rows, meta = build()
    data = serialise(rows)
    text = readme(rows, meta)
    if args.check:
        same = SET_PATH.read_text(encoding="utf-8") == data
        print("set.jsonl up to date" if same else "set.jsonl differs from a fresh build")
        return 0 if same else 1
    SET_PATH.write_text(data, encoding="utf-8")
    README_PATH.write_text(text, encoding="utf-8")
    print(f"wrote {len(rows)} sentences to {SET_PATH} ({len(data.encode()) / 1e6:.2f} MB)")
    return 0


if __name__ == "__main__":
    sys.exit(main())
