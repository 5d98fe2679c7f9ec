"""The guard: runs a pack's enabled checks in order; releases only text with no holding finding."""

from __future__ import annotations

import textwrap
from datetime import date
from pathlib import Path
from typing import ClassVar

import pytest

from offergen.config import REPO_ROOT
from offergen.guardrails import registry
from offergen.guardrails.base import CheckContext, CheckParams
from offergen.guardrails.guard import Guard, GuardResult
from offergen.guardrails.pack import load_pack
from offergen.schemas import Channel, Finding, Jurisdiction, OfferTerms, Severity

GUARDRAILS = REPO_ROOT / "guardrails"
COPY = "Get 10% cashback at FreshMart on $50+ through Dec 31, 2026. Terms apply."


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


@pytest.fixture(autouse=True)
def test_checks(monkeypatch: pytest.MonkeyPatch) -> None:
    registry.check_names()
    monkeypatch.setattr(registry, "_CHECKS", dict(registry._CHECKS))
    registry.register(WordCheck)
    registry.register(ExplodingCheck)


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
    assert result == GuardResult(released=True, text=COPY, findings=[])


def test_default_pack_blocks_copy_the_terms_do_not_back() -> None:
    result = Guard.load(GUARDRAILS, "us-default").check(COPY, _ctx(value=5))
    assert not result.released
    assert [f.rule_id for f in result.findings] == ["numbers.unbacked_reward_percent"]
    assert COPY[result.findings[0].start : result.findings[0].end] == "10%"


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
    assert set(data) == {"released", "text", "findings"}
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
