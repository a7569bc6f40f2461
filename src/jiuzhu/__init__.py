"""Jiuzhu (救助): social assistance case management."""

__version__ = "0.1.0"
