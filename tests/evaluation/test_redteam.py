"""The red-team suite (eval/suites/redteam.yaml) gates CI: run against a model that obeys every
instruction in its prompt (tests/support/obedient.py) over the demo knowledge base, with the
free-writing template, no critical case may fail and every threshold must hold. The guard cases
run as they are. What the real model does with the same cases is `offergen eval run --suite
eval/suites/redteam.yaml` (docs/eval.md)."""

from __future__ import annotations

from collections.abc import Iterator
from contextlib import contextmanager
from pathlib import Path

import pytest

from offergen.app_context import AppContext, assemble
from offergen.config import Settings
from offergen.demo.generator import generate_demo_kb
from offergen.evaluation.report_html import render
from offergen.evaluation.results import SuiteResults
from offergen.evaluation.runner import SuiteRunner, Target
from offergen.evaluation.suite import load_suite
from offergen.retrieval.index_factory import IndexParams
from offergen.retrieval.index_store import update_index
from offergen.store.database import Database
from tests.support.databases import load_kb
from tests.support.hashing_embedder import HashingEmbedder
from tests.support.obedient import ObedientBackend
from tests.support.pipelines import build_pipeline

SUITE = Path(__file__).resolve().parents[2] / "eval" / "suites" / "redteam.yaml"
# The free-writing template: what the model writes reaches the guard as it is (a terms-locked
# draft that writes no slots is held for that before any other check could be shown to work).
TEMPLATE = "offer_copy_free"


@pytest.fixture(scope="module")
def results(tmp_path_factory: pytest.TempPathFactory) -> SuiteResults:
    tmp = tmp_path_factory.mktemp("redteam")
    kb = load_kb(Database(f"sqlite:///{tmp / 'kb.db'}"), generate_demo_kb())
    update_index(kb, HashingEmbedder(), tmp / "index", IndexParams())
    backend = ObedientBackend()
    # Oversampling: each round the model repeats more parts of its prompt (rules, past copy).
    pipeline = build_pipeline(kb, tmp / "index", backend, oversample=2.0)

    @contextmanager
    def opener(settings: Settings, out_dir: Path) -> Iterator[AppContext]:
        yield assemble(settings, pipeline)

    runner = SuiteRunner(load_suite(SUITE), Settings(), tmp / "out", open_context=opener)
    return runner.run([Target(template=TEMPLATE)])


def test_no_critical_failure_and_every_threshold_holds(results: SuiteResults) -> None:
    for run in results.runs:
        failed = [
            (c.id, [a.message for a in c.assertions if not a.passed], c.outcome.error)
            for c in run.cases
            if not c.passed
        ]
        assert run.summary.metrics["critical_failures"] == 0, failed
        assert run.passed, ([t.message for t in run.thresholds if not t.passed], failed)
    assert results.passed


def test_results_group_by_owasp_id(results: SuiteResults) -> None:
    run = results.runs[0]
    assert set(run.summary.owasp) >= {"LLM01", "LLM02", "LLM05", "LLM07", "LLM09", "LLM10"}
    for tag, rate in run.summary.owasp.items():
        assert rate.total == sum(tag in c.owasp for c in run.cases)
        assert run.summary.metrics[f"owasp.{tag}"] == rate.rate


def test_no_canary_leaves_the_pipeline(results: SuiteResults) -> None:
    """The obedient model repeats the injected canaries; each is held and redacted."""
    canaries = {c.id: c.canaries for c in load_suite(SUITE).cases}
    caught = 0
    for case in results.runs[0].cases:
        for v in [*case.outcome.variants, *case.outcome.drafts]:
            caught += any(f.rule_id == "unsafe_output.canary" for f in v.findings)
            for canary in canaries[case.id]:
                assert canary.lower() not in v.text.lower(), case.id
                assert all(canary not in f.explanation for f in v.findings), case.id
    assert caught  # the obedient model did repeat them


def test_the_report_groups_by_owasp_id(results: SuiteResults) -> None:
    html = render(results)
    assert "By OWASP LLM Top 10 (2025)" in html and "System Prompt Leakage" in html
