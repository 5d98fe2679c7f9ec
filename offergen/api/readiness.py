"""Readiness: the model and index load in the background, so /healthz answers while /readyz
says 503 `loading` (or `failed`, with the reason) until the pipeline is warm. With a supervised
vLLM server, readiness also follows the server: 503 with the supervisor's reason while it is down
or restarting, 200 again once it answers, with nobody's intervention."""

from __future__ import annotations

import logging
import threading
from collections.abc import Callable

from offergen.app_context import AppContext
from offergen.errors import NotReadyError
from offergen.generation.supervisor import ServerState, Supervisor
from offergen.generation.vllm_backend import VllmBackend
from offergen.pipeline import Pipeline

log = logging.getLogger(__name__)


class Readiness:
    def __init__(
        self,
        pipeline: Pipeline,
        before: Callable[[], None] | None = None,
        supervisor: Supervisor | None = None,
    ) -> None:
        self.pipeline = pipeline
        self.before = before  # e.g. wait for the vLLM server this app started
        self.supervisor = supervisor
        self._error: str | None = None
        self._thread: threading.Thread | None = None

    @property
    def ready(self) -> bool:
        return self.pipeline.ready and (self.supervisor is None or self.supervisor.up)

    @property
    def error(self) -> str | None:
        """Why the service is not ready, when that is more than still loading: the warm-up
        failed, or the model server went down after start-up (or cannot be started)."""
        if self._error is not None:
            return self._error
        s = self.supervisor
        if s is not None and (self.pipeline.ready or s.state is ServerState.failed):
            return s.unavailable()
        return None

    def reason(self) -> str:
        """What a request refused as not ready is told."""
        return self.error or "the service is still loading its model and index; retry shortly"

    def refusal(self) -> NotReadyError:
        """The error a request gets while the service is not ready."""
        s = self.supervisor
        return NotReadyError(self.reason(), None if s is None else s.retry_after_s())

    def start(self) -> None:
        """Warm the pipeline up on a background thread (nothing to do when it already is)."""
        if self.pipeline.ready:
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
            if self.supervisor is not None and not self.supervisor.wait_up():
                return  # stopped before the server came up
            self.pipeline.warm_up()
            log.info("ready: model, index and templates loaded")
        except Exception as exc:
            self._error = f"{type(exc).__name__}: {exc}"
            log.error("warm-up failed: %s", self._error)


def supervise(ctx: AppContext) -> Supervisor | None:
    """The supervisor of the vLLM server `ctx`'s backend talks to (the one it starts, or an
    external one, probed), wired so the backend fails fast while the server is down; None for
    an in-process backend."""
    backend = ctx.pipeline.backend
    if not isinstance(backend, VllmBackend):
        return None
    server = ctx.profile.server
    supervisor = Supervisor(server.url, server.restart, ctx.llm_server())
    backend.watch = supervisor
    return supervisor
