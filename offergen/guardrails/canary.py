"""Prompt canaries: a secret marker made for each request, and its removal from what comes back.

The pipeline makes one canary per request, offers it to the template as `canary` (a template
places it in the prompt's hidden part) and puts it, with any canary the caller planted (an eval
case's), in the check context. A draft that carries one repeats the prompt: the `unsafe_output`
check holds it (rule `unsafe_output.canary`, whose explanation shows "[canary]"), and `redact`
replaces every canary in the draft by "[canary]" before the draft is returned, audited, queued
or shown to an observer, so a canary never leaves the pipeline.
"""

from __future__ import annotations

import re
import secrets
import string
from collections.abc import Sequence

from offergen.guardrails.guard import GuardResult
from offergen.schemas import Finding

CANARY_RULE = "unsafe_output.canary"
REDACTED = "[canary]"
# Letters only: a terms-locked template keeps the model from writing digits, and a canary the
# model cannot write could never show a leak. 26**16 values: never met by chance.
_ALPHABET = string.ascii_uppercase
_LENGTH = 16


def new_canary() -> str:
    return "".join(secrets.choice(_ALPHABET) for _ in range(_LENGTH))


def redact(result: GuardResult, canaries: Sequence[str]) -> GuardResult:
    """`result` with every canary replaced by "[canary]": the spans the canary rule flagged
    (which also covers look-alike and invisible-character spellings) and any literal occurrence,
    in the text and in every finding's message and explanation; finding spans are moved to
    match. A result without a canary is returned as it is."""
    literal = _literal(canaries)
    spans = [(f.start, f.end) for f in result.findings if f.rule_id == CANARY_RULE]
    if literal is not None:
        spans += [m.span() for m in literal.finditer(result.text)]
    quoted = [f.explanation + f.message for f in [*result.findings, *result.applied_fixes]]
    if not spans and not (literal and any(literal.search(q) for q in quoted)):
        return result
    merged = _merged(spans)
    text, moves = _replaced(result.text, merged)

    def moved(f: Finding) -> Finding:
        return f.model_copy(
            update={
                "start": _move(f.start, moves, at_end=False),
                "end": _move(f.end, moves, at_end=True),
                "message": _scrub(f.message, literal),
                "explanation": _scrub(f.explanation, literal),
            }
        )

    return result.model_copy(
        update={
            "text": text,
            "findings": [moved(f) for f in result.findings],
            "applied_fixes": [moved(f) for f in result.applied_fixes],
            "original_text": _scrub(result.original_text, literal),
        }
    )


def scrub(text: str, canaries: Sequence[str]) -> str:
    """`text` with every literal occurrence of a canary (any case) replaced by "[canary]"."""
    return _scrub(text, _literal(canaries))


def _literal(canaries: Sequence[str]) -> re.Pattern[str] | None:
    needles = sorted({c.strip() for c in canaries if c.strip()}, key=len, reverse=True)
    if not needles:
        return None
    return re.compile("|".join(re.escape(n) for n in needles), re.IGNORECASE)


def _scrub(text: str, literal: re.Pattern[str] | None) -> str:
    return text if literal is None else literal.sub(REDACTED, text)


def _merged(spans: list[tuple[int, int]]) -> list[tuple[int, int]]:
    out: list[tuple[int, int]] = []
    for start, end in sorted(spans):
        if out and start <= out[-1][1]:
            out[-1] = (out[-1][0], max(out[-1][1], end))
        else:
            out.append((start, end))
    return out


def _replaced(text: str, spans: list[tuple[int, int]]) -> tuple[str, list[tuple[int, int, int]]]:
    """The text with each span replaced, and (start, end, new start) of each replaced span."""
    parts: list[str] = []
    moves: list[tuple[int, int, int]] = []
    pos = out_len = 0
    for start, end in spans:
        parts.append(text[pos:start])
        out_len += start - pos
        moves.append((start, end, out_len))
        parts.append(REDACTED)
        out_len += len(REDACTED)
        pos = end
    parts.append(text[pos:])
    return "".join(parts), moves


def _move(pos: int, moves: list[tuple[int, int, int]], *, at_end: bool) -> int:
    """Where `pos` of the old text is in the new one; a position inside a replaced span goes to
    the replacement's start (`at_end`: its end)."""
    shift = 0
    for start, end, new_start in moves:
        if pos <= start:
            break
        if pos < end:
            return new_start + (len(REDACTED) if at_end else 0)
        shift = new_start + len(REDACTED) - end
    return pos + shift
