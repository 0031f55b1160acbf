"""text_to_image plugin (being built)."""
