"""The demo KB: deterministic, sized as promised, and every past offer's copy agrees with its terms.

The number check below is written independently of the generator: it reads numbers back out of
the copy and asks whether the offer's own terms back each one, in the documented format.
"""

from __future__ import annotations

import re
import statistics
from collections import Counter
from datetime import date

import pytest

from offergen.retrieval.demo_kb import DemoKB, generate_demo_kb
from offergen.schemas import Channel, OfferKind, PastOffer, RuleKind, Unit

_MONTH_NAMES = ("Jan", "Feb", "Mar", "Apr", "May", "Jun", "Jul", "Aug", "Sep", "Oct", "Nov", "Dec")
_MONTHS = {m: i for i, m in enumerate(_MONTH_NAMES, 1)}
_DATE = re.compile(r"\b(" + "|".join(_MONTH_NAMES) + r") (\d{1,2}), (\d{4})\b")
# a number, with the currency symbol before it and the unit after it that give it a meaning
_NUMBER = re.compile(
    r"(?P<sym>[$€])?(?P<num>\d{1,3}(?:,\d{3})+|\d+)(?P<dec>\.\d+)?"
    r"(?P<unit>%|x\b| points\b| months\b| payments\b)?"
)
_NUMBER_WORDS = {
    "one": 1, "two": 2, "three": 3, "four": 4, "five": 5, "six": 6, "seven": 7, "eight": 8,
    "nine": 9, "ten": 10, "eleven": 11, "twelve": 12, "twenty": 20, "thirty": 30, "fifty": 50,
    "hundred": 100, "thousand": 1000,
}  # fmt: skip
_WORD = re.compile(r"\b(" + "|".join(_NUMBER_WORDS) + r")\b(\s+payments\b)?", re.IGNORECASE)


def _present(*values: float | None) -> set[float]:
    return {float(v) for v in values if v is not None}


def unbacked_numbers(p: PastOffer) -> list[str]:
    """Every number in the copy that the offer's own terms do not back (empty = consistent)."""
    t = p.offer
    value = t.value
    money = _present(t.min_spend, t.cap, t.annual_fee, value if t.unit is Unit.amount else None)
    percent = _present(t.apr_after_intro, value if t.unit is Unit.percent else None)
    by_unit = {
        "%": percent,
        "x": _present(value if t.unit is Unit.multiplier else None),
        " points": _present(value if t.unit is Unit.points else None),
        " months": _present(t.intro_months),
        " payments": _present(t.installments),
    }
    bad: list[str] = []
    text = p.text
    for mt in _DATE.finditer(text):
        d = date(int(mt[3]), _MONTHS[mt[1]], int(mt[2]))
        if d not in (t.valid_from, t.valid_until):
            bad.append(mt[0])
    text = _DATE.sub(" ", text)
    for mt in _NUMBER.finditer(text):
        number = float(mt["num"].replace(",", "") + (mt["dec"] or ""))
        sym, unit = mt["sym"], mt["unit"]
        if sym:
            ok = number in money and sym == ("€" if t.currency == "EUR" else "$")
        elif unit:
            ok = number in by_unit[unit]
        else:
            ok = False  # a bare number means nothing the terms can back
        if not ok:
            bad.append(mt[0])
    for mt in _WORD.finditer(text):
        if not (mt[2] and _NUMBER_WORDS[mt[1].lower()] == t.installments):
            bad.append(mt[0])
    return bad


def test_same_seed_same_kb(full_demo: DemoKB) -> None:
    again = generate_demo_kb()
    assert again.merchants == full_demo.merchants
    assert again.rules == full_demo.rules
    assert again.past_offers == full_demo.past_offers
    other = generate_demo_kb(seed=8)
    assert [p.text for p in other.past_offers] != [p.text for p in full_demo.past_offers]


def test_a_merchants_records_do_not_depend_on_kb_size(full_demo: DemoKB) -> None:
    small = generate_demo_kb(n_merchants=13)
    ids = {m.id for m in small.merchants}
    assert small.past_offers == [p for p in full_demo.past_offers if p.merchant_id in ids]
    assert len({m.category for m in small.merchants}) == 13  # round-robin over categories


