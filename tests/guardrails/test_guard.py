"""The guard: runs a pack's enabled checks in order; releases only text with no holding finding."""

from __future__ import annotations

import difflib
import textwrap
from datetime import date
from pathlib import Path
from typing import ClassVar

import pytest

from offergen.config import REPO_ROOT
from offergen.guardrails import registry
from offergen.guardrails.base import CheckContext, CheckParams
from offergen.guardrails.guard import Guard, GuardResult, _insertions
from offergen.guardrails.pack import load_pack
from offergen.schemas import Channel, Finding, Jurisdiction, OfferTerms, Severity

GUARDRAILS = REPO_ROOT / "guardrails"
# Carries every disclosure an SMS needs, so it stays clean once the packs enforce disclosures.
COPY = (
    "Get 10% cashback at FreshMart on $50+ through Dec 31, 2026. Terms apply. "
    "Reply STOP to opt out."
)


class WordParams(CheckParams):
    word: str = "bad"


class WordCheck:
    """A real, tiny check: flags every occurrence of one word with the pack's severity."""

    name: ClassVar[str] = "word"
    Params: ClassVar[type[CheckParams]] = WordParams

    def __init__(self, params: CheckParams, severity: Severity) -> None:
        assert isinstance(params, WordParams)
        self.word = params.word
        self.severity = severity

    def check(self, text: str, ctx: CheckContext) -> list[Finding]:
        out = []
        start = text.find(self.word)
        while start != -1:
            end = start + len(self.word)
            out.append(
                Finding(
                    check=self.name,
                    rule_id="word.found",
                    severity=self.severity,
                    start=start,
                    end=end,
                    message="word found",
                    explanation=f"the word {self.word!r}",
                )
            )
            start = text.find(self.word, end)
        return out


class ExplodingCheck:
    name: ClassVar[str] = "exploding"
    Params: ClassVar[type[CheckParams]] = CheckParams

    def __init__(self, params: CheckParams, severity: Severity) -> None:
        self.severity = severity

    def check(self, text: str, ctx: CheckContext) -> list[Finding]:
        raise ValueError(f"cannot handle {text}")


class NeedsParams(CheckParams):
    need: str
    only_if: str | None = None  # required only when this appears
    at_start: bool = False
    misbehave: str | None = None  # "raise" | "rewrite" | "noop" | "bytes" | "partial"


class NeedsCheck:
    """A real, tiny Fixer: `need` must appear; its fix inserts it (at the end or the start)."""

    name: ClassVar[str] = "needs"
    Params: ClassVar[type[CheckParams]] = NeedsParams

    def __init__(self, params: CheckParams, severity: Severity) -> None:
        assert isinstance(params, NeedsParams)
        self.params = params
        self.severity = severity

    def check(self, text: str, ctx: CheckContext) -> list[Finding]:
        p = self.params
        if p.need in text or (p.only_if is not None and p.only_if not in text):
            return []
        return [
            Finding(
                check=self.name,
                rule_id=f"needs.{p.need.strip(' .!').lower() or 'mark'}",
                severity=self.severity,
                start=0,
                end=len(text),
                message="missing",
                explanation=f"needs {p.need!r}",
            )
        ]

    def fix(self, text: str, findings: list[Finding], ctx: CheckContext) -> str:
        p = self.params
        if p.misbehave == "raise":
            raise RuntimeError(f"cannot fix {text}")
        if p.misbehave == "rewrite":
            return text.replace("10%", "15%") + p.need
        if p.misbehave == "noop":
            return text
        if p.misbehave == "bytes":
            return text.encode()  # type: ignore[return-value]
        if p.misbehave == "partial":
            return text + p.need[:1]
        return p.need + text if p.at_start else text + p.need


class MaxLengthParams(CheckParams):
    max_chars: int


class MaxLengthCheck:
    """Stands in for the channel check: text over `max_chars` is blocked."""

    name: ClassVar[str] = "max_length"
    Params: ClassVar[type[CheckParams]] = MaxLengthParams

    def __init__(self, params: CheckParams, severity: Severity) -> None:
        assert isinstance(params, MaxLengthParams)
        self.max_chars = params.max_chars
        self.severity = severity

    def check(self, text: str, ctx: CheckContext) -> list[Finding]:
        if len(text) <= self.max_chars:
            return []
        return [
            Finding(
                check=self.name,
                rule_id="max_length.exceeded",
                severity=self.severity,
                start=self.max_chars,
                end=len(text),
                message="too long",
                explanation=f"{len(text)} > {self.max_chars} characters",
            )
        ]


@pytest.fixture(autouse=True)
def test_checks(monkeypatch: pytest.MonkeyPatch) -> None:
    registry.check_names()
    monkeypatch.setattr(registry, "_CHECKS", dict(registry._CHECKS))
    registry.register(WordCheck)
    registry.register(ExplodingCheck)
    registry.register(NeedsCheck)
    registry.register(MaxLengthCheck)


