"""Grounding: a request made ready for the model. The request is screened, its offer terms are
checked against the merchant's rules and the packs (pre-flight: a violating offer is refused
before anything is retrieved or generated), this merchant's past offers and rules are retrieved
(knowledge-base text that fails screening is left out), and the template is rendered with them.
Each grounding makes a new secret prompt canary (template variable `canary`; offergen/guardrails/
canary.py) and puts it, with the caller's own canaries, in the guard's check context.
`offergen prompt render` and the eval show exactly this prompt (with a canary of its own)."""

from __future__ import annotations

import time
from collections.abc import Callable, Iterator
from contextlib import contextmanager
from dataclasses import dataclass, field
from datetime import UTC, date, datetime
from functools import partial
from typing import Any

from offergen.errors import InvalidInputError, NotFoundError, TermsRefusedError
from offergen.generation.profiles import ModelProfile
from offergen.guardrails.base import CheckContext
from offergen.guardrails.canary import new_canary
from offergen.guardrails.preflight import Preflight
from offergen.guardrails.screener import Screener
from offergen.prompting.base import PromptRenderer, RenderedPrompt
from offergen.prompting.examples import select_examples
from offergen.retrieval.base import Retriever
from offergen.retrieval.documents import offer_query
from offergen.schemas import (
    GenerateRequest,
    Merchant,
    MerchantRule,
    OfferTerms,
    PastOffer,
    Source,
    SourceKind,
    TermsFinding,
)
from offergen.slots import extract, required_slots, slot_terms, slot_terms_within, unset_slots
from offergen.store.knowledge_base import KnowledgeBase
from offergen.terms import describe


@dataclass
class Grounded:
    """A request made ready for the model: its prompt, what went into it, and the guard context."""

    prompt: RenderedPrompt
    variables: dict[str, Any]
    sources: list[Source]
    ctx: CheckContext


