"""GAN plugin (being built)."""
