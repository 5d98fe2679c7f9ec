"""Per-caller rate limit in the database: a fixed one-minute window, shared by every replica.

One upsert per request counts the hit and returns the window's count, so concurrent requests on
several replicas never read-then-write a stale count. A fixed window lets a caller send up to
twice the limit across a window boundary; that is the price of one row and one statement."""

from __future__ import annotations

import math
import time
from collections.abc import Callable
from dataclasses import dataclass

from sqlalchemy import case, delete

from offergen.store.database import Database
from offergen.store.limit_tables import RateLimitRow, upsert_for

__all__ = ["RateDecision", "RateLimiter"]

WINDOW_S = 60  # the limit is set per minute


@dataclass(frozen=True)
class RateDecision:
    allowed: bool
    remaining: int
    retry_after_s: int  # until the window resets; meaningful when not allowed


class RateLimiter:
    def __init__(
        self,
        db: Database,
        per_minute: int,
        *,
        purge_every_s: float = 300.0,
        clock: Callable[[], float] = time.time,
    ) -> None:
        self.db = db
        self.per_minute = per_minute
        self.purge_every_s = purge_every_s
        self.clock = clock  # injectable: tests move time
        self._insert = upsert_for(db.dialect)
        self._next_purge = 0.0

    def hit(self, identity: str) -> RateDecision:
        """Count one request of `identity` and say whether it is within the limit."""
        now = self.clock()
        window = int(now // WINDOW_S)
        stmt = self._insert(RateLimitRow).values(identity=identity, window_start=window, hits=1)
        new = stmt.excluded
        # SET expressions read the row as it was, so both see the old window_start. A replica
        # whose clock lags counts into the newer window rather than resetting it.
        stmt = stmt.on_conflict_do_update(
            index_elements=["identity"],
            set_={
                "hits": case(
                    (new.window_start > RateLimitRow.window_start, 1),
                    else_=RateLimitRow.hits + 1,
                ),
                "window_start": case(
                    (new.window_start > RateLimitRow.window_start, new.window_start),
                    else_=RateLimitRow.window_start,
                ),
            },
        ).returning(RateLimitRow.hits, RateLimitRow.window_start)
        with self.db.transaction() as s:
            hits, window_start = s.execute(stmt).one()
        self._maybe_purge(now, window)
        resets_at = (window_start + 1) * WINDOW_S
        return RateDecision(
            allowed=hits <= self.per_minute,
            remaining=max(0, self.per_minute - hits),
            retry_after_s=max(1, math.ceil(resets_at - now)),
        )

    def _maybe_purge(self, now: float, window: int) -> None:
        # Rows of past windows count nothing any more; dropping them keeps one row per active
        # caller (a client cycling made-up tokens would otherwise grow the table without end).
        if now >= self._next_purge:
            self._next_purge = now + self.purge_every_s
            with self.db.transaction() as s:
                s.execute(delete(RateLimitRow).where(RateLimitRow.window_start < window))
