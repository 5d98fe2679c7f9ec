"""The audit trail (one row per variant) and the review queue."""

from __future__ import annotations
