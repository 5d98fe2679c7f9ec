"""Check registry: a pack's `type:` name -> the check class that implements it."""

from __future__ import annotations

import importlib
from typing import TypeVar

from offergen.errors import ConfigError
from offergen.guardrails.base import Check, CheckParams

_CHECKS: dict[str, type[Check]] = {}
# Importing this package runs the @register decorators of the built-in checks.
_BUILTINS = "offergen.guardrails.checks"

C = TypeVar("C", bound=type[Check])


def register(cls: C) -> C:
    """Class decorator: make `cls` available to packs under `cls.name`."""
    name = getattr(cls, "name", None)
    if not isinstance(name, str) or not name:
        raise TypeError(f"{cls.__qualname__} needs a non-empty class attribute `name`")
    params = getattr(cls, "Params", None)
    if not (isinstance(params, type) and issubclass(params, CheckParams)):
        raise TypeError(f"{cls.__qualname__} needs a `Params` class derived from CheckParams")
    existing = _CHECKS.get(name)
    # Same qualified name again is a module re-import, not a clash.
    if existing is not None and _qualname(existing) != _qualname(cls):
        raise TypeError(f"check name {name!r} is already registered by {_qualname(existing)}")
    _CHECKS[name] = cls
    return cls


def _qualname(cls: type) -> str:
    return f"{cls.__module__}.{cls.__qualname__}"


def _load_builtins() -> None:
    importlib.import_module(_BUILTINS)


def check_names() -> list[str]:
    """Every registered check name, sorted."""
    _load_builtins()
    return sorted(_CHECKS)


def get_check_class(name: str) -> type[Check]:
    """The class registered under `name`; ConfigError naming the valid names otherwise."""
    _load_builtins()
    try:
        return _CHECKS[name]
    except KeyError:
        valid = ", ".join(sorted(_CHECKS)) or "(none)"
        raise ConfigError(f"unknown check {name!r}; valid checks: {valid}") from None
