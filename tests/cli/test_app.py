"""The command line as a user runs it (typer's runner, real settings and data)."""

from __future__ import annotations

import json
from pathlib import Path

import pytest
from typer.testing import CliRunner

from offergen.cli import app
from offergen.config import Settings

runner = CliRunner()
OFFER = {"kind": "cashback", "merchant": "FreshMart", "value": 10, "unit": "percent"}


@pytest.mark.parametrize(
    "args",
    [[], ["serve"], ["generate"], ["merchants"], ["retrieve"], ["model", "prepare"],
     ["kb", "seed"], ["kb", "import"], ["kb", "stats"], ["kb", "review"], ["index", "build"],
     ["index", "stats"], ["guard", "check"]],
)  # fmt: skip
def test_help_everywhere(args: list[str]) -> None:
    result = runner.invoke(app, [*args, "--help"])
    assert result.exit_code == 0, result.output
    assert "Usage" in result.output


def test_guard_check_input_file_one_line_out_per_line_in_order(tmp_path: Path) -> None:
    cases = [
        {"text": "10% cash back at FreshMart. Terms apply.", "channel": "email", "offer": OFFER},
        {"text": "30% cash back at FreshMart.", "channel": "email", "offer": OFFER},
    ]
    path = tmp_path / "cases.jsonl"
    path.write_text("".join(json.dumps(c) + "\n" for c in cases))
    result = runner.invoke(app, ["guard", "check", "--input", str(path)])
    assert result.exit_code == 0, result.output
    out = [json.loads(line) for line in result.output.splitlines()]
    assert [o["released"] for o in out] == [True, False]
    assert out[1]["text"] is None and out[1]["findings"]


def test_guard_check_bad_line_names_it_and_guards_nothing(tmp_path: Path) -> None:
    good = {"text": "10% back", "channel": "email", "offer": OFFER}
    path = tmp_path / "cases.jsonl"
    path.write_text(json.dumps(good) + "\n" + json.dumps({**good, "channel": "fax"}) + "\n")
    result = runner.invoke(app, ["guard", "check", "--input", str(path)])
    assert result.exit_code == 2
    assert f"{path}:2: channel" in result.output
    assert '"released"' not in result.output


def test_guard_check_single_text(tmp_path: Path) -> None:
    offer = tmp_path / "offer.json"
    offer.write_text(json.dumps(OFFER))
    args = ["guard", "check", "--text", "10% cash back. Terms apply.", "--offer", str(offer)]
    result = runner.invoke(app, [*args, "--channel", "email", "--policy", "eu-default"])
    assert result.exit_code == 0, result.output
    assert json.loads(result.output)["policy"] == "eu-default"


def test_generate_rejects_a_bad_request_file_clearly(tmp_path: Path) -> None:
    path = tmp_path / "req.json"
    path.write_text(json.dumps({"merchant_id": "m_x", "channel": "sms"}))
    result = runner.invoke(app, ["generate", "--request", str(path)])
    assert result.exit_code == 2
    assert "offer: Field required" in result.output


def test_prompt_list_shows_template_and_version() -> None:
    result = runner.invoke(app, ["prompt", "list"])
    assert result.exit_code == 0, result.output
    name, version, style = result.output.split()[:3]
    assert (name, len(version), style) == ("offer_copy", 12, "completion")
    lines = result.output.splitlines()
    assert [line.split()[0] for line in lines] == [
        "offer_copy",
        ".push",
        ".email",
        "offer_copy_chat",
        "offer_copy_free",
        ".push",
        ".email",
    ]
    assert lines[3].split()[2] == "chat"


def test_prompt_render_prints_the_exact_prompt(prepared_settings: Settings, tmp_path: Path) -> None:
    request = {
        "merchant_id": "m_freshmart",
        "offer": {"kind": "cashback", "merchant": "FreshMart", "value": 5, "unit": "percent"},
        "channel": "sms",
    }
    path = tmp_path / "req.json"
    path.write_text(json.dumps(request))
    env = {"OFFERGEN_DATA_DIR": str(prepared_settings.data_dir)}
    args = ["prompt", "render", "--request", str(path), "--format", "json"]
    result = runner.invoke(app, args, env=env)
    assert result.exit_code == 0, result.output
    out = json.loads(result.output[result.output.index("{") :])
    assert out["template"] == "offer_copy" and len(out["version"]) == 12
    # the default template locks the terms: the prompt shows slots, code writes the numbers
    assert out["text"].endswith("Terms: [REWARD] cashback\nChannel: sms\nAudience: general\nCopy:")
    assert out["variables"]["merchant"]["name"] == "FreshMart"
    rules = [s["id"] for s in out["sources"] if s["kind"] == "merchant_rule"]
    assert rules and all(r.startswith("r_freshmart") for r in rules)  # only this merchant's
    assert any(s["kind"] == "past_offer" for s in out["sources"])
