from __future__ import annotations

import pytest

from offergen.evaluation.quality import (
    calls_to_action,
    distinct_n,
    names_merchant,
    readability_grade,
    syllables,
    words,
)


def test_words_leave_out_merge_tags() -> None:
    assert words("{{first_name}}, don't miss 5% OFF!") == ["don't", "miss", "5", "off"]


def test_distinct_n() -> None:
    assert distinct_n(["a b c", "a b c"], 2) == pytest.approx(0.5)
    assert distinct_n(["a b c", "d e f"], 2) == 1.0
    assert distinct_n(["a"], 2) is None


def test_syllables_estimate() -> None:
    assert [syllables(w) for w in ("shop", "cashback", "groceries", "make", "table")] == [
        1,
        2,
        3,
        1,
        2,
    ]


def test_readability_orders_plain_before_dense() -> None:
    plain = readability_grade("Get 5% back. Shop now.")
    dense = readability_grade(
        "Participating cardmembers' eligibility necessitates comprehensive verification."
    )
    assert plain is not None and dense is not None and plain < 3 < 12 < dense
    assert readability_grade("{{first_name}}") is None


def test_calls_to_action_from_the_shipped_phrase_list() -> None:
    text = "5% back. Tap to activate in the app."
    found = [text[s:e] for s, e in calls_to_action(text)]
    assert found == ["Tap to", "activate", "in the app"]
    assert calls_to_action("Reactivated accounts only.") == []


def test_names_merchant() -> None:
    assert names_merchant("Shop at FRESHMART today", "FreshMart")
    assert not names_merchant("Shop at FreshMarts", "FreshMart")
