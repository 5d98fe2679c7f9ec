"""The durable job store on SQLite and PostgreSQL: claims with leases, results recorded once,
lapsed leases taken over, cancel, counts and progress, tenant isolation."""

from __future__ import annotations

import threading
import time

import pytest

from offergen.campaigns.job_store import CampaignStore, Claimed, request_id_for
from offergen.campaigns.schemas import CampaignState, ItemState
from offergen.errors import ConflictError, NotFoundError
from offergen.schemas import GenerateResponse, ModelInfo, PromptInfo, Variant
from tests.campaigns.cheap_pipeline import request

LEASE = 30.0


def _response(c: Claimed, text: str = "copy") -> GenerateResponse:
    return GenerateResponse(
        request_id=c.request_id,
        variants=[Variant(text=f"{text} {c.item}", released=True, findings=[], attempts=1)],
        sources=[],
        prompt=PromptInfo(template="offer_copy", version="v1"),
        model=ModelInfo(id="m", backend="scripted"),
        timings_ms={},
    )


def _claim(store: CampaignStore, worker: str, n: int, **kw: object) -> list[Claimed]:
    args: dict[str, object] = {"lease_s": LEASE, "max_attempts": 3} | kw
    return store.claim(worker, n, **args)  # type: ignore[arg-type]


def test_items_are_claimed_once_and_recorded_once(store: CampaignStore) -> None:
    created = store.create([request(i) for i in range(5)], tenant="acme")
    assert created.total == 5
    first = _claim(store, "w1", 3)
    second = _claim(store, "w2", 3)
    assert [c.item for c in first] == [0, 1, 2]
    assert [c.item for c in second] == [3, 4]  # nothing claimed twice
    assert _claim(store, "w3", 3) == []
    assert {c.tenant for c in first + second} == {"acme"}
    assert first[1].request == request(1)
    assert first[0].request_id == f"{created.id}-0"

    running = store.status(created.id, "acme")
    assert running.status is CampaignState.running and running.running == 5
    assert running.started_at is not None

    assert store.complete(first[0], "w1", _response(first[0]))
    assert not store.complete(first[0], "w1", _response(first[0], "again"))  # already done
    assert not store.complete(first[1], "w2", _response(first[1]))  # not w2's item
    for c in first[1:]:
        assert store.complete(c, "w1", _response(c))
    for c in second:
        assert store.complete(c, "w2", _response(c))

    done = store.status(created.id, "acme")
    assert (done.status, done.done, done.queued, done.running) == (CampaignState.completed, 5, 0, 0)
    assert done.progress == 1.0 and done.eta_s == 0.0 and done.finished_at is not None
    results = list(store.results(created.id, "acme"))
    assert [r.item for r in results] == [0, 1, 2, 3, 4]
    assert results[0].response is not None and results[0].response.variants[0].text == "copy 0"
    assert {r.request_id for r in results} == {f"{created.id}-{i}" for i in range(5)}


def test_a_lapsed_lease_is_taken_over_and_the_old_worker_cannot_record(
    store: CampaignStore,
) -> None:
    created = store.create([request(0), request(1)], tenant=None)
    [a0, a1] = _claim(store, "dead", 2, lease_s=0.2)
    assert _claim(store, "other", 2) == []  # leases still valid
    time.sleep(0.3)
    taken = _claim(store, "other", 2)
    assert [(c.item, c.attempt) for c in taken] == [(0, 2), (1, 2)]
    assert taken[0].request_id == request_id_for(created.id, 0, 2) == f"{created.id}-0.2"
    # the first worker comes back: its results are refused, the new holder's are recorded
    assert not store.complete(a0, "dead", _response(a0, "stale"))
    assert all(store.complete(c, "other", _response(c)) for c in taken)
    results = list(store.results(created.id, None))
    assert [(r.item, r.request_id) for r in results] == [
        (0, f"{created.id}-0.2"),
        (1, f"{created.id}-1.2"),
    ]
    assert all(r.response and r.response.variants[0].text.startswith("copy") for r in results)
    del a1


def test_renewed_leases_do_not_lapse(store: CampaignStore) -> None:
    store.create([request(0)], tenant=None)
    [c] = _claim(store, "w1", 1, lease_s=0.4)
    for _ in range(3):
        time.sleep(0.2)
        assert store.renew("w1", [c.key], 0.4) == 1
        assert _claim(store, "w2", 1) == []
    assert store.renew("w2", [c.key], 0.4) == 0  # only the holder renews


def test_failures_retry_then_fail_for_good(store: CampaignStore) -> None:
    created = store.create([request(0), request(1)], tenant=None)
    [c0, c1] = _claim(store, "w", 2, max_attempts=2)
    assert store.fail(c0, "w", "backend down", retry=True, max_attempts=2)
    assert store.fail(c1, "w", "unknown merchant", retry=False, max_attempts=2)
    s = store.status(created.id, None)
    assert (s.queued, s.failed, s.status) == (1, 1, CampaignState.running)
    [again] = _claim(store, "w", 2, max_attempts=2)
    assert (again.item, again.attempt) == (0, 2)
    assert store.fail(again, "w", "backend down", retry=True, max_attempts=2)  # last attempt
    s = store.status(created.id, None)
    assert (s.failed, s.done, s.status) == (2, 0, CampaignState.failed)
    errors = {r.item: r.error for r in store.results(created.id, None)}
    assert errors == {0: "backend down", 1: "unknown merchant"}


