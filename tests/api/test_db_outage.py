"""The real PostgreSQL server restarted while API requests and a campaign run against it: while
it is down, requests fail as 503 problem+json with Retry-After (never a 500), they succeed again
after, and every campaign item ends up done exactly once.

It restarts the local cluster (`pg_ctlcluster ... restart`), so it is one short test."""

from __future__ import annotations

import shutil
import subprocess
import threading
import time
from collections.abc import Iterator
from pathlib import Path

import pytest
from fastapi.testclient import TestClient

from offergen.api.app import create_app
from offergen.app_context import assemble
from offergen.campaigns.config import WorkerConfig
from offergen.campaigns.schemas import CampaignState, ItemState
from offergen.campaigns.worker import Worker
from offergen.config import Settings
from offergen.store.database import Database
from offergen.store.sql_audit import SqlAuditStore
from tests.api.conftest import generate_body
from tests.campaigns.cheap_pipeline import SteadyBackend, cheap_pipeline, request, seed_kb
from tests.support.databases import pg_database


def _restart_postgresql() -> None:
    clusters = subprocess.run(["pg_lsclusters", "-h"], capture_output=True, text=True, check=True)
    version, name = next(
        line.split()[:2] for line in clusters.stdout.splitlines() if " 5432 " in f" {line} "
    )
    subprocess.run(
        ["pg_ctlcluster", "--skip-systemctl-redirect", version, name, "restart"],
        check=True,
        capture_output=True,
        timeout=60,
    )


@pytest.fixture
def pg_db(pg_url: str) -> Iterator[Database]:
    yield from pg_database(pg_url)


@pytest.mark.skipif(shutil.which("pg_ctlcluster") is None, reason="needs a local cluster")
def test_postgresql_restart_during_api_traffic_and_a_campaign(
    pg_db: Database, tmp_path: Path
) -> None:
    db = pg_db
    seed_kb(db, tmp_path / "index")
    pipeline = cheap_pipeline(db, tmp_path / "index", SteadyBackend(0.1))
    url = db.engine.url.render_as_string(hide_password=False)
    ctx = assemble(Settings(data_dir=tmp_path, database_url=url), pipeline)
    store = ctx.campaigns.store
    created = store.create([request(i) for i in range(30)], tenant="acme")
    worker = Worker(store, pipeline, WorkerConfig(concurrency=2, lease_s=10, poll_s=0.05))
    campaign = threading.Thread(target=worker.run, args=(created.id,))
    seen: list[tuple[float, int, str, str]] = []
    stop = threading.Event()

    with TestClient(create_app(ctx), raise_server_exceptions=False) as client:

        def traffic() -> None:
            while not stop.is_set():
                r = client.post("/v1/offers:generate", json=generate_body())
                retry = r.headers.get("Retry-After", "")
                seen.append((time.monotonic(), r.status_code, r.headers["content-type"], retry))
                time.sleep(0.05)

        caller = threading.Thread(target=traffic)
        caller.start()
        campaign.start()
        time.sleep(1.0)
        _restart_postgresql()
        restarted = time.monotonic()
        time.sleep(2.0)
        stop.set()
        caller.join(30)
        campaign.join(120)
    assert not campaign.is_alive()

    statuses = [status for _, status, _, _ in seen]
    assert set(statuses) <= {200, 503}, statuses  # never a 500
    assert 503 in statuses, "no request met the outage"
    for _, status, content_type, retry in seen:
        if status == 503:
            assert content_type == "application/problem+json" and int(retry) > 0
    after = [status for at, status, _, _ in seen if at > restarted + 0.5]
    assert after and set(after) == {200}  # served again once the server is back

    results = list(store.results(created.id, None))
    assert [r.item for r in results] == list(range(30))  # none lost
    audit = SqlAuditStore(db)
    for r in results:  # each done once, with the audit records of the attempt that counts
        assert r.status is ItemState.done and r.response is not None
        assert [a.variant for a in audit.by_request(r.request_id or "")] == [0]
    assert store.status(created.id, None).status is CampaignState.completed
    assert worker.stats.done + worker.stats.lost >= 30
    outage = [at for at, status, _, _ in seen if status == 503]
    print(
        f"\n{len(seen)} requests: {statuses.count(503)} x 503 over {outage[-1] - outage[0]:.1f} s, "
        f"{statuses.count(200)} x 200; campaign {worker.stats}"
    )
