"""Copy-quality measures that need no judge model: distinct-n across variants, a readability
grade, a call to action, the merchant's name. Phrase lists are data (eval/quality/*.yaml)."""

from __future__ import annotations

import re
from collections.abc import Sequence
from functools import lru_cache
from pathlib import Path

from pydantic import BaseModel, ConfigDict, Field

from offergen.evaluation.facts import mentions
from offergen.guardrails.datafile import alternation, load_data
from offergen.paths import REPO_ROOT

CTA_PHRASES = REPO_ROOT / "eval" / "quality" / "cta.yaml"

_MERGE_TAG = re.compile(r"\{\{.*?\}\}")
_WORD = re.compile(r"[a-z0-9]+(?:'[a-z]+)?")
_SENTENCE_END = re.compile(r"[.!?]+(?=\s|$)")
_VOWEL_GROUP = re.compile(r"[aeiouy]+")


class PhraseList(BaseModel):
    model_config = ConfigDict(extra="forbid")

    source: str
    phrases: list[str] = Field(min_length=1)


def words(text: str) -> list[str]:
    """Lower-case words, merge tags left out (the sender fills them in)."""
    return _WORD.findall(_MERGE_TAG.sub(" ", text).lower())


def distinct_n(texts: Sequence[str], n: int) -> float | None:
    """Distinct n-grams over all n-grams of all texts (1.0: no n-gram repeats); None if none."""
    grams = [
        tuple(ws[i : i + n]) for ws in (words(t) for t in texts) for i in range(len(ws) - n + 1)
    ]
    return len(set(grams)) / len(grams) if grams else None


def syllables(word: str) -> int:
    """A vowel-group estimate (English), at least one per word; a silent final e is dropped."""
    if word.isdigit():
        return 1
    count = len(_VOWEL_GROUP.findall(word))
    if word.endswith("e") and not word.endswith(("le", "ee", "ye")) and count > 1:
        count -= 1
    return max(1, count)


def readability_grade(text: str) -> float | None:
    """Flesch-Kincaid grade level: 0.39 words/sentence + 11.8 syllables/word - 15.59."""
    ws = words(text)
    if not ws:
        return None
    sentences = max(1, len(_SENTENCE_END.findall(text.strip())))
    syl = sum(syllables(w) for w in ws)
    return 0.39 * len(ws) / sentences + 11.8 * syl / len(ws) - 15.59


@lru_cache(maxsize=8)
def _phrase_pattern(path: Path) -> re.Pattern[str]:
    data = load_data(path, PhraseList)
    return re.compile(
        r"(?<![A-Za-z0-9])(?:" + alternation(data.phrases) + r")(?![A-Za-z0-9])", re.I
    )


def calls_to_action(text: str, phrases_file: Path = CTA_PHRASES) -> list[tuple[int, int]]:
    """Spans of the call-to-action phrases in `text`."""
    return [m.span() for m in _phrase_pattern(phrases_file).finditer(text)]


def names_merchant(text: str, merchant: str) -> bool:
    return bool(mentions(text, merchant))
