"""Console sessions: a random session id in a server-signed cookie, its state on the server.

The cookie reads `<sid>.<expires>.<hmac>`; the server keeps one small file per live session
(named by a hash of the sid, holding the API key's id, never the key) under the data dir, so
sign-out ends a session for good and replicas sharing the data dir share sessions. The key
itself is re-checked against the key store on every request (see `deps.py`): a revoked key
ends its sessions at once.
"""

from __future__ import annotations

import hashlib
import hmac
import json
import secrets
import time
from dataclasses import dataclass
from pathlib import Path

COOKIE = "og_console"
TTL_S = 8 * 3600  # a working day
_PRUNE_EVERY_S = 600


@dataclass(frozen=True)
class Session:
    sid: str
    key_id: str | None  # None: keyless dev mode (the API's rule, see offergen/api/auth.py)
    expires: int


class SessionStore:
    def __init__(self, directory: Path, secret: bytes, ttl_s: int = TTL_S) -> None:
        self.directory = directory
        self.secret = secret
        self.ttl_s = ttl_s
        self._pruned = 0.0

    def create(self, key_id: str | None) -> tuple[Session, str]:
        """A new session and its cookie value."""
        self.directory.mkdir(parents=True, exist_ok=True)
        self._prune()
        sid = secrets.token_urlsafe(32)
        session = Session(sid=sid, key_id=key_id, expires=int(time.time()) + self.ttl_s)
        path = self._path(sid)
        path.write_text(json.dumps({"key_id": key_id, "expires": session.expires}))
        path.chmod(0o600)
        return session, f"{sid}.{session.expires}.{self._sign(sid, session.expires)}"

    def load(self, cookie: str | None) -> Session | None:
        """The live session a cookie names; None for a missing, forged, expired or ended one."""
        if not cookie:
            return None
        parts = cookie.split(".")
        if len(parts) != 3 or not parts[1].isdigit():
            return None
        sid, expires, sig = parts[0], int(parts[1]), parts[2]
        if not hmac.compare_digest(sig, self._sign(sid, expires)) or expires < time.time():
            return None
        try:
            state = json.loads(self._path(sid).read_text())
        except (OSError, ValueError):
            return None  # ended (signed out) or never created here
        if state.get("expires") != expires:
            return None
        key_id = state.get("key_id")
        return Session(sid=sid, key_id=key_id if isinstance(key_id, str) else None, expires=expires)

    def end(self, session: Session) -> None:
        self._path(session.sid).unlink(missing_ok=True)

    def _sign(self, sid: str, expires: int) -> str:
        return hmac.new(self.secret, f"session|{sid}|{expires}".encode(), "sha256").hexdigest()

    def _path(self, sid: str) -> Path:
        # a hash, so a listing of the directory gives nobody a usable session id
        return self.directory / f"{hashlib.sha256(sid.encode()).hexdigest()}.json"

    def _prune(self) -> None:
        now = time.time()
        if now - self._pruned < _PRUNE_EVERY_S:
            return
        self._pruned = now
        for path in self.directory.glob("*.json"):
            try:
                if json.loads(path.read_text()).get("expires", 0) < now:
                    path.unlink(missing_ok=True)
            except (OSError, ValueError):
                path.unlink(missing_ok=True)
