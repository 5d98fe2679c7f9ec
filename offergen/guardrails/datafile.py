"""Loading a check's YAML data file (patterns, phrase lists) into a validated model."""

from __future__ import annotations

import re
from collections.abc import Iterable
from pathlib import Path
from typing import TypeVar

import yaml
from pydantic import BaseModel, Field, ValidationError

from offergen.errors import ConfigError
from offergen.guardrails.base import CheckParams
from offergen.paths import REPO_ROOT

M = TypeVar("M", bound=BaseModel)

DATA_DIR = REPO_ROOT / "guardrails" / "data"


def default_data_path(check_name: str) -> Path:
    """The data file a check ships with: guardrails/data/<check>.yaml."""
    return DATA_DIR / f"{check_name}.yaml"


class DataParams(CheckParams):
    """Params of a check that reads guardrails/data/<check>.yaml; `data_file` replaces that file."""

    data_file: Path | None = Field(
        default=None, description="replaces the check's guardrails/data/<check>.yaml"
    )


def check_data(check_name: str, params: DataParams, model: type[M]) -> tuple[Path, M]:
    """The data a check runs on: its own file, or the pack's `data_file`, validated."""
    path = params.data_file or default_data_path(check_name)
    return path, load_data(path, model)


def load_data(path: Path, model: type[M], label: str = "data file") -> M:
    """Parse and validate `path`; any problem is a ConfigError naming the file (as `label`) and
    the field."""
    try:
        raw = yaml.safe_load(path.read_text(encoding="utf-8"))
    except OSError as exc:
        raise ConfigError(f"{label} {path}: cannot read: {exc.strerror}") from None
    except yaml.YAMLError as exc:
        raise ConfigError(f"{label} {path}: invalid YAML: {exc}") from None
    try:
        return model.model_validate(raw)
    except ValidationError as exc:
        problems = "; ".join(
            f"{'.'.join(str(p) for p in err['loc']) or '(top level)'}: {err['msg']}"
            for err in exc.errors()
        )
        raise ConfigError(f"{label} {path}: {problems}") from None


def require_known(
    where: str, noun: str, given: Iterable[str], valid: Iterable[str], plural: str = ""
) -> None:
    """One ConfigError for names a pack or data file gives that the check does not know."""
    valid = list(valid)
    unknown = [name for name in given if name not in valid]
    if unknown:
        raise ConfigError(
            f"{where}: unknown {noun} {', '.join(map(repr, unknown))}; "
            f"valid {plural or noun + 's'}: {', '.join(valid)}"
        )


def compile_pattern(path: Path, where: str, pattern: str, flags: int = 0) -> re.Pattern[str]:
    try:
        return re.compile(pattern, flags)
    except re.error as exc:
        raise ConfigError(f"data file {path}: {where}: invalid regex: {exc}") from None


def alternation(phrases: Iterable[str]) -> str:
    """A regex alternation of literal phrases, longest first, any whitespace run between words."""
    ordered = sorted(set(phrases), key=len, reverse=True)
    return "|".join(r"\s+".join(re.escape(word) for word in p.split()) for p in ordered)
