"""Recognizers of the pii check: one class per entity whose decision a regex alone cannot make.

Importing this package is cheap: each recognizer loads its parser or word lists when a pack
builds it, not at import.
"""

from __future__ import annotations

from offergen.guardrails.recognizers.address import AddressRecognizer
from offergen.guardrails.recognizers.base import Recognition, Recognizer, Scan, build, words
from offergen.guardrails.recognizers.person import PersonRecognizer
from offergen.guardrails.recognizers.phone import PhoneRecognizer

RECOGNIZERS: dict[str, type[Recognizer]] = {
    cls.name: cls for cls in (PhoneRecognizer, PersonRecognizer, AddressRecognizer)
}

__all__ = ["RECOGNIZERS", "Recognition", "Recognizer", "Scan", "build", "words"]
