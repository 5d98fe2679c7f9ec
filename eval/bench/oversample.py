"""Released variants per second with and without oversampling, same requests and seeds, one run.

A round generates ceil(missing * oversample) candidates in one batch. On CPU the decode is
bound by streaming the embedding matrix, so a larger batch costs little more than a small one,
and more candidates per round means fewer rounds. Run: `.venv/bin/python eval/bench/oversample.py`.
"""

from __future__ import annotations

import dataclasses
import os
import sys
import time

os.environ.setdefault("HF_HUB_OFFLINE", "1")
os.environ.setdefault("TRANSFORMERS_OFFLINE", "1")

from _offers import OFFERS as ALL_OFFERS  # eval/bench is sys.path[0] when run

from offergen.app_context import AppContext, open_context
from offergen.config import Settings
from offergen.pipeline import RequestMeta
from offergen.schemas import GenerateRequest

OFFERS = ALL_OFFERS[:4]


def main() -> int:
    with open_context(Settings(seed=7)) as ctx:
        ctx.pipeline.warm_up()
        return bench(ctx)


def bench(ctx: AppContext) -> int:
    requests = [
        GenerateRequest.model_validate(
            {
                "merchant_id": mid,
                "channel": channel,
                "variants": 3,
                "offer": {
                    **terms,
                    "merchant": ctx.kb.merchant(mid).name,
                    "valid_until": "2030-12-31",
                },
            }
        )
        for mid, channel, terms in OFFERS
    ]
    baseline = ctx.pipeline.profile
    rates: dict[float, float] = {}
    for oversample in (1.0, baseline.oversample):
        # A pipeline per setting (the context's is left as it is); the same warm stages.
        profile = baseline.model_copy(update={"oversample": oversample})
        pipeline = dataclasses.replace(ctx.pipeline, profile=profile)
        released = rounds = 0
        started = time.perf_counter()
        for i, req in enumerate(requests):
            resp = pipeline.generate(req, RequestMeta(f"bench-{oversample}-{i}"))
            released += sum(v.released for v in resp.variants)
            rounds += max(v.attempts for v in resp.variants)
        seconds = time.perf_counter() - started
        rates[oversample] = released / seconds
        print(
            f"oversample {oversample:>4}: {released}/{3 * len(requests)} variants released, "
            f"{rounds} rounds, {seconds:.0f} s, {rates[oversample]:.3f} released/s"
        )
    ratio = rates[baseline.oversample] / rates[1.0] if rates[1.0] else float("inf")
    print(f"released variants per second, oversample {baseline.oversample} vs 1.0: {ratio:.2f}x")
    return 0


if __name__ == "__main__":
    sys.exit(main())
