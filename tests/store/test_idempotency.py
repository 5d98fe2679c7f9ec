from __future__ import annotations

from concurrent.futures import ThreadPoolExecutor

import pytest
from sqlalchemy import select

from offergen.store.database import Database
from offergen.store.idempotency import ClaimOutcome, IdempotencyStore, StoredResponse
from offergen.store.limit_tables import IdempotencyRow

OK = StoredResponse(200, "application/json", b'{"a": 1}')


class Clock:
    def __init__(self, now: float) -> None:
        self.now = now

    def __call__(self) -> float:
        return self.now


@pytest.fixture
def clock() -> Clock:
    return Clock(1_700_000_000.0)


@pytest.fixture
def db(database: Database) -> Database:
    database.create_schema()
    return database


@pytest.fixture
def store(db: Database, clock: Clock) -> IdempotencyStore:
    return IdempotencyStore(db, ttl_s=3600, lease_s=30, clock=clock)


def test_first_claim_wins_and_its_response_replays(store: IdempotencyStore) -> None:
    first = store.claim("caller", "key-1", "fp")
    assert first.outcome is ClaimOutcome.claimed and first.token
    assert store.claim("caller", "key-1", "fp").outcome is ClaimOutcome.in_progress
    assert store.complete("caller", "key-1", first.token, OK)
    again = store.claim("caller", "key-1", "fp")
    assert again.outcome is ClaimOutcome.replay and again.response == OK


def test_another_body_under_the_same_key_is_a_mismatch(store: IdempotencyStore) -> None:
    first = store.claim("caller", "key-1", "fp")
    assert store.claim("caller", "key-1", "other").outcome is ClaimOutcome.mismatch
    assert first.token and store.complete("caller", "key-1", first.token, OK)
    assert store.claim("caller", "key-1", "other").outcome is ClaimOutcome.mismatch


def test_keys_are_scoped_per_caller(store: IdempotencyStore) -> None:
    assert store.claim("tenant-a", "same", "fp").outcome is ClaimOutcome.claimed
    assert store.claim("tenant-b", "same", "fp2").outcome is ClaimOutcome.claimed


def test_a_released_key_runs_again(store: IdempotencyStore) -> None:
    first = store.claim("caller", "k", "fp")
    assert first.token
    store.release("caller", "k", first.token)
    second = store.claim("caller", "k", "fp")
    assert second.outcome is ClaimOutcome.claimed and second.token != first.token


def test_an_expired_key_is_ignored_and_purged_on_the_way(
    store: IdempotencyStore, clock: Clock
) -> None:
    first = store.claim("caller", "k", "fp")
    assert first.token and store.complete("caller", "k", first.token, OK)
    store.claim("caller", "other", "fp")
    clock.now += 3601
    # past its TTL the key is free again, even for another body
    assert store.claim("caller", "k", "new body").outcome is ClaimOutcome.claimed
    with store.db.read() as s:  # "other" was purged by that claim, "k" taken over in place
        assert [r.fingerprint for r in s.execute(select(IdempotencyRow)).scalars()] == ["new body"]


def test_purge_removes_only_expired_keys(db: Database, clock: Clock) -> None:
    store = IdempotencyStore(db, ttl_s=100, lease_s=30, purge_every_s=1e9, clock=clock)
    store.claim("caller", "a", "fp")
    store.claim("caller", "b", "fp")
    clock.now += 50
    store.claim("caller", "c", "fp")
    assert store.purge_expired() == 0
    clock.now += 51
    assert store.purge_expired() == 2
    with db.read() as s:
        assert len(s.execute(select(IdempotencyRow)).scalars().all()) == 1  # "c" is left


def test_an_abandoned_claim_is_taken_over_and_the_loser_cannot_store(
    store: IdempotencyStore, clock: Clock
) -> None:
    dead = store.claim("caller", "k", "fp")
    clock.now += 31  # past the lease: its replica died
    alive = store.claim("caller", "k", "fp")
    assert alive.outcome is ClaimOutcome.claimed
    assert dead.token and not store.complete("caller", "k", dead.token, OK)
    store.release("caller", "k", dead.token)  # a stale release does not free the new claim
    assert store.claim("caller", "k", "fp").outcome is ClaimOutcome.in_progress


def test_neither_key_nor_caller_is_stored_in_clear(store: IdempotencyStore) -> None:
    store.claim("caller", "order-4111111111111111", "fp")
    with store.db.read() as s:
        row = s.execute(select(IdempotencyRow)).scalar_one()
    assert "4111" not in row.key_hash and len(row.key_hash) == 64


def test_concurrent_claims_of_one_key_have_one_winner(store: IdempotencyStore) -> None:
    with ThreadPoolExecutor(max_workers=8) as pool:
        claims = list(pool.map(lambda _: store.claim("caller", "race", "fp"), range(24)))
    outcomes = [c.outcome for c in claims]
    assert outcomes.count(ClaimOutcome.claimed) == 1
    assert outcomes.count(ClaimOutcome.in_progress) == 23
