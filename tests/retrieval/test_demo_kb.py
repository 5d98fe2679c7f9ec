"""The demo KB: deterministic, sized as promised, every past offer's copy agrees with its terms,
copy varies the way real copy does, and performance figures look like real campaign results.

The number check below is written independently of the generator: it reads numbers back out of
the copy and asks whether the offer's own terms back each one, in the documented format.
"""

from __future__ import annotations

import math
import re
import statistics
from collections import Counter
from datetime import date
from pathlib import Path

import pytest

from offergen.guardrails.base import CheckContext
from offergen.guardrails.packs import KB_SCREENING, Packs
from offergen.retrieval.demo_kb import DEMO_TENANTS, DemoKB, generate_demo_kb
from offergen.schemas import Channel, Jurisdiction, OfferKind, PastOffer, RuleKind, Unit

GUARDRAILS = Path(__file__).resolve().parents[2] / "guardrails"

_MONTH_NAMES = ("Jan", "Feb", "Mar", "Apr", "May", "Jun", "Jul", "Aug", "Sep", "Oct", "Nov", "Dec")
_MONTHS = {m: i for i, m in enumerate(_MONTH_NAMES, 1)}
_DATE = re.compile(r"\b(" + "|".join(_MONTH_NAMES) + r") (\d{1,2}), (\d{4})\b")
# a number, with the currency symbol before it and the unit after it that give it a meaning
_NUMBER = re.compile(
    r"(?P<sym>[$€])?(?P<num>\d{1,3}(?:,\d{3})+|\d+)(?P<dec>\.\d+)?"
    r"(?P<unit>%|x\b| points\b| months\b|(?: interest-free)? payments\b)?"
)
_NUMBER_WORDS = {
    "one": 1, "two": 2, "three": 3, "four": 4, "five": 5, "six": 6, "seven": 7, "eight": 8,
    "nine": 9, "ten": 10, "eleven": 11, "twelve": 12, "twenty": 20, "thirty": 30, "fifty": 50,
    "hundred": 100, "thousand": 1000,
}  # fmt: skip
_WORD = re.compile(
    r"\b(" + "|".join(_NUMBER_WORDS) + r")\b(\s+(?:interest-free\s+)?payments\b)?", re.IGNORECASE
)


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
            ok = number in by_unit[unit.replace(" interest-free", "")]
        else:
            ok = False  # a bare number means nothing the terms can back
        if not ok:
            bad.append(mt[0])
    for mt in _WORD.finditer(text):
        if not (mt[2] and _NUMBER_WORDS[mt[1].lower()] == t.installments):
            bad.append(mt[0])
    return bad


_MONTH_RE = "|".join(_MONTH_NAMES)
_OPT_OUT = re.compile(r"\b(?:Reply|Text) STOP to (?:opt out|unsubscribe)\.|\bSTOP to end\.")


def _by_channel(kb: DemoKB, channel: Channel) -> list[PastOffer]:
    return [p for p in kb.past_offers if p.channel is channel]


def _masked(kb: DemoKB) -> dict[str, str]:
    """Each offer's copy with its merchant's name, dates and numbers masked: what is left is the
    writing itself."""
    names = {m.id: m.name for m in kb.merchants}
    out = {}
    for p in kb.past_offers:
        t = p.text.replace(names[p.merchant_id], "<M>")
        t = re.sub(rf"\b(?:{_MONTH_RE}) \d{{1,2}}, \d{{4}}", "<D>", t)
        t = re.sub(r"[$€]?\d[\d,]*(?:\.\d+)?(?:%|x\b)?", "<N>", t)
        out[p.id] = _WORD.sub("<N>", t)
    return out


def _quantile(values: list[float], q: float) -> float:
    ordered = sorted(values)
    return ordered[min(len(ordered) - 1, int(q * len(ordered)))]


def _sentences(text: str) -> list[str]:
    return re.split(r"(?<=[.!?])\s+", text)


def test_same_seed_same_kb(full_demo: DemoKB) -> None:
    again = generate_demo_kb()
    assert again.merchants == full_demo.merchants
    assert again.rules == full_demo.rules
    assert again.past_offers == full_demo.past_offers
    small = {"n_merchants": 5, "offers_per_merchant": 10}
    other = generate_demo_kb(seed=8, **small)
    mine = generate_demo_kb(seed=7, **small)
    assert [p.text for p in other.past_offers] != [p.text for p in mine.past_offers]
    assert [p.sent for p in other.past_offers] != [p.sent for p in mine.past_offers]


