"""`offergen kb import` and `POST /v1/knowledge/past-offers`: validate every row, report each bad
one with where it is and why, write the good ones in one transaction.

Rows are JSON objects (a JSONL line, an API list item) or CSV records (a header row of field names;
nested fields as dotted columns, e.g. `offer.kind`; `params` as a JSON object; an empty cell is a
missing field). Text that carries personal data or instructions aimed at a model is stored
`flagged`: kept out of retrieval until a reviewer approves it (`offergen kb review`).
Error reasons name the field and the rule broken, never the submitted value (it may be PII).
"""

from __future__ import annotations

import csv
import io
import json
from collections.abc import Iterable, Sequence
from pathlib import Path
from typing import Any, Literal, TypedDict

from pydantic import BaseModel, Field, ValidationError

from offergen.errors import InvalidInputError
from offergen.guardrails.base import CheckContext
from offergen.guardrails.guard import Guard
from offergen.schemas import (
    Channel,
    Jurisdiction,
    Merchant,
    MerchantRule,
    OfferKind,
    OfferTerms,
    PastOffer,
    SourceKind,
)
from offergen.store.knowledge_base import KnowledgeBase, UpsertCounts

__all__ = ["ImportReport", "RecordKind", "RowError", "import_rows", "read_rows"]

RecordKind = Literal["merchant", "merchant_rule", "past_offer"]
_MODELS: dict[str, type[Merchant] | type[MerchantRule] | type[PastOffer]] = {
    "merchant": Merchant,
    "merchant_rule": MerchantRule,
    "past_offer": PastOffer,
}
_TABLE = {"merchant": "merchants", "merchant_rule": "rules", "past_offer": "past_offers"}
_MAX_ERRORS_PER_ROW = 5


class RowError(BaseModel):
    line: int | None = None  # 1-based line of a file
    index: int | None = None  # 0-based position in an API request body
    id: str | None = None
    field: str = ""  # dotted path of the failing field; "" for the row as a whole
    reason: str


class FlaggedRow(BaseModel):
    id: str
    reason: str  # rule ids of the screening findings


class ImportReport(BaseModel):
    source: str
    kind: RecordKind
    rows: int
    valid: int
    errors: list[RowError]
    flagged: list[FlaggedRow]
    applied: bool  # False: nothing was written (strict mode with errors, or a dry run)
    counts: UpsertCounts = Field(default_factory=UpsertCounts)


class Where(TypedDict, total=False):
    """Where a row came from: a file line or a request-body index."""

    line: int
    index: int


# A row before validation: where it came from and its raw fields.
Row = tuple[Where, Any]


def read_rows(path: Path) -> tuple[list[Row], list[RowError]]:
    """Parse a .jsonl or .csv file into raw rows; unparseable lines become errors."""
    suffix = path.suffix.lower()
    if suffix not in (".jsonl", ".ndjson", ".csv"):
        raise InvalidInputError(
            f"{path.name}: unsupported file type {suffix or '(none)'!r}; use .jsonl or .csv",
            [("file", "unsupported type")],
        )
    try:
        text = path.read_text(encoding="utf-8")
    except UnicodeDecodeError as e:
        raise InvalidInputError(
            f"{path.name}: not UTF-8 text (byte {e.start})", [("file", "not UTF-8")]
        ) from None
    return _read_csv(text) if suffix == ".csv" else _read_jsonl(text)


def _read_jsonl(text: str) -> tuple[list[Row], list[RowError]]:
    rows: list[Row] = []
    errors: list[RowError] = []
    for lineno, line in enumerate(text.splitlines(), start=1):
        if not line.strip():
            continue
        try:
            rows.append(({"line": lineno}, json.loads(line)))
        except json.JSONDecodeError as e:
            errors.append(
                RowError(line=lineno, reason=f"not valid JSON ({e.msg}, column {e.colno})")
            )
    return rows, errors


def _read_csv(text: str) -> tuple[list[Row], list[RowError]]:
    rows: list[Row] = []
    errors: list[RowError] = []
    reader = csv.DictReader(io.StringIO(text, newline=""), strict=True)
    line = 1  # the header
    try:
        for record in reader:
            start, line = line + 1, reader.line_num
            if None in record:  # more cells than header columns
                errors.append(RowError(line=start, reason="more cells than header columns"))
                continue
            try:
                rows.append(({"line": start}, _unflatten(record)))
            except ValueError as e:
                errors.append(RowError(line=start, field=str(e.args[0]), reason=str(e.args[1])))
    except csv.Error as e:
        errors.append(RowError(line=reader.line_num, reason=f"malformed CSV: {e}"))
    return rows, errors


