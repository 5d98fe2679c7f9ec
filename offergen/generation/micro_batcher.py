"""A micro-batcher: concurrent callers' jobs are run together in one batch call instead of queueing
behind a lock, so that an in-process model does one forward pass for many requests.

One worker thread takes the oldest waiting job and every other waiting job with the same batch key
(up to a row budget); jobs that arrive while a batch runs are collected for the next one. A batch
that fails is retried job by job, so one bad job fails alone.
"""

from __future__ import annotations

import threading
from collections import deque
from collections.abc import Callable, Hashable, Sequence
from concurrent.futures import Future
from dataclasses import dataclass, field
from typing import Generic, TypeVar

__all__ = ["MicroBatcher"]

J = TypeVar("J")
R = TypeVar("R")


@dataclass
class _Pending(Generic[J, R]):
    job: J
    key: Hashable
    rows: int
    future: Future[R] = field(default_factory=Future)


class MicroBatcher(Generic[J, R]):
    """`run_batch(jobs)` returns one result per job, in order; `key(job)` says which jobs may share
    a batch; `rows(job)` is a job's share of `max_rows` (a larger job runs alone)."""

    def __init__(
        self,
        run_batch: Callable[[Sequence[J]], list[R]],
        key: Callable[[J], Hashable],
        rows: Callable[[J], int],
        max_rows: int,
        name: str = "micro-batcher",
    ) -> None:
        self._run_batch = run_batch
        self._key = key
        self._rows = rows
        self.max_rows = max_rows
        self._name = name
        self._waiting: deque[_Pending[J, R]] = deque()
        self._ready = threading.Condition()
        self._worker: threading.Thread | None = None
        self.batches = 0  # batch calls made (for tests and benches)

    def submit(self, job: J) -> Future[R]:
        pending: _Pending[J, R] = _Pending(job, self._key(job), self._rows(job))
        with self._ready:
            if self._worker is None:
                self._worker = threading.Thread(target=self._loop, name=self._name, daemon=True)
                self._worker.start()
            self._waiting.append(pending)
            self._ready.notify()
        return pending.future

    def __call__(self, job: J) -> R:
        return self.submit(job).result()

    def _take(self) -> list[_Pending[J, R]]:
        with self._ready:
            while not self._waiting:
                self._ready.wait()
            first = self._waiting.popleft()
            batch, rows, rest = [first], first.rows, deque[_Pending[J, R]]()
            while self._waiting:
                p = self._waiting.popleft()
                if p.key == first.key and rows + p.rows <= self.max_rows:
                    batch.append(p)
                    rows += p.rows
                else:
                    rest.append(p)
            self._waiting = rest
        return batch

    def _loop(self) -> None:
        while True:
            batch = self._take()
            self.batches += 1
            try:
                results = self._run_batch([p.job for p in batch])
            except Exception as exc:
                if len(batch) == 1:
                    batch[0].future.set_exception(exc)
                    continue
                self._one_by_one(batch)
                continue
            for p, result in zip(batch, results, strict=True):
                p.future.set_result(result)

    def _one_by_one(self, batch: list[_Pending[J, R]]) -> None:
        for p in batch:
            self.batches += 1
            try:
                p.future.set_result(self._run_batch([p.job])[0])
            except Exception as exc:
                p.future.set_exception(exc)
