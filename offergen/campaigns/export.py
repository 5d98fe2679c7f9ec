"""Campaign results as text: NDJSON (one item a line) or CSV (one variant a row)."""

from __future__ import annotations

import csv
import io
from collections.abc import Iterable, Iterator

from offergen.campaigns.schemas import ItemResult

__all__ = ["CSV_COLUMNS", "csv_lines", "ndjson_lines"]

CSV_COLUMNS = ("item", "status", "request_id", "variant", "released", "text", "error")


def ndjson_lines(results: Iterable[ItemResult]) -> Iterator[str]:
    """`{"item", "status", "request_id", "response"}` for a done item, `error` for a failed one."""
    for r in results:
        yield r.model_dump_json(exclude_none=True) + "\n"


def csv_lines(results: Iterable[ItemResult]) -> Iterator[str]:
    """A header, then a row per variant (a row with no variant for a failed or cancelled item);
    texts are written as generated, quoted by the csv module."""
    yield _row(CSV_COLUMNS)
    for r in results:
        variants = r.response.variants if r.response is not None else []
        if not variants:
            yield _row((r.item, r.status.value, r.request_id or "", "", "", "", r.error or ""))
        for i, v in enumerate(variants):
            yield _row((r.item, r.status.value, r.request_id or "", i, v.released, v.text, ""))


def _row(values: Iterable[object]) -> str:
    out = io.StringIO()
    csv.writer(out, lineterminator="\n").writerow(values)
    return out.getvalue()