def _unflatten(record: dict[str, str | None]) -> dict[str, Any]:
    out: dict[str, Any] = {}
    for column, cell in record.items():
        if cell is None or cell == "":
            continue
        value: Any = cell
        if column in ("params", "offer"):
            try:
                value = json.loads(cell)
            except json.JSONDecodeError:
                raise ValueError(column, "must be a JSON object") from None
        node = out
        *parents, leaf = column.split(".")
        for p in parents:
            node = node.setdefault(p, {})
            if not isinstance(node, dict):
                raise ValueError(column, "conflicts with another column")
        node[leaf] = value
    return out


def import_rows(
    kb: KnowledgeBase,
    screen: Guard,
    kind: RecordKind,
    rows: Sequence[Row],
    *,
    source: str,
    parse_errors: Iterable[RowError] = (),
    strict: bool = False,
    dry_run: bool = False,
) -> ImportReport:
    """Validate all rows, then upsert the valid ones in one transaction.

    Invalid rows (schema, duplicate id in this input, unknown merchant) are reported and skipped;
    with `strict`, any invalid row means nothing is written. Re-importing the same rows changes
    nothing (upsert by id, unchanged rows are left alone). Inside a `tenant_scope`, another
    tenant's merchant is an unknown merchant like any other.
    """
    model = _MODELS[kind]
    errors = list(parse_errors)
    unparsed = len(errors)  # rows that never became a dict
    valid: list[tuple[Where, Merchant | MerchantRule | PastOffer]] = []
    seen: set[str] = set()
    for where, raw in rows:
        raw_id = raw.get("id") if isinstance(raw, dict) else None
        row_id = raw_id if isinstance(raw_id, str) else None
        if not isinstance(raw, dict):
            errors.append(RowError(**where, reason="a row must be a JSON object"))
            continue
        try:
            record = model.model_validate(raw)
        except ValidationError as e:
            for err in e.errors()[:_MAX_ERRORS_PER_ROW]:
                field = ".".join(str(p) for p in err["loc"])
                errors.append(RowError(**where, id=row_id, field=field, reason=err["msg"]))
            continue
        if record.id in seen:
            errors.append(
                RowError(**where, id=record.id, field="id", reason="duplicate id in this input")
            )
            continue
        seen.add(record.id)
        valid.append((where, record))

    if kind != "merchant":
        known = kb.merchant_ids(r.merchant_id for _, r in valid if not isinstance(r, Merchant))
        kept = []
        for where, r in valid:
            if isinstance(r, Merchant) or r.merchant_id in known:
                kept.append((where, r))
            else:
                errors.append(
                    RowError(**where, id=r.id, field="merchant_id", reason="unknown merchant")
                )
        valid = kept

    flags: dict[tuple[SourceKind, str], str] = {}
    screened: list[tuple[Where, Merchant | MerchantRule | PastOffer]] = []
    for where, r in valid:
        reasons = _screen(screen, r)
        if isinstance(r, Merchant) and reasons:
            # a merchant's brand voice enters every prompt of that merchant: not importable
            errors.append(
                RowError(
                    **where,
                    id=r.id,
                    field="brand_voice",
                    reason=f"carries personal data or instructions ({reasons})",
                )
            )
            continue
        if reasons:
            source_kind = (
                SourceKind.past_offer if kind == "past_offer" else SourceKind.merchant_rule
            )
            flags[(source_kind, r.id)] = reasons
        screened.append((where, r))
    errors.sort(key=lambda e: e.line if e.line is not None else e.index or 0)

    report = ImportReport(
        source=source,
        kind=kind,
        rows=len(rows) + unparsed,
        valid=len(screened),
        errors=errors,
        flagged=[FlaggedRow(id=i, reason=why) for (_, i), why in flags.items()],
        applied=False,
    )
    if dry_run or (strict and errors) or not screened:
        return report
    records = [r for _, r in screened]
    counts = kb.upsert(
        merchants=[r for r in records if isinstance(r, Merchant)],
        rules=[r for r in records if isinstance(r, MerchantRule)],
        past_offers=[r for r in records if isinstance(r, PastOffer)],
        flags=flags,
    )
    report.counts = counts[_TABLE[kind]]
    report.applied = True
    return report


def _screen(guard: Guard, record: Merchant | MerchantRule | PastOffer) -> str:
    """Rule ids of what the knowledge-base screening pack finds in the record's text."""
    if isinstance(record, PastOffer):
        offer, channel, text = record.offer, record.channel, record.text
    else:
        offer = OfferTerms(kind=OfferKind.cashback, merchant=record.id[:80])
        channel = Channel.email
        text = record.brand_voice if isinstance(record, Merchant) else record.text
    if not text:
        return ""
    ctx = CheckContext(offer=offer, channel=channel, jurisdiction=Jurisdiction.US)
    return ", ".join(sorted({f.rule_id for f in guard.check(text, ctx).findings}))
