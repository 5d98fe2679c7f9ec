"""Sampling with a random generator per batch row, for the in-process backend's micro-batches.

`generate` draws every row from one global generator, so a request's completions would depend on
which other requests shared its batch. This processor samples each row from its own generator
(seeded from the request's seed and the completion's index) and hands `generate` a one-hot
choice, which its greedy step then takes: a seeded request gets the same completions alone or
batched (in float32; in bf16 the rounding of a left-padded row can tip a draw now and then).
Imported only when the model is (it imports torch).
"""

from __future__ import annotations

import torch
from transformers import LogitsProcessor

__all__ = ["RowSampler", "row_generator"]

TOP_K = 50  # as transformers' default sampling does


def row_generator(seed: int | None, index: int) -> torch.Generator | None:
    """The generator of completion `index` of a request; None for an unseeded request (drawn from
    the global generator)."""
    if seed is None:
        return None
    return torch.Generator().manual_seed(seed * 1_000_003 + index)


class RowSampler(LogitsProcessor):
    def __init__(
        self, generators: list[torch.Generator | None], temperature: float, top_p: float
    ) -> None:
        self.generators = generators
        self.temperature = temperature
        self.top_p = top_p

    def __call__(self, input_ids: torch.LongTensor, scores: torch.FloatTensor) -> torch.FloatTensor:
        if self.temperature == 0:
            return scores  # greedy
        # top-k first: nucleus filtering then sorts 50 candidates, not the whole vocabulary
        logits, ids = torch.topk(scores.float().cpu() / self.temperature, TOP_K, dim=-1)
        probs = torch.softmax(logits, dim=-1)
        outside = probs.cumsum(dim=-1) - probs > self.top_p  # the most likely token always stays
        probs = probs.masked_fill(outside, 0.0)
        chosen = torch.stack(
            [
                torch.multinomial(probs[row], 1, generator=gen)
                for row, gen in enumerate(self.generators)
            ]
        )
        out = torch.full_like(scores, float("-inf"))
        out.scatter_(1, ids.gather(1, chosen).to(scores.device), 0.0)
        return out  # type: ignore[return-value]
