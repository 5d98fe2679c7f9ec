"""Who may call: API keys from the KeyStore (`Authorization: Bearer`), or nobody needs one.

Keyless serving is allowed only for the `dev` profile bound to loopback, and only while the
database holds no active key: the first `offergen keys create` turns enforcement on, without a
restart. Every other profile or host refuses to start without an active key.
"""

from __future__ import annotations

import ipaddress
import logging

from offergen.api.principal import Principal, Role
from offergen.config import Settings
from offergen.errors import ConfigError
from offergen.store.keys import KeyStore

log = logging.getLogger(__name__)

_CREATE_ONE = "create one with `offergen keys create --tenant T --role admin`"


class KeyChecker:
    """Turns the Bearer token of a request (or its absence) into a Principal."""

    def __init__(self, settings: Settings) -> None:
        self.keyless_allowed = keyless_allowed(settings)

    def principal(self, keys: KeyStore, token: str | None) -> Principal | None:
        """None: the request must be refused (401). A token that is sent is always checked,
        even where keyless calls are allowed."""
        if token:
            info = keys.authenticate(token)
            return Principal.of(info) if info is not None else None
        if self.keyless_allowed and keys.active_count() == 0:
            return Principal(key_id=None, tenant=None, role=Role.admin)
        return None


def keyless_allowed(settings: Settings) -> bool:
    return settings.profile == "dev" and _is_loopback(settings.host)


def check_keys_configured(settings: Settings, keys: KeyStore) -> None:
    """Refuse to start without an active key unless keyless serving is allowed; say so when
    serving keyless."""
    active = keys.active_count()
    if active:
        log.info("API keys enforced (%d active)", active)
        return
    if settings.profile != "dev":
        raise ConfigError(f"profile '{settings.profile}' requires an active API key: {_CREATE_ONE}")
    if not _is_loopback(settings.host):
        raise ConfigError(
            f"refusing to serve without API keys on non-loopback host {settings.host}: "
            f"{_CREATE_ONE}, or bind to 127.0.0.1"
        )
    log.warning(
        "serving WITHOUT API keys (dev profile on loopback %s); the first key created turns "
        "them on",
        settings.host,
    )


def _is_loopback(host: str) -> bool:
    if host == "localhost":
        return True
    try:
        return ipaddress.ip_address(host).is_loopback
    except ValueError:
        return False
