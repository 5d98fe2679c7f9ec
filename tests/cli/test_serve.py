"""`offergen serve` (what `make run` runs) on the default vLLM profile: it starts the vLLM server
itself, /readyz waits for it, copy is generated through it, and Ctrl-C stops both."""

from __future__ import annotations

import os
import shutil
import signal
import subprocess
import sys
import time
from pathlib import Path

import httpx
import pytest
import yaml

from offergen.config import Settings
from tests.support.net import free_port


def _serving(url: str) -> bool:
    try:
        return httpx.get(url, timeout=2).status_code == 200
    except httpx.TransportError:
        return False


@pytest.mark.model
def test_serve_starts_vllm_with_the_api_and_ctrl_c_stops_both(
    prepared_settings: Settings, repo_root: Path, tmp_path: Path
) -> None:
    # A copy of the default profile on ports of its own, so the session's vLLM server is not
    # reused: this run must spawn one.
    models = tmp_path / "models"
    shutil.copytree(repo_root / "models", models)
    vllm_port, api_port = free_port(), free_port()
    profile_path = models / "embedded-vllm.yaml"
    profile = yaml.safe_load(profile_path.read_text())
    profile["server"]["url"] = f"http://127.0.0.1:{vllm_port}"
    profile_path.write_text(yaml.safe_dump(profile))
    data = tmp_path / "data"
    data.mkdir()
    for name in ("models", "index", "cache"):
        (data / name).symlink_to(prepared_settings.data_dir / name)
    env = {
        **{k: v for k, v in os.environ.items() if not k.startswith("OFFERGEN_")},
        "OFFERGEN_DATA_DIR": str(data),
        "OFFERGEN_DATABASE_URL": prepared_settings.db_url,
        "OFFERGEN_MODELS_DIR": str(models),
        "OFFERGEN_PORT": str(api_port),
        "OFFERGEN_SEED": "11",
    }
    assert Settings.model_fields["model_profile"].default == "embedded-vllm"  # make run's default
    api = f"http://127.0.0.1:{api_port}"
    proc = subprocess.Popen(
        [str(Path(sys.executable).parent / "offergen"), "serve"],
        env=env,
        stdout=subprocess.DEVNULL,
        stderr=(tmp_path / "serve.log").open("wb"),
    )
    try:
        deadline = time.monotonic() + 420
        saw_loading = False
        while time.monotonic() < deadline:
            try:
                r = httpx.get(f"{api}/readyz", timeout=2)
            except httpx.TransportError:
                time.sleep(1)
                continue
            if r.status_code == 200:
                break
            assert r.status_code == 503 and r.json()["status"] == "loading", r.text
            saw_loading = True
            time.sleep(1)
        else:
            pytest.fail("not ready in time:\n" + (tmp_path / "serve.log").read_text()[-3000:])
        assert saw_loading  # /readyz waited for the vLLM server it started
        assert _serving(f"http://127.0.0.1:{vllm_port}/v1/models")

        body = {
            "merchant_id": "m_freshmart",
            "offer": {"kind": "cashback", "merchant": "FreshMart", "value": 5, "unit": "percent"},
            "channel": "sms",
            "variants": 2,
        }
        r = httpx.post(f"{api}/v1/offers:generate", json=body, timeout=300)
        assert r.status_code == 200, r.text
        assert r.json()["model"] == {"id": "google/gemma-3-270m", "backend": "vllm"}
        assert any(v["released"] for v in r.json()["variants"])

        proc.send_signal(signal.SIGINT)  # Ctrl-C
        assert proc.wait(60) == 0
        assert not _serving(f"http://127.0.0.1:{vllm_port}/v1/models")
    finally:
        if proc.poll() is None:
            proc.kill()
