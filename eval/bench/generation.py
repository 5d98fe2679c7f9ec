"""Generation throughput: in-process transformers vs a vLLM server, same prompts and parameters,
measured side by side in one run; then the whole pipeline against its raw backend.

For each backend and concurrency (1, 8, 32 callers at once) the same requests are sent: the
prompts the pipeline renders for a mix of merchants, offers and channels, n=3 completions each,
the template's stop sequence and per-channel token limit. Reported: output tokens/s, offers/s
(completions per second), p50/p95 latency per request. The transformers backend runs one batch at
a time (its model is not thread-safe), so extra callers queue; vLLM batches them continuously.

Needs a vLLM server for the `embedded-vllm` profile: started here unless one already answers.
Run: `.venv/bin/python eval/bench/generation.py [--quick]`.
"""

from __future__ import annotations

import argparse
import dataclasses
import os
import statistics
import sys
import time
from concurrent.futures import ThreadPoolExecutor

os.environ.setdefault("HF_HUB_OFFLINE", "1")
os.environ.setdefault("TRANSFORMERS_OFFLINE", "1")

from _offers import OFFERS  # eval/bench is sys.path[0] when run

from offergen.app_context import open_context
from offergen.config import Settings
from offergen.generation.base import Backend, GenerationParams
from offergen.generation.factory import make_backend
from offergen.generation.profiles import load_profile
from offergen.generation.vllm_server import ManagedServer, llm_server
from offergen.pipeline import RequestMeta
from offergen.schemas import GenerateRequest
from offergen.store.knowledge_base import KnowledgeBase

N = 3  # completions per request, as the pipeline asks for 3 variants without oversampling


def requests(kb: KnowledgeBase, count: int) -> list[GenerateRequest]:
    out = []
    for i in range(count):
        mid, channel, terms = OFFERS[i % len(OFFERS)]
        merchant = kb.merchant(mid)
        out.append(
            GenerateRequest.model_validate(
                {
                    "merchant_id": mid,
                    "channel": channel,
                    "variants": N,
                    "offer": {**terms, "merchant": merchant.name, "valid_until": "2030-12-31"},
                }
            )
        )
    return out


def run(
    backend: Backend, work: list[tuple[str, GenerationParams]], concurrency: int
) -> dict[str, float]:
    latencies: list[float] = []
    tokens = completions = 0

    def one(item: tuple[str, GenerationParams]) -> tuple[float, int, int]:
        started = time.perf_counter()
        result = backend.generate(*item)
        return time.perf_counter() - started, result.completion_tokens, len(result.completions)

    started = time.perf_counter()
    with ThreadPoolExecutor(concurrency) as pool:
        for seconds, toks, n in pool.map(one, work):
            latencies.append(seconds)
            tokens += toks
            completions += n
    wall = time.perf_counter() - started
    latencies.sort()
    return {
        "tok_s": tokens / wall,
        "offers_s": completions / wall,
        "p50": statistics.median(latencies),
        "p95": latencies[min(len(latencies) - 1, int(0.95 * len(latencies)))],
        "wall": wall,
        "requests": len(work),
    }


def main() -> int:
    ap = argparse.ArgumentParser()
    ap.add_argument("--quick", action="store_true", help="fewer requests per level")
    ap.add_argument("--levels", default="1,8,32")
    args = ap.parse_args()
    levels = [int(x) for x in args.levels.split(",")]
    settings = Settings(seed=7, max_attempts=1)

    vprofile = load_profile(settings.models_dir, "embedded-vllm")
    log_path = settings.data_dir / "vllm-bench.log"
    server = ManagedServer(
        vprofile, settings.checkpoints_dir, settings.cache_dir / "vllm", log_path=log_path
    )
    print(f"vLLM server: {vprofile.server.url} (started here if down; log: {log_path})", flush=True)
    with llm_server(server), open_context(settings) as ctx:
        server.wait()
        # The same prompts and parameters for every backend and level.
        per_level = {c: (max(c, 4) if args.quick else max(2 * c, 8)) for c in levels}
        reqs = requests(ctx.kb, max(per_level.values()))
        ctx.pipeline.warm_up(model=False)
        work = []
        for r in reqs:
            grounded = ctx.pipeline.render(r)
            p = grounded.prompt
            work.append(
                (
                    p.text,
                    GenerationParams(n=N, max_new_tokens=p.max_new_tokens, stop=p.stop, seed=7),
                )
            )

        backends: dict[str, Backend] = {
            "transformers": make_backend(
                load_profile(settings.models_dir, "embedded"), settings.checkpoints_dir
            ),
            # callers queue at high concurrency: allow for it instead of timing out
            "vllm": make_backend(
                vprofile.model_copy(
                    update={"server": vprofile.server.model_copy(update={"timeout_s": 600})}
                ),
                settings.checkpoints_dir,
            ),
        }
        results: dict[tuple[str, int], dict[str, float]] = {}
        print(
            f"{'backend':<13}{'callers':>8}{'requests':>9}{'out tok/s':>11}{'offers/s':>10}"
            f"{'p50 s':>8}{'p95 s':>8}"
        )
        for name, backend in backends.items():
            backend.warm_up()
            backend.generate(*work[0])  # first-call costs (compilation, caches) out of the figures
            for c in levels:
                res = run(backend, work[: per_level[c]], c)
                results[name, c] = res
                print(
                    f"{name:<13}{c:>8}{int(res['requests']):>9}{res['tok_s']:>11.1f}"
                    f"{res['offers_s']:>10.2f}{res['p50']:>8.2f}{res['p95']:>8.2f}",
                    flush=True,
                )

        best = {n: max(results[n, c]["tok_s"] for c in levels) for n in backends}
        best_c = max(levels, key=lambda c: results["vllm", c]["offers_s"])

        # The whole pipeline (retrieve, render, generate, guard, audit) on vLLM at its best
        # level, one round of n=3 per request, against the raw backend on the same requests.
        # A pipeline of its own (the context's is left as it is), grounding for the vLLM profile.
        profile = vprofile.model_copy(update={"oversample": 1.0})
        pipeline = dataclasses.replace(
            ctx.pipeline,
            backend=backends["vllm"],
            profile=profile,
            grounder=dataclasses.replace(ctx.pipeline.grounder, profile=profile),
        )
        pipeline.warm_up()
        count = per_level[best_c]
        started = time.perf_counter()
        with ThreadPoolExecutor(best_c) as pool:
            responses = list(
                pool.map(
                    lambda ir: pipeline.generate(ir[1], RequestMeta(f"bench-{ir[0]}")),
                    enumerate(reqs[:count]),
                )
            )
        wall = time.perf_counter() - started
        produced = sum(len(r.variants) for r in responses)
        pipe_offers = produced / wall
        raw_offers = results["vllm", best_c]["offers_s"]
        print(
            f"pipeline on vllm, {best_c} callers: {count} requests, {produced} variants, "
            f"{pipe_offers:.2f} offers/s (raw backend {raw_offers:.2f} offers/s)"
        )
        print(f"vllm/transformers throughput ratio: {best['vllm'] / best['transformers']:.2f}")
        print(
            f"pipeline/raw backend throughput: {pipe_offers / raw_offers:.2f} "
            f"(overhead {max(0.0, 1 - pipe_offers / raw_offers):.0%}; target <= 10%)"
        )
        return 0


if __name__ == "__main__":
    sys.exit(main())
