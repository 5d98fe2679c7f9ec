from __future__ import annotations

from pathlib import Path

import pytest

from offergen.config import Settings
from offergen.errors import BackendError, ConfigError
from offergen.generation.base import GenerationParams
from offergen.generation.profiles import load_profile
from offergen.generation.transformers_backend import TransformersBackend

PROMPT = (
    "FreshMart (grocery) marketing archive.\n"
    "Terms: 5% cashback; min spend $50\nChannel: sms\n"
    "Copy: Get 5% cashback at FreshMart when you spend $50. Terms apply.\n\n"
    "Terms: 10% cashback\nChannel: sms\nCopy:"
)


@pytest.fixture(scope="module")
def backend(prepared_settings: Settings) -> TransformersBackend:
    profile = load_profile(prepared_settings.models_dir, "embedded")
    b = TransformersBackend(profile.checkpoint_dir(prepared_settings.checkpoints_dir), "gemma")
    b.warm_up()
    return b


@pytest.mark.model
def test_generates_n_completions_cut_at_stop(backend: TransformersBackend) -> None:
    params = GenerationParams(n=3, max_new_tokens=40, stop=("\n",), seed=7)
    result = backend.generate(PROMPT, params)
    assert len(result.completions) == 3
    assert result.prompt_tokens > 20
    assert result.completion_tokens == sum(c.completion_tokens for c in result.completions)
    for c in result.completions:
        assert "\n" not in c.text
        assert c.completion_tokens > 0
        assert c.finish_reason in ("stop", "length")
    assert any(c.text.strip() for c in result.completions)


@pytest.mark.model
def test_same_seed_same_text(backend: TransformersBackend) -> None:
    params = GenerationParams(n=2, max_new_tokens=16, stop=("\n",), seed=11)
    first = [c.text for c in backend.generate(PROMPT, params).completions]
    again = [c.text for c in backend.generate(PROMPT, params).completions]
    assert first == again


@pytest.mark.model
def test_greedy_is_deterministic_without_seed(backend: TransformersBackend) -> None:
    params = GenerationParams(n=1, max_new_tokens=12, temperature=0)
    assert (
        backend.generate(PROMPT, params).completions == backend.generate(PROMPT, params).completions
    )


def test_generate_before_warm_up_fails_clearly(tmp_path: Path) -> None:
    with pytest.raises(BackendError, match="not warmed up"):
        TransformersBackend(tmp_path, "m").generate("x", GenerationParams())


def test_missing_checkpoint_says_how_to_fix(tmp_path: Path) -> None:
    with pytest.raises(ConfigError, match="offergen model prepare"):
        TransformersBackend(tmp_path / "nope", "m").warm_up()
