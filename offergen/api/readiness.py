"""Readiness: the model and index load in the background, so /healthz answers while /readyz
says 503 `loading` (or `failed`, with the reason) until the pipeline is warm."""

from __future__ import annotations

import logging
import threading
from collections.abc import Callable

from offergen.pipeline import Pipeline

log = logging.getLogger(__name__)


class Readiness:
    def __init__(self, pipeline: Pipeline, before: Callable[[], None] | None = None) -> None:
        self.pipeline = pipeline
        self.before = before  # e.g. wait for the vLLM server this app started
        self.error: str | None = None
        self._thread: threading.Thread | None = None

    @property
    def ready(self) -> bool:
        return self.pipeline.ready

    def start(self) -> None:
        """Warm the pipeline up on a background thread (nothing to do when it already is)."""
        if self.ready:
            return
        self._thread = threading.Thread(target=self._warm_up, name="warm-up", daemon=True)
        self._thread.start()

    def wait(self, timeout: float | None = None) -> bool:
        if self._thread is not None:
            self._thread.join(timeout)
        return self.ready

    def _warm_up(self) -> None:
        try:
            if self.before is not None:
                self.before()
            self.pipeline.warm_up()
            log.info("ready: model, index and templates loaded")
        except Exception as exc:
            self.error = f"{type(exc).__name__}: {exc}"
            log.error("warm-up failed: %s", self.error)
