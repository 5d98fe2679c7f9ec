"""Supervision of the vLLM server the API talks to.

A server `offergen serve` started is watched through its process (an exit, even by SIGKILL, is
seen within `_TICK` seconds) and through health probes; when it goes, it is reaped with its engine
process and started again after an exponential backoff (`RestartPolicy`), and the service is
ready again once it answers. A server started by someone else (an external URL, or one that was
already serving when we came up) is only probed: it is down while it does not answer and up
again when it does. While the server is down, `unavailable()` says why, so readiness and the
backend fail fast (503 with Retry-After) instead of waiting on a dead socket.
"""

from __future__ import annotations

import logging
import math
import threading
import time
from collections.abc import Callable
from enum import StrEnum

from offergen.errors import BackendError, ConfigError
from offergen.generation.profiles import RestartPolicy
from offergen.generation.vllm_server import ManagedServer

__all__ = ["Probe", "ServerState", "Supervisor", "UrlProbe"]

log = logging.getLogger(__name__)

_TICK = 0.1  # how often the watcher looks at the process: the bound on "at once"


class ServerState(StrEnum):
    starting = "starting"
    up = "up"
    down = "down"
    failed = "failed"  # cannot be started at all (not installed, no checkpoint): no restart helps
    stopped = "stopped"


class Probe(StrEnum):
    ok = "ok"
    refused = "refused"  # nothing listens: down at once
    failing = "failing"  # timed out or answered an error: down after a few in a row


class UrlProbe:
    """Health probes of one server: `GET /v1/models` (what the backend's warm-up asks too).

    One client for every probe: a client per probe built an SSL context (loading the CA bundle)
    each second, a sixth of the API process's profile samples. Each probe still opens a new
    connection, so a server that is gone is refused, not a stale kept-alive socket."""

    def __init__(self, url: str, timeout_s: float) -> None:
        import httpx

        self._url = f"{url.rstrip('/')}/v1/models"
        self._client = httpx.Client(
            timeout=timeout_s, limits=httpx.Limits(max_keepalive_connections=0)
        )

    def __call__(self) -> Probe:
        import httpx

        try:
            response = self._client.get(self._url)
        except httpx.ConnectError:
            return Probe.refused
        except httpx.TransportError:
            return Probe.failing
        return Probe.ok if response.status_code == 200 else Probe.failing

    def close(self) -> None:
        self._client.close()


