"""Campaign jobs in the database: submit, claim with a lease, record once, cancel, report.

Exactly once: an item is leased to one worker at a time (claim), and its result is written in
the transaction that marks it done, fenced on that lease (the worker, the attempt, `running`);
a worker whose lease lapsed and was taken over writes nothing. A killed worker stops renewing
its leases, and its items are claimed again once they lapse.

Locks: on PostgreSQL claims lock item rows with SKIP LOCKED, so workers never wait on each
other; writes that finish items lock the campaign row first (the order everywhere: campaign,
then items), so exactly one of two workers finishing the last two items sees the campaign done.
SQLite has one writer at a time; every write transaction starts with a write there, because a
transaction that read first cannot wait for the lock (SQLITE_BUSY_SNAPSHOT)."""

from __future__ import annotations

import time
import uuid
from collections.abc import Iterator, Sequence
from dataclasses import dataclass
from datetime import UTC, datetime
from typing import Any, cast

from sqlalchemy import ColumnElement, CursorResult, and_, func, insert, or_, select, tuple_, update
from sqlalchemy.orm import Session

from offergen.campaigns.schemas import (
    CampaignCreated,
    CampaignState,
    CampaignStatus,
    ItemResult,
    ItemState,
)
from offergen.errors import ConflictError, NotFoundError
from offergen.schemas import GenerateRequest, GenerateResponse
from offergen.store.audit_tables import as_utc
from offergen.store.campaign_tables import CampaignItemRow as Item
from offergen.store.campaign_tables import CampaignRow as Campaign
from offergen.store.database import Database

__all__ = ["CampaignStore", "Claimed", "request_id_for"]

_OPEN_CAMPAIGN = (CampaignState.queued.value, CampaignState.running.value)
_OPEN_ITEM = (ItemState.queued.value, ItemState.running.value)
_FINISHED_ITEM = (ItemState.done.value, ItemState.failed.value, ItemState.cancelled.value)
_INSERT_CHUNK = 1000  # rows per INSERT statement when a campaign is stored
_NO_SYNC = {"synchronize_session": False}  # bulk updates: no ORM objects to keep in step


def request_id_for(campaign_id: str, item: int, attempt: int) -> str:
    """`<campaign>-<item>`, and `<campaign>-<item>.<attempt>` for a retry: an attempt whose
    worker died after its audit records were written keeps its own records apart from the
    retry's; the item names the one attempt whose records count."""
    base = f"{campaign_id}-{item}"
    return base if attempt == 1 else f"{base}.{attempt}"


@dataclass(frozen=True)
class Claimed:
    """One item leased to a worker."""

    campaign_id: str
    item: int
    attempt: int  # 1 for the first try
    tenant: str | None
    request: GenerateRequest

    @property
    def request_id(self) -> str:
        return request_id_for(self.campaign_id, self.item, self.attempt)

    @property
    def key(self) -> tuple[str, int]:
        return self.campaign_id, self.item


def _rowcount(result: Any) -> int:
    return cast(CursorResult[Any], result).rowcount


def _now() -> datetime:
    return datetime.now(UTC)