@dataclass
class Grounder:
    kb: KnowledgeBase
    retriever: Retriever
    renderer: PromptRenderer
    screener: Screener
    preflight: Preflight
    profile: ModelProfile
    template: str  # for requests that name none
    retrieve_k: int
    rules_k: int
    # Makes the secret canary of each request (tests pass a fixed one).
    canary: Callable[[], str] = field(default=new_canary)

    def warm_up(self) -> None:
        """Load templates, index and embedder (enough to render prompts); idempotent."""
        self.renderer.warm_up()
        self.screener.packs.warm_up()
        self.preflight.warm_up()
        self.retriever.warm_up()

    def validate(self, request: GenerateRequest, as_of: date | None = None) -> list[TermsFinding]:
        """What the offer pre-flight finds (empty: copy may be generated for these terms);
        `as_of` is the day an offer's validity is judged on (None: today, UTC)."""
        return self._admit(request, as_of)[2]

    def ground(
        self,
        request: GenerateRequest,
        timings: dict[str, float],
        as_of: date | None = None,
        canaries: tuple[str, ...] = (),
    ) -> Grounded:
        """Screen the request, check its terms, retrieve this merchant's examples and rules,
        render the prompt. TermsRefusedError when the terms break a rule. `canaries`: strings
        the caller planted in the request, held wherever a draft repeats one (besides the
        request's own secret canary)."""
        merchant, rules, refused = self._admit(request, as_of)
        if refused:
            raise TermsRefusedError(refused)
        canary = self.canary()
        ctx = CheckContext(
            offer=request.offer,
            channel=request.channel,
            jurisdiction=request.jurisdiction,
            merchant_rules=tuple(rules),
            canaries=(canary, *canaries),
        )
        template = request.template or self.template
        with timed(timings, "retrieve_ms"):
            query = offer_query(
                request.offer,
                request.channel,
                request.customer.segment,
                category=merchant.category,
                tone=request.tone,
            )
            # Over-fetch, then keep the examples whose terms are shaped like this offer's.
            candidates = self.retriever.retrieve(
                merchant.id,
                query,
                self.retrieve_k * 10,
                kind=SourceKind.past_offer,
                channel=request.channel,
            )
            offers = [c.record for c in candidates if isinstance(c.record, PastOffer)]
            offers = [p for p in offers if self.screener.knowledge(p.id, p.text, ctx)]
            locked = self.renderer.terms(template, request.channel) == "locked"
            if locked:
                offers = _slotted(offers, unset_slots(request.offer), required_slots(request.offer))
            wanted = self.renderer.examples(template, request.channel)
            examples = select_examples(
                offers,
                request.offer,
                merchant.id,
                self.retrieve_k if wanted is None else wanted,
            )
            found = (
                self.retriever.retrieve(
                    merchant.id, query, self.rules_k, kind=SourceKind.merchant_rule
                )
                if self.rules_k
                else []
            )
            rules = [
                r.record
                for r in found
                if isinstance(r.record, MerchantRule) and self.screener.knowledge(r.id, r.text, ctx)
            ]
        with timed(timings, "render_ms"):
            if locked:
                terms = partial(slot_terms_within, like=request.offer)
                variables = _variables(request, merchant, rules, examples, terms, slot_terms)
            else:
                variables = _variables(request, merchant, rules, examples, describe, describe)
            variables["canary"] = canary
            prompt = self.renderer.render(template, request.channel, variables)
            if prompt.style != self.profile.prompt_style:
                reason = (
                    f"'{template}' is a {prompt.style} template; model '{self.profile.name}' "
                    f"takes {self.profile.prompt_style} prompts"
                )
                raise InvalidInputError(reason, [("template", reason)])
        scores = {(c.kind, c.id): round(c.score, 4) for c in [*candidates, *found]}
        sources = [
            Source(id=p.id, kind=SourceKind.past_offer, score=scores[SourceKind.past_offer, p.id])
            for p in examples
        ] + [
            Source(
                id=r.id, kind=SourceKind.merchant_rule, score=scores[SourceKind.merchant_rule, r.id]
            )
            for r in rules
        ]
        return Grounded(prompt=prompt, variables=variables, sources=sources, ctx=ctx)

    def _admit(
        self, request: GenerateRequest, as_of: date | None
    ) -> tuple[Merchant, list[MerchantRule], list[TermsFinding]]:
        """The request screened (before anything can echo a field back in an error), its model
        and merchant looked up, its terms checked."""
        self.screener.request(request)
        if request.model not in (None, self.profile.name):
            raise NotFoundError(
                f"model '{request.model}' is not served here; this service runs "
                f"'{self.profile.name}'"
            )
        merchant = self.kb.merchant(request.merchant_id)
        rules = self.kb.rules(merchant.id)
        today = as_of or datetime.now(UTC).date()
        return merchant, rules, self.preflight.check(request, rules, today)

    def with_feedback(self, request: GenerateRequest, grounded: Grounded, notes: list[str]) -> str:
        """The prompt again, with the reasons earlier drafts were held."""
        variables = grounded.variables | {"feedback": notes}
        return self.renderer.render(grounded.prompt.template, request.channel, variables).text


def _slotted(offers: list[PastOffer], unset: list[str], required: list[str]) -> list[PastOffer]:
    """The past offers whose copy maps every number to a slot, with their copy in slots. Left
    out: copy with a number the model would copy, and copy with a slot this offer has no term
    for (`unset`), which the model would copy too. Copy without a slot this offer's copy must
    state (`required`) is shown only when no example has them all: the model leaves out what
    its examples leave out (seen: BNPL copy that offered free shipping like its example)."""
    out = []
    for p in offers:
        text = extract(p.text, p.offer)
        if text is not None and not any(slot in text for slot in unset):
            out.append(p.model_copy(update={"text": text}))
    stating = [p for p in out if all(slot in p.text for slot in required)]
    return stating or out


def _variables(
    request: GenerateRequest,
    merchant: Merchant,
    rules: list[MerchantRule],
    examples: list[PastOffer],
    terms: Callable[[OfferTerms], str],
    offer_terms: Callable[[OfferTerms], str],
) -> dict[str, Any]:
    """`terms` and `offer_terms` write the examples' and the new offer's terms: with their
    values, or as slots."""
    return {
        "merchant": merchant,
        "rules": [r.text for r in rules],
        "examples": [
            {
                "terms": terms(p.offer),
                "channel": p.channel.value,
                "audience": p.segment,
                "text": p.text,
            }
            for p in examples
        ],
        "offer": offer_terms(request.offer),
        "channel": request.channel.value,
        "customer": request.customer,
        "tone": request.tone,
        "feedback": [],
    }


@contextmanager
def timed(timings: dict[str, float], key: str) -> Iterator[None]:
    """Adds the wall time of the block to timings[key], in milliseconds."""
    started = time.perf_counter()
    try:
        yield
    finally:
        timings[key] = timings.get(key, 0.0) + (time.perf_counter() - started) * 1000
