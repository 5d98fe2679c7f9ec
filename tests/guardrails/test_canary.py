"""Prompt canaries: made per request, held by unsafe_output when a draft carries one, and
redacted everywhere the draft goes (response, audit trail, findings), on a real pipeline with a
scripted backend."""

from __future__ import annotations

from offergen.guardrails.canary import REDACTED, new_canary, redact
from offergen.guardrails.guard import GuardResult
from offergen.pipeline import GenerateOptions, RequestMeta
from offergen.schemas import Finding, GenerateRequest, Severity
from offergen.store.knowledge_base import KnowledgeBase
from tests.support.pipelines import MakePipeline

SECRET = "QWERTYUIOPASDFGH"


def _request(kb: KnowledgeBase) -> GenerateRequest:
    merchant = kb.merchants()[0]
    offer = {"kind": "cashback", "merchant": merchant.name, "value": 10, "unit": "percent"}
    return GenerateRequest.model_validate(
        {"merchant_id": merchant.id, "offer": offer, "channel": "email", "variants": 1}
    )


def _finding(rule: str, start: int, end: int, explanation: str = "x") -> Finding:
    check = rule.split(".")[0]
    return Finding(
        check=check,
        rule_id=rule,
        severity=Severity.block,
        start=start,
        end=end,
        message="m",
        explanation=explanation,
    )


def test_new_canaries_are_secret_letters() -> None:
    a, b = new_canary(), new_canary()
    assert a != b and len(a) == 16 and a.isalpha() and a.isupper()


def test_redact_replaces_the_canary_and_moves_the_spans() -> None:
    text = f"Hi {SECRET} there, 99% off"
    start = text.index(SECRET)
    result = GuardResult(
        released=False,
        text=text,
        original_text=text,
        findings=[
            _finding("unsafe_output.canary", start, start + len(SECRET)),
            _finding("numbers.unbacked_percent", text.index("99"), len(text) - 4, f"{SECRET}!"),
        ],
    )
    out = redact(result, (SECRET,))
    assert out.text == f"Hi {REDACTED} there, 99% off" and SECRET not in out.original_text
    canary, number = out.findings
    assert out.text[canary.start : canary.end] == REDACTED
    assert out.text[number.start : number.end] == "99%"
    assert number.explanation == f"{REDACTED}!"
    clean = result.model_copy(update={"findings": result.findings[1:]})
    assert redact(clean, ()) is clean  # no canary: nothing to do


def test_a_draft_with_the_request_canary_is_held_and_redacted(make_pipeline: MakePipeline) -> None:
    leaked = f"Get 10% cash back. Ref {SECRET.lower()}. Terms apply."
    pipeline, _ = make_pipeline([leaked, leaked, leaked])
    pipeline.grounder.canary = lambda: SECRET
    kb = pipeline.grounder.kb
    drafts: list[GuardResult] = []
    request = _request(kb)
    options = GenerateOptions(on_draft=drafts.append)
    response = pipeline.generate(request, RequestMeta("req-canary"), options)
    (variant,) = response.variants
    assert not variant.released
    canary = [f for f in variant.findings if f.rule_id == "unsafe_output.canary"]
    assert canary and "[canary]" in canary[0].explanation
    assert variant.text[canary[0].start : canary[0].end] == REDACTED
    assert SECRET.lower() not in variant.text.lower()
    assert all(SECRET not in d.text.upper() for d in drafts)
    for record in pipeline.audit.by_request("req-canary"):  # type: ignore[attr-defined]
        dumped = record.model_dump_json().upper()
        assert SECRET not in dumped


def test_caller_canaries_are_held_too(make_pipeline: MakePipeline) -> None:
    text = "Get 10% cash back, ZX-CANARY-7731. Terms apply."
    pipeline, _ = make_pipeline([text] * 3)
    options = GenerateOptions(canaries=("ZX-CANARY-7731",))
    response = pipeline.generate(_request(pipeline.grounder.kb), RequestMeta("req-c2"), options)
    (variant,) = response.variants
    assert not variant.released and "ZX-CANARY" not in variant.text
    assert any(f.rule_id == "unsafe_output.canary" for f in variant.findings)


def test_the_canary_reaches_the_template_and_the_guard(make_pipeline: MakePipeline) -> None:
    pipeline, _ = make_pipeline([])
    pipeline.grounder.canary = lambda: SECRET
    grounded = pipeline.render(_request(pipeline.grounder.kb), GenerateOptions(canaries=("ZZZZ",)))
    assert grounded.variables["canary"] == SECRET
    assert grounded.ctx.canaries == (SECRET, "ZZZZ")
