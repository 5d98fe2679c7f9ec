"""Fitting a terms-locked draft to its channel.

A draft the guard holds only for its length (once its slots are filled and any required wording is
inserted), or one the model left unfinished at its token limit, is cut back to its longest run of
whole sentences that the guard releases. Only whole sentences of the model's own copy are dropped,
so nothing is reworded; a cut that loses a required slot is held like any other draft, and the
guard judges every cut afresh.
"""

from __future__ import annotations

import re
from collections.abc import Callable
from dataclasses import dataclass

from offergen.guardrails.guard import HOLDING, GuardResult
from offergen.schemas import Finding, Severity

__all__ = ["LENGTH_RULES", "Fitted", "fit", "sentence_cuts"]

# The findings a shorter draft can cure: the channel's own limits and a merchant's max_chars.
LENGTH_RULES = frozenset(
    {"channel.sms_length", "channel.length", "merchant_rules.channel_rule.max_chars"}
)
# A sentence ends at . ! or ? (closing quotes or brackets may follow) before a space or the end.
_SENTENCE_END = re.compile(r"[.!?]+[\"'\u201d\u2019)\]]*(?=\s|$)")


@dataclass(frozen=True)
class Fitted:
    result: GuardResult
    finish_reason: str | None  # "stop" once a cut-off draft is cut back to whole sentences
    dropped: int  # sentences dropped from the end of the model's copy


def sentence_cuts(text: str) -> list[str]:
    """`text` cut after each of its whole sentences but the last, longest first."""
    text = text.rstrip()
    ends = [m.end() for m in _SENTENCE_END.finditer(text)]
    return [text[:end] for end in reversed(ends) if end < len(text)]


def _holding(findings: list[Finding]) -> set[str]:
    return {f.rule_id for f in findings if f.severity in HOLDING}


def fit(copy: str, finish_reason: str | None, judge: Callable[[str], GuardResult]) -> Fitted:
    """`judge(copy)`, or the verdict on the longest sentence cut of `copy` that the guard
    releases when `copy` is held only for its length or was cut off at the token limit."""
    result = judge(copy)
    cut_off = finish_reason == "length"
    holding = _holding(result.findings)
    # Never cut away what broke another rule: only length (or an unfinished end) is cured here.
    if not holding <= LENGTH_RULES or not (holding or cut_off):
        return Fitted(result, finish_reason, 0)
    for dropped, shorter in enumerate(sentence_cuts(copy), start=1):
        candidate = judge(shorter)
        if candidate.released:
            note = _shortened(candidate.text, dropped, cut_off, holding)
            fixes = [*candidate.applied_fixes, note]
            return Fitted(candidate.model_copy(update={"applied_fixes": fixes}), "stop", dropped)
        if not _holding(candidate.findings) <= LENGTH_RULES:
            break  # held for something a shorter cut cannot cure (a required slot cut away)
    return Fitted(result, finish_reason, 0)


def _shortened(text: str, dropped: int, cut_off: bool, holding: set[str]) -> Finding:
    why = "it stopped at the token limit" if cut_off else "held by " + ", ".join(sorted(holding))
    return Finding(
        check="fitting",
        rule_id="fitting.shortened",
        severity=Severity.fix,
        start=len(text),
        end=len(text),
        message="the draft was cut back to its whole sentences to fit the channel",
        explanation=f"dropped the last {dropped} sentence(s) of the model's copy: {why}",
    )