class Supervisor:
    """Watches one vLLM server on a thread of its own. `server`: the one to start and restart
    (None: an external server, probed only)."""

    def __init__(
        self,
        url: str,
        policy: RestartPolicy,
        server: ManagedServer | None = None,
        *,
        probe: Callable[[], Probe] | None = None,
    ) -> None:
        self.url = url
        self.policy = policy
        self.server = server
        self._own_probe: UrlProbe | None = None
        if probe is None:
            probe = self._own_probe = UrlProbe(url, policy.probe_timeout_s)
        self.probe = probe
        self.restarts = 0
        self._state = ServerState.starting
        self._reason: str | None = None
        self._startup_s: float | None = None  # how long the last start took until serving
        self._back_at: float | None = None  # when the server is expected to serve again
        self._changed = threading.Condition()
        self._stop = threading.Event()
        self._thread: threading.Thread | None = None

    # --- what the service asks ------------------------------------------------------------------

    @property
    def state(self) -> ServerState:
        return self._state

    @property
    def up(self) -> bool:
        return self._state is ServerState.up

    def unavailable(self) -> str | None:
        """Why generation cannot run now; None while the server is up."""
        if self._state is ServerState.up:
            return None
        return self._reason or f"the vLLM server at {self.url} is {self._state.value}"

    def retry_after_s(self) -> int | None:
        """Seconds until the server should serve again: what is left of the restart's backoff
        plus the last start-up's duration. None while up, or when there is nothing to go by (an
        external server, the first start)."""
        back_at = self._back_at
        if back_at is None or self._state not in (ServerState.down, ServerState.starting):
            return None
        return max(1, math.ceil(back_at - time.monotonic()))

    def wait_up(self, timeout_s: float | None = None) -> bool:
        """Block until the server is up (True); False on timeout or stop. A server that cannot
        be started at all raises (its reason)."""
        deadline = None if timeout_s is None else time.monotonic() + timeout_s
        with self._changed:
            while self._state is not ServerState.up:
                if self._state is ServerState.failed:
                    raise BackendError(self._reason or "the vLLM server cannot be started")
                if self._state is ServerState.stopped:
                    return False
                left = None if deadline is None else deadline - time.monotonic()
                if left is not None and left <= 0:
                    return False
                self._changed.wait(left)
        return True

    # --- lifecycle ------------------------------------------------------------------------------

    def start(self) -> None:
        """Start watching (and the server, if it is ours); returns at once."""
        self._thread = threading.Thread(target=self._run, name="vllm-supervisor", daemon=True)
        self._thread.start()

    def stop(self, timeout_s: float = 30) -> None:
        """Stop watching, then stop the server we started (and its engine process)."""
        self._stop.set()
        if self._thread is not None:
            self._thread.join(timeout_s + 5)
        if self._own_probe is not None:
            self._own_probe.close()
        if self.server is not None:
            self.server.stop(timeout_s)
        self._set(ServerState.stopped, "the service is shutting down")

    # --- the watcher ----------------------------------------------------------------------------

    def _set(self, state: ServerState, reason: str | None = None) -> None:
        with self._changed:
            if state is not self._state:
                log_at = log.info if state in (ServerState.up, ServerState.starting) else log.error
                log_at("vLLM server %s%s", state.value, f": {reason}" if reason else "")
            self._state, self._reason = state, reason
            self._changed.notify_all()

    def _run(self) -> None:
        try:
            if self.server is None:
                self._watch_external()
            else:
                self._watch_own(self.server)
        except Exception as exc:  # a bug here must not take readiness down silently
            log.exception("the vLLM supervisor stopped")
            self._set(ServerState.failed, f"the vLLM supervisor stopped: {type(exc).__name__}")

    def _watch_external(self) -> None:
        failing = 0
        while not self._stop.is_set():
            result = self.probe()
            if result is Probe.ok:
                failing = 0
                if not self.up:
                    self._set(ServerState.up)
            else:
                failing = self.policy.probe_failures if result is Probe.refused else failing + 1
                if failing >= self.policy.probe_failures and self._state is not ServerState.down:
                    self._set(ServerState.down, f"the vLLM server at {self.url} does not answer")
            self._stop.wait(self.policy.probe_interval_s)

    def _watch_own(self, server: ManagedServer) -> None:
        failures = 0  # deaths in a row without a stable run: they set the backoff
        while not self._stop.is_set():
            started = time.monotonic()
            self._back_at = None if self._startup_s is None else started + self._startup_s
            try:
                server.start()  # reuses a server already serving the URL (then: probe only)
            except ConfigError as exc:
                self._set(ServerState.failed, str(exc))
                return
            if server.process is None:
                self._watch_external()
                return
            came_up = self._until_serving(server)
            if came_up:
                self._startup_s = time.monotonic() - started
                self._set(ServerState.up)
                served_since = time.monotonic()
                reason = self._until_gone(server)
                if time.monotonic() - served_since >= self.policy.stable_s:
                    failures = 0
            else:
                reason = self._startup_failure(server)
            if self._stop.is_set():
                return
            server.stop(timeout_s=5)  # reap the engine process (and a hung server) before again
            failures += 1
            delay = self.policy.delay(failures)
            self.restarts += 1
            self._back_at = time.monotonic() + delay + (self._startup_s or 0.0)
            self._set(ServerState.down, f"{reason}; restarting in {delay:g} s")
            if self._stop.wait(delay):
                return
            self._set(ServerState.starting, f"{reason}; restarting (attempt {failures})")

    def _until_serving(self, server: ManagedServer) -> bool:
        deadline = time.monotonic() + server.profile.server.startup_timeout_s
        while not self._stop.is_set() and time.monotonic() < deadline:
            if server.exit_code() is not None:
                return False
            if self.probe() is Probe.ok:
                return True
            self._stop.wait(1.0)
        return False

    def _startup_failure(self, server: ManagedServer) -> str:
        code = server.exit_code()
        if code is not None:
            return f"the vLLM server exited with code {code} while starting"
        limit = server.profile.server.startup_timeout_s
        return f"the vLLM server was not serving after {limit:g} s"

    def _until_gone(self, server: ManagedServer) -> str:
        """Watch a serving process until it exits or stops answering; the reason."""
        failing = 0
        next_probe = time.monotonic() + self.policy.probe_interval_s
        while not self._stop.wait(_TICK):
            code = server.exit_code()
            if code is not None:
                return f"the vLLM server exited with code {code}"
            if time.monotonic() < next_probe:
                continue
            # a probe of a live process that is refused is a failure like any other: the process
            # may be on its way out, which the next tick sees
            failing = 0 if self.probe() is Probe.ok else failing + 1
            if failing >= self.policy.probe_failures:
                return f"the vLLM server did not answer {failing} health probes in a row"
            next_probe = time.monotonic() + self.policy.probe_interval_s
        return "the service is shutting down"
