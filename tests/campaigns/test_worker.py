"""The local worker: every item generated once with its audit records, bounded concurrency,
errors retried or failed, and a worker killed with SIGKILL mid-campaign resumed by another."""

from __future__ import annotations

import os
import signal
import subprocess
import sys
import threading
import time
from pathlib import Path

import pytest

from offergen.campaigns.config import WorkerConfig
from offergen.campaigns.job_store import CampaignStore
from offergen.campaigns.schemas import CampaignState, ItemState
from offergen.campaigns.worker import Worker
from offergen.errors import BackendError
from offergen.generation.base import GenerationParams, GenerationResult
from offergen.store.database import Database
from offergen.store.sql_audit import SqlAuditStore
from tests.campaigns.cheap_pipeline import REPO, SteadyBackend, db_args, request
from tests.campaigns.conftest import MakeCheap

FAST = WorkerConfig(concurrency=4, lease_s=5, poll_s=0.05)


def _assert_exactly_once(store: CampaignStore, campaign_id: str, total: int) -> None:
    """Every item done once, with the audit records of the attempt the item names."""
    results = list(store.results(campaign_id, None))
    assert [r.item for r in results] == list(range(total))
    audit = SqlAuditStore(store.db)
    for r in results:
        assert r.status is ItemState.done and r.response is not None and r.request_id
        assert r.response.request_id == r.request_id
        assert r.request_id.split(".")[0] == f"{campaign_id}-{r.item}"
        records = audit.by_request(r.request_id)
        assert [a.variant for a in records] == [0]
        assert records[0].text == r.response.variants[0].text
    status = store.status(campaign_id, None)
    assert (status.status, status.done, status.total) == (CampaignState.completed, total, total)


def test_a_worker_runs_a_campaign_to_its_end(store: CampaignStore, make_cheap: MakeCheap) -> None:
    pipeline, backend = make_cheap(delay=0.05)
    created = store.create([request(i) for i in range(10)], tenant="acme")
    stats = Worker(store, pipeline, FAST).run(created.id)
    assert (stats.done, stats.failed, stats.lost) == (10, 0, 0)
    assert backend.calls == 10
    assert 1 < backend.most_in_flight <= FAST.concurrency  # concurrent, and bounded
    _assert_exactly_once(store, created.id, 10)
    assert {a.tenant for a in SqlAuditStore(store.db).query(None).items} == {"acme"}


def test_errors_are_retried_or_recorded(store: CampaignStore, make_cheap: MakeCheap) -> None:
    pipeline, _ = make_cheap()

    class FlakyOnce(SteadyBackend):
        def generate(self, prompt: str, params: GenerationParams) -> GenerationResult:
            if self.calls == 0:
                self.calls += 1
                raise BackendError("the backend is restarting")
            return super().generate(prompt, params)

    pipeline.backend = FlakyOnce()
    # m_bella_forno is globex's: acme's campaign cannot generate for it
    created = store.create([request(0), request(1, merchant="m_bella_forno")], tenant="acme")
    config = WorkerConfig(concurrency=1, lease_s=5, poll_s=0.05)
    stats = Worker(store, pipeline, config).run(created.id)
    assert (stats.done, stats.failed, stats.requeued) == (1, 1, 1)
    by_item = {r.item: r for r in store.results(created.id, "acme")}
    assert by_item[0].status is ItemState.done
    assert by_item[0].request_id == f"{created.id}-0.2"  # the second attempt counts
    assert by_item[1].status is ItemState.failed and "m_bella_forno" in (by_item[1].error or "")
    assert store.status(created.id, None).status is CampaignState.completed


def test_stop_drains_the_items_in_flight(store: CampaignStore, make_cheap: MakeCheap) -> None:
    pipeline, _ = make_cheap(delay=0.2)
    created = store.create([request(i) for i in range(20)], tenant=None)
    stop = threading.Event()
    worker = Worker(store, pipeline, WorkerConfig(concurrency=2, lease_s=5, poll_s=0.05))
    t = threading.Thread(target=worker.run, kwargs={"stop": stop})
    t.start()
    time.sleep(0.3)
    stop.set()
    t.join(10)
    s = store.status(created.id, None)
    assert s.running == 0 and 0 < s.done < 20 and s.queued == 20 - s.done
    # an idle run over every campaign finishes the rest, then returns
    Worker(store, pipeline, FAST).run(until_idle=True)
    _assert_exactly_once(store, created.id, 20)


def _spawn(
    database: Database, index_dir: Path, campaign: str, delay: float
) -> subprocess.Popen[str]:
    url, schema = db_args(database)
    args = [url, schema or "", str(index_dir), campaign, str(delay), "1.0"]
    return subprocess.Popen(
        [sys.executable, "-m", "tests.campaigns.worker_process", *args],
        cwd=REPO,
        env=os.environ | {"PYTHONPATH": str(REPO)},
        stdout=subprocess.PIPE,
        text=True,
    )


