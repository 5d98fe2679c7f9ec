"""Counts a prompt's tokens with the model's own tokenizer (its tokenizer.json, loaded once on
first use; no model weights). Without a prepared checkpoint (a test double) the count is an
estimate, and says so."""

from __future__ import annotations

import re
import threading
from dataclasses import dataclass
from pathlib import Path
from typing import Any

_WORDISH = re.compile(r"\w+|[^\w\s]")


@dataclass(frozen=True)
class TokenCount:
    tokens: int
    exact: bool  # False: estimated (no tokenizer at hand)


class TokenCounter:
    def __init__(self, checkpoint_dir: Path) -> None:
        self.path = checkpoint_dir / "tokenizer.json"
        self._tokenizer: Any = None
        self._lock = threading.Lock()

    def count(self, text: str) -> TokenCount:
        tok = self._load()
        if tok is None:
            return TokenCount(len(_WORDISH.findall(text)), exact=False)
        # add_special_tokens: the server prepends <bos> too, so this is what the model reads
        return TokenCount(len(tok.encode(text, add_special_tokens=True).ids), exact=True)

    def _load(self) -> Any:
        with self._lock:
            if self._tokenizer is None and self.path.is_file():
                from tokenizers import Tokenizer

                self._tokenizer = Tokenizer.from_file(str(self.path))
            return self._tokenizer
