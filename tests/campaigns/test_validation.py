"""Submissions become requests, or one error that names every bad item by its path."""

from __future__ import annotations

from typing import Any

import pytest
from pydantic import ValidationError

from offergen.campaigns.config import MAX_ITEMS
from offergen.campaigns.schemas import CampaignSubmit
from offergen.campaigns.validation import expand
from offergen.errors import InvalidInputError
from offergen.schemas import GenerateRequest


def _item(**over: Any) -> dict[str, Any]:
    body: dict[str, Any] = {
        "merchant_id": "m_freshmart",
        "offer": {"kind": "cashback", "merchant": "FreshMart", "value": 10, "unit": "percent"},
        "channel": "sms",
    }
    return body | over


def _fields(exc: pytest.ExceptionInfo[InvalidInputError]) -> list[str]:
    return [f for f, _ in exc.value.fields]


def test_items_are_validated_in_order() -> None:
    body = CampaignSubmit(items=[_item(), _item(channel="email", variants=2)])
    requests = expand(body)
    assert [(r.channel.value, r.variants) for r in requests] == [("sms", 3), ("email", 2)]


def test_every_bad_item_is_named_by_index() -> None:
    bad_value = _item(offer={"kind": "cashback", "merchant": "FreshMart", "value": -1})
    items = [_item(), bad_value, _item(), _item(channel="fax", extra=1)]
    with pytest.raises(InvalidInputError, match="3 problem") as exc:
        expand(CampaignSubmit(items=items))
    assert _fields(exc) == ["items.1.offer.value", "items.3.channel", "items.3.extra"]
    assert all("-1" not in reason and "fax" not in reason for _, reason in exc.value.fields)


def test_one_request_for_each_customer() -> None:
    base = _item()
    customers = [{"segment": "students"}, {"segment": "travellers", "lifecycle": "vip"}]
    requests = expand(CampaignSubmit(request=base, customers=customers))
    assert [(r.customer.segment, r.customer.lifecycle) for r in requests] == [
        ("students", "active"),
        ("travellers", "vip"),
    ]
    assert requests[0].model_dump(exclude={"customer"}) == GenerateRequest.model_validate(
        base
    ).model_dump(exclude={"customer"})


def test_customer_errors_name_the_customer_and_request_errors_the_request() -> None:
    customers = [{"segment": "ok"}, {"lifecycle": "asleep"}, {"segment": ""}]
    with pytest.raises(InvalidInputError) as exc:
        expand(CampaignSubmit(request=_item(), customers=customers))
    assert _fields(exc) == ["customers.1.lifecycle", "customers.2.segment"]
    with pytest.raises(InvalidInputError) as exc:
        expand(CampaignSubmit(request=_item(tone="shouty"), customers=[{}, {}]))
    assert _fields(exc) == ["request.tone"]  # once, not once per customer
    with pytest.raises(InvalidInputError) as exc:
        expand(CampaignSubmit(request=_item(customer={}), customers=[{}]))
    assert _fields(exc) == ["request.customer"]


def test_checks_run_on_valid_items_and_report_by_path() -> None:
    def check(r: GenerateRequest) -> list[tuple[str, str]]:
        return [("customer.segment", "contains a card number")] if r.variants == 2 else []

    items = [_item(variants=2), _item(), _item(channel="fax")] + [_item()] * 8 + [_item(variants=2)]
    with pytest.raises(InvalidInputError) as exc:
        expand(CampaignSubmit(items=items), check)
    assert _fields(exc) == [  # the well-formed items are checked too; in index order
        "items.0.customer.segment",
        "items.2.channel",
        "items.11.customer.segment",
    ]
    with pytest.raises(InvalidInputError) as exc:
        expand(CampaignSubmit(request=_item(variants=2), customers=[{}, {}]), check)
    assert _fields(exc) == ["customers.0.segment", "customers.1.segment"]


@pytest.mark.parametrize(
    "body",
    [
        {},
        {"items": []},
        {"items": [_item()], "customers": [{}]},
        {"request": _item()},
        {"customers": [{}]},
        {"items": [_item()] * (MAX_ITEMS + 1)},
    ],
)
def test_the_shape_is_one_of_two(body: dict[str, Any]) -> None:
    with pytest.raises(ValidationError):
        CampaignSubmit.model_validate(body)