def test_a_killed_worker_is_resumed_exactly_once(
    store: CampaignStore, database: Database, index_dir: Path
) -> None:
    total = 12
    created = store.create([request(i) for i in range(total)], tenant=None)
    # Generations long against the status poll and the kill: with 0.25 s, the item seen
    # running finished before the SIGKILL landed in 1 CI run, leaving no lease to take over.
    first = _spawn(database, index_dir, created.id, delay=1.0)
    try:
        assert first.stdout is not None and first.stdout.readline().strip() == "ready"
        deadline = time.monotonic() + 60
        # killed while it holds a lease: right after an item is done and before the next is
        # leased, there is nothing left for a second worker to take over (a CI run hit that gap)
        while (s := store.status(created.id, None)).done < 3 or s.running == 0:
            assert time.monotonic() < deadline and first.poll() is None
            time.sleep(0.02)
        os.kill(first.pid, signal.SIGKILL)  # mid-campaign: items leased, some mid-generation
        first.wait(10)
    finally:
        if first.poll() is None:
            first.kill()
    killed = store.status(created.id, None)
    assert killed.running > 0 and killed.done < total  # the dead worker's leases are left
    second = _spawn(database, index_dir, created.id, delay=0.0)
    try:
        assert second.wait(60) == 0
    finally:
        if second.poll() is None:
            second.kill()
    _assert_exactly_once(store, created.id, total)
    results = list(store.results(created.id, None))
    retried = [r for r in results if r.request_id and "." in r.request_id]
    assert retried  # the items the dead worker held were generated again, as attempt 2
    # the dead attempts' records stay in the append-only trail, apart from the ones that count
    audit = SqlAuditStore(store.db)
    for r in retried:
        assert len(audit.by_request(r.request_id or "")) == 1


@pytest.mark.parametrize("concurrency", [1, 3])
def test_claims_never_exceed_concurrency(
    store: CampaignStore, make_cheap: MakeCheap, concurrency: int
) -> None:
    # Generation long against each item's own guard and retrieval work, so that the items in
    # flight overlap on a loaded box too (0.05 s failed 1 run in 3 beside a test run).
    pipeline, backend = make_cheap(delay=0.3)
    created = store.create([request(i) for i in range(6)], tenant=None)
    Worker(store, pipeline, WorkerConfig(concurrency=concurrency, poll_s=0.05)).run(created.id)
    assert backend.most_in_flight == concurrency
    _assert_exactly_once(store, created.id, 6)


def _items(store: CampaignStore, campaign_id: str) -> list[tuple[str, int, str | None]]:
    from sqlalchemy import select

    from offergen.store.campaign_tables import CampaignItemRow as Row

    with store.db.read() as s:
        rows = s.execute(
            select(Row.status, Row.attempts, Row.claimed_by)
            .where(Row.campaign_id == campaign_id)
            .order_by(Row.item)
        ).all()
    return [(r.status, r.attempts, r.claimed_by) for r in rows]


def test_beside_the_api_a_worker_yields_slots_and_a_stopping_one_hands_its_leases_back(
    store: CampaignStore, make_cheap: MakeCheap
) -> None:
    import asyncio

    from offergen.generation.fair_queue import FairQueue, GenerationLimits

    pipeline, backend = make_cheap(delay=1.0)
    created = store.create([request(i) for i in range(4)], tenant="acme")
    loop = asyncio.new_event_loop()
    server_loop = threading.Thread(target=loop.run_forever, daemon=True)
    server_loop.start()
    # 2 slots, 1 kept for API requests: campaign work generates one item at a time
    slots = FairQueue(GenerationLimits(max_in_flight=2, max_queue=2, interactive_reserve=1))
    slots.bind(loop)
    worker = Worker(
        store, pipeline, WorkerConfig(concurrency=4, lease_s=30, poll_s=0.05), slots=slots
    )
    stop = threading.Event()
    running = threading.Thread(target=worker.run, kwargs={"stop": stop})
    running.start()
    try:
        deadline = time.monotonic() + 10
        while backend.in_flight < 1 and time.monotonic() < deadline:
            time.sleep(0.02)
        time.sleep(0.3)
        assert backend.most_in_flight == 1  # the other claimed items wait for a campaign slot
        stop.set()  # a shutdown: the waiting items go back at once, then the grace runs out
        worker.release_held()
        running.join(10)
        assert not running.is_alive()
    finally:
        loop.call_soon_threadsafe(loop.stop)
        server_loop.join(5)
    # all four back in the queue, none leased; only the one that had started used its attempt
    items = _items(store, created.id)
    assert [(status, by) for status, _, by in items] == [(ItemState.queued.value, None)] * 4
    assert sorted(attempts for _, attempts, _ in items) == [0, 0, 0, 1]
    assert (worker.stats.released, worker.stats.lost, worker.stats.done) == (4, 1, 0)
    # and another worker finishes them, each exactly once
    assert Worker(store, pipeline, FAST).run(created.id).done == 4
    _assert_exactly_once(store, created.id, 4)
