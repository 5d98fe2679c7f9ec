"""Campaigns: durable batches of generate requests, run by a local worker pool or on Ray."""
