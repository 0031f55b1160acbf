"""Autoencoder plugin family (being built)."""
