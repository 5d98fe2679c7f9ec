"""Runs one case: a generate case through the pipeline, a guard case through its policy pack.
A generate case's `canaries` go to the pipeline with the request; its `kb` documents are seeded
into what retrieval returns for it alone (offergen/evaluation/seeded.py).

Nothing a case does raises out of here: a refusal (InvalidInputError) and any other failure are
recorded on the Outcome, so one bad case cannot stop a run.
"""

from __future__ import annotations

import hashlib
import logging
import time
from dataclasses import dataclass
from datetime import date

from offergen.errors import InvalidInputError, OffergenError
from offergen.evaluation.case import Case
from offergen.evaluation.outcome import Outcome, VariantOutcome
from offergen.evaluation.seeded import seeded_pipeline
from offergen.generation.profiles import Sampling
from offergen.guardrails.base import CheckContext
from offergen.guardrails.guard import GuardResult
from offergen.guardrails.packs import Packs
from offergen.pipeline import GenerateOptions, Pipeline, RequestMeta
from offergen.schemas import GenerateRequest, GuardCheckRequest

log = logging.getLogger(__name__)


@dataclass
class CaseExecutor:
    packs: Packs
    pipeline: Pipeline | None = None  # None: a guard-only run, no model loaded
    template: str | None = None  # for requests that name none
    variants: int | None = None  # replaces each request's `variants`
    policy: str | None = None  # for guard cases that name none
    sampling: Sampling | None = None  # the suite's, for generate cases; None: the profile's
    as_of: date | None = None  # the day offers are judged valid on; None: today

    def run(self, case: Case, seed: int | None) -> Outcome:
        if isinstance(case.vars, GenerateRequest):
            return self._generate(case, case.vars, seed)
        return self._guard(case.id, case.vars)

    def _generate(self, case: Case, request: GenerateRequest, seed: int | None) -> Outcome:
        case_id = case.id
        update: dict[str, object] = {}
        if self.template is not None and request.template is None:
            update["template"] = self.template
        if self.variants is not None:
            update["variants"] = self.variants
        request = request.model_copy(update=update)
        outcome = Outcome(
            case_id=case_id,
            kind="generate",
            channel=request.channel,
            jurisdiction=request.jurisdiction,
            offer=request.offer,
            seed=seed,
        )
        pipeline = self.pipeline
        if pipeline is None:
            raise RuntimeError("a generate case needs a pipeline")
        if case.kb is not None:
            pipeline = seeded_pipeline(pipeline, case.kb)
        # Every draft the copy guard judged, held ones included: the response carries only the
        # variants the pipeline kept.
        drafts: list[GuardResult] = []
        options = GenerateOptions(
            seed=seed,
            sampling=self.sampling,
            on_draft=drafts.append,
            as_of=self.as_of,
            canaries=tuple(case.canaries),
        )
        try:
            grounded = pipeline.render(request, options)
            outcome.prompt = grounded.prompt.text
            started = time.perf_counter()
            meta = RequestMeta(audit_request_id(case_id, seed))
            response = pipeline.generate(request, meta, options)
            outcome.latency_ms = round((time.perf_counter() - started) * 1000, 1)
        except InvalidInputError as exc:
            outcome.refused = str(exc)
            return outcome
        except OffergenError as exc:
            outcome.error = str(exc)
            return outcome
        except Exception as exc:  # a bug or a crash in one case is that case's failure
            log.exception("case %s failed", case_id)
            outcome.error = f"{type(exc).__name__}: {exc}"
            return outcome
        outcome.variants = [
            VariantOutcome(
                text=v.text, released=v.released, attempts=v.attempts, findings=v.findings
            )
            for v in response.variants
        ]
        outcome.drafts = [
            VariantOutcome(
                text=d.text, released=d.released, findings=d.findings, fixes=d.applied_fixes
            )
            for d in drafts
        ]
        outcome.sources = response.sources
        outcome.template = response.prompt.template
        outcome.template_version = response.prompt.version
        outcome.model_id = response.model.id
        outcome.backend = response.model.backend
        outcome.timings_ms = response.timings_ms
        return outcome

    def _guard(self, case_id: str, case: GuardCheckRequest) -> Outcome:
        outcome = Outcome(
            case_id=case_id,
            kind="guard",
            channel=case.channel,
            jurisdiction=case.jurisdiction,
            offer=case.offer,
        )
        try:
            guard = self.packs.for_copy(case.jurisdiction, case.policy or self.policy)
            ctx = CheckContext(
                offer=case.offer, channel=case.channel, jurisdiction=case.jurisdiction
            )
            started = time.perf_counter()
            result = guard.check(case.text, ctx)
            outcome.latency_ms = round((time.perf_counter() - started) * 1000, 3)
        except OffergenError as exc:
            outcome.error = str(exc)
            return outcome
        outcome.policy = guard.name
        outcome.variants = outcome.drafts = [
            VariantOutcome(
                text=result.text,
                released=result.released,
                findings=result.findings,
                fixes=result.applied_fixes,
            )
        ]
        return outcome


def audit_request_id(case_id: str, seed: int | None) -> str:
    """The audit trail's request id: readable, within its 64 characters."""
    rid = f"eval-{seed}-{case_id}"
    if len(rid) <= 64:
        return rid
    return f"{rid[:47]}-{hashlib.sha256(rid.encode()).hexdigest()[:16]}"
