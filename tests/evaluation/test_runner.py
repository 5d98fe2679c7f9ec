"""The runner on a real pipeline with a scripted backend: targets, seeds, peers, thresholds."""

from __future__ import annotations

import json
from collections.abc import Iterator
from contextlib import contextmanager
from pathlib import Path

import pytest

from offergen.app_context import AppContext, assemble
from offergen.config import Settings
from offergen.evaluation.runner import SuiteRunner, Target, targets
from offergen.evaluation.suite import LoadedSuite, load_suite
from offergen.pipeline import Pipeline
from tests.support.pipelines import MakePipeline

OFFER = {"kind": "cashback", "merchant": "FreshMart", "value": 5, "unit": "percent"}
GOOD = "Get 5% cash back at FreshMart. Shop now. Terms apply."


def _suite(tmp_path: Path, extra: str = "", generate: int = 2, guard: bool = True) -> LoadedSuite:
    rows = [
        {
            "id": f"gen-{i}",
            "vars": {"merchant_id": "m_freshmart", "channel": "push", "offer": OFFER},
            "assert": [{"type": "released"}, {"type": "check:numbers"}],
        }
        for i in range(generate)
    ]
    if guard:
        rows.append(
            {
                "id": "guard-1",
                "vars": {"text": "Get 30% back at FreshMart.", "channel": "email", "offer": OFFER},
                "assert": [{"type": "released", "value": False}],
            }
        )
    (tmp_path / "cases.jsonl").write_text("".join(json.dumps(r) + "\n" for r in rows))
    path = tmp_path / "s.yaml"
    path.write_text(f"name: t\ncase_files: [cases.jsonl]\n{extra}", encoding="utf-8")
    return load_suite(path)


class Opener:
    """Hands the runner a context around one scripted pipeline and remembers the settings it was
    asked for."""

    def __init__(self, pipeline: Pipeline | None) -> None:
        self.pipeline = pipeline
        self.settings: list[Settings] = []

    @contextmanager
    def __call__(self, settings: Settings, out_dir: Path) -> Iterator[AppContext]:
        if self.pipeline is None:
            raise AssertionError("a guard-only run must not open a pipeline")
        self.settings.append(settings)
        yield assemble(settings, self.pipeline)


def _runner(loaded: LoadedSuite, tmp_path: Path, opener: Opener, **kw: object) -> SuiteRunner:
    return SuiteRunner(loaded, Settings(), tmp_path / "out", open_context=opener, **kw)  # type: ignore[arg-type]


def test_run_every_case_on_every_seed(make_pipeline: MakePipeline, tmp_path: Path) -> None:
    extra = "sampling: {seed: 40, repeats: 2, max_attempts: 1, variants: 1}\n"
    pipeline, backend = make_pipeline([GOOD] * 8, oversample=1.0)
    opener = Opener(pipeline)
    results = _runner(_suite(tmp_path, extra), tmp_path, opener).run([Target()])
    run = results.runs[0]
    assert [(c.id, c.seed) for c in run.cases] == [
        ("gen-0", 40),
        ("gen-1", 40),
        ("guard-1", 40),
        ("gen-0", 41),
        ("gen-1", 41),
        ("guard-1", 41),
    ]
    assert sorted(p.seed for _, p in backend.calls) == [40, 40, 41, 41]
    assert all(p.n == 1 for _, p in backend.calls)  # sampling.variants replaced each request's
    assert opener.settings[0].max_attempts == 1 and opener.settings[0].seed == 40
    assert run.passed and results.passed and run.summary.pass_rate == 1.0
    assert run.config.seeds == [40, 41] and run.model_id == "google/gemma-3-270m"
    assert list(run.templates) == ["offer_copy_free"]
    assert all(c.outcome.prompt is None for c in run.cases)  # kept for failures only


