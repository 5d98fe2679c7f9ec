"""What the service can be asked to use: its prompt templates and its guardrail policy packs,
described for `GET /v1/templates` and `GET /v1/policies`."""

from __future__ import annotations

from typing import Literal, Protocol, runtime_checkable

from pydantic import BaseModel, Field

from offergen.guardrails.packs import Packs, default_pack
from offergen.prompting.jinja_renderer import LoadedTemplate
from offergen.schemas import Channel, Jurisdiction, Severity

__all__ = [
    "CheckInfo",
    "PolicyInfo",
    "TemplateCatalog",
    "TemplateInfo",
    "TemplateVariant",
    "describe_policies",
    "describe_templates",
]


@runtime_checkable
class TemplateCatalog(Protocol):
    """A renderer that can list its templates (the Jinja renderer can)."""

    def names(self) -> list[str]: ...

    def variants(self, name: str) -> list[Channel]: ...

    def load(self, name: str, channel: Channel | None = None) -> LoadedTemplate: ...


class TemplateVariant(BaseModel):
    """A channel's own version of a template, used for that channel instead of the base."""

    channel: Channel
    version: str
    style: Literal["completion", "chat"]
    description: str


class TemplateInfo(BaseModel):
    name: str = Field(description="what a request names in `template`")
    version: str = Field(description="hash of the template, what it extends and its sidecar")
    style: Literal["completion", "chat"] = Field(
        description="completion: for base models; chat: for instruction-tuned models"
    )
    description: str
    default: bool = Field(description="used when a request names no template")
    variants: list[TemplateVariant]


class CheckInfo(BaseModel):
    type: str
    severity: Severity
    enabled: bool
    source: str | None = Field(description="the regulation or policy the check encodes")


class PolicyInfo(BaseModel):
    name: str = Field(description="what `POST /v1/guard/check` names in `policy`")
    description: str
    source: str | None
    default_for: list[Jurisdiction] = Field(
        description="jurisdictions whose copy this pack guards unless a request names another"
    )
    checks: list[CheckInfo] = Field(description="in the order they run")


def describe_templates(catalog: TemplateCatalog, default: str) -> list[TemplateInfo]:
    out: list[TemplateInfo] = []
    for name in catalog.names():
        base = catalog.load(name)
        variants = [
            TemplateVariant(
                channel=channel,
                version=t.version,
                style=t.sidecar.style,
                description=t.sidecar.description,
            )
            for channel in catalog.variants(name)
            for t in [catalog.load(name, channel)]
        ]
        out.append(
            TemplateInfo(
                name=name,
                version=base.version,
                style=base.sidecar.style,
                description=base.sidecar.description,
                default=name == default,
                variants=variants,
            )
        )
    return out


def describe_policies(packs: Packs) -> list[PolicyInfo]:
    defaults = {default_pack(j): j for j in Jurisdiction}
    out: list[PolicyInfo] = []
    for name in packs.names():
        pack = packs.get(name).pack.pack
        out.append(
            PolicyInfo(
                name=name,
                description=pack.description,
                source=pack.source,
                default_for=[j for n, j in defaults.items() if n == name],
                checks=[
                    CheckInfo(type=c.type, severity=c.severity, enabled=c.enabled, source=c.source)
                    for c in pack.checks
                ],
            )
        )
    return out
