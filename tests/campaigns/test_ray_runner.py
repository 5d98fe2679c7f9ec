"""The Ray runner on a local Ray instance the test starts: actors, each with its own pipeline,
run a campaign through the same job store, every item once with its audit records."""

from __future__ import annotations

import functools
import os
from collections.abc import Iterator
from pathlib import Path

import pytest
from sqlalchemy import select

from offergen.campaigns.config import WorkerConfig
from offergen.campaigns.job_store import CampaignStore
from offergen.campaigns.ray_runner import connect, run_on_ray
from offergen.campaigns.schemas import CampaignState
from offergen.errors import ConfigError
from offergen.store.campaign_tables import CampaignItemRow
from offergen.store.database import Database
from offergen.store.sql_audit import SqlAuditStore
from tests.campaigns.cheap_pipeline import REPO, db_args, request, slot_at


@pytest.fixture
def ray_cluster() -> Iterator[None]:
    import ray

    ray.init(
        num_cpus=2,
        include_dashboard=False,
        log_to_driver=False,
        object_store_memory=100 * 1024 * 1024,
        # the actors import the test's pipeline factory from tests/
        runtime_env={
            "env_vars": {
                "PYTHONPATH": os.pathsep.join([str(REPO), os.environ.get("PYTHONPATH", "")])
            }
        },
    )
    try:
        yield
    finally:
        ray.shutdown()


def test_connect_needs_an_address_when_ray_is_not_started() -> None:
    import ray

    assert not ray.is_initialized()
    with pytest.raises(ConfigError, match="give an address"):
        connect(None)


def test_actors_run_a_campaign_exactly_once(
    ray_cluster: None, store: CampaignStore, database: Database, index_dir: Path
) -> None:
    total = 8
    created = store.create([request(i) for i in range(total)], tenant="acme")
    url, schema = db_args(database)
    factory = functools.partial(slot_at, url, schema, str(index_dir), 0.05)
    connect(None)  # the instance the fixture started
    stats = run_on_ray(
        created.id, factory, actors=2, config=WorkerConfig(concurrency=2, poll_s=0.05)
    )
    assert (stats.done, stats.failed, stats.lost) == (total, 0, 0)
    status = store.status(created.id, "acme")
    assert (status.status, status.done) == (CampaignState.completed, total)
    results = list(store.results(created.id, "acme"))
    assert [r.item for r in results] == list(range(total))
    audit = SqlAuditStore(store.db)
    for r in results:
        assert r.request_id == f"{created.id}-{r.item}" and r.response is not None
        [record] = audit.by_request(r.request_id, "acme")
        assert record.text == r.response.variants[0].text
    with store.db.read() as s:
        workers = set(s.scalars(select(CampaignItemRow.claimed_by)).all())
    assert workers and all(w and w.startswith("ray:") for w in workers)  # done by the actors
