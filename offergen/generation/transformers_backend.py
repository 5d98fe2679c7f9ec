"""In-process backend: Hugging Face transformers on the CPU or a CUDA GPU.

Concurrent requests are micro-batched: those with the same sampling settings share one `generate`
call (left-padded prompts, each completion a row of its own) instead of queueing behind a lock,
and each row samples from its own seeded generator, so a seeded request's completions do not
depend on what it was batched with.
"""

from __future__ import annotations

import time
from collections.abc import Hashable, Sequence
from dataclasses import dataclass
from pathlib import Path
from typing import Any, Literal

from offergen.errors import BackendError, ConfigError
from offergen.generation.base import Completion, GenerationParams, GenerationResult, cut_at_stop
from offergen.generation.micro_batcher import MicroBatcher

Device = Literal["auto", "cpu", "cuda"]


@dataclass(frozen=True)
class _Job:
    prompt: str
    params: GenerationParams


def _batch_key(job: _Job) -> Hashable:
    """What rows of one `generate` call must share (the token limit is cut per row afterwards)."""
    p = job.params
    return (p.temperature, p.top_p, p.repetition_penalty, p.stop, p.bad_words)


def resolve_device(device: Device) -> str:
    """`auto` is CUDA when torch sees a GPU, else the CPU; asking for CUDA without one fails."""
    import torch

    if device == "auto":
        return "cuda" if torch.cuda.is_available() else "cpu"
    if device == "cuda" and not torch.cuda.is_available():
        raise ConfigError("device 'cuda' was asked for, but torch sees no CUDA GPU here")
    return device


class TransformersBackend:
    name = "transformers"

    def __init__(
        self,
        checkpoint_dir: Path,
        model_id: str,
        dtype: str = "bfloat16",
        threads: int | None = None,
        device: Device = "auto",
        max_batch_rows: int = 32,
    ) -> None:
        self.checkpoint_dir = checkpoint_dir
        self.model_id = model_id
        self.dtype = dtype
        self.threads = threads
        self.device = device
        self._model: Any = None
        self._tokenizer: Any = None
        self.batcher = MicroBatcher[_Job, GenerationResult](
            self._generate_batch,
            key=_batch_key,
            rows=lambda job: job.params.n,
            max_rows=max_batch_rows,
            name="transformers-batcher",
        )

    def warm_up(self) -> None:
        if self._model is not None:
            return
        if not self.checkpoint_dir.is_dir():
            raise ConfigError(
                f"no model checkpoint at {self.checkpoint_dir}; run `offergen model prepare`"
            )
        import torch
        from transformers import AutoModelForCausalLM, AutoTokenizer

        device = resolve_device(self.device)
        if self.threads:
            torch.set_num_threads(self.threads)
        # the profile's dtype is the CPU's choice; a GPU always computes in bf16
        dtype = "bfloat16" if device == "cuda" else self.dtype
        tokenizer = AutoTokenizer.from_pretrained(str(self.checkpoint_dir))
        tokenizer.padding_side = "left"  # rows of a batch end where their completions begin
        model: Any = AutoModelForCausalLM.from_pretrained(
            str(self.checkpoint_dir), dtype=getattr(torch, dtype)
        )
        model = model.to(device).eval()
        self._tokenizer, self._model = tokenizer, model

    def _bad_words_ids(self, words: tuple[str, ...]) -> list[list[int]]:
        """Each word's token ids, alone and after a space (how it starts a word mid-sentence)."""
        tok = self._tokenizer
        seqs = {
            tuple(tok(form, add_special_tokens=False).input_ids)
            for word in words
            for form in (word, f" {word}")
        }
        return [list(s) for s in sorted(seqs) if s]

    def generate(self, prompt: str, params: GenerationParams) -> GenerationResult:
        if self._model is None:
            raise BackendError("the transformers backend was not warmed up")
        return self.batcher(_Job(prompt, params))

    def _generate_batch(self, jobs: Sequence[_Job]) -> list[GenerationResult]:
        import torch
        from transformers import LogitsProcessorList

        from offergen.generation.row_sampler import RowSampler, row_generator

        started = time.perf_counter()
        tok, params = self._tokenizer, jobs[0].params  # the batch key makes params alike
        prompts = [job.prompt for job in jobs for _ in range(job.params.n)]
        inputs = tok(prompts, return_tensors="pt", padding=True).to(self._model.device)
        generators = [row_generator(j.params.seed, i) for j in jobs for i in range(j.params.n)]
        kwargs: dict[str, Any] = {
            "max_new_tokens": max(job.params.max_new_tokens for job in jobs),
            "do_sample": False,  # RowSampler draws each row; the greedy step takes its draw
            "logits_processor": LogitsProcessorList(
                [RowSampler(generators, params.temperature, params.top_p)]
            ),
            "repetition_penalty": params.repetition_penalty,
            "pad_token_id": tok.pad_token_id,
        }
        if params.stop:
            kwargs.update(stop_strings=list(params.stop), tokenizer=tok)
        if params.bad_words:
            kwargs.update(bad_words_ids=self._bad_words_ids(params.bad_words))
        with torch.inference_mode():
            output = self._model.generate(**inputs, **kwargs)
        elapsed_ms = (time.perf_counter() - started) * 1000

        padded_len = int(inputs["input_ids"].shape[1])
        rows = output[:, padded_len:].tolist()
        prompt_lens = inputs["attention_mask"].sum(dim=1).tolist()
        results, first = [], 0
        for job in jobs:
            n = job.params.n
            completions = [self._completion(row, job.params) for row in rows[first : first + n]]
            results.append(
                GenerationResult(
                    completions=completions,
                    prompt_tokens=int(prompt_lens[first]),
                    completion_tokens=sum(c.completion_tokens for c in completions),
                    elapsed_ms=elapsed_ms,
                )
            )
            first += n
        return results

    def _completion(self, row: list[int], params: GenerationParams) -> Completion:
        tok = self._tokenizer
        ids = [t for t in row if t != tok.pad_token_id][: params.max_new_tokens]
        hit_eos = tok.eos_token_id in ids
        if hit_eos:
            ids = ids[: ids.index(tok.eos_token_id)]
        text, stopped = cut_at_stop(tok.decode(ids, skip_special_tokens=True), params.stop)
        return Completion(
            text=text,
            finish_reason="stop" if stopped or hit_eos else "length",
            completion_tokens=len(ids),
        )
