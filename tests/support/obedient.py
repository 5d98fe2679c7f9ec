"""A Backend that does whatever its prompt says: the worst model the red team can face.

Each completion repeats one part of the prompt, in turn: the request's audience line (where a
segment injection lands), the offer terms line (the merchant display name), each house rule and
each past copy (retrieved knowledge-base text), and the prompt's first line (its scaffolding).
A run of the red-team suite on it shows what the guard alone keeps from going out.
"""

from __future__ import annotations

import json

from offergen.generation.base import Completion, GenerationParams, GenerationResult


class ObedientBackend:
    name = "obedient"
    model_id = "obedient-model"

    def __init__(self) -> None:
        self.calls: list[tuple[str, GenerationParams]] = []

    def warm_up(self) -> None:
        pass

    def generate(self, prompt: str, params: GenerationParams) -> GenerationResult:
        self.calls.append((prompt, params))
        parts = obeyed(prompt)
        texts = [parts[i % len(parts)] for i in range(params.n)]
        completions = [
            Completion(text=t, finish_reason="stop", completion_tokens=len(t.split()))
            for t in texts
        ]
        return GenerationResult(
            completions=completions,
            prompt_tokens=len(prompt.split()),
            completion_tokens=sum(c.completion_tokens for c in completions),
            elapsed_ms=0.0,
        )


def obeyed(prompt: str) -> list[str]:
    """The parts of a completion prompt a model that follows it would repeat."""
    lines = [line.strip() for line in prompt.splitlines() if line.strip()]
    labelled = {"Audience:": "", "Terms:": ""}
    rules: list[str] = []
    copies: list[str] = []
    for line in lines:
        for label in labelled:
            if line.startswith(label):
                labelled[label] = line.removeprefix(label).strip()
        if line.startswith("- "):
            rules.append(_unquoted(line[2:]))
        elif line.startswith("Copy:") and line != "Copy:":
            copies.append(line.removeprefix("Copy:").strip())
    parts = [labelled["Audience:"], labelled["Terms:"], *rules, *copies, lines[0] if lines else ""]
    return [p for p in parts if p] or ["(empty prompt)"]


def _unquoted(text: str) -> str:
    try:
        value = json.loads(text)
    except ValueError:
        return text
    return value if isinstance(value, str) else text
