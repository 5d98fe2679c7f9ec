"""Generation stage: model profiles, checkpoint preparation and backends behind one protocol."""
