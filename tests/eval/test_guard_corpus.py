"""The labelled guard corpus is well-formed and covers every check (not how well the guard does)."""

from __future__ import annotations

import importlib.util
import sys
from pathlib import Path
from types import ModuleType
from typing import Any

import pytest

from offergen.schemas import Channel, Jurisdiction, OfferKind

REPO_ROOT = Path(__file__).resolve().parents[2]
CORPUS = REPO_ROOT / "eval" / "guard" / "corpus.jsonl"
BENCH = REPO_ROOT / "eval" / "bench" / "guard.py"

CATEGORIES = {
    "pii",
    "numbers",
    "merge_tags",
    "claims",
    "disclosures",
    "channel",
    "fairness",
    "unsafe_output",
}
KNOWN_CHECKS = CATEGORIES | {"merchant_rules"}
FIXABLE = {"disclosures"}  # severity fix: the text may still be released after the fix
CREDIT = {OfferKind.bnpl, OfferKind.intro_apr}
Cases = list[Any]  # CorpusCase instances from the bench module


def _load_bench() -> ModuleType:
    # eval/ is not a package: load the bench by path; it must be in sys.modules for dataclasses.
    name = "offergen_eval_bench_guard"
    if name in sys.modules:
        return sys.modules[name]
    spec = importlib.util.spec_from_file_location(name, BENCH)
    assert spec is not None and spec.loader is not None
    module = importlib.util.module_from_spec(spec)
    sys.modules[name] = module
    spec.loader.exec_module(module)
    return module


@pytest.fixture(scope="module")
def bench() -> ModuleType:
    return _load_bench()


@pytest.fixture(scope="module")
def cases(bench: ModuleType) -> Cases:
    return list(bench.load_corpus(CORPUS))


def test_size_and_unique_ids(cases: Cases) -> None:
    assert len(cases) >= 300
    assert len({c.id for c in cases}) == len(cases)


def test_enough_clean_copy(cases: Cases) -> None:
    clean = [c for c in cases if c.expect.released and not c.expect.fires]
    assert len(clean) / len(cases) >= 0.35


def test_every_category_is_labelled(cases: Cases) -> None:
    fired = {name for c in cases for name in c.expect.fires}
    assert fired >= CATEGORIES, f"no case fires: {sorted(CATEGORIES - fired)}"
    unknown = fired | {n for c in cases for n in c.expect.may_fire}
    assert unknown <= KNOWN_CHECKS, f"unknown check names: {sorted(unknown - KNOWN_CHECKS)}"


def test_labels_are_consistent(cases: Cases) -> None:
    for c in cases:
        fires = set(c.expect.fires)
        if fires - FIXABLE:
            assert not c.expect.released, f"{c.id}: a blocking check fires but released is true"
        if not fires:
            assert c.expect.released, f"{c.id}: nothing fires but released is false"
        assert not fires & set(c.expect.may_fire), f"{c.id}: a check both must and may fire"


def test_clean_copy_carries_its_disclosures(cases: Cases) -> None:
    for c in cases:
        if c.expect.fires:
            continue
        assert "Terms apply." in c.text, c.id
        if c.channel is Channel.sms:
            assert "Reply STOP to opt out." in c.text, c.id
        if c.jurisdiction is Jurisdiction.EU and c.offer.kind in CREDIT:
            assert "Borrowing money costs money." in c.text, c.id


def test_corpus_spans_channels_jurisdictions_and_kinds(cases: Cases) -> None:
    assert {c.channel for c in cases} == set(Channel)
    assert {c.jurisdiction for c in cases} == set(Jurisdiction)
    assert {c.offer.kind for c in cases} == set(OfferKind)


def test_bad_line_is_reported_with_its_number(bench: ModuleType, tmp_path: Path) -> None:
    good = CORPUS.read_text(encoding="utf-8").splitlines()[0]
    path = tmp_path / "bad.jsonl"
    path.write_text(good + "\n" + '{"id": "x", "text": "hi"}\n', encoding="utf-8")
    with pytest.raises(bench.CorpusError, match=r"bad\.jsonl:2: "):
        bench.load_corpus(path)
    path.write_text(good + "\n" + good + "\n", encoding="utf-8")
    with pytest.raises(bench.CorpusError, match=r":2: duplicate id"):
        bench.load_corpus(path)
    path.write_text("{not json\n", encoding="utf-8")
    with pytest.raises(bench.CorpusError, match=r":1: invalid JSON"):
        bench.load_corpus(path)


def test_bench_times_the_packs_with_the_semantic_layer_off(bench: ModuleType, cases: Cases) -> None:
    from offergen.config import Settings

    guard = bench.load_guard(Settings().guardrails_dir, "us-default")[0]
    lexical = bench.without_semantic(guard)

    def layers(g: Any) -> dict[str, bool]:
        return {e.check.name: getattr(e.check, "semantic", None) is not None for e in g.pack.checks}

    assert any(layers(guard).values())
    assert layers(lexical) == dict.fromkeys(layers(guard), False)
    # The phrase lists still run: US claims of the corpus are caught without the layer.
    claims = [c for c in cases if "claims" in c.expect.fires and c.jurisdiction == Jurisdiction.US]
    fired = [
        c.id
        for c in claims
        if "claims" in {f.check for f in lexical.check(c.text, bench.context(c)).findings}
    ]
    assert fired
