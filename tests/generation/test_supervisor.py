"""Supervision of the model server: the backoff schedule, an external server that goes away and
comes back, and a server we started that is killed with SIGKILL and restarted. The server here
is tests/support/fake_vllm.py, a real process speaking vLLM's protocol (the real vLLM server is
killed by tests/cli/test_serve.py)."""

from __future__ import annotations

import os
import signal
import stat
import sys
import time
from pathlib import Path

import pytest
import yaml
from pydantic import ValidationError

from offergen.errors import BackendError, ConfigError
from offergen.generation.profiles import ModelProfile, RestartPolicy, load_profile
from offergen.generation.supervisor import ServerState, Supervisor
from offergen.generation.vllm_backend import VllmBackend
from offergen.generation.vllm_server import ManagedServer
from tests.support.fake_vllm import FakeVllm
from tests.support.net import free_port, until

FAKE = Path(__file__).resolve().parents[1] / "support" / "fake_vllm.py"
FAST = RestartPolicy(initial_s=0.2, factor=2, max_s=1, probe_interval_s=0.1, probe_timeout_s=1)


def test_backoff_doubles_up_to_its_bound() -> None:
    policy = RestartPolicy(initial_s=1, factor=2, max_s=30)
    assert [policy.delay(n) for n in range(1, 8)] == [1, 2, 4, 8, 16, 30, 30]
    assert policy.delay(10_000) == 30  # no overflow after a long outage
    assert RestartPolicy(initial_s=0.5, factor=1, max_s=5).delay(9) == 0.5


def test_restart_policy_lives_in_the_profile_and_is_validated(
    repo_root: Path, tmp_path: Path
) -> None:
    assert load_profile(repo_root / "models", "embedded-vllm").server.restart.max_s == 30
    with pytest.raises(ValidationError, match="max_s must be at least initial_s"):
        RestartPolicy(initial_s=10, max_s=5)
    data = yaml.safe_load((repo_root / "models" / "embedded-vllm.yaml").read_text())
    data["server"]["restart"] = {"initial_s": 1, "max_seconds": 9}
    (tmp_path / "embedded-vllm.yaml").write_text(yaml.safe_dump(data))
    with pytest.raises(ConfigError, match=r"server\.restart\.max_seconds"):
        load_profile(tmp_path, "embedded-vllm")


def test_an_external_server_that_goes_away_is_down_at_once_and_up_when_it_returns() -> None:
    fake = FakeVllm(free_port()).start()
    supervisor = Supervisor(fake.url, FAST)  # not ours: probed, never started
    backend = VllmBackend(fake.url, "google/gemma-3-270m", retries=2, backoff_s=0.5)
    backend.watch = supervisor
    supervisor.start()
    try:
        assert supervisor.wait_up(10)
        assert supervisor.unavailable() is None
        fake.stop()
        down_after = until(lambda: supervisor.state is ServerState.down, 5)
        assert down_after < 1.0  # a refused probe counts at once
        assert "does not answer" in (supervisor.unavailable() or "")
        assert supervisor.retry_after_s() is None  # not ours: nothing to go by
        started = time.monotonic()
        with pytest.raises(BackendError, match="does not answer"):
            backend.warm_up()  # fails at once instead of retrying a dead server
        assert time.monotonic() - started < 0.5
        fake.start()
        until(lambda: supervisor.up, 5)
        backend.warm_up()
    finally:
        supervisor.stop()
        backend.close()
        fake.stop()


@pytest.fixture
def fake_profile(repo_root: Path, tmp_path: Path) -> ModelProfile:
    """embedded-vllm on a free port, its `python` a wrapper that runs the fake server."""
    wrapper = tmp_path / "python"
    wrapper.write_text(f'#!/bin/sh\nexec {sys.executable} {FAKE} "$@"\n')
    wrapper.chmod(wrapper.stat().st_mode | stat.S_IXUSR)
    profile = load_profile(repo_root / "models", "embedded-vllm")
    (tmp_path / "models" / profile.checkpoint).mkdir(parents=True)
    server = profile.server.model_copy(
        update={
            "url": f"http://127.0.0.1:{free_port()}",
            "python": str(wrapper),
            "startup_timeout_s": 30,
            "restart": FAST,
        }
    )
    return profile.model_copy(update={"server": server})


def test_a_server_we_started_is_restarted_after_sigkill_with_backoff(
    fake_profile: ModelProfile, tmp_path: Path
) -> None:
    server = ManagedServer(fake_profile, tmp_path / "models", log_path=tmp_path / "server.log")
    supervisor = Supervisor(fake_profile.server.url, FAST, server)
    supervisor.start()
    try:
        assert supervisor.wait_up(30)
        first = server.process
        assert first is not None
        os.kill(first.pid, signal.SIGKILL)
        down_after = until(lambda: not supervisor.up, 5)
        assert down_after < 0.5  # the process exit is seen within a tick
        assert "exited with code -9" in (supervisor.unavailable() or "")
        # when to come back: the backoff's 0.2 s plus the first start's duration, at least 1 s
        started_in = supervisor.retry_after_s()
        assert started_in is not None and started_in >= 1
        until(lambda: supervisor.up, 30)  # restarted by itself
        assert supervisor.retry_after_s() is None
        assert server.process is not None and server.process.pid != first.pid
        assert supervisor.restarts == 1
        # dies again before it was stable: the next wait is twice as long
        os.kill(server.process.pid, signal.SIGKILL)
        until(lambda: not supervisor.up, 5)
        assert "restarting in 0.4 s" in (supervisor.unavailable() or "")
        until(lambda: supervisor.up, 30)
    finally:
        supervisor.stop(timeout_s=5)
    assert server.process is None and supervisor.state is ServerState.stopped
    assert first.poll() is not None


def test_a_server_that_cannot_be_started_fails_readiness_with_the_reason(
    fake_profile: ModelProfile, tmp_path: Path
) -> None:
    server = ManagedServer(fake_profile, tmp_path / "no-checkpoints")
    supervisor = Supervisor(fake_profile.server.url, FAST, server)
    supervisor.start()
    try:
        with pytest.raises(BackendError, match="offergen model prepare"):
            supervisor.wait_up(10)
        assert supervisor.state is ServerState.failed
    finally:
        supervisor.stop(timeout_s=5)