def test_a_merchants_records_do_not_depend_on_kb_size(full_demo: DemoKB) -> None:
    small = generate_demo_kb(n_merchants=13)
    ids = {m.id for m in small.merchants}
    assert small.past_offers == [p for p in full_demo.past_offers if p.merchant_id in ids]
    assert len({m.category for m in small.merchants}) == 13  # round-robin over categories


def test_sizes_and_categories(full_demo: DemoKB) -> None:
    assert len(full_demo.merchants) >= 60
    assert len({m.category for m in full_demo.merchants}) >= 12
    assert len(full_demo.rules) >= 300
    assert 5000 <= len(full_demo.past_offers) <= 5800
    ids = [m.id for m in full_demo.merchants]
    assert len(ids) == len(set(ids)) and all(re.fullmatch(r"m_[a-z0-9_]+", i) for i in ids)
    assert all(m.brand_voice for m in full_demo.merchants)
    per_merchant = Counter(p.merchant_id for p in full_demo.past_offers)
    assert set(per_merchant) == set(ids)
    assert all(70 <= n <= 90 for n in per_merchant.values())
    rules = Counter(r.merchant_id for r in full_demo.rules)
    assert all(4 <= rules[i] <= 7 for i in ids)
    for mid in ids:  # every merchant has one rule of each kind
        assert {r.kind for r in full_demo.rules if r.merchant_id == mid} == set(RuleKind)
    assert len({p.id for p in full_demo.past_offers}) == len(full_demo.past_offers)
    assert all(re.fullmatch(r"po_[a-z0-9_]+_\d{3}", p.id) for p in full_demo.past_offers)
    assert len({r.id for r in full_demo.rules}) == len(full_demo.rules)
    assert Counter(p.channel for p in full_demo.past_offers).keys() == set(Channel)


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
    names = {m.id: m.name for m in full_demo.merchants}
    for p in full_demo.past_offers:
        if p.offer.kind is OfferKind.bnpl:
            assert p.offer.installments
        if p.offer.kind is OfferKind.intro_apr:
            assert p.offer.intro_months and p.offer.apr_after_intro
        assert p.offer.merchant == names[p.merchant_id]


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
    b = next(p for p in full_demo.past_offers if p.offer.kind is OfferKind.bnpl)
    wrong = (b.offer.installments or 0) + 1
    assert unbacked_numbers(b.model_copy(update={"text": f"{wrong} interest-free payments."}))
    assert unbacked_numbers(b.model_copy(update={"text": "Eleven interest-free payments."}))


def test_copy_fits_its_channel_and_names_the_merchant(full_demo: DemoKB) -> None:
    names = {m.id: m.name for m in full_demo.merchants}
    sms = _by_channel(full_demo, Channel.sms)
    # one GSM-7 segment; "€" is an extension character and takes two septets
    assert all(len(p.text) + p.text.count("€") <= 160 for p in sms)
    assert sum(bool(_OPT_OUT.search(p.text)) for p in sms) / len(sms) > 0.9
    assert sum(p.text.endswith("Reply STOP to opt out.") for p in sms) / len(sms) > 0.7
    assert all(len(p.text) <= 110 for p in _by_channel(full_demo, Channel.push))
    assert all(len(p.text) <= 240 for p in _by_channel(full_demo, Channel.in_app))
    assert all(len(p.text) <= 420 for p in _by_channel(full_demo, Channel.email))
    limits = {Channel.sms: 7, Channel.push: 4, Channel.in_app: 7, Channel.email: 9}
    for p in full_demo.past_offers:
        assert names[p.merchant_id] in p.text, p.text
        assert 1 <= len(_sentences(p.text)) <= limits[p.channel], p.text
        assert p.text.count("{{first_name}}") <= 1, p.text
    texts = [p.text for p in full_demo.past_offers]
    assert sum("Terms apply." in t for t in texts) / len(texts) > 0.3
    assert sum("{{first_name}}" in t for t in texts) > 100
    assert len(set(texts)) > 0.97 * len(texts)


