"""The review queue: held copy waiting for a reviewer's decision."""

from __future__ import annotations

from fastapi import APIRouter

router = APIRouter(prefix="/v1", tags=["reviews"])
