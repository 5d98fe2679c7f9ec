"""A submission becomes a list of GenerateRequests, or an error naming every bad item.

Nothing is stored unless every item is valid, so a client fixes all of its errors in one go
instead of finding them a campaign at a time."""

from __future__ import annotations

import re
from collections.abc import Callable, Iterable
from typing import Any

from pydantic import ValidationError

from offergen.campaigns.schemas import CampaignSubmit
from offergen.errors import InvalidInputError
from offergen.schemas import GenerateRequest

__all__ = ["Check", "expand"]

# What a valid request may still not be processed for, as (field path in the request, reason):
# personal data in its text, a merchant unknown to the tenant. Reasons never quote the value.
Check = Callable[[GenerateRequest], list[tuple[str, str]]]

Problems = list[tuple[str, str]]

_CUSTOMER = re.compile(r"^(customers\.\d+)\.customer(?=\.|$)")


def expand(body: CampaignSubmit, check: Check | None = None) -> list[GenerateRequest]:
    """The requests of `body`, in order, or InvalidInputError listing every problem with its
    path (`items.3.offer.value`, `customers.7.segment`, `request.merchant_id`)."""
    problems: Problems = []
    if body.items is not None:
        valid = _validated([(f"items.{i}", raw) for i, raw in enumerate(body.items)], problems)
        where: Callable[[int, str], str] = _item
    else:
        assert body.request is not None and body.customers is not None
        valid = _per_customer(body.request, body.customers, problems)
        where = _customer_or_request
    if check is not None:  # the well-formed items too when others are not: one round of fixes
        for i, request in valid:
            problems += [(where(i, field), reason) for field, reason in check(request)]
    if problems:
        unique = list(dict.fromkeys(problems))  # a bad `request` is the same for every customer
        raise InvalidInputError(
            f"{len(unique)} problem(s) in the campaign; nothing was stored",
            sorted(unique, key=_by_index),
        )
    return [r for _, r in valid]


def _validated(
    placed: Iterable[tuple[str, dict[str, Any]]], problems: Problems
) -> list[tuple[int, GenerateRequest]]:
    """The valid requests with their index; the problems of the others."""
    out: list[tuple[int, GenerateRequest]] = []
    for i, (prefix, raw) in enumerate(placed):
        try:
            out.append((i, GenerateRequest.model_validate(raw)))
        except ValidationError as exc:
            problems += [(_join(prefix, e["loc"]), e["msg"]) for e in exc.errors()]
    return out


def _by_index(problem: tuple[str, str]) -> int:
    """`request.*` first, then items in index order (not text order: 10 after 9)."""
    index = problem[0].split(".")[1]
    return int(index) if index.isdigit() else -1


def _per_customer(
    request: dict[str, Any], customers: list[dict[str, Any]], problems: Problems
) -> list[tuple[int, GenerateRequest]]:
    if "customer" in request:
        problems.append(("request.customer", "give each customer in `customers` instead"))
        return []
    # The shared part once, with the default customer; then each customer on its own.
    base = _validated([("request", request)], problems)
    if not base:
        return []
    placed = [(f"customers.{i}", {**request, "customer": c}) for i, c in enumerate(customers)]
    found: Problems = []
    requests = _validated(placed, found)
    # only the customer can be wrong now: `customers.3.customer.segment` -> `customers.3.segment`
    problems += [(_CUSTOMER.sub(r"\1", path), msg) for path, msg in found]
    return requests


def _item(i: int, field: str) -> str:
    return f"items.{i}.{field}"


def _customer_or_request(i: int, field: str) -> str:
    if field == "customer" or field.startswith("customer."):
        return f"customers.{i}{field.removeprefix('customer')}"
    return f"request.{field}"


def _join(prefix: str, loc: tuple[int | str, ...]) -> str:
    return ".".join([prefix, *(str(p) for p in loc)])
