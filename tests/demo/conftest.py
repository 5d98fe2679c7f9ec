"""The full demo KB, generated once per session (about three seconds)."""

from __future__ import annotations

import pytest

from offergen.demo.generator import DemoKB, generate_demo_kb


@pytest.fixture(scope="session")
def full_demo() -> DemoKB:
    return generate_demo_kb()
