"""The suites in eval/suites/ load, cover what the issue asks of them, and their generated case
files are what eval/cases/build_cases.py writes today."""

from __future__ import annotations

import importlib.util
import json
import sys
from pathlib import Path
from types import ModuleType

import pytest

from offergen.config import Settings
from offergen.demo.generator import generate_demo_kb
from offergen.evaluation.assertions.not_contains import NotContainsParams
from offergen.evaluation.assertions.same_terms_as import SameTermsParams
from offergen.evaluation.guard_corpus import load_corpus
from offergen.evaluation.runner import SuiteRunner, Target
from offergen.evaluation.suite import LoadedSuite, load_suite
from offergen.schemas import Channel, GenerateRequest, GuardCheckRequest, Jurisdiction, OfferKind

REPO = Path(__file__).resolve().parents[2]
SUITES = REPO / "eval" / "suites"


def _load_script(path: Path, name: str) -> ModuleType:
    if name in sys.modules:
        return sys.modules[name]
    spec = importlib.util.spec_from_file_location(name, path)
    assert spec is not None and spec.loader is not None
    module = importlib.util.module_from_spec(spec)
    sys.modules[name] = module
    spec.loader.exec_module(module)
    return module


@pytest.fixture(scope="module")
def suites() -> dict[str, LoadedSuite]:
    return {p.stem: load_suite(p) for p in sorted(SUITES.glob("*.yaml"))}


def test_the_four_suites_load(suites: dict[str, LoadedSuite]) -> None:
    assert set(suites) >= {"compliance", "redteam", "fairness", "guard"}
    for name, loaded in suites.items():
        assert loaded.suite.name == name and loaded.suite.thresholds, name


def test_compliance_spans_merchants_kinds_channels_and_jurisdictions(
    suites: dict[str, LoadedSuite],
) -> None:
    requests = [c.vars for c in suites["compliance"].cases]
    assert len(requests) >= 60 and all(isinstance(r, GenerateRequest) for r in requests)
    generate = [r for r in requests if isinstance(r, GenerateRequest)]
    assert {r.offer.kind for r in generate} == set(OfferKind)
    assert {r.channel for r in generate} == set(Channel)
    assert {r.jurisdiction for r in generate} == set(Jurisdiction)
    demo = {m.id for m in generate_demo_kb().merchants}
    assert {r.merchant_id for r in generate} <= demo and len(
        {r.merchant_id for r in generate}
    ) >= 60


def test_generated_case_files_are_up_to_date() -> None:
    builder = _load_script(REPO / "eval" / "cases" / "build_cases.py", "offergen_eval_build_cases")
    for name, content in builder.build().items():
        path = REPO / "eval" / "cases" / name
        assert path.read_text(encoding="utf-8") == content, (
            f"{path} is stale: run .venv/bin/python eval/cases/build_cases.py"
        )


def test_redteam_canary_and_attack_surfaces(suites: dict[str, LoadedSuite]) -> None:
    cases = suites["redteam"].cases
    for c in cases:
        if isinstance(c.vars, GenerateRequest) and "ZX-CANARY" in c.vars.model_dump_json():
            canary = [a for a in c.assertions if isinstance(a, NotContainsParams)]
            assert canary and canary[0].scope == "all", c.id  # never, held copy included
            assert "ZX-CANARY-7731" in c.canaries, c.id  # the pipeline holds and redacts it
    kinds = {a.type for c in cases for a in c.assertions}
    assert {"refused", "released", "not_contains", "regex", "prompt_excludes"} <= kinds
    gated = [c for c in cases if isinstance(c.vars, GuardCheckRequest) and c.vars.policy]
    policies = {c.vars.policy for c in gated if isinstance(c.vars, GuardCheckRequest)}
    assert policies == {"kb-screening", "input-screening"}  # the KB gate, reviewer notes
    assert any(c.kb and c.kb.past_offers for c in cases) and any(c.kb and c.kb.rules for c in cases)


def test_redteam_covers_the_owasp_llm_top_10(suites: dict[str, LoadedSuite]) -> None:
    loaded = suites["redteam"]
    assert len(loaded.cases) >= 60 and all(c.owasp for c in loaded.cases)
    tags = {t for c in loaded.cases for t in c.owasp}
    assert {"LLM01", "LLM02", "LLM05", "LLM07", "LLM09", "LLM10"} <= tags
    assert any(t.metric == "critical_failures" and t.max == 0 for t in loaded.suite.thresholds)


def test_fairness_pairs_differ_only_in_the_audience(suites: dict[str, LoadedSuite]) -> None:
    by_id = {c.id: c for c in suites["fairness"].cases}
    for c in by_id.values():
        (pair,) = [a for a in c.assertions if isinstance(a, SameTermsParams)]
        other = by_id[pair.value]
        mine, theirs = (json.loads(x.vars.model_dump_json()) for x in (c, other))
        assert mine["customer"].pop("segment") != theirs["customer"].pop("segment")
        assert mine == theirs, c.id


def test_guard_paraphrase_suite_passes(suites: dict[str, LoadedSuite], tmp_path: Path) -> None:
    results = SuiteRunner(suites["guard-paraphrase"], Settings(), tmp_path).run([Target()])
    run = results.runs[0]
    assert results.passed, [t.message for t in run.thresholds if not t.passed]
    assert run.summary.guard["numbers"].tp > 0 and run.summary.guard["unsafe_output"].tp > 0


def test_guard_suite_passes_and_counts_like_the_bench(
    suites: dict[str, LoadedSuite], tmp_path: Path
) -> None:
    results = SuiteRunner(suites["guard"], Settings(), tmp_path).run([Target()])
    run = results.runs[0]
    assert results.passed, [t.message for t in run.thresholds if not t.passed]
    bench = _load_script(REPO / "eval" / "bench" / "guard.py", "offergen_eval_bench_guard")
    settings = Settings()
    guards = {j: bench.load_guard(settings.guardrails_dir, n)[0] for j, n in bench.PACKS.items()}
    quality = bench.evaluate(load_corpus(bench.DEFAULT_CORPUS), guards)
    assert {k: (c.tp, c.fp, c.fn) for k, c in quality.per_check.items()} == {
        k: (c.tp, c.fp, c.fn) for k, c in run.summary.guard.items()
    }
    assert run.summary.assertions["released"].passed == quality.released_ok
