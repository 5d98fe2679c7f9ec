"""The policy packs a process uses, each loaded once and shared."""

from __future__ import annotations

import threading
from pathlib import Path

from offergen.errors import NotFoundError
from offergen.guardrails.guard import Guard
from offergen.guardrails.pack import list_packs
from offergen.schemas import Jurisdiction

INPUT_SCREENING = "input-screening"
KB_SCREENING = "kb-screening"


def default_pack(jurisdiction: Jurisdiction) -> str:
    """Copy for a jurisdiction is guarded by `<jurisdiction>-default` unless a policy is named."""
    return f"{jurisdiction.value.lower()}-default"


class Packs:
    """Guards by pack name. Cheap to build; `warm_up` loads the defaults (and their models) so
    errors show early and the first request does not pay for loading."""

    def __init__(self, guardrails_dir: Path) -> None:
        self.guardrails_dir = guardrails_dir
        self._guards: dict[str, Guard] = {}
        self._lock = threading.Lock()

    def names(self) -> list[str]:
        return list_packs(self.guardrails_dir)

    def warm_up(self) -> None:
        for name in (*(default_pack(j) for j in Jurisdiction), INPUT_SCREENING, KB_SCREENING):
            self.get(name).warm_up()

    def get(self, name: str) -> Guard:
        with self._lock:
            guard = self._guards.get(name)
            if guard is None:
                guard = self._guards[name] = Guard.load(self.guardrails_dir, name)
            return guard

    def for_copy(self, jurisdiction: Jurisdiction, policy: str | None = None) -> Guard:
        if policy is not None and policy not in self.names():
            raise NotFoundError(
                f"unknown policy pack '{policy}'; available: {', '.join(self.names())}"
            )
        return self.get(policy or default_pack(jurisdiction))
