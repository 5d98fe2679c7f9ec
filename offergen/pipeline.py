"""The orchestration of one request: ground -> generate -> guard -> release + audit.

With a terms-locked template the model writes slots ([REWARD], ...) and code fills them from the
request's terms before the guard reads the draft (offergen/slots.py). The pipeline
holds its stages and has one entry point, `generate`. What differs per call (the
caller's identity for the audit trail, a seed, sampling, an observer of drafts) is an argument,
never a field changed on a shared pipeline. A blocked variant is data (`released: false` with
findings), never an exception; `offergen.guardrails.release` decides what is released and what
waits for a reviewer.
"""

from __future__ import annotations

import math
from collections.abc import Callable
from dataclasses import dataclass, field
from datetime import date

from offergen.audit_trail import Draft, RequestMeta, refusal, variant_records
from offergen.errors import TermsRefusedError
from offergen.fitting import Fitted, fit
from offergen.generation.base import Backend, GenerationParams
from offergen.generation.dedupe import NearDuplicates
from offergen.generation.profiles import ModelProfile, Sampling
from offergen.grounding import Grounded, Grounder, timed
from offergen.guardrails.canary import redact, scrub
from offergen.guardrails.guard import Guard, GuardResult
from offergen.guardrails.packs import Packs
from offergen.guardrails.release import decide, held_by, review_reason
from offergen.prompting.base import RenderedPrompt
from offergen.schemas import (
    GenerateRequest,
    GenerateResponse,
    ModelInfo,
    PromptInfo,
    Variant,
)
from offergen.slots import fill, unset_slots
from offergen.store.base import AuditStore

__all__ = ["GenerateOptions", "Pipeline", "RequestMeta"]


@dataclass(frozen=True)
class GenerateOptions:
    """Per-call choices; None means the pipeline's own."""

    seed: int | None = None
    sampling: Sampling | None = None
    # The day the offer pre-flight judges validity on (an eval suite pins it, so its verdicts do
    # not change with the calendar).
    as_of: date | None = None
    # Sees every draft the copy guard judged, held ones included (the eval counts them).
    on_draft: Callable[[GuardResult], None] | None = None
    # Strings the caller planted in the request (an eval case's): a draft that carries one is
    # held and the string redacted, like the request's own secret canary.
    canaries: tuple[str, ...] = ()


