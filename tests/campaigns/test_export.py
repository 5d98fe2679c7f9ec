"""Results as NDJSON (one item a line) and CSV (one variant a row)."""

from __future__ import annotations

import csv
import io
import json

from offergen.campaigns.export import CSV_COLUMNS, csv_lines, ndjson_lines
from offergen.campaigns.schemas import ItemResult, ItemState
from offergen.schemas import GenerateResponse, ModelInfo, PromptInfo, Variant


def _results() -> list[ItemResult]:
    response = GenerateResponse(
        request_id="c-0",
        variants=[
            Variant(text='Get 10%, "now"', released=True, findings=[], attempts=1),
            Variant(text="held\ncopy", released=False, findings=[], attempts=2),
        ],
        sources=[],
        prompt=PromptInfo(template="offer_copy", version="v1"),
        model=ModelInfo(id="m", backend="scripted"),
        timings_ms={"total_ms": 1.0},
    )
    return [
        ItemResult(item=0, status=ItemState.done, request_id="c-0", response=response),
        ItemResult(item=1, status=ItemState.failed, request_id="c-1", error="unknown merchant"),
        ItemResult(item=2, status=ItemState.cancelled, request_id=None),
    ]


def test_ndjson_has_one_item_a_line() -> None:
    lines = [json.loads(line) for line in ndjson_lines(_results())]
    assert [(x["item"], x["status"]) for x in lines] == [
        (0, "done"),
        (1, "failed"),
        (2, "cancelled"),
    ]
    assert GenerateResponse.model_validate(lines[0]["response"]) == _results()[0].response
    assert lines[1] == {
        "item": 1,
        "status": "failed",
        "request_id": "c-1",
        "error": "unknown merchant",
    }
    assert "response" not in lines[2]


def test_csv_has_one_variant_a_row() -> None:
    rows = list(csv.reader(io.StringIO("".join(csv_lines(_results())))))
    assert tuple(rows[0]) == CSV_COLUMNS
    assert rows[1:] == [
        ["0", "done", "c-0", "0", "True", 'Get 10%, "now"', ""],
        ["0", "done", "c-0", "1", "False", "held\ncopy", ""],
        ["1", "failed", "c-1", "", "", "", "unknown merchant"],
        ["2", "cancelled", "", "", "", "", ""],
    ]
