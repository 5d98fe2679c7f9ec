from __future__ import annotations

from pathlib import Path

import pytest

from tests.evaluation.outcomes import check, outcome, variant


def test_a_call_to_action_passes() -> None:
    out = outcome(variant("5% back. Tap to activate."))
    result = check({"type": "cta"}, out)
    assert result.passed and "Tap to" in result.message


def test_no_call_to_action_fails() -> None:
    result = check({"type": "cta"}, outcome(variant("5% back at FreshMart.")))
    assert not result.passed and "no call to action" in result.message


def test_phrases_come_from_a_data_file(tmp_path: Path) -> None:
    phrases = tmp_path / "cta.yaml"
    phrases.write_text("source: test\nphrases: [come and see]\n", encoding="utf-8")
    spec = {"type": "cta", "phrases_file": str(phrases)}
    assert check(spec, outcome(variant("Come  and see us"))).passed
    assert not check(spec, outcome(variant("Shop now"))).passed


def test_missing_phrase_file_is_a_load_error(tmp_path: Path) -> None:
    with pytest.raises(ValueError, match="no phrase file"):
        check({"type": "cta", "phrases_file": str(tmp_path / "x.yaml")}, outcome())
