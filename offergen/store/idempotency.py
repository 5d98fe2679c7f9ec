"""Idempotency keys in the database (Stripe semantics), shared by every API replica.

A request claims (caller, key) with one atomic upsert; whoever holds the claim runs the request
and stores its response, or releases the claim so that a retry runs again. Everyone else gets
the stored response, learns the key is still in progress, or that it was used for another body.
"""

from __future__ import annotations

import hashlib
import time
import uuid
from collections.abc import Callable
from dataclasses import dataclass
from enum import StrEnum
from typing import Any, cast

from sqlalchemy import ColumnElement, CursorResult, and_, delete, or_, select, update
from sqlalchemy.orm import Session

from offergen.store.database import Database
from offergen.store.limit_tables import IdempotencyRow, upsert_for

__all__ = ["Claim", "ClaimOutcome", "IdempotencyStore", "StoredResponse"]


class ClaimOutcome(StrEnum):
    claimed = "claimed"  # run the request, then complete() or release()
    replay = "replay"  # a response is stored: send it
    in_progress = "in_progress"  # another request holds the key now
    mismatch = "mismatch"  # the key was used with another method, path or body


class _Status(StrEnum):
    in_progress = "in_progress"
    completed = "completed"


@dataclass(frozen=True)
class StoredResponse:
    status_code: int
    content_type: str
    body: bytes


@dataclass(frozen=True)
class Claim:
    outcome: ClaimOutcome
    token: str | None = None  # with `claimed`: proves the claim in complete() and release()
    response: StoredResponse | None = None  # with `replay`


def _sha256(text: str) -> str:
    return hashlib.sha256(text.encode()).hexdigest()


class IdempotencyStore:
    """`lease_s`: how long a claim may stay in progress before it counts as abandoned (its
    replica died); it must outlast the longest request, i.e. the request timeout."""

    def __init__(
        self,
        db: Database,
        *,
        ttl_s: float,
        lease_s: float,
        purge_every_s: float = 60.0,
        clock: Callable[[], float] = time.time,
    ) -> None:
        self.db = db
        self.ttl_s = ttl_s
        self.lease_s = lease_s
        self.purge_every_s = purge_every_s
        self.clock = clock  # injectable: tests move time
        self._insert = upsert_for(db.dialect)
        self._next_purge = 0.0

    def claim(self, identity: str, key: str, fingerprint: str) -> Claim:
        """Claim `key` for `identity`, or say why not; one transaction, safe under concurrency."""
        now = self.clock()
        token = uuid.uuid4().hex
        pk = (identity, _sha256(key))
        fresh = {
            "fingerprint": fingerprint,
            "status": _Status.in_progress.value,
            "claim": token,
            "locked_until": now + self.lease_s,
            "expires_at": now + self.ttl_s,
            "status_code": None,
            "content_type": None,
            "body": None,
        }
        with self.db.transaction() as s:
            inserted = s.execute(
                self._insert(IdempotencyRow)
                .values(identity=pk[0], key_hash=pk[1], **fresh)
                .on_conflict_do_nothing(index_elements=["identity", "key_hash"])
                .returning(IdempotencyRow.claim)
            ).first()
            if inserted is not None:
                outcome = Claim(ClaimOutcome.claimed, token=token)
            else:
                outcome = self._existing(s, pk, fresh, now)
        self._maybe_purge(now)
        return outcome

    def _existing(
        self, s: Session, pk: tuple[str, str], fresh: dict[str, object], now: float
    ) -> Claim:
        # An expired key, or a claim whose replica died, is taken over in place; on PostgreSQL
        # the UPDATE re-checks its WHERE under the row lock, so only one taker wins.
        taken = s.execute(
            update(IdempotencyRow)
            .where(
                self._is(pk),
                or_(
                    IdempotencyRow.expires_at <= now,
                    and_(
                        IdempotencyRow.status == _Status.in_progress.value,
                        IdempotencyRow.locked_until <= now,
                    ),
                ),
            )
            .values(**fresh)
            .returning(IdempotencyRow.claim)
        ).first()
        if taken is not None:
            return Claim(ClaimOutcome.claimed, token=str(fresh["claim"]))
        row = s.execute(select(IdempotencyRow).where(self._is(pk))).scalar_one_or_none()
        if row is None:  # released between our two statements: the caller simply asks again
            return Claim(ClaimOutcome.in_progress)
        if row.fingerprint != fresh["fingerprint"]:
            return Claim(ClaimOutcome.mismatch)
        if row.status == _Status.completed.value:
            assert row.status_code is not None and row.body is not None
            stored = StoredResponse(row.status_code, row.content_type or "", row.body)
            return Claim(ClaimOutcome.replay, response=stored)
        return Claim(ClaimOutcome.in_progress)

    def complete(self, identity: str, key: str, token: str, response: StoredResponse) -> bool:
        """Store the response of the claim `token`; False if that claim was lost meanwhile."""
        with self.db.transaction() as s:
            done = s.execute(
                update(IdempotencyRow)
                .where(self._is((identity, _sha256(key))), IdempotencyRow.claim == token)
                .values(
                    status=_Status.completed.value,
                    status_code=response.status_code,
                    content_type=response.content_type,
                    body=response.body,
                )
                .returning(IdempotencyRow.claim)
            ).first()
            return done is not None

    def release(self, identity: str, key: str, token: str) -> None:
        """Give the key up (the request failed or timed out): the next request runs afresh."""
        with self.db.transaction() as s:
            s.execute(
                delete(IdempotencyRow).where(
                    self._is((identity, _sha256(key))), IdempotencyRow.claim == token
                )
            )

    def purge_expired(self) -> int:
        with self.db.transaction() as s:
            gone = s.execute(
                delete(IdempotencyRow).where(IdempotencyRow.expires_at <= self.clock())
            )
            return int(cast("CursorResult[Any]", gone).rowcount)

    def _maybe_purge(self, now: float) -> None:
        # Opportunistic: expired keys are already ignored, this only keeps the table small.
        if now >= self._next_purge:
            self._next_purge = now + self.purge_every_s
            self.purge_expired()

    @staticmethod
    def _is(pk: tuple[str, str]) -> ColumnElement[bool]:
        return and_(IdempotencyRow.identity == pk[0], IdempotencyRow.key_hash == pk[1])
