"""API keys: Bearer tokens compared by hash in constant time."""

from __future__ import annotations

import hashlib
import hmac
import ipaddress
import logging

from offergen.config import Settings
from offergen.errors import ConfigError

log = logging.getLogger(__name__)


def _digest(key: str) -> bytes:
    return hashlib.sha256(key.encode()).digest()


class KeyChecker:
    def __init__(self, settings: Settings) -> None:
        self._digests = [_digest(k.get_secret_value()) for k in settings.api_keys]

    @property
    def enabled(self) -> bool:
        return bool(self._digests)

    def accepts(self, key: str) -> bool:
        digest = _digest(key)
        # Compare against every key so timing does not reveal which one (or whether any) matched.
        matches = [hmac.compare_digest(digest, d) for d in self._digests]
        return any(matches)


def check_keys_configured(settings: Settings) -> None:
    """Only the dev profile bound to loopback may serve without keys."""
    if settings.api_keys:
        return
    if settings.profile != "dev":
        raise ConfigError(f"profile '{settings.profile}' requires API keys: set OFFERGEN_API_KEYS")
    if not _is_loopback(settings.host):
        raise ConfigError(
            f"refusing to serve without API keys on non-loopback host {settings.host}: "
            "set OFFERGEN_API_KEYS or bind to 127.0.0.1"
        )
    log.warning("serving WITHOUT API keys (dev profile on loopback %s)", settings.host)


def _is_loopback(host: str) -> bool:
    if host == "localhost":
        return True
    try:
        return ipaddress.ip_address(host).is_loopback
    except ValueError:
        return False
