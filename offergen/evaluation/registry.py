"""Assertion registry: a case's `type:` -> the assertion class that implements it.

A type is a name (`released`) or a family and an argument (`check:numbers`): the registry is
keyed by what comes before the colon, and the class's Params validate the whole type.
"""

from __future__ import annotations

import importlib
from typing import Any, TypeVar

from pydantic import ValidationError

from offergen.evaluation.assertion import Assertion, AssertionParams

_ASSERTIONS: dict[str, type[Assertion]] = {}
# Importing the package runs the @register decorators of the built-in assertions.
_BUILTINS = "offergen.evaluation.assertions"

A = TypeVar("A", bound=type[Assertion])


def register(cls: A) -> A:
    """Class decorator: make `cls` available to suites under `cls.name`."""
    name = getattr(cls, "name", None)
    if not isinstance(name, str) or not name:
        raise TypeError(f"{cls.__qualname__} needs a non-empty class attribute `name`")
    params = getattr(cls, "Params", None)
    if not (isinstance(params, type) and issubclass(params, AssertionParams)):
        raise TypeError(f"{cls.__qualname__} needs a `Params` class derived from AssertionParams")
    existing = _ASSERTIONS.get(name)
    if existing is not None and existing.__qualname__ != cls.__qualname__:
        raise TypeError(f"assertion type {name!r} is already registered")
    _ASSERTIONS[name] = cls
    return cls


def family(type_: str) -> str:
    return type_.split(":", 1)[0]


def assertion_types() -> list[str]:
    """Every registered type as a suite writes it (`check:<name>` for the check family)."""
    importlib.import_module(_BUILTINS)
    return sorted(
        f"{t}:<name>" if getattr(c, "takes_name", False) else t for t, c in _ASSERTIONS.items()
    )


def assertion_class(type_: str) -> type[Assertion]:
    importlib.import_module(_BUILTINS)
    try:
        return _ASSERTIONS[family(type_)]
    except KeyError:
        raise ValueError(
            f"unknown assertion type {type_!r}; valid types: {', '.join(assertion_types())}"
        ) from None


def parse_assertion(raw: Any) -> AssertionParams:
    """Validate one `assert:` entry into its type's Params; a ValueError says what is wrong."""
    if isinstance(raw, AssertionParams):
        return raw
    if not isinstance(raw, dict) or not isinstance(raw.get("type"), str):
        raise ValueError("an assertion is a mapping with a `type` (e.g. {type: released})")
    cls = assertion_class(raw["type"])
    try:
        return cls.Params.model_validate(raw)
    except ValidationError as exc:
        problems = "; ".join(
            f"{'.'.join(str(p) for p in e['loc']) or raw['type']}: {error_text(e['msg'])}"
            for e in exc.errors()
        )
        raise ValueError(f"{raw['type']}: {problems}") from None


def error_text(message: str) -> str:
    """A pydantic message without the "Value error, " our own validators' messages get."""
    return message.removeprefix("Value error, ")


def build(params: AssertionParams) -> Assertion:
    return assertion_class(params.type)(params)
