"""Suites load with every source of cases, and every mistake names the file and line."""

from __future__ import annotations

import json
from pathlib import Path

import pytest

from offergen.evaluation.assertions.fires import FiresParams
from offergen.evaluation.assertions.released import ReleasedParams
from offergen.evaluation.suite import SuiteError, load_suite
from offergen.schemas import GenerateRequest, GuardCheckRequest

OFFER = {"kind": "cashback", "merchant": "FreshMart", "value": 5, "unit": "percent"}
GENERATE = {"merchant_id": "m_freshmart", "channel": "push", "offer": OFFER}
GUARD = {"text": "5% back at FreshMart. Terms apply.", "channel": "email", "offer": OFFER}
# Exactly what `offergen review export` writes (the reviewer loop): accepted as it is.
REVIEW_EXPORT = {
    "id": "review-12",
    "vars": {**GUARD, "jurisdiction": "US"},
    "assert": [{"type": "released", "value": True}],
    "metadata": {
        "source": "review",
        "review_id": 12,
        "label": "approved",
        "reason": "terms match the offer",
        "merchant_id": "m_freshmart",
        "template": "offer_copy",
        "template_version": "abc123",
        "model_id": "google/gemma-3-270m",
        "rule_ids": ["claims.free"],
    },
}


def _write(path: Path, text: str) -> Path:
    path.write_text(text, encoding="utf-8")
    return path


def _jsonl(path: Path, rows: list[object]) -> Path:
    return _write(path, "".join(json.dumps(r) + "\n" for r in rows))


def test_inline_case_file_and_corpus_cases_with_defaults(tmp_path: Path) -> None:
    _jsonl(tmp_path / "cases.jsonl", [REVIEW_EXPORT])
    corpus_line = {**GUARD, "id": "clean-1", "expect": {"released": True, "fires": []}}
    _jsonl(tmp_path / "corpus.jsonl", [corpus_line])
    suite = _write(
        tmp_path / "s.yaml",
        f"""
name: mixed
defaults:
  generate: [{{type: "check:numbers"}}]
cases:
  - id: gen-1
    vars: {json.dumps(GENERATE)}
    assert: [{{type: released, need: any}}]
case_files: [cases.jsonl]
guard_corpus: [corpus.jsonl]
""",
    )
    loaded = load_suite(suite)
    assert [c.id for c in loaded.cases] == ["gen-1", "review-12", "clean-1"]
    gen, review, corpus = loaded.cases
    assert isinstance(gen.vars, GenerateRequest)
    assert [a.type for a in gen.assertions] == ["check:numbers", "released"]  # defaults first
    assert isinstance(review.vars, GuardCheckRequest)
    assert review.metadata["review_id"] == 12
    assert [a.type for a in review.assertions] == ["released"]  # no guard defaults given
    assert isinstance(corpus.assertions[0], ReleasedParams)
    assert isinstance(corpus.assertions[1], FiresParams)
    assert corpus.metadata["source"] == "guard-corpus"


def test_review_export_line_round_trips(tmp_path: Path) -> None:
    path = _jsonl(tmp_path / "review.jsonl", [REVIEW_EXPORT])
    suite = _write(tmp_path / "s.yaml", "name: review\ncase_files: [review.jsonl]\n")
    case = load_suite(suite).cases[0]
    dumped = case.model_dump(mode="json", by_alias=True, exclude_defaults=True)
    assert dumped["assert"] == [{"type": "released"}]  # value true is the default
    assert path.exists()


def test_unknown_top_level_field_names_file_line_and_field(tmp_path: Path) -> None:
    suite = _write(tmp_path / "s.yaml", "name: x\ncases: []\n\nthreshold: []\n")
    with pytest.raises(SuiteError, match=r"s\.yaml:4: threshold: Extra inputs are not permitted"):
        load_suite(suite)


def test_unknown_field_inside_a_case(tmp_path: Path) -> None:
    suite = _write(
        tmp_path / "s.yaml",
        f"""name: x
cases:
  - id: a
    vars: {json.dumps(GUARD)}
    assert: [{{type: released}}]
  - id: b
    vars: {json.dumps(GUARD)}
    asserts: [{{type: released}}]
""",
    )
    with pytest.raises(SuiteError, match=r"s\.yaml:8: cases\.1\.asserts: Extra inputs"):
        load_suite(suite)