def test_copy_varies_like_real_copy(full_demo: DemoKB) -> None:
    masked = _masked(full_demo)
    # not one sentence with swapped names: masked texts stay distinct, none dominates
    counts = Counter(masked.values())
    assert len(counts) > 0.93 * len(masked)
    assert sum(n for _, n in counts.most_common(10)) < 0.03 * len(masked)
    # the writing itself (any sentence other than boilerplate) is not one repeated line
    boilerplate = {"Terms apply.", "Reply STOP to opt out."}
    sentences = Counter(s for t in masked.values() for s in set(_sentences(t)) - boilerplate)
    assert sentences.most_common(1)[0][1] < 0.08 * len(masked), sentences.most_common(3)
    medians: dict[Channel, float] = {}
    for channel in Channel:
        mine = [masked[p.id] for p in _by_channel(full_demo, channel)]
        openers = Counter(" ".join(t.split()[:3]) for t in mine)
        assert len(openers) >= 150, channel  # structure varies: many ways to start
        assert openers.most_common(1)[0][1] < 0.15 * len(mine), (channel, openers.most_common(3))
        medians[channel] = statistics.median(len(p.text) for p in _by_channel(full_demo, channel))
    # length follows the channel: push a line, SMS short, in-app a card, email the longest
    assert medians[Channel.push] < medians[Channel.sms] < medians[Channel.in_app]
    assert medians[Channel.in_app] < medians[Channel.email]
    assert medians[Channel.email] > 2.2 * medians[Channel.push]
    # the same reward is stated many ways
    texts = [p.text for p in full_demo.past_offers]
    styles = {
        "5% back": r"\d% back\b",
        "5% cash back": r"\d% cash back\b",
        "5% cashback": r"\d% cashback\b",
        "earn 5% ...": r"\b[Ee]arn \d+(?:\.\d+)?% ",
        "$10 off $50+": r"[$€]\d+ off [$€][\d,]+\+",
        "spend $50, save $10": r"\b[Ss]pend [$€][\d,]+, save [$€]\d",
        "spend $50+ ..., get $10 back": r"\b[Ss]pend [$€][\d,]+\+ at .+, get [$€]\d+ back",
        "3x the points": r"\dx the points\b",
        "4 interest-free payments": r"\b\w+ interest-free payments\b",
        "free delivery": r"\b[Ff]ree (?:delivery|shipping)\b",
        "delivery is on us": r"\b(?:Delivery|Shipping) is on us\b",
    }
    for style, pattern in styles.items():
        assert sum(bool(re.search(pattern, t)) for t in texts) >= 10, style


def test_tone_follows_the_brand_voice(full_demo: DemoKB) -> None:
    tone = {
        r.merchant_id: r.params["tone"] for r in full_demo.rules if r.kind is RuleKind.brand_voice
    }
    by_tone: dict[str, list[PastOffer]] = {}
    for p in full_demo.past_offers:
        by_tone.setdefault(tone[p.merchant_id], []).append(p)
    assert len(by_tone) >= 5
    for name in ("friendly", "playful", "energetic"):
        mine = by_tone[name]
        assert sum("!" in p.text for p in mine) > 0.15 * len(mine), name
    for name in ("premium", "practical", "caring"):
        assert not any("!" in p.text for p in by_tone[name]), name
    # urgency only from voices that use it, and only against a real deadline
    urgent = re.compile(r"\b(?:Hurry|Act now|Don't miss|Clock's ticking|Tick tock)\b")
    pressing = [p for p in full_demo.past_offers if urgent.search(p.text)]
    assert pressing
    for p in pressing:
        assert tone[p.merchant_id] in ("energetic", "playful"), p.text
        assert p.offer.valid_until is not None and _DATE.search(p.text), p.text

    # each voice has its own phrasing: sentences that carry no number or date (openers,
    # headlines, calls to action, sign-offs) are to a good part found in no other voice's copy
    masked = _masked(full_demo)
    phrases: dict[str, Counter[str]] = {}
    for p in full_demo.past_offers:
        for s in _sentences(masked[p.id]):
            if not re.search(r"<N>|<D>|STOP|Terms apply", s):
                phrases.setdefault(tone[p.merchant_id], Counter())[s] += 1
    for name, used in phrases.items():
        others = {s for other, c in phrases.items() if other != name for s in c}
        own = sum(n for s, n in used.items() if s not in others)
        assert own > 0.3 * sum(used.values()), name


def test_copy_has_no_contact_data_or_stray_placeholders(full_demo: DemoKB) -> None:
    for p in full_demo.past_offers:
        t = p.text
        assert not re.search(r"https?://|www\.|\.(com|net|org|io)\b|@", t), t
        assert not re.search(r"\d{3}[\s.-]?\d{3,4}[\s.-]?\d{4}", t), t
        assert re.sub(r"\{\{first_name\}\}", "", t).count("{") == 0, t
        assert "}" not in re.sub(r"\{\{first_name\}\}", "", t), t
        assert ("$" not in t) if p.offer.currency == "EUR" else ("€" not in t), t
        assert not re.search(r"guarantee|risk[ -]?free|no credit check", t, re.IGNORECASE), t
        if not p.offer.firm_offer:
            assert "approved" not in t.lower(), t


