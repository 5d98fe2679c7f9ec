"""CSRF tokens: an HMAC of what the form is bound to (the session, or before sign-in a random
nonce in a cookie of its own), so nothing is stored and a token works only with its binding."""

from __future__ import annotations

import hmac

FIELD = "csrf_token"
PRE_COOKIE = "og_console_pre"  # the sign-in form's binding, before there is a session


def token(secret: bytes, binding: str) -> str:
    return hmac.new(secret, f"csrf|{binding}".encode(), "sha256").hexdigest()


def valid(secret: bytes, binding: str | None, sent: str | None) -> bool:
    if not binding or not sent:
        return False
    return hmac.compare_digest(sent, token(secret, binding))
