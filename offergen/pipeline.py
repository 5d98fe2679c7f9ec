"""The orchestration of one request: the only module that knows every stage.

retrieve -> render -> generate -> guard -> release + audit. A blocked variant is data
(`released: false` with findings), never an exception. The pack's `review:` policy may also hold
copy that only warns; that copy, and a sample of released copy, waits in the review queue.
"""

from __future__ import annotations

import logging
import math
import time
from collections.abc import Iterator
from contextlib import contextmanager
from dataclasses import dataclass, field
from datetime import UTC, datetime
from typing import Any

from offergen.config import Settings
from offergen.errors import InvalidInputError, NotFoundError
from offergen.generation.base import Backend, Completion, GenerationParams
from offergen.generation.dedupe import NearDuplicates
from offergen.generation.factory import make_backend
from offergen.generation.profiles import ModelProfile, load_profile
from offergen.guardrails.base import CheckContext
from offergen.guardrails.guard import Guard
from offergen.guardrails.pack import ReviewPolicy
from offergen.guardrails.packs import INPUT_SCREENING, KB_SCREENING, Packs
from offergen.guardrails.verdict import verdict
from offergen.prompting.base import PromptRenderer, RenderedPrompt
from offergen.prompting.examples import select_examples
from offergen.prompting.jinja_renderer import JinjaPromptRenderer
from offergen.retrieval.base import Retriever
from offergen.retrieval.documents import offer_query
from offergen.retrieval.knowledge_base import KnowledgeBase
from offergen.retrieval.wiring import make_retriever, open_knowledge_base
from offergen.schemas import (
    Channel,
    Finding,
    GenerateRequest,
    GenerateResponse,
    GuardCase,
    GuardVerdict,
    Jurisdiction,
    Merchant,
    MerchantRule,
    ModelInfo,
    PastOffer,
    PromptInfo,
    Severity,
    Source,
    SourceKind,
    Variant,
)
from offergen.store.base import AuditRecord, AuditStore
from offergen.store.review_queue import held_for_review, review_reason
from offergen.store.sql_audit import SqlAuditStore
from offergen.terms import describe

log = logging.getLogger(__name__)


@dataclass
class Grounded:
    """A request made ready for the model: its prompt, what went into it, and the guard context."""

    prompt: RenderedPrompt
    variables: dict[str, Any]
    sources: list[Source]
    ctx: CheckContext


@dataclass
class _Candidate:
    variant: Variant
    model_text: str  # what the model wrote, before the guard inserted required wording
    applied_fixes: list[Finding]


