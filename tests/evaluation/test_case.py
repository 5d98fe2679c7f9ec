from __future__ import annotations

import pytest
from pydantic import ValidationError

from offergen.evaluation.case import Case, vars_kind
from offergen.schemas import GenerateRequest, GuardCheckRequest

OFFER = {"kind": "cashback", "merchant": "FreshMart", "value": 5, "unit": "percent"}


def test_vars_with_merchant_id_is_a_generate_request() -> None:
    case = Case.model_validate(
        {
            "id": "g",
            "vars": {"merchant_id": "m_freshmart", "channel": "sms", "offer": OFFER},
            "assert": [{"type": "released"}],
        }
    )
    assert isinstance(case.vars, GenerateRequest) and case.kind == "generate"


def test_vars_with_text_is_a_guard_case_with_an_optional_policy() -> None:
    raw = {"text": "hi", "channel": "sms", "offer": OFFER, "policy": "kb-screening"}
    case = Case.model_validate({"id": "t", "vars": raw, "assert": [{"type": "released"}]})
    assert isinstance(case.vars, GuardCheckRequest) and case.kind == "guard"
    assert case.vars.policy == "kb-screening"
    assert vars_kind(case.vars) == "guard"


def test_unknown_case_field_is_an_error() -> None:
    with pytest.raises(ValidationError, match="note"):
        Case.model_validate(
            {"id": "t", "vars": {"text": "x", "channel": "sms", "offer": OFFER}, "note": "n"}
        )


def test_assertions_dump_with_their_own_fields() -> None:
    case = Case.model_validate(
        {
            "id": "t",
            "vars": {"text": "x", "channel": "sms", "offer": OFFER},
            "assert": [{"type": "length", "max": {"sms": 160}, "scope": "released"}],
        }
    )
    dumped = case.model_dump(mode="json", by_alias=True)
    assert dumped["assert"][0] == {
        "type": "length",
        "scope": "released",
        "need": "all",
        "max": {"sms": 160},
        "min": None,
    }


def test_owasp_tags_are_validated_and_kb_canaries_are_for_generate_cases() -> None:
    from pydantic import ValidationError

    from offergen.evaluation.case import Case

    guard = {"text": "x", "channel": "sms", "offer": {"kind": "free_shipping", "merchant": "M"}}
    assert Case.model_validate({"id": "a", "vars": guard, "owasp": ["LLM05"]}).owasp == ["LLM05"]
    for bad in ({"owasp": ["LLM11"]}, {"canaries": ["ZX-1234"]}, {"severity": "high"}):
        with pytest.raises(ValidationError):
            Case.model_validate({"id": "a", "vars": guard, **bad})
