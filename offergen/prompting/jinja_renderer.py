"""Renders prompts/<name>.j2 in a sandboxed Jinja2 environment with StrictUndefined."""

from __future__ import annotations

import hashlib
import json
from pathlib import Path
from typing import Any, Literal

import yaml
from pydantic import BaseModel, ConfigDict, Field, ValidationError

from offergen.errors import ConfigError, NotFoundError
from offergen.prompting.base import RenderedPrompt
from offergen.schemas import Channel


class Sidecar(BaseModel):
    """prompts/<name>.yaml: the template's contract with the renderer and the backend."""

    model_config = ConfigDict(extra="forbid", frozen=True)

    description: str
    style: Literal["completion", "chat"]
    variables: list[str]
    stop: list[str] = Field(default_factory=list)
    max_new_tokens: dict[Channel, int]


class LoadedTemplate(BaseModel):
    model_config = ConfigDict(arbitrary_types_allowed=True)

    name: str
    version: str
    sidecar: Sidecar
    template: Any


def _oneline(value: object) -> str:
    return " ".join(str(value).split())


def _quoted(value: object) -> str:
    return json.dumps(str(value), ensure_ascii=False)


class JinjaPromptRenderer:
    def __init__(self, prompts_dir: Path) -> None:
        self.prompts_dir = prompts_dir
        self._loaded: dict[str, LoadedTemplate] = {}

    def names(self) -> list[str]:
        return sorted(p.stem for p in self.prompts_dir.glob("*.j2"))

    def warm_up(self) -> None:
        """Load every template now, so a broken one fails at start-up and not on a request."""
        for name in self.names():
            self.load(name)

    def load(self, name: str) -> LoadedTemplate:
        if name in self._loaded:
            return self._loaded[name]
        from jinja2 import StrictUndefined, TemplateSyntaxError, meta
        from jinja2.sandbox import SandboxedEnvironment

        source_path = self.prompts_dir / f"{name}.j2"
        sidecar_path = self.prompts_dir / f"{name}.yaml"
        if not source_path.is_file():
            raise NotFoundError(
                f"unknown template '{name}'; available: {', '.join(self.names()) or 'none'}"
            )
        if not sidecar_path.is_file():
            raise ConfigError(f"{source_path}: its sidecar {sidecar_path.name} is missing")
        source = source_path.read_text(encoding="utf-8")
        raw_sidecar = sidecar_path.read_text(encoding="utf-8")
        try:
            sidecar = Sidecar.model_validate(yaml.safe_load(raw_sidecar))
        except (yaml.YAMLError, ValidationError) as exc:
            raise ConfigError(f"{sidecar_path}: {exc}") from exc

        env = SandboxedEnvironment(undefined=StrictUndefined, autoescape=False)
        env.filters.update(oneline=_oneline, quoted=_quoted)
        try:
            ast = env.parse(source, name=name, filename=str(source_path))
        except TemplateSyntaxError as exc:
            raise ConfigError(f"{source_path}:{exc.lineno}: {exc.message}") from exc
        undeclared = meta.find_undeclared_variables(ast) - set(sidecar.variables)
        if undeclared:
            raise ConfigError(
                f"{source_path}: template uses {sorted(undeclared)}, which {sidecar_path.name} "
                f"does not declare (declared: {', '.join(sidecar.variables)})"
            )
        missing = set(Channel) - set(sidecar.max_new_tokens)
        if missing:
            raise ConfigError(
                f"{sidecar_path}: max_new_tokens lacks {sorted(c.value for c in missing)}"
            )
        version = hashlib.sha256(source.encode() + b"\0" + raw_sidecar.encode()).hexdigest()[:12]
        loaded = LoadedTemplate(
            name=name, version=version, sidecar=sidecar, template=env.from_string(ast)
        )
        self._loaded[name] = loaded
        return loaded

    def render(self, template: str, channel: Channel, variables: dict[str, Any]) -> RenderedPrompt:
        from jinja2 import UndefinedError

        loaded = self.load(template)
        try:
            text = loaded.template.render(**variables)
        except UndefinedError as exc:
            raise ConfigError(f"template '{template}': {exc.message}") from exc
        return RenderedPrompt(
            text=text,
            template=template,
            version=loaded.version,
            stop=tuple(loaded.sidecar.stop),
            max_new_tokens=loaded.sidecar.max_new_tokens[channel],
        )