@dataclass
class Pipeline:
    kb: KnowledgeBase
    retriever: Retriever
    renderer: PromptRenderer
    backend: Backend
    profile: ModelProfile
    packs: Packs
    audit: AuditStore
    template: str
    retrieve_k: int
    rules_k: int
    max_attempts: int
    seed: int | None = None
    _ready: bool = field(default=False, init=False)

    @property
    def ready(self) -> bool:
        return self._ready

    def warm_up(self, model: bool = True) -> None:
        """Load templates, packs, index and embedder, and the model unless `model` is False
        (enough to render prompts); idempotent."""
        self.renderer.warm_up()
        self.packs.warm_up()
        self.retriever.warm_up()
        if model:
            self.backend.warm_up()
            self._ready = True

    def generate(
        self,
        request: GenerateRequest,
        request_id: str,
        *,
        tenant: str | None = None,
        idempotency_key: str | None = None,
    ) -> GenerateResponse:
        """`tenant` and `idempotency_key` are recorded in the audit trail, nothing more. Variants
        the pack's review policy picks are queued for a reviewer with their audit records."""
        timings: dict[str, float] = {}
        grounded = self._ground(request, timings)
        prompt, ctx = grounded.prompt, grounded.ctx
        guard = self.packs.for_copy(request.jurisdiction)

        params = self._params(prompt)
        released: list[_Candidate] = []
        held: list[_Candidate] = []
        seen = NearDuplicates()  # a reworded repeat is not another variant
        text = prompt.text
        for attempt in range(1, self.max_attempts + 1):
            wanted = request.variants - len(released)
            if wanted <= 0:
                break
            n = min(16, math.ceil(wanted * self.profile.oversample))
            seed = None if params.seed is None else params.seed + attempt - 1
            with _timed(timings, "generate_ms"):
                result = self.backend.generate(
                    text, params.model_copy(update={"n": n, "seed": seed})
                )
            round_held: list[_Candidate] = []
            with _timed(timings, "guard_ms"):
                for completion in result.completions:
                    copy = completion.text.strip()
                    if seen.seen(copy):
                        continue
                    candidate = self._judge(copy, completion, guard, ctx, attempt)
                    if candidate.variant.released:
                        released.append(candidate)
                    else:
                        round_held.append(candidate)
            held += round_held
            if round_held and attempt < self.max_attempts:
                # the next round sees why this round's drafts were held
                text = self._with_feedback(request, grounded, round_held)

        # Released variants first; fill up with the held ones so reviewers see what was blocked.
        kept = (released + held)[: request.variants]
        variants = [c.variant for c in kept]
        timings["total_ms"] = sum(timings.values())
        timings_ms = {k: round(v, 1) for k, v in timings.items()}
        records = self._records(
            request,
            request_id,
            prompt,
            params,
            grounded.sources,
            kept,
            timings_ms=timings_ms,
            tenant=tenant,
            idempotency_key=idempotency_key,
        )
        sample_rate = _review(guard).sample_rate
        for r in records:
            r.review = review_reason(r, sample_rate)
        self.audit.append(records)  # queues the variants marked for review, atomically
        return GenerateResponse(
            request_id=request_id,
            variants=variants,
            sources=grounded.sources,
            prompt=PromptInfo(template=prompt.template, version=prompt.version),
            model=ModelInfo(id=self.profile.model_id, backend=self.backend.name),
            timings_ms=timings_ms,
        )

    def _with_feedback(
        self, request: GenerateRequest, grounded: Grounded, held: list[_Candidate]
    ) -> str:
        """The prompt again, with the distinct reasons drafts were held (finding messages name
        the rule broken, never quote customer data)."""
        notes = list(dict.fromkeys(f.message for c in held for f in _held_by(c.variant.findings)))
        notes = notes[:5]
        variables = grounded.variables | {"feedback": notes}
        return self.renderer.render(grounded.prompt.template, request.channel, variables).text

    def render(self, request: GenerateRequest) -> Grounded:
        """The exact prompt a request would get, with its sources (`offergen prompt render`)."""
        return self._ground(request, {})

    def _ground(self, request: GenerateRequest, timings: dict[str, float]) -> Grounded:
        """Screen the request, retrieve this merchant's examples and rules, render the prompt."""
        self.screen(request)  # before anything can echo a field back in an error
        if request.model not in (None, self.profile.name):
            raise NotFoundError(
                f"model '{request.model}' is not served here; this service runs "
                f"'{self.profile.name}'"
            )
        merchant = self.kb.merchant(request.merchant_id)
        ctx = CheckContext(
            offer=request.offer,
            channel=request.channel,
            jurisdiction=request.jurisdiction,
            merchant_rules=tuple(self.kb.rules(merchant.id)),
        )
        with _timed(timings, "retrieve_ms"):
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
            template = request.template or self.template
            wanted = self.renderer.examples(template, request.channel)
            examples = select_examples(
                [p for p in offers if self._clean(p.id, p.text, ctx)],
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
                if isinstance(r.record, MerchantRule) and self._clean(r.id, r.text, ctx)
            ]
        with _timed(timings, "render_ms"):
            variables = self._variables(request, merchant, rules, examples)
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

    def guard(self, case: GuardCase, policy: str | None = None) -> GuardVerdict:
        """Guard one text outside generation (reviewers, the eval suite, `offergen guard`)."""
        guard = self.packs.for_copy(case.jurisdiction, policy)
        ctx = CheckContext(offer=case.offer, channel=case.channel, jurisdiction=case.jurisdiction)
        return verdict(guard.check(case.text, ctx), guard.name)

    def _clean(self, item_id: str, text: str, ctx: CheckContext) -> bool:
        """Knowledge-base text with instructions, markup or PII never reaches the prompt."""
        findings = self.packs.get(KB_SCREENING).check(text, ctx).findings
        if findings:
            # Ids and rule ids only: the text itself may be the attack (or personal data).
            log.warning(
                "kept %s out of the prompt: %s", item_id, ", ".join(f.rule_id for f in findings)
            )
        return not findings

    def screen_note(self, field: str, text: str, record: AuditRecord) -> None:
        """Reject text a reviewer wrote about `record` (a decision's reason) that carries
        personal data: it is stored and exported to the eval corpus."""
        ctx = CheckContext(
            offer=record.offer,
            channel=Channel(record.channel),
            jurisdiction=Jurisdiction(record.jurisdiction),
        )
        self._refuse_personal_data({field: text}, ctx, f"the {field}")

    def screen(self, request: GenerateRequest) -> None:
        """Reject request text that carries personal data before it can reach a prompt, a log
        or an error message (a card number fits the merchant_id pattern, for one)."""
        c = request.customer
        fields = {
            "merchant_id": request.merchant_id,
            "customer.segment": c.segment,
            "offer.merchant": request.offer.merchant,
            "template": request.template or "",
            "model": request.model or "",
        }
        fields |= {f"customer.interests.{i}": v for i, v in enumerate(c.interests)}
        ctx = CheckContext(
            offer=request.offer, channel=request.channel, jurisdiction=request.jurisdiction
        )
        self._refuse_personal_data(fields, ctx, "request text")

    def _refuse_personal_data(self, fields: dict[str, str], ctx: CheckContext, where: str) -> None:
        problems = [
            (name, f"contains {f.message} ({f.rule_id})")
            for name, text in fields.items()
            for f in self.packs.get(INPUT_SCREENING).check(text, ctx).findings
        ]
        if problems:
            raise InvalidInputError(
                f"personal data is not accepted in {where}: "
                + ", ".join(sorted({name for name, _ in problems})),
                problems,
            )

    def _variables(
        self,
        request: GenerateRequest,
        merchant: Merchant,
        rules: list[MerchantRule],
        examples: list[PastOffer],
    ) -> dict[str, Any]:
        return {
            "merchant": merchant,
            "rules": [r.text for r in rules],
            "examples": [
                {
                    "terms": describe(p.offer),
                    "channel": p.channel.value,
                    "audience": p.segment,
                    "text": p.text,
                }
                for p in examples
            ],
            "offer": describe(request.offer),
            "channel": request.channel.value,
            "customer": request.customer,
            "tone": request.tone,
            "feedback": [],
        }

    def _params(self, prompt: RenderedPrompt) -> GenerationParams:
        s = self.profile.sampling
        return GenerationParams(
            max_new_tokens=prompt.max_new_tokens,
            temperature=s.temperature,
            top_p=s.top_p,
            repetition_penalty=s.repetition_penalty,
            stop=prompt.stop,
            seed=self.seed,
        )

    @staticmethod
    def _judge(
        text: str, completion: Completion, guard: Guard, ctx: CheckContext, attempt: int
    ) -> _Candidate:
        result = guard.check(text, ctx)
        findings = list(result.findings)
        if completion.finish_reason == "length":
            findings.append(_truncated(result.text))
        released = result.released and completion.finish_reason == "stop" and bool(text)
        if _review(guard).hold_on_warn and held_for_review(findings):
            released = False  # waits for a reviewer (queued when it is kept)
        # result.text carries any disclosure the guard inserted; findings index into it.
        variant = Variant(text=result.text, released=released, findings=findings, attempts=attempt)
        return _Candidate(variant, model_text=text, applied_fixes=result.applied_fixes)

    def _records(
        self,
        request: GenerateRequest,
        request_id: str,
        prompt: RenderedPrompt,
        params: GenerationParams,
        sources: list[Source],
        kept: list[_Candidate],
        *,
        timings_ms: dict[str, float],
        tenant: str | None,
        idempotency_key: str | None,
    ) -> list[AuditRecord]:
        now = datetime.now(UTC)
        return [
            AuditRecord(
                request_id=request_id,
                idempotency_key=idempotency_key,
                tenant=tenant,
                variant=i,
                created_at=now,
                merchant_id=request.merchant_id,
                channel=request.channel.value,
                jurisdiction=request.jurisdiction.value,
                offer=request.offer,
                template=prompt.template,
                template_version=prompt.version,
                model_id=self.profile.model_id,
                backend=self.backend.name,
                sampling=params.model_dump(exclude={"n"}),
                source_ids=[s.id for s in sources],
                text=c.variant.text,
                model_text=c.model_text,
                applied_fixes=c.applied_fixes,
                released=c.variant.released,
                attempts=c.variant.attempts,
                findings=c.variant.findings,
                timings_ms=timings_ms,
            )
            for i, c in enumerate(kept)
        ]


