"""Campaign throughput: the local runner and the Ray runner against the raw backend, measured
side by side in one run on the same requests.

Raw: the prompts the pipeline renders for the campaign's requests, sent straight to the backend
by `--concurrency` callers at once (one round of completions each, as the pipeline asks for).
Local: `offergen worker` in-process (a thread pool of `--concurrency`). Ray: `--ray-actors`
actors on a local Ray instance, each with its own pipeline and `--concurrency` threads.
Rates are items/s from the first claim to the last result (the job store's clock), so loading
models in the actors is not counted; the wall time of each run is printed too.
Target: the local runner keeps >= 80 % of the raw backend throughput.

The campaigns run in a copy of the SQLite database (or in OFFERGEN_DATABASE_URL when that is
PostgreSQL), so the benchmark adds no rows to the working one. A vLLM profile needs its server:
started here unless one already answers.
Run: `.venv/bin/python eval/bench/campaign.py [--items 1000] [--runners local,ray]`.
"""

from __future__ import annotations

import argparse
import math
import os
import sqlite3
import sys
import tempfile
import time
from concurrent.futures import ThreadPoolExecutor
from contextlib import ExitStack
from functools import partial
from pathlib import Path

os.environ.setdefault("HF_HUB_OFFLINE", "1")
os.environ.setdefault("TRANSFORMERS_OFFLINE", "1")

from _offers import OFFERS  # eval/bench is sys.path[0] when run
from pydantic import SecretStr

from offergen.app_context import campaign_slot, open_context
from offergen.campaigns.config import WorkerConfig
from offergen.campaigns.job_store import CampaignStore
from offergen.campaigns.worker import Worker
from offergen.config import Settings
from offergen.generation.base import GenerationParams
from offergen.generation.vllm_server import ManagedServer, llm_server
from offergen.pipeline import Pipeline
from offergen.schemas import GenerateRequest
from offergen.store.knowledge_base import KnowledgeBase

SEGMENTS = ["students", "commuters", "families", "travellers", "foodies", "gamers"]


def campaign_requests(kb: KnowledgeBase, count: int, variants: int) -> list[GenerateRequest]:
    out = []
    for i in range(count):
        mid, channel, terms = OFFERS[i % len(OFFERS)]
        merchant = kb.merchant(mid)
        body = {
            "merchant_id": mid,
            "channel": channel,
            "variants": variants,
            "customer": {"segment": SEGMENTS[i % len(SEGMENTS)]},
            "offer": {**terms, "merchant": merchant.name, "valid_until": "2030-12-31"},
        }
        out.append(GenerateRequest.model_validate(body))
    return out


def raw_rate(pipeline: Pipeline, requests: list[GenerateRequest], concurrency: int) -> float:
    """Requests/s of the bare backend on the prompts of `requests`, first round only."""
    n = min(16, math.ceil(requests[0].variants * pipeline.profile.oversample))
    s = pipeline.profile.sampling
    work = []
    for r in requests:
        p = pipeline.render(r).prompt
        params = GenerationParams(
            n=n,
            max_new_tokens=p.max_new_tokens,
            temperature=s.temperature,
            top_p=s.top_p,
            repetition_penalty=s.repetition_penalty,
            stop=p.stop,
            seed=7,
        )
        work.append((p.text, params))
    pipeline.backend.generate(*work[0])  # first-call costs out of the figure
    started = time.perf_counter()
    with ThreadPoolExecutor(concurrency) as pool:
        list(pool.map(lambda w: pipeline.backend.generate(*w), work))
    return len(work) / (time.perf_counter() - started)


def private_database(settings: Settings, tmp: Path) -> Settings:
    """Settings whose SQLite database is a copy of the working one (PostgreSQL: unchanged)."""
    if not settings.db_url.startswith("sqlite:///"):
        return settings
    copy = tmp / "offergen.db"
    src, dst = sqlite3.connect(settings.db_url.removeprefix("sqlite:///")), sqlite3.connect(copy)
    try:
        src.backup(dst)
    finally:
        src.close()
        dst.close()
    return settings.model_copy(update={"database_url": SecretStr(f"sqlite:///{copy}")})


def report(name: str, store: CampaignStore, cid: str, wall: float, raw: float) -> None:
    s = store.status(cid, None)
    rate = s.items_per_s or 0.0
    print(
        f"{name:<22}{s.done:>6} done{s.failed:>5} failed{wall:>9.1f} s wall"
        f"{rate:>10.2f} items/s{rate / raw:>8.2f} x raw",
        flush=True,
    )


def main() -> int:
    ap = argparse.ArgumentParser()
    ap.add_argument("--items", type=int, default=1000)
    ap.add_argument("--concurrency", type=int, default=8, help="items at once per worker")
    ap.add_argument("--variants", type=int, default=3)
    ap.add_argument("--runners", default="local,ray")
    ap.add_argument("--ray-actors", type=int, default=1)
    ap.add_argument("--profile", default=None, help="model profile [default: the settings']")
    args = ap.parse_args()
    runners = args.runners.split(",")

    with ExitStack() as stack:
        tmp = Path(stack.enter_context(tempfile.TemporaryDirectory(prefix="campaign-bench-")))
        base = Settings(seed=7, max_attempts=1)
        if args.profile:
            base = Settings(seed=7, max_attempts=1, model_profile=args.profile)
        settings = private_database(base, tmp)
        ctx = stack.enter_context(open_context(settings))
        pipeline = ctx.pipeline
        if pipeline.backend.name == "vllm":
            # Started here whatever OFFERGEN_LLM_SERVER says (ctx.llm_server() would leave an
            # external one to the caller); one already serving the profile's URL is used.
            log_path = settings.data_dir / "vllm-bench.log"
            server = ManagedServer(
                pipeline.profile, settings.checkpoints_dir, settings.cache_dir / "vllm", log_path
            )
            print(f"vLLM server: {pipeline.profile.server.url} (log: {log_path})", flush=True)
            stack.enter_context(llm_server(server))
            server.wait()
        pipeline.warm_up()
        requests = campaign_requests(ctx.kb, args.items, args.variants)
        print(
            f"profile {pipeline.profile.name} ({pipeline.backend.name}), {args.items} items x "
            f"{args.variants} variants, {args.concurrency} at once per worker",
            flush=True,
        )
        raw = raw_rate(pipeline, requests, args.concurrency)
        print(f"{'raw backend':<22}{raw:>47.2f} items/s{1:>8.2f} x raw", flush=True)

        store = ctx.campaigns.store
        config = WorkerConfig(concurrency=args.concurrency, lease_s=600, poll_s=0.2)
        if "local" in runners:
            cid = store.create(requests, tenant=None).id
            started = time.perf_counter()
            Worker(store, pipeline, config).run(cid)
            report("local runner", store, cid, time.perf_counter() - started, raw)
        if "ray" in runners:
            from offergen.campaigns.ray_runner import connect, run_on_ray

            connect("local", settings.data_dir, include_dashboard=False, log_to_driver=False)
            cid = store.create(requests, tenant=None).id
            started = time.perf_counter()
            factory = partial(campaign_slot, settings)
            run_on_ray(cid, factory, actors=args.ray_actors, config=config)
            name = f"ray runner ({args.ray_actors} actor)"
            report(name, store, cid, time.perf_counter() - started, raw)
    return 0


if __name__ == "__main__":
    sys.exit(main())
