"""SIGTERM to a real `offergen serve` with API requests and campaign items in flight: it stops
accepting, the requests in flight finish (200), the campaign leases it held are handed back (no
item is left leased, none is done twice), and it exits 0.

The model server is tests/support/fake_vllm.py (OFFERGEN_LLM_SERVER=external): a real server
speaking vLLM's protocol that takes DELAY seconds per completion, so requests are in flight for
as long as the test needs without starting vLLM."""

from __future__ import annotations

import os
import shutil
import signal
import subprocess
import sys
import threading
import time
from pathlib import Path
from typing import Any

import httpx
import pytest
import yaml
from sqlalchemy import create_engine, text

from offergen.config import Settings
from tests.support.fake_vllm import FakeVllm
from tests.support.net import free_port

DELAY = 2.0
BODY: dict[str, Any] = {
    "merchant_id": "m_freshmart",
    "offer": {"kind": "cashback", "merchant": "FreshMart", "value": 5, "unit": "percent"},
    "channel": "sms",
    "variants": 1,
}


def test_sigterm_lets_requests_in_flight_finish_hands_back_leases_and_exits_0(
    prepared_settings: Settings, repo_root: Path, tmp_path: Path
) -> None:
    fake = FakeVllm(free_port(), delay=DELAY).start()
    models = tmp_path / "models"
    shutil.copytree(repo_root / "models", models)
    profile_path = models / "embedded-vllm.yaml"
    profile = yaml.safe_load(profile_path.read_text())
    profile["server"]["url"] = fake.url
    profile_path.write_text(yaml.safe_dump(profile))
    data = tmp_path / "data"
    data.mkdir()
    (data / "index").symlink_to(prepared_settings.data_dir / "index")
    # a private copy of the prepared database: the campaign left queued must not leak
    shutil.copy(prepared_settings.data_dir / "offergen.db", data / "offergen.db")
    api_port = free_port()
    env = {
        **{k: v for k, v in os.environ.items() if not k.startswith("OFFERGEN_")},
        "OFFERGEN_DATA_DIR": str(data),
        "OFFERGEN_MODELS_DIR": str(models),
        "OFFERGEN_MODEL_PROFILE": "embedded-vllm",
        "OFFERGEN_LLM_SERVER": "external",
        "OFFERGEN_PORT": str(api_port),
        "OFFERGEN_CAMPAIGN_WORKERS": "2",
        "OFFERGEN_SHUTDOWN_GRACE_S": "20",
        "OFFERGEN_MAX_ATTEMPTS": "1",
    }
    api = f"http://127.0.0.1:{api_port}"
    log = tmp_path / "serve.log"
    proc = subprocess.Popen(
        [str(Path(sys.executable).parent / "offergen"), "serve"],
        env=env,
        stdout=subprocess.DEVNULL,
        stderr=log.open("wb"),
    )
    try:
        deadline = time.monotonic() + 180
        while time.monotonic() < deadline:
            try:
                if httpx.get(f"{api}/readyz", timeout=2).status_code == 200:
                    break
            except httpx.TransportError:
                pass
            time.sleep(0.5)
        else:
            pytest.fail("not ready in time:\n" + log.read_text()[-3000:])

        campaign = httpx.post(
            f"{api}/v1/campaigns",
            json={"request": BODY, "customers": [{"segment": f"s{i}"} for i in range(6)]},
            timeout=30,
        )
        assert campaign.status_code == 202, campaign.text
        campaign_id = campaign.json()["id"]

        answers: list[httpx.Response | Exception] = []

        def call() -> None:
            try:
                answers.append(httpx.post(f"{api}/v1/offers:generate", json=BODY, timeout=60))
            except Exception as exc:  # recorded: the assertion below shows it
                answers.append(exc)

        callers = [threading.Thread(target=call) for _ in range(3)]
        for c in callers:
            c.start()
        # 3 API requests and 2 campaign items generating at once
        deadline = time.monotonic() + 30
        while fake.in_flight < 5 and time.monotonic() < deadline:
            time.sleep(0.02)
        assert fake.in_flight == 5
        proc.send_signal(signal.SIGTERM)
        signalled = time.monotonic()

        time.sleep(0.5)
        with pytest.raises(httpx.TransportError):  # no longer accepting
            httpx.post(f"{api}/v1/offers:generate", json=BODY, timeout=5)
        for c in callers:
            c.join(30)
        assert [getattr(a, "status_code", a) for a in answers] == [200, 200, 200]
        assert proc.wait(60) == 0, log.read_text()[-3000:]
        took = time.monotonic() - signalled
    finally:
        if proc.poll() is None:
            proc.kill()
        fake.stop()

    engine = create_engine(f"sqlite:///{data / 'offergen.db'}")
    with engine.connect() as conn:
        rows = conn.execute(
            text("SELECT status, claimed_by FROM campaign_items WHERE campaign_id = :c"),
            {"c": campaign_id},
        ).all()
    engine.dispose()
    statuses = sorted(r.status for r in rows)
    assert "running" not in statuses and all(
        r.claimed_by is None for r in rows if r.status == "queued"
    )
    assert statuses.count("done") >= 2  # the items in flight finished within the grace
    assert statuses.count("done") + statuses.count("queued") == 6  # none lost
    assert took < 20
    print(f"\nSIGTERM -> exit 0 in {took:.1f} s; campaign items {statuses}")
