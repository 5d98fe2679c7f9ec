"""Small real implementations of stage protocols, for fast unit tests."""

from __future__ import annotations

from collections import deque

from offergen.generation.base import Completion, GenerationParams, GenerationResult


class ScriptedBackend:
    """A Backend that returns scripted texts in order, recording every call it gets."""

    name = "scripted"
    model_id = "scripted-model"

    def __init__(self, texts: list[str]) -> None:
        self._texts = deque(texts)
        self.calls: list[tuple[str, GenerationParams]] = []
        self.warmed = False

    def warm_up(self) -> None:
        self.warmed = True

    def generate(self, prompt: str, params: GenerationParams) -> GenerationResult:
        self.calls.append((prompt, params))
        out = [self._texts.popleft() if self._texts else "" for _ in range(params.n)]
        completions = [
            Completion(text=t, finish_reason="stop", completion_tokens=len(t.split())) for t in out
        ]
        return GenerationResult(
            completions=completions,
            prompt_tokens=len(prompt.split()),
            completion_tokens=sum(c.completion_tokens for c in completions),
            elapsed_ms=0.0,
        )
