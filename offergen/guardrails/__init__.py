"""Guard stage: policy packs of checks that decide whether a text may be released."""