def test_sizes_and_categories(full_demo: DemoKB) -> None:
    assert len(full_demo.merchants) >= 60
    assert len({m.category for m in full_demo.merchants}) >= 12
    assert 2200 <= len(full_demo.past_offers) <= 2800
    ids = [m.id for m in full_demo.merchants]
    assert len(ids) == len(set(ids)) and all(re.fullmatch(r"m_[a-z0-9_]+", i) for i in ids)
    assert all(m.brand_voice for m in full_demo.merchants)
    per_merchant = Counter(p.merchant_id for p in full_demo.past_offers)
    assert set(per_merchant) == set(ids)
    assert all(30 <= n <= 45 for n in per_merchant.values())
    rules = Counter(r.merchant_id for r in full_demo.rules)
    assert all(4 <= rules[i] <= 7 for i in ids)
    for mid in ids:  # every merchant has one rule of each kind
        assert {r.kind for r in full_demo.rules if r.merchant_id == mid} == set(RuleKind)
    assert len({p.id for p in full_demo.past_offers}) == len(full_demo.past_offers)
    assert len({r.id for r in full_demo.rules}) == len(full_demo.rules)


def test_offer_terms_fit_the_category(full_demo: DemoKB) -> None:
    category = {m.id: m.category for m in full_demo.merchants}
    kinds: dict[str, Counter[tuple[OfferKind, Unit | None]]] = {}
    for p in full_demo.past_offers:
        kinds.setdefault(category[p.merchant_id], Counter())[(p.offer.kind, p.offer.unit)] += 1
    assert kinds["fuel"][(OfferKind.cashback, Unit.amount)] > 0
    assert kinds["travel"][(OfferKind.points, Unit.multiplier)] > 0
    assert kinds["electronics"][(OfferKind.bnpl, None)] > 0
    assert kinds["bank"][(OfferKind.intro_apr, Unit.percent)] > 0
    assert kinds["bank"][(OfferKind.fee_waiver, None)] > 0
    assert {k for c in kinds.values() for k, _ in c} == set(OfferKind)
    for p in full_demo.past_offers:
        if p.offer.kind is OfferKind.bnpl:
            assert p.offer.installments
        if p.offer.kind is OfferKind.intro_apr:
            assert p.offer.intro_months and p.offer.apr_after_intro
        assert p.offer.merchant == next(
            m.name for m in full_demo.merchants if m.id == p.merchant_id
        )


def test_every_number_in_the_copy_is_backed_by_its_terms(full_demo: DemoKB) -> None:
    bad = {p.id: (p.text, unbacked_numbers(p)) for p in full_demo.past_offers}
    bad = {k: v for k, v in bad.items() if v[1]}
    assert not bad, list(bad.items())[:5]


def test_the_number_check_catches_wrong_numbers(full_demo: DemoKB) -> None:
    p = next(p for p in full_demo.past_offers if p.offer.unit is Unit.percent and "%" in p.text)
    assert unbacked_numbers(p) == []
    wrong = int(p.offer.value or 0) + 7
    assert unbacked_numbers(p.model_copy(update={"text": p.text + f" Plus {wrong}% more."}))
    assert unbacked_numbers(p.model_copy(update={"text": p.text + " Call 5550100."}))
    assert unbacked_numbers(p.model_copy(update={"text": p.text + " Ends Jan 1, 2031."}))
    assert unbacked_numbers(p.model_copy(update={"text": p.text + " Get two extra."}))


def test_copy_fits_its_channel_and_names_the_merchant(full_demo: DemoKB) -> None:
    names = {m.id: m.name for m in full_demo.merchants}
    sms = [p for p in full_demo.past_offers if p.channel is Channel.sms]
    assert all(len(p.text) <= 160 for p in sms)
    assert sum(p.text.endswith("Reply STOP to opt out.") for p in sms) / len(sms) > 0.75
    assert all(len(p.text) <= 110 for p in full_demo.past_offers if p.channel is Channel.push)
    for p in full_demo.past_offers:
        assert names[p.merchant_id] in p.text, p.text
        if p.channel in (Channel.email, Channel.in_app):
            sentences = re.split(r"(?<=[.!?])\s+", p.text)
            assert 1 <= len(sentences) <= 7, p.text
    texts = [p.text for p in full_demo.past_offers]
    assert sum("Terms apply." in t for t in texts) / len(texts) > 0.3
    assert sum("{{first_name}}" in t for t in texts) > 50
    assert len(set(texts)) > 0.97 * len(texts)
    assert len({" ".join(t.split()[:2]) for t in texts}) > 150  # openings vary