@dataclass
class Pipeline:
    grounder: Grounder
    backend: Backend
    profile: ModelProfile
    packs: Packs
    audit: AuditStore
    max_attempts: int
    seed: int | None = None
    _ready: bool = field(default=False, init=False)

    @property
    def ready(self) -> bool:
        return self._ready

    def warm_up(self, model: bool = True) -> None:
        """Load templates, packs, index and embedder, and the model unless `model` is False
        (enough to render prompts); idempotent."""
        self.grounder.warm_up()
        if model:
            self.backend.warm_up()
            self._ready = True

    def render(self, request: GenerateRequest, options: GenerateOptions | None = None) -> Grounded:
        """The exact prompt a request would get, with its sources (`offergen prompt render`)."""
        options = options or GenerateOptions()
        return self.grounder.ground(request, {}, options.as_of, options.canaries)

    def generate(
        self,
        request: GenerateRequest,
        meta: RequestMeta,
        options: GenerateOptions | None = None,
    ) -> GenerateResponse:
        """Variants the pack's review policy picks are queued for a reviewer with their audit
        records."""
        options = options or GenerateOptions()
        timings: dict[str, float] = {}
        try:
            grounded = self.grounder.ground(request, timings, options.as_of, options.canaries)
        except TermsRefusedError as exc:
            self.audit.refuse(refusal(request, meta, exc.findings))
            raise
        guard = self.packs.for_copy(request.jurisdiction)
        params = self._params(grounded.prompt, options, request)
        released: list[Draft] = []
        held: list[Draft] = []
        seen = NearDuplicates()  # a reworded repeat is not another variant
        finals: set[str] = set()  # nor is a draft that reads exactly like one already judged
        # A canary in a draft is held (unsafe_output) and never leaves: redacted in what is
        # returned, audited, queued and observed.
        canaries = grounded.ctx.canaries
        text = grounded.prompt.text
        oversample = grounded.prompt.oversample or self.profile.oversample
        for attempt in range(1, self.max_attempts + 1):
            wanted = request.variants - len(released)
            if wanted <= 0:
                break
            n = min(16, math.ceil(wanted * oversample))
            seed = None if params.seed is None else params.seed + attempt - 1
            with timed(timings, "generate_ms"):
                result = self.backend.generate(
                    text, params.model_copy(update={"n": n, "seed": seed})
                )
            round_held: list[Draft] = []
            with timed(timings, "guard_ms"):
                for completion in result.completions:
                    copy = completion.text.strip()
                    if seen.seen(copy):
                        continue
                    fitted = _checked(copy, completion.finish_reason, request, grounded, guard)
                    checked = redact(fitted.result, canaries)
                    # Drafts apart as written can read the same once slots are filled and fixes
                    # applied (one wrote the disclosure, the other got it inserted).
                    final = " ".join(checked.text.casefold().split())
                    if final in finals:
                        continue
                    finals.add(final)
                    if options.on_draft is not None:
                        options.on_draft(checked)
                    candidate = _candidate(
                        checked, fitted.finish_reason, guard, attempt, scrub(copy, canaries)
                    )
                    (released if candidate.variant.released else round_held).append(candidate)
            held += round_held
            if round_held and attempt < self.max_attempts:
                # the next round sees the distinct reasons this round's drafts were held (finding
                # messages name the rule broken, never quote customer data)
                notes = [f.message for c in round_held for f in held_by(c.variant.findings)]
                notes = list(dict.fromkeys(notes))[:5]
                text = self.grounder.with_feedback(request, grounded, notes)

        # Released variants first; fill up with the held ones so reviewers see what was blocked.
        kept = (released + held)[: request.variants]
        timings["total_ms"] = sum(timings.values())
        timings_ms = {k: round(v, 1) for k, v in timings.items()}
        records = variant_records(
            request,
            meta,
            grounded,
            params,
            kept,
            timings_ms,
            self.profile.model_id,
            self.backend.name,
        )
        sample_rate = guard.pack.pack.review.sample_rate
        for r in records:
            r.review = review_reason(r, sample_rate)
        self.audit.append(records)  # queues the variants marked for review, atomically
        return GenerateResponse(
            request_id=meta.request_id,
            variants=[c.variant for c in kept],
            sources=grounded.sources,
            prompt=PromptInfo(template=grounded.prompt.template, version=grounded.prompt.version),
            model=ModelInfo(id=self.profile.model_id, backend=self.backend.name),
            timings_ms=timings_ms,
        )

    def _params(
        self, prompt: RenderedPrompt, options: GenerateOptions, request: GenerateRequest
    ) -> GenerationParams:
        s = options.sampling or self.profile.sampling
        # A terms-locked draft may not write a slot this offer has no term for.
        unset = unset_slots(request.offer) if prompt.terms == "locked" else []
        return GenerationParams(
            max_new_tokens=prompt.max_new_tokens,
            temperature=s.temperature,
            top_p=s.top_p,
            repetition_penalty=s.repetition_penalty,
            stop=prompt.stop,
            seed=self.seed if options.seed is None else options.seed,
            bad_words=(*prompt.bad_words, *unset),
        )


def _checked(
    copy: str,
    finish_reason: str | None,
    request: GenerateRequest,
    grounded: Grounded,
    guard: Guard,
) -> Fitted:
    """The guard's verdict on a draft. A terms-locked draft has its slots filled from the
    request's terms first; one with an unknown, unset or missing slot is held as it is (a raw
    slot is never released). One held only for its length, or cut off at the token limit, is cut
    back to whole sentences (offergen/fitting.py): its required slots keep its terms stated."""
    if grounded.prompt.terms != "locked":
        return Fitted(guard.check(copy, grounded.ctx), finish_reason, 0)

    def judge(text: str) -> GuardResult:
        filled = fill(text, request.offer, request.customer.locale)
        if filled.problems:
            return GuardResult(
                released=False, text=text, findings=filled.findings(), original_text=text
            )
        return guard.check(filled.text, grounded.ctx)

    return fit(copy, finish_reason, judge)


def _candidate(
    result: GuardResult, finish_reason: str | None, guard: Guard, attempt: int, model_text: str
) -> Draft:
    decision = decide(result, finish_reason, guard.pack.pack.review)
    # result.text carries any disclosure the guard inserted; findings index into it.
    variant = Variant(
        text=result.text, released=decision.released, findings=decision.findings, attempts=attempt
    )
    return Draft(variant, model_text=model_text, applied_fixes=result.applied_fixes)
