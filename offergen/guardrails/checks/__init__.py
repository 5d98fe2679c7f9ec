"""Built-in checks, one per module; importing this package registers each of them."""

from offergen.guardrails.checks import numbers, pii

__all__ = ["numbers", "pii"]
