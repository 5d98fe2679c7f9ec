from __future__ import annotations

from pathlib import Path

import pytest

from offergen.errors import ConfigError
from offergen.generation.factory import make_backend
from offergen.generation.profiles import load_profile
from offergen.generation.transformers_backend import TransformersBackend


def test_profile_backend_is_built_cheaply(repo_root: Path, tmp_path: Path) -> None:
    profile = load_profile(repo_root / "models", "embedded")
    backend = make_backend(profile, tmp_path)
    assert isinstance(backend, TransformersBackend)
    assert backend.checkpoint_dir == tmp_path / profile.checkpoint  # nothing loaded yet


def test_unknown_backend_lists_the_known_ones(repo_root: Path, tmp_path: Path) -> None:
    profile = load_profile(repo_root / "models", "embedded")
    with pytest.raises(ConfigError, match="unknown backend 'tgi'; available: transformers"):
        make_backend(profile, tmp_path, backend="tgi")
