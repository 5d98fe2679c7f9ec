"""The one Settings object: every knob, validated, read from OFFERGEN_* environment variables."""

from __future__ import annotations

import os
from pathlib import Path
from typing import Literal

from pydantic import Field, SecretStr, field_validator, model_validator
from pydantic_settings import BaseSettings, SettingsConfigDict

from offergen.generation.fair_queue import GenerationLimits
from offergen.limits import ApiLimits
from offergen.outcomes.params import LearningParams
from offergen.paths import REPO_ROOT
from offergen.retrieval.index_factory import IndexParams
from offergen.retrieval.ranking import RankingParams


class Settings(BaseSettings):
    model_config = SettingsConfigDict(env_prefix="OFFERGEN_", extra="forbid")

    profile: Literal["dev", "prod"] = Field(
        default="dev",
        description="dev may serve keyless on loopback while no API key exists; prod requires "
        "one (keys live hashed in the database: `offergen keys create`)",
    )
    host: str = "127.0.0.1"
    port: int = Field(default=8000, ge=1, le=65535)

    data_dir: Path = Field(
        default=Path("./var"), description="everything written at run time goes here"
    )
    database_url: SecretStr | None = Field(
        default=None,
        description="SQLAlchemy URL, e.g. postgresql+psycopg://user@host/db; "
        "unset = SQLite file <data_dir>/offergen.db",
    )
    prompts_dir: Path = REPO_ROOT / "prompts"
    guardrails_dir: Path = REPO_ROOT / "guardrails"
    models_dir: Path = REPO_ROOT / "models"

    model_profile: str = Field(
        default="embedded-vllm",
        pattern=r"^[a-z0-9_.-]+$",
        description="models/<name>.yaml; the default serves the embedded model with vLLM, "
        "measured faster here than in-process transformers (eval/bench/generation.py)",
    )
    llm_server: Literal["spawn", "external"] = Field(
        default="spawn",
        description="with a vllm profile: `serve` starts the vLLM server with the API (spawn) "
        "or uses one started separately by `offergen llm serve` (external)",
    )
    template: str | None = Field(
        default=None,
        pattern=r"^[a-z0-9_]+$",
        description="default prompt template; unset = the model profile's",
    )
    retrieve_k: int = Field(
        default=3,
        ge=1,
        le=20,
        description="past offers shown to the model (3: as good as 4 on the compliance suite, "
        "prompts 10 % shorter; docs/decisions/serving-speed.md)",
    )
    rules_k: int = Field(default=5, ge=0, le=20, description="merchant rules shown to the model")
    index: IndexParams = Field(
        default_factory=IndexParams,
        description='FAISS index choice and parameters (JSON, e.g. {"ann": "hnsw"})',
    )
    ranking: RankingParams = Field(
        default_factory=RankingParams,
        description="how retrieval blends similarity with past performance (JSON)",
    )
    limits: ApiLimits = Field(
        default_factory=ApiLimits,
        description='API body size, rate and time limits (JSON, e.g. {"requests_per_minute": 60})',
    )
    learning: LearningParams = Field(
        default_factory=LearningParams,
        description="learning from results: when a variant becomes a past offer, and the "
        'experiments\' stopping rule (JSON, e.g. {"promotion": {"min_sends": 500}})',
    )
    generation: GenerationLimits = Field(
        default_factory=GenerationLimits,
        description="generation requests at once and waiting, per tenant, before 429/503 "
        '(JSON, e.g. {"max_in_flight": 8, "max_queue": 16})',
    )
    shutdown_grace_s: float = Field(
        default=30.0,
        gt=0,
        le=3600,
        description="on SIGTERM: how long requests and campaign items in flight may take to "
        "finish before leases are released and the process exits",
    )
    campaign_workers: int = Field(
        default=8,
        ge=0,
        le=256,
        description="campaign items `serve` generates at once beside the API; "
        "0 = none (run `offergen worker` instead)",
    )
    max_attempts: int = Field(
        default=3, ge=1, le=10, description="generation rounds until every variant is released"
    )
    seed: int | None = Field(default=None, description="sampling seed; unset = random")
    torch_threads: int | None = Field(
        default=None,
        ge=1,
        le=256,
        description="threads of this process's torch, FAISS and BLAS work; unset = every core "
        "for a model in this process (transformers), 1 when it runs in another (vLLM)",
    )
    log_level: Literal["DEBUG", "INFO", "WARNING", "ERROR"] = "INFO"
    console_secret: SecretStr | None = Field(
        default=None,
        description="signs the web console's session cookies (share it between replicas); "
        "unset = generated once and kept in <data_dir>/console/secret",
    )

    @model_validator(mode="after")
    def _no_unknown_environment(self) -> Settings:
        # pydantic-settings ignores OFFERGEN_* variables it has no field for; a typo there would
        # silently fall back to a default, so it is an error instead.
        known = {f"OFFERGEN_{name.upper()}" for name in type(self).model_fields}
        unknown = sorted(k for k in os.environ if k.startswith("OFFERGEN_") and k not in known)
        if unknown:
            raise ValueError(
                f"unknown setting(s) {', '.join(unknown)}; valid: {', '.join(sorted(known))}"
            )
        return self

    @field_validator("data_dir")
    @classmethod
    def _absolute(cls, v: Path) -> Path:
        return v.expanduser().resolve()

    @property
    def db_url(self) -> str:
        """The database URL to connect with (may hold a password: never log it)."""
        if self.database_url is not None:
            return self.database_url.get_secret_value()
        return f"sqlite:///{self.data_dir / 'offergen.db'}"

    @property
    def index_dir(self) -> Path:
        return self.data_dir / "index"

    @property
    def checkpoints_dir(self) -> Path:
        return self.data_dir / "models"

    @property
    def cache_dir(self) -> Path:
        return self.data_dir / "cache"
