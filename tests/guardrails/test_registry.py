"""The check registry: built-ins register on import, lookups fail with the valid names."""

from __future__ import annotations

from typing import ClassVar

import pytest

from offergen.errors import ConfigError
from offergen.guardrails import registry
from offergen.guardrails.base import CheckContext, CheckParams
from offergen.guardrails.checks.numbers import NumbersCheck
from offergen.guardrails.checks.pii import PiiCheck
from offergen.schemas import Finding, Severity


@pytest.fixture
def isolated_registry(monkeypatch: pytest.MonkeyPatch) -> None:
    """Test classes register into a copy, so they never leak into other tests."""
    registry.check_names()  # make sure the built-ins are in before copying
    monkeypatch.setattr(registry, "_CHECKS", dict(registry._CHECKS))


class _Params(CheckParams):
    pass


def _make_check(check_name: str) -> type:
    class Dummy:
        name: ClassVar[str] = check_name
        Params: ClassVar[type[CheckParams]] = _Params

        def __init__(self, params: CheckParams, severity: Severity) -> None:
            self.severity = severity

        def check(self, text: str, ctx: CheckContext) -> list[Finding]:
            return []

    return Dummy


@pytest.mark.parametrize(("name", "cls"), [("pii", PiiCheck), ("numbers", NumbersCheck)])
def test_builtin_checks_are_registered(name: str, cls: type) -> None:
    assert registry.get_check_class(name) is cls


def test_check_names_lists_builtins_sorted() -> None:
    names = registry.check_names()
    assert {"numbers", "pii"} <= set(names)
    assert names == sorted(names)


def test_unknown_check_names_the_valid_ones() -> None:
    with pytest.raises(ConfigError) as err:
        registry.get_check_class("piii")
    message = str(err.value)
    assert "'piii'" in message
    assert "numbers" in message and "pii" in message


@pytest.mark.usefixtures("isolated_registry")
def test_register_makes_a_class_available() -> None:
    cls = registry.register(_make_check("dummy_ok"))
    assert registry.get_check_class("dummy_ok") is cls
    assert "dummy_ok" in registry.check_names()


@pytest.mark.usefixtures("isolated_registry")
def test_register_rejects_a_second_class_under_the_same_name() -> None:
    with pytest.raises(TypeError, match="already registered"):
        registry.register(_make_check("pii"))
    assert registry.get_check_class("pii") is PiiCheck


@pytest.mark.usefixtures("isolated_registry")
def test_register_accepts_the_same_class_twice() -> None:
    cls = _make_check("dummy_twice")
    registry.register(cls)
    registry.register(cls)
    assert registry.get_check_class("dummy_twice") is cls


@pytest.mark.usefixtures("isolated_registry")
def test_register_requires_a_name() -> None:
    cls = _make_check("")
    with pytest.raises(TypeError, match="name"):
        registry.register(cls)


@pytest.mark.usefixtures("isolated_registry")
def test_register_requires_a_params_model() -> None:
    class NoParams:
        name: ClassVar[str] = "no_params"

    with pytest.raises(TypeError, match="Params"):
        registry.register(NoParams)  # type: ignore[type-var]
    with pytest.raises(ConfigError):
        registry.get_check_class("no_params")
