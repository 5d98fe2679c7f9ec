"""The real vLLM server, started by the API the way `offergen serve` starts it, killed with
SIGKILL while it generates: the request in flight gets a 503 problem+json with Retry-After (no
hang), /readyz turns 503 with the reason, new requests are refused at once, and the server is
restarted and the service ready again without anyone stepping in.

It starts a vLLM server of its own (on a free port, from a copy of the models dir), because it
kills it: the one slow test module that does."""

from __future__ import annotations

import os
import re
import shutil
import signal
import threading
import time
from pathlib import Path
from typing import Any

import httpx
import pytest
import yaml
from fastapi.testclient import TestClient

from offergen.config import Settings
from tests.support.net import free_port, until

BODY: dict[str, Any] = {
    "merchant_id": "m_freshmart",
    "offer": {"kind": "cashback", "merchant": "FreshMart", "value": 5, "unit": "percent"},
    "channel": "sms",
    "variants": 3,
}


def _running(vllm_url: str) -> float:
    """Requests the vLLM server is generating now (its Prometheus gauge)."""
    try:
        text = httpx.get(f"{vllm_url}/metrics", timeout=2).text
    except httpx.TransportError:
        return 0.0
    found = re.findall(r"^vllm:num_requests_running\{[^}]*\} ([0-9.e+]+)$", text, re.M)
    return sum(float(v) for v in found)


@pytest.mark.model
def test_vllm_killed_mid_request_gives_503_then_recovers_by_itself(
    prepared_settings: Settings, repo_root: Path, tmp_path: Path
) -> None:
    from offergen.api.app import create_app
    from offergen.app_context import open_context

    models = tmp_path / "models"
    shutil.copytree(repo_root / "models", models)
    vllm_url = f"http://127.0.0.1:{free_port()}"
    profile_path = models / "embedded-vllm.yaml"
    profile = yaml.safe_load(profile_path.read_text())
    profile["server"]["url"] = vllm_url
    profile["server"]["restart"] = {"initial_s": 1, "max_s": 5, "probe_interval_s": 0.5}
    profile_path.write_text(yaml.safe_dump(profile))
    data = tmp_path / "data"
    data.mkdir()
    for name in ("models", "index", "cache"):  # the compile cache too: restarts are quicker
        (data / name).symlink_to(prepared_settings.data_dir / name)
    settings = Settings(
        data_dir=data,
        database_url=prepared_settings.db_url,
        models_dir=models,
        model_profile="embedded-vllm",
        campaign_workers=0,
        seed=7,
    )
    with TestClient(create_app(open_context(settings))) as client:
        until(lambda: client.get("/readyz").status_code == 200, 480, "first start")
        supervisor = client.app.state.readiness.supervisor  # type: ignore[attr-defined]
        first = supervisor.server.process
        answer: dict[str, Any] = {}

        def call() -> None:
            r = client.post("/v1/offers:generate", json=BODY)
            answer["response"], answer["at"] = r, time.monotonic()

        caller = threading.Thread(target=call)
        caller.start()
        until(lambda: _running(vllm_url) >= 1, 60, "the request reaching vLLM")
        os.kill(first.pid, signal.SIGKILL)
        killed_at = time.monotonic()
        caller.join(30)
        assert not caller.is_alive(), "the request in flight hung"
        r = answer["response"]
        assert r.status_code == 503, r.text
        assert r.headers["content-type"] == "application/problem+json"
        assert int(r.headers["Retry-After"]) > 0
        in_flight_503_s = answer["at"] - killed_at

        ready = client.get("/readyz")
        assert ready.status_code == 503
        assert ready.json()["status"] == "failed"
        assert "exited with code -9" in ready.json()["detail"]
        started = time.monotonic()
        refused = client.post("/v1/offers:generate", json=BODY)
        refused_s = time.monotonic() - started
        assert refused.status_code == 503 and "Retry-After" in refused.headers
        assert refused_s < 2

        recover_s = until(lambda: client.get("/readyz").status_code == 200, 480, "recovery")
        assert supervisor.server.process.pid != first.pid and supervisor.restarts == 1
        r = client.post("/v1/offers:generate", json=BODY)
        assert r.status_code == 200, r.text
        assert r.json()["model"] == {"id": "google/gemma-3-270m", "backend": "vllm"}
        print(
            f"\nkill -9 -> in-flight 503 after {in_flight_503_s:.2f} s; new request 503 in "
            f"{refused_s:.3f} s; ready again {recover_s + refused_s:.1f} s after the kill"
        )
    # the API's shutdown stopped the restarted server (and reaped the killed one's engine)
    with pytest.raises(httpx.TransportError):
        httpx.get(f"{vllm_url}/v1/models", timeout=2)
