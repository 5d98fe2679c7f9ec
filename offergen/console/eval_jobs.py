"""Eval runs started from the console: each runs in a background thread in this process, and
its state lives on disk (`<data_dir>/evals/console/<run id>/state.json`, beside the run's
results.json and report.html), so a reload, another replica sharing the data dir or a restart
still sees it. A run whose process is gone reads as interrupted."""

from __future__ import annotations

import json
import os
import re
import secrets
import threading
import time
from datetime import UTC, datetime
from pathlib import Path
from typing import Any

from pydantic import BaseModel

from offergen.config import Settings
from offergen.errors import NotFoundError, OffergenError
from offergen.evaluation.artifacts import REPORT, RESULTS, write_run
from offergen.evaluation.results import SuiteResults
from offergen.paths import REPO_ROOT

RUNS_DIR = Path("evals") / "console"
USER_SUITES = Path("evals") / "suites"  # the playground's saved cases run from here
STATE = "state.json"
_RUN_ID = re.compile(r"^run-[0-9]{8}-[0-9]{6}-[0-9a-f]{6}$")
_WRITE_EVERY_S = 0.5  # progress is written at most this often


class RunState(BaseModel):
    id: str
    suite: str  # the suite file's name, e.g. guard.yaml
    suite_file: str
    limit: int | None
    template: str | None
    status: str  # running | done | failed | interrupted
    total: int = 0
    done: int = 0
    started_at: datetime
    finished_at: datetime | None = None
    passed: bool | None = None
    summary: str = ""
    error: str | None = None
    started_by: str | None = None  # the API key id (never the key)
    pid: int

    @property
    def percent(self) -> int:
        return int(100 * self.done / self.total) if self.total else 0


class _Progress:
    """The runner's progress, written to the run's state file (throttled)."""

    def __init__(self, jobs: EvalJobs, state: RunState) -> None:
        self.jobs, self.state = jobs, state
        self._lock = threading.Lock()
        self._written = 0.0

    def start(self, label: str, total: int) -> None:
        with self._lock:
            self.state.total += total
            self.jobs.save(self.state)

    def advance(self) -> None:
        with self._lock:
            self.state.done += 1
            now = time.monotonic()
            if now - self._written >= _WRITE_EVERY_S or self.state.done >= self.state.total:
                self._written = now
                self.jobs.save(self.state)


class EvalJobs:
    def __init__(self, settings: Settings) -> None:
        self.settings = settings
        self.root = settings.data_dir / RUNS_DIR
        self._threads: dict[str, threading.Thread] = {}

    def suites(self) -> dict[str, Path]:
        """Suite files by name: the repository's (eval/suites) and the data dir's own."""
        found: dict[str, Path] = {}
        for folder in (REPO_ROOT / "eval" / "suites", self.settings.data_dir / USER_SUITES):
            if folder.is_dir():
                for path in sorted(folder.glob("*.yaml")):
                    found.setdefault(path.name, path)
        return found

    def start(
        self, suite: str, limit: int | None, template: str | None, started_by: str | None
    ) -> RunState:
        from offergen.evaluation.runner import Target
        from offergen.evaluation.suite import load_suite

        path = self.suites().get(suite)
        if path is None:
            raise NotFoundError(f"unknown suite {suite!r}")
        target = Target(template=template)  # ValueError on a bad name: checked by the caller
        loaded = load_suite(path)  # SuiteError names the file and line
        now = datetime.now(UTC)
        state = RunState(
            id=f"run-{now:%Y%m%d-%H%M%S}-{secrets.token_hex(3)}",
            suite=suite,
            suite_file=str(path),
            limit=limit,
            template=template,
            status="running",
            started_at=now,
            started_by=started_by,
            pid=os.getpid(),
        )
        self.save(state)
        thread = threading.Thread(
            target=self._run, args=(state, loaded, target), name=f"eval-{state.id}", daemon=True
        )
        self._threads[state.id] = thread
        thread.start()
        return state

    def _run(self, state: RunState, loaded: Any, target: Any) -> None:
        from offergen.evaluation.runner import SuiteRunner, targets

        out = self.dir(state.id)
        try:
            runner = SuiteRunner(
                loaded, self.settings, out, concurrency=2, limit=state.limit,
                progress=_Progress(self, state),
            )  # fmt: skip
            run_targets = [target] if target.template else targets(loaded)
            results = runner.run(run_targets)
            write_run(out, results)
            state.status, state.passed = "done", results.passed
            state.summary = "; ".join(
                f"{r.summary.passed}/{r.summary.cases} passed" for r in results.runs
            )
        except (OffergenError, ValueError, OSError) as exc:
            state.status, state.error = "failed", str(exc)
        except Exception as exc:  # the thread must leave a final state whatever happens
            state.status, state.error = "failed", f"{type(exc).__name__}: {exc}"
        state.finished_at = datetime.now(UTC)
        self.save(state)

    def dir(self, run_id: str) -> Path:
        if not _RUN_ID.match(run_id):
            raise NotFoundError(f"unknown eval run {run_id!r}")
        return self.root / run_id

    def save(self, state: RunState) -> None:
        out = self.dir(state.id)
        out.mkdir(parents=True, exist_ok=True)
        tmp = out / f".{STATE}.{threading.get_ident()}"
        tmp.write_text(state.model_dump_json(indent=2), encoding="utf-8")
        tmp.replace(out / STATE)  # readers never see half a file

    def get(self, run_id: str) -> RunState:
        path = self.dir(run_id) / STATE
        try:
            state = RunState.model_validate_json(path.read_text(encoding="utf-8"))
        except (OSError, ValueError):
            raise NotFoundError(f"unknown eval run {run_id!r}") from None
        if state.status == "running" and not self._alive(state):
            state.status = "interrupted"
        return state

    def runs(self) -> list[RunState]:
        if not self.root.is_dir():
            return []
        ids = sorted((p.name for p in self.root.iterdir() if _RUN_ID.match(p.name)), reverse=True)
        out = []
        for run_id in ids:
            try:
                out.append(self.get(run_id))
            except NotFoundError:
                continue
        return out

    def results(self, run_id: str) -> SuiteResults:
        path = self.dir(run_id) / RESULTS
        try:
            return SuiteResults.model_validate_json(path.read_text(encoding="utf-8"))
        except OSError:
            raise NotFoundError(f"eval run {run_id} has no results (yet)") from None

    def report(self, run_id: str) -> str:
        try:
            return (self.dir(run_id) / REPORT).read_text(encoding="utf-8")
        except OSError:
            raise NotFoundError(f"eval run {run_id} has no report (yet)") from None

    def _alive(self, state: RunState) -> bool:
        thread = self._threads.get(state.id)
        if thread is not None:
            return thread.is_alive()
        # started by another process: alive while that process is (same host)
        if state.pid == os.getpid():
            return False
        try:
            os.kill(state.pid, 0)
        except OSError:
            return False
        return True


def state_json(state: RunState) -> str:
    """What the page's script polls: progress without the rest."""
    return json.dumps(
        {"status": state.status, "done": state.done, "total": state.total, "pct": state.percent}
    )
