"""State the service keeps: the audit trail of every variant it produced."""
