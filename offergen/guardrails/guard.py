"""The guard: runs a loaded pack's checks over one text and decides whether it may be released."""

from __future__ import annotations

import logging
from pathlib import Path

from pydantic import BaseModel

from offergen.guardrails.base import CheckContext
from offergen.guardrails.pack import LoadedPack, load_pack
from offergen.schemas import Finding, Severity

log = logging.getLogger(__name__)

# No fixer exists yet, so a `fix` finding left unapplied holds the text just like `block`.
_HOLDING = frozenset({Severity.block, Severity.fix})


class GuardResult(BaseModel):
    released: bool
    text: str
    findings: list[Finding]


class Guard:
    """Runs the enabled checks of one pack, in pack order."""

    def __init__(self, pack: LoadedPack) -> None:
        self.pack = pack
        self._checks = [entry for entry in pack.checks if entry.spec.enabled]

    @classmethod
    def load(cls, guardrails_dir: Path, name: str) -> Guard:
        return cls(load_pack(guardrails_dir, name))

    @property
    def name(self) -> str:
        return self.pack.name

    def check(self, text: str, ctx: CheckContext) -> GuardResult:
        findings: list[Finding] = []
        for entry in self._checks:
            name = entry.check.name
            try:
                findings.extend(entry.check.check(text, ctx))
            except Exception as exc:
                # Fail closed. Log the type only: an exception message may quote the text.
                log.error("check %r (%s) raised %s", name, entry.position, type(exc).__name__)
                findings.append(_error_finding(name, text, exc))
        findings.sort(key=lambda f: (f.start, f.end))
        released = not any(f.severity in _HOLDING for f in findings)
        return GuardResult(released=released, text=text, findings=findings)


def _error_finding(name: str, text: str, exc: Exception) -> Finding:
    return Finding(
        check=name,
        rule_id=f"{name}.error",
        severity=Severity.block,
        start=0,
        end=len(text),
        message=f"check {name!r} failed, so the text is held",
        explanation=f"the check raised {type(exc).__name__}; the text was not verified",
    )
