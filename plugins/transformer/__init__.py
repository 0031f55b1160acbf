"""transformer plugin (being built)."""
