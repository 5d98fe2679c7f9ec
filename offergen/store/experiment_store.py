"""Experiments and their sticky assignments in the service's database."""

from __future__ import annotations

from dataclasses import dataclass
from datetime import datetime

from sqlalchemy import func, select
from sqlalchemy.exc import IntegrityError

from offergen.store.audit_tables import as_utc
from offergen.store.database import Database
from offergen.store.experiment_tables import AssignmentRow, ExperimentRow

__all__ = ["ExperimentRecord", "ExperimentStore"]


@dataclass(frozen=True)
class ExperimentRecord:
    id: str
    tenant: str | None  # the request's tenant; None: keyless dev mode
    request_id: str
    merchant_id: str
    arms: list[int]
    policy: str
    min_sends_per_arm: int
    holdout_share: float
    created_at: datetime


class ExperimentStore:
    def __init__(self, db: Database) -> None:
        self.db = db

    def create(self, record: ExperimentRecord) -> None:
        with self.db.transaction() as s:
            s.add(
                ExperimentRow(
                    id=record.id,
                    tenant=record.tenant,
                    request_id=record.request_id,
                    merchant_id=record.merchant_id,
                    arms=list(record.arms),
                    policy=record.policy,
                    min_sends_per_arm=record.min_sends_per_arm,
                    holdout_share=record.holdout_share,
                    created_at=as_utc(record.created_at),
                )
            )

    def get(self, experiment_id: str) -> ExperimentRecord | None:
        with self.db.read() as s:
            row = s.get(ExperimentRow, experiment_id)
        if row is None:
            return None
        return ExperimentRecord(
            id=row.id,
            tenant=row.tenant,
            request_id=row.request_id,
            merchant_id=row.merchant_id,
            arms=list(row.arms),
            policy=row.policy,
            min_sends_per_arm=row.min_sends_per_arm,
            holdout_share=row.holdout_share,
            created_at=as_utc(row.created_at),
        )

    def assignment(self, experiment_id: str, key_hash: str) -> int | None:
        with self.db.read() as s:
            row = s.get(AssignmentRow, (experiment_id, key_hash))
        return None if row is None else row.arm

    def assign(self, experiment_id: str, key_hash: str, arm: int, now: datetime) -> int:
        """Store the key's arm unless it has one; the arm it has now (the first one wins a
        race between replicas)."""
        try:
            with self.db.transaction() as s:
                s.add(
                    AssignmentRow(
                        experiment_id=experiment_id,
                        key_hash=key_hash,
                        arm=arm,
                        assigned_at=as_utc(now),
                    )
                )
        except IntegrityError:
            existing = self.assignment(experiment_id, key_hash)
            if existing is None:
                raise
            return existing
        return arm

    def assigned(self, experiment_id: str) -> dict[int, int]:
        """Customers assigned per arm (variant index)."""
        stmt = (
            select(AssignmentRow.arm, func.count())
            .where(AssignmentRow.experiment_id == experiment_id)
            .group_by(AssignmentRow.arm)
        )
        with self.db.read() as s:
            return {int(arm): int(n) for arm, n in s.execute(stmt)}
