"""Every draft the copy guard judged while a case ran, held ones included.

A GenerateResponse carries only the variants it kept, so copy the guard held and the pipeline
then replaced never shows in it. The runner gives each case's pipeline packs whose copy guard
also hands each verdict to a recorder, per thread (one case runs on one thread at a time), so
an eval can count what the guard caught without the pipeline knowing it is watched.
"""

from __future__ import annotations

import threading
from collections.abc import Iterator
from contextlib import contextmanager

from offergen.guardrails.base import CheckContext
from offergen.guardrails.guard import Guard, GuardResult
from offergen.guardrails.packs import Packs
from offergen.schemas import Jurisdiction


class DraftRecorder:
    def __init__(self) -> None:
        self._local = threading.local()

    @contextmanager
    def recording(self) -> Iterator[list[GuardResult]]:
        """Collects this thread's verdicts until the block ends."""
        drafts: list[GuardResult] = []
        self._local.drafts = drafts
        try:
            yield drafts
        finally:
            del self._local.drafts

    def add(self, result: GuardResult) -> None:
        drafts: list[GuardResult] | None = getattr(self._local, "drafts", None)
        if drafts is not None:
            drafts.append(result)


class RecordingGuard(Guard):
    """The same guard, the same verdicts; each is also handed to the recorder."""

    def __init__(self, guard: Guard, recorder: DraftRecorder) -> None:
        super().__init__(guard.pack)
        self._recorder = recorder

    def check(self, text: str, ctx: CheckContext) -> GuardResult:
        result = super().check(text, ctx)
        self._recorder.add(result)
        return result


class RecordingPacks(Packs):
    """`inner`'s packs (its loaded guards are shared), with the copy guard recording. Screening
    packs (input, knowledge base) are fetched by name and are not recorded."""

    def __init__(self, inner: Packs, recorder: DraftRecorder) -> None:
        super().__init__(inner.guardrails_dir)
        self._inner = inner
        self._recorder = recorder

    def get(self, name: str) -> Guard:
        return self._inner.get(name)

    def for_copy(self, jurisdiction: Jurisdiction, policy: str | None = None) -> Guard:
        return RecordingGuard(super().for_copy(jurisdiction, policy), self._recorder)