def test_bad_field_inside_vars_names_its_path(tmp_path: Path) -> None:
    bad = {**GENERATE, "channel": "fax"}
    suite = _write(
        tmp_path / "s.yaml",
        f"name: x\ncases:\n  - id: a\n    vars: {json.dumps(bad)}\n"
        "    assert: [{type: released}]\n",
    )
    with pytest.raises(SuiteError, match=r"s\.yaml:4: cases\.0\.vars\.channel: Input should be"):
        load_suite(suite)


def test_bad_assertion_type_lists_the_valid_ones(tmp_path: Path) -> None:
    suite = _write(
        tmp_path / "s.yaml",
        f"name: x\ncases:\n  - id: a\n    vars: {json.dumps(GUARD)}\n"
        "    assert:\n      - {type: released}\n      - {type: relesed}\n",
    )
    with pytest.raises(SuiteError) as exc:
        load_suite(suite)
    message = str(exc.value)
    assert "s.yaml:7: cases.0.assert.1: unknown assertion type 'relesed'" in message
    assert "valid types: attempts_at_most, check:<name>, contains" in message


def test_bad_assertion_param(tmp_path: Path) -> None:
    suite = _write(
        tmp_path / "s.yaml",
        f"name: x\ncases:\n  - id: a\n    vars: {json.dumps(GUARD)}\n"
        "    assert: [{type: length, max: 10, maxx: 3}]\n",
    )
    with pytest.raises(SuiteError, match=r":5: cases\.0\.assert\.0: length: maxx: Extra inputs"):
        load_suite(suite)


def test_bad_jsonl_line_is_named_by_number(tmp_path: Path) -> None:
    good = {"id": "a", "vars": GUARD, "assert": [{"type": "released"}]}
    bad = {"id": "b", "vars": {**GUARD, "jurisdiction": "UK"}, "assert": [{"type": "released"}]}
    _jsonl(tmp_path / "cases.jsonl", [good, bad])
    suite = _write(tmp_path / "s.yaml", "name: x\ncase_files: [cases.jsonl]\n")
    with pytest.raises(SuiteError, match=r"cases\.jsonl:2: vars\.jurisdiction: Input should be"):
        load_suite(suite)


def test_invalid_json_line(tmp_path: Path) -> None:
    good = json.dumps({"id": "a", "vars": GUARD, "assert": [{"type": "released"}]})
    _write(tmp_path / "cases.jsonl", f"{good}\n\n{{not json\n")
    suite = _write(tmp_path / "s.yaml", "name: x\ncase_files: [cases.jsonl]\n")
    with pytest.raises(SuiteError, match=r"cases\.jsonl:3: invalid JSON"):
        load_suite(suite)


def test_duplicate_ids_name_both_places(tmp_path: Path) -> None:
    row = {"id": "a", "vars": GUARD, "assert": [{"type": "released"}]}
    _jsonl(tmp_path / "cases.jsonl", [row, row])
    suite = _write(tmp_path / "s.yaml", "name: x\ncase_files: [cases.jsonl]\n")
    with pytest.raises(
        SuiteError, match=r"cases\.jsonl:2: duplicate case id 'a' \(first at .*:1\)"
    ):
        load_suite(suite)


def test_a_case_without_assertions_is_an_error(tmp_path: Path) -> None:
    _jsonl(tmp_path / "cases.jsonl", [{"id": "a", "vars": GUARD, "assert": []}])
    suite = _write(tmp_path / "s.yaml", "name: x\ncase_files: [cases.jsonl]\n")
    with pytest.raises(SuiteError, match=r"cases\.jsonl:1: case 'a' has no assertions"):
        load_suite(suite)


def test_unknown_threshold_metric(tmp_path: Path) -> None:
    suite = _write(
        tmp_path / "s.yaml",
        "name: x\ncase_files: [c.jsonl]\nthresholds:\n  - {metric: pass_rat, min: 1}\n",
    )
    with pytest.raises(SuiteError, match=r"s\.yaml:4: thresholds\.0\.metric: unknown metric"):
        load_suite(suite)


def test_invalid_yaml_and_missing_files(tmp_path: Path) -> None:
    with pytest.raises(SuiteError, match=r"s\.yaml:3: invalid YAML"):
        load_suite(_write(tmp_path / "s.yaml", "name: x\ncases: [\n"))
    with pytest.raises(SuiteError, match="cannot read"):
        load_suite(tmp_path / "missing.yaml")
    with pytest.raises(SuiteError, match=r"nope\.jsonl: cannot read"):
        load_suite(_write(tmp_path / "t.yaml", "name: x\ncase_files: [nope.jsonl]\n"))
    with pytest.raises(SuiteError, match="needs `cases`, `case_files` or `guard_corpus`"):
        load_suite(_write(tmp_path / "u.yaml", "name: x\n"))
