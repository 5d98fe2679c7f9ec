"""Small helpers for tests that start real servers on this machine."""

from __future__ import annotations

import socket
import time
from collections.abc import Callable

import pytest


def free_port() -> int:
    """A TCP port nothing listens on now (the OS picks it)."""
    with socket.socket() as s:
        s.bind(("127.0.0.1", 0))
        return int(s.getsockname()[1])


def until(cond: Callable[[], bool], timeout_s: float = 20, what: str = "condition") -> float:
    """Seconds until `cond` holds; the test fails after `timeout_s`."""
    started = time.monotonic()
    while not cond():
        if time.monotonic() - started > timeout_s:
            pytest.fail(f"{what}: not within {timeout_s} s")
        time.sleep(0.02)
    return time.monotonic() - started