def _review(guard: Guard) -> ReviewPolicy:
    return guard.pack.pack.review


def _held_by(findings: list[Finding]) -> list[Finding]:
    """What held a draft: its blocking findings, or its warnings when a reviewer must decide."""
    if held_for_review(findings):
        return findings
    return [f for f in findings if f.severity is Severity.block]


def _truncated(text: str) -> Finding:
    return Finding(
        check="generation",
        rule_id="generation.truncated",
        severity=Severity.block,
        start=0,
        end=len(text),
        message="the model stopped at its token limit, so the copy may be cut off",
        explanation="finish_reason=length: no stop sequence was reached before max_new_tokens",
    )


@contextmanager
def _timed(timings: dict[str, float], key: str) -> Iterator[None]:
    """Adds the wall time of the block to timings[key], in milliseconds."""
    started = time.perf_counter()
    try:
        yield
    finally:
        timings[key] = timings.get(key, 0.0) + (time.perf_counter() - started) * 1000


def build_pipeline(settings: Settings, backend: str | None = None) -> Pipeline:
    """Wire every stage from settings. Cheap: reads small files, loads no model."""
    profile = load_profile(settings.models_dir, settings.model_profile)
    kb = open_knowledge_base(settings)
    return Pipeline(
        kb=kb,
        retriever=make_retriever(settings, kb),
        renderer=JinjaPromptRenderer(settings.prompts_dir),
        backend=make_backend(
            profile, settings.checkpoints_dir, backend=backend, threads=settings.torch_threads
        ),
        profile=profile,
        packs=Packs(settings.guardrails_dir),
        audit=SqlAuditStore(kb.db),  # one database: the trail and the knowledge base
        template=settings.template or profile.template,
        retrieve_k=settings.retrieve_k,
        rules_k=settings.rules_k,
        max_attempts=settings.max_attempts,
        seed=settings.seed,
    )
