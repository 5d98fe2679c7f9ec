"""In-process backend: Hugging Face transformers on CPU (bf16), batched over variants."""

from __future__ import annotations

import threading
import time
from pathlib import Path
from typing import Any

from offergen.errors import BackendError, ConfigError
from offergen.generation.base import Completion, GenerationParams, GenerationResult, cut_at_stop


class TransformersBackend:
    name = "transformers"

    def __init__(
        self,
        checkpoint_dir: Path,
        model_id: str,
        dtype: str = "bfloat16",
        threads: int | None = None,
    ) -> None:
        self.checkpoint_dir = checkpoint_dir
        self.model_id = model_id
        self.dtype = dtype
        self.threads = threads
        self._model: Any = None
        self._tokenizer: Any = None
        # One forward pass at a time: the model is not thread-safe and the CPU is saturated anyway.
        self._lock = threading.Lock()

    def warm_up(self) -> None:
        if self._model is not None:
            return
        if not self.checkpoint_dir.is_dir():
            raise ConfigError(
                f"no model checkpoint at {self.checkpoint_dir}; run `offergen model prepare`"
            )
        import torch
        from transformers import AutoModelForCausalLM, AutoTokenizer

        if self.threads:
            torch.set_num_threads(self.threads)
        self._tokenizer = AutoTokenizer.from_pretrained(str(self.checkpoint_dir))
        model = AutoModelForCausalLM.from_pretrained(
            str(self.checkpoint_dir), dtype=getattr(torch, self.dtype)
        )
        model.eval()  # type: ignore[no-untyped-call]
        self._model = model

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
        import torch

        started = time.perf_counter()
        tok = self._tokenizer
        inputs = tok(prompt, return_tensors="pt")
        prompt_len = int(inputs["input_ids"].shape[1])
        sample = params.temperature > 0
        kwargs: dict[str, Any] = {
            "max_new_tokens": params.max_new_tokens,
            "num_return_sequences": params.n,
            "do_sample": sample,
            "repetition_penalty": params.repetition_penalty,
            "pad_token_id": tok.pad_token_id,
        }
        if sample:
            kwargs.update(temperature=params.temperature, top_p=params.top_p, top_k=50)
        if params.stop:
            kwargs.update(stop_strings=list(params.stop), tokenizer=tok)
        if params.bad_words:
            kwargs.update(bad_words_ids=self._bad_words_ids(params.bad_words))
        with self._lock, torch.inference_mode():
            if params.seed is not None:
                torch.manual_seed(params.seed)
            output = self._model.generate(**inputs, **kwargs)

        completions: list[Completion] = []
        for row in output[:, prompt_len:]:
            ids = [int(t) for t in row if int(t) != tok.pad_token_id]
            hit_eos = tok.eos_token_id in ids
            if hit_eos:
                ids = ids[: ids.index(tok.eos_token_id)]
            text, stopped = cut_at_stop(tok.decode(ids, skip_special_tokens=True), params.stop)
            completions.append(
                Completion(
                    text=text,
                    finish_reason="stop" if stopped or hit_eos else "length",
                    completion_tokens=len(ids),
                )
            )
        return GenerationResult(
            completions=completions,
            prompt_tokens=prompt_len,
            completion_tokens=sum(c.completion_tokens for c in completions),
            elapsed_ms=(time.perf_counter() - started) * 1000,
        )
