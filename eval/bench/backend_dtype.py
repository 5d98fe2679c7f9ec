"""In-process backend: float32 vs bfloat16 on this CPU, same prompt, same seed, one run.

Why it exists: models/embedded.yaml serves in float32 because bf16 matmuls measured slower on
the CPU build of torch used here. Run: `.venv/bin/python eval/bench/backend_dtype.py`.
"""

from __future__ import annotations

import os
import sys
import time

os.environ.setdefault("HF_HUB_OFFLINE", "1")
os.environ.setdefault("TRANSFORMERS_OFFLINE", "1")

from offergen.config import Settings
from offergen.generation.base import GenerationParams
from offergen.generation.profiles import load_profile
from offergen.generation.transformers_backend import TransformersBackend

PROMPT = (
    "FreshMart (grocery) marketing archive.\n"
    + "".join(
        f"\nTerms: {v}% cashback; min spend $50\nChannel: sms\nAudience: general\n"
        f"Copy: Get {v}% cash back at FreshMart on orders of $50 or more. Terms apply.\n"
        for v in (2, 3, 4, 6, 8)
    )
    + "\nTerms: 5% cashback; min spend $50\nChannel: sms\nAudience: general\nCopy:"
)


def main() -> int:
    settings = Settings()
    profile = load_profile(settings.models_dir, settings.model_profile)
    checkpoint = profile.checkpoint_dir(settings.checkpoints_dir)
    rates: dict[str, float] = {}
    for dtype in ("float32", "bfloat16"):
        backend = TransformersBackend(checkpoint, profile.model_id, dtype=dtype)
        backend.warm_up()
        params = GenerationParams(n=3, max_new_tokens=48, temperature=0.7, seed=1)
        backend.generate(PROMPT, params.model_copy(update={"max_new_tokens": 2}))  # warm caches
        started = time.perf_counter()
        tokens = 0
        for _ in range(2):
            tokens += backend.generate(PROMPT, params).completion_tokens
        rates[dtype] = tokens / (time.perf_counter() - started)
        print(f"{dtype:>9}: {rates[dtype]:6.1f} generated tok/s (n=3, prompt + decode)")
    print(f"float32 / bfloat16 throughput ratio: {rates['float32'] / rates['bfloat16']:.2f}x")
    return 0


if __name__ == "__main__":
    sys.exit(main())
