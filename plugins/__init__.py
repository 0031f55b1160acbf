"""Lienzo built-in plugins."""
