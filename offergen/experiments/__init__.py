"""Experiments between released variants: assignment, Beta posteriors, stopping."""