def test_copy_has_no_contact_data_or_stray_placeholders(full_demo: DemoKB) -> None:
    for p in full_demo.past_offers:
        t = p.text
        assert not re.search(r"https?://|www\.|\.(com|net|org|io)\b|@", t), t
        assert not re.search(r"\d{3}[\s.-]?\d{3,4}[\s.-]?\d{4}", t), t
        assert re.sub(r"\{\{first_name\}\}", "", t).count("{") == 0, t
        assert "}" not in re.sub(r"\{\{first_name\}\}", "", t), t
        assert ("$" not in t) if p.offer.currency == "EUR" else ("€" not in t), t


def test_copy_obeys_its_merchants_rules(full_demo: DemoKB) -> None:
    offers: dict[str, list[PastOffer]] = {}
    for p in full_demo.past_offers:
        offers.setdefault(p.merchant_id, []).append(p)
    for rule in full_demo.rules:
        params = rule.params
        mine = offers[rule.merchant_id]
        if rule.kind is RuleKind.banned_phrase:
            assert params["phrases"]
            for phrase in params["phrases"]:
                assert all(phrase.lower() not in p.text.lower() for p in mine), (rule, phrase)
        elif rule.kind is RuleKind.required_phrase:
            for p in mine:
                if p.channel.value in params["channels"]:
                    assert params["phrase"] in p.text, (rule, p.text)
        elif rule.kind is RuleKind.max_reward:
            for p in mine:
                if p.offer.kind.value in params["applies_to"] and p.offer.unit is Unit.percent:
                    assert (p.offer.value or 0) <= params["max_percent"], (rule, p.offer)
                if p.offer.kind.value in params["applies_to"] and p.offer.unit is Unit.amount:
                    assert (p.offer.value or 0) <= params["max_amount"], (rule, p.offer)
                if p.offer.unit is Unit.multiplier:
                    assert (p.offer.value or 0) <= params["max_multiplier"], (rule, p.offer)
        elif rule.kind is RuleKind.brand_voice:
            if params["exclamation_marks"] is False:
                assert all("!" not in p.text for p in mine), rule
        elif rule.kind is RuleKind.channel_rule:
            for p in (p for p in mine if p.channel.value == params["channel"]):
                if "must_end_with" in params:
                    assert p.text.endswith(params["must_end_with"]), (rule, p.text)
                if "must_start_with" in params:
                    assert p.text.startswith(params["must_start_with"]), (rule, p.text)
                if "max_chars" in params:
                    assert len(p.text) <= params["max_chars"], (rule, p.text)
                if params.get("merge_tags") is False:
                    assert "{{" not in p.text, (rule, p.text)


def test_metrics_and_dates_are_plausible(full_demo: DemoKB) -> None:
    offers = full_demo.past_offers
    assert all(p.redemptions <= p.clicks <= p.sent for p in offers)
    ctr = [p.clicks / p.sent for p in offers]
    assert 0.01 <= statistics.median(ctr) <= 0.05
    assert 0 < sum(c > 0.08 for c in ctr) < 0.1 * len(ctr)  # a few strong ones
    assert 0.05 <= sum(p.shareable for p in offers) / len(offers) <= 0.15
    for p in offers:
        assert date(2025, 1, 1) <= p.sent_at <= date(2026, 12, 31)
        for d in (p.offer.valid_from, p.offer.valid_until):
            assert d is None or date(2025, 1, 1) <= d <= date(2026, 12, 31)


@pytest.mark.parametrize("kwargs", [{"n_merchants": 0}, {"offers_per_merchant": -1}])
def test_bad_sizes_are_rejected(kwargs: dict[str, int]) -> None:
    with pytest.raises(ValueError):
        generate_demo_kb(**kwargs)