class CampaignStore:
    """Tenant `None` reads and changes every tenant's campaigns (keyless dev mode, operators);
    another tenant's campaign is unknown, like one that does not exist."""

    def __init__(self, db: Database) -> None:
        self.db = db

    def create_schema(self) -> None:
        self.db.create_schema()

    # --- clients -------------------------------------------------------------------------------

    def create(self, requests: Sequence[GenerateRequest], tenant: str | None) -> CampaignCreated:
        """Store a campaign and all its items in one transaction: all or nothing."""
        cid = uuid.uuid4().hex
        with self.db.transaction() as s:
            s.add(
                Campaign(
                    id=cid,
                    tenant=tenant,
                    status=CampaignState.queued.value,
                    total=len(requests),
                    created_at=_now(),
                )
            )
            s.flush()
            for start in range(0, len(requests), _INSERT_CHUNK):
                chunk = requests[start : start + _INSERT_CHUNK]
                rows = [
                    {
                        "campaign_id": cid,
                        "item": start + i,
                        "request": r.model_dump(mode="json"),
                        "status": ItemState.queued.value,
                        "attempts": 0,
                    }
                    for i, r in enumerate(chunk)
                ]
                s.execute(insert(Item), rows)
        return CampaignCreated(id=cid, total=len(requests))

    def status(self, campaign_id: str, tenant: str | None) -> CampaignStatus:
        with self.db.read() as s:
            row = self._campaign(s, campaign_id, tenant)
            return _status(row, _counts(s, campaign_id))

    def cancel(self, campaign_id: str, tenant: str | None) -> CampaignStatus:
        """Queued items (and leases whose worker is gone) are cancelled; items a live worker
        holds finish and are recorded."""
        now = time.time()
        with self.db.transaction() as s:
            stmt = update(Campaign).where(
                Campaign.id == campaign_id, Campaign.status.in_(_OPEN_CAMPAIGN)
            )
            if tenant is not None:
                stmt = stmt.where(Campaign.tenant == tenant)
            stmt = stmt.values(status=CampaignState.cancelled.value, finished_at=_now())
            if not _rowcount(s.execute(stmt, execution_options=_NO_SYNC)):
                row = self._campaign(s, campaign_id, tenant)
                raise ConflictError(f"the campaign is already {row.status}")
            s.execute(
                update(Item)
                .where(
                    Item.campaign_id == campaign_id,
                    or_(Item.status == ItemState.queued.value, _lapsed(now)),
                )
                .values(status=ItemState.cancelled.value, finished_at=_now(), lease_until=None),
                execution_options=_NO_SYNC,
            )
        return self.status(campaign_id, tenant)

    def results(
        self, campaign_id: str, tenant: str | None, *, chunk: int = 500
    ) -> Iterator[ItemResult]:
        """Finished items in item order, read `chunk` at a time. Raises NotFoundError at once
        (not on the first `next`), so an API can answer 404 before it starts streaming."""
        with self.db.read() as s:
            self._campaign(s, campaign_id, tenant)
        return self._results(campaign_id, chunk)

    def _results(self, campaign_id: str, chunk: int) -> Iterator[ItemResult]:
        after = -1
        while True:
            with self.db.read() as s:
                rows = s.scalars(
                    select(Item)
                    .where(
                        Item.campaign_id == campaign_id,
                        Item.item > after,
                        Item.status.in_(_FINISHED_ITEM),
                    )
                    .order_by(Item.item)
                    .limit(chunk)
                ).all()
            for row in rows:
                yield ItemResult(
                    item=row.item,
                    status=ItemState(row.status),
                    request_id=row.request_id,
                    response=None
                    if row.response is None
                    else GenerateResponse.model_validate(row.response),
                    error=row.error,
                )
            if len(rows) < chunk:
                return
            after = rows[-1].item

    # --- workers -------------------------------------------------------------------------------

    def claim(
        self,
        worker_id: str,
        n: int,
        *,
        lease_s: float,
        max_attempts: int,
        campaign_id: str | None = None,
    ) -> list[Claimed]:
        """Lease up to `n` open items (queued, or leased by a worker that stopped renewing),
        oldest campaign first. An item whose workers were lost `max_attempts` times fails."""
        self._give_up_lost(max_attempts, campaign_id)
        now = time.time()
        open_items = (
            select(Item.campaign_id, Item.item)
            .join(Campaign, Campaign.id == Item.campaign_id)
            .where(
                Campaign.status.in_(_OPEN_CAMPAIGN),
                or_(Item.status == ItemState.queued.value, _lapsed(now)),
            )
            .order_by(Campaign.created_at, Item.campaign_id, Item.item)
            .limit(n)
            .with_for_update(skip_locked=True, of=Item)
        )
        if campaign_id is not None:
            open_items = open_items.where(Item.campaign_id == campaign_id)
        with self.db.transaction() as s:
            claimed = s.execute(
                update(Item)
                .where(tuple_(Item.campaign_id, Item.item).in_(open_items))
                .values(
                    status=ItemState.running.value,
                    claimed_by=worker_id,
                    lease_until=now + lease_s,
                    attempts=Item.attempts + 1,
                )
                .returning(Item.campaign_id, Item.item, Item.attempts, Item.request),
                execution_options=_NO_SYNC,
            ).all()
            if not claimed:
                return []
            cids = {r.campaign_id for r in claimed}
            tenants: dict[str, str | None] = {
                cid: tenant
                for cid, tenant in s.execute(
                    select(Campaign.id, Campaign.tenant).where(Campaign.id.in_(cids))
                )
            }
        # Its own transaction: claims lock items before campaigns otherwise (see the module doc).
        with self.db.transaction() as s:
            s.execute(
                update(Campaign)
                .where(Campaign.id.in_(cids), Campaign.status == CampaignState.queued.value)
                .values(status=CampaignState.running.value, started_at=_now()),
                execution_options=_NO_SYNC,
            )
        out = [
            Claimed(
                campaign_id=r.campaign_id,
                item=r.item,
                attempt=r.attempts,
                tenant=tenants[r.campaign_id],
                request=GenerateRequest.model_validate(r.request),
            )
            for r in claimed
        ]
        return sorted(out, key=lambda c: c.key)

    def renew(self, worker_id: str, keys: Sequence[tuple[str, int]], lease_s: float) -> int:
        """Extend this worker's leases (its heartbeat); how many it still held."""
        if not keys:
            return 0
        with self.db.transaction() as s:
            return _rowcount(
                s.execute(
                    update(Item)
                    .where(
                        tuple_(Item.campaign_id, Item.item).in_(list(keys)),
                        Item.claimed_by == worker_id,
                        Item.status == ItemState.running.value,
                    )
                    .values(lease_until=time.time() + lease_s),
                    execution_options=_NO_SYNC,
                )
            )

    def complete(self, c: Claimed, worker_id: str, response: GenerateResponse) -> bool:
        """Record the item's response and mark it done, if this worker still holds it;
        False when its lease was taken over (the result is then not recorded)."""
        return self._finish(
            c,
            worker_id,
            status=ItemState.done.value,
            request_id=c.request_id,
            response=response.model_dump(mode="json"),
            error=None,
            finished_at=_now(),
        )

    def fail(
        self, c: Claimed, worker_id: str, error: str, *, retry: bool, max_attempts: int
    ) -> bool:
        """Put the item back in the queue (`retry`, while attempts remain) or fail it for good.
        `error` is shown to clients: it must be safe (no request text)."""
        if retry and c.attempt < max_attempts:
            return self._finish(
                c,
                worker_id,
                status=ItemState.queued.value,
                claimed_by=None,
                error=error,
            )
        return self._finish(
            c,
            worker_id,
            status=ItemState.failed.value,
            request_id=c.request_id,
            error=error,
            finished_at=_now(),
        )

    def release(self, c: Claimed, worker_id: str, *, started: bool) -> bool:
        """Hand a leased item back to the queue now (a worker shutting down), instead of letting
        its lease lapse. An item whose generation never `started` gets its attempt back; one
        that did keeps it (its audit records may name that attempt). False when the lease was
        no longer this worker's."""
        values: dict[str, Any] = {"status": ItemState.queued.value, "claimed_by": None}
        if not started:
            values["attempts"] = Item.attempts - 1
        return self._finish(c, worker_id, **values)

    def open_items(self, campaign_id: str | None = None) -> int:
        """Items still to do (queued or leased) in campaigns that are not finished."""
        stmt = (
            select(func.count())
            .select_from(Item)
            .join(Campaign, Campaign.id == Item.campaign_id)
            .where(Campaign.status.in_(_OPEN_CAMPAIGN), Item.status.in_(_OPEN_ITEM))
        )
        if campaign_id is not None:
            stmt = stmt.where(Item.campaign_id == campaign_id)
        with self.db.read() as s:
            return s.scalar(stmt) or 0

    # --- inside -------------------------------------------------------------------------------

    def _finish(self, c: Claimed, worker_id: str, **values: Any) -> bool:
        with self.db.transaction() as s:
            self._lock_campaign(s, c.campaign_id)
            held = _rowcount(
                s.execute(
                    update(Item)
                    .where(
                        Item.campaign_id == c.campaign_id,
                        Item.item == c.item,
                        Item.status == ItemState.running.value,
                        Item.claimed_by == worker_id,
                        Item.attempts == c.attempt,
                    )
                    .values(lease_until=None, **values),
                    execution_options=_NO_SYNC,
                )
            )
            if held:
                _close_if_finished(s, c.campaign_id)
        return bool(held)

    def _give_up_lost(self, max_attempts: int, campaign_id: str | None) -> None:
        """Fail the items whose lease lapsed on their last attempt (a poison item that kills
        every worker must not kill them forever)."""
        now = time.time()
        lost = select(Item.campaign_id).where(_lapsed(now), Item.attempts >= max_attempts)
        if campaign_id is not None:
            lost = lost.where(Item.campaign_id == campaign_id)
        with self.db.read() as s:
            cids = set(s.scalars(lost.distinct()).all())
        for cid in cids:
            with self.db.transaction() as s:
                self._lock_campaign(s, cid)
                n = _rowcount(
                    s.execute(
                        update(Item)
                        .where(Item.campaign_id == cid, _lapsed(now), Item.attempts >= max_attempts)
                        .values(
                            status=ItemState.failed.value,
                            error=f"its worker stopped {max_attempts} time(s); given up",
                            lease_until=None,
                            finished_at=_now(),
                        ),
                        execution_options=_NO_SYNC,
                    )
                )
                if n:
                    _close_if_finished(s, cid)

    def _lock_campaign(self, s: Session, campaign_id: str) -> None:
        # PostgreSQL only: on SQLite the first statement must write (see the module doc), and
        # one writer at a time already serializes these transactions.
        if self.db.dialect == "postgresql":
            s.execute(select(Campaign.id).where(Campaign.id == campaign_id).with_for_update())

    @staticmethod
    def _campaign(s: Session, campaign_id: str, tenant: str | None) -> Campaign:
        row = s.get(Campaign, campaign_id)
        if row is None or (tenant is not None and row.tenant != tenant):
            raise NotFoundError("unknown campaign (or another tenant's)")
        return row


