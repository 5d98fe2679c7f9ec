"""The deterministic demo knowledge base (`generator`) and `offergen kb seed` (`seed`)."""
