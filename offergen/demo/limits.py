"""How long demo copy may be, per channel.

The hard limit is the guard's: its channel check's data (guardrails/data/channel.yaml) is read
here, not restated. Inside it the demo writes to its own, shorter lengths (data/channels.yaml).
"""

from __future__ import annotations

from collections.abc import Mapping
from dataclasses import dataclass
from pathlib import Path

from offergen.demo.tables import ChannelStyle
from offergen.errors import ConfigError
from offergen.guardrails.checks.channel import ChannelData
from offergen.guardrails.datafile import load_data
from offergen.paths import REPO_ROOT
from offergen.schemas import Channel

__all__ = ["GUARDRAILS_DIR", "ChannelBudget", "channel_budgets", "guard_limits"]

GUARDRAILS_DIR = REPO_ROOT / "guardrails"  # the default of Settings.guardrails_dir


@dataclass(frozen=True)
class ChannelBudget:
    max_chars: int  # what the copy is written to: the demo's length, never above the guard's
    guard_chars: int  # what the guard's channel check lets through
    max_sentences: int


def guard_limits(guardrails_dir: Path = GUARDRAILS_DIR) -> dict[Channel, int]:
    """Characters the guard's channel check allows per channel (SMS: one GSM-7 segment)."""
    path = guardrails_dir / "data" / "channel.yaml"
    data = load_data(path, ChannelData)
    unknown = sorted(set(data.limits) - {c.value for c in Channel})
    if unknown:
        raise ConfigError(f"data file {path}: limits: unknown channel(s) {', '.join(unknown)}")
    return {Channel.sms: data.sms.gsm7.single} | {Channel(k): n for k, n in data.limits.items()}


def channel_budgets(
    guard: Mapping[Channel, int], style: ChannelStyle
) -> dict[Channel, ChannelBudget]:
    missing = [c.value for c in Channel if c not in guard]
    if missing:
        raise ConfigError(f"no guard character limit for {', '.join(missing)}")
    return {
        c: ChannelBudget(
            max_chars=min(style.demo_max_chars.get(c, guard[c]), guard[c]),
            guard_chars=guard[c],
            max_sentences=style.max_sentences[c],
        )
        for c in Channel
    }