def _lapsed(now: float) -> ColumnElement[bool]:
    return and_(Item.status == ItemState.running.value, Item.lease_until < now)


def _counts(s: Session, campaign_id: str) -> dict[str, int]:
    """Items of the campaign by status."""
    stmt = (
        select(Item.status, func.count())
        .where(Item.campaign_id == campaign_id)
        .group_by(Item.status)
    )
    return {status: n for status, n in s.execute(stmt)}


def _close_if_finished(s: Session, campaign_id: str) -> None:
    """Completed (or failed, when no item was done) once no item is left to do."""
    counts = _counts(s, campaign_id)
    if any(counts.get(st, 0) for st in _OPEN_ITEM):
        return
    final = CampaignState.completed if counts.get(ItemState.done.value) else CampaignState.failed
    s.execute(
        update(Campaign)
        .where(Campaign.id == campaign_id, Campaign.status.in_(_OPEN_CAMPAIGN))
        .values(status=final.value, finished_at=_now()),
        execution_options=_NO_SYNC,
    )


def _status(row: Campaign, counts: dict[str, int]) -> CampaignStatus:
    n = {state: counts.get(state.value, 0) for state in ItemState}
    finished = n[ItemState.done] + n[ItemState.failed] + n[ItemState.cancelled]
    state = CampaignState(row.status)
    started = as_utc(row.started_at) if row.started_at else None
    ended = as_utc(row.finished_at) if row.finished_at else None
    rate = eta = None
    worked = n[ItemState.done] + n[ItemState.failed]
    if started is not None and worked:
        elapsed = ((ended or _now()) - started).total_seconds()
        rate = worked / elapsed if elapsed > 0 else None
    if state.final:
        eta = 0.0
    elif rate:
        eta = (n[ItemState.queued] + n[ItemState.running]) / rate
    return CampaignStatus(
        id=row.id,
        status=state,
        total=row.total,
        queued=n[ItemState.queued],
        running=n[ItemState.running],
        done=n[ItemState.done],
        failed=n[ItemState.failed],
        cancelled=n[ItemState.cancelled],
        progress=round(finished / row.total, 4) if row.total else 1.0,
        items_per_s=None if rate is None else round(rate, 3),
        eta_s=None if eta is None else round(eta, 1),
        created_at=as_utc(row.created_at),
        started_at=started,
        finished_at=ended,
    )
