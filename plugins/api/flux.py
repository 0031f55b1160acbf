"""flux adapter (being built)."""
