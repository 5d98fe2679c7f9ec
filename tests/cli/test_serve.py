"""`offergen serve` (what `make run` runs) on the default vLLM profile, against the real vLLM
server it starts: /readyz waits for it and copy is generated through it; the server killed with
SIGKILL mid-request gives the request in flight a 503 problem+json with Retry-After (no hang),
/readyz turns 503 with the reason, new requests are refused at once, and the server is restarted
and the service ready again without anyone stepping in; Ctrl-C then stops both.

It starts a vLLM server of its own (on a free port, from a copy of the models dir), because it
kills it: the one slow test that does, kept to one module so the session's server is started
once and this one once."""

from __future__ import annotations

import contextlib
import os
import re
import shutil
import signal
import subprocess
import sys
import threading
import time
from pathlib import Path
from typing import Any

import httpx
import psutil
import pytest
import yaml

from offergen.config import Settings
from tests.support.net import free_port, until

BODY: dict[str, Any] = {
    "merchant_id": "m_freshmart",
    "offer": {"kind": "cashback", "merchant": "FreshMart", "value": 5, "unit": "percent"},
    "channel": "sms",
    "variants": 2,
}


def _status(url: str) -> int:
    """The status of GET `url`; 0 when nothing answers."""
    try:
        return httpx.get(url, timeout=2).status_code
    except httpx.TransportError:
        return 0


def _running(vllm_url: str) -> float:
    """Requests the vLLM server is generating now (its Prometheus gauge)."""
    try:
        text = httpx.get(f"{vllm_url}/metrics", timeout=2).text
    except httpx.TransportError:
        return 0.0
    found = re.findall(r"^vllm:num_requests_running\{[^}]*\} ([0-9.e+]+)$", text, re.M)
    return sum(float(v) for v in found)


def _vllm_pid(serve_pid: int) -> int:
    """The vLLM API server among `offergen serve`'s children."""
    for child in psutil.Process(serve_pid).children(recursive=True):
        if "vllm.entrypoints.openai.api_server" in " ".join(child.cmdline()):
            return child.pid
    raise AssertionError("offergen serve runs no vLLM server")


@pytest.mark.model
def test_serve_starts_vllm_restarts_it_after_kill_9_and_ctrl_c_stops_both(
    prepared_settings: Settings, repo_root: Path, tmp_path: Path
) -> None:
    # A copy of the default profile on ports of its own, so the session's vLLM server is not
    # reused: this run must spawn one.
    models = tmp_path / "models"
    shutil.copytree(repo_root / "models", models)
    vllm_port, api_port = free_port(), free_port()
    vllm_url = f"http://127.0.0.1:{vllm_port}"
    profile_path = models / "embedded-vllm.yaml"
    profile = yaml.safe_load(profile_path.read_text())
    profile["server"]["url"] = vllm_url
    profile["server"]["restart"] = {"initial_s": 1, "max_s": 5, "probe_interval_s": 0.5}
    profile_path.write_text(yaml.safe_dump(profile))
    data = tmp_path / "data"
    data.mkdir()
    for name in ("models", "index", "cache"):  # the compile cache too: restarts are quicker
        (data / name).symlink_to(prepared_settings.data_dir / name)
    env = {
        **{k: v for k, v in os.environ.items() if not k.startswith("OFFERGEN_")},
        "OFFERGEN_DATA_DIR": str(data),
        "OFFERGEN_DATABASE_URL": prepared_settings.db_url,
        "OFFERGEN_MODELS_DIR": str(models),
        "OFFERGEN_PORT": str(api_port),
        "OFFERGEN_SEED": "11",
        "OFFERGEN_CAMPAIGN_WORKERS": "0",
    }
    assert Settings.model_fields["model_profile"].default == "embedded-vllm"  # make run's default
    api = f"http://127.0.0.1:{api_port}"
    log = tmp_path / "serve.log"
    proc = subprocess.Popen(
        [str(Path(sys.executable).parent / "offergen"), "serve"],
        env=env,
        stdout=subprocess.DEVNULL,
        stderr=log.open("wb"),
    )
    try:
        deadline = time.monotonic() + 420
        saw_loading = False
        while (status := _status(f"{api}/readyz")) != 200:
            assert time.monotonic() < deadline, "not ready in time:\n" + log.read_text()[-3000:]
            if status:
                r = httpx.get(f"{api}/readyz", timeout=2)
                assert r.status_code == 503 and r.json()["status"] == "loading", r.text
                saw_loading = True
            time.sleep(1)
        assert saw_loading  # /readyz waited for the vLLM server it started
        assert _status(f"{vllm_url}/v1/models") == 200

        r = httpx.post(f"{api}/v1/offers:generate", json=BODY, timeout=300)
        assert r.status_code == 200, r.text
        assert r.json()["model"] == {"id": "google/gemma-3-270m", "backend": "vllm"}
        assert any(v["released"] for v in r.json()["variants"])

        # kill -9 while a request is generating
        first = _vllm_pid(proc.pid)
        answer: dict[str, Any] = {}

        def call() -> None:
            r = httpx.post(f"{api}/v1/offers:generate", json=BODY, timeout=120)
            answer["response"], answer["at"] = r, time.monotonic()

        caller = threading.Thread(target=call)
        caller.start()
        until(lambda: _running(vllm_url) >= 1, 60, "the request reaching vLLM")
        os.kill(first, signal.SIGKILL)
        killed_at = time.monotonic()
        caller.join(30)
        assert not caller.is_alive(), "the request in flight hung"
        r = answer["response"]
        assert r.status_code == 503, r.text
        assert r.headers["content-type"] == "application/problem+json"
        assert int(r.headers["Retry-After"]) > 0
        in_flight_503_s = answer["at"] - killed_at

        ready = httpx.get(f"{api}/readyz", timeout=5)
        assert ready.status_code == 503
        assert ready.json()["status"] == "failed"
        assert "exited with code -9" in ready.json()["detail"]
        started = time.monotonic()
        refused = httpx.post(f"{api}/v1/offers:generate", json=BODY, timeout=30)
        refused_s = time.monotonic() - started
        assert refused.status_code == 503 and refused_s < 2
        # when to come back: the backoff (1 s) plus the first start-up (model load: tens of s)
        retry_after = int(refused.headers["Retry-After"])
        assert retry_after > 5

        recover_s = until(lambda: _status(f"{api}/readyz") == 200, 480, "recovery")
        assert _vllm_pid(proc.pid) != first  # restarted by the supervisor, not by us
        r = httpx.post(f"{api}/v1/offers:generate", json=BODY, timeout=300)
        assert r.status_code == 200, r.text
        print(
            f"\nkill -9 -> in-flight 503 after {in_flight_503_s:.2f} s; new request 503 in "
            f"{refused_s:.3f} s (Retry-After {retry_after} s); ready again "
            f"{recover_s + refused_s:.1f} s after the kill"
        )

        proc.send_signal(signal.SIGINT)  # Ctrl-C
        assert proc.wait(60) == 0
        assert _status(f"{vllm_url}/v1/models") != 200
    finally:
        if proc.poll() is None:  # a failed assertion: stop it (and its vLLM) as Ctrl-C would
            children = psutil.Process(proc.pid).children(recursive=True)
            proc.send_signal(signal.SIGINT)
            try:
                proc.wait(60)
            except subprocess.TimeoutExpired:
                proc.kill()
            for child in children:  # a hard-killed serve leaves its vLLM group behind
                with contextlib.suppress(psutil.NoSuchProcess):
                    child.kill()
