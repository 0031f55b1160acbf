"""diffusion plugin (being built)."""
