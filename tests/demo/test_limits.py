"""Demo copy length: the guard's limits come from its own data file; the demo writes inside them."""

from __future__ import annotations

import shutil
from pathlib import Path

import pytest
import yaml

from offergen.demo.generator import DemoKB, generate_demo_kb
from offergen.demo.limits import GUARDRAILS_DIR, channel_budgets, guard_limits
from offergen.demo.tables import tables
from offergen.errors import ConfigError
from offergen.schemas import Channel


def _guard_copy(tmp_path: Path, **limits: int) -> Path:
    """A guardrails dir whose channel.yaml sets `limits` (the rest as shipped)."""
    data = tmp_path / "guardrails" / "data"
    data.mkdir(parents=True)
    shutil.copy(GUARDRAILS_DIR / "data" / "channel.yaml", data / "channel.yaml")
    raw = yaml.safe_load((data / "channel.yaml").read_text(encoding="utf-8"))
    raw["limits"].update(limits)
    (data / "channel.yaml").write_text(yaml.safe_dump(raw, allow_unicode=True), encoding="utf-8")
    return data.parent


def test_guard_limits_are_the_channel_checks() -> None:
    raw = yaml.safe_load((GUARDRAILS_DIR / "data" / "channel.yaml").read_text(encoding="utf-8"))
    expected = {Channel(k): v for k, v in raw["limits"].items()}
    expected[Channel.sms] = raw["sms"]["gsm7"]["single"]
    assert guard_limits() == expected


def test_the_demo_writes_shorter_than_the_guard_but_never_longer() -> None:
    style = tables().channels
    budgets = channel_budgets(guard_limits(), style)
    assert all(b.max_chars <= b.guard_chars for b in budgets.values())
    assert budgets[Channel.push].max_chars == style.demo_max_chars[Channel.push]
    tight = channel_budgets({c: 50 for c in Channel}, style)
    assert {b.max_chars for b in tight.values()} == {50}


def test_copy_fits_a_tighter_guard(tmp_path: Path) -> None:
    sizes = {"n_merchants": 13, "offers_per_merchant": 12}
    tight = {Channel.push: 100, Channel.in_app: 160, Channel.email: 260}

    def longest(kb: DemoKB) -> dict[Channel, int]:
        return {c: max(len(p.text) for p in kb.past_offers if p.channel is c) for c in tight}

    shipped = longest(generate_demo_kb(**sizes))
    assert all(shipped[c] > limit for c, limit in tight.items())  # the test can fail
    guardrails = _guard_copy(tmp_path, **{c.value: n for c, n in tight.items()})
    fitted = longest(generate_demo_kb(**sizes, guardrails_dir=guardrails))
    assert all(fitted[c] <= limit for c, limit in tight.items()), fitted


def test_bad_guard_data_is_a_config_error(tmp_path: Path) -> None:
    with pytest.raises(ConfigError, match="unknown channel"):
        guard_limits(_guard_copy(tmp_path, fax=100))
    with pytest.raises(ConfigError, match="cannot read"):
        guard_limits(tmp_path / "nowhere")
