"""The playground: a request from a form (or from a recorded request), its exact prompt and
token count, generated samples with the guard's verdicts, two templates side by side on the
same request and seed, and the request saved as an eval case."""

from __future__ import annotations

import hashlib
import json
import secrets
from dataclasses import dataclass, field
from datetime import UTC, datetime
from pathlib import Path
from typing import Any

from pydantic import ValidationError

from offergen.api.principal import Principal
from offergen.api.service import Service
from offergen.app_context import AppContext
from offergen.console.forms import Form
from offergen.console.highlight import Piece, pieces
from offergen.console.tokens import TokenCounter
from offergen.console.views.prompts import render, request_of
from offergen.errors import NotFoundError, OffergenError
from offergen.evaluation.case import Case
from offergen.pipeline import GenerateOptions
from offergen.schemas import GenerateRequest, Source, Variant

OFFER_FIELDS = (
    "kind", "value", "unit", "currency", "min_spend", "cap", "valid_from", "valid_until",
    "apr_after_intro", "intro_months", "installments", "annual_fee",
)  # fmt: skip
CUSTOMER_FIELDS = ("segment", "lifecycle", "spend_tier", "locale")
TOP_FIELDS = ("merchant_id", "channel", "jurisdiction", "tone", "variants", "template")
# What the form shows before anything is chosen: a plain cashback offer.
DEFAULTS: dict[str, str] = {
    "channel": "sms",
    "jurisdiction": "US",
    "tone": "friendly",
    "variants": "3",
    "offer.kind": "cashback",
    "offer.value": "5",
    "offer.unit": "percent",
    "offer.currency": "USD",
    "customer.segment": "general",
    "customer.lifecycle": "active",
    "customer.spend_tier": "mid",
    "customer.locale": "en-US",
}
CASES_FILE = Path("evals") / "cases" / "playground.jsonl"
# The suite that runs the saved cases (listed on the Evals page with the repository's suites).
SUITE_FILE = Path("evals") / "suites" / "playground.yaml"
SUITE = """\
# Cases saved from the console's playground ("Save as eval case"); written once, edit freely.
name: playground
description: Requests saved from the console playground.
case_files:
  - ../cases/playground.jsonl
defaults:
  generate:
    - {type: released, need: any}
    - {type: "check:pii", scope: drafts}
    - {type: "check:numbers", scope: drafts}
    - {type: "check:unsafe_output", scope: drafts}
"""


def values_of(form: Form) -> dict[str, str]:
    """The form's fields as the page shows them again."""
    names = [
        *TOP_FIELDS, "template_b", "seed", "case_id",
        *(f"offer.{f}" for f in (*OFFER_FIELDS, "firm_offer")),
        *(f"customer.{f}" for f in (*CUSTOMER_FIELDS, "interests")),
    ]  # fmt: skip
    return {n: form.get(n).strip() for n in names if form.get(n).strip()}


def values_of_request(request: GenerateRequest) -> dict[str, str]:
    data = request.model_dump(mode="json", exclude_none=True)
    out = {k: str(data[k]) for k in TOP_FIELDS if k in data}
    for k, v in data["offer"].items():
        if k == "firm_offer":
            if v:
                out["offer.firm_offer"] = "on"
        else:
            out[f"offer.{k}"] = str(v)
    for k, v in data["customer"].items():
        out[f"customer.{k}"] = ", ".join(v) if isinstance(v, list) else str(v)
    return out


def from_request_id(ctx: AppContext, principal: Principal, request_id: str) -> dict[str, str]:
    """A recorded request (the audit trail's, this tenant's) as form values."""
    records = ctx.audit.by_request(request_id, principal.tenant)
    if not records:
        raise NotFoundError(f"unknown request {request_id}")
    values = values_of_request(request_of(records[0]))
    values["variants"] = str(len(records))
    return values


def request_from(
    values: dict[str, str], names: dict[str, str]
) -> tuple[GenerateRequest | None, list[str]]:
    """The GenerateRequest the form describes, or the reasons it is not one; `names`: the
    merchants' display names by id (the offer's `merchant`)."""
    offer: dict[str, Any] = {
        f: values[f"offer.{f}"] for f in OFFER_FIELDS if f"offer.{f}" in values
    }
    offer["firm_offer"] = values.get("offer.firm_offer") == "on"
    customer: dict[str, Any] = {
        f: values[f"customer.{f}"] for f in CUSTOMER_FIELDS if f"customer.{f}" in values
    }
    interests = [i.strip() for i in values.get("customer.interests", "").split(",") if i.strip()]
    customer["interests"] = interests
    body: dict[str, Any] = {k: values[k] for k in TOP_FIELDS if k in values}
    merchant = values.get("merchant_id")
    if merchant:
        offer["merchant"] = names.get(merchant, merchant)
    body |= {"offer": offer, "customer": customer}
    try:
        return GenerateRequest.model_validate(body), []
    except ValidationError as exc:
        return None, [
            f"{'.'.join(str(p) for p in e['loc']) or 'request'}: {e['msg']}" for e in exc.errors()
        ]


