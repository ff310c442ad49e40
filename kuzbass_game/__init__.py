"""Kuzbass: an interactive-fiction game about the Kuzbass Autonomous Industrial Colony, 1922-1926."""

__version__ = "0.1.0"