def _ctx(**terms: object) -> CheckContext:
    offer = {
        "kind": "cashback",
        "merchant": "FreshMart",
        "value": 10,
        "unit": "percent",
        "min_spend": 50,
        "valid_until": date(2026, 12, 31),
        **terms,
    }
    return CheckContext(
        offer=OfferTerms.model_validate(offer), channel=Channel.sms, jurisdiction=Jurisdiction.US
    )


def _guard(tmp_path: Path, checks: str) -> Guard:
    body = "name: test\ndescription: d\nchecks:\n" + textwrap.indent(textwrap.dedent(checks), "  ")
    (tmp_path / "test.yaml").write_text(body, encoding="utf-8")
    return Guard(load_pack(tmp_path, "test"))


@pytest.mark.parametrize("pack", ["us-default", "eu-default"])
def test_default_pack_releases_copy_that_matches_the_terms(pack: str) -> None:
    result = Guard.load(GUARDRAILS, pack).check(COPY, _ctx())
    assert result == GuardResult(
        released=True, text=COPY, findings=[], original_text=COPY, applied_fixes=[]
    )


def test_default_pack_blocks_copy_the_terms_do_not_back() -> None:
    result = Guard.load(GUARDRAILS, "us-default").check(COPY, _ctx(value=5))
    assert not result.released
    assert [f.rule_id for f in result.findings] == ["numbers.unbacked_reward_percent"]
    assert COPY[result.findings[0].start : result.findings[0].end] == "10%"


def test_personal_data_is_reported_by_pii_alone_so_no_finding_quotes_it() -> None:
    text = "Use 4111 1111 1111 1111 for 10% back at FreshMart."
    result = Guard.load(GUARDRAILS, "us-default").check(text, _ctx(value=10))
    assert not result.released
    card = (text.index("4111"), text.index(" for"))
    over_card = [f for f in result.findings if f.start < card[1] and card[0] < f.end]
    assert over_card and {f.check for f in over_card} == {"pii"}
    assert all("4111" not in f.message + f.explanation for f in result.findings)


def test_findings_of_all_checks_are_sorted_by_start() -> None:
    text = "Save 15% today, email ann@example.com or pay $7."
    result = Guard.load(GUARDRAILS, "us-default").check(text, _ctx())
    assert not result.released
    assert [f.rule_id for f in result.findings] == [
        "numbers.unbacked_percent",
        "pii.email",
        "numbers.unbacked_amount",
    ]
    starts = [f.start for f in result.findings]
    assert starts == sorted(starts)


@pytest.mark.parametrize(
    ("severity", "released"),
    [("block", False), ("fix", False), ("warn", True)],
)
def test_only_block_and_unapplied_fix_hold_the_text(
    tmp_path: Path, severity: str, released: bool
) -> None:
    guard = _guard(tmp_path, f"- {{type: word, severity: {severity}}}\n")
    result = guard.check("a bad offer", _ctx())
    assert result.released is released
    assert [(f.rule_id, f.severity.value) for f in result.findings] == [("word.found", severity)]
    assert result.text == "a bad offer"


def test_disabled_checks_do_not_run(tmp_path: Path) -> None:
    guard = _guard(
        tmp_path,
        """\
        - {type: word, enabled: false}
        - {type: word, params: {word: offer}, severity: warn}
        """,
    )
    result = guard.check("a bad offer", _ctx())
    assert result.released
    assert [f.explanation for f in result.findings] == ["the word 'offer'"]


def test_checks_run_in_pack_order_and_all_findings_are_kept(tmp_path: Path) -> None:
    guard = _guard(
        tmp_path,
        """\
        - {type: word, params: {word: offer}, severity: warn}
        - {type: word, params: {word: bad}, severity: block}
        """,
    )
    result = guard.check("bad offer, bad", _ctx())
    assert [(f.start, f.explanation) for f in result.findings] == [
        (0, "the word 'bad'"),
        (4, "the word 'offer'"),
        (11, "the word 'bad'"),
    ]
    assert not result.released


def test_a_raising_check_blocks_without_leaking_the_text(
    tmp_path: Path, caplog: pytest.LogCaptureFixture
) -> None:
    guard = _guard(
        tmp_path,
        """\
        - {type: exploding, severity: warn}
        - {type: word, params: {word: secret}, severity: warn}
        """,
    )
    text = "my secret 4111 1111 1111 1111"
    result = guard.check(text, _ctx())
    assert not result.released
    error = next(f for f in result.findings if f.check == "exploding")
    assert error.rule_id == "exploding.error"
    assert error.severity is Severity.block  # fail closed even though the pack said warn
    assert (error.start, error.end) == (0, len(text))
    assert "ValueError" in error.explanation
    for leaked in ("secret", "4111"):
        assert leaked not in error.message
        assert leaked not in error.explanation
        assert leaked not in caplog.text
    # The other checks still ran.
    assert any(f.rule_id == "word.found" for f in result.findings)


