"""A campaign worker: claims items, generates them N at a time, records each result once.

Items run on a bounded thread pool so that a vLLM backend receives `concurrency` requests at
once and batches them (continuous batching); the in-process transformers backend runs one batch
at a time, so there extra threads mostly queue. A heartbeat renews the leases of the items in
flight; a worker killed with SIGKILL stops renewing, and its items go to the next claim once
their lease lapses.

Beside the API (`offergen serve`), each item also takes a campaign slot of the API's generation
queue (`FairQueue.background_slot`), which API requests go before, and nothing is claimed while
the model server is down (claims would only burn attempts). A worker that stops hands back the
items it has not started, and `release_held` hands back the rest when a shutdown runs out of
time, so nothing waits for a lease to lapse."""

from __future__ import annotations

import logging
import os
import socket
import threading
import time
import uuid
from collections.abc import Callable, Iterator
from concurrent.futures import FIRST_COMPLETED, Future, ThreadPoolExecutor, wait
from contextlib import contextmanager, nullcontext
from dataclasses import dataclass
from typing import TypeVar

from sqlalchemy.exc import InterfaceError, OperationalError

from offergen.campaigns.config import WorkerConfig
from offergen.campaigns.job_store import CampaignStore, Claimed
from offergen.errors import BackendError, NotReadyError, OffergenError
from offergen.generation.fair_queue import FairQueue, SlotAbandoned
from offergen.pipeline import Pipeline, RequestMeta
from offergen.store.tenancy import tenant_scope

__all__ = ["Worker", "WorkerStats", "worker_name"]

log = logging.getLogger(__name__)

# Errors that another attempt may not hit (the backend restarting, a timeout).
_TRANSIENT = (BackendError, NotReadyError)
# The database is unreachable (restarting, failing over): wait for it rather than give up.
_DB_OUTAGE = (OperationalError, InterfaceError)
T = TypeVar("T")


def worker_name() -> str:
    """Unique per worker, and says where it runs (host and pid) for whoever reads the table."""
    return f"{socket.gethostname()[:32]}:{os.getpid()}:{uuid.uuid4().hex[:8]}"


@dataclass
class WorkerStats:
    done: int = 0
    failed: int = 0
    requeued: int = 0
    lost: int = 0  # finished after its lease was taken over: not recorded
    released: int = 0  # handed back unfinished by a stopping worker


