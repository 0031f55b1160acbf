"""openai_images adapter (being built)."""
