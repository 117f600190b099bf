"""Gradient checking: central differences of recomputed losses, with their error model."""
