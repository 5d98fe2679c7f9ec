"""What every recognizer of the pii check shares: the scan it reads, the hit it returns, options.

A recognizer is one small class per entity whose decision a regex alone cannot make (phone
numbers, person names, street addresses). Its lists, patterns and scores are data (the entity's
`options:` in guardrails/data/pii.yaml); the class holds the logic. It finds cheap candidates
first (a regex) and spends the costly work (a parser, a dictionary walk) on those only.
"""

from __future__ import annotations

import functools
import re
from collections.abc import Iterable, Mapping
from dataclasses import dataclass
from pathlib import Path
from typing import Any, ClassVar, Protocol

from pydantic import BaseModel, ConfigDict

from offergen.errors import ConfigError


@dataclass(frozen=True)
class Scan:
    """What a recognizer reads: the folded text (merge tags masked) and the merchant's words."""

    text: str
    merchant_words: frozenset[str] = frozenset()


@dataclass(frozen=True)
class Recognition:
    """A span, how sure the recognizer is (0..1) and why it fired (never the value itself)."""

    start: int
    end: int
    score: float
    explain: str


class RecognizerOptions(BaseModel):
    """Base of a recognizer's `options:` block; unknown keys are an error."""

    model_config = ConfigDict(extra="forbid")


class Recognizer(Protocol):
    name: ClassVar[str]
    Options: ClassVar[type[RecognizerOptions]]

    def __init__(self, options: Any, data_dir: Path) -> None: ...

    def analyze(self, scan: Scan) -> list[Recognition]: ...


_WORD = re.compile(r"[^\W\d_]+")


def words(text: str) -> list[str]:
    """The letter runs of `text`, lower case ("O'Brien" -> ["o", "brien"])."""
    return _WORD.findall(text.lower())


def word_set(items: Iterable[str]) -> frozenset[str]:
    """Phrases as lower-case, single-spaced keys ("Dr. Pepper" -> "dr pepper")."""
    return frozenset(" ".join(words(item)) for item in items)


def words_before(text: str, start: int, n: int, window: int = 60) -> list[str]:
    """Up to `n` lower-case words right before `start`, nearest last."""
    return words(text[max(0, start - window) : start])[-n:]


def words_after(text: str, end: int, n: int, window: int = 60) -> list[str]:
    """Up to `n` lower-case words right after `end`, nearest first."""
    return words(text[end : end + window])[:n]


@functools.cache
def _read_list(path: Path) -> tuple[str, ...]:
    try:
        lines = path.read_text(encoding="utf-8").splitlines()
    except OSError as exc:
        raise ConfigError(f"word list {path}: cannot read: {exc.strerror}") from None
    return tuple(line.strip() for line in lines if line.strip() and not line.startswith("#"))


def read_list(data_dir: Path, name: str) -> tuple[str, ...]:
    """A word list file (one entry a line, `#` comments), relative to the data file's folder;
    read once per process however many packs load it."""
    return _read_list((data_dir / name).resolve())


def build(cls: type[Recognizer], options: Mapping[str, Any], data_dir: Path) -> Recognizer:
    return cls(cls.Options.model_validate(dict(options)), data_dir)