def test_failures_keep_their_prompt_and_fail_thresholds(
    make_pipeline: MakePipeline, tmp_path: Path
) -> None:
    extra = "sampling: {max_attempts: 1}\nthresholds:\n  - {metric: pass_rate, min: 1}\n"
    bad = "Get 30% cash back at FreshMart. Terms apply."
    pipeline, _ = make_pipeline([GOOD, bad] * 3, oversample=1.0)
    loaded = _suite(tmp_path, extra, generate=1, guard=False)
    run = _runner(loaded, tmp_path, Opener(pipeline)).run([Target()]).runs[0]
    (case,) = run.cases
    assert not case.passed and case.outcome.prompt and case.outcome.prompt.endswith("Copy:")
    failed = [a for a in case.assertions if not a.passed]
    assert {a.type for a in failed} == {"released", "check:numbers"}
    assert not run.passed and run.thresholds[0].message.startswith("0 is below")


def test_target_template_and_limit(make_pipeline: MakePipeline, tmp_path: Path) -> None:
    pipeline, backend = make_pipeline([GOOD] * 4, oversample=1.0)
    loaded = _suite(tmp_path)
    run = (
        _runner(loaded, tmp_path, Opener(pipeline), limit=1)
        .run([Target(template="offer_copy_chat")])
        .runs[0]
    )
    assert [c.id for c in run.cases] == ["gen-0"]
    assert run.cases[0].outcome.refused and backend.calls == []
    assert run.config.template == "offer_copy_chat"


def test_guard_only_suite_loads_no_model(tmp_path: Path) -> None:
    loaded = _suite(tmp_path, generate=0)
    run = _runner(loaded, tmp_path, Opener(None)).run([Target()]).runs[0]
    assert run.model_id is None and run.passed and run.cases[0].outcome.policy == "us-default"


@pytest.mark.parametrize("concurrency", [1, 4])
def test_concurrency_gives_the_same_results(
    make_pipeline: MakePipeline, tmp_path: Path, concurrency: int
) -> None:
    pipeline, _ = make_pipeline([GOOD] * 12, oversample=1.0)
    loaded = _suite(tmp_path, "sampling: {repeats: 2, variants: 1}\n", generate=3)
    run = _runner(loaded, tmp_path, Opener(pipeline), concurrency=concurrency).run([Target()])
    cases = run.runs[0].cases
    assert len(cases) == 8 and all(c.passed for c in cases)


def test_peers_are_the_same_seed(make_pipeline: MakePipeline, tmp_path: Path) -> None:
    rows = [
        {
            "id": side,
            "vars": {
                "merchant_id": "m_freshmart",
                "channel": "push",
                "offer": OFFER | {"min_spend": 50},
                "variants": 1,
                "customer": {"segment": seg},
            },
            "assert": [{"type": "same_terms_as", "value": other}],
        }
        for side, other, seg in (("a", "b", "students"), ("b", "a", "retirees"))
    ]
    (tmp_path / "cases.jsonl").write_text("".join(json.dumps(r) + "\n" for r in rows))
    (tmp_path / "s.yaml").write_text("name: t\ncase_files: [cases.jsonl]\n")
    other = "Spend $50 and get 5% cash back at FreshMart. Terms apply."
    pipeline, _ = make_pipeline([GOOD, other])
    run = _runner(load_suite(tmp_path / "s.yaml"), tmp_path, Opener(pipeline)).run([Target()])
    a, b = run.runs[0].cases
    assert [v.released for c in (a, b) for v in c.outcome.variants] == [True, True]
    assert not a.passed and "b states 5, 50" in a.assertions[0].message
    assert not b.passed and "a states 5" in b.assertions[0].message


def test_targets_cross_templates_and_profiles(tmp_path: Path) -> None:
    loaded = _suite(tmp_path, "templates: [offer_copy, x]\nprofiles: [embedded]\n")
    assert targets(loaded) == [Target("offer_copy", "embedded"), Target("x", "embedded")]
    assert targets(loaded, template="y") == [Target("y", "embedded")]
    assert targets(_suite(tmp_path)) == [Target(None, None)]
    assert Target("a", "b").label == "template=a, profile=b" and Target().label == "defaults"
