"""The campaign worker `offergen serve` runs beside the API, in a thread of its own."""

from __future__ import annotations

import logging
import threading
from collections.abc import Callable

from offergen.campaigns.worker import Worker

__all__ = ["BackgroundWorker"]

log = logging.getLogger(__name__)


class BackgroundWorker:
    """Starts claiming once `ready(timeout_s)` says the pipeline is loaded (e.g.
    `Service.wait_ready`); `stop()` lets the items in flight finish, so a clean shutdown loses
    nothing (an unclean one leaves leases that lapse and are claimed again)."""

    def __init__(self, worker: Worker, ready: Callable[[float], bool]) -> None:
        self.worker = worker
        self.ready = ready
        self._stop = threading.Event()
        self._thread: threading.Thread | None = None

    def start(self) -> None:
        self._thread = threading.Thread(target=self._run, name="campaign-worker", daemon=True)
        self._thread.start()

    def stop(self, timeout_s: float | None = None) -> None:
        """Items not started go back to the queue at once; those in flight get `timeout_s` to
        finish, and what is still held after that is handed back too (not left to lapse)."""
        self._stop.set()
        if self._thread is not None:
            self._thread.join(timeout_s)
            if self._thread.is_alive() and (n := self.worker.release_held()):
                log.warning("shutdown: %d campaign item(s) still in flight handed back", n)

    def _run(self) -> None:
        poll = self.worker.config.poll_s
        while not self.ready(poll):
            if self._stop.wait(poll):
                return
        try:
            self.worker.run(stop=self._stop)
        except Exception as exc:  # the API keeps serving; campaigns wait for another worker
            log.error("campaign worker stopped: %s", type(exc).__name__)
