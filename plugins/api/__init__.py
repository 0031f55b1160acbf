"""api plugin (being built)."""