def test_credit_copy_carries_its_disclosures(full_demo: DemoKB) -> None:
    for p in full_demo.past_offers:
        if p.offer.kind is OfferKind.intro_apr:  # the rate after the intro period is stated
            assert f"{p.offer.apr_after_intro:g}% " in p.text and "APR" in p.text, p.text
    eu_credit = [
        p
        for p in full_demo.past_offers
        if p.offer.currency == "EUR" and p.offer.kind in (OfferKind.bnpl, OfferKind.intro_apr)
    ]
    warned = [p for p in eu_credit if "Borrowing money costs money." in p.text]
    assert eu_credit and len(warned) > 0.9 * len(eu_credit)


def test_kb_screening_finds_nothing_in_generated_copy(full_demo: DemoKB) -> None:
    guard = Packs(GUARDRAILS).get(KB_SCREENING)
    for p in full_demo.past_offers[::8]:  # an eighth of the corpus keeps this test fast
        ctx = CheckContext(offer=p.offer, channel=p.channel, jurisdiction=Jurisdiction.US)
        assert guard.check(p.text, ctx).findings == [], p.text


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
    assert all(0 <= p.redemptions <= p.clicks <= p.sent for p in offers)
    ctr = [p.clicks / p.sent for p in offers]
    assert 0.01 <= statistics.median(ctr) <= 0.05
    assert 0 < sum(c > 0.08 for c in ctr) < 0.1 * len(ctr)  # a few strong ones
    assert 0.05 <= sum(p.shareable for p in offers) / len(offers) <= 0.15
    for p in offers:
        assert date(2025, 1, 1) <= p.sent_at <= date(2026, 12, 31)
        for d in (p.offer.valid_from, p.offer.valid_until):
            assert d is None or date(2025, 1, 1) <= d <= date(2026, 12, 31)


def test_sends_are_lognormal_per_channel_with_some_small_pilots(full_demo: DemoKB) -> None:
    offers = full_demo.past_offers
    pilots = [p for p in offers if p.sent < 1000]
    assert 0.03 * len(offers) <= len(pilots) <= 0.15 * len(offers)
    assert sum(p.sent < 100 for p in offers) >= 20  # tests of a few dozen sends
    assert min(p.sent for p in offers) >= 20
    typical = {
        c: statistics.median(p.sent for p in _by_channel(full_demo, c) if p.sent >= 1000)
        for c in Channel
    }
    assert typical[Channel.email] > typical[Channel.push] > typical[Channel.in_app]
    assert typical[Channel.in_app] > typical[Channel.sms]
    for channel in Channel:  # campaign sizes spread like a lognormal: a long right tail
        sends = [p.sent for p in _by_channel(full_demo, channel) if p.sent >= 500]
        assert 0.5 < statistics.pstdev(math.log(n) for n in sends) < 1.0, channel
        assert statistics.mean(sends) > 1.15 * statistics.median(sends), channel
    # a small pilot's rate is noisy: far more often nothing at all, or four times the median,
    # than a large campaign's (what a ranking with a prior has to see through)
    median = statistics.median(p.redemption_rate for p in offers if p.sent >= 1000)

    def extreme(group: list[PastOffer]) -> float:
        odd = [p for p in group if p.redemptions == 0 or p.redemption_rate > 4 * median]
        return len(odd) / len(group)

    assert extreme(pilots) > 3 * extreme([p for p in offers if p.sent >= 10_000])


def test_most_offers_are_mediocre_and_a_few_are_strong(full_demo: DemoKB) -> None:
    rates = [p.redemption_rate for p in full_demo.past_offers if p.sent >= 1000]
    median = statistics.median(rates)
    assert 0.002 <= median <= 0.01
    assert sum(median / 2.5 <= r <= median * 2.5 for r in rates) > 0.5 * len(rates)
    assert _quantile(rates, 0.95) > 3.5 * median  # heavy right tail
    assert _quantile(rates, 0.99) > 7 * median
    assert statistics.mean(rates) > 1.3 * median
    strong = sum(r > 5 * median for r in rates)
    assert 0.01 * len(rates) < strong < 0.12 * len(rates)


@pytest.mark.parametrize("kwargs", [{"n_merchants": 0}, {"offers_per_merchant": -1}])
def test_bad_sizes_are_rejected(kwargs: dict[str, int]) -> None:
    with pytest.raises(ValueError):
        generate_demo_kb(**kwargs)


def test_two_tenants_own_alternate_categories(full_demo: DemoKB) -> None:
    tenants = Counter(m.tenant for m in full_demo.merchants)
    assert set(tenants) == {"acme", "globex"} and min(tenants.values()) >= 25
    for m in full_demo.merchants:  # a category belongs to one tenant
        assert m.tenant == DEMO_TENANTS[m.category]
    # any cut of two merchants or more already holds both tenants
    assert {m.tenant for m in generate_demo_kb(n_merchants=2).merchants} == {"acme", "globex"}
