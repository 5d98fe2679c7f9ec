"""Background index updates for a serving process: after an import through the API, new items
become retrievable without a restart. One update runs at a time; requests that arrive meanwhile
are coalesced into one more run."""

from __future__ import annotations

import logging
import threading
from pathlib import Path

from offergen.retrieval.base import Embedder, KnowledgeSource
from offergen.retrieval.index_factory import IndexParams
from offergen.retrieval.index_store import IndexReport, update_index

__all__ = ["IndexUpdater"]

log = logging.getLogger(__name__)


class IndexUpdater:
    def __init__(
        self, kb: KnowledgeSource, embedder: Embedder, index_dir: Path, params: IndexParams
    ) -> None:
        self.kb, self.embedder, self.index_dir, self.params = kb, embedder, index_dir, params
        self.last: IndexReport | None = None
        self.error: str | None = None
        self._lock = threading.Lock()
        self._pending = False
        self._thread: threading.Thread | None = None

    def schedule(self) -> None:
        with self._lock:
            self._pending = True
            if self._thread is None or not self._thread.is_alive():
                self._thread = threading.Thread(target=self._run, name="index-update", daemon=True)
                self._thread.start()

    def wait(self, timeout: float | None = None) -> None:
        thread = self._thread
        if thread is not None:
            thread.join(timeout)

    def _run(self) -> None:
        while True:
            with self._lock:
                if not self._pending:
                    self._thread = None
                    return
                self._pending = False
            try:
                self.last = update_index(self.kb, self.embedder, self.index_dir, self.params)
                self.error = None
                log.info(
                    "index updated: %s items, version %s", self.last.count, self.last.version[:12]
                )
            except Exception as e:  # the old index keeps serving; the next import retries
                self.error = f"{type(e).__name__}: {e}"
                log.error("index update failed: %s", self.error)
