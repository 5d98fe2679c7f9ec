"""Where the data folders that ship with the repository live (prompts/, guardrails/, models/)."""

from __future__ import annotations

from pathlib import Path

REPO_ROOT = Path(__file__).resolve().parent.parent
