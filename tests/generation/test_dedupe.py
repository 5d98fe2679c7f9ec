from __future__ import annotations

from offergen.generation.dedupe import NearDuplicates


def test_near_duplicates_are_caught_and_different_copy_is_kept() -> None:
    d = NearDuplicates()
    base = "{{first_name}}, every time you shop at FreshMart, get 5% cashback. Terms apply."
    assert not d.seen(base)
    assert d.seen("{{first_name}} every time you shop at FreshMart, get 5% cashback. Terms apply")
    assert d.seen("Every time you shop at FreshMart get 5% cashback! Terms apply.")
    assert not d.seen("FreshMart: 5% back on your groceries this week. Terms apply.")
    assert not d.seen("Every time you shop at FreshMart, get 10% cashback on produce and dairy.")
