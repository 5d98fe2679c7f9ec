"""The key that signs console session cookies and CSRF tokens: from settings, or generated once
and kept under the data dir (never logged), so sessions survive a restart."""

from __future__ import annotations

import os
import secrets
from pathlib import Path

from offergen.config import Settings

SECRET_FILE = Path("console") / "secret"


def console_secret(settings: Settings) -> bytes:
    if settings.console_secret is not None:
        return settings.console_secret.get_secret_value().encode()
    path = settings.data_dir / SECRET_FILE
    path.parent.mkdir(parents=True, exist_ok=True)
    try:
        # O_EXCL: two replicas (or workers) starting at once agree on the first one written
        fd = os.open(path, os.O_WRONLY | os.O_CREAT | os.O_EXCL, 0o600)
    except FileExistsError:
        return path.read_bytes().strip()
    value = secrets.token_urlsafe(48).encode()
    with os.fdopen(fd, "wb") as f:
        f.write(value)
    return value
