"""Protocol of the prompt stage."""

from __future__ import annotations

from typing import Any, Literal, Protocol

from pydantic import BaseModel

from offergen.schemas import Channel


class RenderedPrompt(BaseModel):
    text: str
    template: str
    version: str
    stop: tuple[str, ...]
    max_new_tokens: int
    style: Literal["completion", "chat"] = "completion"
    # locked: the model writes slots ([REWARD], ...) and code fills them from the offer terms
    terms: Literal["free", "locked"] = "free"
    bad_words: tuple[str, ...] = ()  # what the model may not write (digits, when terms are locked)
    oversample: float | None = None  # drafts per wanted variant; None: the model profile's


class PromptRenderer(Protocol):
    def warm_up(self) -> None: ...

    def render(
        self, template: str, channel: Channel, variables: dict[str, Any]
    ) -> RenderedPrompt: ...

    def examples(self, template: str, channel: Channel) -> int | None: ...

    def terms(self, template: str, channel: Channel) -> Literal["free", "locked"]: ...
