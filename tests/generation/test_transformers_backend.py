from __future__ import annotations

import threading
from concurrent.futures import ThreadPoolExecutor
from pathlib import Path

import pytest

from offergen.config import Settings
from offergen.errors import BackendError, ConfigError
from offergen.generation.base import GenerationParams, GenerationResult
from offergen.generation.profiles import load_profile
from offergen.generation.transformers_backend import TransformersBackend, resolve_device

PROMPT = (
    "FreshMart (grocery) marketing archive.\n"
    "Terms: 5% cashback; min spend $50\nChannel: sms\n"
    "Copy: Get 5% cashback at FreshMart when you spend $50. Terms apply.\n\n"
    "Terms: 10% cashback\nChannel: sms\nCopy:"
)


@pytest.fixture(scope="module")
def backend(prepared_settings: Settings) -> TransformersBackend:
    profile = load_profile(prepared_settings.models_dir, "embedded")
    b = TransformersBackend(
        profile.checkpoint_dir(prepared_settings.checkpoints_dir), "gemma", profile.dtype
    )
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


OTHER_PROMPT = (
    "Voltix (electronics) marketing archive.\n"
    "Terms: pay in 4 installments\nChannel: push\n"
    "Copy: Split your Voltix order into 4 interest-free payments.\n\n"
    "Terms: pay in 6 installments\nChannel: push\nCopy:"
)


def _texts(result: GenerationResult) -> list[str]:
    return [c.text for c in result.completions]


@pytest.mark.model
def test_concurrent_callers_share_a_batch_and_get_their_own_completions(
    backend: TransformersBackend,
) -> None:
    """Seeded requests sent together come back as they come alone: each caller's own prompt,
    n and seed, whatever it was batched with (in the profile's float32; in bf16 the rounding of a
    padded row can tip a draw)."""
    jobs = [
        (PROMPT, GenerationParams(n=2, max_new_tokens=16, stop=("\n",), seed=3)),
        (OTHER_PROMPT, GenerationParams(n=1, max_new_tokens=16, stop=("\n",), seed=4)),
        (PROMPT, GenerationParams(n=3, max_new_tokens=8, stop=("\n",), seed=5)),
    ]
    alone = [_texts(backend.generate(*job)) for job in jobs]
    batches_before = backend.batcher.batches
    release = threading.Barrier(len(jobs))

    def call(job: tuple[str, GenerationParams]) -> GenerationResult:
        release.wait()
        return backend.generate(*job)

    with ThreadPoolExecutor(len(jobs)) as pool:
        together = list(pool.map(call, jobs))
    assert [_texts(r) for r in together] == alone
    assert [len(r.completions) for r in together] == [2, 1, 3]
    assert all(c.completion_tokens <= 8 for c in together[2].completions)
    # fewer generate calls than requests: they were batched
    assert backend.batcher.batches - batches_before < len(jobs)
    assert together[1].prompt_tokens != together[0].prompt_tokens  # each row's own prompt


@pytest.mark.model
def test_requests_with_different_sampling_are_not_mixed(backend: TransformersBackend) -> None:
    greedy = GenerationParams(n=1, max_new_tokens=10, temperature=0)
    sampled = GenerationParams(n=2, max_new_tokens=10, seed=9)
    alone = [_texts(backend.generate(PROMPT, p)) for p in (greedy, sampled)]
    with ThreadPoolExecutor(2) as pool:
        together = list(pool.map(lambda p: _texts(backend.generate(PROMPT, p)), (greedy, sampled)))
    assert together == alone


def test_device_auto_is_the_cpu_without_a_gpu() -> None:
    import torch

    expected = "cuda" if torch.cuda.is_available() else "cpu"
    assert resolve_device("auto") == expected
    assert resolve_device("cpu") == "cpu"


def test_asking_for_cuda_without_a_gpu_fails_clearly() -> None:
    import torch

    if torch.cuda.is_available():
        assert resolve_device("cuda") == "cuda"
    else:
        with pytest.raises(ConfigError, match="torch sees no CUDA GPU"):
            resolve_device("cuda")
