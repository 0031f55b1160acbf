"""Lienzo dashboard."""
