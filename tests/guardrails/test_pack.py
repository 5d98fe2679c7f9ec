"""Policy packs: the shipped packs load; every bad pack is a ConfigError that says where and why."""

from __future__ import annotations

import textwrap
from pathlib import Path

import pytest

from offergen.config import REPO_ROOT
from offergen.errors import ConfigError
from offergen.guardrails.checks.numbers import NumbersCheck, NumbersParams
from offergen.guardrails.checks.pii import PiiCheck
from offergen.guardrails.pack import list_packs, load_pack
from offergen.schemas import Severity

GUARDRAILS = REPO_ROOT / "guardrails"
HEAD = "name: bad\ndescription: d\nchecks:\n"


def _write(tmp_path: Path, name: str, body: str) -> Path:
    path = tmp_path / f"{name}.yaml"
    path.write_text(textwrap.dedent(body), encoding="utf-8")
    return path


def _load_error(tmp_path: Path, body: str, name: str = "bad") -> str:
    _write(tmp_path, name, body)
    with pytest.raises(ConfigError) as err:
        load_pack(tmp_path, name)
    return str(err.value)


@pytest.mark.parametrize("name", ["us-default", "eu-default"])
def test_default_packs_load_every_check_in_order(name: str) -> None:
    pack = load_pack(GUARDRAILS, name)
    assert pack.name == name
    assert pack.path == GUARDRAILS / f"{name}.yaml"
    types = [entry.spec.type for entry in pack.checks]
    assert types == [
        "pii",
        "merge_tags",
        "numbers",
        "claims",
        "fairness",
        "merchant_rules",
        "unsafe_output",
        "disclosures",
        "channel",
    ]
    assert isinstance(pack.checks[0].check, PiiCheck)
    assert isinstance(pack.checks[2].check, NumbersCheck)
    # Only required wording is repaired by code; everything else holds the copy.
    fixes = [e.spec.type for e in pack.checks if e.spec.severity is Severity.fix]
    assert fixes == ["disclosures"]
    assert all(entry.spec.enabled for entry in pack.checks)
    # Each check says which regulation or policy it encodes.
    assert all(entry.spec.source for entry in pack.checks)
    assert [entry.position for entry in pack.checks] == [f"checks[{i}]" for i in range(9)]


def test_list_packs_names_only_top_level_yaml(tmp_path: Path) -> None:
    _write(tmp_path, "b-pack", "name: b-pack\n")
    _write(tmp_path, "a-pack", "name: a-pack\n")
    (tmp_path / "data").mkdir()
    _write(tmp_path / "data", "pii", "x: 1\n")
    (tmp_path / "notes.txt").write_text("not a pack")
    assert list_packs(tmp_path) == ["a-pack", "b-pack"]


def test_list_packs_of_a_missing_dir_is_empty(tmp_path: Path) -> None:
    assert list_packs(tmp_path / "nope") == []


def test_shipped_packs_are_listed() -> None:
    assert {"us-default", "eu-default"} <= set(list_packs(GUARDRAILS))


def test_params_are_validated_into_the_check_params_model(tmp_path: Path) -> None:
    _write(
        tmp_path,
        "custom",
        """\
        name: custom
        description: d
        checks:
          - type: numbers
            severity: warn
            params: {allow_bare_numbers: [24, 7], allow_years: false}
        """,
    )
    pack = load_pack(tmp_path, "custom")
    check = pack.checks[0].check
    assert isinstance(check, NumbersCheck)
    assert isinstance(check.params, NumbersParams)
    assert check.params.allow_bare_numbers == [24.0, 7.0]
    assert check.params.allow_years is False
    assert check.severity is Severity.warn


def test_disabled_check_is_still_validated_and_marked(tmp_path: Path) -> None:
    _write(
        tmp_path,
        "quiet",
        """\
        name: quiet
        description: d
        checks:
          - {type: pii, enabled: false}
          - {type: numbers}
        """,
    )
    pack = load_pack(tmp_path, "quiet")
    assert [entry.spec.enabled for entry in pack.checks] == [False, True]


def test_unknown_check_names_position_and_valid_checks(tmp_path: Path) -> None:
    message = _load_error(
        tmp_path,
        """\
        name: bad
        description: d
        checks:
          - type: pii
          - type: numbers
          - type: profanity
        """,
    )
    assert str(tmp_path / "bad.yaml") in message
    assert "checks[2].type" in message
    assert "'profanity'" in message
    from offergen.guardrails.registry import check_names

    assert "valid checks: " + ", ".join(check_names()) in message
    assert {"numbers", "pii"} <= set(check_names())


