"""Append-only JSON Lines audit log under the data dir (one line per variant)."""

from __future__ import annotations

import os
import threading
from pathlib import Path

from offergen.store.base import AuditRecord


class JsonlAuditStore:
    def __init__(self, path: Path) -> None:
        self.path = path
        self._lock = threading.Lock()

    def append(self, records: list[AuditRecord]) -> None:
        if not records:
            return
        payload = "".join(r.model_dump_json() + "\n" for r in records)
        self.path.parent.mkdir(parents=True, exist_ok=True)
        with self._lock, self.path.open("a", encoding="utf-8") as fh:
            fh.write(payload)
            fh.flush()
            # The audit trail is the compliance record: it must survive a crash right after.
            os.fsync(fh.fileno())

    def by_request(self, request_id: str) -> list[AuditRecord]:
        if not self.path.is_file():
            return []
        with self.path.open(encoding="utf-8") as fh:
            records = (AuditRecord.model_validate_json(line) for line in fh if line.strip())
            return [r for r in records if r.request_id == request_id]
