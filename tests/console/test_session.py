"""Console sessions: signed cookie, state on the server, ended for good at sign-out."""

from __future__ import annotations

import time
from pathlib import Path

from offergen.console.session import SessionStore


def test_a_session_round_trips_and_ends(tmp_path: Path) -> None:
    store = SessionStore(tmp_path, b"secret")
    session, cookie = store.create("abcd1234abcd1234")
    assert store.load(cookie) == session
    assert "abcd1234abcd1234" not in cookie  # the key id lives on the server only
    stored = next(tmp_path.iterdir())
    assert session.sid not in stored.name  # a directory listing gives no usable session id
    store.end(session)
    assert store.load(cookie) is None


def test_forged_expired_and_foreign_cookies_are_refused(tmp_path: Path) -> None:
    store = SessionStore(tmp_path, b"secret")
    _, cookie = store.create(None)
    sid, expires, sig = cookie.split(".")
    assert store.load(f"{sid}.{int(expires) + 3600}.{sig}") is None  # extended by hand
    assert store.load(f"{sid}.{expires}.{'0' * len(sig)}") is None
    assert SessionStore(tmp_path, b"another secret").load(cookie) is None
    assert store.load("garbage") is None and store.load(None) is None
    short = SessionStore(tmp_path, b"secret", ttl_s=-1)
    _, old = short.create(None)
    assert short.load(old) is None


def test_expired_session_files_are_pruned(tmp_path: Path) -> None:
    store = SessionStore(tmp_path, b"secret", ttl_s=-10)
    store.create(None)
    store._pruned = 0.0
    later = SessionStore(tmp_path, b"secret")
    later._pruned = time.time() - 10_000
    later.create(None)
    assert len(list(tmp_path.iterdir())) == 1
