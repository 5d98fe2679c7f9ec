"""The worker beside the API: waits for the pipeline, runs campaigns, stops cleanly."""

from __future__ import annotations

import threading
import time
from collections.abc import Callable

from offergen.campaigns.background import BackgroundWorker
from offergen.campaigns.config import WorkerConfig
from offergen.campaigns.job_store import CampaignStore
from offergen.campaigns.schemas import CampaignState
from offergen.campaigns.worker import Worker
from tests.campaigns.cheap_pipeline import request
from tests.campaigns.conftest import MakeCheap


def _wait_for(check: Callable[[], bool], timeout_s: float = 20) -> None:
    deadline = time.monotonic() + timeout_s
    while not check():
        assert time.monotonic() < deadline
        time.sleep(0.02)


def test_runs_campaigns_once_ready_and_stops(store: CampaignStore, make_cheap: MakeCheap) -> None:
    pipeline, backend = make_cheap()
    loaded = threading.Event()
    worker = Worker(store, pipeline, WorkerConfig(concurrency=2, poll_s=0.05))
    background = BackgroundWorker(worker, lambda timeout: loaded.wait(timeout))
    background.start()
    try:
        first = store.create([request(i) for i in range(3)], tenant=None)
        time.sleep(0.3)
        assert backend.calls == 0  # not before the pipeline is ready
        loaded.set()
        _wait_for(lambda: store.status(first.id, None).status is CampaignState.completed)
        second = store.create([request(9)], tenant=None)  # it keeps polling for new campaigns
        _wait_for(lambda: store.status(second.id, None).status is CampaignState.completed)
    finally:
        background.stop(10)
    assert background._thread is not None and not background._thread.is_alive()
    assert worker.stats.done == 4


def test_stops_while_waiting_for_the_pipeline(store: CampaignStore, make_cheap: MakeCheap) -> None:
    pipeline, _ = make_cheap()
    background = BackgroundWorker(Worker(store, pipeline), lambda timeout: False)
    background.start()
    background.stop(5)
    assert background._thread is not None and not background._thread.is_alive()
