from __future__ import annotations

import hashlib

from offergen.api.middleware.identity import ANONYMOUS, caller_identity


def _scope(*headers: tuple[bytes, bytes]) -> dict[str, object]:
    return {"type": "http", "headers": list(headers)}


def test_the_identity_is_the_hash_of_the_bearer_token() -> None:
    token = "og_abc_secret"
    scope = _scope((b"authorization", f"Bearer {token}".encode()))
    assert caller_identity(scope) == hashlib.sha256(token.encode()).hexdigest()
    # the scheme's spelling does not make another caller
    assert caller_identity(_scope((b"authorization", f"bearer {token}".encode()))) == (
        caller_identity(scope)
    )
    assert token not in caller_identity(scope)


def test_no_authorization_is_anonymous_and_other_tokens_differ() -> None:
    assert caller_identity(_scope()) == ANONYMOUS
    a = caller_identity(_scope((b"authorization", b"Bearer a")))
    b = caller_identity(_scope((b"authorization", b"Bearer b")))
    basic = caller_identity(_scope((b"authorization", b"Basic a")))
    assert len({a, b, basic, ANONYMOUS}) == 4
