"""Generation speed of the default profile, side by side with the previous float32 server (and,
optionally, the in-process transformers backend), on the same prompts, parameters and seeds.

For each profile and concurrency level the same requests are sent: the prompts the pipeline
renders for a mix of merchants, offers and channels, n=3 completions each, the template's stop
sequence and per-channel token limit, seed 7. Reported: output tokens/s, offers/s (completions per
second), p50/p95 latency per request, prompt tokens per request, and vLLM's own prefix-cache
counters (`/metrics`) over the measured requests. Servers run one at a time (each is started here
unless one already answers its URL, and stopped afterwards), so they never share the CPU.

Run: `.venv/bin/python eval/bench/generation.py --quick --levels 1,8 --baseline`. Its last lines:
`speedup over float32 at N callers: X` per level and `prefix cache hit rate: Z`. With
`--backends transformers` (or `vllm,transformers`) it measures the in-process backend too: its
micro-batching against one request per batch, on the same work.
"""

from __future__ import annotations

import argparse
import os
import statistics
import sys
import time
from concurrent.futures import ThreadPoolExecutor

os.environ.setdefault("HF_HUB_OFFLINE", "1")
os.environ.setdefault("TRANSFORMERS_OFFLINE", "1")

import httpx
from _offers import OFFERS  # eval/bench is sys.path[0] when run

from offergen.app_context import open_context
from offergen.config import Settings
from offergen.generation.base import Backend, GenerationParams
from offergen.generation.factory import make_backend
from offergen.generation.profiles import ModelProfile, load_profile
from offergen.generation.transformers_backend import TransformersBackend
from offergen.generation.vllm_server import ManagedServer, llm_server
from offergen.schemas import GenerateRequest
from offergen.store.knowledge_base import KnowledgeBase

N = 3  # completions per request, as the pipeline asks for 3 variants without oversampling
BASELINE = "embedded-vllm-fp32"
TRANSFORMERS = "embedded"

Work = list[tuple[str, GenerationParams]]


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


def run(backend: Backend, work: Work, concurrency: int) -> dict[str, float]:
    latencies: list[float] = []
    tokens = completions = prompt_tokens = 0

    def one(item: tuple[str, GenerationParams]) -> tuple[float, int, int, int]:
        started = time.perf_counter()
        result = backend.generate(*item)
        seconds = time.perf_counter() - started
        return seconds, result.completion_tokens, len(result.completions), result.prompt_tokens

    started = time.perf_counter()
    with ThreadPoolExecutor(concurrency) as pool:
        for seconds, toks, n, prompt in pool.map(one, work):
            latencies.append(seconds)
            tokens += toks
            completions += n
            prompt_tokens += prompt
    wall = time.perf_counter() - started
    latencies.sort()
    return {
        "tok_s": tokens / wall,
        "offers_s": completions / wall,
        "p50": statistics.median(latencies),
        "p95": latencies[min(len(latencies) - 1, int(0.95 * len(latencies)))],
        "prompt_tokens": prompt_tokens / len(work),
        "requests": len(work),
    }


def prefix_cache_counters(url: str) -> tuple[float, float]:
    """(queried, hit) prompt tokens from vLLM's Prometheus counters, summed over their labels."""
    text = httpx.get(f"{url.rstrip('/')}/metrics", timeout=10).text
    totals = {"vllm:prefix_cache_queries_total": 0.0, "vllm:prefix_cache_hits_total": 0.0}
    for line in text.splitlines():
        name = line.split("{", 1)[0].split(" ", 1)[0]
        if name in totals:
            totals[name] += float(line.rsplit(" ", 1)[1])
    return totals["vllm:prefix_cache_queries_total"], totals["vllm:prefix_cache_hits_total"]


def warmed(backend: Backend, work: Work) -> Backend:
    """`backend` loaded and called once: first-call costs (compilation, caches) stay out of the
    figures."""
    backend.warm_up()
    backend.generate(*work[0])
    return backend


def measure(
    name: str, backend: Backend, work: Work, levels: list[int], per_level: dict[int, int]
) -> dict[int, dict[str, float]]:
    """Each level's figures on a `warmed` backend."""
    results = {}
    for c in levels:
        res = results[c] = run(backend, work[: per_level[c]], c)
        print(
            f"{name:<20}{c:>8}{int(res['requests']):>9}{res['prompt_tokens']:>9.0f}"
            f"{res['tok_s']:>11.1f}{res['offers_s']:>10.2f}{res['p50']:>8.2f}{res['p95']:>8.2f}",
            flush=True,
        )
    return results