class Worker:
    def __init__(
        self,
        store: CampaignStore,
        pipeline: Pipeline,
        config: WorkerConfig | None = None,
        worker_id: str | None = None,
        *,
        slots: FairQueue | None = None,
        available: Callable[[], bool] | None = None,
    ) -> None:
        self.store = store
        self.pipeline = pipeline
        self.config = config or WorkerConfig()
        self.worker_id = worker_id or worker_name()
        self.stats = WorkerStats()
        self.slots = slots  # the API's generation queue, when beside one
        self.available = available  # e.g. readiness: False while the model server is down
        self._held: dict[tuple[str, int], Claimed] = {}
        self._started: set[tuple[str, int]] = set()
        self._lock = threading.Lock()
        self._stop = threading.Event()

    def run(
        self,
        campaign_id: str | None = None,
        *,
        stop: threading.Event | None = None,
        until_idle: bool = False,
    ) -> WorkerStats:
        """Work until `stop` is set; with `campaign_id`, only on that campaign and until it
        has no open item (waiting for other workers' lapsed leases); with `until_idle`, until
        no campaign has an open item."""
        stop = stop or threading.Event()
        self._stop = stop
        cfg = self.config
        # Beats until the items in flight are drained, after `stop` too.
        finished = threading.Event()
        heartbeat = threading.Thread(
            target=self._heartbeat, args=(finished,), name="campaign-heartbeat", daemon=True
        )
        heartbeat.start()
        in_flight: dict[Future[None], Claimed] = {}
        try:
            with ThreadPoolExecutor(cfg.concurrency, thread_name_prefix="campaign") as pool:
                while not stop.is_set():
                    free = cfg.concurrency - len(in_flight)
                    if self.available is not None and not self.available():
                        free = 0  # the model server is down: a claim would only burn attempts
                    claimed = self._claim(free, campaign_id) if free else []
                    for c in claimed:
                        with self._lock:
                            self._held[c.key] = c
                        in_flight[pool.submit(self._process, c)] = c
                    if not in_flight:
                        if (campaign_id is not None or until_idle) and not self._open(campaign_id):
                            break
                        stop.wait(cfg.poll_s)
                        continue
                    # wake up when an item finishes (room to claim), or to claim what appeared
                    done, _ = wait(in_flight, timeout=cfg.poll_s, return_when=FIRST_COMPLETED)
                    for f in done:
                        in_flight.pop(f)
                        f.result()  # _process handles its errors; anything else is a bug
        finally:
            finished.set()
            heartbeat.join()
        return self.stats

    def _claim(self, n: int, campaign_id: str | None) -> list[Claimed]:
        cfg = self.config
        try:
            return self.store.claim(
                self.worker_id,
                n,
                lease_s=cfg.lease_s,
                max_attempts=cfg.max_attempts,
                campaign_id=campaign_id,
            )
        except _DB_OUTAGE as exc:  # the next round tries again; nothing was leased
            log.warning("claim failed, the database is unreachable: %s", type(exc).__name__)
            return []

    def _open(self, campaign_id: str | None) -> int:
        try:
            return self.store.open_items(campaign_id)
        except _DB_OUTAGE:
            return 1  # unknown while the database is away: keep going

    def _durably(self, record: Callable[[], T], default: T) -> T:
        """Run `record` (a write of an item's outcome), waiting out a database outage for up to
        a lease; after that the lease has lapsed anyway and the item belongs to the next claim
        (`default` is returned: nothing recorded)."""
        deadline = time.monotonic() + self.config.lease_s
        wait_s = 0.25
        while True:
            try:
                return record()
            except _DB_OUTAGE as exc:
                if time.monotonic() + wait_s > deadline:
                    log.error("gave up recording an item: %s", type(exc).__name__)
                    return default
                time.sleep(wait_s)
                wait_s = min(wait_s * 2, 5.0)

    def release_held(self) -> int:
        """Hand every item still held back to the queue (a shutdown out of time); their results,
        if they still come, are not recorded. How many were handed back."""
        with self._lock:
            held = [(c, c.key in self._started) for c in self._held.values()]
        released = sum(
            self.store.release(c, self.worker_id, started=started) for c, started in held
        )
        with self._lock:
            self.stats.released += released
        return released

    @contextmanager
    def _slot(self) -> Iterator[None]:
        with self.slots.background_slot(self._stop) if self.slots else nullcontext():
            yield

    def _process(self, c: Claimed) -> None:
        cfg = self.config
        try:
            with self._slot():
                with self._lock:
                    self._started.add(c.key)
                with tenant_scope(c.tenant):
                    response = self.pipeline.generate(
                        c.request, RequestMeta(c.request_id, c.tenant)
                    )
        except SlotAbandoned:  # stopping before it started: back to the queue, attempt and all
            if self._durably(lambda: self.store.release(c, self.worker_id, started=False), False):
                with self._lock:
                    self.stats.released += 1
        except _TRANSIENT as exc:
            message = str(exc)
            self._record(
                self._durably(
                    lambda: self.store.fail(
                        c, self.worker_id, message, retry=True, max_attempts=cfg.max_attempts
                    ),
                    False,
                ),
                c,
                requeue=True,
            )
        except OffergenError as exc:  # the request itself: another try gives the same answer
            message = str(exc)
            self._record(
                self._durably(
                    lambda: self.store.fail(
                        c, self.worker_id, message, retry=False, max_attempts=cfg.max_attempts
                    ),
                    False,
                ),
                c,
                requeue=False,
            )
        except Exception as exc:
            # The message may quote request text: only its type reaches the log and the table.
            log.error(
                "item %s of campaign %s: unexpected %s", c.item, c.campaign_id, type(exc).__name__
            )
            error = f"unexpected error ({type(exc).__name__})"
            self._record(
                self._durably(
                    lambda: self.store.fail(
                        c, self.worker_id, error, retry=True, max_attempts=cfg.max_attempts
                    ),
                    False,
                ),
                c,
                requeue=True,
            )
        else:
            done = response
            recorded = self._durably(lambda: self.store.complete(c, self.worker_id, done), False)
            with self._lock:
                if recorded:
                    self.stats.done += 1
                else:
                    self.stats.lost += 1
        finally:
            with self._lock:
                self._held.pop(c.key, None)
                self._started.discard(c.key)

    def _record(self, recorded: bool, c: Claimed, *, requeue: bool) -> None:
        with self._lock:
            if not recorded:
                self.stats.lost += 1
            elif requeue and c.attempt < self.config.max_attempts:
                self.stats.requeued += 1
            else:
                self.stats.failed += 1

    def _heartbeat(self, finished: threading.Event) -> None:
        while not finished.wait(self.config.heartbeat_s):
            with self._lock:
                keys = list(self._held)
            try:
                self.store.renew(self.worker_id, keys, self.config.lease_s)
            except Exception as exc:  # a database blip: the next beat tries again
                log.warning("lease renewal failed: %s", type(exc).__name__)
