"""Backend construction from a model profile: the one place that maps names to classes."""

from __future__ import annotations

from collections.abc import Callable
from pathlib import Path

from offergen.errors import ConfigError
from offergen.generation.base import Backend
from offergen.generation.profiles import ModelProfile
from offergen.generation.transformers_backend import TransformersBackend


def _transformers(profile: ModelProfile, checkpoints_dir: Path, threads: int | None) -> Backend:
    return TransformersBackend(
        profile.checkpoint_dir(checkpoints_dir),
        profile.model_id,
        profile.dtype,
        threads,
        device=profile.device,
    )


def _vllm(profile: ModelProfile, checkpoints_dir: Path, threads: int | None) -> Backend:
    from offergen.generation.vllm_backend import VllmBackend

    return VllmBackend(
        profile.server.url,
        profile.model_id,
        prompt_style=profile.prompt_style,
        max_concurrency=profile.server.max_concurrency,
        timeout_s=profile.server.timeout_s,
    )


BACKENDS: dict[str, Callable[[ModelProfile, Path, int | None], Backend]] = {
    "transformers": _transformers,
    "vllm": _vllm,
}


def make_backend(
    profile: ModelProfile,
    checkpoints_dir: Path,
    backend: str | None = None,
    threads: int | None = None,
) -> Backend:
    """Build the profile's backend (or `backend`, when given); cheap: nothing is loaded yet."""
    name = backend or profile.backend
    try:
        factory = BACKENDS[name]
    except KeyError:
        raise ConfigError(
            f"unknown backend '{name}'; available: {', '.join(sorted(BACKENDS))}"
        ) from None
    return factory(profile, checkpoints_dir, threads)
