"""The protocol every generation backend implements (one backend per file)."""

from __future__ import annotations

from typing import Literal, Protocol

from pydantic import BaseModel, ConfigDict, Field


class GenerationParams(BaseModel):
    model_config = ConfigDict(extra="forbid", frozen=True)

    n: int = Field(default=1, ge=1, le=16)
    max_new_tokens: int = Field(default=64, ge=1, le=2048)
    temperature: float = Field(default=0.8, ge=0, le=2)
    top_p: float = Field(default=0.95, gt=0, le=1)
    repetition_penalty: float = Field(default=1.0, ge=1, le=2)
    stop: tuple[str, ...] = ()
    seed: int | None = None
    # A regex the whole completion must match (e.g. a length cap for SMS), for backends with
    # structured/guided decoding; the others ignore it and the guard still checks the result.
    pattern: str | None = None
    # Words the model may not write (e.g. digits, where code writes every number): vLLM's
    # `bad_words`, transformers' `bad_words_ids`.
    bad_words: tuple[str, ...] = ()


class Completion(BaseModel):
    text: str
    finish_reason: Literal["stop", "length"]
    completion_tokens: int


class GenerationResult(BaseModel):
    completions: list[Completion]
    prompt_tokens: int
    completion_tokens: int
    elapsed_ms: float


class Backend(Protocol):
    """Cheap to construct; `warm_up()` loads the model; `generate` returns `params.n` texts."""

    name: str
    model_id: str

    def warm_up(self) -> None: ...

    def generate(self, prompt: str, params: GenerationParams) -> GenerationResult: ...


def cut_at_stop(text: str, stop: tuple[str, ...]) -> tuple[str, bool]:
    """Truncate at the earliest stop sequence; report whether one was found."""
    cuts = [i for i in (text.find(s) for s in stop if s) if i >= 0]
    if not cuts:
        return text, False
    return text[: min(cuts)], True
