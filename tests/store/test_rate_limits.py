from __future__ import annotations

from concurrent.futures import ThreadPoolExecutor

import pytest
from sqlalchemy import func, select

from offergen.store.database import Database
from offergen.store.limit_tables import RateLimitRow
from offergen.store.rate_limits import RateLimiter


class Clock:
    def __init__(self, now: float) -> None:
        self.now = now

    def __call__(self) -> float:
        return self.now


@pytest.fixture
def db(database: Database) -> Database:
    database.create_schema()
    return database


def test_allows_up_to_the_limit_then_says_when_to_retry(db: Database) -> None:
    clock = Clock(60 * 1000 + 15.2)  # 15.2 s into a window
    limiter = RateLimiter(db, per_minute=3, clock=clock)
    decisions = [limiter.hit("caller-a") for _ in range(4)]
    assert [d.allowed for d in decisions] == [True, True, True, False]
    assert [d.remaining for d in decisions] == [2, 1, 0, 0]
    assert decisions[-1].retry_after_s == 45  # ceil(60 - 15.2)


def test_callers_are_counted_apart(db: Database) -> None:
    limiter = RateLimiter(db, per_minute=1, clock=Clock(60_000.0))
    assert limiter.hit("a").allowed
    assert not limiter.hit("a").allowed
    assert limiter.hit("b").allowed


def test_a_new_window_starts_from_zero(db: Database) -> None:
    clock = Clock(60 * 500 + 59.0)
    limiter = RateLimiter(db, per_minute=1, clock=clock)
    assert limiter.hit("a").allowed
    assert not limiter.hit("a").allowed
    clock.now += 1.5
    assert limiter.hit("a").allowed


def test_a_lagging_replica_counts_into_the_newer_window(db: Database) -> None:
    ahead = RateLimiter(db, per_minute=2, clock=Clock(60 * 700 + 1.0))
    behind = RateLimiter(db, per_minute=2, clock=Clock(60 * 700 - 1.0))
    assert ahead.hit("a").allowed
    assert behind.hit("a").allowed
    assert not ahead.hit("a").allowed  # the lagging hit did not reset the window


def test_concurrent_hits_are_all_counted(db: Database) -> None:
    limiter = RateLimiter(db, per_minute=25, clock=Clock(60 * 900 + 5.0))
    with ThreadPoolExecutor(max_workers=8) as pool:
        decisions = list(pool.map(lambda _: limiter.hit("shared"), range(40)))
    assert sum(d.allowed for d in decisions) == 25
    assert sorted(d.remaining for d in decisions if d.allowed) == list(range(25))


def test_rows_of_past_windows_are_purged(db: Database) -> None:
    clock = Clock(60 * 100 + 1.0)
    limiter = RateLimiter(db, per_minute=5, purge_every_s=0, clock=clock)
    limiter.hit("old")
    clock.now += 120
    limiter.hit("new")
    with db.read() as s:
        ids = s.execute(select(RateLimitRow.identity)).scalars().all()
        assert ids == ["new"]
        assert s.execute(select(func.count()).select_from(RateLimitRow)).scalar_one() == 1