@pytest.mark.parametrize(
    ("body", "position", "field", "valid"),
    [
        (
            "name: bad\ndescription: d\nowner: me\nchecks: [{type: pii}]\n",
            "owner",
            "owner",
            "name, description, source, checks",
        ),
        (
            "name: bad\ndescription: d\nchecks:\n  - {type: pii}\n  - {type: numbers, parms: {}}\n",
            "checks[1].parms",
            "parms",
            "type, params, severity, enabled, source",
        ),
        (
            "name: bad\ndescription: d\nchecks:\n  - {type: pii, params: {colour: red}}\n",
            "checks[0].params.colour",
            "colour",
            "data_file, entities, allow",
        ),
    ],
)
def test_unknown_field_is_named_with_the_valid_ones(
    tmp_path: Path, body: str, position: str, field: str, valid: str
) -> None:
    message = _load_error(tmp_path, body)
    assert str(tmp_path / "bad.yaml") in message
    assert f"{position}: unknown field '{field}'" in message
    assert f"valid fields: {valid}" in message


@pytest.mark.parametrize(
    ("body", "position"),
    [
        (
            "name: bad\ndescription: d\nchecks:\n  - {type: pii, severity: stop}\n",
            "checks[0].severity",
        ),
        (
            "name: bad\ndescription: d\nchecks:\n  - {type: pii, enabled: maybe}\n",
            "checks[0].enabled",
        ),
        (
            "name: bad\ndescription: d\nchecks:\n  - {type: pii}\n"
            "  - {type: numbers, params: {allow_years: sometimes}}\n",
            "checks[1].params.allow_years",
        ),
        (
            HEAD + "  - {type: numbers, params: {allow_bare_numbers: x}}\n",
            "checks[0].params.allow_bare_numbers",
        ),
        ("name: bad\ndescription: d\nchecks: []\n", "checks"),
        ("name: bad\nchecks: [{type: pii}]\n", "description"),
        ("name: bad\ndescription: d\nchecks: [{severity: block}]\n", "checks[0].type"),
    ],
)
def test_bad_values_name_their_position(tmp_path: Path, body: str, position: str) -> None:
    message = _load_error(tmp_path, body)
    assert str(tmp_path / "bad.yaml") in message
    assert f"{position}:" in message


def test_unknown_pii_entity_is_reported_at_its_check(tmp_path: Path) -> None:
    message = _load_error(
        tmp_path,
        HEAD + "  - {type: pii, params: {entities: [card_number, dna]}}\n",
    )
    assert "checks[0] (pii)" in message
    assert "'dna'" in message
    assert "valid entities:" in message and "card_number" in message


def test_every_bad_check_is_reported_at_once(tmp_path: Path) -> None:
    message = _load_error(
        tmp_path,
        HEAD + "  - {type: nope}\n  - {type: numbers, params: {x: 1}}\n",
    )
    assert "checks[0].type" in message
    assert "checks[1].params.x" in message


def test_missing_pack_lists_the_available_ones(tmp_path: Path) -> None:
    _write(tmp_path, "alpha", "name: alpha\n")
    _write(tmp_path, "beta", "name: beta\n")
    with pytest.raises(ConfigError) as err:
        load_pack(tmp_path, "gamma")
    message = str(err.value)
    assert "'gamma' not found" in message
    assert "available packs: alpha, beta" in message


@pytest.mark.parametrize("name", ["../us-default", "US", "a/b", ""])
def test_pack_names_outside_the_safe_alphabet_are_refused(name: str) -> None:
    with pytest.raises(ConfigError, match="invalid policy pack name"):
        load_pack(GUARDRAILS, name)


def test_invalid_yaml_names_the_line(tmp_path: Path) -> None:
    message = _load_error(tmp_path, "name: bad\ndescription: d\nchecks:\n  - type: [pii\n")
    assert str(tmp_path / "bad.yaml") in message
    assert "invalid YAML at line" in message


@pytest.mark.parametrize("body", ["", "- just\n- a list\n", "a string\n"])
def test_a_pack_must_be_a_mapping(tmp_path: Path, body: str) -> None:
    assert "must be a mapping" in _load_error(tmp_path, body)


def test_pack_name_must_match_its_file(tmp_path: Path) -> None:
    message = _load_error(tmp_path, "name: other\ndescription: d\nchecks: [{type: pii}]\n")
    assert "'other' does not match the file name 'bad'" in message


def test_broken_check_data_file_is_a_config_error(tmp_path: Path) -> None:
    data = tmp_path / "broken.yaml"
    data.write_text("merge_tag: '['\nentities: {}\n", encoding="utf-8")
    message = _load_error(
        tmp_path,
        f"name: bad\ndescription: d\nchecks:\n  - {{type: pii, params: {{data_file: '{data}'}}}}\n",
    )
    assert "checks[0] (pii)" in message
    assert str(data) in message
