from __future__ import annotations

import threading
from collections.abc import Sequence
from concurrent.futures import ThreadPoolExecutor

import pytest

from offergen.generation.micro_batcher import MicroBatcher


class _Recorder:
    """A batch function that remembers its batches; the first call waits until released, so that
    the jobs submitted meanwhile queue up behind it."""

    def __init__(self) -> None:
        self.batches: list[list[str]] = []
        self.release = threading.Event()

    def __call__(self, jobs: Sequence[str]) -> list[str]:
        self.release.wait(5)
        if any(j.startswith("bad") for j in jobs):
            raise ValueError(f"cannot do {', '.join(j for j in jobs if j.startswith('bad'))}")
        self.batches.append(list(jobs))
        return [j.upper() for j in jobs]


def _batcher(run: _Recorder, max_rows: int = 8) -> MicroBatcher[str, str]:
    return MicroBatcher(run, key=lambda j: j[0], rows=lambda j: len(j), max_rows=max_rows)


def test_jobs_waiting_together_share_one_batch_and_get_their_own_results() -> None:
    run = _Recorder()
    batcher = _batcher(run, max_rows=100)
    first = batcher.submit("a0")  # occupies the worker until released
    while batcher.batches < 1:
        pass
    later = [batcher.submit(j) for j in ("a1", "a2", "b1", "a3")]
    run.release.set()
    assert first.result(5) == "A0"
    assert [f.result(5) for f in later] == ["A1", "A2", "B1", "A3"]
    # a1..a3 shared a batch; b1 has another key and ran in its own
    assert run.batches == [["a0"], ["a1", "a2", "a3"], ["b1"]]


def test_row_budget_splits_batches() -> None:
    run = _Recorder()
    batcher = _batcher(run, max_rows=4)
    blocker = batcher.submit("a")
    while batcher.batches < 1:
        pass
    futures = [batcher.submit(j) for j in ("aa", "aa", "aa")]
    run.release.set()
    blocker.result(5)
    assert [f.result(5) for f in futures] == ["AA"] * 3
    assert run.batches[1:] == [["aa", "aa"], ["aa"]]


def test_one_failing_job_fails_alone() -> None:
    run = _Recorder()
    batcher = _batcher(run, max_rows=100)
    blocker = batcher.submit("b0")
    while batcher.batches < 1:
        pass
    good, bad, other = (batcher.submit(j) for j in ("b1", "bad", "b2"))
    run.release.set()
    blocker.result(5)
    assert good.result(5) == "B1" and other.result(5) == "B2"
    with pytest.raises(ValueError, match="cannot do bad"):
        bad.result(5)


def test_many_concurrent_callers_each_get_their_answer() -> None:
    run = _Recorder()
    run.release.set()
    batcher = _batcher(run, max_rows=16)
    jobs = [f"{'abc'[i % 3]}{i}" for i in range(60)]
    with ThreadPoolExecutor(12) as pool:
        answers = list(pool.map(batcher, jobs))
    assert answers == [j.upper() for j in jobs]
    assert sorted(j for batch in run.batches for j in batch) == sorted(jobs)
