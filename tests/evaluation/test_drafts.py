from __future__ import annotations

import threading

from offergen.config import Settings
from offergen.evaluation.drafts import DraftRecorder, RecordingPacks
from offergen.guardrails.base import CheckContext
from offergen.guardrails.packs import INPUT_SCREENING, Packs
from offergen.schemas import Channel, Jurisdiction
from tests.evaluation.outcomes import OFFER

CTX = CheckContext(offer=OFFER, channel=Channel.email, jurisdiction=Jurisdiction.US)


def test_copy_guard_verdicts_are_recorded_screening_is_not() -> None:
    inner = Packs(Settings().guardrails_dir)
    recorder = DraftRecorder()
    packs = RecordingPacks(inner, recorder)
    with recorder.recording() as drafts:
        verdict = packs.for_copy(Jurisdiction.US).check("Get 30% back at FreshMart.", CTX)
        packs.get(INPUT_SCREENING).check("students", CTX)
    assert drafts == [verdict] and not verdict.released
    assert packs.get("us-default") is inner.get("us-default")  # loaded guards are shared
    packs.for_copy(Jurisdiction.US).check("outside a recording", CTX)  # nowhere to go: ignored


def test_each_thread_records_its_own() -> None:
    recorder = DraftRecorder()
    packs = RecordingPacks(Packs(Settings().guardrails_dir), recorder)
    counts: dict[int, int] = {}

    def work(n: int) -> None:
        with recorder.recording() as drafts:
            for _ in range(n):
                packs.for_copy(Jurisdiction.US).check("5% back at FreshMart. Terms apply.", CTX)
            counts[n] = len(drafts)

    threads = [threading.Thread(target=work, args=(n,)) for n in (1, 2, 3)]
    for t in threads:
        t.start()
    for t in threads:
        t.join()
    assert counts == {1: 1, 2: 2, 3: 3}
