"""A campaign worker in a process of its own, over the cheap pipeline, for the tests that kill
one: `python -m tests.campaigns.worker_process URL SCHEMA INDEX_DIR CAMPAIGN DELAY LEASE_S`."""

from __future__ import annotations

import sys

from offergen.campaigns.config import WorkerConfig
from offergen.campaigns.worker import Worker
from tests.campaigns.cheap_pipeline import slot_at


def main(argv: list[str]) -> int:
    url, schema, index_dir, campaign, delay, lease_s = argv
    store, pipeline = slot_at(url, schema or None, index_dir, float(delay))
    config = WorkerConfig(concurrency=2, lease_s=float(lease_s), poll_s=0.1)
    print("ready", flush=True)
    Worker(store, pipeline, config).run(campaign)
    return 0


if __name__ == "__main__":
    sys.exit(main(sys.argv[1:]))
