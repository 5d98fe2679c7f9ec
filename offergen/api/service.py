"""What the app holds between requests: the pipeline and whether it has finished warming up."""

from __future__ import annotations

import logging
import threading

from offergen.pipeline import Pipeline

log = logging.getLogger(__name__)


class Service:
    def __init__(self, pipeline: Pipeline) -> None:
        self.pipeline = pipeline
        self.error: str | None = None
        self._thread: threading.Thread | None = None

    def start_warm_up(self) -> None:
        """Load models in the background so /healthz answers while /readyz says 503."""
        self._thread = threading.Thread(target=self._warm_up, name="warm-up", daemon=True)
        self._thread.start()

    def wait_ready(self, timeout: float | None = None) -> bool:
        if self._thread is not None:
            self._thread.join(timeout)
        return self.pipeline.ready

    def _warm_up(self) -> None:
        try:
            self.pipeline.warm_up()
            log.info("ready: model, index and templates loaded")
        except Exception as exc:
            self.error = f"{type(exc).__name__}: {exc}"
            log.error("warm-up failed: %s", self.error)
