"""A campaign worker: claims items, generates them N at a time, records each result once.

Items run on a bounded thread pool so that a vLLM backend receives `concurrency` requests at
once and batches them (continuous batching); the in-process transformers backend runs one batch
at a time, so there extra threads mostly queue. A heartbeat renews the leases of the items in
flight; a worker killed with SIGKILL stops renewing, and its items go to the next claim once
their lease lapses."""

from __future__ import annotations

import logging
import os
import socket
import threading
import uuid
from concurrent.futures import FIRST_COMPLETED, Future, ThreadPoolExecutor, wait
from dataclasses import dataclass

from offergen.campaigns.config import WorkerConfig
from offergen.campaigns.job_store import CampaignStore, Claimed
from offergen.errors import BackendError, NotReadyError, OffergenError
from offergen.pipeline import Pipeline, RequestMeta
from offergen.store.tenancy import tenant_scope

__all__ = ["Worker", "WorkerStats", "worker_name"]

log = logging.getLogger(__name__)

# Errors that another attempt may not hit (the backend restarting, a timeout).
_TRANSIENT = (BackendError, NotReadyError)


def worker_name() -> str:
    """Unique per worker, and says where it runs (host and pid) for whoever reads the table."""
    return f"{socket.gethostname()[:32]}:{os.getpid()}:{uuid.uuid4().hex[:8]}"


@dataclass
class WorkerStats:
    done: int = 0
    failed: int = 0
    requeued: int = 0
    lost: int = 0  # finished after its lease was taken over: not recorded


class Worker:
    def __init__(
        self,
        store: CampaignStore,
        pipeline: Pipeline,
        config: WorkerConfig | None = None,
        worker_id: str | None = None,
    ) -> None:
        self.store = store
        self.pipeline = pipeline
        self.config = config or WorkerConfig()
        self.worker_id = worker_id or worker_name()
        self.stats = WorkerStats()
        self._held: dict[tuple[str, int], Claimed] = {}
        self._lock = threading.Lock()

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
                    claimed = (
                        self.store.claim(
                            self.worker_id,
                            free,
                            lease_s=cfg.lease_s,
                            max_attempts=cfg.max_attempts,
                            campaign_id=campaign_id,
                        )
                        if free
                        else []
                    )
                    for c in claimed:
                        with self._lock:
                            self._held[c.key] = c
                        in_flight[pool.submit(self._process, c)] = c
                    if not in_flight:
                        if (campaign_id is not None or until_idle) and not self.store.open_items(
                            campaign_id
                        ):
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

    def _process(self, c: Claimed) -> None:
        cfg = self.config
        try:
            with tenant_scope(c.tenant):
                response = self.pipeline.generate(c.request, RequestMeta(c.request_id, c.tenant))
        except _TRANSIENT as exc:
            self._record(
                self.store.fail(
                    c, self.worker_id, str(exc), retry=True, max_attempts=cfg.max_attempts
                ),
                c,
                requeue=True,
            )
        except OffergenError as exc:  # the request itself: another try gives the same answer
            self._record(
                self.store.fail(
                    c, self.worker_id, str(exc), retry=False, max_attempts=cfg.max_attempts
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
                self.store.fail(
                    c, self.worker_id, error, retry=True, max_attempts=cfg.max_attempts
                ),
                c,
                requeue=True,
            )
        else:
            recorded = self.store.complete(c, self.worker_id, response)
            with self._lock:
                if recorded:
                    self.stats.done += 1
                else:
                    self.stats.lost += 1
        finally:
            with self._lock:
                self._held.pop(c.key, None)

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
