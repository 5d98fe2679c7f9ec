"""Experiments: arms from one generate response's released variants, sticky assignment of
customers, and the posterior view with its stopping verdict.

Assignment is sticky twice over: the hold-out decision is a hash of (experiment id, customer
key), so it needs no storage; the arm is stored on first assignment and read back after. The
first arm is drawn by the policy from a generator seeded by the same kind of hash, so a given
state of the outcomes always gives a key the same arm.
"""

from __future__ import annotations

import hashlib
import uuid
from datetime import UTC, datetime, timedelta

import numpy as np

from offergen.errors import InvalidInputError, NotFoundError
from offergen.experiments.bandit import (
    Beta,
    Policy,
    allocate,
    maturity,
    posterior,
    posterior_summary,
    verdict,
)
from offergen.experiments.params import BanditParams
from offergen.experiments.schemas import ArmView, Assignment, ExperimentCreate, ExperimentView
from offergen.outcomes.service import released_variants
from offergen.store.audit_tables import as_utc
from offergen.store.experiment_store import ExperimentRecord, ExperimentStore
from offergen.store.outcome_log import NO_TENANT, OutcomeLog, Totals
from offergen.store.sql_audit import SqlAuditStore

__all__ = ["Experiments", "trials"]


def _hash(*parts: str) -> str:
    return hashlib.sha256("\0".join(parts).encode()).hexdigest()


def _unit(digest: str) -> float:
    """A hex digest as a number in [0, 1)."""
    return int(digest[:16], 16) / 2**64


def trials(t: Totals, now: datetime, window_h: float) -> float:
    """Sends counted as trials: recent ones (listed in `t.recent`) by their maturity."""
    recent = sum(n for _, n in t.recent)
    young = sum(n * maturity((now - at).total_seconds() / 3600, window_h) for at, n in t.recent)
    return t.sends - recent + young


class Experiments:
    def __init__(
        self, store: ExperimentStore, audit: SqlAuditStore, log: OutcomeLog, params: BanditParams
    ) -> None:
        self.store, self.audit, self.log, self.params = store, audit, log, params

    def create(self, tenant: str | None, body: ExperimentCreate) -> ExperimentView:
        req = released_variants(self.audit, body.request_id, tenant)
        if req is None:
            raise InvalidInputError("unknown request_id", [("request_id", "unknown request_id")])
        released = req.released()
        if body.variants is not None:
            bad = [
                (f"variants.{k}", f"variant {v} was not released by this request")
                for k, v in enumerate(body.variants)
                if v not in released
            ]
            if bad:
                raise InvalidInputError(f"{len(bad)} variant(s) were not released", bad)
            arms = list(body.variants)
        else:
            arms = released
        if len(arms) < 2:
            why = f"an experiment needs at least 2 released variants; this request has {len(arms)}"
            raise InvalidInputError(why, [("request_id", why)])
        record = ExperimentRecord(
            id=f"exp_{uuid.uuid4().hex[:20]}",
            tenant=None if req.tenant == NO_TENANT else req.tenant,
            request_id=body.request_id,
            merchant_id=req.merchant_id,
            arms=arms,
            policy=body.policy.value,
            min_sends_per_arm=body.min_sends_per_arm,
            holdout_share=body.holdout_share,
            created_at=datetime.now(UTC),
        )
        self.store.create(record)
        return self.view(tenant, record.id)

    def _get(self, tenant: str | None, experiment_id: str) -> ExperimentRecord:
        record = self.store.get(experiment_id)
        if record is None or (tenant is not None and record.tenant != tenant):
            raise NotFoundError(f"unknown experiment {experiment_id!r}")
        return record

    def _posteriors(
        self, record: ExperimentRecord, now: datetime
    ) -> tuple[list[Totals], list[Beta]]:
        owner = record.tenant or NO_TENANT
        keys = [(owner, record.request_id, v) for v in record.arms]
        window = self.params.feedback_window_h
        totals = self.log.totals(keys, recent_since=now - timedelta(hours=window))
        arms = [totals[k] for k in keys]
        return arms, [posterior(t.redemptions, trials(t, now, window), self.params) for t in arms]

    def assign(self, tenant: str | None, experiment_id: str, customer_key: str) -> Assignment:
        record = self._get(tenant, experiment_id)
        if _unit(_hash(record.id, "holdout", customer_key)) < record.holdout_share:
            return Assignment(arm=None, holdout=True)
        key_hash = _hash(record.id, "key", customer_key)
        arm = self.store.assignment(record.id, key_hash)
        if arm is not None:
            return Assignment(arm=arm)
        now = datetime.now(UTC)
        _, posteriors = self._posteriors(record, now)
        rng = np.random.default_rng(int(_hash(record.id, "arm", customer_key)[:16], 16))
        [index] = allocate(Policy(record.policy), posteriors, 1, rng)
        return Assignment(arm=self.store.assign(record.id, key_hash, record.arms[index], now))

    def view(
        self, tenant: str | None, experiment_id: str, now: datetime | None = None
    ) -> ExperimentView:
        record = self._get(tenant, experiment_id)
        now = as_utc(now or datetime.now(UTC))
        totals, posteriors = self._posteriors(record, now)
        p_best, loss = posterior_summary(posteriors, self.params)
        sends = [t.sends for t in totals]
        decided = verdict(sends, posteriors, p_best, loss, record.min_sends_per_arm, self.params)
        if decided.winner is not None:
            decided = decided.model_copy(update={"winner": record.arms[decided.winner]})
        req = released_variants(self.audit, record.request_id, record.tenant)
        texts = {i: r.text for i, r in req.records.items()} if req is not None else {}
        assigned = self.store.assigned(record.id)
        return ExperimentView(
            id=record.id,
            request_id=record.request_id,
            merchant_id=record.merchant_id,
            policy=Policy(record.policy),
            min_sends_per_arm=record.min_sends_per_arm,
            holdout_share=record.holdout_share,
            created_at=record.created_at,
            arms=[
                ArmView(
                    variant=v,
                    text=texts.get(v, ""),
                    assigned=assigned.get(v, 0),
                    sends=t.sends,
                    clicks=t.clicks,
                    redemptions=t.redemptions,
                    alpha=post.alpha,
                    beta=post.beta,
                    mean=post.mean,
                    p_best=pb,
                    expected_loss=el,
                )
                for v, t, post, pb, el in zip(
                    record.arms, totals, posteriors, p_best, loss, strict=True
                )
            ],
            verdict=decided,
        )
