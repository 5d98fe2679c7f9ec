"""The vLLM backend against a real vLLM (CPU build) server, started once per test session by
`offergen llm serve`'s own command (or reused when one is already serving the profile)."""

from __future__ import annotations

import re
import subprocess
from collections.abc import Iterator

import pytest

from offergen.config import Settings
from offergen.generation.base import GenerationParams
from offergen.generation.profiles import ModelProfile, load_profile
from offergen.generation.vllm_backend import VllmBackend
from offergen.generation.vllm_server import server_command, wait_until_serving

pytestmark = pytest.mark.model


@pytest.fixture(scope="session")
def vllm_profile(prepared_settings: Settings) -> Iterator[ModelProfile]:
    import httpx

    profile = load_profile(prepared_settings.models_dir, "embedded-vllm")
    try:
        httpx.get(f"{profile.server.url}/v1/models", timeout=2).raise_for_status()
        yield profile  # a server is already up (e.g. `offergen llm serve` in another shell)
        return
    except httpx.HTTPError:
        pass
    argv, env = server_command(profile, prepared_settings.checkpoints_dir)
    proc = subprocess.Popen(argv, env=env, stdout=subprocess.DEVNULL, stderr=subprocess.DEVNULL)
    try:
        wait_until_serving(profile.server.url, profile.server.startup_timeout_s, alive=proc)
        yield profile
    finally:
        proc.terminate()
        try:
            proc.wait(30)
        except subprocess.TimeoutExpired:
            proc.kill()


@pytest.fixture(scope="session")
def backend(vllm_profile: ModelProfile) -> Iterator[VllmBackend]:
    b = VllmBackend(vllm_profile.server.url, vllm_profile.model_id)
    b.warm_up()
    yield b
    b.close()


PROMPT = (
    "FreshMart marketing archive.\n\nTerms: 5% cashback; min spend $50\nChannel: sms\n"
    "Copy: FreshMart: get 5% cash back when you spend $50+. Terms apply.\n\n"
    "Terms: 10% off; min spend $30\nChannel: sms\nCopy:"
)


def test_n_variants_with_stop_and_token_counts(backend: VllmBackend) -> None:
    result = backend.generate(PROMPT, GenerationParams(n=4, max_new_tokens=40, stop=("\n",)))
    assert len(result.completions) == 4
    assert all("\n" not in c.text for c in result.completions)
    assert result.prompt_tokens > 20 and result.completion_tokens > 0
    assert len({c.text for c in result.completions}) > 1  # sampled, not one text four times


def test_seed_makes_sampling_reproducible(backend: VllmBackend) -> None:
    params = GenerationParams(n=2, max_new_tokens=30, stop=("\n",), seed=11)
    a = [c.text for c in backend.generate(PROMPT, params).completions]
    b = [c.text for c in backend.generate(PROMPT, params).completions]
    assert a == b


def test_structured_output_pattern_is_enforced(backend: VllmBackend) -> None:
    pattern = r" [A-Za-z0-9 ,.%$!]{1,40}"
    params = GenerationParams(n=3, max_new_tokens=30, pattern=pattern)
    for c in backend.generate(PROMPT, params).completions:
        assert re.fullmatch(pattern, c.text), c.text
