"""stability adapter (being built)."""
