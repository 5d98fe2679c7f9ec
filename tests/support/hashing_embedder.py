"""A tiny, dependency-free Embedder: signed token hashing into `dim` buckets (for fast tests).

It is a real implementation of the Embedder protocol (deterministic, L2-normalised float32), so
tests exercise the same code paths as with MiniLM, only with bag-of-words similarity.
"""

from __future__ import annotations

import hashlib
import re

import numpy as np

__all__ = ["HashingEmbedder"]

_TOKEN = re.compile(r"[a-z0-9]+")


class HashingEmbedder:
    name = "hashing"

    def __init__(self, dim: int = 64) -> None:
        if dim < 2:
            raise ValueError("dim must be >= 2")
        self.dim = dim
        self.model_id = f"hashing-{dim}"
        self.encode_calls = 0
        self.encoded_texts = 0

    def warm_up(self) -> None:
        """Nothing to load."""

    def encode(self, texts: list[str]) -> np.ndarray:
        self.encode_calls += 1
        self.encoded_texts += len(texts)
        out = np.zeros((len(texts), self.dim), dtype=np.float32)
        for row, text in enumerate(texts):
            for token in _TOKEN.findall(text.lower()):
                # blake2b, not hash(): stable across processes (PYTHONHASHSEED)
                h = int.from_bytes(hashlib.blake2b(token.encode(), digest_size=8).digest(), "big")
                out[row, h % self.dim] += 1.0 if (h >> 63) & 1 else -1.0
        norms = np.linalg.norm(out, axis=1, keepdims=True)
        np.divide(out, norms, out=out, where=norms > 0)
        return out
