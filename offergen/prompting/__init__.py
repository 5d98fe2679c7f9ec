"""Prompt stage: Jinja2 templates from prompts/ with a sidecar YAML each, rendered sandboxed."""
