"""Fitting a draft to its channel: whole sentences dropped from the end, only for length."""

from __future__ import annotations

import pytest

from offergen.fitting import fit, sentence_cuts
from offergen.guardrails.guard import GuardResult
from offergen.schemas import Finding, Severity


def _finding(rule_id: str, severity: Severity = Severity.block) -> Finding:
    return Finding(
        check=rule_id.split(".")[0],
        rule_id=rule_id,
        severity=severity,
        start=0,
        end=1,
        message=rule_id,
        explanation=rule_id,
    )


class Judge:
    """A guard over two rules: at most `limit` characters, and never the word 'guaranteed'."""

    def __init__(self, limit: int) -> None:
        self.limit = limit
        self.seen: list[str] = []

    def __call__(self, text: str) -> GuardResult:
        self.seen.append(text)
        findings = []
        if len(text) > self.limit:
            findings.append(_finding("channel.sms_length"))
        if "guaranteed" in text:
            findings.append(_finding("claims.guaranteed"))
        if "[REWARD]" not in text:
            findings.append(_finding("slots.missing"))
        return GuardResult(released=not findings, text=text, findings=findings, original_text=text)


@pytest.mark.parametrize(
    ("text", "cuts"),
    [
        ("One. Two! Three?", ["One. Two!", "One."]),
        ('He said "go." Then left.', ['He said "go."']),
        ("Only one sentence", []),
        ("Ends unfinished. And then", ["Ends unfinished."]),
        ("[REWARD] off at Acme... Today only.  ", ["[REWARD] off at Acme..."]),
        ("Prices from [MIN_SPEND].Shop now.", []),  # no space after the stop: not a sentence end
    ],
)
def test_sentence_cuts_are_whole_sentences_longest_first(text: str, cuts: list[str]) -> None:
    assert sentence_cuts(text) == cuts


def test_a_draft_held_only_for_length_is_cut_to_the_longest_cut_that_releases() -> None:
    judge = Judge(limit=40)
    copy = "Get [REWARD] back at Acme. Shop today. Offer ends soon, so hurry."
    fitted = fit(copy, "stop", judge)

    assert fitted.result.released and fitted.result.text == "Get [REWARD] back at Acme. Shop today."
    assert fitted.dropped == 1 and fitted.finish_reason == "stop"
    [note] = fitted.result.applied_fixes
    assert note.rule_id == "fitting.shortened" and "channel.sms_length" in note.explanation
    assert note.start == note.end == len(fitted.result.text)


def test_a_draft_that_fits_is_judged_once_and_left_alone() -> None:
    judge = Judge(limit=100)
    fitted = fit("Get [REWARD] back at Acme. Shop today.", "stop", judge)
    assert fitted.result.released and fitted.dropped == 0 and not fitted.result.applied_fixes
    assert len(judge.seen) == 1


def test_a_draft_that_breaks_another_rule_is_never_cut_free_of_it() -> None:
    judge = Judge(limit=40)
    copy = "Get [REWARD] back at Acme. Shop today. Approval guaranteed for all."
    fitted = fit(copy, "stop", judge)
    assert not fitted.result.released and fitted.result.text == copy
    assert {f.rule_id for f in fitted.result.findings} == {
        "channel.sms_length",
        "claims.guaranteed",
    }
    assert judge.seen == [copy]


def test_a_cut_that_loses_a_required_slot_stops_the_search() -> None:
    judge = Judge(limit=30)
    copy = "Big news from Acme today. Get [REWARD] back. Shop now."
    fitted = fit(copy, "stop", judge)
    assert not fitted.result.released and fitted.result.text == copy and fitted.dropped == 0
    # tried "...[REWARD] back." (still too long), then lost the slot and stopped there
    assert judge.seen == [
        copy,
        "Big news from Acme today. Get [REWARD] back.",
        "Big news from Acme today.",
    ]


def test_a_draft_cut_off_at_the_token_limit_ends_at_its_last_whole_sentence() -> None:
    judge = Judge(limit=100)
    fitted = fit("Get [REWARD] back at Acme. Shop before the", "length", judge)
    assert fitted.result.released and fitted.result.text == "Get [REWARD] back at Acme."
    assert fitted.finish_reason == "stop"
    assert "token limit" in fitted.result.applied_fixes[0].explanation


def test_a_cut_off_draft_without_a_whole_sentence_stays_cut_off() -> None:
    fitted = fit("Get [REWARD] back at Acme and", "length", Judge(limit=100))
    assert fitted.result.released and fitted.finish_reason == "length"  # decide() holds it
