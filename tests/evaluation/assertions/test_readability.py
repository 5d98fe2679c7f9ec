from __future__ import annotations

from tests.evaluation.outcomes import check, outcome, variant


def test_plain_copy_reads_easily() -> None:
    out = outcome(variant("Get 5% back. Shop now. Terms apply."))
    assert check({"type": "readability", "max": 6}, out).passed


def test_dense_copy_fails() -> None:
    text = (
        "Notwithstanding contractual stipulations, participating cardmembers' "
        "eligibility determinations necessitate comprehensive verification procedures"
    )
    result = check({"type": "readability", "max": 10}, outcome(variant(text)))
    assert not result.passed and "grade" in result.message
