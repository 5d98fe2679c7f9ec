"""Policy packs: guardrails/<name>.yaml, validated at load into ready-to-run check instances."""

from __future__ import annotations

import re
from collections.abc import Callable, Sequence
from dataclasses import dataclass
from pathlib import Path
from typing import Any

import yaml
from pydantic import BaseModel, ConfigDict, Field, ValidationError

from offergen.errors import ConfigError
from offergen.guardrails.base import Check, CheckParams
from offergen.guardrails.registry import get_check_class
from offergen.schemas import Severity

# Pack names become file names: keep them to a safe alphabet (no path traversal).
_PACK_NAME = re.compile(r"^[a-z0-9][a-z0-9_.-]*$")
_PACK_SUFFIX = ".yaml"

Loc = tuple[int | str, ...]


class CheckSpec(BaseModel):
    """One entry of a pack's `checks:` list."""

    model_config = ConfigDict(extra="forbid")

    type: str = Field(min_length=1)
    params: dict[str, Any] = Field(default_factory=dict)
    severity: Severity = Severity.block
    enabled: bool = True
    source: str | None = None  # the regulation or policy this check encodes


class ReviewPolicy(BaseModel):
    """A pack's `review:` block: which generated copy waits for a human reviewer."""

    model_config = ConfigDict(extra="forbid")

    # Copy whose only findings are `warn` is held for a reviewer instead of being released.
    hold_on_warn: bool = False
    # Share of released copy also queued for a second look (chosen per request id and variant).
    sample_rate: float = Field(default=0.0, ge=0.0, le=1.0)


class PolicyPack(BaseModel):
    model_config = ConfigDict(extra="forbid")

    name: str = Field(min_length=1)
    description: str
    source: str | None = None
    # An empty pack would release everything; that is never what a reviewer means.
    checks: list[CheckSpec] = Field(min_length=1)
    review: ReviewPolicy = Field(default_factory=ReviewPolicy)


@dataclass(frozen=True)
class LoadedCheck:
    position: str  # e.g. "checks[1]", for messages that point back into the file
    spec: CheckSpec
    check: Check


@dataclass(frozen=True)
class LoadedPack:
    name: str
    path: Path
    pack: PolicyPack
    checks: tuple[LoadedCheck, ...]


def list_packs(guardrails_dir: Path) -> list[str]:
    """Names of the packs in `guardrails_dir` (its *.yaml files, not sub-folders)."""
    if not guardrails_dir.is_dir():
        return []
    return sorted(p.stem for p in guardrails_dir.glob(f"*{_PACK_SUFFIX}") if p.is_file())


def load_pack(guardrails_dir: Path, name: str) -> LoadedPack:
    """Read, validate and instantiate pack `name`; every problem is one ConfigError."""
    path = _pack_path(guardrails_dir, name)
    pack = _parse(path, _read_yaml(path))
    if pack.name != name:
        raise ConfigError(f"{path}: name: {pack.name!r} does not match the file name {name!r}")
    loaded: list[LoadedCheck] = []
    problems: list[str] = []
    for i, spec in enumerate(pack.checks):
        position = f"checks[{i}]"
        try:
            check = _instantiate(spec, ("checks", i))
        except ConfigError as exc:
            problems.append(f"{path}: {exc}")
            continue
        loaded.append(LoadedCheck(position=position, spec=spec, check=check))
    if problems:
        raise ConfigError("\n".join(problems))
    return LoadedPack(name=name, path=path, pack=pack, checks=tuple(loaded))


def _pack_path(guardrails_dir: Path, name: str) -> Path:
    if not _PACK_NAME.match(name):
        raise ConfigError(f"invalid policy pack name {name!r}: use lower-case letters, digits, -_.")
    path = guardrails_dir / f"{name}{_PACK_SUFFIX}"
    if not path.is_file():
        available = ", ".join(list_packs(guardrails_dir)) or "(none)"
        raise ConfigError(
            f"policy pack {name!r} not found in {guardrails_dir}; available packs: {available}"
        )
    return path


def _read_yaml(path: Path) -> Any:
    try:
        return yaml.safe_load(path.read_text(encoding="utf-8"))
    except OSError as exc:
        raise ConfigError(f"{path}: cannot read: {exc.strerror}") from None
    except yaml.YAMLError as exc:
        where = ""
        mark = getattr(exc, "problem_mark", None)
        if mark is not None:
            where = f" at line {mark.line + 1}, column {mark.column + 1}"
        problem = getattr(exc, "problem", None) or "syntax error"
        raise ConfigError(f"{path}: invalid YAML{where}: {problem}") from None


def _parse(path: Path, raw: Any) -> PolicyPack:
    if not isinstance(raw, dict):
        raise ConfigError(f"{path}: a policy pack must be a mapping with name, description, checks")
    try:
        return PolicyPack.model_validate(raw)
    except ValidationError as exc:
        raise ConfigError(_describe(path, exc, (), _pack_fields)) from None


def _pack_fields(parent: Loc) -> Sequence[str]:
    if parent == ():
        return list(PolicyPack.model_fields)
    if len(parent) == 2 and parent[0] == "checks":
        return list(CheckSpec.model_fields)
    if parent == ("review",):
        return list(ReviewPolicy.model_fields)
    return ()


def _instantiate(spec: CheckSpec, loc: Loc) -> Check:
    try:
        cls = get_check_class(spec.type)
    except ConfigError as exc:
        raise ConfigError(f"{_position((*loc, 'type'))}: {exc}") from None
    params_model: type[CheckParams] = cls.Params
    try:
        params = params_model.model_validate(spec.params)
    except ValidationError as exc:

        def fields(parent: Loc) -> Sequence[str]:
            return list(params_model.model_fields) if parent == () else ()

        # No file name here: load_pack prefixes it to every problem it collects.
        raise ConfigError(_describe(None, exc, (*loc, "params"), fields)) from None
    try:
        return cls(params, spec.severity)
    except ConfigError as exc:
        raise ConfigError(f"{_position(loc)} ({spec.type}): {exc}") from None
    except Exception as exc:  # a check's constructor is third-party-ish code: report, don't crash
        raise ConfigError(
            f"{_position(loc)} ({spec.type}): could not be created: {type(exc).__name__}: {exc}"
        ) from None


def _describe(
    path: Path | None,
    exc: ValidationError,
    prefix: Loc,
    valid_fields: Callable[[Loc], Sequence[str]],
) -> str:
    """One line per pydantic error: '<file>: <position>: <what was wrong>'."""
    lines = []
    for err in exc.errors():
        loc: Loc = tuple(err["loc"])
        if err["type"] == "extra_forbidden":
            valid = ", ".join(valid_fields(loc[:-1])) or "(none)"
            what = f"unknown field {loc[-1]!r}; valid fields: {valid}"
        else:
            what = err["msg"]
        head = f"{path}: " if path is not None else ""
        lines.append(f"{head}{_position((*prefix, *loc))}: {what}")
    return "\n".join(lines)


def _position(loc: Loc) -> str:
    out = ""
    for part in loc:
        out += f"[{part}]" if isinstance(part, int) else (f".{part}" if out else str(part))
    return out or "(top level)"