def test_guard_exposes_its_pack_name() -> None:
    assert Guard.load(GUARDRAILS, "eu-default").name == "eu-default"


def test_guard_result_serialises_to_the_cli_shape() -> None:
    result = Guard.load(GUARDRAILS, "us-default").check("Call 555-123-4567", _ctx())
    data = result.model_dump(mode="json")
    # The CLI writes released/text/findings; the fix trail comes along for the pipeline.
    assert set(data) == {"released", "text", "findings", "original_text", "applied_fixes"}
    assert data["released"] is False
    assert set(data["findings"][0]) == {
        "check",
        "rule_id",
        "severity",
        "start",
        "end",
        "message",
        "explanation",
    }


# --- fixes: inserted by code, then every check runs again ----------------------------------------

INTRO = {
    "kind": "intro_apr",
    "value": 0,
    "unit": "percent",
    "min_spend": None,
    "valid_until": None,
    "apr_after_intro": 24.99,
    "intro_months": 12,
}
DISCLOSING_PACK = """\
- {type: pii, severity: block}
- {type: numbers, severity: block}
- {type: disclosures, severity: fix}
"""


def _survives(original: str, text: str) -> bool:
    """Every character of `original` is in `text`, in order (a fix only adds)."""
    it = iter(text)
    return all(ch in it for ch in original)


def _inserted(result: GuardResult) -> list[str]:
    return [result.text[f.start : f.end] for f in result.applied_fixes]


def test_missing_disclosures_are_inserted_and_the_fixed_text_released(tmp_path: Path) -> None:
    text = "Get 0% intro APR for 12 months at FreshMart. Reply STOP to opt out."
    result = _guard(tmp_path, DISCLOSING_PACK).check(text, _ctx(**INTRO))
    assert result.released
    assert result.findings == []
    assert result.original_text == text
    assert result.text == (
        "Get 0% intro APR for 12 months at FreshMart. Then 24.99% APR. Terms apply. "
        "Reply STOP to opt out."
    )
    assert _survives(text, result.text)
    # One call of the check's fix; the two sentences land next to each other.
    assert _inserted(result) == ["Then 24.99% APR. Terms apply."]
    [applied] = result.applied_fixes
    assert applied.check == "disclosures"
    assert applied.explanation.startswith("inserted by code: ")
    assert "disclosures.reg_z_apr_after_intro" in applied.explanation
    assert "disclosures.terms_apply" in applied.explanation


def test_the_fixed_text_is_checked_again_by_every_check(tmp_path: Path) -> None:
    # The number the fix writes must itself be backed: here the fix states an APR the numbers
    # check does not back (apr_after_intro is backed, but 7 is not) - so use a custom fixer.
    guard = _guard(
        tmp_path,
        """\
        - {type: numbers, severity: block}
        - {type: needs, params: {need: " Valid for 7 days."}, severity: fix}
        """,
    )
    result = guard.check("Get 10% back at FreshMart.", _ctx())
    assert not result.released
    assert result.text == "Get 10% back at FreshMart. Valid for 7 days."
    assert [(f.rule_id, result.text[f.start : f.end]) for f in result.findings] == [
        ("numbers.unbacked_number", "7")
    ]
    assert _inserted(result) == ["Valid for 7 days."]


def test_a_fix_that_pushes_the_text_past_a_limit_is_held(tmp_path: Path) -> None:
    text = "Get 10% cashback at FreshMart on $50+ through Dec 31, 2026. Terms apply."
    guard = _guard(
        tmp_path,
        f"""\
        - {{type: disclosures, severity: fix}}
        - {{type: max_length, params: {{max_chars: {len(text) + 5}}}, severity: block}}
        """,
    )
    result = guard.check(text, _ctx())
    assert not result.released
    assert result.text == text + " Reply STOP to opt out."
    assert [f.rule_id for f in result.findings] == ["max_length.exceeded"]
    assert _inserted(result) == ["Reply STOP to opt out."]
    assert result.original_text == text


def test_a_second_round_fixes_what_the_first_fix_caused(tmp_path: Path) -> None:
    guard = _guard(
        tmp_path,
        """\
        - {type: needs, params: {need: "[B] ", only_if: "[A]", at_start: true}, severity: fix}
        - {type: needs, params: {need: " [A]"}, severity: fix}
        """,
    )
    result = guard.check("offer", _ctx())
    assert result.released
    assert result.text == "[B] offer [A]"
    # Spans point into the final text, also for the first round's insertion.
    assert _inserted(result) == ["[A]", "[B]"]
    assert _survives("offer", result.text)


