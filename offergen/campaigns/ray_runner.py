"""Campaigns on a Ray cluster: one actor per worker slot, each holding a warmed pipeline and
running the same Worker as `offergen worker`, against the same job store.

So Ray places the work (one actor per node or GPU, as its resources say) and the database keeps
it exactly once: a dead actor's items are claimed again once their lease lapses, as with any
worker. Every actor must reach the database: a SQLite file works on one node; across nodes use
PostgreSQL (`OFFERGEN_DATABASE_URL`), and give every node the data dir (model checkpoint, index).
"""

from __future__ import annotations

import logging
from collections.abc import Callable
from dataclasses import asdict
from pathlib import Path
from typing import Any

from offergen.campaigns.config import WorkerConfig
from offergen.campaigns.job_store import CampaignStore
from offergen.campaigns.worker import Worker, WorkerStats, worker_name
from offergen.errors import ConfigError
from offergen.pipeline import Pipeline

__all__ = ["SlotFactory", "connect", "run_on_ray"]

log = logging.getLogger(__name__)

# Runs in each actor: must pickle (a module-level function, or functools.partial of one). It
# gives the job store and a pipeline (cheap to build: the actor warms the pipeline up).
SlotFactory = Callable[[], tuple[CampaignStore, Pipeline]]


class _Slot:
    """The actor body: built once per actor, so the model loads once per slot."""

    def __init__(self, factory: SlotFactory, config: WorkerConfig) -> None:
        self.store, self.pipeline = factory()
        self.pipeline.warm_up()
        self.config = config

    def run(self, campaign_id: str | None) -> dict[str, int]:
        worker = Worker(self.store, self.pipeline, self.config, f"ray:{worker_name()}")
        stats = worker.run(campaign_id, until_idle=campaign_id is None)
        return asdict(stats)


def connect(address: str | None, data_dir: Path | None = None, **init_args: Any) -> None:
    """`local`: start a Ray instance here, its session files under `data_dir/ray` (Ray's default
    is /tmp/ray, outside the data dir); `auto`: the one this node belongs to; anything else: a
    cluster address (`ray://host:10001` or `host:6379`). None: Ray as already initialized."""
    import ray

    if address is None:
        if not ray.is_initialized():
            raise ConfigError("Ray is not initialized; give an address (local, auto or host)")
        return
    if address == "local":
        if data_dir is not None:
            init_args["_temp_dir"] = str((data_dir / "ray").resolve())
        ray.init(**init_args)
    else:
        ray.init(address=address, **init_args)


def run_on_ray(
    campaign_id: str | None,
    factory: SlotFactory,
    *,
    actors: int,
    config: WorkerConfig | None = None,
    num_cpus: float = 1.0,
    num_gpus: float = 0.0,
) -> WorkerStats:
    """Run `campaign_id` (None: every open campaign) to its end on `actors` actors of the
    connected cluster; the summed stats of all actors."""
    import ray

    # Ray's handle types do not follow the class's methods: the handles are Any here.
    slot: Any = ray.remote(num_cpus=num_cpus, num_gpus=num_gpus)(_Slot)
    handles: list[Any] = [slot.remote(factory, config or WorkerConfig()) for _ in range(actors)]
    try:
        results: list[dict[str, int]] = ray.get([h.run.remote(campaign_id) for h in handles])
    finally:
        for h in handles:
            ray.kill(h)
    total = WorkerStats()
    for r in results:
        for name, n in r.items():
            setattr(total, name, getattr(total, name) + n)
    log.info("ray: %d actor(s) finished: %s", actors, total)
    return total
