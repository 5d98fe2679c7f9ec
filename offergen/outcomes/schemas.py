"""What a sending system reports back: outcome events, in batches."""

from __future__ import annotations

from datetime import datetime
from typing import Annotated

from pydantic import BaseModel, Field

from offergen.schemas import Strict

__all__ = ["MAX_BATCH", "OutcomeBatch", "OutcomeEvent", "OutcomeReceipt"]

MAX_BATCH = 5_000  # events per request: about 1 MB of JSON, the API's default body limit
_ID = r"^[A-Za-z0-9._:-]+$"
Count = Annotated[int, Field(ge=0, le=10**12)]


class OutcomeEvent(Strict):
    """Figures observed for one released variant since the sender's last event for it (sums
    are what count). Late redemptions may come in their own event (`sends` 0): a variant's
    running totals, not each event, must keep clicks and redemptions within sends."""

    event_id: str = Field(
        min_length=1,
        max_length=128,
        pattern=_ID,
        description="the sender's id: a replay is "
        "counted once; the same id with other figures is refused",
    )
    request_id: str = Field(
        min_length=1,
        max_length=64,
        pattern=r"^[A-Za-z0-9._-]+$",
        description="the generate response's request_id",
    )
    variant: int = Field(ge=0, le=7, description="0-based index into that response's variants")
    sends: Count
    clicks: Count
    redemptions: Count
    at: datetime = Field(description="when the figures were observed (ISO 8601; no zone = UTC)")


class OutcomeBatch(Strict):
    """`POST /v1/outcomes`: stored all together or not at all."""

    events: list[OutcomeEvent] = Field(min_length=1, max_length=MAX_BATCH)


class OutcomeReceipt(BaseModel):
    accepted: int  # events stored now
    duplicates: int  # replays of events already stored (or repeated in this batch), not counted
    promoted: list[str]  # past offers created or updated from this batch's variants
