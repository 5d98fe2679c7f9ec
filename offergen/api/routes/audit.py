"""Audit records: what was released or held, and why."""

from __future__ import annotations

from fastapi import APIRouter

router = APIRouter(prefix="/v1", tags=["audit"])