def measure_vllm(
    profile: ModelProfile,
    settings: Settings,
    work: Work,
    levels: list[int],
    per_level: dict[int, int],
) -> tuple[dict[int, dict[str, float]], float | None]:
    """The profile's own server, started for this measurement only; with its prefix-cache hit rate
    over the measured requests (None when the server exports no such counters)."""
    log_path = settings.data_dir / f"vllm-bench-{profile.name}.log"
    server = ManagedServer(
        profile, settings.checkpoints_dir, settings.cache_dir / "vllm", log_path=log_path
    )
    # callers queue at high concurrency: allow for it instead of timing out
    profile = profile.model_copy(
        update={"server": profile.server.model_copy(update={"timeout_s": 600})}
    )
    with llm_server(server):
        server.wait()
        backend = warmed(make_backend(profile, settings.checkpoints_dir), work)
        before = prefix_cache_counters(profile.server.url)
        results = measure(profile.name, backend, work, levels, per_level)
        after = prefix_cache_counters(profile.server.url)
    queried = after[0] - before[0]
    return results, (after[1] - before[1]) / queried if queried else None


def main() -> int:
    ap = argparse.ArgumentParser()
    ap.add_argument("--quick", action="store_true", help="fewer requests per level")
    ap.add_argument("--levels", default="1,8,32")
    ap.add_argument(
        "--baseline", action="store_true", help=f"also run {BASELINE} (the float32 server)"
    )
    ap.add_argument(
        "--backends",
        default="vllm",
        help=f"comma-separated: vllm (the default profile's server), transformers (in-process "
        f"{TRANSFORMERS}, micro-batched and one request per batch; on a GPU when torch sees one)",
    )
    ap.add_argument("--profile", help="the vLLM profile measured [default: the settings' default]")
    args = ap.parse_args()
    levels = [int(x) for x in args.levels.split(",")]
    settings = Settings(seed=7, max_attempts=1)
    default = load_profile(settings.models_dir, args.profile or settings.model_profile)

    with open_context(settings) as ctx:
        # The same prompts and parameters for every backend and level.
        per_level = {c: (max(c, 4) if args.quick else max(2 * c, 8)) for c in levels}
        ctx.pipeline.warm_up(model=False)
        work: Work = []
        for r in requests(ctx.kb, max(per_level.values())):
            p = ctx.pipeline.render(r).prompt
            params = GenerationParams(n=N, max_new_tokens=p.max_new_tokens, stop=p.stop, seed=7)
            work.append((p.text, params))

    print(
        f"{'profile':<20}{'callers':>8}{'requests':>9}{'prompt':>9}{'out tok/s':>11}"
        f"{'offers/s':>10}{'p50 s':>8}{'p95 s':>8}",
        flush=True,
    )
    backends = args.backends.split(",")
    if "transformers" in backends:
        # micro-batched (the backend as it is) against one request per batch, as it was
        tprofile = load_profile(settings.models_dir, TRANSFORMERS)
        tbackend = warmed(make_backend(tprofile, settings.checkpoints_dir), work)
        batched = measure(TRANSFORMERS, tbackend, work, levels, per_level)
        alone = TransformersBackend(
            tprofile.checkpoint_dir(settings.checkpoints_dir),
            tprofile.model_id,
            tprofile.dtype,
            device=tprofile.device,
            max_batch_rows=N,
        )
        single = measure(f"{TRANSFORMERS} 1/batch", warmed(alone, work), work, levels, per_level)
        for c in levels:
            gain = batched[c]["offers_s"] / single[c]["offers_s"]
            print(
                f"in-process micro-batching over one request per batch at {c} callers: {gain:.2f}"
            )
    if "vllm" not in backends:
        return 0
    results, hit_rate = measure_vllm(default, settings, work, levels, per_level)
    if args.baseline:
        fp32 = load_profile(settings.models_dir, BASELINE)
        base, _ = measure_vllm(fp32, settings, work, levels, per_level)
        for c in levels:
            speedup = results[c]["offers_s"] / base[c]["offers_s"]
            print(f"speedup over float32 at {c} caller{'s' if c > 1 else ''}: {speedup:.2f}")
    print(f"prefix cache hit rate: {'n/a' if hit_rate is None else f'{hit_rate:.2f}'}")
    return 0


if __name__ == "__main__":
    sys.exit(main())
