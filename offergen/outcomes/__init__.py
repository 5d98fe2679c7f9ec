"""Outcomes of released copy: ingestion, and promotion of proven variants into the KB."""
