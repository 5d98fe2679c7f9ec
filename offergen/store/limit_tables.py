"""State shared across API replicas: idempotency keys and rate-limit buckets."""

from __future__ import annotations
