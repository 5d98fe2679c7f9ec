"""Demo copy: every past offer's copy agrees with its terms, fits its channel, obeys its
merchant's rules, carries its disclosures, and varies the way real copy does.

The number check below is written independently of the generator: it reads numbers back out of
the copy and asks whether the offer's own terms back each one, in the documented format.
"""

from __future__ import annotations

import re
import statistics
from collections import Counter
from datetime import date
from pathlib import Path

from offergen.demo.generator import DemoKB
from offergen.guardrails.base import CheckContext
from offergen.guardrails.packs import KB_SCREENING, Packs
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


def _sentences(text: str) -> list[str]:
    return re.split(r"(?<=[.!?])\s+", text)


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
