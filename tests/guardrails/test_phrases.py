"""Phrase folding and matching: Unicode tricks folded away, spans mapped back to the original."""

from __future__ import annotations

import re

import pytest

from offergen.guardrails.phrases import (
    PhraseMatcher,
    fold,
    name_pattern,
    phrase_alternation,
    phrase_key,
    phrase_regex,
)

MERGE_TAG = re.compile(r"\{\{\s*[A-Za-z_][A-Za-z0-9_.]*\s*\}\}")


@pytest.mark.parametrize(
    ("text", "folded"),
    [
        ("plain ascii", "plain ascii"),
        ("guar\u200banteed", "guaranteed"),  # zero-width space
        ("gu\u200c\u200d\u2060\ufeffard", "guard"),  # ZWNJ, ZWJ, word joiner, BOM
        ("r\u00adisk", "risk"),  # soft hyphen
        ("gu\u0430r\u0430nt\u0435\u0435d", "guaranteed"),  # Cyrillic a, e
        ("\u0391\u0392\u0395", "ABE"),  # Greek capitals
        ("\uff46\uff52\uff45\uff45", "free"),  # full width
        ("\U0001d41f\U0001d42b\U0001d41e\U0001d41e", "free"),  # maths bold
        ("fr\u00e9\u00e9", "free"),  # precomposed accents
        ("fre\u0301e", "free"),  # combining accent
        ("won\u2019t", "won't"),
        ("risk\u2014free", "risk-free"),  # em dash (text.normalise)
        ("no\u00a0fee", "no fee"),  # no-break space (text.normalise)
        ("g u a r a n t e e d", "guaranteed"),
        ("f.r.e.e", "free"),
        ("\ufb01nance", "finance"),  # ligature: one character, two letters
        ("a b c", "a b c"),  # too short to be letter-spacing
        ("caf\u00e9 \u65e5\u672c", "cafe \u65e5\u672c"),  # other scripts stay
    ],
)
def test_fold(text: str, folded: str) -> None:
    assert fold(text).text == folded


def test_fold_masks_the_merchant_name() -> None:
    folded = fold("Free People: free  gift at FREE PEOPLE", MERGE_TAG, name_pattern("Free People"))
    assert re.findall("(?i)free", folded.text) == ["free"]
    assert name_pattern("  ") is None


def test_fold_masks_merge_tags() -> None:
    folded = fold("Hi {{free_gift}} free", MERGE_TAG)
    assert "free_gift" not in folded.text
    assert folded.text.endswith(" free")


@pytest.mark.parametrize(
    "text",
    [
        "x guar\u200banteed y",
        "x gu\u0430ranteed y",
        "x g u a r a n t e e d y",
        "x \uff47\uff55\uff41\uff52\uff41\uff4e\uff54\uff45\uff45\uff44 y",
        "x gua\u0301ranteed y",
    ],
)
def test_spans_map_back_to_the_original(text: str) -> None:
    folded = fold(text)
    m = re.search("guaranteed", folded.text)
    assert m is not None
    start, end = folded.span(*m.span())
    assert text[:start] == "x " and text[end:] == " y"


def test_ligature_span_covers_the_ligature() -> None:
    text = "x \ufb01ne y"
    folded = fold(text)
    assert folded.text == "x fine y"
    assert folded.span(2, 6) == (2, 5)
    assert folded.span(3, 6) == (2, 5)  # "ine" starts inside the ligature


def test_empty_span_maps_to_a_position() -> None:
    folded = fold("a\u200bb")
    assert folded.span(1, 1) == (2, 2)
    assert folded.span(2, 2) == (3, 3)
    assert fold("").span(0, 0) == (0, 0)


@pytest.mark.parametrize(
    ("phrase", "text", "matches"),
    [
        ("risk-free", "risk-free", True),
        ("risk-free", "risk free", True),
        ("risk-free", "risk - free", True),
        ("risk-free", "riskfree", True),
        ("risk-free", "risk_free", True),
        ("risk-free", "RISK-FREE", True),
        ("free", "freedom", False),
        ("free", "carefree", False),
        ("free", "free!", True),
        ("free", "free2go", False),
        ("$0 annual fee", "a $0 annual fee", True),
        ("$0 annual fee", "a $10 annual fee", False),
        ("0% APR", "10% APR", False),
        ("0% APR", "0% APR.", True),
        ("won't last", "won't last", True),
    ],
)
def test_phrase_regex(phrase: str, text: str, matches: bool) -> None:
    assert bool(re.search(phrase_regex(phrase), text, re.IGNORECASE)) is matches


def test_alternation_prefers_the_longest_phrase() -> None:
    pattern = re.compile(phrase_alternation(["free", "free money", "fee-free"]), re.IGNORECASE)
    assert [m.group() for m in pattern.finditer("free money, fee-free, free")] == [
        "free money",
        "fee-free",
        "free",
    ]


def test_phrase_key() -> None:
    assert phrase_key("Pre - Approved") == phrase_key("preapproved") == "preapproved"


def test_matcher_labels_benign_and_regex_entries() -> None:
    matcher = PhraseMatcher(
        [("free", ["free"], []), ("money", ["free money"], []), ("num", [], [r"\d+x"])],
        benign=["toll-free"],
    )
    text = "free money, toll-free, free, 3x"
    hits = [(h.label, text[h.start : h.end]) for h in matcher.hits(text)]
    assert hits == [("money", "free money"), ("free", "free"), ("num", "3x")]


def test_matcher_first_list_wins_a_shared_phrase() -> None:
    matcher = PhraseMatcher([("a", ["no fee"], []), ("b", ["no-fee"], [])])
    assert [h.label for h in matcher.hits("no fee")] == ["a"]


def test_empty_matcher_matches_nothing() -> None:
    assert PhraseMatcher([]).hits("anything") == []
