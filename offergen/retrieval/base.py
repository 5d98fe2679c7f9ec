"""Protocols of the retrieval stage."""

from __future__ import annotations

from typing import Protocol

import numpy as np
from pydantic import BaseModel

from offergen.schemas import Channel, MerchantRule, PastOffer


class Embedder(Protocol):
    """Turns texts into L2-normalised float32 vectors (inner product = cosine)."""

    dim: int

    def warm_up(self) -> None: ...

    def encode(self, texts: list[str]) -> np.ndarray: ...


class ScoredOffer(BaseModel):
    offer: PastOffer
    score: float


class Retrieved(BaseModel):
    """What the prompt is grounded in: this merchant's best matching past offers and its rules."""

    past_offers: list[ScoredOffer]
    rules: list[MerchantRule]


class Retriever(Protocol):
    def warm_up(self) -> None: ...

    def retrieve(
        self, merchant_id: str, query: str, k: int, channel: Channel | None = None
    ) -> list[ScoredOffer]: ...
