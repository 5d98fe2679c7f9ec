"""Writing one past offer's copy from its own terms, in its merchant's voice, obeying its rules.

Every number in the copy is one the terms back (percent "10%", money "$50"/"€15"/"$50+",
multiplier "3x", "500 points", "Dec 31, 2026", "12 months", "4 payments"/"four payments"/"4
interest-free payments", "19.99% APR"). Copy varies the way real copy does: each channel has its
own shapes (push: a line; SMS: short, sender-first or hook-first, with an opt-out; in-app: a
headline and a sentence or two; email: a headline, a body that may restate the conditions on their
own, a call to action and a sign-off), the brand voice picks the openers, headlines, calls to
action, deadline wording and whether a sentence may end in "!", and the same reward is stated
several ways ("5% back", "earn 5% cash back", "get $10 off $50+", "spend $50, save $10").
"""

from __future__ import annotations

import functools
import random
import re
from dataclasses import dataclass, field
from typing import Any

from offergen.demo.limits import ChannelBudget
from offergen.demo.merchants import STOP, TERMS, Profile
from offergen.demo.tables import Phrases
from offergen.demo.text import (
    PLACEHOLDER,
    cap_first,
    fill,
    join,
    long_date,
    money,
    num,
    pct,
    sentences,
    tidy,
)
from offergen.schemas import Channel, OfferKind, OfferTerms

__all__ = ["EU_CREDIT_WARNING", "CopyWriter"]

EU_CREDIT_WARNING = "Borrowing money costs money."  # Consumer Credit Directive (EU) 2023/2225

# Offer recipes (categories.yaml) by what their copy may say.
_SAVING = frozenset(
    {"cashback_pct", "cashback_amt", "discount_pct", "discount_amt", "free_shipping"}
    | {"fee_waiver_card", "fee_waiver_amt"}
)
_NOUN_REWARD = frozenset(
    {"cashback_pct", "cashback_amt", "discount_pct", "discount_amt", "points_mult"}
    | {"points_fixed", "free_shipping"}
)
_CREDIT = frozenset({"bnpl", "intro_apr"})
_CARD_LINKED = frozenset({"cashback_pct", "cashback_amt", "points_mult", "points_fixed"})

_URGENT = re.compile(
    r"\b(?:hurry|act now|don't miss|while it lasts|clock's ticking|tick tock|last chance)\b",
    re.IGNORECASE,
)


def _names_merchant(template: str) -> bool:
    return any(k in template for k in ("{m}", "{habit}", "{card}"))


@functools.cache
def _shape(template: str) -> tuple[frozenset[str], bool, bool]:
    """A template's placeholders, whether it speaks of saving, whether it only fits a merchant
    you shop at (not a card issuer)."""
    names = frozenset(PLACEHOLDER.findall(template))
    return names, "sav" in template.lower(), "your card at" in template or "visit" in template