def test_an_item_whose_workers_keep_dying_is_given_up(store: CampaignStore) -> None:
    created = store.create([request(0)], tenant=None)
    for attempt in (1, 2):
        [c] = _claim(store, f"w{attempt}", 1, lease_s=0.05, max_attempts=2)
        assert c.attempt == attempt
        time.sleep(0.1)
    assert _claim(store, "w3", 1, max_attempts=2) == []
    s = store.status(created.id, None)
    assert (s.failed, s.running, s.status) == (1, 0, CampaignState.failed)
    [r] = store.results(created.id, None)
    assert r.status is ItemState.failed and "stopped 2 time(s)" in (r.error or "")


def test_cancel_stops_queued_items(store: CampaignStore) -> None:
    created = store.create([request(i) for i in range(4)], tenant="acme")
    [c] = _claim(store, "w", 1)
    s = store.cancel(created.id, "acme")
    assert (s.status, s.cancelled, s.running, s.queued) == (CampaignState.cancelled, 3, 1, 0)
    assert _claim(store, "w", 4) == []  # a cancelled campaign gives no more work
    assert store.complete(c, "w", _response(c))  # the item in flight is still recorded
    s = store.status(created.id, "acme")
    assert (s.status, s.done, s.cancelled, s.progress) == (CampaignState.cancelled, 1, 3, 1.0)
    assert [(r.item, r.status) for r in store.results(created.id, "acme")] == [
        (0, ItemState.done),
        (1, ItemState.cancelled),
        (2, ItemState.cancelled),
        (3, ItemState.cancelled),
    ]
    with pytest.raises(ConflictError, match="already cancelled"):
        store.cancel(created.id, "acme")


def test_status_counts_progress_and_eta(store: CampaignStore) -> None:
    created = store.create([request(i) for i in range(4)], tenant=None)
    s = store.status(created.id, None)
    assert (s.status, s.total, s.queued, s.progress) == (CampaignState.queued, 4, 4, 0.0)
    assert s.started_at is None and s.eta_s is None and s.items_per_s is None
    [c] = _claim(store, "w", 1)
    time.sleep(0.05)
    store.complete(c, "w", _response(c))
    s = store.status(created.id, None)
    assert (s.done, s.queued, s.progress) == (1, 3, 0.25)
    assert s.items_per_s is not None and s.items_per_s > 0
    # eta_s is reported to 0.1 s
    assert s.eta_s is not None and s.eta_s == pytest.approx(3 / s.items_per_s, rel=0.2, abs=0.06)


def test_another_tenants_campaign_is_unknown(store: CampaignStore) -> None:
    created = store.create([request(0)], tenant="acme")
    for call in (store.status, store.cancel, store.results):
        with pytest.raises(NotFoundError):
            call(created.id, "globex")
    with pytest.raises(NotFoundError):
        store.status("0" * 32, None)
    assert store.status(created.id, None).id == created.id  # no tenant: every tenant's
    assert store.status(created.id, "acme").status is CampaignState.queued


def test_claims_take_the_oldest_campaign_first_or_the_one_asked_for(store: CampaignStore) -> None:
    old = store.create([request(0)], tenant=None)
    new = store.create([request(1), request(2)], tenant=None)
    assert [c.campaign_id for c in _claim(store, "w", 1, campaign_id=new.id)] == [new.id]
    assert store.open_items(old.id) == 1 and store.open_items() == 3
    assert [(c.campaign_id, c.item) for c in _claim(store, "w", 1)] == [(old.id, 0)]
    assert [(c.campaign_id, c.item) for c in _claim(store, "w", 3)] == [(new.id, 1)]


def test_results_are_read_in_chunks_in_item_order(store: CampaignStore) -> None:
    created = store.create([request(i) for i in range(7)], tenant=None)
    for c in reversed(_claim(store, "w", 7)):
        store.complete(c, "w", _response(c))
    assert [r.item for r in store.results(created.id, None, chunk=3)] == list(range(7))


def test_concurrent_claims_never_share_an_item(store: CampaignStore) -> None:
    created = store.create([request(i) for i in range(60)], tenant=None)
    claimed: dict[str, list[int]] = {}

    def claim_all(worker: str) -> None:
        mine = claimed.setdefault(worker, [])
        while batch := _claim(store, worker, 4):
            mine += [c.item for c in batch]
            for c in batch:
                assert store.complete(c, worker, _response(c))

    threads = [threading.Thread(target=claim_all, args=(f"w{i}",)) for i in range(4)]
    for t in threads:
        t.start()
    for t in threads:
        t.join(60)
    items = [i for mine in claimed.values() for i in mine]
    assert sorted(items) == list(range(60))  # every item once, by exactly one worker
    assert sum(1 for mine in claimed.values() if mine) > 1
    assert store.status(created.id, None).status is CampaignState.completed