@dataclass(frozen=True)
class Rendered:
    template: str
    version: str
    text: str
    tokens: int
    exact: bool
    sources: list[Source]


@dataclass(frozen=True)
class Sample:
    variant: Variant
    pieces: list[Piece]


@dataclass
class Generated:
    request_id: str
    template: str
    version: str
    seed: int
    samples: list[Sample] = field(default_factory=list)
    sources: list[Source] = field(default_factory=list)
    timings_ms: dict[str, float] = field(default_factory=dict)


@dataclass
class Outcome:
    """What one button press produced; `errors` instead when the request was refused."""

    rendered: list[Rendered] = field(default_factory=list)
    generated: list[Generated] = field(default_factory=list)
    saved: tuple[str, str] | None = None  # (path, the case as written)
    errors: list[str] = field(default_factory=list)


def templates_to_run(request: GenerateRequest, values: dict[str, str]) -> list[GenerateRequest]:
    """The request, and the same request on the second template when one is chosen."""
    second = values.get("template_b")
    if not second or second == request.template:
        return [request]
    return [request, request.model_copy(update={"template": second})]


def render_all(
    ctx: AppContext, tokens: TokenCounter, principal: Principal, requests: list[GenerateRequest]
) -> Outcome:
    out = Outcome()
    try:
        for r in requests:
            g = render(ctx, principal, r)
            count = tokens.count(g.prompt.text)
            out.rendered.append(
                Rendered(
                    g.prompt.template,
                    g.prompt.version,
                    g.prompt.text,
                    count.tokens,
                    count.exact,
                    g.sources,
                )
            )
    except OffergenError as exc:
        out.errors.append(_problem(exc))
    return out


def generate_all(
    service: Service, principal: Principal, requests: list[GenerateRequest], seed: int | None
) -> Outcome:
    """Each request generated the way `/v1/offers:generate` generates it (same pipeline, tenant
    scope and audit trail), all with one seed so templates are compared on the same draws."""
    seed = seed if seed is not None else secrets.randbelow(2**31)
    out = Outcome()
    try:
        for r in requests:
            rid = f"console-{secrets.token_hex(8)}"
            resp = service.generate(principal, r, rid, options=GenerateOptions(seed=seed))
            out.generated.append(
                Generated(
                    request_id=resp.request_id,
                    template=resp.prompt.template,
                    version=resp.prompt.version,
                    seed=seed,
                    samples=[Sample(v, pieces(v.text, v.findings)) for v in resp.variants],
                    sources=resp.sources,
                    timings_ms=resp.timings_ms,
                )
            )
    except OffergenError as exc:
        out.errors.append(_problem(exc))
    return out


def save_case(
    ctx: AppContext, principal: Principal, request: GenerateRequest, case_id: str
) -> Outcome:
    """Append the request as an eval case (eval/cases format, validated as the suite loader
    validates it) to `<data_dir>/evals/cases/playground.jsonl`, which the Evals page can run."""
    digest = hashlib.sha256(request.model_dump_json().encode()).hexdigest()[:10]
    case_id = case_id or f"playground-{datetime.now(UTC):%Y%m%d-%H%M%S}-{digest}"
    try:
        case = Case.model_validate(
            {
                "id": case_id,
                "vars": request.model_dump(mode="json", exclude_none=True),
                "assert": [],
                "metadata": {
                    "source": "console playground",
                    "tenant": principal.tenant,
                    "saved_by": principal.key_id,
                },
            }
        )
    except ValidationError as exc:
        return Outcome(errors=[f"case: {e['msg']}" for e in exc.errors()])
    line = json.dumps(case.model_dump(mode="json", by_alias=True, exclude_defaults=True))
    path = ctx.settings.data_dir / CASES_FILE
    path.parent.mkdir(parents=True, exist_ok=True)
    with path.open("a", encoding="utf-8") as f:
        f.write(line + "\n")
    suite = ctx.settings.data_dir / SUITE_FILE
    if not suite.exists():
        suite.parent.mkdir(parents=True, exist_ok=True)
        suite.write_text(SUITE, encoding="utf-8")
    return Outcome(saved=(str(path), line))


def _problem(exc: OffergenError) -> str:
    fields = getattr(exc, "fields", None)
    if fields:
        return f"{exc} ({'; '.join(f'{p}: {why}' for p, why in fields)})"
    return str(exc)