@dataclass
class CopyWriter:
    """Writes one piece of copy for one offer; every number comes from `terms`."""

    rng: random.Random
    pr: Profile
    recipe: str
    terms: OfferTerms
    channel: Channel
    segment: str
    phrases: Phrases
    budget: ChannelBudget
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
            "Ship": cap_first(cat.ship),
            "capc": "",
            "cond": "",
            "until": "",
        }
        if t.value is not None:
            f["p"] = pct(t.value)
            f["a"] = money(t.value, cur)
            f["x"] = f"{num(t.value)}x"
            f["pts"] = f"{num(t.value)} points"
        if t.installments is not None:
            word = self.phrases.number_words.get(t.installments)
            f["n"] = word if word and rng.random() < 0.35 else str(t.installments)
        if t.intro_months is not None:
            f["mo"] = f"{t.intro_months} months"
        if t.apr_after_intro is not None:
            f["apr"] = pct(t.apr_after_intro)
        if t.annual_fee is not None:
            f["fee"] = money(t.annual_fee, cur)
        if t.cap is not None:
            f["cap"] = money(t.cap, cur)
            f["capc"] = fill(rng.choice(self.phrases.cap_clause[self.recipe]), f)
        if t.min_spend is not None:
            f["ms"] = money(t.min_spend, cur)
            clauses: tuple[str, ...]
            if self.recipe == "bnpl":
                clauses = self.phrases.bnpl_cond
            elif self.recipe == "free_shipping":
                clauses = self.phrases.ship_cond
            elif self.recipe == "points_fixed" and self._bank:
                clauses = self.phrases.bank_points_cond
            else:
                clauses = self.phrases.cond_clause
            f["cond"] = fill(rng.choice(clauses), f)
        if t.valid_until is not None:
            f["d"] = long_date(t.valid_until)
            if t.valid_from is not None and t.valid_from < t.valid_until:
                f["df"] = long_date(t.valid_from)
        f["habit"] = fill(cat.habit, f)
        f["R"] = fill(rng.choice(self.phrases.reward[self.recipe]), f)
        f["Rc"] = cap_first(f["R"])
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
        return fill(self.rng.choice(options), f) if options else ""

    def _intro(self, f: dict[str, str]) -> str:
        """A sentence that names the merchant: mostly in the brand's voice."""
        voice = self.pr.voice.intros
        pool = voice if voice and self.rng.random() < 0.7 else self.phrases.merchant_sentence
        return self._pick(pool, f)

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
        pool = [s for s in self.phrases.sentences[self.recipe] if self._fits(s, f)]
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
        return cap_first(fill(template, g))

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
            return rng.choice(self.phrases.preapproved)
        seg = self.phrases.segment_openers.get(self.segment)
        r = rng.random()
        if seg and r < 0.35:
            pool = seg
        elif r < 0.55:
            pool = self.pr.category.hooks
        else:
            pool = self.pr.voice.openers
        return self._pick(pool, f) or self._pick(self.pr.voice.openers, f)

    def _deadline(self, f: dict[str, str], text: str, allow_range: bool = False) -> str:
        """A deadline sentence, unless `text` already states the date (or by chance)."""
        d, rng = f.get("d"), self.rng
        if d is None or d in text or rng.random() < 0.2:
            return ""
        if allow_range and "df" in f and rng.random() < 0.4:
            return fill(rng.choice(self.phrases.range_sentence), f)
        voice = self.pr.voice
        start, end = self.terms.valid_from, self.terms.valid_until
        short = start is not None and end is not None and (end - start).days <= 14
        if short and voice.urgent and rng.random() < 0.6:
            pool = voice.urgent
        else:
            pool = voice.deadlines + self.phrases.until_sentence
        return rng.choice(pool).replace("{d}", d)

    def _details(self, f: dict[str, str]) -> list[str]:
        """Cap and minimum spend as sentences of their own (after a `separate` main sentence)."""
        out: list[str] = []
        if "cap" in f and self.recipe in self.phrases.cap_sentence:
            out.append(fill(self.rng.choice(self.phrases.cap_sentence[self.recipe]), f))
        if "ms" in f and not self.stated_ms:
            out.append(fill(self.rng.choice(self.phrases.cond_sentence), f))
        return out

    def _cta(self, short: bool = False) -> str:
        pool = self.pr.category.ctas + self.pr.voice.ctas
        if short:
            pool = tuple(c for c in pool if len(c) <= 22) + self.phrases.sms_ctas
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
        if not self._ok(text):  # pragma: no cover - data files or guard limits that cannot fit
            raise RuntimeError(f"cannot write copy for {self.pr.merchant.id}: {text!r}")
        return text

    # one random draw of the copy; _ok() decides whether it obeys every constraint
    def _attempt(self) -> str:
        rng, f = self.rng, self.fields()
        self.stated_ms = False
        # "interest-free until May 9" would misstate the terms: credit offers date in a sentence
        if "d" in f and self.recipe not in _CREDIT and rng.random() < 0.45:
            f["until"] = rng.choice(self.phrases.until_inline).replace("{d}", f["d"])
        self.opt_out = ""
        if self.channel is Channel.sms:
            if any(r.get("must_end_with") == STOP for r in self._rules()):
                self.opt_out = STOP
            elif rng.random() < 0.92:
                self.opt_out = STOP if rng.random() < 0.8 else rng.choice(self.phrases.opt_outs)
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
            deal = rng.choice(self.phrases.deal_words)
            parts = [f"{m} {deal}: {f['Rc']}{f['capc']}{f['cond']}{f['until']}."]
        elif shape == 3:
            parts = [self._emph(self._sentence(f, with_m=True))]
        elif shape == 4:
            parts = [self._pick(self.pr.category.hooks, f), self._sentence(f, True)]
        elif shape == 5:
            hook = self._pick(self.pr.category.hooks, f)
            parts = [f"{m}:", hook, self._sentence(f, with_m=False)]
        elif shape == 6:
            parts = ["{{first_name}},", self._sentence(f, with_m=True)]
        elif shape == 7:
            parts = [self._emph(self._sentence(f, with_m=True, first="Spend"))]
        else:
            parts = [f"{m}: {cap_first(self._reward_on(f))}{f['cond']}{f['until']}."]
        parts.append(self._deadline(f, " ".join(parts)))
        if rng.random() < 0.45:
            parts.append(self._cta(short=True))
        if rng.random() < 0.5:
            parts.append(TERMS)
        parts.append(self.opt_out)
        return join(parts, self._keep_case())

    def _push(self, f: dict[str, str]) -> str:
        rng, m = self.rng, self.pr.merchant.name
        on = cap_first(self._reward_on(f))
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
            parts = [self._pick(self.pr.category.hooks, f), f"{on} at {m}."]
        elif shape == 5:
            verb = rng.choice(self.phrases.push_activate)
            parts = [self._emph(f"{verb} {f['R']} at {m}{f['until']}.")]
        elif shape == 6:
            verb = rng.choice(self.phrases.push_get)
            parts = [f"{{{{first_name}}}}, {verb} {self._reward_on(f)} at {m}."]
        elif shape == 7:
            parts = [f"Ends {f['d']}: {on} at {m}."]
        else:
            lead = rng.choice((*self.phrases.push_leads, f"New from {m}:"))
            parts = [lead, f"{on} at {m}." if m not in lead else f"{on}."]
        if rng.random() < 0.25:
            parts.append(self._cta(short=True))
        if rng.random() < 0.3:
            parts.append(TERMS)
        return join(parts, self._keep_case())

    def _credit_note(self) -> str:
        credit = self.terms.kind in (OfferKind.intro_apr, OfferKind.fee_waiver)
        if credit and self._bank and not self.terms.firm_offer and self.rng.random() < 0.6:
            return "Subject to credit approval."
        if self.recipe == "bnpl" and self.rng.random() < 0.3:
            return "Subject to eligibility."
        return ""

    def _how(self) -> str:
        if self._bank and self.recipe in _CARD_LINKED:
            key: str | None = "bank"
        else:
            key = self.phrases.how_for_recipe.get(self.recipe)
        return self.rng.choice(self.phrases.how[key]) if key else ""

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
            lead = [f"{cap_first(self._reward_on(f, cap=False))} at {m}."]
            separate = True
        elif shape == 2:
            lead = [self._opener(f)]
        elif shape == 3:
            lead = [self._pick(self.pr.category.hooks, f)]
        else:
            seg = self.phrases.segment_lines.get(self.segment)
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
        rng, voice = self.rng, self.pr.voice
        separate = rng.random() < 0.45
        headline = ""
        if rng.random() < 0.8:
            g = {**f, "noun": rng.choice(self.pr.category.nouns)}
            headline = self._emph(self._pick(voice.headlines, g, headline=True))
        seg = self.phrases.segment_lines.get(self.segment)
        segline = self._pick(seg, f) if seg and rng.random() < 0.5 else ""
        named = self.pr.merchant.name in headline + segline
        main = self._sentence(f, with_m=False if named else None, separate=separate)
        greeting = ""
        if "{{" not in headline and rng.random() < 0.3:
            greeting = rng.choice(self.phrases.greetings)
        colour = rng.choice(self.pr.category.colour) if rng.random() < 0.6 else ""
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
        limit = self.budget.max_chars - reserve
        text = join(parts, self._keep_case())
        while len(text) > limit or len(sentences(text)) > self.budget.max_sentences:
            optional = [i for i, p in enumerate(parts) if p not in keep and p != TERMS]
            if not optional:
                break
            del parts[self.rng.choice(optional)]
            text = join(parts, self._keep_case())
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
        return tidy(text)

    def _ok(self, text: str) -> bool:
        if text.count("{{") > 1:
            return False  # one merge tag is personal; two read like a mail merge
        limit, guard_limit = self.budget.max_chars, self.budget.guard_chars
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
        said = sentences(text)
        if len(said) > self.budget.max_sentences:
            return False
        if re.split(r"[.!?]", text, maxsplit=1)[0].count(":") > 1:
            return False  # "Update: Make big plans: ..." reads badly
        if any(s.count("when you") > 1 for s in said):
            return False  # "Save 10% when you shop ... when you spend $50"
        if re.search(r"\b(\w+) \1\b", text, re.IGNORECASE):
            return False
        if not self.pr.voice.exclamation and "!" in text:
            return False
        if _URGENT.search(text):  # pressure only against a deadline the copy states
            end = self.terms.valid_until
            if end is None or long_date(end) not in text:
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
