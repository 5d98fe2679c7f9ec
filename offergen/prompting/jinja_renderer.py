"""Renders prompts/<name>.j2 in a sandboxed Jinja2 environment with StrictUndefined.

A task template may have channel variants, `<name>.<channel>.j2`, used for that channel instead of
the base; a variant usually `{% extends "<name>.j2" %}` and overrides a block. Each template has a
sidecar (`<name>.yaml`, `<name>.<channel>.yaml`); a variant's sidecar overrides the keys it sets.
The version is a hash of the template, every template it extends or includes, and the sidecars.
"""

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
    examples: int | None = Field(
        default=None, ge=0, le=20, description="few-shot examples shown; unset = settings"
    )
    terms: Literal["free", "locked"] = Field(
        default="free",
        description="locked: the prompt shows every term as a slot ([REWARD], ...), the examples "
        "are the past offers whose numbers all map to slots, and code fills the model's slots",
    )
    bad_words: list[str] = Field(
        default_factory=list, description="what the backend keeps the model from writing"
    )
    oversample: float | None = Field(
        default=None,
        ge=1,
        le=8,
        description="drafts asked for per wanted variant, replacing the profile's; unset = profile",
    )


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
        """Task templates (channel variants are not listed on their own)."""
        return sorted(p.stem for p in self.prompts_dir.glob("*.j2") if "." not in p.stem)

    def variants(self, name: str) -> list[Channel]:
        return [c for c in Channel if (self.prompts_dir / f"{name}.{c.value}.j2").is_file()]

    def warm_up(self) -> None:
        """Load every template and variant now, so a broken one fails at start-up."""
        for name in self.names():
            for channel in Channel:
                self.load(name, channel)

    def load(self, name: str, channel: Channel | None = None) -> LoadedTemplate:
        """The template a channel gets: its variant if there is one, else the base."""
        if channel is not None and channel not in self.variants(name):
            channel = None
        key = name if channel is None else f"{name}.{channel.value}"
        if key in self._loaded:
            return self._loaded[key]
        from jinja2 import FileSystemLoader, StrictUndefined, TemplateSyntaxError, meta
        from jinja2.sandbox import SandboxedEnvironment

        if not (self.prompts_dir / f"{name}.j2").is_file():
            raise NotFoundError(
                f"unknown template '{name}'; available: {', '.join(self.names()) or 'none'}"
            )
        sidecar, raw_sidecars = self._sidecar(name, key)
        env = SandboxedEnvironment(
            loader=FileSystemLoader(self.prompts_dir), undefined=StrictUndefined, autoescape=False
        )
        env.filters.update(oneline=_oneline, quoted=_quoted)
        # Parse this template and everything it extends or includes: each must be valid and
        # use only declared variables, and each is part of the version.
        sources: list[str] = []
        todo, seen, top_ast = [f"{key}.j2"], set(), None
        while todo:
            file = todo.pop()
            if file in seen:
                continue
            seen.add(file)
            path = self.prompts_dir / file
            if not path.is_file():
                raise ConfigError(f"{self.prompts_dir / f'{key}.j2'}: references missing {file}")
            source = path.read_text(encoding="utf-8")
            try:
                ast = env.parse(source, name=file, filename=str(path))
            except TemplateSyntaxError as exc:
                raise ConfigError(f"{path}:{exc.lineno}: {exc.message}") from exc
            undeclared = meta.find_undeclared_variables(ast) - set(sidecar.variables)
            if undeclared:
                raise ConfigError(
                    f"{path}: template uses {sorted(undeclared)}, which the sidecar does not "
                    f"declare (declared: {', '.join(sidecar.variables)})"
                )
            sources.append(source)
            top_ast = top_ast or ast
            todo += [r for r in meta.find_referenced_templates(ast) if r]
        assert top_ast is not None  # the loop parsed at least the template itself
        digest = hashlib.sha256("\0".join([*sources, *raw_sidecars]).encode())
        loaded = LoadedTemplate(
            name=name,
            version=digest.hexdigest()[:12],
            sidecar=sidecar,
            template=env.from_string(top_ast),
        )
        self._loaded[key] = loaded
        return loaded

    def _sidecar(self, name: str, key: str) -> tuple[Sidecar, list[str]]:
        """The base sidecar, with the variant's keys laid over it."""
        merged: dict[str, Any] = {}
        raws: list[str] = []
        for stem in dict.fromkeys([name, key]):
            path = self.prompts_dir / f"{stem}.yaml"
            if not path.is_file():
                if stem == name:
                    raise ConfigError(f"{self.prompts_dir / f'{name}.j2'}: its sidecar is missing")
                continue
            raw = path.read_text(encoding="utf-8")
            try:
                data = yaml.safe_load(raw) or {}
            except yaml.YAMLError as exc:
                raise ConfigError(f"{path}: {exc}") from exc
            if not isinstance(data, dict):
                raise ConfigError(f"{path}: must be a mapping")
            merged |= data
            raws.append(raw)
        try:
            sidecar = Sidecar.model_validate(merged)
        except ValidationError as exc:
            raise ConfigError(f"{self.prompts_dir / f'{key}.yaml'}: {exc}") from exc
        missing = set(Channel) - set(sidecar.max_new_tokens)
        if missing:
            raise ConfigError(
                f"{self.prompts_dir / f'{name}.yaml'}: max_new_tokens lacks "
                f"{sorted(c.value for c in missing)}"
            )
        return sidecar, raws

    def render(self, template: str, channel: Channel, variables: dict[str, Any]) -> RenderedPrompt:
        from jinja2 import UndefinedError

        loaded = self.load(template, channel)
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
            style=loaded.sidecar.style,
            terms=loaded.sidecar.terms,
            bad_words=tuple(loaded.sidecar.bad_words),
            oversample=loaded.sidecar.oversample,
        )

    def examples(self, template: str, channel: Channel) -> int | None:
        """How many few-shot examples the template asks for (None: the caller decides)."""
        return self.load(template, channel).sidecar.examples

    def terms(self, template: str, channel: Channel) -> Literal["free", "locked"]:
        """Whether the template locks the terms (slots) or lets the model write them."""
        return self.load(template, channel).sidecar.terms