def test_fix_rounds_are_bounded_and_what_is_left_holds(tmp_path: Path) -> None:
    # Each fix adds one "!" but the check wants "!!!": two rounds are not enough.
    guard = _guard(
        tmp_path, '- {type: needs, params: {need: "!!!", misbehave: partial}, severity: fix}\n'
    )
    result = guard.check("offer", _ctx())
    assert not result.released
    assert result.text == "offer!!"
    assert [(f.rule_id, f.severity) for f in result.findings] == [("needs.mark", Severity.fix)]
    assert _inserted(result) == ["!", "!"]


def test_an_unfixable_fix_finding_holds_the_text(tmp_path: Path) -> None:
    guard = _guard(
        tmp_path, '- {type: needs, params: {need: "x", misbehave: noop}, severity: fix}\n'
    )
    result = guard.check("offer", _ctx())
    assert not result.released
    assert result.text == "offer"
    assert result.applied_fixes == []
    assert [f.severity for f in result.findings] == [Severity.fix]


@pytest.mark.parametrize("severity", ["warn", "block"])
def test_only_fix_findings_are_fixed(tmp_path: Path, severity: str) -> None:
    guard = _guard(tmp_path, f'- {{type: needs, params: {{need: " x"}}, severity: {severity}}}\n')
    result = guard.check("offer", _ctx())
    assert result.text == "offer"
    assert result.applied_fixes == []
    assert result.released is (severity == "warn")


@pytest.mark.parametrize(
    ("misbehave", "why"),
    [
        ("raise", "it raised RuntimeError"),
        ("rewrite", "it removed or changed text"),
        ("bytes", "it returned bytes, not text"),
    ],
)
def test_a_failing_fix_holds_the_text_unchanged(
    tmp_path: Path, caplog: pytest.LogCaptureFixture, misbehave: str, why: str
) -> None:
    guard = _guard(
        tmp_path,
        f"""\
        - {{type: needs, params: {{need: " ok", misbehave: {misbehave}}}, severity: fix}}
        - {{type: word, params: {{word: secret}}, severity: warn}}
        """,
    )
    text = "Get 10% back, secret 4111"
    result = guard.check(text, _ctx())
    assert not result.released
    assert result.text == text
    assert result.applied_fixes == []
    error = next(f for f in result.findings if f.rule_id == "needs.fix_error")
    assert error.severity is Severity.block
    assert why in error.explanation
    for leaked in ("secret", "4111"):
        assert leaked not in error.message
        assert leaked not in error.explanation
        assert leaked not in caplog.text
    # The checks' own findings on the (unchanged) text are still reported.
    assert {f.rule_id for f in result.findings} == {"needs.fix_error", "needs.ok", "word.found"}


def test_a_later_fix_is_not_applied_after_an_earlier_one_failed(tmp_path: Path) -> None:
    guard = _guard(
        tmp_path,
        """\
        - {type: needs, params: {need: " a", misbehave: raise}, severity: fix}
        - {type: needs, params: {need: " b"}, severity: fix}
        """,
    )
    result = guard.check("offer", _ctx())
    assert not result.released
    assert result.text == "offer"


def test_text_without_findings_is_returned_untouched(tmp_path: Path) -> None:
    result = _guard(tmp_path, DISCLOSING_PACK).check(COPY, _ctx())
    assert result == GuardResult(
        released=True, text=COPY, findings=[], original_text=COPY, applied_fixes=[]
    )


@pytest.mark.parametrize(
    ("old", "new", "spans"),
    [
        ("Save 5%.", "Save 5%. Terms apply.", [(8, 21)]),
        ("Save 5%.", "Rates vary. Save 5%.", [(0, 12)]),
        ("Save 5% today.", "Save 5% (min. $50) today.", [(8, 19)]),
        ("aaaa", "aaXaa", [(2, 3)]),
        ("Save 5%.", "Save 6%.", None),
    ],
)
def test_insertions_are_the_spans_a_fix_added(
    old: str, new: str, spans: list[tuple[int, int]] | None
) -> None:
    assert _insertions(old, new) == spans


def test_insertions_diff_only_what_lies_between_the_common_ends(
    monkeypatch: pytest.MonkeyPatch,
) -> None:
    # The character diff is quadratic: on a long copy it runs on the changed middle only.
    seen: list[int] = []
    matcher = difflib.SequenceMatcher

    def recording(junk: None, a: str, b: str, autojunk: bool) -> difflib.SequenceMatcher[str]:
        seen.append(len(a) + len(b))
        return matcher(junk, a, b, autojunk=autojunk)

    monkeypatch.setattr(difflib, "SequenceMatcher", recording)
    old = "Anna Berg, " * 1800
    new = old + " Terms apply."
    assert _insertions(old, new) == [(len(old), len(new))]
    assert seen == [len(" Terms apply.")]
