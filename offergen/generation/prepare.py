"""Turn a profile's shipped weights into a checkpoint the backends load fast (run once)."""

from __future__ import annotations

import importlib
import json
import logging
import os
import shutil
from pathlib import Path
from types import ModuleType
from typing import Any

from pydantic import BaseModel

from offergen.errors import ConfigError
from offergen.generation.profiles import LocalDirSource, ModelProfile

log = logging.getLogger(__name__)

MARKER = "offergen-checkpoint.json"


class PreparedModel(BaseModel):
    checkpoint_dir: Path
    gguf_path: Path | None  # None: the weights were placed on disk, not converted
    created: bool


def gguf_path(profile: ModelProfile, checkpoints_dir: Path) -> Path:
    """Where the assembled GGUF of a profile lives (inside the data dir, never ~/.cache)."""
    package = _source_package(profile)
    return checkpoints_dir / "gguf" / str(package.MODEL_NAME)


def is_prepared(profile: ModelProfile, checkpoints_dir: Path) -> bool:
    if isinstance(profile.source, LocalDirSource):
        return (profile.checkpoint_dir(checkpoints_dir) / "config.json").is_file()
    marker = profile.checkpoint_dir(checkpoints_dir) / MARKER
    if not marker.is_file():
        return False
    recorded = json.loads(marker.read_text(encoding="utf-8"))
    return bool(recorded.get("source_sha256") == _source_package(profile).EXPECTED_SHA256)


def prepare(profile: ModelProfile, checkpoints_dir: Path) -> PreparedModel:
    """Assemble the GGUF and convert it into an HF checkpoint; a no-op when already done.

    The checkpoint keeps the dequantized weights in float32, so it is exactly the GGUF model;
    backends may cast to the profile's dtype when they load it.

    The converted checkpoint is written aside and renamed into place, so an interrupted run never
    leaves a half-written checkpoint that looks complete.
    """
    target = profile.checkpoint_dir(checkpoints_dir)
    if isinstance(profile.source, LocalDirSource):
        if not is_prepared(profile, checkpoints_dir):
            raise ConfigError(
                f"model profile '{profile.name}' expects its weights at {target}; "
                f"{profile.source.fetch}"
            )
        return PreparedModel(checkpoint_dir=target, gguf_path=None, created=False)
    gguf = gguf_path(profile, checkpoints_dir)
    if is_prepared(profile, checkpoints_dir) and gguf.is_file():
        return PreparedModel(checkpoint_dir=target, gguf_path=gguf, created=False)

    package = _source_package(profile)
    log.info("assembling %s", gguf.name)
    package.assemble(gguf)

    model, tokenizer = load_gguf(gguf)
    staging = target.with_name(f"{target.name}.tmp-{os.getpid()}")
    shutil.rmtree(staging, ignore_errors=True)
    _plain_copy(model).save_pretrained(staging)
    tokenizer.save_pretrained(staging)
    (staging / MARKER).write_text(
        json.dumps(
            {
                "profile": profile.name,
                "model_id": profile.model_id,
                "source": gguf.name,
                "source_sha256": package.EXPECTED_SHA256,
                "dtype": "float32",
            },
            indent=2,
        ),
        encoding="utf-8",
    )
    if target.exists():
        shutil.rmtree(target)
    staging.rename(target)
    return PreparedModel(checkpoint_dir=target, gguf_path=gguf, created=True)


def _plain_copy(model: Any) -> Any:
    """A GGUF-loaded model refuses save_pretrained; rebuild it without its quantization_config."""
    from transformers import AutoModelForCausalLM

    config = model.config
    if hasattr(config, "quantization_config"):
        del config.quantization_config
    plain = AutoModelForCausalLM.from_config(config, dtype=model.dtype)  # type: ignore[no-untyped-call]
    plain.load_state_dict(model.state_dict())
    return plain


def load_gguf(path: Path, dtype: str = "float32") -> tuple[Any, Any]:
    """Load model and tokenizer straight from a GGUF file (slow: dequantizes every tensor)."""
    import torch
    from transformers import AutoModelForCausalLM, AutoTokenizer

    tokenizer = AutoTokenizer.from_pretrained(str(path.parent), gguf_file=path.name)
    model = AutoModelForCausalLM.from_pretrained(
        str(path.parent), gguf_file=path.name, dtype=getattr(torch, dtype)
    )
    return model, tokenizer


def _source_package(profile: ModelProfile) -> ModuleType:
    source = profile.source
    if isinstance(source, LocalDirSource):
        raise ConfigError(f"model profile '{profile.name}' ships no package: {source.fetch}")
    try:
        return importlib.import_module(source.package)
    except ImportError as exc:
        raise ConfigError(
            f"model profile '{profile.name}' needs the Python package '{source.package}'; "
            "run `make install`"
        ) from exc
