"""Form bodies (application/x-www-form-urlencoded) read with the standard library: the console's
forms need no multipart, so no extra dependency."""

from __future__ import annotations

from urllib.parse import parse_qsl

from fastapi import Request

MAX_FORM_BYTES = 256_000  # the API's body limit middleware bounds it too


class Form:
    """Field values by name; a repeated field keeps every value in `all`."""

    def __init__(self, pairs: list[tuple[str, str]]) -> None:
        self.pairs = pairs

    def get(self, name: str, default: str = "") -> str:
        for key, value in self.pairs:
            if key == name:
                return value
        return default

    def all(self, name: str) -> list[str]:
        return [v for k, v in self.pairs if k == name]


async def read_form(request: Request) -> Form:
    body = await request.body()
    text = body[:MAX_FORM_BYTES].decode("utf-8", errors="replace")
    return Form(parse_qsl(text, keep_blank_values=True, max_num_fields=500))
