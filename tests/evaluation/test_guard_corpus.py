"""The corpus format and per-check counting shared by the guard suite and the guard bench."""

from __future__ import annotations

import json
from pathlib import Path

import pytest

from offergen.evaluation.guard_corpus import (
    CorpusError,
    Counts,
    fired_checks,
    load_corpus,
    tally,
)
from offergen.schemas import Severity
from tests.evaluation.outcomes import finding

LINE = {
    "id": "clean-1",
    "text": "5% back at FreshMart. Terms apply.",
    "channel": "email",
    "offer": {"kind": "cashback", "merchant": "FreshMart", "value": 5, "unit": "percent"},
    "expect": {"released": True, "fires": []},
}


def test_fired_checks_counts_block_fix_and_applied_fixes() -> None:
    findings = [finding("numbers"), finding("claims", severity=Severity.warn)]
    fixes = [finding("disclosures", severity=Severity.fix)]
    assert fired_checks(findings, fixes) == {"numbers", "disclosures"}


def test_tally_true_and_false_positives_and_negatives() -> None:
    counts: dict[str, Counts] = {}
    tally(
        counts,
        expected={"numbers", "pii"},
        fired={"numbers", "claims", "channel"},
        tolerated={"channel"},
    )
    assert (counts["numbers"].tp, counts["pii"].fn, counts["claims"].fp) == (1, 1, 1)
    assert counts["channel"] == Counts()  # tolerated: neither for nor against
    assert counts["numbers"].precision == 1.0 and counts["pii"].recall == 0.0
    assert counts["channel"].precision is None


def test_load_corpus_names_the_bad_line(tmp_path: Path) -> None:
    path = tmp_path / "c.jsonl"
    path.write_text(json.dumps(LINE) + "\n" + json.dumps({**LINE, "id": "x", "expect": {}}) + "\n")
    with pytest.raises(CorpusError, match=r"c\.jsonl:2: expect\.released"):
        load_corpus(path)
    path.write_text(json.dumps(LINE) + "\n")
    assert [c.id for c in load_corpus(path)] == ["clean-1"]
